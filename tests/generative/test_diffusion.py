"""The NumPy diffusion reference: schedule, closed form checked by sampling, posterior, samplers."""

import numpy as np
import pytest

from dlbook.generative.diffusion import (
    clipped_eps_model,
    ddim_sample,
    ddim_step,
    ddim_timesteps,
    ddpm_sample,
    ddpm_step,
    linear_beta_schedule,
    make_schedule,
    predict_x0,
    q_posterior_mean_variance,
    q_sample,
)


def test_linear_schedule_is_ddpms():
    b = linear_beta_schedule(1000)
    assert b.shape == (1000,) and b[0] == 1e-4 and b[-1] == pytest.approx(0.02, rel=1e-15)
    np.testing.assert_allclose(np.diff(b), (0.02 - 1e-4) / 999, rtol=1e-9)
    for bad in ({"T": 0}, {"T": 10, "beta_start": 0.0}, {"T": 10, "beta_end": 1.0},
                {"T": 10, "beta_start": 0.3, "beta_end": 0.2}):
        with pytest.raises(ValueError):
            linear_beta_schedule(**bad)


def test_schedule_constants_by_loops():
    betas = np.array([0.1, 0.2, 0.3])
    s = make_schedule(betas)
    expected_ab = [0.9, 0.9 * 0.8, 0.9 * 0.8 * 0.7]
    np.testing.assert_allclose(s.alphas_cumprod, expected_ab, rtol=1e-15)
    np.testing.assert_allclose(s.alphas_cumprod_prev, [1.0] + expected_ab[:2], rtol=1e-15)
    for t in range(3):
        ab_prev = 1.0 if t == 0 else expected_ab[t - 1]
        assert s.posterior_variance[t] == pytest.approx((1 - ab_prev) / (1 - expected_ab[t])
                                                        * betas[t], rel=1e-14)


def test_q_sample_formula():
    rng = np.random.default_rng(0)
    s = make_schedule(linear_beta_schedule(50))
    x0, eps = rng.normal(size=(6, 3, 2)), rng.normal(size=(6, 3, 2))
    t = np.array([0, 1, 10, 20, 49, 5])
    out = q_sample(x0, t, eps, s.alphas_cumprod)
    for n in range(6):
        ab = s.alphas_cumprod[t[n]]
        np.testing.assert_allclose(out[n], np.sqrt(ab) * x0[n] + np.sqrt(1 - ab) * eps[n],
                                   rtol=1e-14)


def test_closed_form_matches_step_by_step_noising():
    # run the T one-step kernels x_t = sqrt(1-b) x_{t-1} + sqrt(b) e on many copies of x0 and
    # compare mean and variance with the closed form at several steps
    rng = np.random.default_rng(1)
    s = make_schedule(linear_beta_schedule(200, 1e-3, 0.05))
    x0, n = 1.5, 200_000
    x = np.full(n, x0)
    for t in range(200):
        x = np.sqrt(1 - s.betas[t]) * x + np.sqrt(s.betas[t]) * rng.standard_normal(n)
        if t in (0, 49, 199):
            ab = s.alphas_cumprod[t]
            se_mean = np.sqrt((1 - ab) / n)
            assert abs(x.mean() - np.sqrt(ab) * x0) < 5 * se_mean
            assert x.var() == pytest.approx(1 - ab, rel=0.02)


def test_posterior_is_the_gaussian_conditional():
    # q(x_{t-1} | x_t, x0) by Bayes' rule on the two Gaussians, computed independently
    s = make_schedule(np.array([0.1, 0.2, 0.3]))
    x0, xt, t = np.array([0.7]), np.array([-0.4]), 2
    a, ab_prev = s.alphas[t], s.alphas_cumprod[t - 1]
    # prior x_{t-1} ~ N(sqrt(ab_prev) x0, 1 - ab_prev); likelihood x_t ~ N(sqrt(a) x_{t-1}, 1 - a)
    prec = 1 / (1 - ab_prev) + a / (1 - a)
    mean = (np.sqrt(ab_prev) * x0 / (1 - ab_prev) + np.sqrt(a) * xt / (1 - a)) / prec
    m, v = q_posterior_mean_variance(x0, xt, t, s)
    np.testing.assert_allclose(m, mean, rtol=1e-12)
    assert v.item() == pytest.approx(1 / prec, rel=1e-12)


