"""GAN losses: formulas by hand, gradients against numerical derivatives, saturation."""

import numpy as np
import pytest

from dlbook.generative.gan_losses import (
    discriminator_loss,
    discriminator_loss_grad,
    minimax_generator_loss,
    minimax_generator_loss_grad,
    non_saturating_generator_loss,
    non_saturating_generator_loss_grad,
    wasserstein_critic_loss,
    wasserstein_generator_loss,
)


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def test_losses_by_the_probability_formulas():
    r, f = np.array([0.3, -1.0, 2.0]), np.array([-0.5, 1.5])
    assert discriminator_loss(r, f) == pytest.approx(
        -np.log(sigmoid(r)).mean() - np.log(1 - sigmoid(f)).mean(), rel=1e-13)
    assert minimax_generator_loss(f) == pytest.approx(np.log(1 - sigmoid(f)).mean(), rel=1e-13)
    assert non_saturating_generator_loss(f) == pytest.approx(-np.log(sigmoid(f)).mean(),
                                                             rel=1e-13)
    assert wasserstein_critic_loss(r, f) == pytest.approx(f.mean() - r.mean())
    assert wasserstein_generator_loss(f) == pytest.approx(-f.mean())


def numerical(fn, a, h=1e-6):
    out = np.zeros_like(a)
    for i in range(len(a)):
        p, m = a.copy(), a.copy()
        p[i] += h
        m[i] -= h
        out[i] = (fn(p) - fn(m)) / (2 * h)
    return out


def test_gradients_match_numerical_derivatives():
    rng = np.random.default_rng(0)
    r, f = rng.normal(scale=3, size=5), rng.normal(scale=3, size=4)
    dr, df = discriminator_loss_grad(r, f)
    np.testing.assert_allclose(dr, numerical(lambda a: discriminator_loss(a, f), r), rtol=1e-6)
    np.testing.assert_allclose(df, numerical(lambda a: discriminator_loss(r, a), f), rtol=1e-6)
    np.testing.assert_allclose(minimax_generator_loss_grad(f),
                               numerical(minimax_generator_loss, f), rtol=1e-6)
    np.testing.assert_allclose(non_saturating_generator_loss_grad(f),
                               numerical(non_saturating_generator_loss, f), rtol=1e-6)


def test_minimax_saturates_where_the_discriminator_is_confident():
    confident = np.array([-12.0])                     # D(G(z)) = 6e-6: "surely fake"
    assert abs(minimax_generator_loss_grad(confident)[0]) < 1e-5
    assert abs(non_saturating_generator_loss_grad(confident)[0]) > 0.99999
    # both losses are finite at extreme logits (computed from logits)
    assert np.isfinite(non_saturating_generator_loss([-1000.0, 1000.0]))
    assert np.isfinite(discriminator_loss([-1000.0], [1000.0]))


def test_the_two_generator_losses_share_their_direction():
    a = np.linspace(-5, 5, 11)
    assert np.all(minimax_generator_loss_grad(a) < 0)
    assert np.all(non_saturating_generator_loss_grad(a) < 0)


def test_errors():
    with pytest.raises(ValueError, match="1 dimension"):
        discriminator_loss(np.zeros((2, 1)), np.zeros(2))
    with pytest.raises(ValueError, match="empty"):
        minimax_generator_loss([])
