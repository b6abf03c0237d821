r"""Maxout in NumPy: the maximum over groups of ``k`` linear pieces (chapter :ref:`ch-activations`).

A maxout unit is not an element-wise function: it takes ``k`` pre-activations and keeps the
largest, so it comes as a forward/backward pair, :func:`maxout` and :func:`maxout_backward`.
Integer and boolean inputs become float64; no input is modified.

See Also
--------
dlbook.nn.maxout_torch : the same with torch tensors, plus a learnable ``Maxout`` layer.
dlbook.nn.activations : the element-wise activations.
"""

from __future__ import annotations

import numbers

import numpy as np

from dlbook.nn.activations import _array

__all__ = ["maxout", "maxout_backward"]


def _maxout_groups(z, k) -> np.ndarray:
    z = _array(z, "z")
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if z.ndim == 0 or z.shape[-1] % k:
        raise ValueError(f"the last axis of z (shape {z.shape}) must be a multiple of k={k}")
    return z.reshape(*z.shape[:-1], z.shape[-1] // k, k)  # (..., C, k)


def maxout(z, k):
    r"""Maxout over ``k`` pieces: :math:`h_c = \max_j z_{c,j}` (Goodfellow et al., 2013).

    Parameters
    ----------
    z : array_like of shape (..., C*k)
        Pre-activations :math:`z_{c,j} = w_{c,j}^\top x + b_{c,j}` of ``k`` linear pieces per
        unit, unit by unit: unit ``c`` owns ``z[..., c*k:(c+1)*k]``.
    k : int
        Number of pieces per unit; a maxout layer has ``k`` times the weights of a dense layer.

    Returns
    -------
    ndarray of shape (..., C)

    Raises
    ------
    ValueError
        If ``k`` is not a positive integer or does not divide the last axis.

    See Also
    --------
    dlbook.nn.maxout_torch.maxout, maxout_backward, :ref:`ch-activations`

    Examples
    --------
    >>> maxout([1.0, 5.0, 2.0, -1.0], k=2)
    array([5., 2.])
    """
    return _maxout_groups(z, k).max(axis=-1)


def maxout_backward(dout, z, k):
    r"""Gradient of :func:`maxout`: each upstream value ``dout[..., c]`` goes to the winning piece.

    ``dout`` has shape (..., C), the result ``dz`` the shape (..., C*k) of ``z``. On a tie the
    first maximal piece takes the whole gradient.

    Examples
    --------
    >>> maxout_backward([10.0, 20.0], [1.0, 5.0, 2.0, -1.0], k=2)
    array([ 0., 10., 20.,  0.])
    """
    groups = _maxout_groups(z, k)  # (..., C, k)
    dout = _array(dout, "dout")
    if dout.shape != groups.shape[:-1]:
        raise ValueError(f"dout has shape {dout.shape}, expected {groups.shape[:-1]} for "
                         f"z of shape {np.shape(z)} and k={k}")
    onehot = np.arange(k) == groups.argmax(axis=-1)[..., None]  # (..., C, k)
    return (onehot * dout[..., None]).reshape(np.shape(z))

