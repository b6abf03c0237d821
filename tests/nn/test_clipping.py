"""Gradient clipping against torch.nn.utils.clip_grad_norm_ / clip_grad_value_ in float64."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nn.clipping import clip_grad_norm, clip_grad_value, grad_norm


def torch_params(grads):
    params = []
    for g in grads:
        p = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        p.grad = torch.from_numpy(g.copy())
        params.append(p)
    return params


@pytest.mark.parametrize("max_norm", [0.1, 1.0, 5.0, 1e3])
@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0, math.inf])
def test_clip_grad_norm_matches_torch(max_norm, norm_type):
    rng = np.random.default_rng(int(max_norm * 10) + int(min(norm_type, 9)))
    grads = [rng.normal(size=(4, 3)) * 3, rng.normal(size=7), rng.normal(size=(2, 2, 2))]
    params = torch_params(grads)
    total_t = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    clipped, total = clip_grad_norm(grads, max_norm, norm_type)
    assert total == pytest.approx(total_t.item(), rel=1e-12)
    for ours, p in zip(clipped, params):
        np.testing.assert_allclose(
            ours, p.grad.numpy(), rtol=1e-12, err_msg="clipped gradient differs"
        )


@pytest.mark.parametrize("clip_value", [0.01, 0.5, 2.0])
def test_clip_grad_value_matches_torch(clip_value):
    rng = np.random.default_rng(7)
    grads = [rng.normal(size=(5, 2)), rng.normal(size=3)]
    params = torch_params(grads)
    torch.nn.utils.clip_grad_value_(params, clip_value)
    for ours, p in zip(clip_grad_value(grads, clip_value), params):
        np.testing.assert_array_equal(ours, p.grad.numpy())


def test_global_norm_is_the_norm_of_the_concatenation():
    rng = np.random.default_rng(2)
    grads = [rng.normal(size=(3, 3)), rng.normal(size=4)]
    flat = np.concatenate([g.ravel() for g in grads])
    assert grad_norm(grads) == pytest.approx(np.sqrt(np.sum(flat**2)), rel=1e-14)
    assert grad_norm(grads, 1.0) == pytest.approx(np.sum(np.abs(flat)), rel=1e-14)


@given(st.integers(0, 2**32 - 1), st.floats(0.01, 100))
@settings(max_examples=50, deadline=None)
def test_norm_clipping_keeps_direction_and_caps_length(seed, max_norm):
    grads = [np.random.default_rng(seed).normal(size=6) * 10]
    (clipped,), total = clip_grad_norm(grads, max_norm)
    assert np.linalg.norm(clipped) <= max_norm * (1 + 1e-12)
    if total > 0:  # same direction: parallel, positive factor
        cos = clipped @ grads[0] / (np.linalg.norm(clipped) * total)
        assert cos == pytest.approx(1.0, abs=1e-12)
    if total <= max_norm:
        np.testing.assert_array_equal(clipped, grads[0])


def test_value_clipping_can_change_direction():
    (clipped,) = clip_grad_value([np.array([10.0, 1.0])], 1.0)
    np.testing.assert_array_equal(clipped, [1.0, 1.0])  # was nearly along x, now at 45 degrees


def test_inputs_not_modified_and_zero_gradient():
    g = np.array([3.0, 4.0])
    clip_grad_norm([g], 1.0)
    clip_grad_value([g], 1.0)
    np.testing.assert_array_equal(g, [3.0, 4.0])
    (z,), total = clip_grad_norm([np.zeros(3)], 1.0)
    assert total == 0.0 and not z.any()


def test_errors():
    with pytest.raises(ValueError, match="max_norm"):
        clip_grad_norm([np.ones(2)], 0.0)
    with pytest.raises(ValueError, match="norm_type"):
        clip_grad_norm([np.ones(2)], 1.0, norm_type=-1)
    with pytest.raises(ValueError, match="clip_value"):
        clip_grad_value([np.ones(2)], -1.0)
    with pytest.raises(ValueError, match="total norm"):
        clip_grad_norm([np.array([np.inf, 1.0])], 1.0, error_if_nonfinite=True)
    with pytest.raises(TypeError, match="real numbers"):
        clip_grad_norm([np.array(["x"])], 1.0)
