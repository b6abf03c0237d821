"""Autoencoders: shapes, masking noise only in training mode, layer-wise pre-training."""

import pytest
import torch

from dlbook.generative.autoencoder_torch import (
    Autoencoder,
    MaskingNoise,
    greedy_layerwise_pretrain,
    mlp,
)
from dlbook.nn.training_torch import fit


def test_mlp_and_autoencoder_mirror_their_sizes():
    ae = Autoencoder([10, 6, 3])
    sizes = [(m.in_features, m.out_features) for m in ae.modules()
             if isinstance(m, torch.nn.Linear)]
    assert sizes == [(10, 6), (6, 3), (3, 6), (6, 10)]
    assert isinstance(ae.decoder[-1], torch.nn.Sigmoid)
    with pytest.raises(ValueError, match="activation"):
        mlp([3, 2], activation="gelu")
    with pytest.raises(ValueError, match="at least"):
        mlp([3])


def test_masking_noise_drops_the_asked_fraction_without_rescaling():
    noise = MaskingNoise(0.3, generator=torch.Generator().manual_seed(0))
    out = noise(torch.full((100_000,), 2.0))
    assert set(out.unique().tolist()) == {0.0, 2.0}
    assert (out == 0).float().mean().item() == pytest.approx(0.3, abs=0.01)
    assert torch.equal(noise.eval()(torch.ones(5)), torch.ones(5))
    with pytest.raises(ValueError):
        MaskingNoise(1.0)


def test_an_undercomplete_autoencoder_learns_a_low_dimensional_signal():
    torch.manual_seed(0)
    z = torch.rand(512, 2)
    x = torch.sigmoid(z @ torch.randn(2, 12) * 3)           # 12 numbers driven by 2
    ae = Autoencoder([12, 8, 2])
    hist = fit(ae, torch.nn.functional.mse_loss, torch.optim.Adam(ae.parameters(), lr=1e-2),
               x, x, epochs=60, batch_size=64)
    base = ((x - x.mean(0)) ** 2).mean().item()              # predicting the mean
    assert hist.history["loss"][-1] < 0.1 * base


def test_greedy_pretraining_trains_each_layer_on_the_codes_below():
    torch.manual_seed(1)
    x = torch.rand(128, 10)
    enc, hist = greedy_layerwise_pretrain(x, [10, 8, 4], epochs=15, lr=1e-2, noise=0.2)
    linears = [m for m in enc if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(10, 8), (8, 4)]
    assert all(h["loss"][-1] < h["loss"][0] for h in hist)
    assert enc(x).shape == (128, 4) and enc(x).min() >= 0 and enc(x).max() <= 1
