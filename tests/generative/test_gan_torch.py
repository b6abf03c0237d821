"""GAN networks, the gradient penalty against a hand computation, packing, and training."""

import pytest
import torch

from dlbook.generative.gan_torch import (
    DCDiscriminator,
    DCGenerator,
    MLPDiscriminator,
    MLPGenerator,
    gradient_penalty,
    train_gan,
)


def test_shapes():
    assert DCGenerator(latent_dim=8, width=16)(torch.zeros(3, 8)).shape == (3, 1, 8, 8)
    assert DCDiscriminator(width=16)(torch.zeros(3, 1, 8, 8)).shape == (3,)
    out = DCGenerator(width=16).eval()(torch.randn(5, 16))
    assert out.min() >= -1 and out.max() <= 1


def test_gradient_penalty_by_hand():
    # c(x) = sum(x^2): gradient 2 x_hat, penalty mean (2 |x_hat| - 1)^2 at the same u
    critic = lambda x: (x**2).sum(1)  # noqa: E731
    real, fake = torch.randn(6, 3, dtype=torch.float64), torch.randn(6, 3, dtype=torch.float64)
    g = torch.Generator().manual_seed(0)
    u = torch.rand(6, 1, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    x_hat = u * real + (1 - u) * fake
    expected = ((2 * x_hat.norm(dim=1) - 1) ** 2).mean()
    torch.testing.assert_close(gradient_penalty(critic, real, fake, generator=g), expected)
    with pytest.raises(ValueError, match="shape"):
        gradient_penalty(critic, real, fake[:, :2])


def test_penalty_is_differentiable_in_the_critic():
    critic = MLPDiscriminator(2, hidden=8).double()
    gp = gradient_penalty(critic, torch.randn(4, 2, dtype=torch.float64),
                          torch.randn(4, 2, dtype=torch.float64))
    gp.backward()
    # every weight matters; the output bias does not (it moves no input gradient)
    weights = [m.weight for m in critic.modules() if isinstance(m, torch.nn.Linear)]
    assert all(w.grad is not None and w.grad.abs().sum() > 0 for w in weights)


@pytest.mark.parametrize("loss", ["minimax", "non_saturating", "wgan_gp"])
def test_every_loss_trains_toward_a_shifted_gaussian(loss):
    torch.manual_seed(0)
    data = torch.randn(2048, 2) * 0.3 + torch.tensor([2.0, -1.0])
    G, D = MLPGenerator(hidden=32, n_layers=2), MLPDiscriminator(hidden=32, n_layers=2)
    kw = {"n_critic": 3, "betas": (0.5, 0.9), "gp_weight": 1.0} if loss == "wgan_gp" else {}
    h = train_gan(G, D, data, loss=loss, steps=300, lr=2e-3, seed=0, snapshot_steps=[0, 300],
                  n_snapshot=500, **kw)
    before = (h.snapshots[0].mean(0) - torch.tensor([2.0, -1.0])).norm()
    after = (h.snapshots[300].mean(0) - torch.tensor([2.0, -1.0])).norm()
    assert after < 0.5 * before, (before, after)


def test_packing_feeds_the_discriminator_groups():
    torch.manual_seed(0)
    seen = []

    class Spy(MLPDiscriminator):
        def forward(self, x):
            seen.append(tuple(x.shape))
            return super().forward(x)

    train_gan(MLPGenerator(hidden=8), Spy(in_features=6, hidden=8), torch.randn(64, 2),
              steps=1, batch_size=12, pack=3)
    assert set(seen) == {(4, 6)}
    with pytest.raises(ValueError, match="multiple of pack"):
        train_gan(MLPGenerator(), MLPDiscriminator(), torch.randn(64, 2), batch_size=10, pack=3)
    with pytest.raises(ValueError, match="loss"):
        train_gan(MLPGenerator(), MLPDiscriminator(), torch.randn(64, 2), loss="lsgan")
