"""Tests for dlbook.nn.softmax (NumPy); the torch twin is tested in test_softmax_torch.py.

Values and backward passes are held to ``torch.nn.functional.softmax`` and torch autograd in
float64 (rtol 1e-7), the Jacobian to ``torch.autograd.functional.jacobian``; hypothesis checks
that softmax sums to 1 and ignores shifts.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlbook.nn import softmax as S
from dlbook.nn.activations import sigmoid
from tests.nn.activation_checks import assert_close


@pytest.mark.parametrize("shape, dim", [((7,), -1), ((4, 5), -1), ((4, 5), 0), ((2, 3, 6), 1)])
def test_softmax_and_backward_match_torch(shape, dim):
    rng = np.random.default_rng(4)
    x = rng.standard_normal(shape) * 30.0
    g = rng.standard_normal(shape)
    t = torch.tensor(x, requires_grad=True)
    y = F.softmax(t, dim=dim)
    (dx,) = torch.autograd.grad(y, t, grad_outputs=torch.tensor(g))
    assert_close(S.softmax(x, dim=dim), y.detach().numpy(), "softmax vs torch")
    out, cache = S.softmax_forward(x, dim=dim)
    assert_close(out, y.detach().numpy(), "softmax_forward vs torch")
    assert_close(S.softmax_backward(g, cache), dx.numpy(), "softmax_backward vs autograd")


def test_softmax_jacobian_matches_autograd_and_backward():
    rng = np.random.default_rng(5)
    x, g = rng.standard_normal(6), rng.standard_normal(6)
    jac = torch.autograd.functional.jacobian(lambda t: F.softmax(t, dim=-1), torch.tensor(x))
    J = S.softmax_jacobian(x)
    assert_close(J, jac.numpy(), "softmax_jacobian vs autograd", atol=1e-17)
    np.testing.assert_allclose(J, J.T, rtol=0, atol=1e-17, err_msg="Jacobian is not symmetric")
    assert_close(S.softmax_backward(g, S.softmax_forward(x)[1]), J @ g, "backward vs J @ g",
                 atol=1e-17)


def test_softmax_survives_huge_logits():
    x = np.array([[1000.0, 999.0, -1000.0], [-800.0, -800.0, -801.0]])
    want = F.softmax(torch.tensor(x), dim=-1).numpy()
    assert np.all(np.isfinite(want))
    assert_close(S.softmax(x), want, "softmax of huge logits vs torch")


def test_two_class_softmax_is_sigmoid_of_the_difference():
    rng = np.random.default_rng(6)
    z = rng.standard_normal((50, 2)) * 10
    assert_close(S.softmax(z)[:, 0], sigmoid(z[:, 0] - z[:, 1]), "softmax vs sigmoid")


finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 12), elements=finite), st.floats(-500, 500))
def test_softmax_sums_to_one_and_ignores_shifts(x, c):
    y = S.softmax(x)
    assert np.all(y >= 0) and np.all(np.isfinite(y)), y
    assert abs(y.sum() - 1.0) < 1e-12, y.sum()
    np.testing.assert_allclose(S.softmax(x + c), y, rtol=1e-9, atol=1e-15,
                               err_msg=f"softmax changed under a shift by {c}")


@pytest.mark.parametrize("call, error, match", [
    (lambda: S.softmax(1.0), ValueError, "scalar"),
    (lambda: S.softmax(np.ones((2, 2)), dim=2), ValueError, "dim must be <= 1"),
    (lambda: S.softmax(np.ones(2), dim=1.0), TypeError, "dim must be an int"),
    (lambda: S.softmax_backward(np.ones(2), S.softmax_forward(np.ones(3))[1]), ValueError,
     "dout has shape"),
])
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_dtype_is_kept_and_inputs_are_not_modified():
    x32 = np.array([-1.0, 0.5, 2.0], dtype=np.float32)
    before = x32.copy()
    assert S.softmax(x32).dtype == np.float32
    np.testing.assert_array_equal(x32, before, err_msg="softmax changed its input")
