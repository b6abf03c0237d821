r"""Optimizers in NumPy: the update rules of ``torch.optim``, written as pure functions
(chapters :ref:`ch-optimizers` and :ref:`ch-gradient-descent`).

This module is the public entry point for all eight optimizers of ``torch.optim`` that the book
reproduces: ``from dlbook.nn.optim import SGD, Adagrad, Adadelta, RMSprop, Adam, AdamW, Adamax,
NAdam``.  SGD (with momentum and Nesterov), Adagrad, Adadelta and RMSprop are defined here,
with :func:`trajectory`, which runs any optimizer by name; Adam, AdamW, Adamax and NAdam are
defined in :mod:`dlbook.nn.optim_adam` and imported here by name.  The argument checks and the
:class:`~dlbook.nn.optim_base.Optimizer` base class that all eight share are in
:mod:`dlbook.nn.optim_base`.

Conventions used by every optimizer of the three modules:

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
* The classes (:class:`SGD`, :class:`Adam`, ...) take ``params``, a list of float arrays,
  and the keywords of their torch namesakes with the same defaults.  Like torch, they keep
  references to those arrays and ``opt.step(grads)`` updates them **in place** (the pure
  function computes the new value, the class writes it into the caller's array), so a model
  that handed its own arrays to the optimizer is trained by it directly.

See Also
--------
dlbook.nn.optim_adam : Adam and its relatives.
dlbook.nn.optim_base : the shared argument checks and the ``Optimizer`` base class.
dlbook.nn.optim_torch : the same eight classes hand-written as ``torch.optim.Optimizer``
    subclasses, and trajectories computed by ``torch.optim`` with autograd.
dlbook.nn.schedules : learning-rate schedules.
"""

from __future__ import annotations

import numbers
from typing import Callable

import numpy as np

from dlbook.nn.optim_adam import (
    Adam,
    Adamax,
    AdamW,
    NAdam,
    adam_step,
    adamax_step,
    adamw_step,
    nadam_step,
)
from dlbook.nn.optim_base import Optimizer, _check_hyper, _prepare, _zeros_or

__all__ = [
    "sgd_step", "adagrad_step", "adadelta_step", "rmsprop_step", "STEP_FUNCTIONS", "trajectory",
    "SGD", "Adagrad", "Adadelta", "RMSprop",
    # defined in dlbook.nn.optim_adam, exposed here so that all eight come from one module
    "adam_step", "adamw_step", "adamax_step", "nadam_step", "Adam", "AdamW", "Adamax", "NAdam",
]


# -- SGD, with momentum and Nesterov -----------------------------------------------------------
def sgd_step(param, grad, state, *, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
             nesterov=False):
    r"""One step of stochastic gradient descent, optionally with (Nesterov) momentum.

    Parameters
    ----------
    param, grad : ndarray of the same shape
        The parameter :math:`\theta` and the loss gradient at it.
    state : dict
        ``{}`` at first; afterwards holds ``momentum_buffer`` :math:`b` when momentum is on.
    lr : float, default 1e-3
        Learning rate :math:`\eta \ge 0`.
    momentum : float, default 0
        Momentum coefficient :math:`\mu \ge 0` (0 = plain SGD).
    dampening : float, default 0
        :math:`\tau`: the new gradient enters the buffer with weight :math:`1 - \tau`.
    weight_decay : float, default 0
        L2 coefficient :math:`\lambda`, added to the gradient.
    nesterov : bool, default False
        Nesterov's look-ahead momentum, in torch's form (needs :math:`\mu > 0`, :math:`\tau = 0`).

    Returns
    -------
    new_param : ndarray
    new_state : dict

    Raises
    ------
    ValueError
        For a negative ``lr``, ``momentum`` or ``weight_decay``, for ``nesterov`` without
        momentum or with dampening, or when the shapes of ``param`` and ``grad`` differ.
    TypeError
        For non-numeric hyperparameters, non-float arrays or a state that is not a dict.

    Notes
    -----
    .. math::
        b_1 = g_1, \qquad b_t = \mu b_{t-1} + (1 - \tau) g_t, \qquad
        \theta \leftarrow \theta - \eta\, d_t, \quad
        d_t = \begin{cases} g_t + \mu b_t & \text{Nesterov} \\ b_t & \text{otherwise}\end{cases}

    and :math:`d_t = g_t` without momentum.  Torch's Nesterov form moves the look-ahead point
    :math:`\theta + \mu v` of the classic formulation, see :ref:`ch-optimizers`.

    See Also
    --------
    SGD, dlbook.nn.optim_torch.trajectory, :ref:`ch-optimizers`

    Examples
    --------
    >>> new, state = sgd_step(np.array([1.0]), np.array([2.0]), {}, lr=0.1)
    >>> new   # 1 - 0.1 * 2
    array([0.8])
    """
    hyper = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                 nesterov=nesterov)
    _check_hyper(hyper)
    p, g = _prepare(param, grad, state)
    new = dict(state)
    if weight_decay != 0:
        g = g + weight_decay * p
    if momentum != 0:
        buf = state.get("momentum_buffer")
        buf = g.copy() if buf is None else momentum * buf + (1.0 - dampening) * g
        new["momentum_buffer"] = buf
        g = g + momentum * buf if nesterov else buf
    return p - lr * g, new


