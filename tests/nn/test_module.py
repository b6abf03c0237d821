"""Layers and Sequential against torch.nn in float64: forward, backward, state_dict, errors."""

import numpy as np
import pytest
import torch

from dlbook.nn.activation_layers import LeakyReLU, ReLU, Sigmoid, Tanh
from dlbook.nn.linear import Linear
from dlbook.nn.module import Layer, Sequential

PAIRS = [(ReLU(), torch.nn.ReLU()), (Sigmoid(), torch.nn.Sigmoid()), (Tanh(), torch.nn.Tanh()),
         (LeakyReLU(0.2), torch.nn.LeakyReLU(0.2))]


@pytest.mark.parametrize("ours, theirs", PAIRS, ids=lambda p: type(p).__name__)
def test_activation_layers_match_autograd(ours, theirs):
    rng = np.random.default_rng(0)
    x, G = rng.normal(scale=3, size=(6, 5)), rng.normal(size=(6, 5))
    xt = torch.tensor(x, requires_grad=True)
    out_t = theirs(xt)
    (out_t * torch.from_numpy(G)).sum().backward()
    np.testing.assert_allclose(
        ours.forward(x), out_t.detach().numpy(), rtol=1e-12, err_msg="forward"
    )
    np.testing.assert_allclose(
        ours.backward(G), xt.grad.numpy(), rtol=1e-10, atol=1e-14, err_msg="backward"
    )


def _mlp(sizes, rng):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(a, b, rng=rng))
        if i < len(sizes) - 2:
            layers.append(ReLU())
    return Sequential(*layers)


def _torch_copy(net):
    mods = []
    for layer in net.layers:
        if isinstance(layer, Linear):
            m = torch.nn.Linear(layer.in_features, layer.out_features, dtype=torch.float64)
        else:
            m = torch.nn.ReLU()
        mods.append(m)
    tnet = torch.nn.Sequential(*mods)
    tnet.load_state_dict({k: torch.from_numpy(v) for k, v in net.state_dict().items()})
    return tnet


@pytest.mark.parametrize("sizes", [[3, 2], [4, 7, 3], [20, 16, 8, 5, 2]])
def test_sequential_matches_torch(sizes):
    rng = np.random.default_rng(len(sizes))
    net = _mlp(sizes, rng)
    tnet = _torch_copy(net)  # also proves the state_dict keys are torch's
    x, G = rng.normal(size=(9, sizes[0])), rng.normal(size=(9, sizes[-1]))
    xt = torch.tensor(x, requires_grad=True)
    out_t = tnet(xt)
    (out_t * torch.from_numpy(G)).sum().backward()
    np.testing.assert_allclose(net.forward(x), out_t.detach().numpy(), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(
        net.backward(G), xt.grad.numpy(), rtol=1e-10, atol=1e-13, err_msg="dx"
    )
    torch_grads = [p.grad.numpy() for p in tnet.parameters()]
    assert len(torch_grads) == len(net.gradients())
    for k, (g, gt) in enumerate(zip(net.gradients(), torch_grads)):
        np.testing.assert_allclose(g, gt, rtol=1e-10, atol=1e-13, err_msg=f"gradient {k}")


def test_parameters_are_the_layer_arrays():
    net = _mlp([3, 4, 2], np.random.default_rng(0))
    params = net.parameters()
    assert params[0] is net[0].params["weight"] and params[3] is net[2].params["bias"]
    params[0][...] = 0.0  # an in-place optimizer update reaches the layer
    assert np.all(net[0].params["weight"] == 0.0)


def test_state_dict_round_trip_and_copies():
    rng = np.random.default_rng(1)
    a, b = _mlp([3, 4, 2], rng), _mlp([3, 4, 2], rng)
    x = rng.normal(size=(5, 3))
    assert not np.allclose(a.forward(x), b.forward(x))
    sd = a.state_dict()
    assert list(sd) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert sd["0.weight"] is not a[0].params["weight"]  # a copy
    b.load_state_dict(sd)
    np.testing.assert_array_equal(a.forward(x), b.forward(x))
    sd["0.weight"][...] = 99.0
    assert not np.any(a[0].params["weight"] == 99.0), "state_dict must return copies"


def test_load_state_dict_errors():
    net = _mlp([3, 4, 2], np.random.default_rng(2))
    sd = net.state_dict()
    missing = {k: v for k, v in sd.items() if k != "2.bias"}
    with pytest.raises(KeyError, match=r"missing keys \['2.bias'\]"):
        net.load_state_dict(missing)
    with pytest.raises(KeyError, match=r"unexpected keys \['5.weight'\]"):
        net.load_state_dict({**sd, "5.weight": np.zeros(1)})
    before = net[0].params["weight"].copy()
    bad = {**sd, "0.weight": np.zeros((4, 3)), "2.weight": np.zeros((3, 4))}
    with pytest.raises(
        ValueError, match=r"2.weight: state_dict has shape \(3, 4\) but the layer has \(2, 4\)"
    ):
        net.load_state_dict(bad)
    np.testing.assert_array_equal(net[0].params["weight"], before)  # nothing half-loaded


def test_buffers_are_saved():
    class WithBuffer(ReLU):
        def __init__(self):
            super().__init__()
            self.buffers["running_mean"] = np.zeros(3)
    net = Sequential(Linear(3, 3, rng=0), WithBuffer())
    assert list(net.state_dict()) == ["0.weight", "0.bias", "1.running_mean"]


def test_train_eval_propagate():
    net = _mlp([3, 4, 2], np.random.default_rng(3))
    net.eval()
    assert not net.training and all(not layer.training for layer in net.layers)
    net.train()
    assert net.training and all(layer.training for layer in net.layers)
    with pytest.raises(TypeError):
        net.train("yes")


def test_zero_grad_in_place():
    net = _mlp([3, 4, 2], np.random.default_rng(4))
    net.forward(np.ones((2, 3)))
    net.backward(np.ones((2, 2)))
    grads = net.gradients()
    net.zero_grad()
    assert all(np.all(g == 0) for g in grads)


def test_errors():
    with pytest.raises(TypeError, match="layer 1"):
        Sequential(ReLU(), "not a layer")
    with pytest.raises(RuntimeError, match="before forward"):
        ReLU().backward(np.ones(3))
    layer = Sigmoid()
    layer.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"dout has shape \(3, 2\)"):
        layer.backward(np.ones((3, 2)))
    assert isinstance(Sequential(), Layer) and Sequential().parameters() == []
