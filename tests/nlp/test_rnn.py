"""The NumPy Elman layer and its backpropagation through time against torch.nn.RNN (float64,
the same weights copied in), and its input checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlbook.nlp.rnn import rnn, rnn_backward, rnn_cell, rnn_forward
from tests.nlp.recurrent_oracle import SHAPES, assert_close, case, reference, torch_layer, weights


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("shape", SHAPES, ids=[str(s) for s in SHAPES])
def test_forward_and_every_gradient_equal_torch(shape, nonlinearity):
    T, N, D, H = shape
    layer = torch_layer("rnn", D, H, seed=T * 100 + H, nonlinearity=nonlinearity)
    arrays = case("rnn", T, N, D, H, seed=N * 10 + D)
    want = reference("rnn", layer, arrays)
    out, h_n, cache = rnn_forward(arrays["x"], arrays["h0"], *weights(layer), nonlinearity)
    assert_close(out, want["out"], "out")
    assert_close(h_n, want["h_n"], "h_n")
    grads = rnn_backward(arrays["dout"], arrays["dh_n"], cache)
    names = ["dx", "dh0", "dweight_ih", "dweight_hh", "dbias_ih", "dbias_hh"]
    for name, got in zip(names, grads, strict=True):
        assert_close(got, want[name], name)


def test_none_means_zero_upstream_gradient():
    layer = torch_layer("rnn", 3, 4, seed=1)
    arrays = case("rnn", 5, 2, 3, 4, seed=2)
    _, _, cache = rnn_forward(arrays["x"], arrays["h0"], *weights(layer))
    only_last = rnn_backward(None, arrays["dh_n"], cache)
    explicit = rnn_backward(np.zeros((5, 2, 4)), arrays["dh_n"], cache)
    for a, b in zip(only_last, explicit, strict=True):
        np.testing.assert_array_equal(a, b)
    assert all(np.all(g == 0) for g in rnn_backward(None, None, cache))


def test_cell_and_layer_agree_with_torch_cell():
    torch.manual_seed(0)
    cell = torch.nn.RNNCell(3, 4).double()
    x, h = np.random.default_rng(0).normal(size=(2, 5, 3)), np.random.default_rng(1).normal(
        size=(5, 4))
    w = [p.detach().numpy() for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih,
                                      cell.bias_hh)]
    want = cell(torch.tensor(x[0]), torch.tensor(h)).detach().numpy()
    assert_close(rnn_cell(x[0], h, *w), want, "rnn_cell")
    out, h_n = rnn(x, h, *w)
    assert_close(out[0], want, "rnn step 1")
    assert_close(h_n, rnn_cell(x[1], rnn_cell(x[0], h, *w), *w), "rnn = two cells")


def test_float32_stays_float32():
    layer = torch_layer("rnn", 3, 4, seed=0)
    w = [a.astype(np.float32) for a in weights(layer)]
    x = np.ones((2, 1, 3), np.float32)
    out, h_n, cache = rnn_forward(x, np.zeros((1, 4), np.float32), *w)
    assert out.dtype == np.float32
    assert all(g.dtype == np.float32 for g in rnn_backward(np.ones_like(out), None, cache))


def test_inputs_are_not_modified():
    layer = torch_layer("rnn", 2, 3, seed=4)
    arrays = case("rnn", 4, 2, 2, 3, seed=4)
    before = {k: v.copy() for k, v in arrays.items()}
    _, _, cache = rnn_forward(arrays["x"], arrays["h0"], *weights(layer))
    rnn_backward(arrays["dout"], arrays["dh_n"], cache)
    for k, v in arrays.items():
        np.testing.assert_array_equal(v, before[k], err_msg=k)


def _args(T=4, N=2, D=3, H=5):
    return [np.zeros((T, N, D)), np.zeros((N, H)), np.zeros((H, D)), np.zeros((H, H)),
            np.zeros(H), np.zeros(H)]


@pytest.mark.parametrize("index, bad, message", [
    (0, np.zeros((4, 3)), r"x must have shape \(T, N, D\).*\(4, 3\)"),
    (0, np.zeros((0, 2, 3)), r"at least one time step"),
    (2, np.zeros((5, 4)), r"weight_ih must have shape \(H, D\) = \(5, 3\), got \(5, 4\)"),
    (1, np.zeros((2, 6)), r"h0 must have shape \(N, H\) = \(2, 5\), got \(2, 6\)"),
    (1, np.zeros((3, 5)), r"h0 must have shape \(N, H\) = \(2, 5\), got \(3, 5\)"),
    (3, np.zeros((5, 4)), r"weight_hh must have shape \(H, H\), got \(5, 4\)"),
    (4, np.zeros(4), r"bias_ih must have shape \(H,\) = \(5,\), got \(4,\)"),
])
def test_bad_shapes_are_named(index, bad, message):
    args = _args()
    args[index] = bad
    with pytest.raises(ValueError, match=message):
        rnn_forward(*args)


def test_unknown_nonlinearity():
    message = "nonlinearity must be one of 'tanh', 'relu'; got 'sigmoid'"
    with pytest.raises(ValueError, match=message):
        rnn(*_args(), nonlinearity="sigmoid")


def test_bad_upstream_gradient_shape():
    _, _, cache = rnn_forward(*_args())
    with pytest.raises(ValueError, match=r"dout must have shape \(T, N, H\)"):
        rnn_backward(np.zeros((4, 2, 4)), None, cache)
    with pytest.raises(ValueError, match=r"dh_n must have shape \(N, H\)"):
        rnn_backward(None, np.zeros((2,)), cache)


def test_strings_are_refused_with_type_error():
    args = _args()
    args[0] = [[["a"]]]
    with pytest.raises(TypeError, match="x must hold real numbers"):
        rnn_forward(*args)
