r"""Loss functions in PyTorch: the twins of :mod:`dlbook.nn.losses`, with the same names.

Each loss is written out in tensor operations (not delegated to ``torch.nn.functional``), so
autograd differentiates exactly the formula in its docstring and the tests can compare it with
``torch.nn.functional`` as an independent peer. Losses return a 0-dim tensor that supports
``.backward()``; each ``<name>_grad`` returns the closed-form gradient with respect to the
prediction without autograd (handy for hand-written backward passes on any device). Reductions,
validation and error messages are those of the NumPy module. Inputs may live on any device, as
long as both are on the same one.

The input checks below are shared with :mod:`dlbook.nn.cross_entropy_torch`, the twin of the
classification losses.

See Also
--------
dlbook.nn.losses : the NumPy reference with the full derivations.
dlbook.nn.cross_entropy_torch : entropy, KL divergence and the cross-entropy losses.
:ref:`ch-losses` : the chapter.
"""

from __future__ import annotations

import math

import torch

__all__ = [
    "mse", "mse_grad", "mae", "mae_grad",
    "hinge", "hinge_grad", "squared_hinge", "squared_hinge_grad",
    "cost_profit_loss", "cost_profit_loss_grad", "dice_loss", "dice_loss_grad",
]

_INTS = (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)


# --------------------------------------------------------------------- validation helpers
def _as_real(name, x):
    a = torch.as_tensor(x)
    if not (a.is_floating_point() or a.dtype in _INTS or a.dtype == torch.bool):
        raise TypeError(f"{name} must hold real numbers, got dtype {a.dtype}")
    if a.dim() == 0 or a.numel() == 0:
        raise ValueError(f"{name} must be a non-empty batch (at least 1-D), got shape {tuple(a.shape)}")
    if a.is_floating_point() and not bool(torch.isfinite(a).all()):
        raise ValueError(f"{name} contains NaN or inf")
    return a


def _common_float(a, b):
    """Cast two tensors to one floating dtype (integers follow the other tensor, else the default)."""
    if a.device != b.device:
        raise ValueError(f"y_true is on {a.device} but y_pred is on {b.device}")
    if a.is_floating_point() and b.is_floating_point():
        dtype = torch.promote_types(a.dtype, b.dtype)
    else:
        dtype = a.dtype if a.is_floating_point() else b.dtype if b.is_floating_point() else None
        dtype = dtype or torch.get_default_dtype()
    return a.to(dtype), b.to(dtype)


def _pair(y_true, y_pred, min_ndim=1):
    t, p = _as_real("y_true", y_true), _as_real("y_pred", y_pred)
    if t.shape != p.shape:
        raise ValueError(f"y_true has shape {tuple(t.shape)} but y_pred has {tuple(p.shape)}; a "
                         "loss needs identical shapes (broadcasting would pair every target with "
                         "every prediction)")
    if t.dim() < min_ndim:
        raise ValueError(f"expected tensors of shape (N, ...) with at least {min_ndim} "
                         f"dimensions, got {tuple(t.shape)}")
    return _common_float(t, p)


def _in_range(name, a, lo, hi):
    amin, amax = float(a.detach().min()), float(a.detach().max())
    if amin < lo or amax > hi:
        raise ValueError(f"{name} must lie in [{lo}, {hi}], got values from {amin:.6g} to {amax:.6g}")


# --------------------------------------------------------------------- regression
def mse(y_true, y_pred):
    r"""Mean squared error :math:`\frac{1}{M}\sum_i(\hat y_i - y_i)^2` over every element.

    See Also
    --------
    dlbook.nn.losses.mse, :ref:`ch-losses`

    Examples
    --------
    >>> round(float(mse(torch.tensor([1., 2., 3.]), torch.tensor([1.5, 2., 2.]))), 4)
    0.4167
    """
    t, p = _pair(y_true, y_pred)
    return ((p - t) ** 2).mean()


