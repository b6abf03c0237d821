"""Activation layers of dlbook.nn.activation_layers against torch.nn in float64.

Forward equals the torch.nn layer, backward equals torch autograd (loss sum(out * G) with a
random G, so dout = G), and every layer passes a numerical gradient check inside a Sequential
with Linear layers.
"""

import numpy as np
import pytest
import torch

from dlbook.nn.activation_layers import (
    ELU,
    SELU,
    Hardsigmoid,
    PReLU,
    RReLU,
    Softmax,
    Softplus,
)
from dlbook.nn.gradient_check import gradient_check
from dlbook.nn.linear import Linear
from dlbook.nn.module import Sequential

RTOL = 1e-10

# (our layer, torch layer, input scale); scale 4 reaches Hardsigmoid's flat parts and
# Softplus' torch threshold (beta * x > 20 for beta = 6).
PAIRS = [
    (lambda: ELU(), lambda: torch.nn.ELU(), 3.0),
    (lambda: ELU(alpha=0.4), lambda: torch.nn.ELU(alpha=0.4), 3.0),
    (lambda: SELU(), lambda: torch.nn.SELU(), 3.0),
    (lambda: Softplus(), lambda: torch.nn.Softplus(), 3.0),
    (lambda: Softplus(beta=6.0), lambda: torch.nn.Softplus(beta=6.0), 4.0),
    (lambda: Hardsigmoid(), lambda: torch.nn.Hardsigmoid(), 4.0),
    (lambda: Softmax(dim=-1), lambda: torch.nn.Softmax(dim=-1), 3.0),
    (lambda: Softmax(dim=1), lambda: torch.nn.Softmax(dim=1), 3.0),
    (lambda: RReLU().eval(), lambda: torch.nn.RReLU().eval(), 3.0),
    (lambda: RReLU(0.1, 0.5).eval(), lambda: torch.nn.RReLU(0.1, 0.5).eval(), 3.0),
]
IDS = ["ELU", "ELU-0.4", "SELU", "Softplus", "Softplus-6", "Hardsigmoid", "Softmax-last",
       "Softmax-1", "RReLU-eval", "RReLU-eval-0.1-0.5"]


def _torch_forward_backward(module, x, G):
    xt = torch.tensor(x, requires_grad=True)
    out = module(xt)
    (out * torch.from_numpy(G)).sum().backward()
    return out.detach().numpy(), xt.grad.numpy()


@pytest.mark.parametrize("make_ours, make_theirs, scale", PAIRS, ids=IDS)
@pytest.mark.parametrize("shape", [(7, 5), (3, 4, 2, 3)])
def test_matches_torch(make_ours, make_theirs, scale, shape):
    rng = np.random.default_rng(sum(shape))
    x, G = rng.normal(scale=scale, size=shape), rng.normal(size=shape)
    ours = make_ours()
    out_t, dx_t = _torch_forward_backward(make_theirs(), x, G)
    np.testing.assert_allclose(ours.forward(x), out_t, rtol=RTOL, atol=1e-14,
                               err_msg=f"{ours!r}: forward differs from torch")
    # torch's CPU hardsigmoid backward multiplies by float32(1/6) = 1/6 * (1 + 3e-8) even in
    # float64 (test_hardsigmoid_slope_is_exactly_one_sixth checks ours against 1/6 itself)
    rtol = 1e-7 if isinstance(ours, Hardsigmoid) else 1e-8
    np.testing.assert_allclose(ours.backward(G), dx_t, rtol=rtol, atol=1e-14,
                               err_msg=f"{ours!r}: backward differs from torch autograd")


def test_hardsigmoid_slope_is_exactly_one_sixth():
    x = np.array([-3.5, -2.9, 0.0, 2.9, 3.5])
    layer = Hardsigmoid()
    np.testing.assert_allclose(
        layer.forward(x), np.minimum(np.maximum(x + 3, 0), 6) / 6, rtol=1e-14
    )
    np.testing.assert_array_equal(layer.backward(np.full(5, 3.0)), [0.0, 0.5, 0.5, 0.5, 0.0])


def test_softplus_threshold_region_differs_only_slightly():
    # torch returns x itself above the threshold; ours is exact: log1p(exp(-20.5)) ~ 1.25e-9
    x = np.array([20.5])
    ours = Softplus().forward(x)[0]
    assert ours - 20.5 == pytest.approx(np.log1p(np.exp(-20.5)), rel=1e-6)
    assert torch.nn.Softplus()(torch.tensor(x)).item() == 20.5


