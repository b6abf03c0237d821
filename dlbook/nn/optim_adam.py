r"""Adam and its relatives in NumPy: the update rules of ``torch.optim.Adam``, ``AdamW``,
``Adamax`` and ``NAdam`` as pure functions (chapter :ref:`ch-optimizers`).

All four keep a bias-corrected running mean of the gradient (``exp_avg``) and scale the step by
a running measure of its size: the root mean square (``exp_avg_sq``) in Adam, AdamW and NAdam,
the infinity norm (``exp_inf``) in Adamax. They follow the conventions of
:mod:`dlbook.nn.optim` (pure ``xxx_step`` functions, torch's state names, defaults and exact
update) and share the checks of :mod:`dlbook.nn.optim_base`; the test suite
holds them to ``torch.optim`` to a relative 1e-10 in float64 over 200 steps.

See Also
--------
dlbook.nn.optim : the classes (``Adam``, ...) that apply these rules in place, and
    ``trajectory``, which runs any of the eight optimizers by name.
dlbook.nn.optim_sgd : SGD, Adagrad, Adadelta and RMSprop.
dlbook.nn.optim_torch : the hand-written torch twins of the eight classes.
"""

from __future__ import annotations

import numpy as np

from dlbook.nn.optim_base import check_hyperparameters, state_or_zeros, step_inputs

__all__ = ["adam_step", "adamw_step", "adamax_step", "nadam_step"]


def adam_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
              amsgrad=False, decoupled_weight_decay=False):
    r"""One Adam step: momentum on the gradient, RMSprop's scaling, both bias-corrected.

    Parameters are as in :func:`~dlbook.nn.optim.sgd_step`, plus ``betas``
    :math:`(\beta_1, \beta_2)`, each in [0, 1), ``eps``, ``amsgrad`` (divide by the largest
    :math:`v_t` seen so far) and ``decoupled_weight_decay`` (shrink :math:`\theta` directly,
    which is AdamW).  The state holds ``step``, ``exp_avg``, ``exp_avg_sq`` and, with amsgrad,
    ``max_exp_avg_sq``.

    Notes
    -----
    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \qquad
        \hat m_t = \frac{m_t}{1-\beta_1^t}, \qquad \hat v_t = \frac{v_t}{1-\beta_2^t},

    .. math::
        \theta \leftarrow \theta - \eta \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}.

    :math:`\epsilon` sits outside the root, as in the paper and in torch (the code computes
    :math:`m_t` as torch's ``lerp``, :math:`m_{t-1} + (1-\beta_1)(g_t - m_{t-1})`).  With
    decoupled weight decay, :math:`\theta \leftarrow (1 - \eta\lambda)\theta` first and
    :math:`\lambda` does not enter :math:`g`.

    References
    ----------
    D. P. Kingma and J. Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015.

    See Also
    --------
    dlbook.nn.optim.Adam, adamw_step, :ref:`ch-optimizers`

    Examples
    --------
    >>> new, state = adam_step(np.array([1.0]), np.array([2.0]), {}, lr=0.1)
    >>> new   # the first step has size lr (up to eps): m_hat = 2, v_hat = 4
    array([0.9])
    """
    check_hyperparameters(
        dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            decoupled_weight_decay=decoupled_weight_decay,
        )
    )
    p, g = step_inputs(param, grad, state)
    beta1, beta2 = betas
    step = state.get("step", 0) + 1
    if weight_decay != 0:
        if decoupled_weight_decay:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
    exp_avg = state_or_zeros(state, "exp_avg", p)
    exp_avg = exp_avg + (1 - beta1) * (g - exp_avg)
    exp_avg_sq = beta2 * state_or_zeros(state, "exp_avg_sq", p) + (1 - beta2) * (g * g)
    new = {**state, "step": step, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
    if amsgrad:
        new["max_exp_avg_sq"] = second = np.maximum(state_or_zeros(state, "max_exp_avg_sq", p),
                                                    exp_avg_sq)
    else:
        second = exp_avg_sq
    bias_correction1 = 1 - beta1**step
    bias_correction2 = 1 - beta2**step
    denom = np.sqrt(second) / bias_correction2**0.5 + eps
    return p - (lr / bias_correction1) * (exp_avg / denom), new


def adamw_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
               amsgrad=False):
    r"""One AdamW step: :func:`adam_step` with decoupled weight decay (default 0.01).

    Notes
    -----
    .. math::
        \theta \leftarrow (1 - \eta\lambda)\,\theta, \qquad
        \theta \leftarrow \theta - \eta \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon},

    with :math:`\hat m_t, \hat v_t` from the loss gradient alone.  In Adam with
    ``weight_decay`` the term :math:`\lambda\theta` is added to :math:`g` and then divided by
    :math:`\sqrt{\hat v_t}`, so parameters with large gradients are barely decayed.

    References
    ----------
    I. Loshchilov and F. Hutter, "Decoupled Weight Decay Regularization", ICLR 2019.

    See Also
    --------
    dlbook.nn.optim.AdamW, adam_step, :ref:`ch-optimizers`

    Examples
    --------
    >>> new, _ = adamw_step(np.array([1.0]), np.array([0.0]), {}, lr=0.1, weight_decay=0.5)
    >>> new   # zero gradient: only the decay acts, (1 - 0.1 * 0.5) * 1
    array([0.95])
    """
    return adam_step(param, grad, state, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                     amsgrad=amsgrad, decoupled_weight_decay=True)


