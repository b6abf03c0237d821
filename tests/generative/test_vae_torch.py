"""VAE: binomial likelihood against torch.distributions, the ELBO as a bound, the
importance-weighted estimate on a model whose likelihood is known."""

import math

import pytest
import torch

from dlbook.generative.vae_torch import (
    VAE,
    binomial_log_likelihood,
    importance_weighted_log_likelihood,
    negative_elbo,
    train_vae,
)


def test_binomial_log_likelihood_matches_torch_distributions():
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 17, (5, 7), generator=g).double()
    logits = torch.randn(5, 7, generator=g, dtype=torch.float64) * 3
    ref = torch.distributions.Binomial(16, logits=logits).log_prob(x).sum(-1)
    torch.testing.assert_close(binomial_log_likelihood(x, logits, 16), ref, rtol=1e-12,
                               atol=1e-12)
    with pytest.raises(ValueError, match="shape"):
        binomial_log_likelihood(x, logits[:, :3])


def linear_gaussian_free_vae():
    """A VAE whose decoder ignores z: then log p(x) is the binomial of its constant logits."""
    torch.manual_seed(0)
    vae = VAE(in_features=4, hidden=8, latent_dim=2, total_count=3).double()
    with torch.no_grad():
        for layer in vae.decoder:
            if isinstance(layer, torch.nn.Linear):
                layer.weight.zero_()
        vae.decoder[-1].bias.copy_(torch.tensor([0.3, -1.0, 2.0, 0.0]))
    return vae


def test_iw_estimate_is_exact_when_the_decoder_ignores_z():
    vae = linear_gaussian_free_vae()
    x = torch.tensor([[0.0, 1.0, 3.0, 2.0], [3.0, 0.0, 1.0, 1.0]], dtype=torch.float64)
    exact = binomial_log_likelihood(x, vae.decoder[-1].bias.expand(2, 4), 3)
    # log p(x | z) is constant, so each importance weight is p(x) * p(z) / q(z | x): the
    # estimate's error is only the Monte Carlo error of E_q[p(z)/q(z|x)] = 1
    est = importance_weighted_log_likelihood(vae, x, n_importance=20_000,
                                             generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(est, exact, atol=0.05, rtol=0)


def test_more_importance_samples_tighten_the_bound_on_average():
    torch.manual_seed(2)
    x = torch.randint(0, 17, (64, 64)).float()
    vae = VAE(latent_dim=4)
    train_vae(vae, x, epochs=20)
    g = torch.Generator().manual_seed(3)
    elbo = -negative_elbo(vae, x)[0].item()
    k1 = importance_weighted_log_likelihood(vae, x, 1, generator=g).mean().item()
    k100 = importance_weighted_log_likelihood(vae, x, 100, generator=g).mean().item()
    assert k100 > k1 and k100 > elbo
    assert abs(k1 - elbo) < 5.0                         # K = 1 is the ELBO, up to noise


def test_negative_elbo_parts_and_gradients():
    torch.manual_seed(4)
    vae = VAE(latent_dim=3)
    x = torch.randint(0, 17, (8, 64)).float()
    noise = torch.randn(8, 3)
    loss, rec, kl = negative_elbo(vae, x, noise)
    loss2, _, _ = negative_elbo(vae, x, noise)
    assert loss.item() == pytest.approx(loss2.item())           # deterministic given noise
    assert kl.item() >= 0 and rec.item() > 0
    loss.backward()
    assert all(p.grad is not None for p in vae.parameters())
    assert math.isfinite(loss.item())
