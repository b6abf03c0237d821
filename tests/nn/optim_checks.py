"""Helpers shared by the optimizer tests: one random problem on which our NumPy optimizer, our
hand-written torch optimizer and their ``torch.optim`` namesake run side by side for 200 steps
in float64, and the comparisons.

Not a test module: pytest collects only ``test_*.py``.
"""

from __future__ import annotations

import copy
import functools

import numpy as np
import torch

from dlbook.nn import optim, optim_torch
from dlbook.utils import float64_default

SHAPES = [(3,), (2, 4), (1,), (2, 1, 3)]
STEPS = 200


class RippledQuadratic:
    r"""A fixed random nonconvex loss per parameter array plus fixed gradient noise per step.

    ``f(x) = x^T H x / 2 - c^T x + a * sum(cos(2 x))``: a convex bowl (H positive definite)
    with ripples whose curvature (up to ``4a = 1.2``) exceeds the bowl's smallest, so the
    surface has several local minima.  Every side computes the gradient
    ``H x - c - 2a sin(2x) + noise_t`` from its *own* current parameters, so an error in an
    update changes every later gradient too.
    """

    RIPPLE = 0.3

    def __init__(self, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.H, self.c = [], []
        for shape in SHAPES:
            n = int(np.prod(shape))
            a = rng.normal(size=(n, n))
            self.H.append(a @ a.T / n + 0.5 * np.eye(n))
            self.c.append(rng.normal(size=shape))
        self.noise = [[0.3 * rng.normal(size=s) for s in SHAPES] for _ in range(STEPS)]
        self.p0 = [rng.normal(size=s) for s in SHAPES]

    def grads(self, params, t):
        return [(H @ p.ravel()).reshape(p.shape) - c - 2 * self.RIPPLE * np.sin(2 * p) + n
                for H, c, p, n in zip(self.H, self.c, params, self.noise[t])]


PROBLEM = RippledQuadratic()


def _key(hyper: dict) -> tuple:
    return tuple(sorted(hyper.items()))


def _state_as_numpy(state: dict) -> dict:
    return {k: np.asarray(v.detach().cpu().numpy() if torch.is_tensor(v) else v, dtype=float)
            for k, v in state.items()}


def _run_torch(make_optimizer, hyper: dict, device="cpu"):
    """200 steps of a torch optimizer class; returns (path per param, numpy states, optimizer)."""
    with float64_default():
        tparams = [torch.tensor(p, device=device, requires_grad=True) for p in PROBLEM.p0]
        opt = make_optimizer(tparams, **hyper)
        path = [[p.copy()] for p in PROBLEM.p0]
        for t in range(STEPS):
            current = [tp.detach().cpu().numpy() for tp in tparams]
            for tp, g in zip(tparams, PROBLEM.grads(current, t)):
                tp.grad = torch.tensor(g, device=device)
            opt.step()
            for i, tp in enumerate(tparams):
                path[i].append(tp.detach().cpu().numpy().copy())
        states = [_state_as_numpy(opt.state[tp]) for tp in tparams]
    return [np.stack(p) for p in path], states, opt


@functools.lru_cache(maxsize=None)
def _torch_optim_reference(name: str, key: tuple):
    return _run_torch(getattr(torch.optim, name), dict(key))[:2]


def torch_optim_reference(name: str, hyper: dict):
    """torch.optim's trajectory and final state: one run per case, shared by every test."""
    return _torch_optim_reference(name, _key(hyper))


def run_numpy(name: str, hyper: dict):
    """200 steps of our NumPy class; checks that it updates the caller's arrays in place."""
    params = [p.copy() for p in PROBLEM.p0]
    ids = [id(p) for p in params]
    opt = getattr(optim, name)(params, **hyper)
    path = [[p.copy()] for p in params]
    for t in range(STEPS):
        opt.step(PROBLEM.grads(params, t))
        for i, p in enumerate(params):
            path[i].append(p.copy())
    assert [id(p) for p in opt.params] == ids, f"{name}: opt.params are not the caller's arrays"
    assert [id(p) for p in params] == ids
    return [np.stack(p) for p in path], opt.state


def assert_same_run(name, hyper, ours, reference, who):
    """Every point of every parameter's trajectory, and every state entry, to a relative 1e-10."""
    (path, states), (ref_path, ref_states) = ours, reference
    for i, (p, r) in enumerate(zip(path, ref_path)):
        assert np.max(np.abs(r[-1] - r[0])) > 1e-3, f"{name}{hyper}: the test problem barely moved"
        np.testing.assert_allclose(p, r, rtol=1e-10, atol=0,
                                   err_msg=f"{who} {name}{hyper}: trajectory of parameter {i} "
                                           "differs from torch.optim")
        assert sorted(states[i]) == sorted(ref_states[i]), (
            f"{who} {name}{hyper}: state names {sorted(states[i])}, torch.optim has "
            f"{sorted(ref_states[i])}")
        for key, value in ref_states[i].items():
            np.testing.assert_allclose(np.asarray(states[i][key], dtype=float), value,
                                       rtol=1e-10, atol=1e-300,
                                       err_msg=f"{who} {name}{hyper}: state {key!r} of param {i}")


def assert_numpy_matches_torch(name, hyper):
    ours = run_numpy(name, hyper)
    assert_same_run(name, hyper, ours, torch_optim_reference(name, hyper), "NumPy")


def assert_twin_matches_torch(name, hyper, device="cpu"):
    path, states, opt = _run_torch(getattr(optim_torch, name), hyper, device)
    assert type(opt).__module__ == "dlbook.nn.optim_torch"
    assert_same_run(name, hyper, (path, states), torch_optim_reference(name, hyper),
                    f"optim_torch ({device})")


def assert_inputs_not_modified(name, hyper):
    """Three steps of the pure function leave the caller's param, grad and state untouched."""
    rng = np.random.default_rng(1)
    fn = getattr(optim, name).step_fn
    p, state = rng.normal(size=4), {}
    for _ in range(3):
        g = rng.normal(size=4)
        p_copy, g_copy, state_copy = p.copy(), g.copy(), copy.deepcopy(state)
        new_p, new_state = fn(p, g, state, **hyper)
        np.testing.assert_array_equal(p, p_copy, err_msg=f"{name} changed param in place")
        np.testing.assert_array_equal(g, g_copy, err_msg=f"{name} changed grad in place")
        assert state.keys() == state_copy.keys()
        for k in state:
            np.testing.assert_array_equal(state[k], state_copy[k], err_msg=f"{name} changed {k}")
        assert new_p is not p and new_state is not state
        p, state = new_p, new_state


def rosenbrock_loss(p):
    """Rosenbrock's function written in torch, for the autograd side of a trajectory."""
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


# (torch class name, hyperparameters): torch's defaults, then every keyword of the issue on its
# own, then the combinations that switch on extra state.
CASES_SGD_FAMILY = [
    ("SGD", {}),
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.3}),
    ("Adagrad", {"lr": 0.3, "lr_decay": 0.01}),
    ("Adagrad", {"lr": 0.3, "weight_decay": 0.05}),
    ("Adagrad", {"lr": 0.3, "initial_accumulator_value": 0.1}),
    ("Adagrad", {"lr": 0.3, "eps": 1e-3}),
    ("Adagrad", {"lr": 0.3, "lr_decay": 0.01, "weight_decay": 0.05,
                 "initial_accumulator_value": 0.1, "eps": 1e-6}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5}),
    ("Adadelta", {"rho": 0.95}),
    ("Adadelta", {"eps": 1e-4}),
    ("Adadelta", {"weight_decay": 0.1}),
    ("Adadelta", {"lr": 0.5, "rho": 0.95, "eps": 1e-4, "weight_decay": 0.1}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.003}),
    ("RMSprop", {"alpha": 0.9}),
    ("RMSprop", {"eps": 1e-3}),
    ("RMSprop", {"weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.003, "momentum": 0.9}),
    ("RMSprop", {"centered": True}),
    ("RMSprop", {"lr": 0.005, "alpha": 0.9, "eps": 1e-6, "weight_decay": 0.01,
                 "momentum": 0.5, "centered": True}),
]

CASES_ADAM_FAMILY = [
    ("Adam", {}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.99)}),
    ("Adam", {"lr": 0.05, "eps": 1e-3}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-6, "weight_decay": 0.1,
              "amsgrad": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "betas": (0.8, 0.99)}),
    ("AdamW", {"lr": 0.05, "eps": 1e-3}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3}),
    ("AdamW", {"lr": 0.05, "amsgrad": True}),
    ("AdamW", {"lr": 0.05, "betas": (0.5, 0.9), "weight_decay": 0.3, "amsgrad": True}),
    ("Adamax", {}),
    ("Adamax", {"lr": 0.05}),
    ("Adamax", {"lr": 0.05, "betas": (0.8, 0.99)}),
    ("Adamax", {"lr": 0.05, "eps": 1e-3}),
    ("Adamax", {"lr": 0.05, "weight_decay": 0.1}),
    ("NAdam", {}),
    ("NAdam", {"lr": 0.05}),
    ("NAdam", {"lr": 0.05, "betas": (0.8, 0.99)}),
    ("NAdam", {"lr": 0.05, "eps": 1e-3}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1}),
    ("NAdam", {"lr": 0.05, "momentum_decay": 0.01}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
]

#: The keywords of the issue, per optimizer: the tables above must cover each one.
ISSUE_KEYWORDS = {
    "SGD": {"lr", "momentum", "dampening", "nesterov", "weight_decay"},
    "Adagrad": {"lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"},
    "Adadelta": {"lr", "rho", "eps", "weight_decay"},
    "RMSprop": {"lr", "alpha", "eps", "weight_decay", "momentum", "centered"},
    "Adam": {"lr", "betas", "eps", "weight_decay", "amsgrad"},
    "AdamW": {"lr", "betas", "eps", "weight_decay", "amsgrad"},
    "Adamax": {"lr", "betas", "eps", "weight_decay"},
    "NAdam": {"lr", "betas", "eps", "weight_decay", "momentum_decay"},
}


def case_id(name, hyper):
    return name + "-" + ",".join(f"{k}={v}" for k, v in hyper.items()) if hyper else name
