"""Tests for dlbook.nn.losses (NumPy) and dlbook.nn.losses_torch (PyTorch twin).

Every loss is checked in float64 against an independent peer (torch.nn.functional, scikit-learn,
or a written-out torch formula), and every gradient against torch autograd of that peer, with
rtol 1e-7. Invariants are checked with hypothesis. The cross-entropy family has its own file,
test_cross_entropy.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.metrics
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlbook.nn import losses as L
from dlbook.nn import losses_torch as LT
from tests.nn.loss_checks import (
    RTOL,
    check_cuda_matches_cpu,
    check_numpy_loss,
    check_torch_loss,
    loss_cases,
    make_case,
)


def _masks(rng, shape):
    return (rng.random(shape) < 0.4).astype(np.float64), rng.uniform(0.01, 0.99, shape)


# ------------------------------------------------------------------ cases: data and peers
# Each case: make(rng, shape) -> (y_true, y_pred, kwargs); peer(t, p, **kw) -> torch scalar,
# written independently of dlbook (torch.nn.functional where it has the loss).
def _hinge_peer(t, s, p=1):
    two_class = torch.stack([torch.zeros_like(s), s], dim=1)  # scores of classes -1 and +1
    return 2 * F.multi_margin_loss(two_class, ((t + 1) / 2).long(), p=p)


CASES = {
    "mse": (lambda r, sh: (r.normal(size=sh), r.normal(size=sh), {}),
            lambda t, p: F.mse_loss(p, t)),
    "mae": (lambda r, sh: (r.normal(size=sh), r.normal(size=sh), {}),
            lambda t, p: F.l1_loss(p, t)),
    "hinge": (lambda r, sh: (r.choice([-1.0, 1.0], sh), 2 * r.normal(size=sh), {}),
              lambda t, s: _hinge_peer(t.flatten(), s.flatten())),
    "squared_hinge": (lambda r, sh: (r.choice([-1.0, 1.0], sh), 2 * r.normal(size=sh), {}),
                      lambda t, s: _hinge_peer(t.flatten(), s.flatten(), p=2)),
    "cost_profit_loss": (
        lambda r, sh: (r.normal(10, 3, sh), r.normal(10, 3, sh), {"cost": 1.5, "profit": 7.0}),
        lambda t, p, cost, profit: (cost * F.relu(p - t) + profit * F.relu(t - p)).mean()),
}
ELEMENTWISE = list(CASES)
SHAPES = [(7,), (5, 3), (2, 3, 4)]


def _row_cases(rng, name):
    """(y_true, y_pred, kwargs, peer) for the losses of whole samples."""
    if name == "dice_loss":
        t, p = _masks(rng, (3, 2, 5, 5))
        return t, p, {"smooth": 0.7}, lambda t, p, smooth: 1 - (
            (2 * (t * p).flatten(1).sum(1) + smooth)
            / (t.flatten(1).sum(1) + p.flatten(1).sum(1) + smooth)).mean()
    raise KeyError(name)


ROWWISE = ["dice_loss"]


def _all_cases():
    return loss_cases(ELEMENTWISE, SHAPES, ROWWISE)


def _setup(name, shape, seed=0):
    return make_case(name, shape, CASES, _row_cases, seed)


# ------------------------------------------------------------------ values and gradients
@pytest.mark.parametrize("name, shape", list(_all_cases()))
def test_numpy_value_and_grad_match_torch_peer(name, shape):
    check_numpy_loss(L, *_setup(name, shape))


@pytest.mark.parametrize("name, shape", list(_all_cases()))
def test_torch_twin_value_autograd_and_closed_form_grad(name, shape):
    check_torch_loss(LT, *_setup(name, shape, seed=1))


def test_hinge_against_scikit_learn():
    rng = np.random.default_rng(3)
    y, s = rng.choice([-1.0, 1.0], 50), rng.normal(size=50)
    assert L.hinge(y, s) == pytest.approx(sklearn.metrics.hinge_loss(y, s), rel=RTOL)


def test_cost_profit_is_scaled_pinball_loss():
    rng = np.random.default_rng(4)
    y, p = rng.normal(10, 3, 40), rng.normal(10, 3, 40)
    cost, profit = 2.0, 5.0
    pinball = sklearn.metrics.mean_pinball_loss(y, p, alpha=profit / (cost + profit))
    assert L.cost_profit_loss(y, p, cost=cost, profit=profit) == pytest.approx(
        (cost + profit) * pinball, rel=RTOL)


def test_cost_profit_constant_minimiser_is_the_quantile():
    y = np.arange(1.0, 101.0)  # 1..100: with cost 1, profit 9 the 0.9 quantile is 90
    grid = np.arange(1.0, 101.0)
    risk = [L.cost_profit_loss(y, np.full_like(y, c), cost=1, profit=9) for c in grid]
    assert set(grid[np.isclose(risk, min(risk))]) <= {90.0, 91.0}, grid[np.argmin(risk)]


def test_dice_without_smoothing_is_f1_on_hard_masks():
    rng = np.random.default_rng(6)
    t = (rng.random((1, 64)) < 0.5) * 1.0
    p = (rng.random((1, 64)) < 0.5) * 1.0
    f1 = sklearn.metrics.f1_score(t[0], p[0])
    assert 1 - L.dice_loss(t, p, smooth=0) == pytest.approx(f1, rel=RTOL)


def test_dice_grad_matches_central_differences():
    rng = np.random.default_rng(7)
    t, p = _masks(rng, (2, 6))
    h, grad = 1e-6, L.dice_loss_grad(t, p, smooth=1.0)
    num = np.zeros_like(p)
    for idx in np.ndindex(p.shape):  # a loop over 12 entries of a test oracle, not a kernel
        up, dn = p.copy(), p.copy()
        up[idx] += h
        dn[idx] -= h
        num[idx] = (L.dice_loss(t, up) - L.dice_loss(t, dn)) / (2 * h)
    np.testing.assert_allclose(grad, num, rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------ errors
NP_CALLS = {
    "mse": lambda y, p: L.mse(y, p), "mae_grad": lambda y, p: L.mae_grad(y, p),
    "hinge": lambda y, p: L.hinge(y, p), "squared_hinge_grad": lambda y, p: L.squared_hinge_grad(y, p),
    "cost_profit": lambda y, p: L.cost_profit_loss(y, p, cost=1, profit=9),
}
TORCH_CALLS = {
    "mse": LT.mse, "hinge": LT.hinge,
    "cost_profit": lambda y, p: LT.cost_profit_loss(y, p, cost=1, profit=9),
}


@pytest.mark.parametrize("call", list(NP_CALLS.values()), ids=list(NP_CALLS))
def test_numpy_refuses_to_broadcast_32_against_32x1(call):
    with pytest.raises(ValueError, match=r"y_true has shape \(32,\) but y_pred has \(32, 1\)"):
        call(np.ones(32), np.full((32, 1), 0.5))


@pytest.mark.parametrize("call", list(TORCH_CALLS.values()), ids=list(TORCH_CALLS))
def test_torch_refuses_to_broadcast_32_against_32x1(call):
    with pytest.raises(ValueError, match=r"y_true has shape \(32,\) but y_pred has \(32, 1\)"):
        call(torch.ones(32), torch.full((32, 1), 0.5))


@pytest.mark.parametrize("mod", [L, LT], ids=["numpy", "torch"])
def test_bad_inputs_raise_clear_errors(mod):
    arr = np.asarray if mod is L else torch.tensor
    with pytest.raises(ValueError, match="labels -1 or \\+1"):
        mod.hinge(arr([0.0, 1.0]), arr([0.3, 0.4]))
    with pytest.raises(ValueError, match="cost must be a positive"):
        mod.cost_profit_loss(arr([1.0]), arr([2.0]), cost=-1, profit=2)
    with pytest.raises(ValueError, match="at least 2"):
        mod.dice_loss(arr([1.0, 0.0]), arr([0.5, 0.5]))
    with pytest.raises(ValueError, match="0/0"):
        mod.dice_loss(arr([[0.0, 0.0]]), arr([[0.0, 0.0]]), smooth=0)
    with pytest.raises(ValueError, match=r"y_pred must lie in \[0.0, 1.0\]"):
        mod.dice_loss(arr([[1.0, 0.0]]), arr([[1.2, 0.0]]))
    with pytest.raises(ValueError, match="NaN or inf"):
        mod.mse(arr([1.0]), arr([float("nan")]))
    with pytest.raises(ValueError, match="non-empty"):
        mod.mse(arr([]), arr([]))


def test_numpy_rejects_non_numbers():
    with pytest.raises(TypeError, match="real numbers"):
        L.mse(["a", "b"], [1.0, 2.0])


# ------------------------------------------------------------------ invariants (hypothesis)
finite = st.floats(-20, 20, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.integers(1, 8), elements=finite),
       arrays(np.float64, st.integers(1, 8), elements=finite))
def test_regression_and_margin_losses_are_nonnegative_and_zero_when_perfect(a, b):
    n = min(a.size, b.size)
    y, p = a[:n], b[:n]
    for fn in (L.mse, L.mae, lambda y, p: L.cost_profit_loss(y, p, cost=1, profit=9)):
        assert fn(y, p) >= 0 and fn(y, y) == 0
    labels = np.where(y >= 0, 1.0, -1.0)
    assert L.hinge(labels, p) >= 0 and L.squared_hinge(labels, p) >= 0
    assert L.hinge(labels, labels) == 0 and L.squared_hinge(labels, 3 * labels) == 0


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(1, 10), st.integers(0, 2**32 - 1))
def test_dice_loss_in_unit_interval_and_zero_when_perfect(n, m, seed):
    rng = np.random.default_rng(seed)
    t, p = _masks(rng, (n, m))
    assert 0 <= L.dice_loss(t, p) <= 1
    assert L.dice_loss(t, t) == pytest.approx(0, abs=1e-15)


# ------------------------------------------------------------------ devices
@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_torch_twin_on_cuda_matches_cpu():
    from dlbook.utils import get_device

    dev = get_device("cuda")
    for name, shape in [(n, (5, 3)) for n in ELEMENTWISE] + [(n, None) for n in ROWWISE]:
        fn, y, p, kw, _ = _setup(name, shape, seed=2)
        check_cuda_matches_cpu(LT, fn, y, p, kw, dev)
