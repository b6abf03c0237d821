r"""Binary cross-entropy in PyTorch: the twin of :mod:`dlbook.nn.binary_cross_entropy`.

Each loss is written out in tensor operations, so autograd differentiates exactly its formula;
each ``*_grad`` is the closed-form gradient, without autograd. Inputs may live on any device, as
long as both are on the same one.

See Also
--------
dlbook.nn.binary_cross_entropy : the NumPy reference with the derivations.
"""

from __future__ import annotations

import torch

from dlbook._checks import finite_tensor_pair, real_value, value_range

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_grad",
]


def binary_cross_entropy(y_true, y_pred, eps=1e-7):
    r"""Binary cross-entropy of probabilities with the floor ``eps`` inside each log, mean over
    elements: :math:`-\frac{1}{M}\sum_i[y_i\ln\max(\hat y_i,\varepsilon)
    +(1-y_i)\ln\max(1-\hat y_i,\varepsilon)]`.

    See Also
    --------
    dlbook.nn.binary_cross_entropy.binary_cross_entropy, :ref:`ch-losses`

    Examples
    --------
    >>> round(float(binary_cross_entropy(torch.tensor([1., 0.]), torch.tensor([0.9, 0.2]))), 4)
    0.1643
    """
    real_value(eps, "eps", low=0.0, high=0.5, low_open=True, high_open=True)
    t, p = finite_tensor_pair(y_true, y_pred)
    value_range(t, "y_true", 0.0, 1.0)
    value_range(p, "y_pred", 0.0, 1.0)
    return -(t * torch.log(p.clamp(min=eps)) + (1 - t) * torch.log((1 - p).clamp(min=eps))).mean()


def binary_cross_entropy_grad(y_true, y_pred, eps=1e-7):
    r"""Closed-form gradient of :func:`binary_cross_entropy` (0 where the floor is active).

    See Also
    --------
    dlbook.nn.binary_cross_entropy.binary_cross_entropy_grad, :ref:`ch-losses`

    Examples
    --------
    >>> binary_cross_entropy_grad(torch.tensor([1., 0.]), torch.tensor([0.5, 0.5]))  # [-2, 2] / 2
    tensor([-1.,  1.])
    """
    real_value(eps, "eps", low=0.0, high=0.5, low_open=True, high_open=True)
    t, p = finite_tensor_pair(y_true, y_pred)
    value_range(t, "y_true", 0.0, 1.0)
    value_range(p, "y_pred", 0.0, 1.0)
    g = (-t / p.clamp(min=eps) * (p >= eps)
         + (1 - t) / (1 - p).clamp(min=eps) * (1 - p >= eps))
    return g / p.numel()


def binary_cross_entropy_with_logits(y_true, logits):
    r"""Binary cross-entropy from logits: :math:`\frac{1}{M}\sum_i[\ln(1+e^{z_i}) - y_i z_i]`,
    with :math:`\ln(1+e^{z})` as ``logaddexp(0, z)`` (no overflow, no :math:`\varepsilon`).

    See Also
    --------
    dlbook.nn.binary_cross_entropy.binary_cross_entropy_with_logits, :ref:`ch-losses`

    Examples
    --------
    >>> float(binary_cross_entropy_with_logits(torch.tensor([1.]), torch.tensor([-1000.])))
    1000.0
    """
    t, z = finite_tensor_pair(y_true, logits, "y_true", "logits")
    value_range(t, "y_true", 0.0, 1.0)
    return (torch.logaddexp(torch.zeros_like(z), z) - t * z).mean()


def binary_cross_entropy_with_logits_grad(y_true, logits):
    r"""Closed-form gradient of :func:`binary_cross_entropy_with_logits`: :math:`(\sigma(z)-y)/M`.

    See Also
    --------
    dlbook.nn.binary_cross_entropy.binary_cross_entropy_with_logits_grad, :ref:`ch-losses`

    Examples
    --------
    >>> binary_cross_entropy_with_logits_grad(torch.tensor([1., 0.]), torch.tensor([0., 0.]))
    tensor([-0.2500,  0.2500])
    """
    t, z = finite_tensor_pair(y_true, logits, "y_true", "logits")
    value_range(t, "y_true", 0.0, 1.0)
    return (torch.sigmoid(z) - t) / z.numel()
