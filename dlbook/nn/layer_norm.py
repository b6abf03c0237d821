r"""Layer normalization: pure forward/backward functions and a thin layer.

Layer norm standardizes each example over its trailing (feature) dimensions and then applies a
learned element-wise scale and shift,

.. math::

    \hat x = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad y = \gamma \odot \hat x + \beta ,

with the mean :math:`\mu` and the (biased) variance :math:`\sigma^2` of that one example, so
training and evaluation compute the same thing and there are no running statistics.  Names are
torch's (``normalized_shape``, ``weight`` = :math:`\gamma`, ``bias`` = :math:`\beta`).

There is no ``layer_norm_torch`` twin: ``torch.nn.LayerNorm`` is the PyTorch side, and the tests
compare the two in float64.

See Also
--------
dlbook.nn.batch_norm : batch normalization, whose backward formula this module reuses.
:ref:`ch-regularization` : the chapter.
"""

from __future__ import annotations

import numbers

import numpy as np

from dlbook._checks import real_array, real_value
from dlbook.nn.batch_norm import normalize_backward
from dlbook.nn.module import Layer

__all__ = ["layer_norm_forward", "layer_norm_backward", "LayerNorm"]


def _ln_axes(x, normalized_shape):
    k = len(normalized_shape)
    if k == 0 or x.ndim < k or x.shape[x.ndim - k:] != normalized_shape:
        raise ValueError(f"layer norm over normalized_shape {normalized_shape} needs x whose last "
                         f"dimensions are {normalized_shape}, got shape {x.shape}")
    return tuple(range(x.ndim - k, x.ndim))


def _as_shape(normalized_shape):
    if isinstance(normalized_shape, numbers.Integral) and not isinstance(normalized_shape, bool):
        return (int(normalized_shape),)
    return tuple(int(s) for s in normalized_shape)


