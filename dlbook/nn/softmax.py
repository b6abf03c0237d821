r"""Softmax, its Jacobian and its backward pass in NumPy (chapter :ref:`ch-activations`).

Softmax is not element-wise: every output depends on every input along ``axis``, so its
derivative is a matrix (:func:`softmax_jacobian`) and the backward pass a Jacobian-vector
product (:func:`softmax_backward`). Integer and boolean inputs become float64; no input is
modified; nothing overflows for any finite float64 input.

The cross-entropy losses that take logits (and so contain a softmax) are in
:mod:`dlbook.nn.cross_entropy`.

See Also
--------
dlbook.nn.softmax_torch : the same function written with torch tensors.
dlbook.nn.activations : the element-wise activations (sigmoid is the two-class softmax).
"""

from __future__ import annotations

import numbers

import numpy as np

from dlbook.nn.activations import _array, _same_shape

__all__ = ["softmax", "softmax_jacobian", "softmax_backward"]


def _check_axis(x: np.ndarray, axis) -> int:
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"axis must be an int, got {axis!r}")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis {axis} is out of range for an array of shape {x.shape}")
    return int(axis)


def softmax(x, axis=-1):
    r"""Softmax (normalized exponential) along ``axis``, computed after subtracting the max.

    .. math:: \mathrm{softmax}(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}
              = \frac{e^{x_i - m}}{\sum_j e^{x_j - m}},\qquad m = \max_j x_j

    Both forms are the same function (softmax is shift-invariant), but in the second every
    exponent is :math:`\le 0`: nothing overflows and the largest term is exactly 1.

    See Also
    --------
    dlbook.nn.softmax_torch.softmax, softmax_backward, :ref:`ch-activations`

    Examples
    --------
    >>> softmax([0.0, np.log(3.0)])
    array([0.25, 0.75])
    >>> softmax([1000.0, 1000.0])
    array([0.5, 0.5])
    """
    x = _array(x)
    if x.ndim == 0:
        raise ValueError("softmax needs at least one axis, got a scalar")
    axis = _check_axis(x, axis)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_jacobian(x):
    r"""Jacobian of softmax over the last axis, :math:`J = \mathrm{diag}(y) - y y^\top`.

    For ``x`` of shape (..., K) it returns shape (..., K, K) with
    :math:`J_{ij} = \partial y_i/\partial x_j = y_i(\delta_{ij} - y_j)`: symmetric, rows sum to 0.

    Examples
    --------
    >>> softmax_jacobian([0.0, 0.0])
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    y = softmax(x, axis=-1)
    return y[..., :, None] * np.eye(y.shape[-1]) - y[..., :, None] * y[..., None, :]


def softmax_backward(dout, y, axis=-1):
    r"""Backward pass of softmax from its output ``y``: :math:`y \odot (g - \langle g, y\rangle)`.

    This is :math:`J^\top g`, and since :math:`J` is symmetric also the Jacobian-vector product
    :math:`J g`, in :math:`O(K)` work instead of the :math:`O(K^2)` of forming :math:`J`.
    ``dout`` (:math:`g = \partial L/\partial y`) has the shape of ``y``.

    Examples
    --------
    >>> softmax_backward([1.0, 0.0], y=[0.25, 0.75])   # 0.25*(1-0.25), 0.75*(0-0.25)
    array([ 0.1875, -0.1875])
    """
    dout, y = _array(dout, "dout"), _array(y, "y")
    _same_shape(dout, y, "dout", "y")
    axis = _check_axis(y, axis)
    return y * (dout - (dout * y).sum(axis=axis, keepdims=True))
