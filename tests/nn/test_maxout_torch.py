"""Tests for dlbook.nn.maxout_torch: maxout against max-pooling, and the Maxout layer against the
NumPy layer of dlbook.nn.maxout with the same weights, in float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlbook.nn import maxout as M
from dlbook.nn import maxout_torch as MT
from tests.nn.activation_checks import assert_close, inputs


@pytest.mark.parametrize("k", [1, 2, 3])
def test_twin_maxout_and_its_gradient_match_numpy(k):
    rng = np.random.default_rng(7)
    z, g = rng.standard_normal((6, 4 * k)), rng.standard_normal((6, 4))
    t = torch.tensor(z, requires_grad=True)
    h = MT.maxout(t, k)
    (dz,) = torch.autograd.grad(h, t, grad_outputs=torch.tensor(g))
    assert_close(h.detach().numpy(), M.maxout(z, k), f"twin maxout k={k}")
    assert_close(dz.numpy(), M.maxout_backward(g, M.maxout_forward(z, k)[1]), f"twin grad k={k}")


def test_layer_equals_the_numpy_layer_with_the_same_weights():
    numpy_layer = M.Maxout(10, 4, k=3, rng=0)
    layer = MT.Maxout(10, 4, k=3).double()
    assert sum(p.numel() for p in layer.parameters()) == numpy_layer.num_parameters()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(numpy_layer.params["weight"]))
        layer.bias.copy_(torch.tensor(numpy_layer.params["bias"]))
    x = np.random.default_rng(3).standard_normal((8, 10))
    out = layer(torch.tensor(x, requires_grad=True))
    assert_close(out.detach().numpy(), numpy_layer.forward(x), "torch Maxout vs NumPy Maxout")
    out.sum().backward()
    numpy_layer.backward(np.ones((8, 4)))
    assert_close(layer.weight.grad.numpy(), numpy_layer.grads["weight"], "weight gradients")


@pytest.mark.parametrize("call, error, match", [
    (lambda: MT.maxout(torch.ones(5), 2), ValueError, "multiple of k=2"),
    (lambda: MT.maxout(["a"], 1), TypeError, "real numbers"),
    (lambda: MT.Maxout(3, 2, k=0), ValueError, "k must be >= 1"),
])
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_twin_runs_on_cuda_and_agrees_with_cpu():
    z = torch.tensor(inputs(12)[:3000].reshape(100, 30), dtype=torch.float64)
    assert_close(MT.maxout(z.cuda(), 3).cpu().numpy(), MT.maxout(z, 3).numpy(), "maxout cuda")