def adamax_step(param, grad, state, *, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    r"""One Adamax step: Adam with the infinity norm in place of the root mean square.

    Parameters are as in :func:`adam_step`.  The state holds ``step``, ``exp_avg`` and
    ``exp_inf``.

    Notes
    -----
    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
        u_t = \max\bigl(\beta_2 u_{t-1},\; |g_t| + \epsilon\bigr), \qquad
        \theta \leftarrow \theta - \frac{\eta}{1 - \beta_1^t} \frac{m_t}{u_t}.

    :math:`u_t` is the limit :math:`p \to \infty` of
    :math:`\bigl((1-\beta_2^p)\sum_k \beta_2^{p(t-k)} |g_k|^p\bigr)^{1/p}`; it needs no bias
    correction.  Torch adds :math:`\epsilon` to :math:`|g_t|` inside the max (the paper has
    none).

    See Also
    --------
    dlbook.nn.optim.Adamax, :ref:`ch-optimizers`

    Examples
    --------
    >>> new, state = adamax_step(np.array([1.0]), np.array([2.0]), {}, lr=0.1)
    >>> new   # first step: 0.1 / (1 - 0.9) * 0.2 / (2 + 1e-8), size lr
    array([0.9])
    """
    check_hyperparameters(dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))
    p, g = step_inputs(param, grad, state)
    beta1, beta2 = betas
    step = state.get("step", 0) + 1
    if weight_decay != 0:
        g = g + weight_decay * p
    exp_avg = state_or_zeros(state, "exp_avg", p)
    exp_avg = exp_avg + (1 - beta1) * (g - exp_avg)
    exp_inf = np.maximum(beta2 * state_or_zeros(state, "exp_inf", p), np.abs(g) + eps)
    clr = lr / (1 - beta1**step)
    return p - clr * (exp_avg / exp_inf), {**state, "step": step, "exp_avg": exp_avg,
                                           "exp_inf": exp_inf}


def nadam_step(param, grad, state, *, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
               momentum_decay=4e-3, decoupled_weight_decay=False):
    r"""One NAdam step: Adam with Nesterov momentum and a warming-up momentum schedule.

    Parameters are as in :func:`adam_step`, plus ``momentum_decay`` :math:`\psi` (torch's
    4e-3).  The state holds ``step``, ``mu_product``, ``exp_avg`` and ``exp_avg_sq``.

    Notes
    -----
    .. math::
        \mu_t = \beta_1\bigl(1 - \tfrac12\, 0.96^{t\psi}\bigr), \qquad
        \Pi_t = \prod_{k \le t} \mu_k, \qquad
        m_t, v_t \text{ as in Adam}, \qquad
        s_t = \sqrt{v_t / (1 - \beta_2^t)} + \epsilon,

    .. math::
        \theta \leftarrow \theta - \eta\frac{1-\mu_t}{1-\Pi_t}\frac{g_t}{s_t}
        - \eta\frac{\mu_{t+1}}{1-\Pi_t\mu_{t+1}}\frac{m_t}{s_t}.

    :math:`\mu_1 \approx 0.45` and :math:`\mu_t` climbs towards :math:`\beta_1` over thousands
    of steps.  Torch stores ``mu_product`` as a float32 scalar unless the default dtype is
    float64; this function keeps it in float64.

    References
    ----------
    T. Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016 workshop.

    See Also
    --------
    dlbook.nn.optim.NAdam, :ref:`ch-optimizers`

    Examples
    --------
    >>> new, state = nadam_step(np.array([1.0]), np.array([2.0]), {}, lr=0.1)
    >>> round(float(state["mu_product"]), 6)   # mu_1 = 0.9 * (1 - 0.5 * 0.96**0.004)
    0.450073
    """
    check_hyperparameters(dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                      momentum_decay=momentum_decay,
                      decoupled_weight_decay=decoupled_weight_decay))
    p, g = step_inputs(param, grad, state)
    beta1, beta2 = betas
    step = state.get("step", 0) + 1
    if weight_decay != 0:
        if decoupled_weight_decay:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
    mu_product = state.get("mu_product", 1.0) * mu
    exp_avg = state_or_zeros(state, "exp_avg", p)
    exp_avg = exp_avg + (1 - beta1) * (g - exp_avg)
    exp_avg_sq = beta2 * state_or_zeros(state, "exp_avg_sq", p) + (1 - beta2) * (g * g)
    denom = np.sqrt(exp_avg_sq / (1 - beta2**step)) + eps
    new_p = (p - lr * (1.0 - mu) / (1.0 - mu_product) * (g / denom)
             - lr * mu_next / (1.0 - mu_product * mu_next) * (exp_avg / denom))
    return new_p, {**state, "step": step, "mu_product": mu_product, "exp_avg": exp_avg,
                   "exp_avg_sq": exp_avg_sq}
