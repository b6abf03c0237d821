"""Diagonal Gaussians: log-density against scipy, the closed-form KL against Monte Carlo."""

import numpy as np
import pytest
import scipy.stats

from dlbook.generative.gaussian import (
    gaussian_kl,
    gaussian_kl_monte_carlo,
    gaussian_log_prob,
    reparameterize,
)


def test_log_prob_matches_scipy():
    rng = np.random.default_rng(0)
    x, mu, logvar = rng.normal(size=(5, 3)), rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    ref = scipy.stats.norm.logpdf(x, mu, np.exp(0.5 * logvar)).sum(-1)
    np.testing.assert_allclose(gaussian_log_prob(x, mu, logvar), ref, rtol=1e-12)


def test_kl_against_the_general_formula_by_hand():
    mu, logvar = np.array([0.3, -1.0]), np.log(np.array([0.5, 2.0]))
    mp, lp = np.array([1.0, 0.0]), np.log(np.array([2.0, 1.0]))
    s2, sp2 = np.exp(logvar), np.exp(lp)
    ref = sum(np.log(np.sqrt(sp2) / np.sqrt(s2)) + (s2 + (mu - mp) ** 2) / (2 * sp2) - 0.5)
    assert gaussian_kl(mu, logvar, mp, lp) == pytest.approx(ref, rel=1e-13)
    # KL(q || N(0, I)) is the VAE's 1/2 sum(mu^2 + s^2 - log s^2 - 1)
    assert gaussian_kl(mu, logvar) == pytest.approx(0.5 * (mu**2 + s2 - logvar - 1).sum())
    assert gaussian_kl(mp, lp, mp, lp) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_closed_form_agrees_with_monte_carlo(seed):
    rng = np.random.default_rng(seed)
    mu, logvar = rng.normal(size=4), rng.normal(scale=0.5, size=4)
    mp, lp = rng.normal(size=4), rng.normal(scale=0.5, size=4)
    for prior in ((None, None), (mp, lp)):
        exact = float(gaussian_kl(mu, logvar, *prior))
        est, se = gaussian_kl_monte_carlo(mu, logvar, 200_000, *prior, rng=seed)
        assert abs(est - exact) < 5 * se, (est, exact, se)


def test_reparameterize_has_the_right_moments():
    eps = np.random.default_rng(3).standard_normal((100_000, 2))
    z = reparameterize(np.broadcast_to([1.0, -2.0], eps.shape),
                       np.broadcast_to(np.log([4.0, 0.25]), eps.shape), eps)
    np.testing.assert_allclose(z.mean(0), [1.0, -2.0], atol=0.02)
    np.testing.assert_allclose(z.std(0), [2.0, 0.5], rtol=0.01)


def test_errors():
    with pytest.raises(ValueError, match="mu has shape"):
        gaussian_kl(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="both"):
        gaussian_kl(np.zeros(2), np.zeros(2), mu_p=np.zeros(2))
    with pytest.raises(ValueError, match=r"shape \(D,\)"):
        gaussian_kl_monte_carlo(np.zeros((2, 2)), np.zeros((2, 2)), 10)
