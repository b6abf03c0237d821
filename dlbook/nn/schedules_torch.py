r"""The course's time-based learning-rate decay as a torch scheduler (chapter
:ref:`ch-gradient-descent`).

torch ships step, exponential, cosine and plateau schedules
(``torch.optim.lr_scheduler.StepLR``, ``ExponentialLR``, ``CosineAnnealingLR``,
``ReduceLROnPlateau``), which the NumPy classes of :mod:`dlbook.nn.schedules` reproduce. It has
no scheduler for the time-based (inverse-time) decay :math:`\eta_i = \eta_0 / (1 +
\mathrm{decay}\cdot i)` of Keras's old ``decay`` argument; :class:`InverseTimeDecayLR` adds it
as an ``LRScheduler`` subclass, usable with any torch optimizer (those of ``torch.optim`` and
the hand-written ones of :mod:`dlbook.nn.optim_torch`).

See Also
--------
dlbook.nn.schedules.InverseTimeDecayLR : the NumPy twin.
dlbook.nn.schedules.inverse_time_decay : the schedule as a function.
"""

from __future__ import annotations

import numbers

from torch.optim.lr_scheduler import LRScheduler

__all__ = ["InverseTimeDecayLR"]


class InverseTimeDecayLR(LRScheduler):
    r"""Time-based decay: the learning rate of update :math:`i` (0-based) is
    :math:`\eta_0 / (1 + \mathrm{decay}\cdot i)`.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
    decay : float
        :math:`\mathrm{decay} \ge 0` (any size: the rate halves after :math:`1/\mathrm{decay}`
        steps); 0 keeps the rate constant.
    last_epoch : int, default -1
        As in every torch scheduler: -1 starts a new schedule.

    Raises
    ------
    ValueError
        For a negative or non-finite ``decay`` (TypeError if it is not a number).

    Notes
    -----
    Each group's rate is computed in closed form from its initial rate :math:`\eta_0`
    (``initial_lr``), like ``LambdaLR(optimizer, lambda i: 1 / (1 + decay * i))``.  Stepped
    once per update, it reproduces Keras 2's ``decay`` and ``torch.optim.Adagrad``'s own
    ``lr_decay``.

    See Also
    --------
    dlbook.nn.schedules.InverseTimeDecayLR, dlbook.nn.schedules.inverse_time_decay,
    :ref:`ch-gradient-descent`

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
        if isinstance(decay, bool) or not isinstance(decay, numbers.Real):
            raise TypeError(f"decay must be a real number, got {decay!r}")
        if not 0 <= decay < float("inf"):
            raise ValueError(f"decay must be a finite number >= 0, got {decay!r}")
        self.decay = float(decay)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The closed form for ``last_epoch``: ``initial_lr / (1 + decay * last_epoch)``."""
        return [base / (1.0 + self.decay * self.last_epoch) for base in self.base_lrs]

    _get_closed_form_lr = get_lr
