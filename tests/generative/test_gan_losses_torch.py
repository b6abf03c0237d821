"""The torch GAN losses equal the NumPy ones; autograd equals the hand-written gradients."""

import numpy as np
import pytest
import torch

from dlbook.generative import gan_losses as npl
from dlbook.generative import gan_losses_torch as thl


@pytest.mark.parametrize("seed", [0, 1])
def test_values_and_autograd_match_numpy(seed):
    rng = np.random.default_rng(seed)
    r, f = rng.normal(scale=4, size=6), rng.normal(scale=4, size=5)
    rt = torch.tensor(r, requires_grad=True)
    ft = torch.tensor(f, requires_grad=True)
    d = thl.discriminator_loss(rt, ft)
    d.backward()
    assert d.item() == pytest.approx(npl.discriminator_loss(r, f), rel=1e-13)
    dr, df = npl.discriminator_loss_grad(r, f)
    np.testing.assert_allclose(rt.grad.numpy(), dr, rtol=1e-12)
    np.testing.assert_allclose(ft.grad.numpy(), df, rtol=1e-12)
    for th, nv, ng in ((thl.minimax_generator_loss, npl.minimax_generator_loss,
                        npl.minimax_generator_loss_grad),
                       (thl.non_saturating_generator_loss, npl.non_saturating_generator_loss,
                        npl.non_saturating_generator_loss_grad)):
        a = torch.tensor(f, requires_grad=True)
        loss = th(a)
        loss.backward()
        assert loss.item() == pytest.approx(nv(f), rel=1e-13)
        np.testing.assert_allclose(a.grad.numpy(), ng(f), rtol=1e-12)
    assert thl.wasserstein_critic_loss(torch.tensor(r), torch.tensor(f)).item() == \
        pytest.approx(npl.wasserstein_critic_loss(r, f))
    assert thl.wasserstein_generator_loss(torch.tensor(f)).item() == \
        pytest.approx(npl.wasserstein_generator_loss(f))
