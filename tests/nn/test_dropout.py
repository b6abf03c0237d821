"""Inverted dropout: torch's mask reproduces torch's output and gradient; the expectation holds."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nn.dropout import Dropout, dropout_backward, dropout_forward


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
@pytest.mark.parametrize("shape", [(7,), (16, 10), (4, 3, 5)])
def test_forward_and_backward_match_torch_given_its_mask(p, shape):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape) + 3.0  # no exact zeros, so torch's zeros mark its dropped entries
    dout = rng.normal(size=shape)
    xt = torch.tensor(x, requires_grad=True)
    torch.manual_seed(1)
    yt = torch.nn.functional.dropout(xt, p=p, training=True)
    (yt * torch.from_numpy(dout)).sum().backward()
    mask = yt.detach().numpy() != 0
    out, cache = dropout_forward(x, p, training=True, mask=mask)
    np.testing.assert_allclose(
        out, yt.detach().numpy(), rtol=1e-15, err_msg="forward differs from torch"
    )
    np.testing.assert_allclose(dropout_backward(dout, cache), xt.grad.numpy(), rtol=1e-15,
                               err_msg="backward differs from autograd")


def test_expectation_is_preserved():
    x = np.linspace(-2, 2, 50)
    n = 4000
    outs = np.stack([dropout_forward(x, 0.3, rng=s)[0] for s in range(n)])
    # each entry: mean of n draws of x * Bernoulli(0.7) / 0.7,
    # standard error |x| sqrt(0.3/0.7) / sqrt(n)
    se = np.abs(x) * np.sqrt(0.3 / 0.7) / np.sqrt(n)
    assert np.all(np.abs(outs.mean(axis=0) - x) <= 5 * se + 1e-12)


def test_keep_fraction_is_one_minus_p():
    _, cache = dropout_forward(np.ones(100_000), p=0.25, rng=0)
    kept = (cache > 0).mean()
    assert abs(kept - 0.75) < 5 * np.sqrt(0.75 * 0.25 / 100_000)
    assert set(np.unique(cache)) == {0.0, 1 / 0.75}


def test_evaluation_is_identity_and_p_edges():
    x = np.arange(6.0).reshape(2, 3)
    out, cache = dropout_forward(x, 0.9, training=False)
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(dropout_backward(np.ones_like(x), cache), np.ones_like(x))
    np.testing.assert_array_equal(dropout_forward(x, 0.0, rng=0)[0], x)
    np.testing.assert_array_equal(dropout_forward(x, 1.0, rng=0)[0], np.zeros_like(x))
    np.testing.assert_array_equal(
        torch.nn.functional.dropout(torch.from_numpy(x), 1.0).numpy(), np.zeros_like(x)
    )


@given(st.integers(0, 2**32 - 1), st.floats(0.0, 0.95))
@settings(max_examples=30, deadline=None)
def test_backward_uses_the_forward_mask(seed, p):
    x = np.random.default_rng(seed).normal(size=(5, 4))
    out, cache = dropout_forward(x, p, rng=seed)
    dx = dropout_backward(np.ones_like(x), cache)
    # out = x * dx exactly: the same mask and scale in both directions
    np.testing.assert_allclose(out, x * dx, rtol=1e-15)
    assert np.array_equal(dx == 0, out == 0) or np.any(x == 0)


def test_layer_protocol():
    layer = Dropout(0.5, rng=0)
    assert layer.params == {} and layer.parameters() == [] and layer.gradients() == []
    x = np.ones((3, 4))
    y = layer.forward(x)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), y)  # x = 1: dx equals the output
    assert layer.eval() is layer and not layer.training
    np.testing.assert_array_equal(layer(x), x)
    assert layer.train().training
    with pytest.raises(RuntimeError, match="before forward"):
        Dropout(0.2).backward(x)
    assert repr(layer) == "Dropout(p=0.5)"


def test_does_not_modify_input():
    x = np.ones(10)
    dropout_forward(x, 0.5, rng=0)
    np.testing.assert_array_equal(x, np.ones(10))


@pytest.mark.parametrize("p, error", [(-0.1, ValueError), (1.5, ValueError), (True, TypeError),
                                      ("0.5", TypeError)])
def test_bad_p(p, error):
    with pytest.raises(error, match="p must"):
        dropout_forward(np.ones(3), p)


def test_bad_mask_and_dout_shapes():
    with pytest.raises(ValueError, match="mask has shape"):
        dropout_forward(np.ones(3), 0.5, mask=[True, False])
    _, cache = dropout_forward(np.ones(3), 0.5, rng=0)
    with pytest.raises(ValueError, match="dout has shape"):
        dropout_backward(np.ones(4), cache)
