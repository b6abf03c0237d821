"""Gradient checking: the checker itself, then every backward pass of dlbook.nn against it.

Each backward is compared with the two-sided difference of its own forward, in float64, with
random inputs and parameters (biases included). A loss L = sum(out * G) with a random G makes
dout = G, so every entry of the backward pass matters.
"""

import numpy as np
import pytest

from dlbook.nn import activations as act
from dlbook.nn.activation_layers import LeakyReLU, ReLU, Sigmoid, Tanh
from dlbook.nn.gradient_check import (
    gradient_check,
    gradient_errors,
    numerical_gradient,
    relative_error,
    verdict,
)
from dlbook.nn.linear import Linear, linear_backward, linear_forward
from dlbook.nn.maxout import maxout, maxout_backward, maxout_forward
from dlbook.nn.module import Sequential
from dlbook.nn.parametric_relu import (
    prelu,
    prelu_backward,
    prelu_forward,
    rrelu_backward,
    rrelu_forward,
)
from dlbook.nn.softmax import softmax, softmax_backward, softmax_forward

TOL = 1e-7  # "fine" by the rule of thumb; typical errors here are 1e-10 or smaller


# -- the checker ------------------------------------------------------------------------------
def test_numerical_gradient_of_known_functions():
    theta = np.array([[0.5, -1.5], [2.0, 0.1]])
    # d/dtheta sum(sin(theta) * theta) = cos(theta) * theta + sin(theta)
    num = numerical_gradient(lambda: np.sum(np.sin(theta) * theta), theta)
    np.testing.assert_allclose(num, np.cos(theta) * theta + np.sin(theta), rtol=1e-8)
    # a quadratic: the central difference is exact up to rounding
    a = np.array([3.0, -2.0])
    np.testing.assert_allclose(numerical_gradient(lambda: float(a @ a), a), 2 * a, rtol=1e-9)


def test_two_sided_beats_one_sided():
    theta = np.array([1.0])
    exact = np.exp(1.0)
    eps = 1e-4
    central = numerical_gradient(lambda: np.exp(theta[0]), theta, eps=eps)[0]
    forward = (np.exp(1.0 + eps) - np.exp(1.0)) / eps
    assert abs(central - exact) < 1e-3 * abs(forward - exact), (central, forward)


def test_parameters_are_restored_exactly():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(3, 4))
    before = w.copy()
    numerical_gradient(lambda: np.sum(w ** 3), w)
    assert np.array_equal(w, before)

    def boom():
        raise RuntimeError("fails inside f")
    with pytest.raises(RuntimeError):
        numerical_gradient(boom, w)
    assert np.array_equal(w, before), "a failing f must not leave a perturbed parameter behind"


@pytest.mark.parametrize("bad, exc, match", [
    (np.ones(3, dtype=np.float32), TypeError, "float64"),
    ([1.0, 2.0], TypeError, "NumPy array"),
])
def test_bad_parameters(bad, exc, match):
    with pytest.raises(exc, match=match):
        numerical_gradient(lambda: 0.0, bad)


def test_bad_eps_and_non_scalar_f():
    w = np.ones(2)
    for eps in (0.0, -1e-6, np.nan):
        with pytest.raises(ValueError, match="eps"):
            numerical_gradient(lambda: float(w.sum()), w, eps=eps)
    with pytest.raises(TypeError, match="eps"):
        numerical_gradient(lambda: float(w.sum()), w, eps=True)
    with pytest.raises(TypeError, match="scalar"):
        numerical_gradient(lambda: w * 2, w)


def test_relative_error_and_verdict():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert relative_error([2.0], [1.0]) == pytest.approx(1 / 3)
    assert relative_error([1e-9], [-1e-9]) == pytest.approx(1.0)  # scale-free
    with pytest.raises(ValueError, match="shape"):
        relative_error([1.0], [1.0, 2.0])
    assert [verdict(e) for e in (0.0, 1e-7, 2e-7, 1e-5, 1e-3, 1.1e-3)] == [
        "fine", "fine", "look again", "look again", "look again", "wrong"]
    with pytest.raises(ValueError):
        verdict(-1.0)


def test_gradient_errors_shapes_and_lengths():
    w = np.ones(2)
    with pytest.raises(ValueError, match="1 parameters but 2 gradients"):
        gradient_errors(lambda: 0.0, [w], [w, w])
    with pytest.raises(ValueError, match="shape"):
        gradient_errors(lambda: 0.0, [w], [np.ones(3)])


def test_check_catches_a_wrong_backward():
    """A backward that forgets the transpose, or is off by 1 %, must be flagged."""
    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=(5, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)
    G = rng.normal(size=(5, 3))
    def f():
        return float(np.sum(linear_forward(x, w, b)[0] * G))
    _, dw, db = linear_backward(G, linear_forward(x, w, b)[1])
    assert gradient_check(f, [w, b], [dw, db]) < TOL
    assert verdict(gradient_check(f, [w], [dw.T])) == "wrong"
    assert verdict(gradient_check(f, [w], [1.01 * dw])) == "wrong"


