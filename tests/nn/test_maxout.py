"""Tests for dlbook.nn.maxout (NumPy); the torch twin is tested in test_maxout_torch.py.

Maxout is max-pooling along the feature axis, so ``torch.nn.functional.max_pool1d`` and its
autograd are an independent oracle (float64, rtol 1e-7); hypothesis checks that each unit
dominates its pieces and equals one of them; the Maxout layer's gradients are checked
numerically.
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
from dlbook.nn.gradient_check import gradient_check
from tests.nn.activation_checks import assert_close

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
    h, cache = M.maxout_forward(z, k)
    assert_close(h, pooled.detach().numpy(), f"maxout_forward k={k} vs max_pool1d")
    assert_close(M.maxout_backward(g, cache), dz.numpy(), f"maxout_backward k={k} vs autograd")


def test_maxout_tie_goes_to_first_piece_and_k1_is_identity():
    _, cache = M.maxout_forward([2.0, 2.0], k=2)
    np.testing.assert_array_equal(M.maxout_backward([1.0], cache), [1.0, 0.0])
    z = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(M.maxout(z, 1), z)


def test_maxout_layer_counts_k_times_the_parameters_and_its_gradients_check():
    layer = M.Maxout(10, 4, k=3, rng=0)
    assert layer.num_parameters() == 3 * 4 * (10 + 1)
    x = np.random.default_rng(1).standard_normal((8, 10))
    z = x @ layer.params["weight"].T + layer.params["bias"]
    assert_close(layer.forward(x), M.maxout(z, 3), "Maxout layer vs maxout of the affine map")
    dout = np.random.default_rng(2).standard_normal((8, 4))
    dx = layer.backward(dout)
    loss = lambda: float((layer.forward(x) * dout).sum())  # noqa: E731
    err = gradient_check(loss, layer.parameters(), layer.gradients())
    assert err < 1e-7, f"Maxout parameter gradients differ from finite differences by {err}"
    xt = torch.tensor(x, requires_grad=True)
    w, b = torch.tensor(layer.params["weight"]), torch.tensor(layer.params["bias"])
    out = (xt @ w.T + b).unflatten(-1, (4, 3)).max(dim=-1).values
    (want_dx,) = torch.autograd.grad(out, xt, grad_outputs=torch.tensor(dout))
    assert_close(dx, want_dx.numpy(), "Maxout dx vs autograd")


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 4).map(lambda c: 3 * c)),
              elements=finite))
def test_maxout_dominates_its_pieces(z):
    h = M.maxout(z, 3)
    assert np.all(h[..., None] >= z.reshape(*h.shape, 3))
    assert np.all(np.any(h[..., None] == z.reshape(*h.shape, 3), axis=-1))


@pytest.mark.parametrize("call, error, match", [
    (lambda: M.maxout(np.ones((2, 5)), 2), ValueError, "multiple of k=2"),
    (lambda: M.maxout(np.ones(4), 0), ValueError, "k must be >= 1"),
    (lambda: M.maxout_backward(np.ones(3), M.maxout_forward(np.ones(4), 2)[1]), ValueError,
     r"dout must have shape"),
    (lambda: M.Maxout(3, 2, k=0), ValueError, "k must be >= 1"),
])
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()
