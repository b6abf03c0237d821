"""Tests for dlbook.nn.activations (NumPy); the torch twin is tested in test_activations_torch.py.

Values are held to ``torch.nn.functional`` and derivatives to torch autograd, all in float64,
rtol 1e-7, on random inputs from 1e-3 to 1e3 in magnitude (plus +-1000, +-40, +-1e-8). Where
torch itself is inaccurate (see ``TORCH_GRAD_ATOL``) an mpmath oracle at 50 digits holds our
derivatives to 1e-13 instead.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlbook.nn import activations as A
from tests.nn.activation_checks import (
    ELEMENTWISE,
    IDS,
    TINY,
    assert_close,
    inputs,
    torch_value_and_grad,
)

# torch differentiates sigmoid and tanh from their outputs, y(1-y) and 1-y^2. Once y rounds near
# 1 (x > ~17 for sigmoid, > ~8 for tanh) that product carries an absolute error of ~1e-16, which
# is a large relative error of a tiny number. Only for those two we allow this absolute slack in
# the autograd comparison; the mpmath test below checks the same values to 1e-13 relative.
TORCH_GRAD_ATOL = {"sigmoid": 1e-15, "tanh": 1e-15}


@pytest.mark.parametrize("name, f, fder, ref, kw", ELEMENTWISE, ids=IDS)
def test_numpy_values_match_torch_functional(name, f, fder, ref, kw):
    x = inputs()
    want, _ = torch_value_and_grad(ref, x, **kw)
    assert_close(f(x, **kw), want, f"{name} value vs torch", x=x)


@pytest.mark.parametrize("name, f, fder, ref, kw", ELEMENTWISE, ids=IDS)
def test_numpy_derivatives_match_torch_autograd(name, f, fder, ref, kw):
    x = inputs(1)
    _, want = torch_value_and_grad(ref, x, **kw)
    assert_close(fder(x, **kw), want, f"{name}_derivative vs autograd of torch",
                 atol=TORCH_GRAD_ATOL.get(name, TINY), x=x)


@pytest.mark.parametrize("name, f, fder, ref, kw", ELEMENTWISE, ids=IDS)
def test_derivative_at_kink_follows_torch(name, f, fder, ref, kw):
    x = np.array([0.0, -3.0, 3.0, -2.5, 2.5])  # 0 and the hard sigmoid corners
    _, want = torch_value_and_grad(ref, x, **kw)
    assert_close(fder(x, **kw), want, f"{name}_derivative at kinks vs torch", x=x)


@pytest.mark.parametrize("name, f, fder, ref, kw", ELEMENTWISE, ids=IDS)
def test_derivatives_match_central_differences(name, f, fder, ref, kw):
    rng = np.random.default_rng(3)
    x = rng.uniform(0.05, 2.4, 200) * rng.choice([-1.0, 1.0], 200)  # away from every kink
    h = 1e-5
    numeric = (f(x + h, **kw) - f(x - h, **kw)) / (2 * h)
    assert_close(fder(x, **kw), numeric, f"{name}_derivative vs central difference",
                 rtol=1e-7, atol=1e-10, x=x)


def test_stable_forms_agree_with_50_digit_arithmetic():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    x = np.array([-700.0, -300.0, -40.0, -25.0, -1e-9, 1e-9, 0.3, 25.0, 40.0, 300.0])
    m = [mpmath.mpf(v) for v in x]
    exact = {
        "sigmoid": [1 / (1 + mpmath.exp(-v)) for v in m],
        "sigmoid_derivative": [mpmath.exp(-v) / (1 + mpmath.exp(-v)) ** 2 for v in m],
        "tanh_derivative": [1 / mpmath.cosh(v) ** 2 for v in m],
        "softplus": [mpmath.log1p(mpmath.exp(v)) for v in m],
        "elu": [v if v > 0 else mpmath.expm1(v) for v in m],
        "selu": [A.SELU_SCALE * (v if v > 0 else A.SELU_ALPHA * mpmath.expm1(v)) for v in m],
    }
    for name, want in exact.items():
        want = np.array([float(w) for w in want])
        assert_close(getattr(A, name)(x), want, f"{name} vs mpmath", rtol=1e-13, x=x)


finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


# -- invariants ------------------------------------------------------------------------------------
@settings(max_examples=80, deadline=None)
@given(arrays(np.float64, st.integers(1, 20), elements=finite))
def test_identities_between_activations(x):
    s = A.sigmoid(x)
    np.testing.assert_allclose(A.sigmoid(-x), 1 - s, rtol=0, atol=2e-16)
    np.testing.assert_allclose(A.tanh(x), 2 * A.sigmoid(2 * x) - 1, rtol=0, atol=1e-15)
    np.testing.assert_allclose(A.softplus(x) - A.softplus(-x), x, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(A.relu(x) - A.relu(-x), x, rtol=0, atol=0)
    np.testing.assert_allclose(A.hard_sigmoid(x) + A.hard_sigmoid(-x), 1.0, rtol=0, atol=1e-15)
    # the bounds 1/4 and 1, with one rounding step of slack (4z/(1+z)^2 can land 1 ulp above 1)
    assert np.all(A.sigmoid_derivative(x) <= 0.25 * (1 + 2**-52)), A.sigmoid_derivative(x).max()
    assert np.all(A.tanh_derivative(x) <= 1 + 2**-52), A.tanh_derivative(x).max()
    assert np.all(A.elu(x, 0.5) >= -0.5) and np.all(A.selu(x) >= -A.SELU_SCALE * A.SELU_ALPHA)
    np.testing.assert_allclose(A.leaky_relu(x, 0.2), np.maximum(0.2 * x, x), rtol=0, atol=0)


def test_selu_keeps_standard_normal_moments():
    integrate = pytest.importorskip("scipy.integrate")
    pdf = lambda t: np.exp(-t * t / 2) / np.sqrt(2 * np.pi)  # noqa: E731
    mean = sum(integrate.quad(lambda t: A.selu(t) * pdf(t), a, b, epsabs=1e-13)[0]
               for a, b in [(-np.inf, 0), (0, np.inf)])
    second = sum(integrate.quad(lambda t: A.selu(t) ** 2 * pdf(t), a, b, epsabs=1e-13)[0]
                 for a, b in [(-np.inf, 0), (0, np.inf)])
    assert abs(mean) < 1e-8, mean
    assert abs(second - 1.0) < 1e-8, second


def test_dtype_is_kept_and_inputs_are_not_modified():
    x32 = np.array([-1.0, 0.5, 2.0], dtype=np.float32)
    for f in (A.sigmoid, A.relu, A.leaky_relu, A.elu, A.softplus, A.hard_sigmoid,
              A.relu_derivative, A.elu_derivative, A.sigmoid_derivative, A.hard_sigmoid_derivative):
        before = x32.copy()
        assert f(x32).dtype == np.float32, f.__name__
        np.testing.assert_array_equal(x32, before, err_msg=f"{f.__name__} changed its input")
    assert A.relu([1, -2]).dtype == np.float64


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("call, error, match", [
    (lambda: A.sigmoid(["a"]), TypeError, "real numbers"),
    (lambda: A.relu(np.array([1j])), TypeError, "real numbers"),
    (lambda: A.leaky_relu([1.0], negative_slope="0.1"), TypeError, "negative_slope"),
    (lambda: A.elu([1.0], alpha=float("nan")), ValueError, "alpha must be finite"),
    (lambda: A.softplus([1.0], beta=0.0), ValueError, "beta must be > 0"),
    (lambda: A.hard_sigmoid([1.0], slope=-0.2), ValueError, "slope"),
])
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()
