"""Tests for dlbook.nn.maxout (NumPy) and dlbook.nn.maxout_torch (its twin and the Maxout layer).

Maxout is max-pooling along the feature axis, so ``torch.nn.functional.max_pool1d`` and its
autograd are an independent oracle (float64, rtol 1e-7); hypothesis checks that each unit
dominates its pieces and equals one of them.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlbook.nn import maxout as M
from dlbook.nn import maxout_torch as MT
from tests.nn.activation_checks import assert_close, inputs

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_maxout_is_max_pooling_over_features(k):
    rng = np.random.default_rng(7)
    z = rng.standard_normal((6, 4 * k))
    g = rng.standard_normal((6, 4))
    t = torch.tensor(z, requires_grad=True)
    pooled = F.max_pool1d(t.unsqueeze(1), kernel_size=k).squeeze(1)  # (6, 4): an independent oracle
    (dz,) = torch.autograd.grad(pooled, t, grad_outputs=torch.tensor(g))
    assert_close(M.maxout(z, k), pooled.detach().numpy(), f"maxout k={k} vs max_pool1d")
    assert_close(M.maxout_backward(g, z, k), dz.numpy(), f"maxout_backward k={k} vs autograd")
    t2 = torch.tensor(z, requires_grad=True)
    (dz2,) = torch.autograd.grad(MT.maxout(t2, k), t2, grad_outputs=torch.tensor(g))
    assert_close(dz2.numpy(), dz.numpy(), f"autograd of twin maxout k={k}")


def test_maxout_tie_goes_to_first_piece_and_k1_is_identity():
    np.testing.assert_array_equal(M.maxout_backward([1.0], [2.0, 2.0], k=2), [1.0, 0.0])
    z = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(M.maxout(z, 1), z)


def test_maxout_layer_counts_k_times_the_parameters():
    layer = MT.Maxout(10, 4, k=3)
    assert sum(p.numel() for p in layer.parameters()) == 3 * 4 * (10 + 1)
    x = torch.randn(8, 10, dtype=torch.float64)
    layer = layer.double()
    z = layer.linear(x).detach().numpy()
    assert_close(layer(x).detach().numpy(), M.maxout(z, 3), "Maxout layer vs maxout")


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 4).map(lambda c: 3 * c)),
              elements=finite))
def test_maxout_dominates_its_pieces(z):
    h = M.maxout(z, 3)
    assert np.all(h[..., None] >= z.reshape(*h.shape, 3))
    assert np.all(np.any(h[..., None] == z.reshape(*h.shape, 3), axis=-1))


@pytest.mark.parametrize("call, error, match", [
    (lambda: M.maxout(np.ones((2, 5)), 2), ValueError, "multiple of k=2"),
    (lambda: M.maxout(np.ones(4), 0), ValueError, "positive integer"),
    (lambda: M.maxout_backward(np.ones(3), np.ones(4), 2), ValueError, r"expected \(2,\)"),
    (lambda: MT.maxout(torch.ones(5), 2), ValueError, "multiple of k=2"),
    (lambda: MT.maxout(np.ones(4), 2), TypeError, "torch.Tensor"),
    (lambda: MT.Maxout(3, 2, k=0), ValueError, "positive integer"),
])
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_twin_runs_on_cuda_and_agrees_with_cpu():
    z = torch.tensor(inputs(12)[:3000].reshape(100, 30), dtype=torch.float64)
    assert_close(MT.maxout(z.cuda(), 3).cpu().numpy(), MT.maxout(z, 3).numpy(), "maxout cuda")