def mse_grad(y_true, y_pred):
    r"""Closed-form gradient of :func:`mse`: :math:`2(\hat y - y)/M`.

    See Also
    --------
    dlbook.nn.losses.mse_grad, :ref:`ch-losses`

    Examples
    --------
    >>> mse_grad(torch.tensor([1., 3.]), torch.tensor([2., 3.]))  # 2 * [1, 0] / 2
    tensor([1., 0.])
    """
    t, p = _pair(y_true, y_pred)
    return 2.0 * (p - t) / p.numel()


def mae(y_true, y_pred):
    r"""Mean absolute error :math:`\frac{1}{M}\sum_i\lvert\hat y_i - y_i\rvert`.

    See Also
    --------
    dlbook.nn.losses.mae, :ref:`ch-losses`

    Examples
    --------
    >>> float(mae(torch.tensor([1., 2., 3.]), torch.tensor([1.5, 2., 2.])))
    0.5
    """
    t, p = _pair(y_true, y_pred)
    return (p - t).abs().mean()


def mae_grad(y_true, y_pred):
    r"""Closed-form gradient of :func:`mae`: :math:`\operatorname{sign}(\hat y - y)/M`.

    See Also
    --------
    dlbook.nn.losses.mae_grad, :ref:`ch-losses`

    Examples
    --------
    >>> mae_grad(torch.tensor([1., 3.]), torch.tensor([2., 3.]))
    tensor([0.5000, 0.0000])
    """
    t, p = _pair(y_true, y_pred)
    return torch.sign(p - t) / p.numel()


# --------------------------------------------------------------------- margin losses
def _margin_pair(y_true, y_pred):
    t, s = _pair(y_true, y_pred)
    if not bool((t.abs() == 1).all()):
        found = torch.unique(t)[:5].tolist()
        raise ValueError(f"hinge losses need labels -1 or +1, got values {found}; "
                         "convert 0/1 labels with 2 * y - 1")
    return t, s


def hinge(y_true, y_pred):
    r"""Hinge loss :math:`\frac{1}{M}\sum_i\max(0, 1 - y_i s_i)` for labels :math:`\pm 1`.

    See Also
    --------
    dlbook.nn.losses.hinge, :ref:`ch-losses`

    Examples
    --------
    >>> float(hinge(torch.tensor([1., -1.]), torch.tensor([0.5, 0.5])))
    1.0
    """
    t, s = _margin_pair(y_true, y_pred)
    return torch.relu(1.0 - t * s).mean()  # relu: gradient 0 at the kink, like the NumPy twin


def hinge_grad(y_true, y_pred):
    r"""Closed-form gradient of :func:`hinge`: :math:`-y[1 - ys > 0]/M`.

    See Also
    --------
    dlbook.nn.losses.hinge_grad, :ref:`ch-losses`

    Examples
    --------
    >>> hinge_grad(torch.tensor([1., -1.]), torch.tensor([0.5, 2.0]))
    tensor([-0.5000,  0.5000])
    """
    t, s = _margin_pair(y_true, y_pred)
    return torch.where(1.0 - t * s > 0, -t, 0.0) / s.numel()


def squared_hinge(y_true, y_pred):
    r"""Squared hinge loss :math:`\frac{1}{M}\sum_i\max(0, 1 - y_i s_i)^2`.

    See Also
    --------
    dlbook.nn.losses.squared_hinge, :ref:`ch-losses`

    Examples
    --------
    >>> float(squared_hinge(torch.tensor([1., -1.]), torch.tensor([0.5, 0.5])))
    1.25
    """
    t, s = _margin_pair(y_true, y_pred)
    return (torch.relu(1.0 - t * s) ** 2).mean()


def squared_hinge_grad(y_true, y_pred):
    r"""Closed-form gradient of :func:`squared_hinge`: :math:`-2y\max(0, 1 - ys)/M`.

    See Also
    --------
    dlbook.nn.losses.squared_hinge_grad, :ref:`ch-losses`

    Examples
    --------
    >>> squared_hinge_grad(torch.tensor([1., -1.]), torch.tensor([0.5, 0.5]))
    tensor([-0.5000,  1.5000])
    """
    t, s = _margin_pair(y_true, y_pred)
    return (0.0 - 2.0 * t * torch.relu(1.0 - t * s)) / s.numel()


