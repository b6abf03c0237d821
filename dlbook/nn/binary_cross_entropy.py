r"""Binary cross-entropy of probabilities and of logits, with their gradients (NumPy reference).

The two-class losses of chapter :ref:`ch-losses`: from probabilities (with Keras' floor
:math:`\varepsilon` in the logarithms) and from logits (the stable default, which needs no
floor). The conventions are those of :mod:`dlbook.nn.losses`: ``(y_true, y_pred)`` of identical
shape, averaged over every element; each ``*_grad`` is :math:`\partial L/\partial` (its second
argument).

See Also
--------
dlbook.nn.binary_cross_entropy_torch : the PyTorch twin, same names.
dlbook.nn.cross_entropy : entropy, KL divergence and the multi-class losses.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import finite_pair, real_value, value_range
from dlbook.nn.activations import sigmoid

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_grad",
]


def binary_cross_entropy(y_true, y_pred, eps=1e-7):
    r"""Binary cross-entropy of probabilities, averaged over every element.

    Parameters
    ----------
    y_true : array_like of shape (N, ...)
        Targets in [0, 1] (usually 0 or 1).
    y_pred : array_like, same shape
        Predicted probabilities in [0, 1].
    eps : float, default 1e-7
        Floor inside each logarithm, so that a prediction of exactly 0 or 1 costs at most
        :math:`-\ln\varepsilon \approx 16.1` instead of ``inf``. 1e-7 is Keras's choice; it is
        large enough that :math:`1-\varepsilon` still differs from 1 in float32 (which matters
        for the ``clip(p, eps, 1 - eps)`` form Keras uses).

    Notes
    -----
    .. math::
        L = -\frac{1}{M}\sum_i \bigl[y_i \ln\max(\hat y_i, \varepsilon)
            + (1-y_i)\ln\max(1-\hat y_i, \varepsilon)\bigr]

    Prefer :func:`binary_cross_entropy_with_logits`: it needs no :math:`\varepsilon`.

    See Also
    --------
    dlbook.nn.binary_cross_entropy_torch.binary_cross_entropy, :ref:`ch-losses`

    Examples
    --------
    >>> round(binary_cross_entropy([1, 0], [0.9, 0.2]), 5)  # (-ln 0.9 - ln 0.8) / 2
    0.16425
    """
    real_value(eps, "eps", low=0.0, high=0.5, low_open=True, high_open=True)
    t, p = finite_pair(y_true, y_pred)
    value_range(t, "y_true", 0.0, 1.0)
    value_range(p, "y_pred", 0.0, 1.0)
    terms = t * np.log(np.maximum(p, eps)) + (1 - t) * np.log(np.maximum(1 - p, eps))
    return float(0.0 - np.mean(terms))  # 0.0 - x: a perfect prediction gives 0.0, not -0.0


def binary_cross_entropy_grad(y_true, y_pred, eps=1e-7):
    r"""Gradient of :func:`binary_cross_entropy` with respect to ``y_pred``.

    .. math::
        \frac{\partial L}{\partial \hat y_i} = \frac{1}{M}\Bigl[-\frac{y_i}{\hat y_i}\,
        [\hat y_i \ge \varepsilon] + \frac{1-y_i}{1-\hat y_i}\,[1-\hat y_i \ge \varepsilon]\Bigr]

    Where the floor is active the term is constant, so its gradient is 0: a clipped loss gives
    no signal for a prediction stuck at exactly 0 or 1.

    See Also
    --------
    dlbook.nn.binary_cross_entropy_torch.binary_cross_entropy_grad, :ref:`ch-losses`

    Examples
    --------
    >>> binary_cross_entropy_grad([1, 0], [0.9, 0.2])  # [-1/0.9, 1/0.8] / 2
    array([-0.55555556,  0.625     ])
    """
    real_value(eps, "eps", low=0.0, high=0.5, low_open=True, high_open=True)
    t, p = finite_pair(y_true, y_pred)
    value_range(t, "y_true", 0.0, 1.0)
    value_range(p, "y_pred", 0.0, 1.0)
    g = (-t / np.maximum(p, eps) * (p >= eps)
         + (1 - t) / np.maximum(1 - p, eps) * (1 - p >= eps))
    return g / p.size


def binary_cross_entropy_with_logits(y_true, logits):
    r"""Binary cross-entropy computed from logits :math:`z` (the stable default), mean over
    elements.

    Parameters
    ----------
    y_true : array_like of shape (N, ...)
        Targets in [0, 1].
    logits : array_like, same shape
        Real scores; the probability is :math:`\sigma(z)`.

    Notes
    -----
    With :math:`-\ln\sigma(z) = \ln(1+e^{-z})` and :math:`-\ln(1-\sigma(z)) = \ln(1+e^{z})`:

    .. math:: L = \frac{1}{M}\sum_i \bigl[\ln(1 + e^{z_i}) - y_i z_i\bigr]

    where :math:`\ln(1+e^{z})` is evaluated as ``logaddexp(0, z)`` =
    :math:`\max(z,0) + \ln(1+e^{-|z|})`, which never overflows.

    See Also
    --------
    dlbook.nn.binary_cross_entropy_torch.binary_cross_entropy_with_logits, :ref:`ch-losses`

    Examples
    --------
    >>> round(binary_cross_entropy_with_logits([1, 0], [0.0, 0.0]), 6)  # ln 2
    0.693147
    >>> binary_cross_entropy_with_logits([1.0], [-1000.0])  # finite: 1000
    1000.0
    """
    t, z = finite_pair(y_true, logits, "y_true", "logits")
    value_range(t, "y_true", 0.0, 1.0)
    return float(np.mean(np.logaddexp(0.0, z) - t * z))


def binary_cross_entropy_with_logits_grad(y_true, logits):
    r"""Gradient of :func:`binary_cross_entropy_with_logits`: :math:`(\sigma(z_i) - y_i)/M`.

    See Also
    --------
    dlbook.nn.binary_cross_entropy_torch.binary_cross_entropy_with_logits_grad, :ref:`ch-losses`

    Examples
    --------
    >>> binary_cross_entropy_with_logits_grad([1, 0], [0.0, 0.0])  # [0.5 - 1, 0.5 - 0] / 2
    array([-0.25,  0.25])
    """
    t, z = finite_pair(y_true, logits, "y_true", "logits")
    value_range(t, "y_true", 0.0, 1.0)
    return (sigmoid(z) - t) / z.size
