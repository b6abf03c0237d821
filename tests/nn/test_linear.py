"""The dense layer: forward against torch.nn.Linear, backward against autograd in float64."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nn.linear import Linear, linear_backward, linear_forward

SHAPES = [(1, 1, 1), (4, 3, 2), (7, 5, 11), (32, 784, 10)]  # (N, in, out)


def random_layer(seed, N, n_in, n_out):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(N, n_in)), rng.normal(size=(n_out, n_in)), rng.normal(size=n_out),
            rng.normal(size=(N, n_out)))


@pytest.mark.parametrize("N, n_in, n_out", SHAPES)
@pytest.mark.parametrize("bias", [True, False])
def test_forward_matches_torch_linear(N, n_in, n_out, bias):
    x, w, b, _ = random_layer(N * 1000 + n_out, N, n_in, n_out)
    layer = torch.nn.Linear(n_in, n_out, bias=bias, dtype=torch.float64)
    with torch.no_grad():  # copy our weights straight across: same (out, in) layout
        layer.weight.copy_(torch.from_numpy(w))
        if bias:
            layer.bias.copy_(torch.from_numpy(b))
    out, _ = linear_forward(x, w, b if bias else None)
    expected = layer(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(
        out, expected, rtol=1e-12, atol=1e-12, err_msg="forward differs from torch.nn.Linear"
    )


@pytest.mark.parametrize("N, n_in, n_out", SHAPES)
@pytest.mark.parametrize("bias", [True, False])
def test_backward_matches_autograd(N, n_in, n_out, bias):
    x, w, b, dout = random_layer(N + 7 * n_in, N, n_in, n_out)
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True) if bias else None
    out_t = torch.nn.functional.linear(xt, wt, bt)
    (out_t * torch.from_numpy(dout)).sum().backward()  # L = sum(out * dout): dL/dout = dout

    out, cache = linear_forward(x, w, b if bias else None)
    dx, dw, db = linear_backward(dout, cache)
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        dx, xt.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg="dx differs from autograd"
    )
    np.testing.assert_allclose(
        dw, wt.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg="dw differs from autograd"
    )
    if bias:
        np.testing.assert_allclose(
            db, bt.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg="db differs from autograd"
        )
    else:
        assert db is None


@given(st.integers(0, 2**32 - 1))
@settings(max_examples=20, deadline=None)
def test_backward_matches_a_numerical_gradient(seed):
    """Central differences of L = sum(out * dout) in float64, independent of torch."""
    x, w, b, dout = random_layer(seed, 3, 4, 2)

    def loss(x_, w_, b_):
        return np.sum(linear_forward(x_, w_, b_)[0] * dout)

    _, cache = linear_forward(x, w, b)
    dx, dw, db = linear_backward(dout, cache)
    h = 1e-6
    for arr, grad, args in ((x, dx, 0), (w, dw, 1), (b, db, 2)):
        numeric = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            plus, minus = [x.copy(), w.copy(), b.copy()], [x.copy(), w.copy(), b.copy()]
            plus[args][idx] += h
            minus[args][idx] -= h
            numeric[idx] = (loss(*plus) - loss(*minus)) / (2 * h)
        np.testing.assert_allclose(grad, numeric, rtol=1e-7, atol=1e-8)


def test_forward_and_backward_do_not_modify_inputs():
    x, w, b, dout = random_layer(0, 4, 3, 2)
    copies = [a.copy() for a in (x, w, b, dout)]
    _, cache = linear_forward(x, w, b)
    linear_backward(dout, cache)
    for a, c in zip((x, w, b, dout), copies):
        np.testing.assert_array_equal(a, c)


def test_forward_by_hand():
    # rows of w are output units: (1*1 + 2*0 + 3*(-1) + 0.5, 1*2 + 2*1 + 3*0 - 1)
    out, _ = linear_forward(
        np.array([[1.0, 2.0, 3.0]]), np.array([[1, 0, -1], [2, 1, 0]]), np.array([0.5, -1.0])
    )
    np.testing.assert_array_equal(out, [[-1.5, 3.0]])


@pytest.mark.parametrize(
    "x_shape, w_shape, b_shape, match",
    [
        ((4, 3), (2, 4), (2,), r"w has shape \(2, 4\) but x has shape \(4, 3\)"),
        ((3,), (2, 3), (2,), r"x must have shape \(N, in_features\) = \(\*, \*\), got \(3,\)"),
        ((4, 3), (2, 3), (3,), r"b must have shape \(out_features,\) = \(2,\), got \(3,\)"),
        ((4, 3), (2, 3), (1, 2), r"got \(1, 2\)"),
        ((4, 3), (3,), (2,), r"w has shape \(3,\)"),
    ],
)
def test_forward_rejects_mismatched_shapes(x_shape, w_shape, b_shape, match):
    with pytest.raises(ValueError, match=match):
        linear_forward(np.zeros(x_shape), np.zeros(w_shape), np.zeros(b_shape))


def test_backward_rejects_a_wrong_dout():
    _, cache = linear_forward(np.zeros((4, 3)), np.zeros((2, 3)), np.zeros(2))
    with pytest.raises(
        ValueError, match=r"dout must have shape \(N, out_features\) = \(4, 2\), got \(2, 4\)"
    ):
        linear_backward(np.zeros((2, 4)), cache)


def test_forward_rejects_non_numbers():
    with pytest.raises(TypeError, match="x must hold real numbers"):
        linear_forward(np.array([["a"]]), np.zeros((1, 1)))


# -- the class -----------------------------------------------------------------------------------
def test_linear_class_matches_torch_and_stores_grads():
    layer = Linear(5, 3, rng=1)
    ref = torch.nn.Linear(5, 3, dtype=torch.float64)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(layer.params["weight"]))
        ref.bias.copy_(torch.from_numpy(layer.params["bias"]))
    rng = np.random.default_rng(2)
    x, dout = rng.normal(size=(6, 5)), rng.normal(size=(6, 3))
    xt = torch.tensor(x, requires_grad=True)
    (ref(xt) * torch.from_numpy(dout)).sum().backward()
    out = layer(x)
    dx = layer.backward(dout)
    np.testing.assert_allclose(out, ref(xt).detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        layer.grads["weight"], ref.weight.grad.numpy(), rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(layer.grads["bias"], ref.bias.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("n_in, n_out, bias", [(784, 10, True), (784, 10, False), (3, 7, True)])
def test_linear_class_counts_and_initialises_like_torch(n_in, n_out, bias):
    layer = Linear(n_in, n_out, bias=bias, rng=0)
    ref = torch.nn.Linear(n_in, n_out, bias=bias)
    assert layer.num_parameters() == sum(p.numel() for p in ref.parameters())
    assert layer.params["weight"].shape == tuple(ref.weight.shape)
    bound = 1 / np.sqrt(n_in)  # torch's default: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias
    for p in layer.params.values():
        assert np.all(np.abs(p) <= bound)
    assert ("bias" in layer.params) == bias
    assert repr(layer) == f"Linear(in_features={n_in}, out_features={n_out}, bias={bias})"


def test_linear_class_errors():
    with pytest.raises(RuntimeError, match="before forward"):
        Linear(2, 2).backward(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="out_features must be >= 1, got 0"):
        Linear(2, 0)
    with pytest.raises(TypeError, match="in_features must be an int"):
        Linear(2.0, 3)


def test_linear_follows_the_layer_protocol_with_in_place_gradients():
    """backward writes into the same gradient arrays every time, so references stay valid."""
    from dlbook.nn.module import Layer, Sequential

    layer = Linear(3, 2, rng=0)
    assert isinstance(layer, Layer)
    params, grads = layer.parameters(), layer.gradients()
    assert params[0] is layer.params["weight"] and params[1] is layer.params["bias"]
    assert grads[0] is layer.grads["weight"] and grads[1] is layer.grads["bias"]
    rng = np.random.default_rng(5)
    for _ in range(2):  # the second backward must overwrite, not accumulate or replace
        x, dout = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
        layer.forward(x)
        layer.backward(dout)
        assert layer.grads["weight"] is grads[0] and layer.grads["bias"] is grads[1]
        np.testing.assert_allclose(grads[0], dout.T @ x, rtol=1e-12)  # dL/dW = dout^T x
        np.testing.assert_allclose(grads[1], dout.sum(axis=0), rtol=1e-12)
    layer.zero_grad()
    assert not grads[0].any() and not grads[1].any()
    assert layer.eval().training is False and layer.train().training is True
    net = Sequential(layer)
    assert net.gradients()[0] is grads[0]
    no_bias = Linear(3, 2, bias=False, rng=0)
    no_bias.forward(np.ones((1, 3)))
    no_bias.backward(np.ones((1, 2)))
    assert list(no_bias.grads) == ["weight"] and len(no_bias.gradients()) == 1
