r"""The losses of a GAN in PyTorch, from logits (or critic scores): the same formulas as
:mod:`dlbook.generative.gan_losses`, differentiated by autograd.

See Also
--------
:ref:`ch-gans` : the chapter.
dlbook.generative.gan_losses : the NumPy reference with hand-written gradients.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from dlbook._checks import real_tensor

__all__ = ["discriminator_loss", "minimax_generator_loss", "non_saturating_generator_loss",
           "wasserstein_critic_loss", "wasserstein_generator_loss"]

# NumPy names this twin leaves out, and why (tests/test_house.py checks the list).
__twin_omits__ = {
    "discriminator_loss_grad": "autograd differentiates discriminator_loss",
    "minimax_generator_loss_grad": "autograd differentiates minimax_generator_loss",
    "non_saturating_generator_loss_grad": "autograd differentiates non_saturating_generator_loss",
}


def _logits(a, name):
    a = real_tensor(a, name, ndim=1)
    if a.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(a.shape)}")
    return a


def discriminator_loss(real_logits, fake_logits) -> torch.Tensor:
    r""":math:`\overline{\operatorname{softplus}(-a^{\text{real}})}
    + \overline{\operatorname{softplus}(a^{\text{fake}})}` (a scalar tensor).

    Examples
    --------
    >>> round(discriminator_loss(torch.zeros(2), torch.zeros(1)).item(), 6)
    1.386294
    """
    r, f = _logits(real_logits, "real_logits"), _logits(fake_logits, "fake_logits")
    return F.softplus(-r).mean() + F.softplus(f).mean()


def minimax_generator_loss(fake_logits) -> torch.Tensor:
    r""":math:`\overline{\log(1 - \sigma(a))} = -\overline{\operatorname{softplus}(a)}`.

    Examples
    --------
    >>> round(minimax_generator_loss(torch.zeros(1)).item(), 6)
    -0.693147
    """
    return -F.softplus(_logits(fake_logits, "fake_logits")).mean()


def non_saturating_generator_loss(fake_logits) -> torch.Tensor:
    r""":math:`-\overline{\log\sigma(a)} = \overline{\operatorname{softplus}(-a)}`.

    Examples
    --------
    >>> round(non_saturating_generator_loss(torch.zeros(1)).item(), 6)
    0.693147
    """
    return F.softplus(-_logits(fake_logits, "fake_logits")).mean()


def wasserstein_critic_loss(real_scores, fake_scores) -> torch.Tensor:
    r""":math:`\overline{c(G(z))} - \overline{c(x)}`; WGAN-GP adds
    :func:`~dlbook.generative.gan_torch.gradient_penalty`.

    Examples
    --------
    >>> wasserstein_critic_loss(torch.tensor([2.0, 4.0]), torch.tensor([1.0])).item()
    -2.0
    """
    r, f = _logits(real_scores, "real_scores"), _logits(fake_scores, "fake_scores")
    return f.mean() - r.mean()


def wasserstein_generator_loss(fake_scores) -> torch.Tensor:
    r""":math:`-\overline{c(G(z))}`.

    Examples
    --------
    >>> wasserstein_generator_loss(torch.tensor([1.0, 3.0])).item()
    -2.0
    """
    return -_logits(fake_scores, "fake_scores").mean()
