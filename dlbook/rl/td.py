r"""Temporal-difference learning: TD(0) prediction, Q-learning, SARSA and expected SARSA.

TD methods update a value after every step towards a *bootstrapped* target that uses the current
estimate of the next state, instead of waiting for the end of the episode as Monte Carlo does:

.. math:: V(S_t) \leftarrow V(S_t) + \alpha\,[R_{t+1} + \gamma V(S_{t+1}) - V(S_t)].

The three control methods differ only in the value of the next state in the target.

See Also
--------
dlbook.rl.mc : Monte Carlo methods. dlbook.rl.tabular : the stepper and ε-greedy helpers.
:ref:`ch-td` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook.rl.mdp import as_policy_matrix
from dlbook.rl.tabular import (
    MAX_EPISODE_STEPS,
    EnvStepper,
    TabularEnv,
    UniformStream,
    _check_count,
    _check_fraction,
    _sample,
    epsilon_greedy_action,
)

__all__ = ["random_walk_env", "td0_prediction", "q_learning", "sarsa", "expected_sarsa",
           "greedy_path"]


def random_walk_env(n: int = 5) -> TabularEnv:
    r"""The random walk of Sutton & Barto's Example 6.2 as an environment with one action.

    States ``1..n`` are the walk (A, B, C, ... for n = 5), ``0`` and ``n + 1`` are terminal.
    Every step moves left or right with probability 1/2; reaching ``n + 1`` pays 1, everything
    else 0. Episodes start in the middle state ``(n + 1) // 2``. With :math:`\gamma = 1` the true
    values are :math:`v(i) = i / (n + 1)`.

    Parameters
    ----------
    n : int, odd, at least 3

    Returns
    -------
    TabularEnv
        ``n + 2`` states, 1 action.

    Raises
    ------
    ValueError
        If ``n`` is not an odd integer >= 3.

    See Also
    --------
    td0_prediction, dlbook.rl.mc.constant_alpha_mc_prediction
    :ref:`ch-td` : the chapter.

    Examples
    --------
    >>> env = random_walk_env(5)
    >>> env.P[5][0]              # from E: to D, or to the right end with reward 1
    [(0.5, 4, 0.0, False), (0.5, 6, 1.0, True)]
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 3 or n % 2 == 0:
        raise ValueError(f"n must be an odd integer >= 3, got {n!r}")
    P = {s: {0: [(1.0, s, 0.0, True)]} for s in (0, n + 1)}        # terminal: never acted in
    for s in range(1, n + 1):
        P[s] = {0: [(0.5, s - 1, 0.0, s - 1 == 0), (0.5, s + 1, float(s + 1 == n + 1), s == n)]}
    start = np.zeros(n + 2)
    start[(n + 1) // 2] = 1.0
    return TabularEnv(P, start)


def td0_prediction(env, policy, episodes: int, alpha: float, gamma: float, seed: int = 0, *,
                   v_init=0.0, return_history: bool = False):
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
    return_history : bool
        Also return the values after each episode, shape ``(episodes, n_states)``.

    Returns
    -------
    V : ndarray of shape (n_states,)
        (and the history when asked for)

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
    dlbook.rl.mc.constant_alpha_mc_prediction
    :ref:`ch-td` : the chapter.

    Examples
    --------
    A one-step episode with reward 1 moves V(0) from 0.5 a tenth of the way to 1:

    >>> env = TabularEnv({0: {0: [(1.0, 1, 1.0, True)]}, 1: {0: [(1.0, 1, 0.0, True)]}}, [1, 0])
    >>> td0_prediction(env, [0, 0], episodes=1, alpha=0.1, gamma=1.0, v_init=[0.5, 0.0])
    array([0.55, 0.  ])
    """
    _check_count("episodes", episodes)
    _check_fraction("alpha", alpha, low_open=True)
    _check_fraction("gamma", gamma)
    stepper = EnvStepper(env, seed)
    cdf = np.cumsum(as_policy_matrix(policy, stepper.n_states, stepper.n_actions), axis=1).tolist()
    draw = UniformStream(np.random.default_rng(seed))
    V = np.broadcast_to(np.asarray(v_init, dtype=float), (stepper.n_states,)).tolist()
    history = []
    for _ in range(episodes):
        s = stepper.reset()
        for _ in range(MAX_EPISODE_STEPS):
            s_next, r, terminated, truncated = stepper.step(_sample(cdf[s], draw))
            target = r if terminated else r + gamma * V[s_next]
            V[s] += alpha * (target - V[s])
            if terminated or truncated:
                break
            s = s_next
        else:
            raise RuntimeError(f"episode longer than {MAX_EPISODE_STEPS} steps: does it end?")
        if return_history:
            history.append(list(V))
    V = np.array(V)
    return (V, np.array(history)) if return_history else V


def _td_control(method, env, episodes, alpha, gamma, epsilon, seed, q_init, return_rewards):
    """The loop shared by the three control methods; ``method`` picks the target."""
    _check_count("episodes", episodes)
    _check_fraction("alpha", alpha, low_open=True)
    _check_fraction("gamma", gamma)
    _check_fraction("epsilon", epsilon)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    stepper = EnvStepper(env, seed)
    draw = UniformStream(np.random.default_rng(seed))      # the agent's own random numbers
    n_actions = stepper.n_actions
    Q = [[float(q_init)] * n_actions for _ in range(stepper.n_states)]   # lists: fast scalars
    totals = np.zeros(episodes)
    for k in range(episodes):
        s = stepper.reset()
        a = epsilon_greedy_action(Q[s], epsilon, draw)
        for _ in range(MAX_EPISODE_STEPS):
            s_next, r, terminated, truncated = stepper.step(a)
            totals[k] += r
            if method == "sarsa" and not terminated:
                a_next = epsilon_greedy_action(Q[s_next], epsilon, draw)   # chosen before update
            if terminated:
                target = r
            elif method == "q_learning":
                target = r + gamma * max(Q[s_next])
            elif method == "sarsa":
                target = r + gamma * Q[s_next][a_next]
            else:  # expected SARSA: E_pi Q(s', .) under the ε-greedy policy
                row = Q[s_next]
                target = r + gamma * (epsilon * sum(row) / n_actions + (1 - epsilon) * max(row))
            Q[s][a] += alpha * (target - Q[s][a])
            if terminated or truncated:
                break
            if method != "sarsa":
                a_next = epsilon_greedy_action(Q[s_next], epsilon, draw)    # after the update
            s, a = s_next, a_next
        else:
            raise RuntimeError(f"episode longer than {MAX_EPISODE_STEPS} steps")
    Q = np.array(Q)
    return (Q, totals) if return_rewards else Q


def q_learning(env, episodes: int, alpha: float, gamma: float, epsilon: float, seed: int = 0, *,
               q_init: float = 0.0, return_rewards: bool = False):
    r"""Q-learning: off-policy TD control (Watkins, 1989).

    Parameters
    ----------
    env : gymnasium.Env
        Discrete action space; discrete observations (a Tuple of Discrete is flattened).
        Environments that carry their table (FrozenLake, CliffWalking, Taxi) are sampled from it
        by :class:`dlbook.rl.tabular.EnvStepper`, others through ``env.step``.
    episodes : int
    alpha : float in (0, 1]
        Step size.
    gamma : float in [0, 1]
        Discount factor.
    epsilon : float in [0, 1]
        Exploration rate of the ε-greedy behaviour policy (greedy ties broken at random).
    seed : int
        Seeds the environment and the agent's generator: the same seed gives the same ``Q``.
    q_init : float, default 0
        Initial value of every entry.
    return_rewards : bool
        Also return the sum of rewards of each episode, shape ``(episodes,)``.

    Returns
    -------
    Q : ndarray of shape (n_states, n_actions)

    Raises
    ------
    ValueError
        A count, a rate or the seed out of range.
    TypeError
        A space that is not discrete.

    Notes
    -----
    .. math:: Q(S_t, A_t) \leftarrow Q(S_t, A_t)
              + \alpha\,[R_{t+1} + \gamma \max_a Q(S_{t+1}, a) - Q(S_t, A_t)]

    The target uses the greedy action whatever the behaviour does next, so ``Q`` approaches
    :math:`q_*` while the agent explores. A terminating step has target :math:`R_{t+1}`; a step
    cut by a time limit keeps the bootstrap term.

    References
    ----------
    R. S. Sutton and A. G. Barto, *Reinforcement Learning: An Introduction*, 2nd ed., 2018,
    sec. 6.5.

    See Also
    --------
    sarsa, expected_sarsa, dlbook.rl.dp.value_iteration
    :ref:`ch-td` : the chapter.

    Examples
    --------
    >>> import gymnasium as gym
    >>> Q = q_learning(gym.make("FrozenLake-v1", is_slippery=False), 2000, 0.5, 0.9, 0.2, seed=0)
    >>> Q.shape, round(float(Q[14, 2]), 6)          # next to the goal: 1 for stepping right
    ((16, 4), 1.0)
    """
    return _td_control("q_learning", env, episodes, alpha, gamma, epsilon, seed, q_init,
                       return_rewards)


def sarsa(env, episodes: int, alpha: float, gamma: float, epsilon: float, seed: int = 0, *,
          q_init: float = 0.0, return_rewards: bool = False):
    r"""SARSA: on-policy TD control. Arguments and result as in :func:`q_learning`.

    Notes
    -----
    With :math:`A_{t+1}` the ε-greedy action actually taken next (chosen before the update),

    .. math:: Q(S_t, A_t) \leftarrow Q(S_t, A_t)
              + \alpha\,[R_{t+1} + \gamma Q(S_{t+1}, A_{t+1}) - Q(S_t, A_t)].

    It learns the value of the exploring policy itself, exploration mistakes included.

    References
    ----------
    Sutton and Barto (2018), sec. 6.4.

    See Also
    --------
    q_learning, expected_sarsa
    :ref:`ch-td` : the chapter.

    Examples
    --------
    >>> import gymnasium as gym
    >>> Q = sarsa(gym.make("FrozenLake-v1", is_slippery=False), 2000, 0.5, 0.9, 0.2, seed=0)
    >>> round(float(Q[14, 2]), 6)
    1.0
    """
    return _td_control("sarsa", env, episodes, alpha, gamma, epsilon, seed, q_init, return_rewards)


def expected_sarsa(env, episodes: int, alpha: float, gamma: float, epsilon: float,
                   seed: int = 0, *, q_init: float = 0.0, return_rewards: bool = False):
    r"""Expected SARSA: the target averages over the next action.

    Arguments and result as in :func:`q_learning`.

    Notes
    -----
    With :math:`\pi` the ε-greedy policy of the current ``Q`` over :math:`|\mathcal{A}|` actions,

    .. math:: \mathbb{E}_\pi Q(s', \cdot) = \frac{\varepsilon}{|\mathcal{A}|} \sum_a Q(s', a)
              + (1 - \varepsilon) \max_a Q(s', a),

    .. math:: Q(S_t, A_t) \leftarrow Q(S_t, A_t)
              + \alpha\,[R_{t+1} + \gamma\, \mathbb{E}_\pi Q(S_{t+1}, \cdot) - Q(S_t, A_t)].

    Tied greedy actions share the mass :math:`1 - \varepsilon` but have the same value, hence the
    single max. It removes the variance of sampling :math:`A_{t+1}`; with ε = 0 it is Q-learning.

    References
    ----------
    Sutton and Barto (2018), sec. 6.6.

    See Also
    --------
    q_learning, sarsa, dlbook.rl.tabular.epsilon_greedy_probs
    :ref:`ch-td` : the chapter.

    Examples
    --------
    >>> import gymnasium as gym
    >>> Q = expected_sarsa(gym.make("FrozenLake-v1", is_slippery=False), 2000, 0.5, 0.9, 0.2)
    >>> round(float(Q[14, 2]), 6)
    1.0
    """
    return _td_control("expected_sarsa", env, episodes, alpha, gamma, epsilon, seed, q_init,
                       return_rewards)


def greedy_path(env, Q, max_steps: int | None = None) -> list[int]:
    """States visited by the greedy policy of ``Q`` in a deterministic table environment.

    Parameters
    ----------
    env : gymnasium.Env
        Its ``unwrapped`` has ``P`` with one outcome per (state, action) and a single start state.
    Q : ndarray of shape (n_states, n_actions)
        Ties go to the lowest action.
    max_steps : int, optional
        Stop after this many steps (default: the number of states).

    Returns
    -------
    list of int
        From the start state to the terminal state; if the greedy policy loops, the path stops
        at the first repeated state (so its last state is not terminal).

    Raises
    ------
    ValueError
        If a transition on the way is stochastic or ``Q`` has the wrong shape.

    See Also
    --------
    q_learning, sarsa
    :ref:`ch-td` : the chapter.

    Examples
    --------
    >>> import gymnasium as gym
    >>> env = gym.make("FrozenLake-v1", is_slippery=False)
    >>> Q = np.zeros((16, 4)); Q[[0, 4, 8, 9, 13, 14], [1, 1, 2, 1, 2, 2]] = 1
    >>> greedy_path(env, Q)
    [0, 4, 8, 9, 13, 14, 15]
    """
    raw = env.unwrapped
    Q = np.asarray(Q)
    n_states = len(raw.P)
    if Q.shape != (n_states, len(raw.P[0])):
        raise ValueError(f"Q has shape {Q.shape}, the environment has {n_states} states and "
                         f"{len(raw.P[0])} actions")
    s = int(np.argmax(raw.initial_state_distrib))
    path = [s]
    for _ in range(n_states if max_steps is None else max_steps):
        outcomes = raw.P[s][int(np.argmax(Q[s]))]
        if len(outcomes) != 1:
            raise ValueError(f"state {s}: the greedy action has {len(outcomes)} outcomes; "
                             "greedy_path needs a deterministic environment")
        _, s, _, terminated = outcomes[0]
        path.append(int(s))
        if terminated or path.count(s) > 1:
            break
    return path
