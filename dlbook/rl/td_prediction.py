r"""Temporal-difference prediction: TD(0) and n-step TD estimates of :math:`v_\pi`.

TD methods update a value after every step towards a *bootstrapped* target that uses the current
estimate of a later state, instead of waiting for the end of the episode as Monte Carlo does.
TD(0) looks one step ahead; n-step TD sums ``n`` rewards before it bootstraps, and with ``n``
longer than the episode it is constant-:math:`\alpha` Monte Carlo.

See Also
--------
dlbook.rl.td : TD control (Q-learning, SARSA, expected SARSA, double Q-learning).
dlbook.rl.mc.constant_alpha_mc_prediction : the Monte Carlo end of the n-step family.
:ref:`ch-td` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import positive_int, probability
from dlbook.rl.mdp import as_policy_matrix
from dlbook.rl.tabular import (
    MAX_EPISODE_STEPS,
    EnvStepper,
    TabularEnv,  # noqa: F401  (used by the doctests)
    UniformStream,
    sample_index,
)

__all__ = ["td0_prediction", "n_step_td_prediction"]


def _setup(env, policy, episodes, alpha, gamma, seed, v_init):
    """The checked rates, the stepper, the policy's cumulative rows, the agent's draws, V."""
    episodes = positive_int(episodes, "episodes")
    alpha = probability(alpha, "alpha", low_open=True)
    gamma = probability(gamma, "gamma")
    stepper = EnvStepper(env, seed)
    cdf = np.cumsum(as_policy_matrix(policy, stepper.n_states, stepper.n_actions), axis=1)
    draw = UniformStream(np.random.default_rng(seed))
    V = np.broadcast_to(np.asarray(v_init, dtype=float), (stepper.n_states,)).tolist()
    return episodes, alpha, gamma, stepper, cdf.tolist(), draw, V


def td0_prediction(env, policy, episodes: int, alpha: float, gamma: float, seed: int = 0, *,
                   v_init=0.0, callback=None):
    r"""TD(0) estimate of :math:`v_\pi`, updated after every step.

    Parameters
    ----------
    env : gymnasium.Env with discrete spaces
    policy : array_like of shape (n_states,) of int or (n_states, n_actions) of float
    episodes : int
    alpha : float in (0, 1]
        Constant step size.
    gamma : float in [0, 1]
    seed : int
    v_init : float or array_like of shape (n_states,)
        Initial values (terminal states are never updated and never used as targets).
    callback : callable, optional
        Called after every episode as ``callback(V)`` with a copy of the values so far.

    Returns
    -------
    V : ndarray of shape (n_states,)

    Notes
    -----
    .. math:: V(S_t) \leftarrow V(S_t) + \alpha\,[R_{t+1} + \gamma V(S_{t+1}) - V(S_t)],

    with :math:`V(S_{t+1})` taken as 0 when the step terminates the episode (and kept when a time
    limit truncates it).

    References
    ----------
    R. S. Sutton and A. G. Barto, *Reinforcement Learning: An Introduction*, 2nd ed., 2018,
    sec. 6.1.

    See Also
    --------
    n_step_td_prediction : the same with n-step returns; ``n = 1`` is this function.
    dlbook.rl.mc.constant_alpha_mc_prediction
    :ref:`ch-td` : the chapter.

    Examples
    --------
    A one-step episode with reward 1 moves V(0) from 0.5 a tenth of the way to 1:

    >>> env = TabularEnv({0: {0: [(1.0, 1, 1.0, True)]}, 1: {0: [(1.0, 1, 0.0, True)]}}, [1, 0])
    >>> td0_prediction(env, [0, 0], episodes=1, alpha=0.1, gamma=1.0, v_init=[0.5, 0.0])
    array([0.55, 0.  ])
    """
    episodes, alpha, gamma, stepper, cdf, draw, V = _setup(env, policy, episodes, alpha,
                                                            gamma, seed, v_init)
    for _ in range(episodes):
        s = stepper.reset()
        for _ in range(MAX_EPISODE_STEPS):
            s_next, r, terminated, truncated = stepper.step(sample_index(cdf[s], draw))
            target = r if terminated else r + gamma * V[s_next]
            V[s] += alpha * (target - V[s])
            if terminated or truncated:
                break
            s = s_next
        else:
            raise RuntimeError(f"episode longer than {MAX_EPISODE_STEPS} steps: does it end?")
        if callback is not None:
            callback(np.array(V))
    return np.array(V)


def n_step_td_prediction(env, policy, n: int, episodes: int, alpha: float, gamma: float,
                         seed: int = 0, *, v_init=0.0, callback=None):
    r"""n-step TD estimate of :math:`v_\pi`: ``n`` rewards, then the estimate of the state reached.

    Parameters
    ----------
    env, policy, episodes, alpha, gamma, seed, v_init, callback
        As in :func:`td0_prediction`.
    n : int, at least 1
        How many rewards the target sums before it bootstraps.

    Returns
    -------
    V : ndarray of shape (n_states,)

    Notes
    -----
    The update of :math:`V(S_\tau)` happens at time :math:`t = \tau + n - 1`, once
    :math:`R_{\tau+n}` is known, with the n-step return

    .. math::

        G_{\tau:\tau+n} = \sum_{i=\tau+1}^{\min(\tau+n,\,T)} \gamma^{i-\tau-1} R_i
        + [\tau + n < T]\;\gamma^n V(S_{\tau+n}),\qquad
        V(S_\tau) \leftarrow V(S_\tau) + \alpha\,[G_{\tau:\tau+n} - V(S_\tau)].

    After the last step the remaining :math:`n - 1` states are updated with shorter returns. With
    ``n = 1`` this is :func:`td0_prediction`; with ``n`` at least the episode length every target
    is the full return, which is constant-:math:`\alpha` Monte Carlo. An episode cut by a time
    limit bootstraps from the state where it was cut.

    References
    ----------
    Sutton and Barto (2018), sec. 7.1.

    See Also
    --------
    td0_prediction, dlbook.rl.mc.constant_alpha_mc_prediction
    :ref:`ch-td` : the chapter.

    Examples
    --------
    Two steps with rewards 1 and 2, then the end: with n = 2 the first state's target is the
    whole return 1 + 0.5 * 2 = 2, not 1 + 0.5 * V(1).

    >>> P = {0: {0: [(1.0, 1, 1.0, False)]}, 1: {0: [(1.0, 2, 2.0, True)]},
    ...      2: {0: [(1.0, 2, 0.0, True)]}}
    >>> env = TabularEnv(P, [1, 0, 0])
    >>> n_step_td_prediction(env, [0, 0, 0], 2, episodes=1, alpha=1.0, gamma=0.5).tolist()
    [2.0, 2.0, 0.0]
    """
    n = positive_int(n, "n")
    episodes, alpha, gamma, stepper, cdf, draw, V = _setup(env, policy, episodes, alpha,
                                                            gamma, seed, v_init)
    for _ in range(episodes):
        states, rewards = [stepper.reset()], [0.0]  # rewards[i] is R_i (R_0 unused)
        T, cut = None, False                      # the last step; was it cut by a time limit?
        for t in range(MAX_EPISODE_STEPS + n):
            if T is None:
                s_next, r, terminated, truncated = stepper.step(sample_index(cdf[states[t]], draw))
                states.append(s_next)
                rewards.append(r)
                if terminated or truncated:
                    T, cut = t + 1, not terminated
            tau = t - n + 1  # the time whose state is updated now
            if tau >= 0:
                last = min(tau + n, T) if T is not None else tau + n
                G = sum(gamma ** (i - tau - 1) * rewards[i] for i in range(tau + 1, last + 1))
                if T is None or tau + n < T:
                    G += gamma ** n * V[states[tau + n]]
                elif cut:  # a time limit, not the end: S_T still has a future
                    G += gamma ** (T - tau) * V[states[T]]
                V[states[tau]] += alpha * (G - V[states[tau]])
            if T is not None and tau == T - 1:
                break
        else:
            raise RuntimeError(f"episode longer than {MAX_EPISODE_STEPS} steps: does it end?")
        if callback is not None:
            callback(np.array(V))
    return np.array(V)