@pytest.mark.parametrize(
    "num, shape", [(1, (6, 4)), (4, (6, 4)), (3, (2, 3, 4, 5)), (1, (2, 3, 4, 5)), (1, (5,))]
)
def test_prelu_matches_torch(num, shape):
    rng = np.random.default_rng(num + len(shape))
    x, G = rng.normal(size=shape), rng.normal(size=shape)
    w = rng.uniform(-0.5, 0.8, size=num)
    ours = PReLU(num)
    ours.params["weight"][...] = w
    theirs = torch.nn.PReLU(num, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(w))
    out_t, dx_t = _torch_forward_backward(theirs, x, G)
    np.testing.assert_allclose(ours.forward(x), out_t, rtol=RTOL, err_msg="PReLU forward")
    dw_ref = ours.grads["weight"]
    np.testing.assert_allclose(ours.backward(G), dx_t, rtol=RTOL, atol=1e-14, err_msg="PReLU dx")
    assert ours.grads["weight"] is dw_ref, "backward must write the weight gradient in place"
    np.testing.assert_allclose(ours.grads["weight"], theirs.weight.grad.numpy(), rtol=RTOL,
                               err_msg="PReLU dweight")


def test_prelu_defaults_and_parameters():
    layer = PReLU()
    assert layer.params["weight"].shape == (1,) and layer.params["weight"][0] == 0.25
    assert layer.parameters()[0] is layer.params["weight"]
    assert PReLU(3, init=-0.1).params["weight"].tolist() == [-0.1, -0.1, -0.1]
    np.testing.assert_array_equal(
        PReLU(3).params["weight"], torch.nn.PReLU(3).weight.detach().numpy()
    )


def test_prelu_state_dict_names_match_torch():
    rng = np.random.default_rng(5)
    net = Sequential(Linear(4, 3, rng=rng), PReLU(3), Linear(3, 2, rng=rng), PReLU())
    net[1].params["weight"][...] = rng.uniform(0, 0.5, size=3)
    tnet = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.PReLU(3), torch.nn.Linear(3, 2),
                               torch.nn.PReLU()).double()
    assert list(net.state_dict()) == list(tnet.state_dict())
    tnet.load_state_dict({k: torch.from_numpy(v) for k, v in net.state_dict().items()})
    x, G = rng.normal(size=(6, 4)), rng.normal(size=(6, 2))
    out_t, dx_t = _torch_forward_backward(tnet, x, G)
    np.testing.assert_allclose(net.forward(x), out_t, rtol=RTOL, atol=1e-14)
    np.testing.assert_allclose(net.backward(G), dx_t, rtol=RTOL, atol=1e-14)
    for k, (g, p) in enumerate(zip(net.gradients(), tnet.parameters())):
        np.testing.assert_allclose(
            g, p.grad.numpy(), rtol=RTOL, atol=1e-14, err_msg=f"gradient {k}"
        )


def test_rrelu_training_mode():
    lower, upper = 0.1, 0.4
    layer = RReLU(lower, upper, rng=np.random.default_rng(0))
    rng = np.random.default_rng(1)
    x, G = rng.normal(size=(50, 40)), rng.normal(size=(50, 40))
    out = layer.forward(x)
    neg = x <= 0
    slope = out[neg] / x[neg]
    assert np.all((slope >= lower) & (slope <= upper)), "training slopes must lie in [lower, upper]"
    assert slope.std() == pytest.approx((upper - lower) / np.sqrt(12), rel=0.1), (
        "not uniform-looking"
    )
    np.testing.assert_array_equal(out[~neg], x[~neg])
    # backward uses the very slopes of the forward pass
    expected = np.where(neg, out / np.where(neg, x, 1.0), 1.0) * G
    np.testing.assert_allclose(layer.backward(G), expected, rtol=1e-12)
    # torch's training mode draws the same kind of slopes
    xt = torch.tensor(x)
    out_t = torch.nn.RReLU(lower, upper).train()(xt).numpy()
    slope_t = out_t[neg] / x[neg]
    assert np.all((slope_t >= lower) & (slope_t <= upper))
    assert abs(slope_t.mean() - slope.mean()) < 0.01
    # a fresh draw each forward pass, reproducible from the seed
    assert not np.array_equal(layer.forward(x), out)
    np.testing.assert_array_equal(
        RReLU(lower, upper, rng=0).forward(x), RReLU(lower, upper, rng=0).forward(x)
    )


