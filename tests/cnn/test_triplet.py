"""Triplet losses in NumPy against torch.nn.TripletMarginLoss, autograd on the formulas written
here, scipy's distances and hand examples."""

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.spatial.distance import cdist

from dlbook.cnn import triplet as T


def _random_triplet(seed, n=6, d=5):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n, d)) for _ in range(3)]


CASES = list(itertools.product([0.05, 0.7, 2.5], [1.0, 1.5, 2.0, 3.0], [0.0, 1e-6, 1e-2],
                               [False, True], ["mean", "sum", "none"]))


@pytest.mark.parametrize("margin,p,eps,swap,reduction", CASES)
def test_margin_loss_matches_torch_module_forward_and_backward(margin, p, eps, swap, reduction):
    a, pos, neg = _random_triplet(hash((margin, p, eps, swap, reduction)) % 2**32)
    ta, tp, tn = (torch.tensor(v, requires_grad=True) for v in (a, pos, neg))
    ref = torch.nn.TripletMarginLoss(margin=margin, p=p, eps=eps, swap=swap, reduction=reduction)
    out = ref(ta, tp, tn)
    got, cache = T.triplet_margin_loss_forward(a, pos, neg, margin=margin, p=p, eps=eps,
                                               swap=swap, reduction=reduction)
    np.testing.assert_allclose(got, out.detach().numpy(), rtol=1e-10, atol=1e-12,
                               err_msg="NumPy forward differs from torch.nn.TripletMarginLoss")
    plain = T.triplet_margin_loss(a, pos, neg, margin=margin, p=p, eps=eps, swap=swap,
                                  reduction=reduction)
    np.testing.assert_array_equal(plain, got)
    dout = np.random.default_rng(1).normal(size=a.shape[0]) if reduction == "none" else 1.7
    out.backward(torch.as_tensor(dout))
    for name, g, t in zip("apn", T.triplet_margin_loss_backward(dout, cache), (ta, tp, tn)):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-7, atol=1e-12,
                                   err_msg=f"gradient w.r.t. {name} differs from autograd")


def test_swap_actually_swaps():
    # p is closer to n than a is, so swap must change the loss
    a, p, n = np.array([[0.0, 0.0]]), np.array([[1.0, 0.0]]), np.array([[2.0, 0.0]])
    plain = T.triplet_margin_loss_forward(a, p, n, margin=1.0, eps=0.0)[0]       # 1 - 2 + 1
    swapped = T.triplet_margin_loss_forward(a, p, n, margin=1.0, eps=0.0, swap=True)[0]  # 1 - 1 + 1
    assert (plain, swapped) == (0.0, 1.0)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("margin", [0.0, 0.2, 3.0])
def test_squared_triplet_loss_against_autograd(reduction, margin):
    a, pos, neg = _random_triplet(7)
    ta, tp, tn = (torch.tensor(v, requires_grad=True) for v in (a, pos, neg))
    # independent reference: the FaceNet formula with torch.cdist-free plain ops
    per = torch.relu(((ta - tp) ** 2).sum(1) - ((ta - tn) ** 2).sum(1) + margin)
    ref = {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]
    got, cache = T.triplet_loss_forward(a, pos, neg, margin=margin, reduction=reduction)
    np.testing.assert_allclose(got, ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_array_equal(T.triplet_loss(a, pos, neg, margin, reduction), got)
    dout = np.arange(1.0, a.shape[0] + 1) if reduction == "none" else 0.3
    ref.backward(torch.as_tensor(dout))
    for name, g, t in zip("apn", T.triplet_loss_backward(dout, cache), (ta, tp, tn)):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-7, atol=1e-12,
                                   err_msg=f"squared triplet gradient w.r.t. {name}")


def test_squared_and_torch_forms_differ_on_a_hand_example():
    # d(a,p) = 1, d(a,n) = 2, margin 2: squared 1 - 4 + 2 < 0 -> 0; plain 1 - 2 + 2 = 1
    a, p, n = np.zeros((1, 2)), np.array([[1.0, 0.0]]), np.array([[0.0, 2.0]])
    assert T.triplet_loss_forward(a, p, n, margin=2.0)[0] == 0.0
    assert T.triplet_margin_loss_forward(a, p, n, margin=2.0, eps=0.0)[0] == 1.0


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, (3, 4, 3), elements=st.floats(-5, 5)), st.floats(0.01, 3))
def test_losses_are_non_negative(x, margin):
    assert T.triplet_loss_forward(x[0], x[1], x[2], margin=margin)[0] >= 0
    assert T.triplet_margin_loss_forward(x[0], x[1], x[2], margin=margin)[0] >= 0


def test_zero_margin_rejected_like_torch():
    a, p, n = _random_triplet(0)
    with pytest.raises(ValueError):
        torch.nn.TripletMarginLoss(margin=0.0)
    with pytest.raises(ValueError, match="margin must be > 0"):
        T.triplet_margin_loss_forward(a, p, n, margin=0.0)
    assert T.triplet_loss_forward(a, p, n, margin=0.0)[0] >= 0   # the squared form allows 0


@pytest.mark.parametrize("kwargs,match", [
    (dict(margin=-0.1), "margin"), (dict(reduction="avg"), "reduction"),
])
def test_bad_arguments(kwargs, match):
    a, p, n = _random_triplet(0)
    with pytest.raises(ValueError, match=match):
        T.triplet_loss_forward(a, p, n, **kwargs)


def test_bad_shapes_and_norms():
    a, p, n = _random_triplet(0)
    with pytest.raises(ValueError, match=r"anchor has shape \(6, 5\) but negative has \(6, 4\)"):
        T.triplet_loss_forward(a, p, n[:, :4])
    with pytest.raises(ValueError, match=r"anchor must have 2 dimension\(s\)"):
        T.triplet_margin_loss_forward(a[0], p[0], n[0])
    with pytest.raises(ValueError, match="p must be >= 1.0"):
        T.triplet_margin_loss_forward(a, p, n, p=0.5)
    with pytest.raises(TypeError, match="swap must be True or False"):
        T.triplet_margin_loss(a, p, n, swap=1)
    with pytest.raises(TypeError, match="anchor must hold real numbers"):
        T.triplet_loss(a.astype(complex), p, n)


def test_pairwise_distances_against_scipy():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(7, 4)), rng.normal(size=(5, 4))
    np.testing.assert_allclose(T.pairwise_distances(x, y), cdist(x, y), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(T.pairwise_distances(x, squared=True), cdist(x, x) ** 2, atol=1e-10)


def test_verification_accuracy_by_hand():
    d = np.array([0.1, 0.5, 0.9, 0.3])
    same = np.array([True, True, False, False])
    assert T.verification_accuracy(d, same, 0.6) == 0.75   # right on pairs 0, 1, 2
    with pytest.raises(ValueError, match="distances has shape"):
        T.verification_accuracy(d, same[:3], 0.5)
    with pytest.raises(TypeError, match="same must hold booleans"):
        T.verification_accuracy(d, same.astype(int), 0.5)
