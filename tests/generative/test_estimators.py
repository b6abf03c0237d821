"""Score-function and reparameterization estimators: unbiased, and their variances by formula."""

import numpy as np
import pytest

from dlbook.generative.estimators import reparameterization_gradient, score_function_gradient


@pytest.mark.parametrize("mu, log_sigma", [(0.5, 0.0), (-1.0, np.log(0.3))])
def test_both_are_unbiased_for_a_quadratic(mu, log_sigma):
    # E[z^2] = mu^2 + sigma^2: gradient (2 mu, 2 sigma^2) in (mu, log sigma)
    sigma = np.exp(log_sigma)
    exact = np.array([2 * mu, 2 * sigma**2])
    n = 400_000
    for g in (score_function_gradient(lambda z: z**2, mu, log_sigma, n, rng=0),
              reparameterization_gradient(lambda z: 2 * z, mu, log_sigma, n, rng=1)):
        se = g.std(0) / np.sqrt(n)
        assert np.all(np.abs(g.mean(0) - exact) < 5 * se + 1e-12), (g.mean(0), exact, se)


def test_reparameterization_variance_by_formula():
    # f(z) = z^2: per-sample d/dmu = 2z, Var = 4 sigma^2
    mu, sigma = 0.7, 0.5
    g = reparameterization_gradient(lambda z: 2 * z, mu, np.log(sigma), 200_000, rng=2)
    assert g[:, 0].var() == pytest.approx(4 * sigma**2, rel=0.02)


def test_score_function_variance_by_formula_and_baseline():
    # f(z) = z with mu = 0, sigma = 1: per-sample d/dmu = z * z, Var = E z^4 - 1 = 2
    g = score_function_gradient(lambda z: z, 0.0, 0.0, 400_000, rng=3)
    assert g[:, 0].var() == pytest.approx(2.0, rel=0.02)
    # f(z) = z^2 + 10 with mu = 1: a baseline of E f = 12 lowers the variance, keeps the mean
    plain = score_function_gradient(lambda z: z**2 + 10, 1.0, 0.0, 200_000, rng=4)
    based = score_function_gradient(lambda z: z**2 + 10, 1.0, 0.0, 200_000, baseline=12.0,
                                    rng=4)
    assert based.var(0)[0] < plain.var(0)[0] / 5
    assert based.mean(0)[0] == pytest.approx(2.0, abs=5 * based.std(0)[0] / np.sqrt(200_000))


def test_errors():
    with pytest.raises(ValueError):
        score_function_gradient(lambda z: z, 0.0, 0.0, 0)
    with pytest.raises(TypeError):
        reparameterization_gradient(lambda z: z, "0", 0.0, 10)
