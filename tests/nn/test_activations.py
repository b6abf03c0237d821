"""Tests for dlbook.nn.activations (NumPy) and dlbook.nn.activations_torch (its twin).

Values are held to ``torch.nn.functional`` and derivatives to torch autograd, all in float64,
rtol 1e-7, on random inputs from 1e-3 to 1e3 in magnitude (plus +-1000, +-40, +-1e-8). Where
torch itself is inaccurate (see ``TORCH_GRAD_ATOL``) an mpmath oracle at 50 digits holds our
derivatives to 1e-13 instead.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlbook.nn import activations as A
from dlbook.nn import activations_torch as T
from tests.nn.activation_checks import TINY, assert_close, inputs

# torch differentiates sigmoid and tanh from their outputs, y(1-y) and 1-y^2. Once y rounds near
# 1 (x > ~17 for sigmoid, > ~8 for tanh) that product carries an absolute error of ~1e-16, which
# is a large relative error of a tiny number. Only for those two we allow this absolute slack in
# the autograd comparison; the mpmath test below checks the same values to 1e-13 relative.
TORCH_GRAD_ATOL = {"sigmoid": 1e-15, "tanh": 1e-15}


def _keras2_hard_sigmoid(x, s):
    # torch has no clip(0.2x + 0.5, 0, 1); hardtanh has the same corners and, like hardsigmoid,
    # a zero derivative at them (torch.clamp would pass the gradient there)
    return (F.hardtanh(2 * s * x) + 1) / 2


# name, numpy value, numpy derivative, torch reference, twin, keyword arguments
ELEMENTWISE = [
    ("sigmoid", A.sigmoid, A.sigmoid_grad, torch.sigmoid, T.sigmoid, {}),
    ("tanh", A.tanh, A.tanh_grad, torch.tanh, T.tanh, {}),
    ("relu", A.relu, A.relu_grad, F.relu, T.relu, {}),
    ("leaky_relu", A.leaky_relu, A.leaky_relu_grad, F.leaky_relu, T.leaky_relu, {}),
    ("leaky_relu_0.3", A.leaky_relu, A.leaky_relu_grad, F.leaky_relu, T.leaky_relu,
     {"negative_slope": 0.3}),
    ("elu", A.elu, A.elu_grad, F.elu, T.elu, {}),
    ("elu_0.7", A.elu, A.elu_grad, F.elu, T.elu, {"alpha": 0.7}),
    ("selu", A.selu, A.selu_grad, F.selu, T.selu, {}),
    ("softplus", A.softplus, A.softplus_grad, F.softplus, T.softplus, {}),
    ("softplus_beta2", A.softplus, A.softplus_grad, F.softplus, T.softplus, {"beta": 2.0}),
    ("hard_sigmoid", A.hard_sigmoid, A.hard_sigmoid_grad, F.hardsigmoid, T.hard_sigmoid, {}),
    ("hard_sigmoid_keras2", A.hard_sigmoid, A.hard_sigmoid_grad,
     lambda x, slope: _keras2_hard_sigmoid(x, slope), T.hard_sigmoid, {"slope": 0.2}),
]
IDS = [case[0] for case in ELEMENTWISE]


def _torch_value_and_grad(fn, x: np.ndarray, **kwargs):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = fn(t, **kwargs)
    (g,) = torch.autograd.grad(y.sum(), t)
    return y.detach().numpy(), g.numpy()


@pytest.mark.parametrize("name, f, fgrad, ref, twin, kw", ELEMENTWISE, ids=IDS)
def test_numpy_values_match_torch_functional(name, f, fgrad, ref, twin, kw):
    x = inputs()
    want, _ = _torch_value_and_grad(ref, x, **kw)
    assert_close(f(x, **kw), want, f"{name} value vs torch", x=x)


@pytest.mark.parametrize("name, f, fgrad, ref, twin, kw", ELEMENTWISE, ids=IDS)
def test_numpy_derivatives_match_torch_autograd(name, f, fgrad, ref, twin, kw):
    x = inputs(1)
    _, want = _torch_value_and_grad(ref, x, **kw)
    assert_close(fgrad(x, **kw), want, f"{name}_grad vs autograd of torch",
                 atol=TORCH_GRAD_ATOL.get(name, TINY), x=x)


@pytest.mark.parametrize("name, f, fgrad, ref, twin, kw", ELEMENTWISE, ids=IDS)
def test_torch_twin_matches_functional_and_numpy(name, f, fgrad, ref, twin, kw):
    x = inputs(2)
    want_value, _ = _torch_value_and_grad(ref, x, **kw)
    value, grad = _torch_value_and_grad(twin, x, **kw)
    assert_close(value, want_value, f"twin {name} value vs torch", x=x)
    # autograd through the twin's stable formulas is exact: no absolute slack needed
    assert_close(grad, fgrad(x, **kw), f"autograd of twin {name} vs numpy {name}_grad", x=x)


@pytest.mark.parametrize("name, f, fgrad, ref, twin, kw", ELEMENTWISE, ids=IDS)
def test_derivative_at_kink_follows_torch(name, f, fgrad, ref, twin, kw):
    x = np.array([0.0, -3.0, 3.0, -2.5, 2.5])  # 0 and the hard sigmoid corners
    _, want = _torch_value_and_grad(ref, x, **kw)
    assert_close(fgrad(x, **kw), want, f"{name}_grad at kinks vs torch", x=x)
    _, twin_grad = _torch_value_and_grad(twin, x, **kw)
    assert_close(twin_grad, want, f"twin {name} gradient at kinks vs torch", x=x)


@pytest.mark.parametrize("name, f, fgrad, ref, twin, kw", ELEMENTWISE, ids=IDS)
def test_derivatives_match_central_differences(name, f, fgrad, ref, twin, kw):
    rng = np.random.default_rng(3)
    x = rng.uniform(0.05, 2.4, 200) * rng.choice([-1.0, 1.0], 200)  # away from every kink
    h = 1e-5
    numeric = (f(x + h, **kw) - f(x - h, **kw)) / (2 * h)
    assert_close(fgrad(x, **kw), numeric, f"{name}_grad vs central difference",
                 rtol=1e-7, atol=1e-10, x=x)


def test_stable_forms_agree_with_50_digit_arithmetic():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    x = np.array([-700.0, -300.0, -40.0, -25.0, -1e-9, 1e-9, 0.3, 25.0, 40.0, 300.0])
    m = [mpmath.mpf(v) for v in x]
    exact = {
        "sigmoid": [1 / (1 + mpmath.exp(-v)) for v in m],
        "sigmoid_grad": [mpmath.exp(-v) / (1 + mpmath.exp(-v)) ** 2 for v in m],
        "tanh_grad": [1 / mpmath.cosh(v) ** 2 for v in m],
        "softplus": [mpmath.log1p(mpmath.exp(v)) for v in m],
        "elu": [v if v > 0 else mpmath.expm1(v) for v in m],
        "selu": [A.SELU_SCALE * (v if v > 0 else A.SELU_ALPHA * mpmath.expm1(v)) for v in m],
    }
    for name, want in exact.items():
        want = np.array([float(w) for w in want])
        assert_close(getattr(A, name)(x), want, f"{name} vs mpmath", rtol=1e-13, x=x)


# -- PReLU and RReLU -------------------------------------------------------------------------------
@pytest.mark.parametrize("shape, n_weights", [((5, 3, 4, 4), 3), ((5, 3, 4, 4), 1), ((7, 6), 6),
                                              ((9,), 1)])
def test_prelu_matches_torch(shape, n_weights):
    rng = np.random.default_rng(8)
    x, g = rng.standard_normal(shape) * 5, rng.standard_normal(shape)
    w = rng.uniform(-0.5, 1.0, n_weights)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    y = F.prelu(tx, tw)
    dx, dw = torch.autograd.grad(y, (tx, tw), grad_outputs=torch.tensor(g))
    assert_close(A.prelu(x, w), y.detach().numpy(), "prelu vs torch")
    mine_dx, mine_dw = A.prelu_backward(g, x, w)
    assert_close(mine_dx, dx.numpy(), "prelu dx vs autograd")
    assert_close(mine_dw, dw.numpy(), "prelu dweight vs autograd")
    assert mine_dw.shape == w.shape
    tx2, tw2 = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    dx2, dw2 = torch.autograd.grad(T.prelu(tx2, tw2), (tx2, tw2), grad_outputs=torch.tensor(g))
    assert_close(dx2.numpy(), dx.numpy(), "twin prelu dx")
    assert_close(dw2.numpy(), dw.numpy(), "twin prelu dweight")


def test_rrelu_training_backward_matches_torch_autograd():
    x = inputs(9, 500)
    t = torch.tensor(x, requires_grad=True)
    torch.manual_seed(0)
    y = F.rrelu(t, training=True)
    g = torch.tensor(np.random.default_rng(9).standard_normal(x.shape))
    (dx,) = torch.autograd.grad(y, t, grad_outputs=g)
    slopes = np.where(x > 0, 1.0, y.detach().numpy() / x)  # the slopes torch drew
    assert np.all((slopes[x <= 0] >= 1 / 8) & (slopes[x <= 0] <= 1 / 3))
    assert_close(A.rrelu_backward(g.numpy(), slopes), dx.numpy(), "rrelu_backward vs autograd")


def test_rrelu_slopes_are_uniform_in_training_and_the_mean_in_evaluation():
    lo, hi, n = 0.1, 0.4, 20000
    x = -np.ones(n)
    _, slopes = A.rrelu_forward(x, lo, hi, training=True, rng=np.random.default_rng(10))
    assert slopes.min() >= lo and slopes.max() <= hi
    sd_of_mean = (hi - lo) / np.sqrt(12 * n)
    assert abs(slopes.mean() - (lo + hi) / 2) < 5 * sd_of_mean, slopes.mean()
    assert abs(slopes.var() - (hi - lo) ** 2 / 12) < 0.05 * (hi - lo) ** 2 / 12, slopes.var()
    twin = T.rrelu(torch.tensor(x), lo, hi, training=True, generator=torch.Generator().manual_seed(0))
    assert abs(-twin.mean().item() - (lo + hi) / 2) < 5 * sd_of_mean
    z = inputs(11)
    want = F.rrelu(torch.tensor(z), lo, hi, training=False).numpy()
    assert_close(A.rrelu(z, lo, hi), want, "rrelu evaluation vs torch")
    assert_close(A.rrelu(z, lo, hi), A.leaky_relu(z, (lo + hi) / 2), "rrelu eval vs leaky")
    a = A.rrelu(x, training=True, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(a, A.rrelu(x, training=True, rng=np.random.default_rng(1)))


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
    assert np.all(A.sigmoid_grad(x) <= 0.25 * (1 + 2**-52)), A.sigmoid_grad(x).max()
    assert np.all(A.tanh_grad(x) <= 1 + 2**-52), A.tanh_grad(x).max()
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
              A.relu_grad, A.elu_grad, A.sigmoid_grad, A.hard_sigmoid_grad):
        before = x32.copy()
        assert f(x32).dtype == np.float32, f.__name__
        np.testing.assert_array_equal(x32, before, err_msg=f"{f.__name__} changed its input")
    assert A.relu([1, -2]).dtype == np.float64


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("call, error, match", [
    (lambda: A.sigmoid(["a"]), TypeError, "real numbers"),
    (lambda: A.relu(np.array([1j])), TypeError, "real numbers"),
    (lambda: A.leaky_relu([1.0], negative_slope="0.1"), TypeError, "negative_slope"),
    (lambda: A.elu([1.0], alpha=float("nan")), TypeError, "alpha"),
    (lambda: A.softplus([1.0], beta=0.0), ValueError, "beta must be > 0"),
    (lambda: A.hard_sigmoid([1.0], slope=-0.2), ValueError, "slope"),
    (lambda: A.rrelu([1.0], lower=0.5, upper=0.1), ValueError, "lower must be <= upper"),
    (lambda: A.rrelu([1.0], lower=-0.1), ValueError, "lower must be >= 0"),
    (lambda: A.prelu(np.ones((2, 3)), [0.1, 0.2]), ValueError, r"shape \(1,\) or \(3,\)"),
    (lambda: A.prelu_backward(np.ones(2), np.ones(3), [0.1]), ValueError, "dout has shape"),
    (lambda: A.rrelu_backward(np.ones(2), np.ones(3)), ValueError, "slopes has"),
    (lambda: T.sigmoid(np.ones(2)), TypeError, "torch.Tensor"),
    (lambda: T.relu(torch.ones(2, dtype=torch.int64)), TypeError, "floating-point"),
    (lambda: T.prelu(torch.ones(2, 3), torch.ones(2)), ValueError, r"\(3,\)"),
])
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_twin_runs_on_cuda_and_agrees_with_cpu():
    x = torch.tensor(inputs(12), dtype=torch.float64)
    for name, _, _, _, twin, kw in ELEMENTWISE:
        cpu = twin(x, **kw)
        gpu = twin(x.cuda(), **kw).cpu()
        assert_close(gpu.numpy(), cpu.numpy(), f"twin {name} on cuda vs cpu")
