"""Tests for dlbook.nn.binary_cross_entropy (NumPy); the torch twin is tested in
test_binary_cross_entropy_torch.py.

Both losses are checked in float64 against torch.nn.functional and their gradients against
autograd (rtol 1e-7); the course's rain example is recomputed, the logit form is pushed to
extreme logits, and hypothesis checks that the two forms agree.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlbook.nn import binary_cross_entropy as B
from tests.nn.loss_checks import BCE_PARAMS, bce_setup, check_numpy_loss


@pytest.mark.parametrize("name, shape", BCE_PARAMS)
def test_value_and_grad_match_torch_peer(name, shape):
    check_numpy_loss(B, *bce_setup(name, shape))


def test_course_rain_example():
    # 003's table: labels 1, 0, 1 with predictions 0.9, 0.2, 0.4 give 0.1054, 0.2231, 0.9163.
    per_sample = [B.binary_cross_entropy([y], [p]) for y, p in [(1, 0.9), (0, 0.2), (1, 0.4)]]
    np.testing.assert_allclose(per_sample, [0.1054, 0.2231, 0.9163], atol=5e-5)


def test_at_exact_zero_and_one_is_finite_and_capped_by_eps():
    y, p = np.array([1.0, 0.0, 1.0, 0.0]), np.array([0.0, 1.0, 1.0, 0.0])
    eps = 1e-7
    assert B.binary_cross_entropy(y, p, eps=eps) == pytest.approx(-2 * math.log(eps) / 4,
                                                                  rel=1e-12)
    g = B.binary_cross_entropy_grad(y, p, eps=eps)
    assert np.all(np.isfinite(g)) and np.all(g[:2] == 0), g  # clipped: no signal left


@pytest.mark.parametrize("z", [-1000.0, -50.0, 50.0, 1000.0])
def test_logit_form_stays_finite_for_huge_logits(z):
    for y in (0.0, 1.0):
        expected = max(z, 0.0) - y * z  # exact when |z| is large: ln(1 + e^-|z|) underflows to 0
        assert B.binary_cross_entropy_with_logits([y], [z]) == pytest.approx(expected, rel=1e-12)
        assert np.isfinite(B.binary_cross_entropy_with_logits_grad([y], [z])).all()


@pytest.mark.parametrize("call", [B.binary_cross_entropy, B.binary_cross_entropy_with_logits])
def test_refuses_to_broadcast_32_against_32x1(call):
    with pytest.raises(
        ValueError, match=r"y_true has shape \(32,\) but (y_pred|logits) has \(32, 1\)"
    ):
        call(np.ones(32), np.full((32, 1), 0.5))


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match=r"y_pred must lie in \[0.0, 1.0\]"):
        B.binary_cross_entropy([1.0], [1.2])
    with pytest.raises(ValueError, match="eps must be > 0"):
        B.binary_cross_entropy([1.0], [0.5], eps=0)
    with pytest.raises(ValueError, match="NaN or inf"):
        B.binary_cross_entropy_with_logits([1.0], [float("nan")])


unit = st.floats(0, 1, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.integers(1, 8), elements=unit), st.data())
def test_nonnegative_zero_on_hard_perfect_prediction_and_forms_agree(p, data):
    y = np.asarray(data.draw(arrays(np.float64, p.size, elements=unit)))
    assert B.binary_cross_entropy(y, p) >= 0
    hard = np.round(y)
    assert B.binary_cross_entropy(hard, hard) == 0
    q = np.clip(p, 1e-6, 1 - 1e-6)
    z = np.clip(np.log(q) - np.log1p(-q), -10, 10)
    sig = 1 / (1 + np.exp(-z))
    assert B.binary_cross_entropy_with_logits(y, z) == pytest.approx(
        B.binary_cross_entropy(y, sig), rel=1e-9, abs=1e-12)


def test_float32_inputs_keep_float32_gradients():
    y, p = np.array([1, 0], dtype=np.float32), np.array([0.9, 0.2], dtype=np.float32)
    assert B.binary_cross_entropy_grad(y, p).dtype == np.float32
