"""The NumPy GRU and its backpropagation through time against torch.nn.GRU (float64, the same
weights copied in), and its input checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlbook.nlp.gru import gru, gru_backward, gru_cell, gru_forward
from tests.nlp.recurrent_oracle import SHAPES, assert_close, case, reference, torch_layer, weights


@pytest.mark.parametrize("shape", SHAPES, ids=[str(s) for s in SHAPES])
def test_forward_and_every_gradient_equal_torch(shape):
    T, N, D, H = shape
    layer = torch_layer("gru", D, H, seed=T * 100 + H)
    arrays = case("gru", T, N, D, H, seed=N * 10 + D)
    want = reference("gru", layer, arrays)
    out, h_n, cache = gru_forward(arrays["x"], arrays["h0"], *weights(layer))
    assert_close(out, want["out"], "out")
    assert_close(h_n, want["h_n"], "h_n")
    grads = gru_backward(arrays["dout"], arrays["dh_n"], cache)
    names = ["dx", "dh0", "dweight_ih", "dweight_hh", "dbias_ih", "dbias_hh"]
    for name, got in zip(names, grads, strict=True):
        assert_close(got, want[name], name)


def test_reset_gate_acts_after_the_product():
    """n = tanh(W_in x + b_in + r * (W_hn h + b_hn)): with b_hn != 0 and r < 1 this differs
    from the variant tanh(W_in x + b_in + W_hn (r * h) + b_hn)."""
    H = 2
    w_ih, w_hh = np.zeros((3 * H, 1)), np.zeros((3 * H, H))
    b_ih, b_hh = np.zeros(3 * H), np.zeros(3 * H)
    b_hh[2 * H:] = 1.0                       # b_hn
    b_ih[:H] = -20.0                         # r ~ 0
    h = gru_cell(np.zeros((1, 1)), np.zeros((1, H)), w_ih, w_hh, b_ih, b_hh)
    # z = 1/2, n = tanh(r * 1) ~ 0, so h ~ 0; the other variant would give tanh(1) / 2
    assert np.all(np.abs(h) < 1e-6)
    cell = torch.nn.GRUCell(1, H).double()
    with torch.no_grad():
        for p, v in zip((cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh),
                        (w_ih, w_hh, b_ih, b_hh), strict=True):
            p.copy_(torch.tensor(v))
    assert_close(h, cell(torch.zeros(1, 1, dtype=torch.float64),
                         torch.zeros(1, H, dtype=torch.float64)).detach().numpy(), "gru_cell")


def test_layer_is_the_cell_repeated():
    layer = torch_layer("gru", 3, 4, seed=3)
    w = weights(layer)
    arrays = case("gru", 2, 3, 3, 4, seed=3)
    out, h_n = gru(arrays["x"], arrays["h0"], *w)
    h1 = gru_cell(arrays["x"][0], arrays["h0"], *w)
    assert_close(out[0], h1, "step 1")
    assert_close(h_n, gru_cell(arrays["x"][1], h1, *w), "step 2")


def test_float32_stays_float32():
    w = [a.astype(np.float32) for a in weights(torch_layer("gru", 3, 4, seed=0))]
    out, _, cache = gru_forward(np.ones((2, 1, 3), np.float32), np.zeros((1, 4), np.float32), *w)
    assert out.dtype == np.float32
    assert all(g.dtype == np.float32 for g in gru_backward(np.ones_like(out), None, cache))


def _args(T=4, N=2, D=3, H=5):
    return [np.zeros((T, N, D)), np.zeros((N, H)), np.zeros((3 * H, D)), np.zeros((3 * H, H)),
            np.zeros(3 * H), np.zeros(3 * H)]


@pytest.mark.parametrize("index, bad, message", [
    (0, np.zeros((4, 2, 3, 1)), r"x must have shape \(T, N, D\)"),
    (2, np.zeros((15, 2)), r"weight_ih must have shape \(3H, D\) = \(15, 3\), got \(15, 2\)"),
    (3, np.zeros((5, 5)), r"weight_hh must have shape \(3H, H\), got \(5, 5\)"),
    (1, np.zeros((2, 4)), r"h0 must have shape \(N, H\) = \(2, 5\), got \(2, 4\)"),
    (5, np.zeros(5), r"bias_hh must have shape \(3H,\) = \(15,\), got \(5,\)"),
])
def test_bad_shapes_are_named(index, bad, message):
    args = _args()
    args[index] = bad
    with pytest.raises(ValueError, match=message):
        gru_forward(*args)


def test_bad_upstream_gradient_shape():
    _, _, cache = gru_forward(*_args())
    with pytest.raises(ValueError, match=r"dout must have shape \(T, N, H\)"):
        gru_backward(np.zeros((3, 2, 5)), None, cache)
