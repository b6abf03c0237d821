"""NumPy CNN layers against the same torch network (copied weights), float64."""

import math

import numpy as np
import pytest
import torch

from dlbook.cnn.layers import AvgPool2d, Conv2d, Flatten, MaxPool2d
from dlbook.nn.activation_layers import ReLU
from dlbook.nn.linear import Linear
from dlbook.nn.module import Sequential


def _pair_networks(seed=0):
    rng = np.random.default_rng(seed)
    ours = Sequential(Conv2d(2, 5, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2),
                      Conv2d(5, 6, (3, 2), stride=(1, 2), padding=(1, 0), rng=rng), ReLU(),
                      AvgPool2d(2, stride=1), Flatten(), Linear(6 * 4 * 1, 3, rng=rng))
    nn = torch.nn
    ref = nn.Sequential(nn.Conv2d(2, 5, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(5, 6, (3, 2), stride=(1, 2), padding=(1, 0)), nn.ReLU(),
                        nn.AvgPool2d(2, stride=1), nn.Flatten(), nn.Linear(24, 3)).double()
    ref.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    return ours, ref


def test_state_dict_names_and_shapes_match_torch():
    ours, ref = _pair_networks()
    mine = {k: v.shape for k, v in ours.state_dict().items()}
    theirs = {k: tuple(v.shape) for k, v in ref.state_dict().items()}
    assert mine == theirs


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_forward_and_every_gradient_match_torch(seed):
    ours, ref = _pair_networks(seed)
    rng = np.random.default_rng(100 + seed)
    x = rng.standard_normal((4, 2, 10, 8))
    dout = rng.standard_normal((4, 3))
    out = ours.forward(x)
    dx = ours.backward(dout)
    xt = torch.from_numpy(x).requires_grad_(True)
    out_t = ref(xt)
    out_t.backward(torch.from_numpy(dout))
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-10, atol=1e-12,
                               err_msg="forward")
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg="dL/dx")
    grads = dict(zip(ours.state_dict().keys(), ours.gradients()))
    for name, p in ref.named_parameters():
        np.testing.assert_allclose(grads[name], p.grad.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=f"gradient of {name}")


def test_numerical_gradient_of_conv_weight():
    rng = np.random.default_rng(5)
    conv = Conv2d(2, 3, 2, stride=2, padding=1, rng=rng)
    x = rng.standard_normal((2, 2, 5, 5))
    c = rng.standard_normal(conv(x).shape)
    conv.backward(c)
    w = conv.params["weight"]
    num = np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        old = w[idx]
        w[idx] = old + 1e-6
        plus = (conv(x) * c).sum()
        w[idx] = old - 1e-6
        minus = (conv(x) * c).sum()
        w[idx] = old
        num[idx] = (plus - minus) / 2e-6
    np.testing.assert_allclose(conv.grads["weight"], num, rtol=1e-7, atol=1e-8)


def test_init_bounds_like_torch():
    conv = Conv2d(3, 64, 5, rng=0)
    bound = 1 / math.sqrt(3 * 25)
    w, b = conv.params["weight"], conv.params["bias"]
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # uniform on [-bound, bound]: the sample's spread is close to the whole interval
    assert np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound


@pytest.mark.parametrize("c, k, ks, bias", [(1, 16, 3, True), (16, 32, 3, True), (3, 10, 3, True),
                                             (3, 8, (5, 1), False)])
def test_param_count_matches_torch(c, k, ks, bias):
    n_torch = sum(p.numel() for p in torch.nn.Conv2d(c, k, ks, bias=bias).parameters())
    assert Conv2d(c, k, ks, bias=bias, rng=0).num_parameters() == n_torch


def test_gradients_are_written_in_place():
    conv = Conv2d(1, 2, 3, rng=0)
    g = conv.grads["weight"]
    conv(np.ones((1, 1, 4, 4)))
    conv.backward(np.ones((1, 2, 2, 2)))
    assert conv.gradients()[0] is g and np.all(g == 4.0)


def test_errors():
    with pytest.raises(ValueError, match=r"expects input of shape \(N, 3, H, W\)"):
        Conv2d(3, 4, 3, rng=0)(np.zeros((1, 2, 8, 8)))
    with pytest.raises(ValueError, match="stride"):
        Conv2d(3, 4, 3, stride=0)
    # one policy with conv2d_forward: a 3-tuple where a pair belongs is a ValueError
    with pytest.raises(ValueError, match="stride must be an int or a pair"):
        Conv2d(3, 4, 3, stride=(1, 1, 1))
    with pytest.raises(ValueError, match="kernel_size must be an int or a pair"):
        MaxPool2d((2, 2, 2))
    with pytest.raises(TypeError, match="kernel_size"):
        MaxPool2d(2.5)
    with pytest.raises(ValueError, match=r"x must have at least 2 dimension\(s\)"):
        Flatten()(np.zeros(3))
    with pytest.raises(RuntimeError, match="before forward"):
        MaxPool2d(2).backward(np.zeros((1, 1, 1, 1)))
    f = Flatten()
    f(np.zeros((2, 3, 2)))
    with pytest.raises(ValueError, match=r"dout must have shape \(N, C\*H\*W\) = \(2, 6\)"):
        f.backward(np.zeros((2, 5)))
