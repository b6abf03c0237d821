"""The torch twins of the triplet losses: equal to the NumPy reference and to
torch.nn.TripletMarginLoss, with autograd's gradients equal to the NumPy backward passes."""

import itertools

import numpy as np
import pytest
import torch
from scipy.spatial.distance import cdist

from dlbook.cnn import triplet as T
from dlbook.cnn import triplet_torch as TT


def _random_triplet(seed, n=6, d=5):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n, d)) for _ in range(3)]


@pytest.mark.parametrize("margin,p,swap,reduction", list(itertools.product(
    [0.05, 2.5], [1.0, 2.0, 3.0], [False, True], ["mean", "none"])))
def test_margin_loss_twin_matches_torch_module_and_numpy(margin, p, swap, reduction):
    a, pos, neg = _random_triplet(int(margin * 100 + p * 10 + swap))
    ref = torch.nn.TripletMarginLoss(margin=margin, p=p, swap=swap, reduction=reduction)
    ta, tp, tn = (torch.tensor(v, requires_grad=True) for v in (a, pos, neg))
    twin = TT.triplet_margin_loss(ta, tp, tn, margin=margin, p=p, swap=swap, reduction=reduction)
    np.testing.assert_allclose(twin.detach().numpy(), ref(*(torch.tensor(v) for v in (a, pos, neg)))
                               .numpy(), rtol=1e-10, atol=1e-12)
    got, cache = T.triplet_margin_loss_forward(a, pos, neg, margin=margin, p=p, swap=swap,
                                               reduction=reduction)
    np.testing.assert_allclose(twin.detach().numpy(), got, rtol=1e-10, atol=1e-12)
    dout = np.linspace(0.5, 1.5, a.shape[0]) if reduction == "none" else 1.0
    twin.backward(torch.as_tensor(dout))
    for g, t in zip(T.triplet_margin_loss_backward(dout, cache), (ta, tp, tn)):
        np.testing.assert_allclose(t.grad.numpy(), g, rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_squared_loss_twin_equals_numpy(reduction):
    a, pos, neg = _random_triplet(7)
    ta, tp, tn = (torch.tensor(v, requires_grad=True) for v in (a, pos, neg))
    twin = TT.triplet_loss(ta, tp, tn, 0.5, reduction)
    got, cache = T.triplet_loss_forward(a, pos, neg, 0.5, reduction)
    np.testing.assert_allclose(twin.detach().numpy(), got, rtol=1e-12)
    dout = np.arange(1.0, a.shape[0] + 1) if reduction == "none" else 0.3
    twin.backward(torch.as_tensor(dout))
    for g, t in zip(T.triplet_loss_backward(dout, cache), (ta, tp, tn)):
        np.testing.assert_allclose(t.grad.numpy(), g, rtol=1e-7, atol=1e-12)


def test_pairwise_distances_and_verification_accuracy():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(7, 4)), rng.normal(size=(5, 4))
    np.testing.assert_allclose(TT.pairwise_distances(torch.tensor(x), torch.tensor(y)).numpy(),
                               cdist(x, y), rtol=1e-9, atol=1e-12)
    d, same = rng.random(20), rng.random(20) < 0.5
    assert TT.verification_accuracy(torch.tensor(d), torch.tensor(same), 0.4) == \
        pytest.approx(T.verification_accuracy(d, same, 0.4), abs=1e-15)


def test_bad_arguments_match_the_numpy_reference():
    a, p, n = _random_triplet(0)
    for kwargs, match in [(dict(margin=-0.1), "margin"), (dict(reduction="avg"), "reduction")]:
        with pytest.raises(ValueError, match=match):
            TT.triplet_loss(*(torch.tensor(v) for v in (a, p, n)), **kwargs)
    with pytest.raises(ValueError, match="margin must be > 0"):
        TT.triplet_margin_loss(*(torch.tensor(v) for v in (a, p, n)), margin=0.0)
    with pytest.raises(ValueError, match="anchor has shape"):
        TT.triplet_loss(torch.zeros(2, 3), torch.zeros(2, 3), torch.zeros(2, 4))
    with pytest.raises(TypeError, match="anchor must hold real numbers"):
        TT.triplet_loss(torch.zeros(2, 3, dtype=torch.complex64), torch.zeros(2, 3),
                        torch.zeros(2, 3))
