"""The NumPy LSTM and its backpropagation through time against torch.nn.LSTM (float64, the same
weights copied in), and its input checks."""

from __future__ import annotations

import numpy as np
import pytest

from dlbook.nlp.lstm import lstm, lstm_backward, lstm_cell, lstm_forward
from tests.nlp.recurrent_oracle import SHAPES, assert_close, case, reference, torch_layer, weights


@pytest.mark.parametrize("shape", SHAPES, ids=[str(s) for s in SHAPES])
def test_forward_and_every_gradient_equal_torch(shape):
    T, N, D, H = shape
    layer = torch_layer("lstm", D, H, seed=T * 100 + H)
    arrays = case("lstm", T, N, D, H, seed=N * 10 + D)
    want = reference("lstm", layer, arrays)
    out, h_n, c_n, cache = lstm_forward(arrays["x"], arrays["h0"], arrays["c0"], *weights(layer))
    for name, got in (("out", out), ("h_n", h_n), ("c_n", c_n)):
        assert_close(got, want[name], name)
    grads = lstm_backward(arrays["dout"], arrays["dh_n"], arrays["dc_n"], cache)
    names = ["dx", "dh0", "dc0", "dweight_ih", "dweight_hh", "dbias_ih", "dbias_hh"]
    for name, got in zip(names, grads, strict=True):
        assert_close(got, want[name], name)


def test_gate_order_is_i_f_g_o():
    """Only the forget gate's bias open and c0 = 1: c stays 1 only if block 2 is the forget
    gate; the output gate (block 4) shut makes h = 0."""
    H = 1
    b = np.array([-30.0, 30.0, 0.0, -30.0])          # i shut, f open, g free, o shut
    z = np.zeros((4 * H, 1))
    out, h_n, c_n = lstm(np.ones((20, 1, 1)), [[0.0]], [[1.0]], z, z, b, np.zeros(4))
    assert abs(c_n[0, 0] - 1.0) < 1e-9 and abs(h_n[0, 0]) < 1e-9


def test_layer_is_the_cell_repeated():
    w = weights(torch_layer("lstm", 3, 4, seed=3))
    arrays = case("lstm", 2, 3, 3, 4, seed=3)
    out, h_n, c_n = lstm(arrays["x"], arrays["h0"], arrays["c0"], *w)
    h1, c1 = lstm_cell(arrays["x"][0], arrays["h0"], arrays["c0"], *w)
    h2, c2 = lstm_cell(arrays["x"][1], h1, c1, *w)
    assert_close(out[0], h1, "step 1")
    assert_close(h_n, h2, "h step 2")
    assert_close(c_n, c2, "c step 2")


def test_cell_gradient_passes_through_the_forget_gate_only():
    """With every weight zero, dL/dc0 = f^T dL/dc_T = 2^-T: no weight matrix in the way."""
    z = np.zeros((4, 1))
    _, _, _, cache = lstm_forward(np.zeros((10, 1, 1)), [[0.0]], [[0.0]], z, z, np.zeros(4),
                                  np.zeros(4))
    dc0 = lstm_backward(None, None, np.ones((1, 1)), cache)[2]
    assert dc0[0, 0] == pytest.approx(2.0 ** -10, rel=1e-14)


def test_float32_stays_float32():
    w = [a.astype(np.float32) for a in weights(torch_layer("lstm", 3, 4, seed=0))]
    zero = np.zeros((1, 4), np.float32)
    out, _, _, cache = lstm_forward(np.ones((2, 1, 3), np.float32), zero, zero, *w)
    assert out.dtype == np.float32
    assert all(g.dtype == np.float32 for g in lstm_backward(np.ones_like(out), None, None, cache))


def _args(T=4, N=2, D=3, H=5):
    return [np.zeros((T, N, D)), np.zeros((N, H)), np.zeros((N, H)), np.zeros((4 * H, D)),
            np.zeros((4 * H, H)), np.zeros(4 * H), np.zeros(4 * H)]


@pytest.mark.parametrize("index, bad, message", [
    (0, np.zeros(3), r"x must have shape \(T, N, D\)"),
    (3, np.zeros((20, 7)), r"weight_ih must have shape \(4H, D\) = \(20, 3\), got \(20, 7\)"),
    (4, np.zeros((15, 5)), r"weight_hh must have shape \(4H, H\), got \(15, 5\)"),
    (1, np.zeros((3, 5)), r"h0 must have shape \(N, H\) = \(2, 5\), got \(3, 5\)"),
    (2, np.zeros((2, 4)), r"c0 must have shape \(N, H\) = \(2, 5\), got \(2, 4\)"),
    (6, np.zeros(5), r"bias_hh must have shape \(4H,\) = \(20,\), got \(5,\)"),
])
def test_bad_shapes_are_named(index, bad, message):
    args = _args()
    args[index] = bad
    with pytest.raises(ValueError, match=message):
        lstm_forward(*args)


def test_bad_upstream_gradient_shape():
    _, _, _, cache = lstm_forward(*_args())
    with pytest.raises(ValueError, match=r"dc_n must have shape \(N, H\)"):
        lstm_backward(None, None, np.zeros((5, 2)), cache)
