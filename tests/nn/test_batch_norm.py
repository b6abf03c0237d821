"""BatchNorm1d against torch in float64: outputs, gradients, running statistics, layer protocol."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nn.batch_norm import (
    BatchNorm1d,
    batch_norm_backward,
    batch_norm_forward,
    batch_norm_running_stats,
)
from dlbook.nn.linear import Linear
from dlbook.nn.module import Layer, Sequential

BN_SHAPES = [(2, 1), (8, 3), (32, 10), (4, 3, 5), (2, 2, 1)]


def torch_bn(C, momentum, weight, bias, rm, rv):
    bn = torch.nn.BatchNorm1d(C, momentum=momentum, dtype=torch.float64)
    with torch.no_grad():
        bn.weight.copy_(torch.from_numpy(weight))
        bn.bias.copy_(torch.from_numpy(bias))
        bn.running_mean.copy_(torch.from_numpy(rm))
        bn.running_var.copy_(torch.from_numpy(rv))
    return bn


@pytest.mark.parametrize("shape", BN_SHAPES)
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_matches_torch(shape, training):
    rng = np.random.default_rng(sum(shape))
    C = shape[1]
    x = rng.normal(2.0, 3.0, size=shape)
    dout = rng.normal(size=shape)
    w, b = rng.normal(size=C), rng.normal(size=C)
    rm, rv = rng.normal(size=C), rng.uniform(0.5, 2.0, size=C)
    bn = torch_bn(C, 0.1, w, b, rm, rv).train(training)
    xt = torch.tensor(x, requires_grad=True)
    yt = bn(xt)
    (yt * torch.from_numpy(dout)).sum().backward()

    out, cache = batch_norm_forward(x, w, b, rm, rv, training=training)
    dx, dw, db = batch_norm_backward(dout, cache)
    np.testing.assert_allclose(out, yt.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg="forward")
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-8, atol=1e-11, err_msg="dx")
    np.testing.assert_allclose(
        dw, bn.weight.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg="dweight"
    )
    np.testing.assert_allclose(db, bn.bias.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg="dbias")
    if training:
        new_m, new_v = batch_norm_running_stats(rm, rv, x, 0.1)
        np.testing.assert_allclose(
            new_m, bn.running_mean.numpy(), rtol=1e-12, err_msg="running_mean"
        )
        np.testing.assert_allclose(new_v, bn.running_var.numpy(), rtol=1e-12, err_msg="running_var")


def test_batch_norm_without_affine_matches_torch():
    rng = np.random.default_rng(5)
    x, dout = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.batch_norm(xt, None, None, training=True)
    (yt * torch.from_numpy(dout)).sum().backward()
    out, cache = batch_norm_forward(x)
    np.testing.assert_allclose(out, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        batch_norm_backward(dout, cache)[0], xt.grad.numpy(), rtol=1e-8, atol=1e-11
    )


def test_batch_norm_gradient_against_central_differences():
    """Independent of torch: L = sum(y * dout) differentiated numerically in float64."""
    rng = np.random.default_rng(11)
    x, dout, w, b = (
        rng.normal(size=(5, 3)),
        rng.normal(size=(5, 3)),
        rng.normal(size=3),
        rng.normal(size=3),
    )
    loss = lambda xx: np.sum(batch_norm_forward(xx, w, b)[0] * dout)  # noqa: E731
    dx = batch_norm_backward(dout, batch_norm_forward(x, w, b)[1])[0]
    h, num = 1e-6, np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        num[idx] = (loss(x + e) - loss(x - e)) / (2 * h)
    np.testing.assert_allclose(dx, num, rtol=1e-6, atol=1e-8)


def test_layer_keeps_running_stats_like_torch_over_several_batches():
    rng = np.random.default_rng(3)
    ours = BatchNorm1d(4, momentum=0.3)
    theirs = torch.nn.BatchNorm1d(4, momentum=0.3, dtype=torch.float64)
    for _ in range(5):
        x = rng.normal(1.0, 2.0, size=(10, 4))
        ours.forward(x)
        theirs(torch.from_numpy(x))
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(
            ours.buffers[name], getattr(theirs, name).numpy(), rtol=1e-12, err_msg=name
        )
    assert int(ours.buffers["num_batches_tracked"]) == int(theirs.num_batches_tracked) == 5
    x = rng.normal(size=(3, 4))
    ours.eval(), theirs.eval()
    np.testing.assert_allclose(ours(x), theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-10)
    before = ours.buffers["running_mean"].copy()
    ours(x)  # evaluation does not touch the buffers
    np.testing.assert_array_equal(ours.buffers["running_mean"], before)


def test_batch_norm_layer_protocol_and_in_place_grads():
    layer = BatchNorm1d(3)
    params, grads = layer.parameters(), layer.gradients()
    assert params[0] is layer.params["weight"] and params[1] is layer.params["bias"]
    x = np.random.default_rng(0).normal(size=(4, 3))
    layer.forward(x)
    layer.backward(np.ones((4, 3)) * [1.0, 2.0, 3.0])
    assert grads[1] is layer.grads["bias"]  # filled in place: references stay valid
    np.testing.assert_allclose(grads[1], [4.0, 8.0, 12.0])
    assert BatchNorm1d(2, affine=False).parameters() == []


def test_batch_norm_layer_is_a_layer_and_saves_like_torch():
    """As a Layer subclass it stacks in Sequential with torch's state_dict keys, buffers
    included."""
    ours = Sequential(Linear(3, 4, rng=0), BatchNorm1d(4))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    assert isinstance(ours[1], Layer)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.eval()
    assert not ours[1].training
    with pytest.raises(TypeError, match="mode must be True or False"):
        BatchNorm1d(2).train("no")


@given(st.integers(0, 2**32 - 1), st.floats(-100, 100), st.floats(0.01, 100))
@settings(max_examples=40, deadline=None)
def test_normalized_output_has_zero_mean_unit_variance(seed, shift, scale):
    x = shift + scale * np.random.default_rng(seed).normal(size=(16, 3))
    out, _ = batch_norm_forward(x, eps=0.0)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(out.var(axis=0), 1.0, rtol=1e-9)


def test_errors():
    with pytest.raises(ValueError, match=r"\(N, C\) or \(N, C, L\)"):
        batch_norm_forward(np.ones(3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        batch_norm_forward(np.ones((1, 3)))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        torch.nn.functional.batch_norm(torch.ones(1, 3), None, None, training=True)
    with pytest.raises(ValueError, match="running_mean and running_var"):
        batch_norm_forward(np.ones((2, 3)), training=False)
    with pytest.raises(ValueError, match=r"weight has shape \(2,\)"):
        batch_norm_forward(np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm1d(3, momentum=1.5)
    with pytest.raises(ValueError, match="num_features"):
        BatchNorm1d(0)
    with pytest.raises(RuntimeError, match="before forward"):
        BatchNorm1d(3).backward(np.ones((2, 3)))
