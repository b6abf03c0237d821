"""Tests for dlbook.nn.activations_torch: each function against torch.nn.functional (values) and
its autograd gradient against the NumPy ``*_derivative`` of dlbook.nn.activations, in float64.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlbook.nn import activations_torch as T
from tests.nn.activation_checks import ELEMENTWISE, IDS, assert_close, inputs, torch_value_and_grad


@pytest.mark.parametrize("name, f, fder, ref, kw", ELEMENTWISE, ids=IDS)
def test_twin_matches_functional_and_numpy_derivative(name, f, fder, ref, kw):
    x = inputs(2)
    want_value, _ = torch_value_and_grad(ref, x, **kw)
    value, grad = torch_value_and_grad(getattr(T, f.__name__), x, **kw)
    assert_close(value, want_value, f"twin {name} value vs torch", x=x)
    # autograd through the twin's stable formulas is exact: no absolute slack needed
    assert_close(grad, fder(x, **kw), f"autograd of twin {name} vs numpy derivative", x=x)
    assert_close(value, f(x, **kw), f"twin {name} value vs numpy", x=x)


@pytest.mark.parametrize("name, f, fder, ref, kw", ELEMENTWISE, ids=IDS)
def test_twin_gradient_at_kinks_follows_torch(name, f, fder, ref, kw):
    x = np.array([0.0, -3.0, 3.0, -2.5, 2.5])  # 0 and the hard sigmoid corners
    _, want = torch_value_and_grad(ref, x, **kw)
    _, twin_grad = torch_value_and_grad(getattr(T, f.__name__), x, **kw)
    assert_close(twin_grad, want, f"twin {name} gradient at kinks vs torch", x=x)


def test_array_likes_become_tensors_as_in_numpy():
    assert T.sigmoid([0.0]).tolist() == [0.5]
    assert T.relu(torch.tensor([-1, 2])).dtype == torch.get_default_dtype()


@pytest.mark.parametrize("call, error, match", [
    (lambda: T.sigmoid(["a"]), TypeError, "real numbers"),
    (lambda: T.relu(torch.tensor([1j])), TypeError, "real numbers"),
    (lambda: T.leaky_relu(torch.ones(1), negative_slope="0.1"), TypeError, "negative_slope"),
    (lambda: T.softplus(torch.ones(1), beta=0.0), ValueError, "beta must be > 0"),
])
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_twin_runs_on_cuda_and_agrees_with_cpu():
    x = torch.tensor(inputs(12), dtype=torch.float64)
    for name, f, _, _, kw in ELEMENTWISE:
        cpu = getattr(T, f.__name__)(x, **kw)
        gpu = getattr(T, f.__name__)(x.cuda(), **kw).cpu()
        assert_close(gpu.numpy(), cpu.numpy(), f"twin {name} on cuda vs cpu")
