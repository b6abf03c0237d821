"""The torch twin of the Gaussian helpers equals NumPy and its gradients are the closed forms."""

import numpy as np
import pytest
import torch

from dlbook.generative import gaussian as npg
from dlbook.generative import gaussian_torch as thg


def test_same_numbers_as_numpy():
    rng = np.random.default_rng(0)
    x, mu, lv, mp, lp = (rng.normal(size=(4, 3)) for _ in range(5))
    T = torch.tensor
    np.testing.assert_allclose(thg.gaussian_log_prob(T(x), T(mu), T(lv)).numpy(),
                               npg.gaussian_log_prob(x, mu, lv), rtol=1e-13)
    np.testing.assert_allclose(thg.reparameterize(T(mu), T(lv), T(x)).numpy(),
                               npg.reparameterize(mu, lv, x), rtol=1e-13)
    np.testing.assert_allclose(thg.gaussian_kl(T(mu), T(lv)).numpy(), npg.gaussian_kl(mu, lv),
                               rtol=1e-13)
    np.testing.assert_allclose(thg.gaussian_kl(T(mu), T(lv), T(mp), T(lp)).numpy(),
                               npg.gaussian_kl(mu, lv, mp, lp), rtol=1e-13)


def test_kl_gradient_is_the_closed_form():
    # d/dmu KL = mu, d/dlogvar KL = (exp(logvar) - 1) / 2 against N(0, I)
    mu = torch.tensor([0.3, -1.2], dtype=torch.float64, requires_grad=True)
    lv = torch.tensor([0.5, -0.7], dtype=torch.float64, requires_grad=True)
    thg.gaussian_kl(mu, lv).backward()
    np.testing.assert_allclose(mu.grad.numpy(), mu.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(lv.grad.numpy(), (np.exp(lv.detach().numpy()) - 1) / 2,
                               rtol=1e-14)


def test_kl_against_torch_distributions():
    rng = np.random.default_rng(1)
    mu, lv, mp, lp = (torch.tensor(rng.normal(size=3)) for _ in range(4))
    q = torch.distributions.Normal(mu, torch.exp(0.5 * lv))
    p = torch.distributions.Normal(mp, torch.exp(0.5 * lp))
    ref = torch.distributions.kl_divergence(q, p).sum()
    assert thg.gaussian_kl(mu, lv, mp, lp).item() == pytest.approx(ref.item(), rel=1e-12)


def test_monte_carlo_agrees():
    mu, lv = torch.tensor([0.5, -0.5], dtype=torch.float64), torch.tensor([0.2, -0.3],
                                                                          dtype=torch.float64)
    est, se = thg.gaussian_kl_monte_carlo(mu, lv, 100_000,
                                          generator=torch.Generator().manual_seed(0))
    assert abs(est - thg.gaussian_kl(mu, lv).item()) < 5 * se
