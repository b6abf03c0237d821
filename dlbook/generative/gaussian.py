r"""Diagonal Gaussians as a VAE uses them: log-density, the reparameterized sample, and the KL
divergence in closed form and by Monte Carlo.

A VAE's encoder outputs a mean :math:`\mu` and a log-variance :math:`\log\sigma^2` per latent
dimension; these functions take exactly those two arrays (the last axis is the latent dimension,
and results are summed over it).

See Also
--------
:ref:`ch-vae` : the chapter.
dlbook.generative.gaussian_torch : the PyTorch twin.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import finite_array, positive_int, same_shape

__all__ = ["gaussian_log_prob", "reparameterize", "gaussian_kl", "gaussian_kl_monte_carlo"]

LOG_2PI = float(np.log(2 * np.pi))


def _mean_logvar(mu, logvar, mu_name="mu", logvar_name="logvar"):
    mu = finite_array(mu, mu_name, min_ndim=1)
    logvar = finite_array(logvar, logvar_name, min_ndim=1)
    same_shape(mu, logvar, mu_name, logvar_name)
    return mu, logvar


def _prior(mu, mu_p, logvar_p):
    if (mu_p is None) != (logvar_p is None):
        raise ValueError("give both mu_p and logvar_p, or neither (the standard normal)")
    if mu_p is None:
        return np.zeros_like(mu), np.zeros_like(mu)
    mu_p, logvar_p = _mean_logvar(mu_p, logvar_p, "mu_p", "logvar_p")
    return np.broadcast_to(mu_p, mu.shape), np.broadcast_to(logvar_p, mu.shape)


def gaussian_log_prob(x, mu, logvar) -> np.ndarray:
    r"""The log-density of :math:`x` under :math:`\mathcal N(\mu, \operatorname{diag}\sigma^2)`,
    summed over the last axis.

    Parameters
    ----------
    x, mu, logvar : array_like of the same shape (..., D)

    Returns
    -------
    log_p : ndarray of shape (...)

    Notes
    -----
    .. math:: \log p(x) = -\frac12 \sum_{d=1}^{D} \Big(\log 2\pi + \log\sigma_d^2
              + \frac{(x_d - \mu_d)^2}{\sigma_d^2}\Big).

    Examples
    --------
    The standard normal density at 0 is :math:`1/\sqrt{2\pi}`:

    >>> round(float(gaussian_log_prob([0.0], [0.0], [0.0])), 6) == round(-0.5 * LOG_2PI, 6)
    True
    """
    mu, logvar = _mean_logvar(mu, logvar)
    x = finite_array(x, "x")
    same_shape(x, mu, "x", "mu")
    return np.asarray(-0.5 * (LOG_2PI + logvar + (x - mu) ** 2 * np.exp(-logvar)).sum(-1))


def reparameterize(mu, logvar, noise) -> np.ndarray:
    r"""The reparameterized sample :math:`z = \mu + \sigma \odot \epsilon`,
    :math:`\sigma = e^{\frac12 \log\sigma^2}`.

    Parameters
    ----------
    mu, logvar : array_like of shape (..., D)
    noise : array_like of shape (..., D)
        :math:`\epsilon \sim \mathcal N(0, I)`. Passing it in keeps the function deterministic:
        the randomness is outside the parameters, which is the whole trick.

    Returns
    -------
    z : ndarray of shape (..., D)

    Examples
    --------
    >>> reparameterize([1.0], [np.log(4.0)], [0.5])       # 1 + 2 * 0.5
    array([2.])
    """
    mu, logvar = _mean_logvar(mu, logvar)
    noise = finite_array(noise, "noise")
    same_shape(mu, noise, "mu", "noise")
    return mu + np.exp(0.5 * logvar) * noise


def gaussian_kl(mu, logvar, mu_p=None, logvar_p=None) -> np.ndarray:
    r"""The KL divergence :math:`\mathrm{KL}(q \,\|\, p)` between diagonal Gaussians, in closed
    form.

    Parameters
    ----------
    mu, logvar : array_like of shape (..., D)
        The distribution :math:`q = \mathcal N(\mu, \operatorname{diag}\sigma^2)`.
    mu_p, logvar_p : array_like broadcastable to (..., D), optional
        The distribution :math:`p`; the standard normal :math:`\mathcal N(0, I)` if omitted (the
        VAE's prior).

    Returns
    -------
    kl : ndarray of shape (...)
        In nats, :math:`\ge 0`, summed over the last axis.

    Notes
    -----
    .. math::

        \mathrm{KL}(q\,\|\,p) = \frac12 \sum_{d=1}^{D} \Big( \log\frac{\sigma_{p,d}^2}{\sigma_d^2}
            + \frac{\sigma_d^2 + (\mu_d - \mu_{p,d})^2}{\sigma_{p,d}^2} - 1 \Big),

    which for :math:`p = \mathcal N(0, I)` is the VAE's
    :math:`\tfrac12\sum_d (\mu_d^2 + \sigma_d^2 - \log\sigma_d^2 - 1)`.

    See Also
    --------
    gaussian_kl_monte_carlo, dlbook.generative.gaussian_torch.gaussian_kl, :ref:`ch-vae`

    Examples
    --------
    :math:`q = \mathcal N(1, 1)` against :math:`\mathcal N(0, 1)`: :math:`\tfrac12 \cdot 1^2`.

    >>> gaussian_kl([1.0], [0.0])
    array(0.5)
    """
    mu, logvar = _mean_logvar(mu, logvar)
    mp, lp = _prior(mu, mu_p, logvar_p)
    return np.asarray(0.5 * (lp - logvar + (np.exp(logvar) + (mu - mp) ** 2) * np.exp(-lp)
                             - 1.0).sum(-1))


def gaussian_kl_monte_carlo(mu, logvar, n_samples: int, mu_p=None, logvar_p=None, rng=None):
    r"""A Monte Carlo estimate of :func:`gaussian_kl` and its standard error.

    Parameters
    ----------
    mu, logvar : array_like of shape (D,)
        One distribution :math:`q`.
    n_samples : int
    mu_p, logvar_p : array_like of shape (D,), optional
        :math:`p` (standard normal if omitted).
    rng : numpy.random.Generator or int, optional

    Returns
    -------
    estimate : float
        :math:`\frac1S \sum_s \big(\log q(z_s) - \log p(z_s)\big)`, :math:`z_s \sim q`.
    standard_error : float
        The sample standard deviation of the terms over :math:`\sqrt S`.

    Notes
    -----
    The estimator is unbiased; its error shrinks as :math:`1/\sqrt S`. A VAE could train with it
    (it needs only samples and densities), but the closed form has no sampling noise at all.

    See Also
    --------
    gaussian_kl, :ref:`ch-vae`

    Examples
    --------
    >>> est, se = gaussian_kl_monte_carlo([1.0], [0.0], 100_000, rng=0)
    >>> abs(est - 0.5) < 4 * se
    True
    """
    mu, logvar = _mean_logvar(mu, logvar)
    if mu.ndim != 1:
        raise ValueError(f"mu must have shape (D,) for one distribution, got {mu.shape}")
    S = positive_int(n_samples, "n_samples")
    mp, lp = _prior(mu, mu_p, logvar_p)
    rng = np.random.default_rng(rng)
    z = mu + np.exp(0.5 * logvar) * rng.standard_normal((S, len(mu)))   # (S, D)
    terms = (gaussian_log_prob(z, np.broadcast_to(mu, z.shape), np.broadcast_to(logvar, z.shape))
             - gaussian_log_prob(z, np.broadcast_to(mp, z.shape), np.broadcast_to(lp, z.shape)))
    se = float(terms.std(ddof=1) / np.sqrt(S)) if S > 1 else float("nan")
    return float(terms.mean()), se
