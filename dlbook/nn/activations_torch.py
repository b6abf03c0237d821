r"""Activation functions written with torch tensors (chapter :ref:`ch-activations`).

The PyTorch twin of :mod:`dlbook.nn.activations`: the same names and formulas, built from
elementary tensor operations so that autograd derives every gradient. The tests hold each one
to ``torch.nn.functional`` (values) and to the NumPy ``*_grad``/``*_backward`` functions
(autograd gradients) in float64. Softmax and maxout have their own twins,
:mod:`dlbook.nn.softmax_torch` and :mod:`dlbook.nn.maxout_torch`.

Piecewise formulas are written as ``torch.where(cond, a(x_pos), b(x_neg))`` with each branch fed
a clamped input: an unused branch must stay finite, or its ``inf``/``nan`` gradient leaks
through ``where`` (``0 * inf = nan``). ``torch.expm1`` is avoided for very negative inputs,
where its autograd derivative ``expm1(u) + 1`` rounds to 0 (see ``_expm1``). At a kink autograd
takes the ``x <= 0`` piece, as torch's own functions do. The functions run on whatever device
their input lives on.
"""

from __future__ import annotations

import torch

from dlbook.nn.activations import SELU_ALPHA, SELU_SCALE, _number

__all__ = [
    "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "rrelu", "elu", "selu", "softplus",
    "hard_sigmoid",
]


def _tensor(x) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"expected a torch.Tensor, got {type(x).__name__}")
    if not (x.is_floating_point()):
        raise TypeError(f"expected a floating-point tensor, got dtype {x.dtype}")
    return x


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
    xp, xn = _split(_tensor(x))
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
    xp, xn = _split(_tensor(x))
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
    return torch.where(_tensor(x) > 0, x, torch.zeros_like(x))


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
    alpha = _number(negative_slope, "negative_slope")
    return torch.where(_tensor(x) > 0, x, alpha * x)


def prelu(x, weight):
    r""":math:`x` for :math:`x > 0`, :math:`a_c x` otherwise; ``weight`` of shape (1,) or (C,),
    channels on axis 1 (torch's convention). Gradients flow to ``weight`` too.

    See Also
    --------
    dlbook.nn.activations.prelu, :ref:`ch-activations`

    Examples
    --------
    >>> prelu(torch.tensor([[-4.0, -4.0]]), torch.tensor([0.25, 0.5])).tolist()
    [[-1.0, -2.0]]
    """
    _tensor(x)
    channels = x.shape[1] if x.dim() >= 2 else 1
    if weight.dim() != 1 or weight.shape[0] not in (1, channels):
        raise ValueError(f"weight must have shape (1,) or ({channels},) for x of shape "
                         f"{tuple(x.shape)}, got {tuple(weight.shape)}")
    shape = [1] * x.dim()
    if x.dim() >= 2:
        shape[1] = weight.shape[0]
    return torch.where(x > 0, x, weight.reshape(shape) * x)


def rrelu(x, lower=1 / 8, upper=1 / 3, training=False, generator=None):
    r""":math:`x` for :math:`x > 0`, :math:`a x` otherwise; :math:`a \sim U(l, u)` per element
    in training, :math:`a = (l + u)/2` in evaluation.

    Same distribution as ``torch.nn.functional.rrelu``, not the same draws (torch draws one
    number per non-positive element only).

    See Also
    --------
    dlbook.nn.activations.rrelu_forward, :ref:`ch-activations`

    Examples
    --------
    >>> rrelu(torch.tensor([-48.0, 5.0])).tolist()   # evaluation slope 11/48
    [-11.0, 5.0]
    """
    lo, hi = _number(lower, "lower", 0.0), _number(upper, "upper", 0.0)
    if lo > hi:
        raise ValueError(f"lower must be <= upper, got lower={lower!r}, upper={upper!r}")
    _tensor(x)
    if training:
        slope = torch.empty_like(x).uniform_(lo, hi, generator=generator)
    else:
        slope = torch.full_like(x, 0.5 * (lo + hi))
    return torch.where(x > 0, x, slope * x)


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
    alpha = _number(alpha, "alpha")
    _, xn = _split(_tensor(x))
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
    beta = _number(beta, "beta", 0.0, strict=True)
    xp, xn = _split(_tensor(x) * beta)
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
    s = _number(slope, "slope", 0.0, strict=True)
    u = s * _tensor(x) + 0.5
    return torch.where(u <= 0, torch.zeros_like(u), torch.where(u >= 1, torch.ones_like(u), u))