# -- every backward of dlbook.nn --------------------------------------------------------------
def _check_elementwise(forward, backward, x, G):
    """x -> sum(forward(x) * G); backward(G, x) must be its gradient."""
    err = gradient_check(lambda: float(np.sum(forward(x) * G)), [x], [backward(G, x)])
    assert err < TOL, f"relative error {err:.2e}"


ELEMENTWISE = {
    "sigmoid": (act.sigmoid, lambda g, x: g * act.sigmoid_derivative(x)),
    "tanh": (act.tanh, lambda g, x: g * act.tanh_derivative(x)),
    "relu": (act.relu, lambda g, x: g * act.relu_derivative(x)),
    "leaky_relu": (
        lambda x: act.leaky_relu(x, 0.2),
        lambda g, x: g * act.leaky_relu_derivative(x, 0.2),
    ),
    "elu": (lambda x: act.elu(x, 1.3), lambda g, x: g * act.elu_derivative(x, 1.3)),
    "selu": (act.selu, lambda g, x: g * act.selu_derivative(x)),
    "softplus": (lambda x: act.softplus(x, 2.0), lambda g, x: g * act.softplus_derivative(x, 2.0)),
    "hard_sigmoid": (act.hard_sigmoid, lambda g, x: g * act.hard_sigmoid_derivative(x)),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_activation_derivatives(name):
    rng = np.random.default_rng(sum(map(ord, name)))
    x = rng.normal(scale=3.0, size=(4, 5))  # kinks (0, +-3) are hit with probability ~0
    _check_elementwise(*ELEMENTWISE[name], x, rng.normal(size=x.shape))


def test_prelu_backward():
    rng = np.random.default_rng(2)
    x, a, G = rng.normal(size=(4, 3, 2)), rng.uniform(0.05, 0.5, size=3), rng.normal(size=(4, 3, 2))
    dx, da = prelu_backward(G, prelu_forward(x, a)[1])
    def f():
        return float(np.sum(prelu(x, a) * G))
    errors = gradient_errors(f, [x, a], [dx, da])
    assert max(errors) < TOL, errors


def test_rrelu_backward_in_training():
    rng = np.random.default_rng(3)
    x, G = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    _, slopes = rrelu_forward(x, training=True, rng=np.random.default_rng(4))
    # with the random slopes held fixed the layer is x -> slopes * x
    def f():
        return float(np.sum(np.where(x > 0, x, slopes * x) * G))
    assert gradient_check(f, [x], [rrelu_backward(G, slopes)]) < TOL


def test_maxout_backward():
    rng = np.random.default_rng(5)
    z, G = rng.normal(size=(3, 8)), rng.normal(size=(3, 4))
    def f():
        return float(np.sum(maxout(z, 2) * G))
    assert gradient_check(f, [z], [maxout_backward(G, maxout_forward(z, 2)[1])]) < TOL


def test_softmax_backward():
    rng = np.random.default_rng(6)
    x, G = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    def f():
        return float(np.sum(softmax(x) * G))
    assert gradient_check(f, [x], [softmax_backward(G, softmax_forward(x)[1])]) < TOL


@pytest.mark.parametrize("bias", [True, False])
def test_linear_backward(bias):
    rng = np.random.default_rng(7)
    x, w, b, G = (
        rng.normal(size=(6, 4)),
        rng.normal(size=(3, 4)),
        rng.normal(size=3),
        rng.normal(size=(6, 3)),
    )
    out, cache = linear_forward(x, w, b if bias else None)
    dx, dw, db = linear_backward(G, cache)
    def f():
        return float(np.sum(linear_forward(x, w, b if bias else None)[0] * G))
    params, grads = ([x, w, b], [dx, dw, db]) if bias else ([x, w], [dx, dw])
    errors = gradient_errors(f, params, grads)
    assert max(errors) < TOL, errors


@pytest.mark.parametrize("layer", [ReLU(), Sigmoid(), Tanh(), LeakyReLU(0.1)], ids=repr)
def test_activation_layers(layer):
    rng = np.random.default_rng(8)
    x, G = rng.normal(size=(5, 7)), rng.normal(size=(5, 7))
    layer.forward(x)
    dx = layer.backward(G)
    assert gradient_check(lambda: float(np.sum(layer.forward(x) * G)), [x], [dx]) < TOL


def test_sequential_mlp_all_parameters():
    """A 4-6-5-3 MLP with every layer type: gradients of all weights, biases and the input."""
    rng = np.random.default_rng(9)
    net = Sequential(Linear(4, 6, rng=1), Tanh(), Linear(6, 5, rng=2), LeakyReLU(0.05),
                     Linear(5, 3, rng=3), Sigmoid())
    x, G = rng.normal(size=(8, 4)), rng.normal(size=(8, 3))
    net.forward(x)
    dx = net.backward(G)
    def f():
        return float(np.sum(net.forward(x) * G))
    errors = gradient_errors(f, net.parameters() + [x], net.gradients() + [dx])
    assert len(errors) == 7
    assert max(errors) < TOL, errors
