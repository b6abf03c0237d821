"""Helpers shared by the activation tests (test_activations*, test_softmax*, test_maxout*).

Not a test module: pytest collects only ``test_*.py``.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from dlbook.nn import activations as A

RTOL = 1e-7
# Results below float64's smallest normal number (subnormals, < 2.2e-308) are compared absolutely:
# torch returns 0 for sigmoid(-732) where the exact value 9.1e-319 is still representable.
TINY = np.finfo(np.float64).tiny


def inputs(seed: int = 0, n: int = 3000) -> np.ndarray:
    """Random inputs from 1e-3 to 1e3 in magnitude, plus +-1000, +-40, +-20 and +-1e-8."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n) * 10.0 ** rng.uniform(-3, 3, n)
    extremes = [-1000.0, -40.0, -20.0, -1e-8, 1e-8, 20.0, 40.0, 1000.0]
    return np.concatenate([x, extremes])


def assert_close(actual, expected, what, rtol=RTOL, atol=TINY, x=None):
    """np.isclose on every entry; the message names ``what``, how many differ, and the first."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    bad = ~np.isclose(actual, expected, rtol=rtol, atol=atol)
    if bad.any():
        i = np.flatnonzero(bad.ravel())[0]
        where = f" at x={np.ravel(x)[i]!r}" if x is not None else ""
        raise AssertionError(f"{what}: {bad.sum()} of {bad.size} differ{where}: "
                             f"{actual.ravel()[i]!r} vs {expected.ravel()[i]!r}")


def keras2_hard_sigmoid(x, s):
    # torch has no clip(0.2x + 0.5, 0, 1); hardtanh has the same corners and, like hardsigmoid,
    # a zero derivative at them (torch.clamp would pass the gradient there)
    return (F.hardtanh(2 * s * x) + 1) / 2


# name, numpy value, numpy derivative, torch reference, keyword arguments
ELEMENTWISE = [
    ("sigmoid", A.sigmoid, A.sigmoid_derivative, torch.sigmoid, {}),
    ("tanh", A.tanh, A.tanh_derivative, torch.tanh, {}),
    ("relu", A.relu, A.relu_derivative, F.relu, {}),
    ("leaky_relu", A.leaky_relu, A.leaky_relu_derivative, F.leaky_relu, {}),
    ("leaky_relu_0.3", A.leaky_relu, A.leaky_relu_derivative, F.leaky_relu,
     {"negative_slope": 0.3}),
    ("elu", A.elu, A.elu_derivative, F.elu, {}),
    ("elu_0.7", A.elu, A.elu_derivative, F.elu, {"alpha": 0.7}),
    ("selu", A.selu, A.selu_derivative, F.selu, {}),
    ("softplus", A.softplus, A.softplus_derivative, F.softplus, {}),
    ("softplus_beta2", A.softplus, A.softplus_derivative, F.softplus, {"beta": 2.0}),
    ("hard_sigmoid", A.hard_sigmoid, A.hard_sigmoid_derivative, F.hardsigmoid, {}),
    ("hard_sigmoid_keras2", A.hard_sigmoid, A.hard_sigmoid_derivative,
     lambda x, slope: keras2_hard_sigmoid(x, slope), {"slope": 0.2}),
]
IDS = [case[0] for case in ELEMENTWISE]


def torch_value_and_grad(fn, x: np.ndarray, **kwargs):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = fn(t, **kwargs)
    (g,) = torch.autograd.grad(y.sum(), t)
    return y.detach().numpy(), g.numpy()
