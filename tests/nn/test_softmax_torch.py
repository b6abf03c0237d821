"""Tests for dlbook.nn.softmax_torch: values and autograd against torch.nn.functional.softmax and
the NumPy backward pass of dlbook.nn.softmax, in float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook.nn import softmax as S
from dlbook.nn import softmax_torch as ST
from tests.nn.activation_checks import assert_close, inputs


@pytest.mark.parametrize("shape, dim", [((7,), -1), ((4, 5), -1), ((4, 5), 0), ((2, 3, 6), 1)])
def test_twin_matches_torch_and_the_numpy_backward(shape, dim):
    rng = np.random.default_rng(4)
    x, g = rng.standard_normal(shape) * 30.0, rng.standard_normal(shape)
    t = torch.tensor(x, requires_grad=True)
    y = ST.softmax(t, dim=dim)
    (dx,) = torch.autograd.grad(y, t, grad_outputs=torch.tensor(g))
    assert_close(y.detach().numpy(), F.softmax(torch.tensor(x), dim=dim).numpy(),
                 "twin softmax vs torch")
    # each gradient entry is y_i (g_i - <g, y>), a difference of O(1) numbers: compare it to
    # an absolute accuracy of ~100 ulps of |g| where the two routes round differently
    want = S.softmax_backward(g, S.softmax_forward(x, dim)[1])
    assert_close(dx.numpy(), want, "autograd of twin softmax vs numpy backward", atol=1e-13)


def test_twin_survives_huge_logits():
    x = np.array([[1000.0, 999.0, -1000.0], [-800.0, -800.0, -801.0]])
    t = torch.tensor(x, requires_grad=True)
    y = ST.softmax(t)
    (g,) = torch.autograd.grad(y[:, 0].sum(), t)
    assert_close(y.detach().numpy(), F.softmax(torch.tensor(x), dim=-1).numpy(), "huge logits")
    assert torch.isfinite(g).all(), g


def test_bad_input_raises_a_clear_error():
    with pytest.raises(TypeError, match="real numbers"):
        ST.softmax(["a", "b"])


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_twin_runs_on_cuda_and_agrees_with_cpu():
    z = torch.tensor(inputs(12)[:3000].reshape(100, 30), dtype=torch.float64)
    assert_close(ST.softmax(z.cuda()).cpu().numpy(), ST.softmax(z).numpy(), "softmax cuda vs cpu")
