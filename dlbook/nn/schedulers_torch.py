r"""Learning-rate schedulers for torch optimizers, written by hand (chapter
:ref:`ch-gradient-descent`).

The twins of :mod:`dlbook.nn.schedulers`: the same classes and arguments, for any torch
optimizer (those of ``torch.optim`` and the hand-written ones of :mod:`dlbook.nn.optim_torch`).
Each is a ``torch.optim.lr_scheduler.LRScheduler`` subclass whose ``get_lr`` is the closed form
of a schedule of :mod:`dlbook.nn.schedules`, applied to every parameter group's initial rate;
:class:`ReduceLROnPlateau` runs the rule of :class:`dlbook.nn.schedulers.ReduceLROnPlateau` on
the groups' rates. The tests hold :class:`StepLR`, :class:`ExponentialLR`,
:class:`CosineAnnealingLR`, :class:`LinearLR` and :class:`ReduceLROnPlateau` to their
``torch.optim.lr_scheduler`` namesakes step by step; :class:`InverseTimeDecayLR` (the course's
time-based decay) is one torch lacks.

See Also
--------
dlbook.nn.schedulers : the NumPy twins.
dlbook.nn.schedules : the schedules as plain functions.
"""

from __future__ import annotations

import math

from torch.optim.lr_scheduler import LRScheduler

from dlbook._checks import positive_int, positive_real, probability, real_value
from dlbook.nn import schedulers
from dlbook.nn.schedules import inverse_time_decay, step_decay

__all__ = ["InverseTimeDecayLR", "StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
           "ReduceLROnPlateau"]


class InverseTimeDecayLR(LRScheduler):
    r"""Time-based decay: the rate of update :math:`i` (0-based) is
    :math:`\eta_0 / (1 + \mathrm{decay}\cdot i)`.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
    decay : float
        :math:`\mathrm{decay} \ge 0`; 0 keeps the rate constant.
    last_epoch : int, default -1
        As in every torch scheduler: -1 starts a new schedule.

    Notes
    -----
    Like ``LambdaLR(optimizer, lambda i: 1 / (1 + decay * i))``. Stepped once per update, it
    reproduces Keras 2's ``decay`` and ``torch.optim.Adagrad``'s own ``lr_decay``.

    See Also
    --------
    dlbook.nn.schedulers.InverseTimeDecayLR, dlbook.nn.schedules.inverse_time_decay

    Examples
    --------
    >>> import torch
    >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    >>> sched = InverseTimeDecayLR(opt, decay=0.5)
    >>> for _ in range(2):
    ...     opt.step()
    ...     sched.step()
    >>> sched.get_last_lr()   # 0.1 / (1 + 0.5 * 2)
    [0.05]
    """

    def __init__(self, optimizer, decay: float, last_epoch: int = -1):
        self.decay = real_value(decay, "decay", low=0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The closed form for ``last_epoch``: ``initial_lr / (1 + decay * last_epoch)``."""
        return [inverse_time_decay(base, self.decay, self.last_epoch) for base in self.base_lrs]


class StepLR(LRScheduler):
    r"""Multiply each group's rate by ``gamma`` every ``step_size`` steps, in closed form.

    Examples
    --------
    >>> import torch
    >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched, lrs = StepLR(opt, step_size=2, gamma=0.5), []
    >>> for _ in range(5):
    ...     lrs.append(sched.get_last_lr()[0]); opt.step(); sched.step()
    >>> lrs
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        self.step_size = positive_int(step_size, "step_size")
        self.gamma = positive_real(gamma, "gamma")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """:math:`\\eta_0\\,\\gamma^{\\lfloor i/s\\rfloor}` for every group."""
        return [step_decay(base, self.gamma, self.step_size, self.last_epoch)
                for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    r"""Multiply each group's rate by ``gamma`` every step: :math:`\eta_i = \eta_0\gamma^i`.

    Examples
    --------
    >>> import torch
    >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = ExponentialLR(opt, gamma=0.5)
    >>> for _ in range(3):
    ...     opt.step(); sched.step()
    >>> sched.get_last_lr()
    [0.125]
    """

    def __init__(self, optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = positive_real(gamma, "gamma")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """:math:`\\eta_0\\,\\gamma^i` for every group."""
        return [base * self.gamma**self.last_epoch for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r""":math:`\eta_i = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})(1 + \cos(\pi i / T))`, for
    every :math:`i` (past :math:`T` it climbs back up, as torch's does).

    Examples
    --------
    >>> import torch
    >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched, lrs = CosineAnnealingLR(opt, T_max=4), []
    >>> for _ in range(7):
    ...     lrs.append(round(sched.get_last_lr()[0], 4)); opt.step(); sched.step()
    >>> lrs
    [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.1464, 0.5]
    """

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        self.T_max = positive_int(T_max, "T_max")
        self.eta_min = real_value(eta_min, "eta_min", low=0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The cosine for ``last_epoch``, from every group's initial rate."""
        c = 0.5 * (1.0 + math.cos(math.pi * self.last_epoch / self.T_max))
        return [self.eta_min + (base - self.eta_min) * c for base in self.base_lrs]


class LinearLR(LRScheduler):
    r"""Scale each group's rate linearly from ``start_factor`` to ``end_factor`` over
    ``total_iters`` steps: a linear warm-up with the defaults.

    Examples
    --------
    >>> import torch
    >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched, lrs = LinearLR(opt, start_factor=0.25, total_iters=3), []
    >>> for _ in range(5):
    ...     lrs.append(sched.get_last_lr()[0]); opt.step(); sched.step()
    >>> lrs
    [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(self, optimizer, start_factor: float = 1 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1):
        self.start_factor = probability(start_factor, "start_factor", low_open=True)
        self.end_factor = probability(end_factor, "end_factor")
        self.total_iters = positive_int(total_iters, "total_iters")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """:math:`\\eta_0 (f_s + (f_e - f_s)\\min(i, T)/T)` for every group."""
        frac = min(self.last_epoch, self.total_iters) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * frac
        return [base * factor for base in self.base_lrs]


class ReduceLROnPlateau(schedulers.ReduceLROnPlateau):
    r"""Cut every group's rate when a metric stalls: the rule, arguments and defaults of
    :class:`dlbook.nn.schedulers.ReduceLROnPlateau` (and of torch's), on a torch optimizer.

    ``min_lr`` may be one number or one per parameter group.

    Examples
    --------
    >>> import torch
    >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = ReduceLROnPlateau(opt, factor=0.5, patience=1)
    >>> for loss in [3.0, 2.0, 2.0, 2.0, 2.0, 2.0]:
    ...     sched.step(loss)
    >>> sched.get_last_lr()   # bad steps 1, 2 -> 0.5; then 1, 2 -> 0.25
    [0.25]
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0.0, eps=1e-8):
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{type(optimizer).__name__} is not a torch optimizer "
                            "(it has no param_groups)")
        super().__init__(None, mode, factor, patience, threshold, threshold_mode, cooldown,
                         min_lr, eps)
        self.optimizer = optimizer

    def step(self, metric) -> None:
        """Record this epoch's metric and cut every group's rate if it has stalled."""
        lrs = self.update(float(metric), [g["lr"] for g in self.optimizer.param_groups])
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr

    def get_last_lr(self) -> list[float]:
        """The rates the groups now have."""
        return [g["lr"] for g in self.optimizer.param_groups]