# -- Adaptive learning rates: Adagrad, Adadelta, RMSprop ---------------------------------------
def adagrad_step(param, grad, state, *, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10):
    r"""One Adagrad step: divide by the root of the sum of all squared gradients so far.

    Parameters are as in :func:`sgd_step`, plus ``lr_decay`` (inverse-time decay of the
    learning rate per step), ``initial_accumulator_value`` (the sum's start) and ``eps``.
    The state holds ``step`` and ``sum``.

    Notes
    -----
    .. math::
        \eta_t = \frac{\eta}{1 + (t-1)\,\mathrm{lr\_decay}}, \qquad
        G_t = G_{t-1} + g_t^2, \qquad
        \theta \leftarrow \theta - \eta_t \frac{g_t}{\sqrt{G_t} + \epsilon}.

    See Also
    --------
    Adagrad, :ref:`ch-optimizers`

    Examples
    --------
    >>> new, state = adagrad_step(np.array([1.0]), np.array([2.0]), {}, lr=0.1)
    >>> new, state["sum"]   # the first step has size lr: 2 / sqrt(4) = 1
    (array([0.9]), array([4.]))
    """
    hyper = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                 initial_accumulator_value=initial_accumulator_value, eps=eps)
    _check_hyper(hyper)
    p, g = _prepare(param, grad, state)
    step = state.get("step", 0) + 1
    acc = state["sum"] if "sum" in state else np.full_like(p, initial_accumulator_value)
    if weight_decay != 0:
        g = g + weight_decay * p
    clr = lr / (1 + (step - 1) * lr_decay)
    acc = acc + g * g
    std = np.sqrt(acc) + eps
    return p - clr * (g / std), {**state, "step": step, "sum": acc}


def adadelta_step(param, grad, state, *, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
    r"""One Adadelta step: the step's units come from a running average of past steps.

    Parameters are as in :func:`sgd_step`, plus ``rho`` (decay of both running averages,
    in [0, 1]) and ``eps``.  Note torch's default ``lr=1.0``: the learning rate only rescales
    the step Adadelta computes.  The state holds ``step``, ``square_avg`` and ``acc_delta``.

    Notes
    -----
    .. math::
        E[g^2]_t = \rho E[g^2]_{t-1} + (1-\rho) g_t^2, \qquad
        \Delta_t = \frac{\sqrt{E[\Delta^2]_{t-1} + \epsilon}}{\sqrt{E[g^2]_t + \epsilon}}\, g_t,

    .. math::
        E[\Delta^2]_t = \rho E[\Delta^2]_{t-1} + (1-\rho)\Delta_t^2, \qquad
        \theta \leftarrow \theta - \eta\,\Delta_t.

    The :math:`\epsilon` in the numerator is what starts the method: with
    :math:`E[\Delta^2]_0 = 0` and :math:`\epsilon = 0` no step would ever be taken.

    See Also
    --------
    Adadelta, :ref:`ch-optimizers`

    Examples
    --------
    >>> new, state = adadelta_step(np.array([1.0]), np.array([2.0]), {}, eps=1e-6)
    >>> new   # 1 - sqrt(1e-6) / sqrt(0.1 * 4 + 1e-6) * 2: a tiny first step
    array([0.99683773])
    """
    _check_hyper(dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay))
    p, g = _prepare(param, grad, state)
    if weight_decay != 0:
        g = g + weight_decay * p
    square_avg = rho * _zeros_or(state, "square_avg", p) + (1 - rho) * (g * g)
    delta = np.sqrt(_zeros_or(state, "acc_delta", p) + eps) / np.sqrt(square_avg + eps) * g
    acc_delta = rho * _zeros_or(state, "acc_delta", p) + (1 - rho) * (delta * delta)
    new = {**state, "step": state.get("step", 0) + 1, "square_avg": square_avg,
           "acc_delta": acc_delta}
    return p - lr * delta, new


