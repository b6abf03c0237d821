"""Tests for dlbook.nn.parametric_relu_torch: PReLU and RReLU with autograd, against torch and the
NumPy forward/backward pairs, in float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook.nn import parametric_relu as P
from dlbook.nn import parametric_relu_torch as PT
from tests.nn.activation_checks import assert_close, inputs


@pytest.mark.parametrize("shape, n_weights", [((5, 3, 4, 4), 3), ((7, 6), 1), ((9,), 1)])
def test_prelu_autograd_matches_torch_and_the_numpy_backward(shape, n_weights):
    rng = np.random.default_rng(8)
    x, g = rng.standard_normal(shape) * 5, rng.standard_normal(shape)
    w = rng.uniform(-0.5, 1.0, n_weights)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    y = PT.prelu(tx, tw)
    assert_close(y.detach().numpy(), F.prelu(torch.tensor(x), torch.tensor(w)).numpy(),
                 "twin prelu vs torch")
    dx, dw = torch.autograd.grad(y, (tx, tw), grad_outputs=torch.tensor(g))
    want_dx, want_dw = P.prelu_backward(g, P.prelu_forward(x, w)[1])
    assert_close(dx.numpy(), want_dx, "twin prelu dx vs numpy")
    assert_close(dw.numpy(), want_dw, "twin prelu dweight vs numpy")


def test_rrelu_evaluation_matches_numpy_and_training_draws_in_range():
    z = inputs(11)
    assert_close(PT.rrelu(torch.tensor(z), 0.1, 0.4).numpy(), P.rrelu(z, 0.1, 0.4), "rrelu eval")
    x = -torch.ones(20000, dtype=torch.float64)
    y = PT.rrelu(x, 0.1, 0.4, training=True, rng=torch.Generator().manual_seed(0))
    slopes = -y.numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.4
    assert abs(slopes.mean() - 0.25) < 5 * 0.3 / np.sqrt(12 * 20000)


@pytest.mark.parametrize("call, error, match", [
    (lambda: PT.prelu(torch.ones(2, 3), torch.ones(2)), ValueError, r"\(3,\)"),
    (lambda: PT.rrelu(torch.ones(1), lower=0.5, upper=0.1), ValueError, "lower must be <= upper"),
])
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()
