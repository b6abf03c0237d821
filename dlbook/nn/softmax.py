r"""Softmax, its Jacobian and its backward pass in NumPy (chapter :ref:`ch-activations`).

Softmax is not element-wise: every output depends on every input along ``axis``, so its
derivative is a matrix (:func:`softmax_jacobian`) and the backward pass a Jacobian-vector
product (:func:`softmax_forward` keeps the output, :func:`softmax_backward` uses it). Integer and
boolean inputs become float64; no input is
modified; nothing overflows for any finite float64 input.

The cross-entropy losses that take logits (and so contain a softmax) are in
:mod:`dlbook.nn.cross_entropy`.

See Also
--------
dlbook.nn.softmax_torch : the same function written with torch tensors.
dlbook.nn.activations : the element-wise activations (sigmoid is the two-class softmax).
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import int_value, real_array, same_shape

__all__ = ["softmax", "softmax_forward", "softmax_backward", "softmax_jacobian"]


def _check_dim(x: np.ndarray, dim) -> int:
    if x.ndim == 0:
        raise ValueError("softmax needs at least one axis, got a scalar")
    return int_value(dim, "dim", low=-x.ndim, high=x.ndim - 1)


def softmax(x, dim=-1):
    r"""Softmax (normalized exponential) along ``dim``, computed after subtracting the max.

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
    x = real_array(x, "x")
    dim = _check_dim(x, dim)
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def softmax_forward(x, dim=-1):
    r"""Softmax as a chain-rule step: returns ``(y, cache)``; the cache keeps ``y`` and ``dim``.

    Examples
    --------
    >>> y, cache = softmax_forward([0.0, np.log(3.0)])
    >>> y
    array([0.25, 0.75])
    """
    y = softmax(x, dim)
    return y, (y, int(dim))


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
    y = softmax(x, dim=-1)
    return y[..., :, None] * np.eye(y.shape[-1]) - y[..., :, None] * y[..., None, :]


def softmax_backward(dout, cache):
    r"""Backward pass of softmax from its output :math:`y`: :math:`y \odot (g - \langle g,
    y\rangle)`.

    This is :math:`J^\top g`, and since :math:`J` is symmetric also the Jacobian-vector product
    :math:`J g`, in :math:`O(K)` work instead of the :math:`O(K^2)` of forming :math:`J`.
    ``dout`` (:math:`g = \partial L/\partial y`) has the shape of ``y``; ``cache`` comes from
    :func:`softmax_forward`.

    Examples
    --------
    >>> y, cache = softmax_forward([0.0, np.log(3.0)])     # y = (0.25, 0.75)
    >>> softmax_backward([1.0, 0.0], cache)   # 0.25*(1-0.25), 0.75*(0-0.25)
    array([ 0.1875, -0.1875])
    """
    y, dim = cache
    dout = real_array(dout, "dout")
    same_shape(dout, y, "dout", "y")
    return y * (dout - (dout * y).sum(axis=dim, keepdims=True))
