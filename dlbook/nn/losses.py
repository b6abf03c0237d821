r"""Regression, margin and task-specific losses with their gradients (NumPy reference).

Every loss takes ``(y_true, y_pred)`` of identical shape, returns a Python ``float`` and
averages over the batch: over every element for the element-wise losses (MSE, MAE, hinge,
cost/profit), over the ``N`` samples for Dice. ``<name>_grad`` returns
:math:`\partial L / \partial \hat y` with the shape of ``y_pred``, that same mean included.
Shapes are never broadcast: a mismatch raises ``ValueError``.
:mod:`dlbook.nn.cross_entropy` holds the classification losses (cross-entropy in all its forms,
entropy and KL divergence) under the same conventions.

See Also
--------
dlbook.nn.losses_torch : the PyTorch twin, same names.
dlbook.nn.cross_entropy : entropy, KL divergence and the cross-entropy losses.
:ref:`ch-losses` : the chapter that derives and plots these losses.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import finite_pair, positive_real, real_value, value_range

__all__ = [
    "mse", "mse_grad", "mae", "mae_grad", "huber_loss", "huber_loss_grad",
    "hinge", "hinge_grad", "squared_hinge", "squared_hinge_grad",
    "cost_profit_loss", "cost_profit_loss_grad", "dice_loss", "dice_loss_grad",
]


# --------------------------------------------------------------------- regression
def mse(y_true, y_pred):
    r"""Mean squared error, averaged over every element.

    Parameters
    ----------
    y_true, y_pred : array_like of identical shape (N, ...)
        Targets and predictions.

    Returns
    -------
    float

    Notes
    -----
    .. math:: L = \frac{1}{M}\sum_{i=1}^{M} (\hat y_i - y_i)^2

    with :math:`M` the number of elements.

    See Also
    --------
    dlbook.nn.losses_torch.mse, :ref:`ch-losses`

    Examples
    --------
    >>> mse([1.0, 2.0, 3.0], [1.5, 2.0, 2.0])  # (0.25 + 0 + 1) / 3
    0.41666...
    """
    t, p = finite_pair(y_true, y_pred)
    return float(np.mean((p - t) ** 2))


def mse_grad(y_true, y_pred):
    r"""Gradient of :func:`mse`: :math:`\partial L/\partial \hat y_i = 2(\hat y_i - y_i)/M`.

    Returns an array shaped like ``y_pred``.

    See Also
    --------
    dlbook.nn.losses_torch.mse_grad, :ref:`ch-losses`

    Examples
    --------
    >>> mse_grad([1.0, 2.0, 3.0], [1.5, 2.0, 2.0])  # 2 * [0.5, 0, -1] / 3
    array([ 0.33333333,  0.        , -0.66666667])
    """
    t, p = finite_pair(y_true, y_pred)
    return 2.0 * (p - t) / p.size


def mae(y_true, y_pred):
    r"""Mean absolute error, averaged over every element.

    Notes
    -----
    .. math:: L = \frac{1}{M}\sum_{i=1}^{M} \lvert \hat y_i - y_i \rvert

    See Also
    --------
    dlbook.nn.losses_torch.mae, :ref:`ch-losses`

    Examples
    --------
    >>> mae([1.0, 2.0, 3.0], [1.5, 2.0, 2.0])  # (0.5 + 0 + 1) / 3
    0.5
    """
    t, p = finite_pair(y_true, y_pred)
    return float(np.mean(np.abs(p - t)))


def mae_grad(y_true, y_pred):
    r"""Gradient of :func:`mae`: :math:`\operatorname{sign}(\hat y_i - y_i)/M` (0 at a tie, as
    torch).

    See Also
    --------
    dlbook.nn.losses_torch.mae_grad, :ref:`ch-losses`

    Examples
    --------
    >>> mae_grad([1.0, 2.0, 3.0], [1.5, 2.0, 2.0])
    array([ 0.33333333,  0.        , -0.33333333])
    """
    t, p = finite_pair(y_true, y_pred)
    return np.sign(p - t) / p.size


def huber_loss(y_true, y_pred, delta=1.0):
    r"""Huber loss: squared for small errors, linear for large ones, mean over elements.

    Parameters
    ----------
    y_true, y_pred : array_like of identical shape (N, ...)
    delta : float > 0, default 1.0
        Where the quadratic piece hands over to the linear one (torch's name and default).

    Notes
    -----
    With :math:`r_i = \hat y_i - y_i`,

    .. math::
        L = \frac{1}{M}\sum_i \begin{cases} \tfrac12 r_i^2 & |r_i| \le \delta \\
        \delta\,(|r_i| - \tfrac12\delta) & \text{otherwise} \end{cases}

    The two pieces meet with the same value and slope at :math:`|r| = \delta`, so the gradient
    never exceeds :math:`\delta` in size: one wild target cannot produce a huge step (the reason
    DQN uses it). ``torch.nn.functional.huber_loss`` computes the same; ``smooth_l1_loss`` with
    ``beta`` is this loss divided by ``beta`` (the same for :math:`\delta = \beta = 1`).

    See Also
    --------
    dlbook.nn.losses_torch.huber_loss, mse, mae, :ref:`ch-losses`

    Examples
    --------
    >>> huber_loss([0.0, 0.0], [0.5, 3.0])  # (0.5 * 0.25 + 1 * (3 - 0.5)) / 2
    1.3125
    """
    delta = positive_real(delta, "delta")
    t, p = finite_pair(y_true, y_pred)
    r = np.abs(p - t)
    return float(np.mean(np.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta))))


def huber_loss_grad(y_true, y_pred, delta=1.0):
    r"""Gradient of :func:`huber_loss`: :math:`\operatorname{clip}(\hat y_i - y_i, -\delta,
    \delta)/M`.

    See Also
    --------
    dlbook.nn.losses_torch.huber_loss_grad, :ref:`ch-losses`

    Examples
    --------
    >>> huber_loss_grad([0.0, 0.0], [0.5, 3.0])  # [0.5, 1] / 2
    array([0.25, 0.5 ])
    """
    delta = positive_real(delta, "delta")
    t, p = finite_pair(y_true, y_pred)
    return np.clip(p - t, -delta, delta) / p.size


# --------------------------------------------------------------------- margin losses
def _margin_pair(y_true, y_pred):
    t, s = finite_pair(y_true, y_pred)
    if not np.all(np.abs(t) == 1):
        found = np.unique(t)[:5]
        raise ValueError(f"hinge losses need labels -1 or +1, got values {found}; "
                         "convert 0/1 labels with 2 * y - 1")
    return t, s


def hinge(y_true, y_pred):
    r"""Hinge loss for labels :math:`y\in\{-1,+1\}` and real scores :math:`s`, mean over elements.

    Notes
    -----
    .. math:: L = \frac{1}{M}\sum_i \max(0,\ 1 - y_i s_i)

    Zero once a sample is on the right side with margin :math:`y s \ge 1`.

    See Also
    --------
    dlbook.nn.losses_torch.hinge, :ref:`ch-losses`

    Examples
    --------
    >>> hinge([1, -1], [0.5, 0.5])  # (0.5 + 1.5) / 2
    1.0
    """
    t, s = _margin_pair(y_true, y_pred)
    return float(np.mean(np.maximum(0.0, 1.0 - t * s)))


def hinge_grad(y_true, y_pred):
    r"""Gradient of :func:`hinge`: :math:`-y_i[1 - y_i s_i > 0]/M` (0 at the kink, as ``relu``).

    See Also
    --------
    dlbook.nn.losses_torch.hinge_grad, :ref:`ch-losses`

    Examples
    --------
    >>> hinge_grad([1, -1], [0.5, 2.0])  # second sample: 1 - (-1)(2) = 3 > 0
    array([-0.5,  0.5])
    """
    t, s = _margin_pair(y_true, y_pred)
    return np.where(1.0 - t * s > 0, -t, 0.0) / s.size


def squared_hinge(y_true, y_pred):
    r"""Squared hinge loss :math:`\frac{1}{M}\sum_i \max(0, 1 - y_i s_i)^2`, labels :math:`\pm 1`.

    See Also
    --------
    dlbook.nn.losses_torch.squared_hinge, :ref:`ch-losses`

    Examples
    --------
    >>> squared_hinge([1, -1], [0.5, 0.5])  # (0.25 + 2.25) / 2
    1.25
    """
    t, s = _margin_pair(y_true, y_pred)
    return float(np.mean(np.maximum(0.0, 1.0 - t * s) ** 2))


def squared_hinge_grad(y_true, y_pred):
    r"""Gradient of :func:`squared_hinge`: :math:`-2 y_i \max(0, 1 - y_i s_i)/M`.

    See Also
    --------
    dlbook.nn.losses_torch.squared_hinge_grad, :ref:`ch-losses`

    Examples
    --------
    >>> squared_hinge_grad([1, -1], [0.5, 0.5])  # -2 * [0.5, -1.5] / 2
    array([-0.5,  1.5])
    """
    t, s = _margin_pair(y_true, y_pred)
    return (0.0 - 2.0 * t * np.maximum(0.0, 1.0 - t * s)) / s.size


# --------------------------------------------------------------------- task-specific losses
def cost_profit_loss(y_true, y_pred, *, cost, profit):
    r"""Asymmetric piecewise-linear loss: over-prediction costs ``cost`` per unit, under-prediction
    loses ``profit`` per unit. Mean over elements.

    Parameters
    ----------
    y_true, y_pred : array_like of identical shape (N, ...)
        Actual and predicted quantities (e.g. daily sales).
    cost, profit : float > 0
        Price of one unit made but not sold, and profit lost on one unit not made but demanded.

    Notes
    -----
    .. math::
        L = \frac{1}{M}\sum_i \begin{cases} \text{cost}\,(\hat y_i - y_i) & \hat y_i > y_i\\
        \text{profit}\,(y_i - \hat y_i) & \text{otherwise}\end{cases}

    The constant prediction that minimises it is the
    :math:`\tau = \text{profit}/(\text{cost}+\text{profit})` quantile of :math:`y`; it is
    :math:`(\text{cost}+\text{profit})` times the pinball loss at :math:`\tau`.

    See Also
    --------
    dlbook.nn.losses_torch.cost_profit_loss, :ref:`ch-losses`

    Examples
    --------
    >>> cost_profit_loss([10, 10], [12, 7], cost=1, profit=9)  # (2*1 + 3*9) / 2
    14.5
    """
    positive_real(cost, "cost"), positive_real(profit, "profit")
    t, p = finite_pair(y_true, y_pred)
    return float(np.mean(np.where(p > t, cost * (p - t), profit * (t - p))))


def cost_profit_loss_grad(y_true, y_pred, *, cost, profit):
    r"""Gradient of :func:`cost_profit_loss`: ``cost/M`` where :math:`\hat y > y`, else
    ``-profit/M``.

    See Also
    --------
    dlbook.nn.losses_torch.cost_profit_loss_grad, :ref:`ch-losses`

    Examples
    --------
    >>> cost_profit_loss_grad([10, 10], [12, 7], cost=1, profit=9)
    array([ 0.5, -4.5])
    """
    positive_real(cost, "cost"), positive_real(profit, "profit")
    t, p = finite_pair(y_true, y_pred)
    return np.where(p > t, cost, -profit) / p.size


def _dice_parts(y_true, y_pred, smooth):
    smooth = real_value(smooth, "smooth", low=0.0)
    t, p = finite_pair(y_true, y_pred, min_ndim=2)
    value_range(t, "y_true", 0.0, 1.0)
    value_range(p, "y_pred", 0.0, 1.0)
    axes = tuple(range(1, p.ndim))
    inter = np.sum(t * p, axis=axes)  # (N,)
    total = np.sum(t, axis=axes) + np.sum(p, axis=axes) + smooth  # (N,)
    if np.any(total == 0):
        raise ValueError(f"sample {int(np.flatnonzero(total == 0)[0])} has an empty target and an "
                         "empty prediction: Dice is 0/0 there; use smooth > 0")
    return t, p, inter, total


def dice_loss(y_true, y_pred, smooth=1.0):
    r"""Soft Dice loss for masks: one Dice coefficient per sample, ``1 - mean`` over the batch.

    Parameters
    ----------
    y_true : array_like of shape (N, ...)
        Target masks in [0, 1] (usually 0/1), at least 2-D: sample axis first.
    y_pred : array_like, same shape
        Predicted probabilities (not thresholded: a threshold has no gradient).
    smooth : float >= 0, default 1.0
        Added to numerator and denominator. It makes an empty target predicted as empty score
        :math:`s/s = 1` instead of 0/0, and keeps the gradient finite and gentle on tiny masks.

    Notes
    -----
    .. math::
        D_n = \frac{2\sum_j y_{nj}\hat y_{nj} + s}{\sum_j y_{nj} + \sum_j \hat y_{nj} + s},\qquad
        L = 1 - \frac{1}{N}\sum_{n=1}^{N} D_n

    For 0/1 masks and ``smooth=0``, :math:`D_n` is the F1 score of the pixels.

    See Also
    --------
    dlbook.nn.losses_torch.dice_loss, :ref:`ch-losses`

    Examples
    --------
    >>> dice_loss([[1, 1, 0, 0]], [[1, 0, 1, 0]], smooth=0)  # 1 - 2*1/(2+2)
    0.5
    >>> round(dice_loss([[1, 1, 0, 0]], [[1, 0, 1, 0]], smooth=1), 6)  # 1 - (2+1)/(4+1)
    0.4
    """
    _, _, inter, total = _dice_parts(y_true, y_pred, smooth)
    return float(1.0 - np.mean((2.0 * inter + smooth) / total))


def dice_loss_grad(y_true, y_pred, smooth=1.0):
    r"""Gradient of :func:`dice_loss` with respect to ``y_pred``.

    .. math::
        \frac{\partial L}{\partial \hat y_{nj}} = -\frac{1}{N}\,
        \frac{2 y_{nj}\,(S_n + s) - (2 I_n + s)}{(S_n + s)^2},\quad
        I_n = \sum_j y_{nj}\hat y_{nj},\ S_n = \sum_j (y_{nj} + \hat y_{nj})

    See Also
    --------
    dlbook.nn.losses_torch.dice_loss_grad, :ref:`ch-losses`

    Examples
    --------
    >>> dice_loss_grad([[1, 1, 0, 0]], [[1, 0, 1, 0]], smooth=1)  # -(2y*5 - 3) / 25
    array([[-0.28, -0.28,  0.12,  0.12]])
    """
    t, p, inter, total = _dice_parts(y_true, y_pred, smooth)
    shape = (-1,) + (1,) * (p.ndim - 1)  # broadcast (N,) over the mask axes
    inter, total = inter.reshape(shape), total.reshape(shape)
    return -(2.0 * t * total - (2.0 * inter + smooth)) / total**2 / p.shape[0]
