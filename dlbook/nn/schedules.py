r"""Learning-rate schedules: the rate of each update as a plain function of the update count
(chapters :ref:`ch-gradient-descent` and :ref:`ch-optimizers`).

Every function takes ``step`` = the number of updates already made (0 for the first update,
as Keras's ``iterations`` counter and torch's schedulers count), as an int or an array of
them, and returns the learning rate to use for that update (a float, or an array of
``step``'s shape). They hold no state and know no framework; the scheduler classes that set an
optimizer's rate from them are in :mod:`dlbook.nn.schedulers` (NumPy optimizers) and
:mod:`dlbook.nn.schedulers_torch` (torch optimizers).

Which torch scheduler gives the same numbers (the tests check each pairing):

============================  ===========================================================
this module                   torch
============================  ===========================================================
:func:`inverse_time_decay`    no scheduler; ``torch.optim.Adagrad``'s ``lr_decay`` applies
                              exactly this rule inside Adagrad (``LambdaLR`` can express it)
:func:`step_decay`            ``torch.optim.lr_scheduler.StepLR(step_size, gamma)``
:func:`exponential_decay`     ``ExponentialLR(gamma)`` when ``decay_steps=1``; with
                              ``staircase=True`` it is ``StepLR(decay_steps, decay_rate)``;
                              the smooth ``decay_steps > 1`` form has no torch scheduler
:func:`cosine_decay`          ``CosineAnnealingLR(T_max=total_steps, eta_min=lr_min)`` for
                              ``step <= total_steps``; after that torch's cosine climbs back
                              up while this one stays at ``lr_min``
:func:`linear_warmup`         ``LinearLR(start_factor, end_factor=1, total_iters=warmup_steps)``
============================  ===========================================================

See Also
--------
dlbook.nn.schedulers, dlbook.nn.schedulers_torch : the schedules as scheduler classes.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import positive_int, positive_real, probability, real_value

__all__ = ["inverse_time_decay", "step_decay", "exponential_decay", "cosine_decay",
           "linear_warmup"]


def _steps(step):
    """``step`` as a non-negative integer array (or Python int for scalar input)."""
    arr = np.asarray(step)
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise TypeError(f"step must be a whole number of updates, got {step!r}")
    if np.any(arr < 0):
        raise ValueError(f"step must be >= 0, got {step!r}")
    return arr


def _out(value, step_arr):
    return float(value) if np.ndim(step_arr) == 0 else value


def inverse_time_decay(lr0: float, decay: float, step):
    r"""Inverse-time decay :math:`\eta_i = \eta_0 / (1 + \mathrm{decay}\cdot i)`, Keras's old
    ``decay`` argument.

    Parameters
    ----------
    lr0 : float
        Initial learning rate :math:`\eta_0 \ge 0`.
    decay : float
        Any :math:`\mathrm{decay} \ge 0` (not limited to [0, 1]); 0 keeps the rate constant.
    step : int or array_like of int
        :math:`i`, the number of updates (mini-batches) already made, not epochs.

    Returns
    -------
    float or ndarray

    Notes
    -----
    Keras 2's optimizers computed ``lr * 1 / (1 + decay * iterations)`` with ``iterations``
    counting parameter updates, so the rate halves after :math:`1/\mathrm{decay}` updates.
    ``torch.optim.Adagrad(lr_decay=decay)`` applies the same rule inside Adagrad.

    See Also
    --------
    dlbook.nn.schedulers.InverseTimeDecayLR, dlbook.nn.schedulers_torch.InverseTimeDecayLR,
    step_decay, exponential_decay, cosine_decay, :ref:`ch-gradient-descent`

    Examples
    --------
    >>> inverse_time_decay(0.1, 0.5, [0, 1, 2, 6])   # 0.1 / (1 + 0.5 i)
    array([0.1    , 0.06666667, 0.05    , 0.025   ])
    """
    lr0, decay, i = (
        real_value(lr0, "lr0", low=0.0),
        real_value(decay, "decay", low=0.0),
        _steps(step),
    )
    return _out(lr0 / (1.0 + decay * i), i)


def step_decay(lr0: float, gamma: float, step_size: int, step):
    r"""Step decay: multiply the rate by ``gamma`` every ``step_size`` updates,
    :math:`\eta_i = \eta_0\, \gamma^{\lfloor i / s \rfloor}`.

    Parameters
    ----------
    lr0 : float
        Initial learning rate.
    gamma : float
        Factor per drop, :math:`0 < \gamma`, usually below 1.
    step_size : int
        :math:`s \ge 1`: updates (or epochs, if ``step`` counts epochs) between drops.
    step : int or array_like of int

    Returns
    -------
    float or ndarray

    See Also
    --------
    torch.optim.lr_scheduler.StepLR, :ref:`ch-gradient-descent`

    Examples
    --------
    >>> step_decay(0.1, 0.5, 10, [0, 9, 10, 25])
    array([0.1  , 0.1  , 0.05 , 0.025])
    """
    lr0, gamma, i = real_value(lr0, "lr0", low=0.0), positive_real(gamma, "gamma"), _steps(step)
    step_size = positive_int(step_size, "step_size")
    return _out(lr0 * gamma ** (i // step_size), i)


def exponential_decay(lr0: float, decay_rate: float, step, decay_steps: int = 1,
                      staircase: bool = False):
    r"""Exponential decay :math:`\eta_i = \eta_0\, r^{\,i / k}` (TensorFlow's
    ``exponential_decay`` with ``learning_rate``, ``decay_rate``, ``decay_steps``).

    Parameters
    ----------
    lr0 : float
        Initial learning rate :math:`\eta_0`.
    decay_rate : float
        :math:`r > 0`, the factor applied every ``decay_steps`` updates.
    step : int or array_like of int
    decay_steps : int, default 1
        :math:`k \ge 1`.
    staircase : bool, default False
        Use :math:`\lfloor i/k \rfloor` in the exponent (drops every :math:`k` updates).

    Returns
    -------
    float or ndarray

    See Also
    --------
    torch.optim.lr_scheduler.ExponentialLR, step_decay, :ref:`ch-gradient-descent`

    Examples
    --------
    >>> exponential_decay(1.0, 0.5, [0, 1, 2, 3], decay_steps=2)   # 0.5 ** (i / 2)
    array([1.        , 0.70710678, 0.5       , 0.35355339])
    """
    lr0, i = real_value(lr0, "lr0", low=0.0), _steps(step)
    r = positive_real(decay_rate, "decay_rate")
    decay_steps = positive_int(decay_steps, "decay_steps")
    exponent = i // decay_steps if staircase else i / decay_steps
    return _out(lr0 * r**exponent, i)


def cosine_decay(lr0: float, step, total_steps: int, lr_min: float = 0.0):
    r"""Cosine decay from ``lr0`` to ``lr_min`` over ``total_steps`` updates, then flat:
    :math:`\eta_i = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})\bigl(1 + \cos(\pi\,
    \min(i, T)/T)\bigr)`.

    Parameters
    ----------
    lr0 : float
        Initial learning rate.
    step : int or array_like of int
    total_steps : int
        :math:`T \ge 1`.
    lr_min : float, default 0
        Final learning rate, :math:`0 \le \eta_{\min} \le \eta_0`.

    Returns
    -------
    float or ndarray

    See Also
    --------
    torch.optim.lr_scheduler.CosineAnnealingLR, :ref:`ch-gradient-descent`

    Examples
    --------
    >>> cosine_decay(1.0, [0, 50, 100, 150], total_steps=100)   # half-way: exactly 0.5
    array([1. , 0.5, 0. , 0. ])
    """
    lr0, lr_min, i = (
        real_value(lr0, "lr0", low=0.0),
        real_value(lr_min, "lr_min", low=0.0),
        _steps(step),
    )
    total_steps = positive_int(total_steps, "total_steps")
    if lr_min > lr0:
        raise ValueError(f"lr_min ({lr_min}) must not exceed lr0 ({lr0})")
    frac = np.minimum(i, total_steps) / total_steps
    return _out(lr_min + 0.5 * (lr0 - lr_min) * (1.0 + np.cos(np.pi * frac)), i)


def linear_warmup(lr0: float, step, warmup_steps: int, start_factor: float = 1 / 3):
    r"""Linear warm-up: the rate climbs from ``start_factor * lr0`` to ``lr0`` over
    ``warmup_steps`` updates, then stays there.

    .. math:: \eta_i = \eta_0\Bigl(f + (1 - f)\,\frac{\min(i, W)}{W}\Bigr)

    Parameters
    ----------
    lr0 : float
        The rate after the warm-up, :math:`\eta_0 \ge 0`.
    step : int or array_like of int
    warmup_steps : int
        :math:`W \ge 1`.
    start_factor : float in (0, 1], default 1/3
        :math:`f`, the fraction of ``lr0`` used by the first update (torch's ``LinearLR``
        default; warm-ups for large models start far lower, 0.01 or less).

    Returns
    -------
    float or ndarray

    Notes
    -----
    Adam's first steps have a step size of about ``lr`` whatever the gradient's scale, and the
    running second moment is an average of very few gradients; a warm-up keeps those early,
    poorly estimated steps small. Combine it with a decay by taking the warm-up for
    :math:`i < W` and the decay (shifted by :math:`W`) afterwards.

    See Also
    --------
    torch.optim.lr_scheduler.LinearLR, dlbook.nn.schedulers.LinearLR, :ref:`ch-optimizers`

    Examples
    --------
    >>> linear_warmup(0.1, [0, 1, 2, 4, 9], warmup_steps=4, start_factor=0.2)   # 0.02 + 0.02 i
    array([0.02, 0.04, 0.06, 0.1 , 0.1 ])
    """
    lr0, i = real_value(lr0, "lr0", low=0.0), _steps(step)
    warmup_steps = positive_int(warmup_steps, "warmup_steps")
    f = probability(start_factor, "start_factor", low_open=True)
    return _out(lr0 * (f + (1.0 - f) * np.minimum(i, warmup_steps) / warmup_steps), i)