def test_train_eval_switch_rrelu_only():
    x = np.random.default_rng(2).normal(size=(4, 6))
    r = RReLU(rng=0)
    mean_slope = (1 / 8 + 1 / 3) / 2
    eval_out = np.where(x > 0, x, mean_slope * x)
    np.testing.assert_allclose(r.eval().forward(x), eval_out, rtol=1e-15)
    assert not np.allclose(r.train().forward(x), eval_out)
    net = Sequential(Linear(6, 6, rng=0), ELU(), PReLU(), Softmax())
    out_train = net.forward(x)
    np.testing.assert_array_equal(net.eval().forward(x), out_train)
    assert all(not layer.training for layer in net.layers)


LAYERS = [ELU(alpha=0.7), SELU(), Softplus(beta=2.0), Hardsigmoid(), PReLU(5), PReLU(),
          RReLU(rng=0).eval(), Softmax()]


def _check_in_sequential(act_layer, x_scale=3.0, k=1, fix_rng=None):
    rng = np.random.default_rng(11)
    net = Sequential(Linear(4, 5 * k, rng=rng), act_layer, Linear(5, 3, rng=rng))
    if isinstance(act_layer, PReLU):
        act_layer.params["weight"][...] = rng.uniform(
            -0.5, 0.8, size=act_layer.params["weight"].shape
        )
    for layer in (net[0], net[2]):
        layer.params["weight"] *= x_scale  # pre-activations that reach the nonlinear parts
    x, G = rng.normal(size=(6, 4)), rng.normal(size=(6, 3))

    def loss():
        if fix_rng is not None:
            act_layer.rng = np.random.default_rng(fix_rng)
        return float(np.sum(net.forward(x) * G))

    loss()
    dx = net.backward(G)
    params = net.parameters() + [x]
    grads = [g.copy() for g in net.gradients()] + [dx]
    return gradient_check(loss, params, grads)


@pytest.mark.parametrize("layer", LAYERS, ids=repr)
def test_gradient_check_in_sequential(layer):
    err = _check_in_sequential(layer)
    assert err < 1e-7, f"{layer!r}: relative error {err:.2e} against the numerical gradient"


def test_gradient_check_rrelu_training_with_fixed_slopes():
    # reseeding before each forward pass keeps the slopes fixed while the parameters move
    err = _check_in_sequential(RReLU(rng=0), fix_rng=3)
    assert err < 1e-7, f"RReLU (training): relative error {err:.2e}"


def test_inputs_are_not_modified():
    x = np.random.default_rng(3).normal(size=(4, 6))
    for layer in [ELU(), SELU(), Softplus(), Hardsigmoid(), PReLU(6), RReLU(rng=0), Softmax()]:
        before = x.copy()
        out = layer.forward(x)
        dout = np.ones_like(out)
        layer.backward(dout)
        np.testing.assert_array_equal(x, before, err_msg=f"{layer!r} modified its input")
        assert np.all(dout == 1.0), f"{layer!r} modified dout"


@pytest.mark.parametrize("make, exc, match", [
    (lambda: ELU(alpha="1"), TypeError, "alpha"),
    (lambda: Softplus(beta=0.0), ValueError, "beta must be > 0"),
    (lambda: Softplus(beta=np.inf), ValueError, "beta must be finite"),
    (lambda: PReLU(0), ValueError, "num_parameters"),
    (lambda: PReLU(2.0), TypeError, "num_parameters"),
    (lambda: PReLU(init=None), TypeError, "init"),
    (lambda: RReLU(0.5, 0.1), ValueError, "lower must be <= upper"),
    (lambda: RReLU(-0.1, 0.2), ValueError, "lower"),
    (lambda: RReLU(rng="seed"), TypeError, "rng"),
    (lambda: Softmax(dim=1.0), TypeError, "dim"),
])
def test_bad_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"weight must have shape \(1,\) or \(4,\)"):
        PReLU(3).forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match="dim must be <= 1"):
        Softmax(dim=2).forward(np.ones((2, 4)))
    with pytest.raises(RuntimeError, match="before forward"):
        PReLU().backward(np.ones(3))
    for layer in [ELU(), PReLU(), RReLU(), Softmax()]:
        layer.forward(np.ones((2, 4)))
        with pytest.raises(ValueError, match="shape"):
            layer.backward(np.ones((3, 3)))
