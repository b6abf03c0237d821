"""Tests for dlbook.nn.parametric_relu: PReLU and RReLU against torch (values and autograd) in
float64; the torch twin is tested in test_parametric_relu_torch.py."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook.nn import activations as A
from dlbook.nn import parametric_relu as P
from tests.nn.activation_checks import assert_close, inputs


@pytest.mark.parametrize("shape, n_weights", [((5, 3, 4, 4), 3), ((5, 3, 4, 4), 1), ((7, 6), 6),
                                              ((9,), 1)])
def test_prelu_forward_and_backward_match_torch(shape, n_weights):
    rng = np.random.default_rng(8)
    x, g = rng.standard_normal(shape) * 5, rng.standard_normal(shape)
    w = rng.uniform(-0.5, 1.0, n_weights)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    y = F.prelu(tx, tw)
    dx, dw = torch.autograd.grad(y, (tx, tw), grad_outputs=torch.tensor(g))
    assert_close(P.prelu(x, w), y.detach().numpy(), "prelu vs torch")
    out, cache = P.prelu_forward(x, w)
    assert_close(out, y.detach().numpy(), "prelu_forward vs torch")
    mine_dx, mine_dw = P.prelu_backward(g, cache)
    assert_close(mine_dx, dx.numpy(), "prelu dx vs autograd")
    assert_close(mine_dw, dw.numpy(), "prelu dweight vs autograd")
    assert mine_dw.shape == w.shape


def test_rrelu_training_backward_matches_torch_autograd():
    x = inputs(9, 500)
    t = torch.tensor(x, requires_grad=True)
    torch.manual_seed(0)
    y = F.rrelu(t, training=True)
    g = torch.tensor(np.random.default_rng(9).standard_normal(x.shape))
    (dx,) = torch.autograd.grad(y, t, grad_outputs=g)
    slopes = np.where(x > 0, 1.0, y.detach().numpy() / x)  # the slopes torch drew
    assert np.all((slopes[x <= 0] >= 1 / 8) & (slopes[x <= 0] <= 1 / 3))
    assert_close(P.rrelu_backward(g.numpy(), slopes), dx.numpy(), "rrelu_backward vs autograd")


def test_rrelu_slopes_are_uniform_in_training_and_the_mean_in_evaluation():
    lo, hi, n = 0.1, 0.4, 20000
    x = -np.ones(n)
    _, slopes = P.rrelu_forward(x, lo, hi, training=True, rng=np.random.default_rng(10))
    assert slopes.min() >= lo and slopes.max() <= hi
    sd_of_mean = (hi - lo) / np.sqrt(12 * n)
    assert abs(slopes.mean() - (lo + hi) / 2) < 5 * sd_of_mean, slopes.mean()
    assert abs(slopes.var() - (hi - lo) ** 2 / 12) < 0.05 * (hi - lo) ** 2 / 12, slopes.var()
    z = inputs(11)
    want = F.rrelu(torch.tensor(z), lo, hi, training=False).numpy()
    assert_close(P.rrelu(z, lo, hi), want, "rrelu evaluation vs torch")
    assert_close(P.rrelu(z, lo, hi), A.leaky_relu(z, (lo + hi) / 2), "rrelu eval vs leaky")
    a = P.rrelu(x, training=True, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(a, P.rrelu(x, training=True, rng=np.random.default_rng(1)))


def test_inputs_are_not_modified():
    x, w = np.array([-2.0, 3.0]), np.array([0.25])
    before = x.copy()
    _, cache = P.prelu_forward(x, w)
    P.prelu_backward(np.ones(2), cache)
    P.rrelu_forward(x, training=True, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("call, error, match", [
    (lambda: P.rrelu([1.0], lower=0.5, upper=0.1), ValueError, "lower must be <= upper"),
    (lambda: P.rrelu([1.0], lower=-0.1), ValueError, "lower must be >= 0"),
    (lambda: P.rrelu([1.0], training=1), TypeError, "training must be True or False"),
    (lambda: P.prelu(np.ones((2, 3)), [0.1, 0.2]), ValueError, r"shape \(1,\) or \(3,\)"),
    (lambda: P.prelu_backward(np.ones(2), P.prelu_forward(np.ones(3), [0.1])[1]), ValueError,
     "dout has shape"),
    (lambda: P.rrelu_backward(np.ones(2), np.ones(3)), ValueError, "dout has shape"),
])
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()
