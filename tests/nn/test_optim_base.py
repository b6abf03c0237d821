"""What every NumPy optimizer shares (dlbook.nn.optim_base): torch's constructor (keyword names,
order and defaults), in-place updates of the caller's arrays, the hyperparameter ranges (the
same as torch's), and clear errors for bad parameters, gradients and keywords."""

import inspect

import numpy as np
import pytest
import torch

from dlbook.nn import optim
from dlbook.nn.linear import Linear
from dlbook.nn.optim import OPTIMIZER_NAMES
from dlbook.nn.optim_base import Optimizer, state_or_zeros, step_inputs


def keywords(callable_, kinds):
    return {k: p.default for k, p in inspect.signature(callable_).parameters.items()
            if p.kind in kinds and p.default is not inspect.Parameter.empty}


ANY = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_constructor_is_torchs(name):
    """Same keywords, same defaults, same positional order as torch.optim; step_fn agrees."""
    ours_cls = getattr(optim, name)
    ours = keywords(ours_cls, ANY)
    theirs = keywords(getattr(torch.optim, name), ANY)
    for key, value in ours.items():
        assert key in theirs, f"{name}: torch has no keyword {key!r}"
        assert theirs[key] == value, f"{name}.{key}: ours {value!r}, torch {theirs[key]!r}"
    positional = lambda cls: [k for k, p in inspect.signature(cls).parameters.items()  # noqa: E731
                              if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    ours_pos = positional(ours_cls)
    assert ours_pos == positional(getattr(torch.optim, name))[:len(ours_pos)]
    step_fn_defaults = keywords(ours_cls.step_fn, (inspect.Parameter.KEYWORD_ONLY,))
    assert ours_cls([np.zeros(2)]).hyper == step_fn_defaults == ours


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_step_updates_the_callers_arrays_in_place(name):
    rng = np.random.default_rng(0)
    w, b = rng.normal(size=(3, 2)), rng.normal(size=3)
    w_before, b_before = w.copy(), b.copy()
    opt = getattr(optim, name)([w, b], lr=0.1)
    assert opt.params[0] is w and opt.params[1] is b
    result = opt.step([np.ones((3, 2)), np.ones(3)])
    assert result is None  # like torch: the update is the side effect
    assert opt.params[0] is w and opt.params[1] is b
    assert not np.allclose(w, w_before) and not np.allclose(b, b_before)
    new, _ = opt.step_fn(w_before, np.ones((3, 2)), {}, **opt.hyper)
    np.testing.assert_array_equal(w, new)  # the pure function's value, written in place


def test_in_place_steps_train_a_layer_without_copying():
    """An optimizer built on a layer's parameters trains the layer itself."""
    layer = Linear(2, 1, rng=0)
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = x @ np.array([[2.0], [-1.0]]) + 0.5
    opt = optim.Adam(layer.parameters(), lr=0.05)
    for _ in range(400):
        out = layer.forward(x)
        layer.backward(2 * (out - y) / len(x))  # gradient of the mean squared error
        opt.step(layer.gradients())
    np.testing.assert_allclose(layer.params["weight"], [[2.0, -1.0]], atol=1e-2)
    np.testing.assert_allclose(layer.params["bias"], [0.5], atol=1e-2)


def test_float32_parameters_stay_float32():
    w = np.ones(3, dtype=np.float32)
    optim.SGD([w], lr=0.5).step([np.full(3, 0.5, dtype=np.float32)])
    assert w.dtype == np.float32
    np.testing.assert_array_equal(w, np.full(3, 0.75, dtype=np.float32))


def test_a_bad_gradient_updates_nothing():
    w, b = np.ones(2), np.ones(3)
    opt = optim.SGD([w, b], lr=0.1)
    with pytest.raises(ValueError, match=r"grads\[1\] has shape \(2,\) but params\[1\] has \(3,\)"):
        opt.step([np.ones(2), np.ones(2)])
    np.testing.assert_array_equal(w, np.ones(2))  # params[0] untouched although its grad fit


def read_only():
    a = np.ones(3)
    a.flags.writeable = False
    return a


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: optim.SGD([np.ones(2)], lr=-0.1),
            ValueError,
            r"lr must lie in \[0.0, inf\], got -0.1",
        ),
        (lambda: optim.SGD([np.ones(2)], lr="0.1"), TypeError, "lr must be a real number"),
        (lambda: optim.SGD([np.ones(2)], lr=float("nan")), ValueError, "lr"),
        (lambda: optim.Adam([np.ones(2)], eps=-1e-8), ValueError, "eps must lie in .* got -1e-08"),
        (lambda: optim.RMSprop([np.ones(2)], weight_decay=-0.01), ValueError, "weight_decay"),
        (lambda: optim.SGD([np.ones(2)], betas=(0.9, 0.99)), TypeError, "betas"),
        (lambda: optim.Adam([np.ones(2)], maximize=True), TypeError, "maximize"),
        (lambda: optim.SGD([]), ValueError, "params is empty"),
        (lambda: optim.SGD(np.ones(2)), TypeError, "wrap it in a list"),
        (lambda: optim.SGD([[1.0, 2.0]]), TypeError, r"params\[0\] must be a NumPy array"),
        (
            lambda: optim.SGD([np.ones(2), np.arange(3)]),
            TypeError,
            r"params\[1\] has dtype int64: an in-place update needs a floating-point array",
        ),
        (lambda: optim.SGD([np.array(["a"])]), TypeError, r"params\[0\] has dtype <U1"),
        (lambda: optim.SGD([read_only()]), ValueError, r"params\[0\] is read-only"),
        (
            lambda: optim.SGD([np.ones((4, 4))[:, ::2]]),
            ValueError,
            r"params\[0\] is a non-contiguous view",
        ),
        (
            lambda: optim.SGD([w := np.ones(2), w]),
            ValueError,
            r"params\[0\] and params\[1\] are the same array",
        ),
        (
            lambda: optim.SGD([np.ones(2)]).step([np.ones(2), np.ones(2)]),
            ValueError,
            "got 2 gradients for 1 parameters",
        ),
        (lambda: optim.SGD([np.ones(2)]).step([]), ValueError, "got 0 gradients for 1 parameters"),
        (
            lambda: optim.Adam([np.ones((2, 3))]).step([np.ones((3, 2))]),
            ValueError,
            r"grads\[0\] has shape \(3, 2\) but params\[0\] has \(2, 3\)",
        ),
        (
            lambda: optim.SGD([np.ones(2)]).step([np.ones(2, dtype=int)]),
            TypeError,
            r"grads\[0\] must be a floating-point array, got dtype int64",
        ),
        (lambda: optim.SGD([np.ones(2)]).step(np.ones((1, 2))), TypeError, "one per parameter"),
        (lambda: Optimizer([np.ones(2)]), TypeError, "Optimizer is the base class"),
    ],
)
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_torch_raises_for_the_same_bad_values():
    """Our ranges are torch's (or stricter: alpha above 1, which torch accepts)."""
    for name, bad in [("SGD", {"lr": -0.1}), ("Adam", {"betas": (0.9, 1.0)}),
                      ("Adam", {"betas": (-0.1, 0.9)}), ("Adadelta", {"rho": 1.5}),
                      ("SGD", {"nesterov": True}), ("SGD", {"momentum": -0.1}),
                      ("Adagrad", {"eps": -1.0}), ("NAdam", {"momentum_decay": -1.0})]:
        with pytest.raises(ValueError):
            getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **bad)
        with pytest.raises(ValueError):
            getattr(optim, name)([np.zeros(1)], **bad)
    with pytest.raises(TypeError, match="betas"):
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], betas=(0.9, 0.99))


def test_step_inputs_and_state_or_zeros():
    p, g = step_inputs(np.ones(2), np.zeros(2), {})
    assert p.shape == g.shape == (2,)
    with pytest.raises(TypeError, match="grad must be a floating-point array"):
        step_inputs(np.ones(2), np.ones(2, dtype=int), {})
    zeros = state_or_zeros({}, "exp_avg", np.ones(3))
    assert zeros.tolist() == [0.0, 0.0, 0.0]
    kept = np.ones(3)
    assert state_or_zeros({"exp_avg": kept}, "exp_avg", np.ones(3)) is kept