# --------------------------------------------------------------------- task-specific losses
def _check_cost_profit(cost, profit):
    for name, v in (("cost", cost), ("profit", profit)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise ValueError(f"{name} must be a positive finite number, got {v!r}")


def cost_profit_loss(y_true, y_pred, *, cost, profit):
    r"""Asymmetric loss: ``cost`` per unit over-predicted, ``profit`` per unit under-predicted,
    mean over elements (see :func:`dlbook.nn.losses.cost_profit_loss`).

    See Also
    --------
    dlbook.nn.losses.cost_profit_loss, :ref:`ch-losses`

    Examples
    --------
    >>> float(cost_profit_loss(torch.tensor([10., 10.]), torch.tensor([12., 7.]), cost=1, profit=9))
    14.5
    """
    _check_cost_profit(cost, profit)
    t, p = _pair(y_true, y_pred)
    return torch.where(p > t, cost * (p - t), profit * (t - p)).mean()


def cost_profit_loss_grad(y_true, y_pred, *, cost, profit):
    r"""Closed-form gradient of :func:`cost_profit_loss`: ``cost/M`` or ``-profit/M``.

    See Also
    --------
    dlbook.nn.losses.cost_profit_loss_grad, :ref:`ch-losses`

    Examples
    --------
    >>> cost_profit_loss_grad(torch.tensor([10., 10.]), torch.tensor([12., 7.]), cost=1, profit=9)
    tensor([ 0.5000, -4.5000])
    """
    _check_cost_profit(cost, profit)
    t, p = _pair(y_true, y_pred)
    return torch.where(p > t, cost, -profit).to(p.dtype) / p.numel()


def _dice_parts(y_true, y_pred, smooth):
    if not (isinstance(smooth, (int, float)) and math.isfinite(smooth) and smooth >= 0):
        raise ValueError(f"smooth must be a finite number >= 0, got {smooth!r}")
    t, p = _pair(y_true, y_pred, min_ndim=2)
    _in_range("y_true", t, 0.0, 1.0)
    _in_range("y_pred", p, 0.0, 1.0)
    dims = tuple(range(1, p.dim()))
    inter = (t * p).sum(dim=dims)  # (N,)
    total = t.sum(dim=dims) + p.sum(dim=dims) + smooth  # (N,)
    if bool((total == 0).any()):
        k = int(torch.nonzero(total == 0)[0])
        raise ValueError(f"sample {k} has an empty target and an empty prediction: Dice is 0/0 "
                         "there; use smooth > 0")
    return t, p, inter, total


def dice_loss(y_true, y_pred, smooth=1.0):
    r"""Soft Dice loss :math:`1 - \frac{1}{N}\sum_n\frac{2\sum_j y_{nj}\hat y_{nj} + s}
    {\sum_j y_{nj} + \sum_j\hat y_{nj} + s}` for (N, ...) masks.

    See Also
    --------
    dlbook.nn.losses.dice_loss, :ref:`ch-losses`

    Examples
    --------
    >>> float(dice_loss(torch.tensor([[1., 1., 0., 0.]]), torch.tensor([[1., 0., 1., 0.]]), smooth=0))
    0.5
    """
    _, _, inter, total = _dice_parts(y_true, y_pred, smooth)
    return 1.0 - ((2.0 * inter + smooth) / total).mean()


def dice_loss_grad(y_true, y_pred, smooth=1.0):
    r"""Closed-form gradient of :func:`dice_loss` (see :func:`dlbook.nn.losses.dice_loss_grad`).

    See Also
    --------
    dlbook.nn.losses.dice_loss_grad, :ref:`ch-losses`

    Examples
    --------
    >>> dice_loss_grad(torch.tensor([[1., 0.]]), torch.tensor([[1., 0.]]), smooth=0)  # -(4y - 2)/4
    tensor([[-0.5000,  0.5000]])
    """
    t, p, inter, total = _dice_parts(y_true, y_pred, smooth)
    shape = (-1,) + (1,) * (p.dim() - 1)  # broadcast (N,) over the mask axes
    inter, total = inter.reshape(shape), total.reshape(shape)
    return -(2.0 * t * total - (2.0 * inter + smooth)) / total**2 / p.shape[0]
