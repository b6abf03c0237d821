"""LayerNorm against torch in float64 and a numerical gradient; the layer protocol."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nn.layer_norm import LayerNorm, layer_norm_backward, layer_norm_forward
from dlbook.nn.linear import Linear
from dlbook.nn.module import Layer, Sequential


@pytest.mark.parametrize(
    "shape, normalized", [((4, 6), 6), ((3, 5, 4), (4,)), ((2, 3, 4), (3, 4)), ((5, 1), 1)]
)
def test_layer_norm_matches_torch(shape, normalized):
    rng = np.random.default_rng(len(shape) * 10 + shape[-1])
    nshape = (normalized,) if isinstance(normalized, int) else normalized
    x, dout = rng.normal(1.0, 2.0, size=shape), rng.normal(size=shape)
    w, b = rng.normal(size=nshape), rng.normal(size=nshape)
    ln = torch.nn.LayerNorm(nshape, dtype=torch.float64)
    with torch.no_grad():
        ln.weight.copy_(torch.from_numpy(w))
        ln.bias.copy_(torch.from_numpy(b))
    xt = torch.tensor(x, requires_grad=True)
    yt = ln(xt)
    (yt * torch.from_numpy(dout)).sum().backward()
    out, cache = layer_norm_forward(x, normalized, w, b)
    dx, dw, db = layer_norm_backward(dout, cache)
    np.testing.assert_allclose(out, yt.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg="forward")
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-8, atol=1e-11, err_msg="dx")
    np.testing.assert_allclose(
        dw, ln.weight.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg="dweight"
    )
    np.testing.assert_allclose(db, ln.bias.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg="dbias")


def test_layer_norm_gradient_against_central_differences():
    """Independent of torch: L = sum(y * dout) differentiated numerically in float64."""
    rng = np.random.default_rng(12)
    x, dout = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    w, b = rng.normal(size=4), rng.normal(size=4)
    loss = lambda xx: np.sum(layer_norm_forward(xx, 4, w, b)[0] * dout)  # noqa: E731
    dx = layer_norm_backward(dout, layer_norm_forward(x, 4, w, b)[1])[0]
    h, num = 1e-6, np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        num[idx] = (loss(x + e) - loss(x - e)) / (2 * h)
    np.testing.assert_allclose(dx, num, rtol=1e-6, atol=1e-8)


def test_layer_norm_layer_same_in_both_modes():
    layer = LayerNorm((2, 3))
    x = np.random.default_rng(1).normal(size=(4, 2, 3))
    np.testing.assert_array_equal(layer.train()(x), layer.eval()(x))
    assert [p.shape for p in layer.parameters()] == [(2, 3), (2, 3)]


def test_layer_norm_layer_protocol_and_in_place_grads():
    layer = LayerNorm(3)
    assert isinstance(layer, Layer)
    grads = layer.gradients()
    layer.forward(np.random.default_rng(2).normal(size=(4, 3)))
    layer.backward(np.ones((4, 3)) * [1.0, 2.0, 3.0])
    assert grads[1] is layer.grads["bias"]  # filled in place: references stay valid
    np.testing.assert_allclose(grads[1], [4.0, 8.0, 12.0])  # dbias sums dout over the batch
    assert LayerNorm(2, elementwise_affine=False).parameters() == []
    ours = Sequential(Linear(3, 4, rng=0), LayerNorm(4))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.LayerNorm(4))
    assert list(ours.state_dict()) == list(theirs.state_dict())


@given(st.integers(0, 2**32 - 1), st.floats(-100, 100), st.floats(0.01, 100))
@settings(max_examples=40, deadline=None)
def test_normalized_output_has_zero_mean_unit_variance(seed, shift, scale):
    x = shift + scale * np.random.default_rng(seed).normal(size=(16, 3))
    out, _ = layer_norm_forward(x, 3, eps=0.0)
    np.testing.assert_allclose(out.mean(axis=1), 0.0, atol=1e-9)
    np.testing.assert_allclose(out.var(axis=1), 1.0, rtol=1e-9)


def test_errors():
    with pytest.raises(ValueError, match="last dimensions"):
        layer_norm_forward(np.ones((2, 3)), 4)
    with pytest.raises(ValueError, match=r"weight has shape \(2,\)"):
        layer_norm_forward(np.ones((2, 3)), 3, weight=np.ones(2))
    with pytest.raises(ValueError, match="eps"):
        LayerNorm(3, eps=-1.0)
    with pytest.raises(ValueError, match="normalized_shape"):
        LayerNorm((0,))
    with pytest.raises(RuntimeError, match="before forward"):
        LayerNorm(3).backward(np.ones((1, 3)))
