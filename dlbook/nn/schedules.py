r"""Learning-rate schedules: plain functions of the update count, and small scheduler classes
that set a NumPy optimizer's learning rate (chapter :ref:`ch-gradient-descent`).

Every function takes ``step`` = the number of updates already made (0 for the first update,
as Keras's ``iterations`` counter and torch's schedulers count), as an int or an array of
them, and returns the learning rate to use for that update (a float, or an array of
``step``'s shape).

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
============================  ===========================================================

The classes act on an optimizer of :mod:`dlbook.nn.optim` the way torch's schedulers act on a
``torch.optim`` optimizer: built on it, they set ``optimizer.hyper["lr"]`` to the schedule's
first value; each ``step()`` (after the optimizer's step, as in torch) moves on by one.
:class:`StepLR`, :class:`ExponentialLR`, :class:`CosineAnnealingLR` and
:class:`ReduceLROnPlateau` carry torch's names, arguments and numbers (the tests compare them step
by step with ``torch.optim.lr_scheduler``); :class:`InverseTimeDecayLR` is the course's
time-based decay, which torch lacks (its torch twin is in :mod:`dlbook.nn.schedules_torch`).
The first four compute the closed form from the initial rate rather than multiplying the
current rate as torch's chainable schedulers do; the two agree unless something else changes
the learning rate between steps.

See Also
--------
dlbook.nn.optim : the optimizers whose ``hyper["lr"]`` a schedule sets.
dlbook.nn.schedules_torch : the time-based decay as a torch ``LRScheduler``.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["inverse_time_decay", "step_decay", "exponential_decay", "cosine_decay",
           "InverseTimeDecayLR", "StepLR", "ExponentialLR", "CosineAnnealingLR",
           "ReduceLROnPlateau"]


def _real(value, name: str, low: float = 0.0, strict: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise TypeError(f"{name} must be a finite real number, got {value!r}")
    if value < low or (strict and value == low):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {low}, got {value!r}")
    return float(value)


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
    InverseTimeDecayLR, dlbook.nn.schedules_torch.InverseTimeDecayLR,
    step_decay, exponential_decay, cosine_decay, :ref:`ch-gradient-descent`

    Examples
    --------
    >>> inverse_time_decay(0.1, 0.5, [0, 1, 2, 6])   # 0.1 / (1 + 0.5 i)
    array([0.1    , 0.06666667, 0.05    , 0.025   ])
    """
    lr0, decay, i = _real(lr0, "lr0"), _real(decay, "decay"), _steps(step)
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
    lr0, gamma, i = _real(lr0, "lr0"), _real(gamma, "gamma", strict=True), _steps(step)
    if isinstance(step_size, bool) or not isinstance(step_size, numbers.Integral) or step_size < 1:
        raise ValueError(f"step_size must be an integer >= 1, got {step_size!r}")
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
    lr0, r, i = _real(lr0, "lr0"), _real(decay_rate, "decay_rate", strict=True), _steps(step)
    if isinstance(decay_steps, bool) or not isinstance(decay_steps, numbers.Integral) \
            or decay_steps < 1:
        raise ValueError(f"decay_steps must be an integer >= 1, got {decay_steps!r}")
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
    lr0, lr_min, i = _real(lr0, "lr0"), _real(lr_min, "lr_min"), _steps(step)
    if isinstance(total_steps, bool) or not isinstance(total_steps, numbers.Integral) \
            or total_steps < 1:
        raise ValueError(f"total_steps must be an integer >= 1, got {total_steps!r}")
    if lr_min > lr0:
        raise ValueError(f"lr_min ({lr_min}) must not exceed lr0 ({lr0})")
    frac = np.minimum(i, total_steps) / total_steps
    return _out(lr_min + 0.5 * (lr0 - lr_min) * (1.0 + np.cos(np.pi * frac)), i)


