"""The torch twin of the diffusion reference gives the same numbers as NumPy (float64)."""

import numpy as np
import pytest
import torch

from dlbook.generative import diffusion as npd
from dlbook.generative import diffusion_torch as thd


def schedules(T=40):
    b = npd.linear_beta_schedule(T, 1e-3, 0.1)
    return npd.make_schedule(b), thd.make_schedule(torch.tensor(b))


def test_schedule_matches():
    s, ts = schedules()
    for name in ("betas", "alphas", "alphas_cumprod", "alphas_cumprod_prev",
                 "posterior_variance"):
        np.testing.assert_allclose(getattr(ts, name).numpy(), getattr(s, name), rtol=1e-13,
                                   err_msg=name)
    np.testing.assert_allclose(thd.linear_beta_schedule(1000).numpy(),
                               npd.linear_beta_schedule(1000), rtol=1e-15)


def test_forward_process_and_steps_match():
    s, ts = schedules()
    rng = np.random.default_rng(0)
    x0, xt, eps, z = (rng.normal(size=(5, 3)) for _ in range(4))
    t = np.array([0, 3, 17, 39, 20])
    T = torch.tensor
    np.testing.assert_allclose(thd.q_sample(T(x0), T(t), T(eps), ts.alphas_cumprod).numpy(),
                               npd.q_sample(x0, t, eps, s.alphas_cumprod), rtol=1e-13)
    for a, b in zip(thd.q_posterior_mean_variance(T(x0), T(xt), T(t), ts),
                    npd.q_posterior_mean_variance(x0, xt, t, s)):
        np.testing.assert_allclose(a.numpy(), b, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(thd.predict_x0(T(xt), T(t), T(eps), ts.alphas_cumprod).numpy(),
                               npd.predict_x0(xt, t, eps, s.alphas_cumprod), rtol=1e-12)
    for step in (0, 5, 39):
        np.testing.assert_allclose(thd.ddpm_step(T(xt), step, T(eps), ts, T(z)).numpy(),
                                   npd.ddpm_step(xt, step, eps, s, z), rtol=1e-12)
        np.testing.assert_allclose(
            thd.ddim_step(T(xt), step, step - 1, T(eps), ts, 0.5, T(z)).numpy(),
            npd.ddim_step(xt, step, step - 1, eps, s, 0.5, z), rtol=1e-12)


def test_deterministic_ddim_sampling_matches():
    s, ts = schedules()
    w = np.random.default_rng(1).normal(size=(3, 3)) * 0.3

    def eps_np(x, t):
        return np.tanh(x @ w) * (t[:, None] / 40.0)

    def eps_t(x, t):
        return torch.tanh(x @ torch.tensor(w)) * (t[:, None].double() / 40.0)

    x_T = np.random.default_rng(2).normal(size=(6, 3))
    for n_steps in (1, 7, 40):
        np.testing.assert_allclose(
            thd.ddim_sample(eps_t, torch.tensor(x_T), ts, n_steps).numpy(),
            npd.ddim_sample(eps_np, x_T, s, n_steps), rtol=1e-11, atol=1e-13)
    assert thd.ddim_timesteps(1000, 5).tolist() == npd.ddim_timesteps(1000, 5).tolist()


def test_ddpm_sample_uses_the_generator():
    _, ts = schedules(10)
    eps = lambda x, t: torch.zeros_like(x)  # noqa: E731
    x_T = torch.zeros(4, 2, dtype=torch.float64)
    a = thd.ddpm_sample(eps, x_T, ts, generator=torch.Generator().manual_seed(0))
    b = thd.ddpm_sample(eps, x_T, ts, generator=torch.Generator().manual_seed(0))
    c = thd.ddpm_sample(eps, x_T, ts, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_errors():
    _, ts = schedules(10)
    with pytest.raises(ValueError, match=r"t must lie in \[0, 9\]"):
        thd.q_sample(torch.zeros(2, 1), torch.tensor([0, 10]), torch.zeros(2, 1),
                     ts.alphas_cumprod)
    with pytest.raises(TypeError, match="integer"):
        thd.q_sample(torch.zeros(2, 1), torch.tensor([0.5, 1.0]), torch.zeros(2, 1),
                     ts.alphas_cumprod)
    with pytest.raises(ValueError, match="betas"):
        thd.make_schedule(torch.tensor([0.5, 1.0]))


def test_clipped_eps_model_matches_numpy():
    s, ts = schedules()
    rng = np.random.default_rng(5)
    x, eps, t = rng.normal(size=(8, 2)) * 2, rng.normal(size=(8, 2)) * 4, rng.integers(0, 40, 8)
    a = npd.clipped_eps_model(lambda x, t: eps, s.alphas_cumprod)(x, t)
    b = thd.clipped_eps_model(lambda x, t: torch.tensor(eps), ts.alphas_cumprod)(
        torch.tensor(x), torch.tensor(t))
    np.testing.assert_allclose(b.numpy(), a, rtol=1e-12)