def test_ddpm_step_is_the_posterior_with_predicted_x0():
    rng = np.random.default_rng(2)
    s = make_schedule(linear_beta_schedule(30, 1e-3, 0.1))
    xt, eps, z = rng.normal(size=(4, 5)), rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    for t in (1, 7, 29):
        x0_hat = predict_x0(xt, t, eps, s.alphas_cumprod)
        m, v = q_posterior_mean_variance(x0_hat, xt, t, s)
        np.testing.assert_allclose(ddpm_step(xt, t, eps, s, z), m + np.sqrt(v) * z, rtol=1e-10)
    np.testing.assert_allclose(ddpm_step(xt, 0, eps, s, z),
                               predict_x0(xt, 0, eps, s.alphas_cumprod), rtol=1e-10)


def test_ddim_with_eta_one_has_the_ddpm_variance():
    s = make_schedule(linear_beta_schedule(30, 1e-3, 0.1))
    xt, eps = np.zeros((1, 1)), np.zeros((1, 1))
    for t in (3, 17):
        out = ddim_step(xt, t, t - 1, eps, s, eta=1.0, noise=np.ones((1, 1)))
        assert out.item() == pytest.approx(np.sqrt(s.posterior_variance[t]), rel=1e-12)
    with pytest.raises(ValueError, match="noise"):
        ddim_step(xt, 3, 2, eps, s, eta=0.5)


def test_samplers_recover_a_point_mass_with_the_exact_noise_model():
    # data = the single point c: the optimal eps-model is (x - sqrt(ab) c) / sqrt(1 - ab)
    s = make_schedule(linear_beta_schedule(100, 1e-3, 0.1))
    c = np.array([0.5, -2.0])

    def exact(x, t):
        ab = s.alphas_cumprod[t][:, None]
        return (x - np.sqrt(ab) * c) / np.sqrt(1 - ab)

    x_T = np.random.default_rng(3).normal(size=(7, 2))
    np.testing.assert_allclose(ddpm_sample(exact, x_T, s, rng=0), np.tile(c, (7, 1)), atol=1e-9)
    np.testing.assert_allclose(ddim_sample(exact, x_T, s, n_steps=10), np.tile(c, (7, 1)),
                               atol=1e-9)


def test_ddim_timesteps_and_errors():
    assert ddim_timesteps(10, 10).tolist() == list(range(9, -1, -1))
    assert ddim_timesteps(10, 1).tolist() == [0]
    with pytest.raises(ValueError, match="n_steps"):
        ddim_timesteps(10, 11)
    s = make_schedule(linear_beta_schedule(10))
    with pytest.raises(ValueError, match=r"t must lie in \[0, 9\]"):
        q_sample(np.zeros((2, 1)), np.array([0, 10]), np.zeros((2, 1)), s.alphas_cumprod)
    with pytest.raises(TypeError, match="integer"):
        q_sample(np.zeros((2, 1)), np.array([0.5, 1.0]), np.zeros((2, 1)), s.alphas_cumprod)
    with pytest.raises(ValueError, match="x0 has shape"):
        q_sample(np.zeros((2, 1)), 0, np.zeros((2, 2)), s.alphas_cumprod)


def test_clipped_eps_model_keeps_x0_in_range_and_leaves_inliers_alone():
    s = make_schedule(linear_beta_schedule(20, 1e-3, 0.2))
    rng = np.random.default_rng(4)
    x, t = rng.normal(size=(50, 3)) * 3, rng.integers(0, 20, 50)
    wild = lambda x, t: rng.normal(size=x.shape) * 5  # noqa: E731
    eps = wild(x, t)
    clipped = clipped_eps_model(lambda x, t: eps, s.alphas_cumprod)(x, t)
    x0 = predict_x0(x, t, clipped, s.alphas_cumprod)
    assert x0.min() >= -1 - 1e-12 and x0.max() <= 1 + 1e-12
    raw_x0 = predict_x0(x, t, eps, s.alphas_cumprod)
    inside = np.abs(raw_x0) <= 1
    np.testing.assert_allclose(clipped[inside], eps[inside], rtol=1e-10)
    with pytest.raises(ValueError, match="low must be < high"):
        clipped_eps_model(wild, s.alphas_cumprod, 1.0, -1.0)
