r"""Learning-rate schedulers for the NumPy optimizers of :mod:`dlbook.nn.optim` (chapter
:ref:`ch-gradient-descent`).

They act on an optimizer of :mod:`dlbook.nn.optim` the way torch's schedulers act on a
``torch.optim`` optimizer: built on it, they set ``optimizer.hyper["lr"]`` to the schedule's
first value; each ``step()`` (after the optimizer's step, as in torch) moves on by one.
:class:`StepLR`, :class:`ExponentialLR`, :class:`CosineAnnealingLR`, :class:`LinearLR` and
:class:`ReduceLROnPlateau` carry torch's names, arguments and numbers (the tests compare them
step by step with ``torch.optim.lr_scheduler``); :class:`InverseTimeDecayLR` is the course's
time-based decay, which torch lacks. The rates come from the formulas of
:mod:`dlbook.nn.schedules`, computed in closed form from the initial rate rather than by
multiplying the current rate as torch's chainable schedulers do; the two agree unless
something else changes the learning rate between steps.

See Also
--------
dlbook.nn.schedulers_torch : the same classes for torch optimizers.
dlbook.nn.schedules : the schedules as plain functions.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import int_value, one_of, positive_int, positive_real, probability, real_value
from dlbook.nn.schedules import exponential_decay, inverse_time_decay, step_decay

__all__ = ["InverseTimeDecayLR", "StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
           "ReduceLROnPlateau"]


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

    def get_last_lr(self) -> list[float]:
        """The learning rate the optimizer now has, as a list (one per group, as in torch)."""
        return [self.optimizer.hyper["lr"]]


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
        self.decay = real_value(decay, "decay", low=0.0)
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
        self.step_size = positive_int(step_size, "step_size")
        self.gamma = positive_real(gamma, "gamma")
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
        self.gamma = positive_real(gamma, "gamma")
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
        self.T_max = positive_int(T_max, "T_max")
        self.eta_min = real_value(eta_min, "eta_min", low=0.0)
        super().__init__(optimizer)

    def lr_at(self, epoch):
        return self.eta_min + 0.5 * (self.base_lr - self.eta_min) * (
            1.0 + np.cos(np.pi * epoch / self.T_max))


class LinearLR(_Scheduler):
    r"""``torch.optim.lr_scheduler.LinearLR``: scale the rate linearly from ``start_factor``
    to ``end_factor`` over ``total_iters`` steps; a linear warm-up with the defaults.

    Examples
    --------
    >>> from dlbook.nn.optim import SGD
    >>> opt = SGD([np.zeros(1)], lr=1.0)
    >>> sched = LinearLR(opt, start_factor=0.25, total_iters=3)
    >>> lrs = []
    >>> for _ in range(5): lrs.append(opt.hyper["lr"]); sched.step()
    >>> lrs   # 0.25, 0.5, 0.75, then 1.0 from step 3 on
    [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(self, optimizer, start_factor: float = 1 / 3, end_factor: float = 1.0,
                 total_iters: int = 5):
        self.start_factor = probability(start_factor, "start_factor", low_open=True)
        self.end_factor = probability(end_factor, "end_factor")
        self.total_iters = positive_int(total_iters, "total_iters")
        super().__init__(optimizer)

    def lr_at(self, epoch):
        frac = min(epoch, self.total_iters) / self.total_iters
        return self.base_lr * (self.start_factor + (self.end_factor - self.start_factor) * frac)


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
        # ReduceLROnPlateau *callback* of dlbook.nn.callbacks and the torch twin use.
        if optimizer is not None and (not isinstance(getattr(optimizer, "hyper", None), dict)
                                      or "lr" not in optimizer.hyper):
            raise TypeError(f"{type(optimizer).__name__} is not an optimizer of dlbook.nn.optim")
        one_of(mode, "mode", ("min", "max"))
        one_of(threshold_mode, "threshold_mode", ("rel", "abs"))
        self.factor = real_value(factor, "factor", low=0.0, high=1.0, high_open=True)
        self.optimizer, self.mode, self.threshold_mode = optimizer, mode, threshold_mode
        self.patience = int_value(patience, "patience", low=0)
        self.cooldown = int_value(cooldown, "cooldown", low=0)
        self.threshold = real_value(threshold, "threshold", low=0.0)
        if isinstance(min_lr, (list, tuple)):
            self.min_lr = [real_value(v, "min_lr", low=0.0) for v in min_lr]
        else:
            self.min_lr = real_value(min_lr, "min_lr", low=0.0)
        self.eps = real_value(eps, "eps", low=0.0)
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
                raise ValueError(
                    f"min_lr has {len(self.min_lr)} entries for {len(lrs)} parameter groups"
                )
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

    def get_last_lr(self) -> list[float]:
        """The learning rate the optimizer now has, as a list (one per group, as in torch)."""
        return [self.optimizer.hyper["lr"]]
