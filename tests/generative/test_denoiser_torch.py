"""The denoiser: time embedding, the ε-prediction loss by hand, guidance, and a trained model
on the ring that recovers all its modes."""

import math

import numpy as np
import pytest
import torch

from dlbook.generative.denoiser_torch import (
    Denoiser,
    diffusion_loss,
    guided_eps_model,
    timestep_embedding,
    train_denoiser,
)
from dlbook.generative.diffusion_torch import ddim_sample, linear_beta_schedule, make_schedule
from dlbook.generative.metrics import mode_statistics
from dlbook.generative.toy_data import ring_centers, ring_of_gaussians


def test_timestep_embedding_by_formula():
    emb = timestep_embedding(torch.tensor([3, 100]), 6)
    for row, t in zip(emb, (3, 100)):
        freqs = [10_000 ** (-k / 3) for k in range(3)]
        expected = [math.cos(t * f) for f in freqs] + [math.sin(t * f) for f in freqs]
        np.testing.assert_allclose(row.numpy(), expected, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="even"):
        timestep_embedding(torch.tensor([1]), 5)


def test_loss_is_the_mse_of_the_noise_with_the_same_draws():
    s = make_schedule(linear_beta_schedule(50).double())
    net = Denoiser(3, hidden=16).double()
    x0 = torch.randn(10, 3, dtype=torch.float64)
    loss = diffusion_loss(net, x0, s, generator=torch.Generator().manual_seed(0))
    g = torch.Generator().manual_seed(0)
    t = torch.randint(0, 50, (10,), generator=g)
    eps = torch.randn(x0.shape, generator=g, dtype=torch.float64)
    ab = s.alphas_cumprod[t][:, None]
    xt = ab.sqrt() * x0 + (1 - ab).sqrt() * eps
    torch.testing.assert_close(loss, ((net(xt, t) - eps) ** 2).mean())


def test_guidance_mixes_conditional_and_unconditional_predictions():
    torch.manual_seed(0)
    net = Denoiser(2, hidden=16, n_classes=3)
    x, t, y = torch.randn(4, 2), torch.tensor([1, 2, 3, 4]), torch.tensor([0, 1, 2, 0])
    null = torch.full_like(y, 3)
    for s in (0.0, 1.0, 2.5, -1.0):
        expected = net(x, t, null) + s * (net(x, t, y) - net(x, t, null))
        torch.testing.assert_close(guided_eps_model(net, y, s)(x, t), expected)
    with pytest.raises(ValueError, match="guidance_scale"):
        guided_eps_model(net, y, float("inf"))
    with pytest.raises(TypeError, match="guidance_scale"):
        guided_eps_model(net, y, "2")


def test_a_trained_denoiser_recovers_the_ring():
    torch.manual_seed(0)
    x, _ = ring_of_gaussians(4000, std=0.05, rng=0)
    s = make_schedule(linear_beta_schedule(1000).float())
    net = Denoiser(2, hidden=64, n_layers=2)
    train_denoiser(net, torch.tensor(x, dtype=torch.float32), s, steps=1500, batch_size=256,
                   lr=2e-3)
    out = ddim_sample(net, torch.randn(1000, 2, generator=torch.Generator().manual_seed(1)), s, 50)
    st = mode_statistics(out.numpy(), ring_centers(), 0.05)
    assert st.modes_recovered == 8 and st.high_quality > 0.1, st     # noise alone: ~0.02
