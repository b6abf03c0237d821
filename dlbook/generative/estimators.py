r"""Two ways to estimate the gradient of an expectation over a Gaussian: the score-function
(REINFORCE) estimator and the reparameterization (pathwise) estimator.

Both estimate

.. math:: \nabla_\theta\, \mathbb E_{z \sim \mathcal N(\mu, \sigma^2)}\big[f(z)\big],
          \qquad \theta = (\mu, \log\sigma),

from samples; both are unbiased, and they differ in variance, which is what decides how fast a
model trains. Each function returns the per-sample estimates, so a caller can average them
and measure their spread.

See Also
--------
:ref:`ch-vae` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import positive_int, real_value

__all__ = ["score_function_gradient", "reparameterization_gradient"]


def _draws(mu, log_sigma, n_samples, rng):
    mu = real_value(mu, "mu")
    log_sigma = real_value(log_sigma, "log_sigma")
    n = positive_int(n_samples, "n_samples")
    eps = np.random.default_rng(rng).standard_normal(n)
    return mu, np.exp(log_sigma), eps


def score_function_gradient(f, mu: float, log_sigma: float, n_samples: int, baseline: float = 0.0,
                            rng=None) -> np.ndarray:
    r"""Per-sample score-function estimates of :math:`\nabla_{(\mu, \log\sigma)} \mathbb E[f(z)]`.

    Parameters
    ----------
    f : callable
        Vectorized: ``f(z)`` for an array ``z`` of shape (S,) returns shape (S,). Only its values
        are used (no derivative), so it may be a black box.
    mu, log_sigma : float
    n_samples : int
    baseline : float, default 0
        A constant subtracted from ``f`` (a control variate): the estimate stays unbiased because
        :math:`\mathbb E[\nabla \log q] = 0`, and a good baseline reduces the variance.
    rng : numpy.random.Generator or int, optional

    Returns
    -------
    grads : ndarray of shape (S, 2)
        Column 0 estimates :math:`\partial/\partial\mu`, column 1
        :math:`\partial/\partial\log\sigma`.

    Notes
    -----
    .. math::

        \nabla_\theta \mathbb E_q[f] = \mathbb E_q\big[(f(z) - b)\,\nabla_\theta \log q(z)\big],
        \quad
        \frac{\partial \log q}{\partial \mu} = \frac{z - \mu}{\sigma^2}, \quad
        \frac{\partial \log q}{\partial \log\sigma} = \frac{(z - \mu)^2}{\sigma^2} - 1 .

    See Also
    --------
    reparameterization_gradient, :ref:`ch-vae`

    Examples
    --------
    For :math:`f(z) = z` the exact gradient is (1, 0):

    >>> g = score_function_gradient(lambda z: z, 0.0, 0.0, 200_000, rng=0).mean(0)
    >>> bool(np.abs(g - [1.0, 0.0]).max() < 0.02)
    True
    """
    mu, sigma, eps = _draws(mu, log_sigma, n_samples, rng)
    baseline = real_value(baseline, "baseline")
    z = mu + sigma * eps
    fz = np.asarray(f(z), dtype=np.float64) - baseline
    return np.stack([fz * eps / sigma, fz * (eps**2 - 1.0)], axis=1)


def reparameterization_gradient(f_derivative, mu: float, log_sigma: float, n_samples: int,
                                rng=None) -> np.ndarray:
    r"""Per-sample reparameterization (pathwise) estimates of
    :math:`\nabla_{(\mu, \log\sigma)} \mathbb E[f(z)]`.

    Parameters
    ----------
    f_derivative : callable
        Vectorized :math:`f'(z)`: the estimator differentiates *through* the sample.
    mu, log_sigma : float
    n_samples : int
    rng : numpy.random.Generator or int, optional

    Returns
    -------
    grads : ndarray of shape (S, 2)
        Column 0 estimates :math:`\partial/\partial\mu`, column 1
        :math:`\partial/\partial\log\sigma`.

    Notes
    -----
    Write :math:`z = \mu + \sigma\epsilon` with :math:`\epsilon \sim \mathcal N(0, 1)`, so that the
    randomness no longer depends on :math:`\theta`:

    .. math::

        \nabla_\theta \mathbb E_\epsilon[f(\mu + \sigma\epsilon)]
        = \mathbb E_\epsilon\big[f'(z)\, \nabla_\theta z\big], \quad
        \frac{\partial z}{\partial\mu} = 1, \quad
        \frac{\partial z}{\partial\log\sigma} = \sigma\epsilon .

    See Also
    --------
    score_function_gradient, dlbook.generative.gaussian.reparameterize, :ref:`ch-vae`

    Examples
    --------
    For :math:`f(z) = z` every sample gives the exact :math:`\partial/\partial\mu = 1`, with
    zero variance (the :math:`\log\sigma` column is :math:`\epsilon`, 0 only on average):

    >>> g = reparameterization_gradient(lambda z: np.ones_like(z), 0.0, 0.0, 3, rng=0)
    >>> g[:, 0]
    array([1., 1., 1.])
    """
    mu, sigma, eps = _draws(mu, log_sigma, n_samples, rng)
    d = np.asarray(f_derivative(mu + sigma * eps), dtype=np.float64)
    return np.stack([d, d * sigma * eps], axis=1) + 0.0