# -- Scheduler classes acting on a NumPy optimizer's hyper["lr"] ------------------------------
def _whole(value, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


class _Scheduler:
    """Base: remember the optimizer and its initial rate; ``step()`` sets ``lr_at(epoch)``."""

    def __init__(self, optimizer):
        hyper = getattr(optimizer, "hyper", None)
        if not isinstance(hyper, dict) or "lr" not in hyper:
            raise TypeError(f"{type(optimizer).__name__} is not an optimizer of dlbook.nn.optim "
                            "(it has no hyper['lr'])")
        self.optimizer = optimizer
        self.base_lr = float(hyper["lr"])
        self.last_epoch = 0
        self._set(self.lr_at(0))

    def lr_at(self, epoch: int) -> float:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def _set(self, lr: float) -> None:
        self.optimizer.hyper["lr"] = float(lr)

    def step(self) -> None:
        """Advance the schedule by one (call it after the optimizer's step)."""
        self.last_epoch += 1
        self._set(self.lr_at(self.last_epoch))

    def get_last_lr(self) -> float:
        """The learning rate the optimizer now has."""
        return self.optimizer.hyper["lr"]


class InverseTimeDecayLR(_Scheduler):
    r"""The course's time-based decay, :math:`\eta_i = \eta_0 / (1 + \mathrm{decay}\cdot i)`.

    Examples
    --------
    >>> from dlbook.nn.optim import SGD
    >>> opt = SGD([np.zeros(1)], lr=0.1)
    >>> sched = InverseTimeDecayLR(opt, decay=0.5)
    >>> for _ in range(2): sched.step()
    >>> opt.hyper["lr"]   # 0.1 / (1 + 0.5 * 2)
    0.05
    """

    def __init__(self, optimizer, decay: float):
        self.decay = _real(decay, "decay")
        super().__init__(optimizer)

    def lr_at(self, epoch):
        return inverse_time_decay(self.base_lr, self.decay, epoch)


class StepLR(_Scheduler):
    r"""``torch.optim.lr_scheduler.StepLR``: multiply by ``gamma`` every ``step_size`` steps.

    Examples
    --------
    >>> from dlbook.nn.optim import SGD
    >>> opt = SGD([np.zeros(1)], lr=1.0)
    >>> sched = StepLR(opt, step_size=2, gamma=0.5)
    >>> lrs = []
    >>> for _ in range(5): lrs.append(opt.hyper["lr"]); sched.step()
    >>> lrs
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1):
        self.step_size = _whole(step_size, "step_size", 1)
        self.gamma = _real(gamma, "gamma", strict=True)
        super().__init__(optimizer)

    def lr_at(self, epoch):
        return step_decay(self.base_lr, self.gamma, self.step_size, epoch)


class ExponentialLR(_Scheduler):
    r"""``torch.optim.lr_scheduler.ExponentialLR``: :math:`\eta_i = \eta_0 \gamma^i`.

    Examples
    --------
    >>> from dlbook.nn.optim import SGD
    >>> opt = SGD([np.zeros(1)], lr=1.0)
    >>> sched = ExponentialLR(opt, gamma=0.5)
    >>> for _ in range(3): sched.step()
    >>> opt.hyper["lr"]
    0.125
    """

    def __init__(self, optimizer, gamma: float):
        self.gamma = _real(gamma, "gamma", strict=True)
        super().__init__(optimizer)

    def lr_at(self, epoch):
        return exponential_decay(self.base_lr, self.gamma, epoch)


class CosineAnnealingLR(_Scheduler):
    r"""``torch.optim.lr_scheduler.CosineAnnealingLR``:
    :math:`\eta_i = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})(1 + \cos(\pi i / T))`.

    Unlike :func:`cosine_decay`, which stays at ``eta_min`` after ``T_max`` steps, this is
    torch's schedule for every ``i``: past :math:`T` the cosine climbs back up (a period of
    :math:`2T`).

    Examples
    --------
    >>> from dlbook.nn.optim import SGD
    >>> opt = SGD([np.zeros(1)], lr=1.0)
    >>> sched = CosineAnnealingLR(opt, T_max=4)
    >>> lrs = []
    >>> for _ in range(7): lrs.append(round(opt.hyper["lr"], 4)); sched.step()
    >>> lrs   # down to 0 at i = T_max = 4, then up again
    [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.1464, 0.5]
    """

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0):
        self.T_max = _whole(T_max, "T_max", 1)
        self.eta_min = _real(eta_min, "eta_min")
        super().__init__(optimizer)

    def lr_at(self, epoch):
        return self.eta_min + 0.5 * (self.base_lr - self.eta_min) * (
            1.0 + np.cos(np.pi * epoch / self.T_max))


class ReduceLROnPlateau:
    r"""``torch.optim.lr_scheduler.ReduceLROnPlateau``: cut the rate when a metric stalls.

    Parameters
    ----------
    optimizer : optimizer of :mod:`dlbook.nn.optim`, or None
        The optimizer whose ``hyper["lr"]`` ``step`` changes.  With None, drive the rule with
        ``update(metric, lrs)``, which takes and returns one rate per parameter group.
    mode : {"min", "max"}, default "min"
        Whether the metric (loss: min; accuracy: max) should fall or rise.
    factor : float, default 0.1
        New rate = ``max(rate * factor, min_lr)``; :math:`0 \le` factor :math:`< 1`.
    patience : int, default 10
        Number of bad steps tolerated; the rate drops on bad step ``patience + 1``.
    threshold : float, default 1e-4
        How much better than the best so far counts as better.
    threshold_mode : {"rel", "abs"}, default "rel"
        In "min" mode, better means ``metric < best * (1 - threshold)`` ("rel") or
        ``metric < best - threshold`` ("abs"); in "max" mode ``best * (1 + threshold)`` or
        ``best + threshold``.
    cooldown : int, default 0
        Steps after a reduction during which bad steps are not counted.
    min_lr : float or list of float, default 0
        Lower bound of the rate (one per parameter group, as in torch).
    eps : float, default 1e-8
        A reduction smaller than ``eps`` is skipped.

    Notes
    -----
    ``step(metric)``, once per epoch, does exactly what torch's does: update ``best`` or
    count a bad step; during cooldown count down and forget bad steps; after more than
    ``patience`` bad steps reduce the rate, start the cooldown and reset the count.  (With
    "rel" and a negative best, ``best * (1 - threshold)`` lies *above* best; torch behaves
    the same way.)

    Examples
    --------
    >>> from dlbook.nn.optim import SGD
    >>> opt = SGD([np.zeros(1)], lr=1.0)
    >>> sched = ReduceLROnPlateau(opt, factor=0.5, patience=1)
    >>> for loss in [3.0, 2.0, 2.0, 2.0, 2.0, 2.0]: sched.step(loss)
    >>> opt.hyper["lr"]   # bad steps 1, 2 -> 0.5; then 1, 2 -> 0.25
    0.25
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0.0, eps=1e-8):
        # optimizer=None: a bare state machine driven through update(metric, lrs), which the
        # ReduceLROnPlateau *callback* of dlbook.nn.callbacks uses for torch's parameter groups.
        if optimizer is not None and (not isinstance(getattr(optimizer, "hyper", None), dict)
                                      or "lr" not in optimizer.hyper):
            raise TypeError(f"{type(optimizer).__name__} is not an optimizer of dlbook.nn.optim")
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        self.factor = _real(factor, "factor")
        if self.factor >= 1.0:
            raise ValueError(f"factor must be < 1, got {factor!r}")
        self.optimizer, self.mode, self.threshold_mode = optimizer, mode, threshold_mode
        self.patience = _whole(patience, "patience", 0)
        self.cooldown = _whole(cooldown, "cooldown", 0)
        self.threshold = _real(threshold, "threshold")
        if isinstance(min_lr, (list, tuple)):
            self.min_lr = [_real(v, "min_lr") for v in min_lr]
        else:
            self.min_lr = _real(min_lr, "min_lr")
        self.eps = _real(eps, "eps")
        self.reset()

    def reset(self) -> None:
        """Forget the history: best value, bad-step counter and cooldown."""
        self.best = np.inf if self.mode == "min" else -np.inf
        self.num_bad_epochs = self.cooldown_counter = self.last_epoch = 0

    def is_better(self, metric: float, best: float) -> bool:
        """Whether ``metric`` beats ``best`` by more than the threshold."""
        if self.mode == "min" and self.threshold_mode == "rel":
            return metric < best * (1.0 - self.threshold)
        if self.mode == "min":
            return metric < best - self.threshold
        if self.threshold_mode == "rel":
            return metric > best * (1.0 + self.threshold)
        return metric > best + self.threshold

    def update(self, metric, lrs) -> list[float]:
        """Record one metric value; return the new rates for the given ones (one per group)."""
        current, lrs = float(metric), [float(lr) for lr in lrs]
        if isinstance(self.min_lr, list):
            if len(self.min_lr) != len(lrs):
                raise ValueError(f"min_lr has {len(self.min_lr)} entries for {len(lrs)} parameter groups")
            min_lrs = self.min_lr
        else:
            min_lrs = [self.min_lr] * len(lrs)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during cooldown do not count
        if self.num_bad_epochs > self.patience:
            new = [max(lr * self.factor, low) for lr, low in zip(lrs, min_lrs)]
            lrs = [n if old - n > self.eps else old for old, n in zip(lrs, new)]
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        return lrs

    def step(self, metric) -> None:
        """Record this epoch's metric and cut the optimizer's learning rate if it has stalled."""
        if self.optimizer is None:
            raise TypeError("this ReduceLROnPlateau has no optimizer: call update(metric, lrs)")
        self.optimizer.hyper["lr"] = self.update(metric, [self.optimizer.hyper["lr"]])[0]

    def get_last_lr(self) -> float:
        """The learning rate the optimizer now has."""
        return self.optimizer.hyper["lr"]