def layer_norm_forward(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    r"""Layer normalization over the last dimensions (``torch.nn.functional.layer_norm``).

    Parameters
    ----------
    x : array_like of shape (\*, \*normalized_shape)
    normalized_shape : int or tuple of int
        The trailing dimensions normalized together (one mean and variance per example).
    weight, bias : array_like of shape normalized_shape, optional
        Element-wise :math:`\gamma` and :math:`\beta`; None means 1 and 0.
    eps : float, default 1e-5

    Returns
    -------
    out : ndarray, shape of ``x``
    cache : tuple
        ``(xhat, invstd, weight, axes)`` for :func:`layer_norm_backward`.

    Raises
    ------
    ValueError
        If x's trailing shape or the parameters' shapes do not match ``normalized_shape``.

    Notes
    -----
    For each example, with :math:`H` the number of normalized entries,
    :math:`\mu = \frac1H\sum_k x_k`, :math:`\sigma^2 = \frac1H\sum_k (x_k-\mu)^2` and
    :math:`y_k = \gamma_k (x_k-\mu)/\sqrt{\sigma^2+\epsilon} + \beta_k`.  The same computation
    in training and evaluation: there are no running statistics.

    References
    ----------
    J. L. Ba, J. R. Kiros and G. E. Hinton, "Layer Normalization", arXiv:1607.06450, 2016.

    See Also
    --------
    layer_norm_backward
    torch.nn.functional.layer_norm : the PyTorch twin.
    :ref:`ch-regularization`

    Examples
    --------
    >>> out, _ = layer_norm_forward([[1.0, 3.0], [10.0, 10.0]], 2, eps=1e-12)
    >>> out.round(6)
    array([[-1.,  1.],
           [ 0.,  0.]])
    """
    x = real_array(x, "x").astype(float, copy=False)
    real_value(eps, "eps", low=0.0)
    shape = _as_shape(normalized_shape)
    axes = _ln_axes(x, shape)
    for v, name in ((weight, "weight"), (bias, "bias")):
        if v is not None and np.shape(v) != shape:
            raise ValueError(f"{name} has shape {np.shape(v)} but normalized_shape is {shape}")
    weight = None if weight is None else real_array(weight, "weight").astype(float, copy=False)
    mean = x.mean(axis=axes, keepdims=True)  # (*, 1, ..., 1)
    invstd = 1.0 / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    xhat = (x - mean) * invstd
    out = xhat if weight is None else xhat * weight
    if bias is not None:
        out = out + real_array(bias, "bias").astype(float, copy=False)
    return out, (xhat, invstd, weight, axes)


def layer_norm_backward(dout, cache):
    r"""Gradients of layer normalization.

    Parameters
    ----------
    dout : array_like, shape of the forward input
    cache : tuple from :func:`layer_norm_forward`

    Returns
    -------
    dx : ndarray, shape of ``dout``
    dweight, dbias : ndarray of shape normalized_shape
        Sums of :math:`\text{dout}\odot\hat x` and of dout over the leading (batch) dimensions.

    Notes
    -----
    The batch-norm formula of :func:`dlbook.nn.batch_norm.batch_norm_backward` with the roles of
    the axes swapped: the sums run over the :math:`H` normalized entries of each example,

    .. math::

        \frac{\partial L}{\partial x_k} = \frac{s}{H}\Big(H\,g_k - \sum_j g_j
        - \hat x_k\sum_j g_j\hat x_j\Big), \qquad g = \gamma\odot\text{dout},\quad
        s = \frac{1}{\sqrt{\sigma^2+\epsilon}} .

    Examples
    --------
    >>> out, cache = layer_norm_forward([[1.0, 2.0, 4.0]], 3)
    >>> dx, dw, db = layer_norm_backward(np.ones((1, 3)), cache)
    >>> np.abs(dx).max() < 1e-12, db
    (np.True_, array([1., 1., 1.]))
    """
    xhat, invstd, weight, axes = cache
    dout = real_array(dout, "dout").astype(float, copy=False)
    if dout.shape != xhat.shape:
        raise ValueError(
            f"dout has shape {dout.shape} but the forward input had shape {xhat.shape}"
        )
    lead = tuple(range(xhat.ndim - len(axes)))
    dweight = (dout * xhat).sum(axis=lead)
    dbias = dout.sum(axis=lead)
    dxhat = dout if weight is None else dout * weight
    return normalize_backward(dxhat, xhat, invstd, axes), dweight, dbias


class LayerNorm(Layer):
    r"""Layer normalization over the trailing ``normalized_shape``, as ``torch.nn.LayerNorm``.

    Parameters
    ----------
    normalized_shape : int or tuple of int
    eps : float, default 1e-5
    elementwise_affine : bool, default True
        Learn ``weight`` (ones) and ``bias`` (zeros) of shape normalized_shape.

    See Also
    --------
    layer_norm_forward, layer_norm_backward
    torch.nn.LayerNorm
    :ref:`ch-regularization`

    Examples
    --------
    >>> ln = LayerNorm(2)
    >>> ln.forward(np.array([[0.0, 2.0], [5.0, 7.0]]))   # each row: mean m, values m -/+ 1
    array([[-0.999995,  0.999995],
           [-0.999995,  0.999995]])
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        real_value(eps, "eps", low=0.0)
        self.normalized_shape, self.eps = _as_shape(normalized_shape), float(eps)
        if not self.normalized_shape or min(self.normalized_shape) < 1:
            raise ValueError(f"normalized_shape must hold positive ints, got {normalized_shape!r}")
        super().__init__()
        shape = self.normalized_shape
        if elementwise_affine:
            self.params = {"weight": np.ones(shape), "bias": np.zeros(shape)}
            self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x):
        """Normalize each example over its trailing dimensions (same in both modes)."""
        out, self._cache = layer_norm_forward(x, self.normalized_shape, self.params.get("weight"),
                                              self.params.get("bias"), self.eps)
        return out

    def backward(self, dout):
        """Fill ``grads`` in place and return dL/dx."""
        dx, dw, db = layer_norm_backward(dout, self._check_cache())
        if self.params:  # nothing to store without affine
            self.grads["weight"][...], self.grads["bias"][...] = dw, db
        return dx

    def __repr__(self):
        return (f"LayerNorm({self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={bool(self.params)})")
