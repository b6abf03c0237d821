r"""Diagonal Gaussians in PyTorch: the same four functions as :mod:`dlbook.generative.gaussian`,
differentiable, on any device. The VAE of :mod:`dlbook.generative.vae_torch` trains with them.

See Also
--------
:ref:`ch-vae` : the chapter.
dlbook.generative.gaussian : the NumPy reference.
"""

from __future__ import annotations

import math

import torch

from dlbook._checks import positive_int, real_tensor, same_shape

__all__ = ["gaussian_log_prob", "reparameterize", "gaussian_kl", "gaussian_kl_monte_carlo"]

LOG_2PI = math.log(2 * math.pi)


def _mean_logvar(mu, logvar, mu_name="mu", logvar_name="logvar"):
    mu = real_tensor(mu, mu_name, min_ndim=1)
    logvar = real_tensor(logvar, logvar_name, min_ndim=1)
    same_shape(mu, logvar, mu_name, logvar_name)
    return mu, logvar


def _prior(mu, mu_p, logvar_p):
    if (mu_p is None) != (logvar_p is None):
        raise ValueError("give both mu_p and logvar_p, or neither (the standard normal)")
    if mu_p is None:
        return torch.zeros_like(mu), torch.zeros_like(mu)
    mu_p, logvar_p = _mean_logvar(mu_p, logvar_p, "mu_p", "logvar_p")
    return mu_p.expand_as(mu), logvar_p.expand_as(mu)


def gaussian_log_prob(x, mu, logvar):
    r"""Log-density of :math:`\mathcal N(\mu, \operatorname{diag} e^{\log\sigma^2})`, summed over
    the last axis.

    Examples
    --------
    >>> round(gaussian_log_prob(torch.zeros(1), torch.zeros(1), torch.zeros(1)).item(), 6)
    -0.918939
    """
    mu, logvar = _mean_logvar(mu, logvar)
    x = real_tensor(x, "x")
    same_shape(x, mu, "x", "mu")
    return -0.5 * (LOG_2PI + logvar + (x - mu) ** 2 * torch.exp(-logvar)).sum(-1)


def reparameterize(mu, logvar, noise):
    r""":math:`z = \mu + e^{\frac12\log\sigma^2} \odot \epsilon`; gradients flow to ``mu`` and
    ``logvar``.

    Examples
    --------
    >>> reparameterize(torch.tensor([1.0]), torch.tensor([4.0]).log(), torch.tensor([0.5]))
    tensor([2.])
    """
    mu, logvar = _mean_logvar(mu, logvar)
    noise = real_tensor(noise, "noise")
    same_shape(mu, noise, "mu", "noise")
    return mu + torch.exp(0.5 * logvar) * noise


def gaussian_kl(mu, logvar, mu_p=None, logvar_p=None):
    r""":math:`\mathrm{KL}(q\,\|\,p)` between diagonal Gaussians in closed form, summed over the
    last axis (``p`` the standard normal if omitted).

    Examples
    --------
    >>> gaussian_kl(torch.tensor([1.0]), torch.tensor([0.0]))
    tensor(0.5000)
    """
    mu, logvar = _mean_logvar(mu, logvar)
    mp, lp = _prior(mu, mu_p, logvar_p)
    return 0.5 * (lp - logvar + (logvar.exp() + (mu - mp) ** 2) * torch.exp(-lp) - 1.0).sum(-1)


def gaussian_kl_monte_carlo(mu, logvar, n_samples: int, mu_p=None, logvar_p=None,
                            generator=None):
    r"""Monte Carlo estimate of :func:`gaussian_kl` for one distribution: ``(estimate, se)``.

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> est, se = gaussian_kl_monte_carlo(torch.tensor([1.0], dtype=torch.float64),
    ...                                   torch.tensor([0.0], dtype=torch.float64), 100_000,
    ...                                   generator=g)
    >>> abs(est - 0.5) < 4 * se
    True
    """
    mu, logvar = _mean_logvar(mu, logvar)
    if mu.ndim != 1:
        raise ValueError(f"mu must have shape (D,) for one distribution, got {tuple(mu.shape)}")
    S = positive_int(n_samples, "n_samples")
    mp, lp = _prior(mu, mu_p, logvar_p)
    eps = torch.randn((S, len(mu)), generator=generator, dtype=mu.dtype, device=mu.device)
    z = mu + torch.exp(0.5 * logvar) * eps
    terms = (gaussian_log_prob(z, mu.expand_as(z), logvar.expand_as(z))
             - gaussian_log_prob(z, mp.expand_as(z), lp.expand_as(z)))
    se = float(terms.std() / math.sqrt(S)) if S > 1 else float("nan")
    return float(terms.mean()), se
