r"""Batch normalization: pure forward/backward functions, the running averages, and a thin layer.

Batch norm standardizes each channel over the batch and then applies a learned scale and shift,

.. math::

    \hat x = \frac{x - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \qquad
    y = \gamma \odot \hat x + \beta ,

with the mean :math:`\mu_B` and the (biased) variance :math:`\sigma_B^2` of the batch, per
feature, in training, and running averages of them in evaluation.  Names and conventions are
torch's (``weight`` = :math:`\gamma`, ``bias`` = :math:`\beta`, ``momentum`` = weight of the
*new* batch statistic, unbiased variance in the running average).
:mod:`dlbook.nn.layer_norm` normalizes over the features of each example instead and reuses
the backward formula from here.

There is no ``batch_norm_torch`` twin: ``torch.nn.BatchNorm1d`` is the PyTorch side, and the
tests compare the two in float64 in both modes.

See Also
--------
dlbook.nn.layer_norm : layer normalization.
:ref:`ch-regularization` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import positive_int, probability, real_array, real_value
from dlbook.nn.module import Layer

__all__ = ["batch_norm_forward", "batch_norm_backward", "batch_norm_running_stats",
           "normalize_backward", "BatchNorm1d"]


def _bn_axes(x):
    """Axes batch norm reduces over, and the shape that broadcasts a (C,) vector: (N, C[, L])."""
    if x.ndim not in (2, 3):
        raise ValueError(f"batch norm expects x of shape (N, C) or (N, C, L), got shape {x.shape}")
    return ((0,), (1, -1)) if x.ndim == 2 else ((0, 2), (1, -1, 1))


def _check_vector(v, C, name):
    if v is None:
        return None
    v = real_array(v, name).astype(float, copy=False)
    if v.shape != (C,):
        raise ValueError(f"{name} has shape {v.shape} but x has {C} channels: expected ({C},)")
    return v


def normalize_backward(dxhat, xhat, invstd, axes):
    r"""The backward pass of standardization, shared by batch norm and layer norm.

    For :math:`\hat x = (x-\mu)\,s` with the mean :math:`\mu` and :math:`s = 1/\sqrt{\sigma^2 +
    \varepsilon}` both taken over ``axes`` (:math:`m` values each):

    .. math:: \frac{\partial L}{\partial x} = \frac{s}{m}\Bigl(m\,\bar g - \sum \bar g
              - \hat x \sum \bar g \hat x\Bigr),\qquad \bar g = \partial L/\partial\hat x

    Parameters
    ----------
    dxhat, xhat : ndarray of the same shape
    invstd : ndarray
        :math:`s`, broadcastable to ``xhat`` (the reduced axes kept with size 1).
    axes : tuple of int
        The axes the statistics were taken over.

    Examples
    --------
    A gradient that only shifts or only scales the standardized values is invisible to x:

    >>> xhat = np.array([[-1.0], [1.0]]); invstd = np.ones((1, 1))
    >>> normalize_backward(np.ones((2, 1)), xhat, invstd, (0,))
    array([[0.],
           [0.]])
    >>> normalize_backward(xhat, xhat, invstd, (0,))
    array([[0.],
           [0.]])
    """
    m = np.prod([xhat.shape[a] for a in axes])
    sum_d = dxhat.sum(axis=axes, keepdims=True)
    sum_dx = (dxhat * xhat).sum(axis=axes, keepdims=True)
    return invstd / m * (m * dxhat - sum_d - xhat * sum_dx)


def batch_norm_forward(x, weight=None, bias=None, running_mean=None, running_var=None,
                       training=True, eps=1e-5):
    r"""Batch normalization of (N, C) or (N, C, L) input, per channel.

    Parameters
    ----------
    x : array_like of shape (N, C) or (N, C, L)
    weight, bias : array_like of shape (C,), optional
        :math:`\gamma` and :math:`\beta`; None means 1 and 0 (``affine=False``).
    running_mean, running_var : array_like of shape (C,), optional
        Used (only) in evaluation mode; required there.
    training : bool, default True
        True: normalize with the batch's mean and biased variance.  False: with the running ones.
    eps : float, default 1e-5

    Returns
    -------
    out : ndarray, shape of ``x``
    cache : tuple
        For :func:`batch_norm_backward`: ``(xhat, invstd, weight, axes, training)``.

    Raises
    ------
    ValueError
        For a bad shape, a missing running statistic in evaluation, or a training batch with a
        single value per channel (its variance is 0; torch refuses it too).

    Notes
    -----
    Training, with :math:`m = N` (or :math:`NL`) values per channel :math:`c`:

    .. math::

        \mu_c = \frac1m\sum_i x_{ic}, \qquad \sigma_c^2 = \frac1m\sum_i (x_{ic}-\mu_c)^2, \qquad
        y_{ic} = \gamma_c\,\frac{x_{ic}-\mu_c}{\sqrt{\sigma_c^2+\epsilon}} + \beta_c .

    Evaluation replaces :math:`\mu_c, \sigma_c^2` by the running averages.  Updating those is a
    separate pure function, :func:`batch_norm_running_stats`.

    References
    ----------
    S. Ioffe and C. Szegedy, "Batch Normalization: Accelerating Deep Network Training by Reducing
    Internal Covariate Shift", ICML 2015.

    See Also
    --------
    batch_norm_backward, batch_norm_running_stats
    torch.nn.functional.batch_norm : the PyTorch twin.
    :ref:`ch-regularization`

    Examples
    --------
    One channel holding 1, 2, 3: mean 2, variance 2/3, so y = (x - 2) / sqrt(2/3).

    >>> out, _ = batch_norm_forward([[1.0], [2.0], [3.0]], eps=0.0)
    >>> out.ravel()
    array([-1.22474487,  0.        ,  1.22474487])
    """
    x = real_array(x, "x").astype(float, copy=False)
    real_value(eps, "eps", low=0.0)
    axes, bshape = _bn_axes(x)
    C = x.shape[1]
    weight, bias = _check_vector(weight, C, "weight"), _check_vector(bias, C, "bias")
    if training:
        if np.prod([x.shape[a] for a in axes]) < 2:
            raise ValueError(
                "batch norm in training needs more than 1 value per channel, got x of shape "
                f"{x.shape}"
            )
        mean, var = x.mean(axis=axes), x.var(axis=axes)  # (C,), biased
    else:
        if running_mean is None or running_var is None:
            raise ValueError("evaluation mode needs running_mean and running_var")
        mean = _check_vector(running_mean, C, "running_mean")
        var = _check_vector(running_var, C, "running_var")
    invstd = (1.0 / np.sqrt(var + eps)).reshape(bshape)  # (1, C[, 1])
    xhat = (x - mean.reshape(bshape)) * invstd
    out = xhat if weight is None else xhat * weight.reshape(bshape)
    if bias is not None:
        out = out + bias.reshape(bshape)
    return out, (xhat, invstd, weight, axes, bool(training))


def batch_norm_backward(dout, cache):
    r"""Gradients of batch normalization.

    Parameters
    ----------
    dout : array_like, shape of the forward input
    cache : tuple from :func:`batch_norm_forward`

    Returns
    -------
    dx : ndarray, shape of ``dout``
    dweight, dbias : ndarray of shape (C,)
        :math:`\sum_i \text{dout}_{ic}\hat x_{ic}` and :math:`\sum_i \text{dout}_{ic}`
        (returned even without affine parameters).

    Notes
    -----
    In training :math:`\mu` and :math:`\sigma^2` depend on every :math:`x_{ic}`; with
    :math:`g = \gamma\,\text{dout}` and :math:`s = 1/\sqrt{\sigma^2+\epsilon}`,

    .. math::

        \frac{\partial L}{\partial x_{ic}} = \frac{s_c}{m}\Big(m\,g_{ic} - \sum_j g_{jc}
        - \hat x_{ic}\sum_j g_{jc}\hat x_{jc}\Big).

    In evaluation the statistics are constants and :math:`\partial L/\partial x = s\,g`.

    Examples
    --------
    A constant upstream gradient vanishes in training (shifting all x does not change y):

    >>> out, cache = batch_norm_forward([[1.0], [2.0], [4.0]])
    >>> dx, dw, db = batch_norm_backward(np.ones((3, 1)), cache)
    >>> np.abs(dx).max() < 1e-12, db
    (np.True_, array([3.]))
    """
    xhat, invstd, weight, axes, training = cache
    dout = real_array(dout, "dout").astype(float, copy=False)
    if dout.shape != xhat.shape:
        raise ValueError(
            f"dout has shape {dout.shape} but the forward input had shape {xhat.shape}"
        )
    _, bshape = _bn_axes(xhat)
    dweight = (dout * xhat).sum(axis=axes)  # (C,)
    dbias = dout.sum(axis=axes)  # (C,)
    dxhat = dout if weight is None else dout * weight.reshape(bshape)
    dx = normalize_backward(dxhat, xhat, invstd, axes) if training else dxhat * invstd
    return dx, dweight, dbias


def batch_norm_running_stats(running_mean, running_var, x, momentum=0.1):
    r"""New running mean and variance after one training batch (torch's convention).

    Parameters
    ----------
    running_mean, running_var : array_like of shape (C,)
    x : array_like of shape (N, C) or (N, C, L)
        The training batch.
    momentum : float in [0, 1], default 0.1
        Weight of the new batch.  Keras's ``momentum`` is the weight of the *old* average:
        Keras 0.99 corresponds to torch 0.01.

    Returns
    -------
    new_mean, new_var : ndarray of shape (C,)

    Notes
    -----
    .. math::

        \hat\mu \leftarrow (1-\alpha)\,\hat\mu + \alpha\,\mu_B, \qquad
        \hat\sigma^2 \leftarrow (1-\alpha)\,\hat\sigma^2 + \alpha\,\frac{m}{m-1}\,\sigma_B^2

    with :math:`\alpha` = momentum and the *unbiased* batch variance (the normalization itself
    uses the biased one).

    Examples
    --------
    >>> batch_norm_running_stats([0.0], [1.0], [[1.0], [3.0]], momentum=0.5)
    (array([1.]), array([1.5]))
    """
    x = real_array(x, "x").astype(float, copy=False)
    axes, _ = _bn_axes(x)
    C = x.shape[1]
    running_mean = _check_vector(running_mean, C, "running_mean")
    running_var = _check_vector(running_var, C, "running_var")
    probability(momentum, "momentum")
    m = np.prod([x.shape[a] for a in axes])
    if m < 2:
        raise ValueError("the unbiased variance needs more than 1 value per channel, got x of "
                         f"shape {x.shape}")
    new_mean = (1 - momentum) * running_mean + momentum * x.mean(axis=axes)
    new_var = (1 - momentum) * running_var + momentum * x.var(axis=axes, ddof=1)
    return new_mean, new_var


class BatchNorm1d(Layer):
    r"""Batch normalization for (N, C) or (N, C, L) input, as ``torch.nn.BatchNorm1d``.

    Parameters
    ----------
    num_features : int
        C, the number of channels (features).
    eps : float, default 1e-5
    momentum : float, default 0.1
        torch's convention (weight of the new batch in the running averages).
    affine : bool, default True
        Learn ``weight`` (initially 1) and ``bias`` (initially 0).

    Attributes
    ----------
    params, grads : dict of ndarray
        ``weight`` and ``bias`` of shape (C,) (empty without affine).
    buffers : dict of ndarray
        ``running_mean`` (zeros), ``running_var`` (ones) and ``num_batches_tracked`` (0-d int),
        updated in place by every training forward pass.

    See Also
    --------
    batch_norm_forward, batch_norm_backward, batch_norm_running_stats
    torch.nn.BatchNorm1d
    :ref:`ch-regularization`

    Examples
    --------
    >>> bn = BatchNorm1d(1)
    >>> bn.forward(np.array([[1.0], [3.0]])).ravel()      # mean 2, variance 1
    array([-0.999995,  0.999995])
    >>> bn.buffers["running_mean"], bn.buffers["running_var"]   # 0.9*0 + 0.1*2, 0.9*1 + 0.1*2
    (array([0.2]), array([1.1]))
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True):
        positive_int(num_features, "num_features")
        real_value(eps, "eps", low=0.0)
        probability(momentum, "momentum")
        super().__init__()
        self.num_features, self.eps, self.momentum = int(num_features), float(eps), float(momentum)
        C = self.num_features
        if affine:
            self.params = {"weight": np.ones(C), "bias": np.zeros(C)}
            self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.buffers = {"running_mean": np.zeros(C), "running_var": np.ones(C),
                        "num_batches_tracked": np.array(0)}

    def forward(self, x):
        """Normalize x; in training also update the running statistics in place."""
        b = self.buffers
        out, self._cache = batch_norm_forward(
            x, self.params.get("weight"), self.params.get("bias"), b["running_mean"],
            b["running_var"], self.training, self.eps)
        if self.training:
            b["running_mean"][...], b["running_var"][...] = batch_norm_running_stats(
                b["running_mean"], b["running_var"], x, self.momentum)
            b["num_batches_tracked"][...] += 1
        return out

    def backward(self, dout):
        """Fill ``grads`` in place and return dL/dx."""
        dx, dw, db = batch_norm_backward(dout, self._check_cache())
        if self.params:  # nothing to store without affine
            self.grads["weight"][...], self.grads["bias"][...] = dw, db
        return dx

    def __repr__(self):
        return (f"BatchNorm1d({self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={bool(self.params)})")
