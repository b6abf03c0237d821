r"""SGD (with momentum and Nesterov), Adagrad, Adadelta and RMSprop in NumPy: the update rules
of their ``torch.optim`` namesakes as pure functions (chapters :ref:`ch-optimizers` and
:ref:`ch-gradient-descent`).

Each ``xxx_step(param, grad, state, **hyper) -> (new_param, new_state)`` performs one update
of one parameter array and follows the conventions set out in :mod:`dlbook.nn.optim` (torch's
state names, defaults and exact update; nothing passed in is modified); the hyperparameters are
checked by :mod:`dlbook.nn.optim_base`. The tests hold each one to ``torch.optim`` to a relative
1e-10 in float64 over 200 steps.

See Also
--------
dlbook.nn.optim : the classes (``SGD``, ...) that apply these rules in place, and
    ``trajectory``.
dlbook.nn.optim_adam : Adam, AdamW, Adamax and NAdam.
"""

from __future__ import annotations

import numpy as np

from dlbook.nn.optim_base import check_hyperparameters, state_or_zeros, step_inputs

__all__ = ["sgd_step", "adagrad_step", "adadelta_step", "rmsprop_step"]


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
    dlbook.nn.optim.SGD, dlbook.nn.optim.trajectory, :ref:`ch-optimizers`

    Examples
    --------
    >>> new, state = sgd_step(np.array([1.0]), np.array([2.0]), {}, lr=0.1)
    >>> new   # 1 - 0.1 * 2
    array([0.8])
    """
    hyper = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                 nesterov=nesterov)
    check_hyperparameters(hyper)
    p, g = step_inputs(param, grad, state)
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
    dlbook.nn.optim.Adagrad, :ref:`ch-optimizers`

    Examples
    --------
    >>> new, state = adagrad_step(np.array([1.0]), np.array([2.0]), {}, lr=0.1)
    >>> new, state["sum"]   # the first step has size lr: 2 / sqrt(4) = 1
    (array([0.9]), array([4.]))
    """
    hyper = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                 initial_accumulator_value=initial_accumulator_value, eps=eps)
    check_hyperparameters(hyper)
    p, g = step_inputs(param, grad, state)
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
    dlbook.nn.optim.Adadelta, :ref:`ch-optimizers`

    Examples
    --------
    >>> new, state = adadelta_step(np.array([1.0]), np.array([2.0]), {}, eps=1e-6)
    >>> new   # 1 - sqrt(1e-6) / sqrt(0.1 * 4 + 1e-6) * 2: a tiny first step
    array([0.99683773])
    """
    check_hyperparameters(dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay))
    p, g = step_inputs(param, grad, state)
    if weight_decay != 0:
        g = g + weight_decay * p
    square_avg = rho * state_or_zeros(state, "square_avg", p) + (1 - rho) * (g * g)
    delta = np.sqrt(state_or_zeros(state, "acc_delta", p) + eps) / np.sqrt(square_avg + eps) * g
    acc_delta = rho * state_or_zeros(state, "acc_delta", p) + (1 - rho) * (delta * delta)
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
    dlbook.nn.optim.RMSprop, :ref:`ch-optimizers`

    Examples
    --------
    >>> new, state = rmsprop_step(np.array([1.0]), np.array([2.0]), {}, lr=0.01)
    >>> new   # first step lr / sqrt(1 - alpha) = 0.01 / 0.1 = 0.1
    array([0.9])
    """
    check_hyperparameters(dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                      momentum=momentum, centered=centered))
    p, g = step_inputs(param, grad, state)
    if weight_decay != 0:
        g = g + weight_decay * p
    new = dict(state, step=state.get("step", 0) + 1)
    new["square_avg"] = square_avg = alpha * state_or_zeros(state, "square_avg", p) + (
        1 - alpha
    ) * (g * g)
    if centered:
        grad_avg = state_or_zeros(state, "grad_avg", p)
        new["grad_avg"] = grad_avg = grad_avg + (1 - alpha) * (g - grad_avg)
        avg = np.sqrt(square_avg - grad_avg * grad_avg) + eps
    else:
        avg = np.sqrt(square_avg) + eps
    if momentum > 0:
        new["momentum_buffer"] = buf = (
            momentum * state_or_zeros(state, "momentum_buffer", p) + g / avg
        )
        return p - lr * buf, new
    return p - lr * (g / avg), new
