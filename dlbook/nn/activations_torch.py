r"""Activation functions written with torch tensors (chapter :ref:`ch-activations`).

The PyTorch twin of :mod:`dlbook.nn.activations`: the same names and formulas, built from
elementary tensor operations so that autograd derives every gradient. The tests hold each one
to ``torch.nn.functional`` (values) and to the NumPy ``*_derivative`` functions (autograd
gradients) in float64. PReLU and RReLU are in :mod:`dlbook.nn.parametric_relu_torch`; softmax
and maxout have their own twins, :mod:`dlbook.nn.softmax_torch` and
:mod:`dlbook.nn.maxout_torch`.

Piecewise formulas are written as ``torch.where(cond, a(x_pos), b(x_neg))`` with each branch fed
a clamped input: an unused branch must stay finite, or its ``inf``/``nan`` gradient leaks
through ``where`` (``0 * inf = nan``). ``torch.expm1`` is avoided for very negative inputs,
where its autograd derivative ``expm1(u) + 1`` rounds to 0 (see ``_expm1``). At a kink autograd
takes the ``x <= 0`` piece, as torch's own functions do. The functions run on whatever device
their input lives on.
"""

from __future__ import annotations

import torch

from dlbook._checks import real_tensor, real_value
from dlbook.nn.activations import SELU_ALPHA, SELU_SCALE

__all__ = [
    "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "softplus", "hard_sigmoid",
]

# NumPy names this twin leaves out, and why (tests/test_house.py checks the list).
__twin_omits__ = {
    f"{name}_derivative": f"autograd differentiates {name}"
    for name in ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "softplus",
                 "hard_sigmoid")
}


def _split(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(max(x, 0), min(x, 0))``: inputs for the positive and the non-positive branch."""
    return x.clamp(min=0), x.clamp(max=0)


def _expm1(u: torch.Tensor) -> torch.Tensor:
    r""":math:`e^u - 1` for :math:`u \le 0`, accurate in value and in autograd gradient.

    ``torch.expm1`` differentiates as ``grad * (expm1(u) + 1)``, which rounds to 0 once
    :math:`e^u < 10^{-16}`; ``exp(u) - 1`` cancels near 0. Each is used where it is accurate.
    """
    return torch.where(u > -1, torch.expm1(u.clamp(min=-1)), torch.exp(u) - 1)


def sigmoid(x):
    r""":math:`\sigma(x) = 1/(1+e^{-x})` as :math:`1/(1+e^{-x})` for :math:`x \ge 0` and
    :math:`e^{x}/(1+e^{x})` for :math:`x < 0` (no overflow, exact autograd gradient).

    See Also
    --------
    dlbook.nn.activations.sigmoid, :ref:`ch-activations`

    Examples
    --------
    >>> sigmoid(torch.tensor([0.0, -1000.0])).tolist()
    [0.5, 0.0]
    """
    x = real_tensor(x, "x")
    xp, xn = _split(x)
    return torch.where(x >= 0, 1 / (1 + torch.exp(-xp)), torch.exp(xn) / (1 + torch.exp(xn)))


def tanh(x):
    r""":math:`\tanh x = (1 - e^{-2x})/(1 + e^{-2x})` for :math:`x \ge 0`, :math:`-\tanh(-x)` below.

    See Also
    --------
    dlbook.nn.activations.tanh, :ref:`ch-activations`

    Examples
    --------
    >>> round(tanh(torch.tensor([0.5], dtype=torch.float64)).item(), 6)   # (e - 1) / (e + 1)
    0.462117
    """
    x = real_tensor(x, "x")
    xp, xn = _split(x)
    pos = -_expm1(-2 * xp) / (1 + torch.exp(-2 * xp))
    neg = _expm1(2 * xn) / (1 + torch.exp(2 * xn))
    return torch.where(x >= 0, pos, neg)


def relu(x):
    r""":math:`\max(0, x)`.

    See Also
    --------
    dlbook.nn.activations.relu, :ref:`ch-activations`

    Examples
    --------
    >>> relu(torch.tensor([-2.0, 3.0])).tolist()
    [0.0, 3.0]
    """
    x = real_tensor(x, "x")
    return torch.where(x > 0, x, torch.zeros_like(x))


def leaky_relu(x, negative_slope=0.01):
    r""":math:`x` for :math:`x > 0`, :math:`\alpha x` otherwise.

    See Also
    --------
    dlbook.nn.activations.leaky_relu, :ref:`ch-activations`

    Examples
    --------
    >>> leaky_relu(torch.tensor([-2.0, 3.0]), 0.5).tolist()
    [-1.0, 3.0]
    """
    alpha = real_value(negative_slope, "negative_slope")
    x = real_tensor(x, "x")
    return torch.where(x > 0, x, alpha * x)


def elu(x, alpha=1.0):
    r""":math:`x` for :math:`x > 0`, :math:`\alpha(e^x - 1)` otherwise.

    See Also
    --------
    dlbook.nn.activations.elu, :ref:`ch-activations`

    Examples
    --------
    >>> elu(torch.tensor([-1000.0, 2.0])).tolist()
    [-1.0, 2.0]
    """
    alpha = real_value(alpha, "alpha")
    x = real_tensor(x, "x")
    _, xn = _split(x)
    return torch.where(x > 0, x, alpha * _expm1(xn))


def selu(x):
    r""":math:`\lambda\,\mathrm{elu}_\alpha(x)` with SELU's constants.

    See Also
    --------
    dlbook.nn.activations.selu, :ref:`ch-activations`

    Examples
    --------
    >>> round(selu(torch.tensor([1.0], dtype=torch.float64)).item(), 8)
    1.05070099
    """
    return SELU_SCALE * elu(x, SELU_ALPHA)


def softplus(x, beta=1.0):
    r""":math:`\frac{1}{\beta}\log(1 + e^{\beta x})`, exact (no ``threshold`` shortcut).

    See Also
    --------
    dlbook.nn.activations.softplus, :ref:`ch-activations`

    Examples
    --------
    >>> softplus(torch.tensor([1000.0])).tolist()
    [1000.0]
    """
    beta = real_value(beta, "beta", low=0.0, low_open=True)
    x = real_tensor(x, "x")
    xp, xn = _split(x * beta)
    pos = xp + torch.log1p(torch.exp(-xp))
    neg = torch.log1p(torch.exp(xn))
    return torch.where(x > 0, pos, neg) / beta


def hard_sigmoid(x, slope=1 / 6):
    r""":math:`\operatorname{clip}(s x + 1/2, 0, 1)`; ``slope=1/6`` is torch's ``hardsigmoid``,
    ``slope=0.2`` the older Keras one. Gradient :math:`s` strictly inside, 0 outside.

    See Also
    --------
    dlbook.nn.activations.hard_sigmoid, :ref:`ch-activations`

    Examples
    --------
    >>> hard_sigmoid(torch.tensor([-4.0, 1.5, 4.0])).tolist()
    [0.0, 0.75, 1.0]
    """
    s = real_value(slope, "slope", low=0.0, low_open=True)
    u = s * real_tensor(x, "x") + 0.5
    return torch.where(u <= 0, torch.zeros_like(u), torch.where(u >= 1, torch.ones_like(u), u))
