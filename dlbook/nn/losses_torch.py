r"""Loss functions in PyTorch: the twins of :mod:`dlbook.nn.losses`, with the same names.

Each loss is written out in tensor operations (not delegated to ``torch.nn.functional``), so
autograd differentiates exactly the formula in its docstring and the tests can compare it with
``torch.nn.functional`` as an independent peer. Losses return a 0-dim tensor that supports
``.backward()``; each ``<name>_grad`` returns the closed-form gradient with respect to the
prediction without autograd (handy for hand-written backward passes on any device). Reductions,
validation and error messages are those of the NumPy module. Inputs may live on any device, as
long as both are on the same one.

See Also
--------
dlbook.nn.losses : the NumPy reference with the full derivations.
dlbook.nn.cross_entropy_torch : entropy, KL divergence and the cross-entropy losses.
:ref:`ch-losses` : the chapter.
"""

from __future__ import annotations

import torch

from dlbook._checks import finite_tensor_pair, positive_real, real_value, value_range

__all__ = [
    "mse", "mse_grad", "mae", "mae_grad", "huber_loss", "huber_loss_grad",
    "hinge", "hinge_grad", "squared_hinge", "squared_hinge_grad",
    "cost_profit_loss", "cost_profit_loss_grad", "dice_loss", "dice_loss_grad",
]

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
    t, p = finite_tensor_pair(y_true, y_pred)
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
    t, p = finite_tensor_pair(y_true, y_pred)
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
    t, p = finite_tensor_pair(y_true, y_pred)
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
    t, p = finite_tensor_pair(y_true, y_pred)
    return torch.sign(p - t) / p.numel()


def huber_loss(y_true, y_pred, delta=1.0):
    r"""Huber loss :math:`\frac{1}{M}\sum_i h_\delta(\hat y_i - y_i)`, :math:`h_\delta(r) =
    \tfrac12 r^2` for :math:`|r|\le\delta`, else :math:`\delta(|r| - \tfrac12\delta)`.

    See Also
    --------
    dlbook.nn.losses.huber_loss, :ref:`ch-losses`

    Examples
    --------
    >>> float(huber_loss(torch.tensor([0., 0.]), torch.tensor([0.5, 3.0])))
    1.3125
    """
    delta = positive_real(delta, "delta")
    t, p = finite_tensor_pair(y_true, y_pred)
    r = (p - t).abs()
    return torch.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta)).mean()


def huber_loss_grad(y_true, y_pred, delta=1.0):
    r"""Closed-form gradient of :func:`huber_loss`: :math:`\operatorname{clip}(\hat y - y,
    -\delta, \delta)/M`.

    See Also
    --------
    dlbook.nn.losses.huber_loss_grad, :ref:`ch-losses`

    Examples
    --------
    >>> huber_loss_grad(torch.tensor([0., 0.]), torch.tensor([0.5, 3.0]))
    tensor([0.2500, 0.5000])
    """
    delta = positive_real(delta, "delta")
    t, p = finite_tensor_pair(y_true, y_pred)
    return (p - t).clamp(-delta, delta) / p.numel()


# --------------------------------------------------------------------- margin losses
def _margin_pair(y_true, y_pred):
    t, s = finite_tensor_pair(y_true, y_pred)
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
    positive_real(cost, "cost"), positive_real(profit, "profit")
    t, p = finite_tensor_pair(y_true, y_pred)
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
    positive_real(cost, "cost"), positive_real(profit, "profit")
    t, p = finite_tensor_pair(y_true, y_pred)
    return torch.where(p > t, cost, -profit).to(p.dtype) / p.numel()


def _dice_parts(y_true, y_pred, smooth):
    smooth = real_value(smooth, "smooth", low=0.0)
    t, p = finite_tensor_pair(y_true, y_pred, min_ndim=2)
    value_range(t, "y_true", 0.0, 1.0)
    value_range(p, "y_pred", 0.0, 1.0)
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
    >>> t, p = torch.tensor([[1., 1., 0., 0.]]), torch.tensor([[1., 0., 1., 0.]])
    >>> float(dice_loss(t, p, smooth=0))
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