def rmsprop_step(param, grad, state, *, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0,
                 momentum=0.0, centered=False):
    r"""One RMSprop step: divide by the root of a running average of squared gradients.

    Parameters are as in :func:`sgd_step`, plus ``alpha`` (the average's decay, in [0, 1];
    torch's default 0.99, Keras's ``rho`` 0.9), ``eps``, ``momentum`` and ``centered``
    (subtract the squared running mean of the gradient, estimating its variance).  The state
    holds ``step``, ``square_avg``, and ``momentum_buffer`` / ``grad_avg`` when those are on.

    Notes
    -----
    .. math::
        v_t = \alpha v_{t-1} + (1-\alpha) g_t^2, \qquad
        s_t = \sqrt{v_t - \bar g_t^2} + \epsilon \ \text{(centered)}
        \quad\text{or}\quad s_t = \sqrt{v_t} + \epsilon,

    with :math:`\bar g_t = \alpha \bar g_{t-1} + (1-\alpha) g_t`; then
    :math:`\theta \leftarrow \theta - \eta\, g_t / s_t`, or with momentum
    :math:`b_t = \mu b_{t-1} + g_t / s_t` (:math:`b_0 = 0`) and
    :math:`\theta \leftarrow \theta - \eta\, b_t`.

    See Also
    --------
    RMSprop, :ref:`ch-optimizers`

    Examples
    --------
    >>> new, state = rmsprop_step(np.array([1.0]), np.array([2.0]), {}, lr=0.01)
    >>> new   # first step lr / sqrt(1 - alpha) = 0.01 / 0.1 = 0.1
    array([0.9])
    """
    _check_hyper(dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                      momentum=momentum, centered=centered))
    p, g = _prepare(param, grad, state)
    if weight_decay != 0:
        g = g + weight_decay * p
    new = dict(state, step=state.get("step", 0) + 1)
    new["square_avg"] = square_avg = alpha * _zeros_or(state, "square_avg", p) + (1 - alpha) * (g * g)
    if centered:
        grad_avg = _zeros_or(state, "grad_avg", p)
        new["grad_avg"] = grad_avg = grad_avg + (1 - alpha) * (g - grad_avg)
        avg = np.sqrt(square_avg - grad_avg * grad_avg) + eps
    else:
        avg = np.sqrt(square_avg) + eps
    if momentum > 0:
        new["momentum_buffer"] = buf = momentum * _zeros_or(state, "momentum_buffer", p) + g / avg
        return p - lr * buf, new
    return p - lr * (g / avg), new


#: torch.optim's class names and the pure function that computes each one's update.
STEP_FUNCTIONS: dict[str, Callable] = {
    "SGD": sgd_step, "Adagrad": adagrad_step, "Adadelta": adadelta_step,
    "RMSprop": rmsprop_step, "Adam": adam_step, "AdamW": adamw_step, "Adamax": adamax_step,
    "NAdam": nadam_step,
}


def trajectory(step_fn, grad_fn, x0, steps: int, *, lr_schedule=None, **hyper) -> np.ndarray:
    r"""Run an optimizer from ``x0`` and return every point it visits.

    Parameters
    ----------
    step_fn : callable or str
        One of the eight ``xxx_step`` functions, or its
        torch class name (``"Adam"``), looked up in :data:`STEP_FUNCTIONS`.
    grad_fn : callable
        ``grad_fn(x) -> ndarray`` of the shape of ``x``: the loss gradient.
    x0 : array_like
        The starting point (any shape; float64).
    steps : int
        Number of updates, at least 0.
    lr_schedule : callable, optional
        ``lr_schedule(i) -> float``: the learning rate of update ``i`` (0-based), overriding
        ``lr``.
    **hyper
        Hyperparameters of ``step_fn``.

    Returns
    -------
    ndarray of shape (steps + 1, *x0.shape)
        Row ``i`` is the point after ``i`` updates.  A run that overflows stops at its first
        non-finite point, which is the last row (so fewer rows come back).

    Examples
    --------
    >>> trajectory(sgd_step, lambda x: 2 * x, [1.0], 3, lr=0.25)[:, 0]   # x <- x - 0.25 * 2x
    array([1.   , 0.5  , 0.25 , 0.125])
    """
    if isinstance(step_fn, str):
        if step_fn not in STEP_FUNCTIONS:
            raise ValueError(f"unknown optimizer {step_fn!r}; known: {sorted(STEP_FUNCTIONS)}")
        step_fn = STEP_FUNCTIONS[step_fn]
    if not callable(step_fn) or not callable(grad_fn):
        raise TypeError("step_fn and grad_fn must be callable")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    x = np.array(x0, dtype=np.float64)
    points, state = [x], {}
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(steps):
            if lr_schedule is not None:
                hyper["lr"] = float(lr_schedule(i))
            x, state = step_fn(x, np.asarray(grad_fn(x), dtype=np.float64), state, **hyper)
            points.append(x)
            if not np.all(np.isfinite(x)):
                break
    return np.stack(points)


# -- Thin classes: torch's constructor, in-place updates ---------------------------------------
class SGD(Optimizer):
    """NumPy twin of ``torch.optim.SGD``: the update of :func:`sgd_step`, applied in place.

    Parameters
    ----------
    params : list of ndarray
        Float arrays, updated in place by :meth:`~dlbook.nn.optim_base.Optimizer.step`.
    lr, momentum, dampening, weight_decay, nesterov
        As in :func:`sgd_step`; torch's defaults.

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
    """NumPy twin of ``torch.optim.Adagrad``: :func:`adagrad_step`, applied in place.

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
    """NumPy twin of ``torch.optim.Adadelta``: :func:`adadelta_step`, applied in place.

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
    """NumPy twin of ``torch.optim.RMSprop``: :func:`rmsprop_step`, applied in place.

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
