r"""Optimizers in NumPy: the eight ``torch.optim`` classes the book reproduces, and
``trajectory``, which runs one from a starting point (chapters :ref:`ch-optimizers` and
:ref:`ch-gradient-descent`).

``from dlbook.nn.optim import SGD, Adagrad, Adadelta, RMSprop, Adam, AdamW, Adamax, NAdam``.
Each class applies a pure update rule: ``sgd_step``, ``adagrad_step``, ``adadelta_step`` and
``rmsprop_step`` live in :mod:`dlbook.nn.optim_sgd`, ``adam_step``, ``adamw_step``,
``adamax_step`` and ``nadam_step`` in :mod:`dlbook.nn.optim_adam`, and the argument checks and
the :class:`~dlbook.nn.optim_base.Optimizer` base class all eight share in
:mod:`dlbook.nn.optim_base`.

Conventions used by every optimizer of these modules:

* ``xxx_step(param, grad, state, **hyper) -> (new_param, new_state)`` performs one update of
  one parameter array.  ``state`` is a dict holding torch's state names (``step``,
  ``momentum_buffer``, ``exp_avg``, ``exp_avg_sq``, ``sum``, ``square_avg``, ``acc_delta``,
  ``exp_inf``, ``mu_product``, ...); pass ``{}`` before the first step.  These functions are
  pure: nothing passed in is modified, the new parameter and the new state are fresh objects.
* Hyperparameter names and defaults are torch's (2.13); each function computes torch's update
  (single-tensor code path), weight decay and bias corrections included, so that the test
  suite can require agreement with ``torch.optim`` to a relative 1e-10 in float64 over 200
  steps.  torch's ``maximize``, ``foreach``, ``fused``, ``capturable`` and ``differentiable``
  switches are left out (``maximize`` just negates the gradient; the others change how, not
  what, is computed): passing one raises ``TypeError``.
* Notation in the Notes: :math:`\theta` the parameter, :math:`g` the gradient after coupled
  weight decay (:math:`g \leftarrow g + \lambda\theta` when ``weight_decay`` :math:`=\lambda`
  is not 0), :math:`\eta` the learning rate ``lr``, :math:`t` the step count after this step
  (1 on the first call).  All operations are element-wise.
* The classes take ``params``, a list of float arrays, and the keywords of their torch
  namesakes with the same defaults.  Like torch, they keep references to those arrays and
  ``opt.step(grads)`` updates them **in place** (the pure function computes the new value, the
  class writes it into the caller's array), so a model that handed its own arrays to the
  optimizer is trained by it directly.

See Also
--------
dlbook.nn.optim_torch : the same eight classes hand-written as ``torch.optim.Optimizer``
    subclasses, and trajectories computed with autograd.
dlbook.nn.schedulers : learning-rate schedulers that drive these classes.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from dlbook._checks import int_value, one_of
from dlbook.nn.optim_adam import adam_step, adamax_step, adamw_step, nadam_step
from dlbook.nn.optim_base import Optimizer
from dlbook.nn.optim_sgd import adadelta_step, adagrad_step, rmsprop_step, sgd_step

__all__ = ["OPTIMIZER_NAMES", "trajectory", "SGD", "Adagrad", "Adadelta", "RMSprop", "Adam",
           "AdamW", "Adamax", "NAdam"]

#: The torch.optim classes that this module (and :mod:`dlbook.nn.optim_torch`) reproduces.
OPTIMIZER_NAMES = ("SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "Adamax", "NAdam")


def trajectory(optimizer, grad_fn: Callable, x0, steps: int, *,
               lr_schedule: Callable | None = None, **hyper) -> np.ndarray:
    r"""Run an optimizer from ``x0`` on a gradient function and return every point it visits.

    Parameters
    ----------
    optimizer : str or type
        One of the eight classes of this module (:class:`SGD`, ...), or its name (``"Adam"``,
        one of :data:`OPTIMIZER_NAMES`).
    grad_fn : callable
        ``grad_fn(x) -> ndarray`` of the shape of ``x``: the loss gradient.  (The torch twin
        takes the loss itself and lets autograd differentiate it.)
    x0 : array_like
        The starting point (any shape; float64).
    steps : int
        Number of updates, at least 0.
    lr_schedule : callable, optional
        ``lr_schedule(i) -> float``: the learning rate of update ``i`` (0-based), overriding
        ``lr``.
    **hyper
        The optimizer's hyperparameters (torch's names).

    Returns
    -------
    ndarray of shape (steps + 1, *x0.shape)
        Row ``i`` is the point after ``i`` updates.  A run that overflows stops at its first
        non-finite point, which is the last row (so fewer rows come back).

    See Also
    --------
    dlbook.nn.optim_torch.trajectory, :ref:`ch-gradient-descent`

    Examples
    --------
    >>> trajectory("SGD", lambda x: 2 * x, [1.0], 3, lr=0.25)[:, 0]   # x <- x - 0.25 * 2x
    array([1.   , 0.5  , 0.25 , 0.125])
    """
    if isinstance(optimizer, str):
        optimizer = globals()[one_of(optimizer, "optimizer", OPTIMIZER_NAMES)]
    if not (isinstance(optimizer, type) and issubclass(optimizer, Optimizer)):
        raise TypeError(f"optimizer must be a class of dlbook.nn.optim or its name, got "
                        f"{optimizer!r}")
    if not callable(grad_fn):
        raise TypeError(f"grad_fn must be callable, got {type(grad_fn).__name__}")
    steps = int_value(steps, "steps", low=0)
    x = np.array(x0, dtype=np.float64)
    opt = optimizer([x], **hyper)
    points = [x.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(steps):
            if lr_schedule is not None:
                opt.hyper["lr"] = float(lr_schedule(i))
            opt.step([np.asarray(grad_fn(x.copy()), dtype=np.float64)])
            points.append(x.copy())
            if not np.all(np.isfinite(x)):
                break
    return np.stack(points)


# -- Thin classes: torch's constructor, in-place updates ---------------------------------------
class SGD(Optimizer):
    """NumPy twin of ``torch.optim.SGD``: the update of :func:`~dlbook.nn.optim_sgd.sgd_step`,
    applied in place.

    Parameters
    ----------
    params : list of ndarray
        Float arrays, updated in place by :meth:`~dlbook.nn.optim_base.Optimizer.step`.
    lr, momentum, dampening, weight_decay, nesterov
        As in :func:`~dlbook.nn.optim_sgd.sgd_step`; torch's defaults.

    See Also
    --------
    dlbook.nn.optim_torch.SGD, :ref:`ch-optimizers`

    Examples
    --------
    >>> w = np.array([1.0])
    >>> SGD([w], lr=0.1).step([np.array([2.0])])
    >>> w   # 1 - 0.1 * 2
    array([0.8])
    """
    step_fn = staticmethod(sgd_step)

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False):
        super().__init__(params, lr=lr, momentum=momentum, dampening=dampening,
                         weight_decay=weight_decay, nesterov=nesterov)


class Adagrad(Optimizer):
    """NumPy twin of ``torch.optim.Adagrad``: :func:`~dlbook.nn.optim_sgd.adagrad_step`, applied in
    place.

    See Also
    --------
    dlbook.nn.optim_torch.Adagrad, :ref:`ch-optimizers`

    Examples
    --------
    >>> w = np.array([1.0])
    >>> Adagrad([w], lr=0.1).step([np.array([2.0])])
    >>> w   # the first step has size lr: 2 / sqrt(4) = 1
    array([0.9])
    """
    step_fn = staticmethod(adagrad_step)

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10):
        super().__init__(params, lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                         initial_accumulator_value=initial_accumulator_value, eps=eps)


class Adadelta(Optimizer):
    """NumPy twin of ``torch.optim.Adadelta``: :func:`~dlbook.nn.optim_sgd.adadelta_step`, applied
    in place.

    See Also
    --------
    dlbook.nn.optim_torch.Adadelta, :ref:`ch-optimizers`

    Examples
    --------
    >>> w = np.array([1.0])
    >>> Adadelta([w]).step([np.array([2.0])])
    >>> w   # lr=1.0 by default; a tiny first step
    array([0.99683773])
    """
    step_fn = staticmethod(adadelta_step)

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
        super().__init__(params, lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)


class RMSprop(Optimizer):
    """NumPy twin of ``torch.optim.RMSprop``: :func:`~dlbook.nn.optim_sgd.rmsprop_step`, applied in
    place.

    See Also
    --------
    dlbook.nn.optim_torch.RMSprop, :ref:`ch-optimizers`

    Examples
    --------
    >>> w = np.array([1.0])
    >>> RMSprop([w], lr=0.01).step([np.array([2.0])])
    >>> w   # lr / sqrt(1 - alpha) = 0.01 / 0.1 = 0.1
    array([0.9])
    """
    step_fn = staticmethod(rmsprop_step)

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False):
        super().__init__(params, lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                         momentum=momentum, centered=centered)


class Adam(Optimizer):
    """NumPy twin of ``torch.optim.Adam``: :func:`~dlbook.nn.optim_adam.adam_step`, applied in
    place.

    Parameters
    ----------
    params : list of ndarray
        Float arrays, updated in place by :meth:`~dlbook.nn.optim_base.Optimizer.step`.
    lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay
        As in :func:`~dlbook.nn.optim_adam.adam_step`; torch's defaults.

    See Also
    --------
    dlbook.nn.optim_torch.Adam, :ref:`ch-optimizers`

    Examples
    --------
    >>> w = np.array([1.0])
    >>> Adam([w], lr=0.1).step([np.array([2.0])])
    >>> w   # the first step has size lr
    array([0.9])
    """
    step_fn = staticmethod(adam_step)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False, *, decoupled_weight_decay=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, decoupled_weight_decay=decoupled_weight_decay)


class AdamW(Optimizer):
    """NumPy twin of ``torch.optim.AdamW``: :func:`~dlbook.nn.optim_adam.adamw_step`, applied in
    place.

    See Also
    --------
    dlbook.nn.optim_torch.AdamW, :ref:`ch-optimizers`

    Examples
    --------
    >>> w = np.array([1.0])
    >>> AdamW([w], lr=0.1, weight_decay=0.5).step([np.array([0.0])])
    >>> w   # decay only: (1 - 0.1 * 0.5) * 1
    array([0.95])
    """
    step_fn = staticmethod(adamw_step)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)


class Adamax(Optimizer):
    """NumPy twin of ``torch.optim.Adamax``: :func:`~dlbook.nn.optim_adam.adamax_step`, applied in
    place.

    See Also
    --------
    dlbook.nn.optim_torch.Adamax, :ref:`ch-optimizers`

    Examples
    --------
    >>> w = np.array([1.0])
    >>> Adamax([w], lr=0.1).step([np.array([2.0])])
    >>> w   # the first step has size lr
    array([0.9])
    """
    step_fn = staticmethod(adamax_step)

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)


class NAdam(Optimizer):
    """NumPy twin of ``torch.optim.NAdam``: :func:`~dlbook.nn.optim_adam.nadam_step`, applied in
    place.

    See Also
    --------
    dlbook.nn.optim_torch.NAdam, :ref:`ch-optimizers`

    Examples
    --------
    >>> opt = NAdam([np.array([1.0])], lr=0.1)
    >>> opt.step([np.array([2.0])])
    >>> round(float(opt.state[0]["mu_product"]), 6)   # mu_1 = 0.9 * (1 - 0.5 * 0.96**0.004)
    0.450073
    """
    step_fn = staticmethod(nadam_step)

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 momentum_decay=4e-3, decoupled_weight_decay=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         momentum_decay=momentum_decay,
                         decoupled_weight_decay=decoupled_weight_decay)
