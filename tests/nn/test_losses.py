"""Tests for dlbook.nn.losses (NumPy); the torch twin is tested in test_losses_torch.py.

Every loss is checked in float64 against an independent peer (torch.nn.functional, scikit-learn,
or a written-out torch formula), and every gradient against torch autograd of that peer, with
rtol 1e-7. Invariants are checked with hypothesis.
"""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.metrics
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlbook.nn import losses as L
from tests.nn.loss_checks import LOSS_PARAMS, RTOL, check_numpy_loss, loss_setup, masks


# ------------------------------------------------------------------ values and gradients
@pytest.mark.parametrize("name, shape", LOSS_PARAMS)
def test_numpy_value_and_grad_match_torch_peer(name, shape):
    check_numpy_loss(L, *loss_setup(name, shape))


def test_huber_is_half_squared_inside_delta_and_linear_outside():
    r = np.array([-5.0, -1.0, -0.2, 0.0, 0.3, 1.0, 4.0])
    delta = 1.0
    per = np.where(np.abs(r) <= delta, 0.5 * r**2, delta * (np.abs(r) - delta / 2))
    assert L.huber_loss(np.zeros_like(r), r, delta) == pytest.approx(per.mean(), rel=1e-15)
    np.testing.assert_allclose(L.huber_loss_grad(np.zeros_like(r), r, delta),
                               np.clip(r, -delta, delta) / r.size, rtol=1e-15)
    # small errors: Huber = MSE / 2; the slope never exceeds delta / M
    small = np.array([0.1, -0.2])
    assert L.huber_loss([0.0, 0.0], small, 1.0) == pytest.approx(L.mse([0.0, 0.0], small) / 2)
    big = L.huber_loss_grad(np.zeros(3), np.array([1e6, -1e6, 0.5]), delta=2.0)
    assert np.abs(big).max() == pytest.approx(2.0 / 3)


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


def test_dice_without_smoothing_is_f1_on_hardmasks():
    rng = np.random.default_rng(6)
    t = (rng.random((1, 64)) < 0.5) * 1.0
    p = (rng.random((1, 64)) < 0.5) * 1.0
    f1 = sklearn.metrics.f1_score(t[0], p[0])
    assert 1 - L.dice_loss(t, p, smooth=0) == pytest.approx(f1, rel=RTOL)


def test_dice_grad_matches_central_differences():
    rng = np.random.default_rng(7)
    t, p = masks(rng, (2, 6))
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
    "mse": L.mse, "mae_grad": L.mae_grad, "huber_loss": L.huber_loss,
    "hinge": L.hinge, "squared_hinge_grad": L.squared_hinge_grad,
    "cost_profit": lambda y, p: L.cost_profit_loss(y, p, cost=1, profit=9),
}


@pytest.mark.parametrize("call", list(NP_CALLS.values()), ids=list(NP_CALLS))
def test_numpy_refuses_to_broadcast_32_against_32x1(call):
    with pytest.raises(ValueError, match=r"y_true has shape \(32,\) but y_pred has \(32, 1\)"):
        call(np.ones(32), np.full((32, 1), 0.5))


def test_bad_inputs_raise_clear_errors(mod=L, arr=np.asarray):
    with pytest.raises(ValueError, match="labels -1 or \\+1"):
        mod.hinge(arr([0.0, 1.0]), arr([0.3, 0.4]))
    with pytest.raises(ValueError, match="cost must be > 0"):
        mod.cost_profit_loss(arr([1.0]), arr([2.0]), cost=-1, profit=2)
    with pytest.raises(ValueError, match="at least 2 dimension"):
        mod.dice_loss(arr([1.0, 0.0]), arr([0.5, 0.5]))
    with pytest.raises(ValueError, match="0/0"):
        mod.dice_loss(arr([[0.0, 0.0]]), arr([[0.0, 0.0]]), smooth=0)
    with pytest.raises(ValueError, match=r"y_pred must lie in \[0.0, 1.0\]"):
        mod.dice_loss(arr([[1.0, 0.0]]), arr([[1.2, 0.0]]))
    with pytest.raises(ValueError, match="NaN or inf"):
        mod.mse(arr([1.0]), arr([float("nan")]))
    with pytest.raises(ValueError, match="must not be empty"):
        mod.mse(arr([]), arr([]))
    with pytest.raises(ValueError, match="delta must be > 0"):
        mod.huber_loss(arr([1.0]), arr([2.0]), delta=0.0)


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
    for fn in (L.mse, L.mae, L.huber_loss,
               lambda y, p: L.cost_profit_loss(y, p, cost=1, profit=9)):
        assert fn(y, p) >= 0 and fn(y, y) == 0
    labels = np.where(y >= 0, 1.0, -1.0)
    assert L.hinge(labels, p) >= 0 and L.squared_hinge(labels, p) >= 0
    assert L.hinge(labels, labels) == 0 and L.squared_hinge(labels, 3 * labels) == 0


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(1, 10), st.integers(0, 2**32 - 1))
def test_dice_loss_in_unit_interval_and_zero_when_perfect(n, m, seed):
    rng = np.random.default_rng(seed)
    t, p = masks(rng, (n, m))
    assert 0 <= L.dice_loss(t, p) <= 1
    assert L.dice_loss(t, t) == pytest.approx(0, abs=1e-15)
