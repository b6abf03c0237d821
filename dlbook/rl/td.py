r"""Temporal-difference control: Q-learning, SARSA, expected SARSA and double Q-learning.

Each method is its own function with its own loop, written as the chapter shows it. They act
:math:`\varepsilon`-greedily on their action values and update after every step towards a target
:math:`R_{t+1} + \gamma \cdot (\text{a value of } S_{t+1})`; they differ in that value:

* Q-learning: :math:`\max_a Q(S_{t+1}, a)`, the greedy action's value (off-policy);
* SARSA: :math:`Q(S_{t+1}, A_{t+1})`, the action actually taken next (on-policy);
* expected SARSA: :math:`\sum_a \pi(a \mid S_{t+1}) Q(S_{t+1}, a)` under the ε-greedy policy;
* double Q-learning: one table picks the best next action, a second table scores it.

The shared pieces are helpers of :mod:`dlbook.rl.tabular`: the environment stepper and the
ε-greedy choice. All four take any gymnasium environment with discrete spaces and return
``Q`` of shape ``(n_states, n_actions)``; the same seed gives the same ``Q``.

See Also
--------
dlbook.rl.td_prediction : TD(0) and n-step TD prediction.
dlbook.rl.mc : Monte Carlo methods. dlbook.rl.tabular : the stepper and ε-greedy helpers.
:ref:`ch-td` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import positive_int, probability
from dlbook.rl.tabular import MAX_EPISODE_STEPS, EnvStepper, UniformStream, epsilon_greedy_action

__all__ = ["q_learning", "sarsa", "expected_sarsa", "double_q_learning", "greedy_path"]


def _rates(episodes, alpha, gamma, epsilon):
    """The arguments every control method checks, as (int, float, float, float)."""
    return (positive_int(episodes, "episodes"), probability(alpha, "alpha", low_open=True),
            probability(gamma, "gamma"), probability(epsilon, "epsilon"))


def _too_long():
    return RuntimeError(f"episode longer than {MAX_EPISODE_STEPS} steps: does it ever end?")


def q_learning(env, episodes: int, alpha: float, gamma: float, epsilon: float, seed: int = 0, *,
               q_init: float = 0.0, callback=None) -> np.ndarray:
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
    callback : callable, optional
        Called after every episode as ``callback(total_reward)``, the sum of its rewards.

    Returns
    -------
    Q : ndarray of shape (n_states, n_actions)

    Raises
    ------
    ValueError
        A count, a rate or the seed out of range.
    TypeError
        A space that is not discrete, or a rate that is not a number.

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
    sarsa, expected_sarsa, double_q_learning, dlbook.rl.dp.value_iteration
    :ref:`ch-td` : the chapter.

    Examples
    --------
    >>> import gymnasium as gym
    >>> Q = q_learning(gym.make("FrozenLake-v1", is_slippery=False), 2000, 0.5, 0.9, 0.2, seed=0)
    >>> Q.shape, round(float(Q[14, 2]), 6)          # next to the goal: 1 for stepping right
    ((16, 4), 1.0)
    """
    episodes, alpha, gamma, epsilon = _rates(episodes, alpha, gamma, epsilon)
    stepper = EnvStepper(env, seed)
    draw = UniformStream(np.random.default_rng(seed))      # the agent's own random numbers
    Q = [[float(q_init)] * stepper.n_actions for _ in range(stepper.n_states)]  # fast scalars
    for _ in range(episodes):
        s, total = stepper.reset(), 0.0
        for _ in range(MAX_EPISODE_STEPS):
            a = epsilon_greedy_action(Q[s], epsilon, draw)
            s_next, r, terminated, truncated = stepper.step(a)
            total += r
            target = r if terminated else r + gamma * max(Q[s_next])
            Q[s][a] += alpha * (target - Q[s][a])
            if terminated or truncated:
                break
            s = s_next
        else:
            raise _too_long()
        if callback is not None:
            callback(total)
    return np.array(Q)


def sarsa(env, episodes: int, alpha: float, gamma: float, epsilon: float, seed: int = 0, *,
          q_init: float = 0.0, callback=None) -> np.ndarray:
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
    episodes, alpha, gamma, epsilon = _rates(episodes, alpha, gamma, epsilon)
    stepper = EnvStepper(env, seed)
    draw = UniformStream(np.random.default_rng(seed))
    Q = [[float(q_init)] * stepper.n_actions for _ in range(stepper.n_states)]
    for _ in range(episodes):
        s, total = stepper.reset(), 0.0
        a = epsilon_greedy_action(Q[s], epsilon, draw)
        for _ in range(MAX_EPISODE_STEPS):
            s_next, r, terminated, truncated = stepper.step(a)
            total += r
            if terminated:
                target = r
            else:
                a_next = epsilon_greedy_action(Q[s_next], epsilon, draw)  # before the update
                target = r + gamma * Q[s_next][a_next]
            Q[s][a] += alpha * (target - Q[s][a])
            if terminated or truncated:
                break
            s, a = s_next, a_next
        else:
            raise _too_long()
        if callback is not None:
            callback(total)
    return np.array(Q)


def expected_sarsa(env, episodes: int, alpha: float, gamma: float, epsilon: float,
                   seed: int = 0, *, q_init: float = 0.0, callback=None) -> np.ndarray:
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
    episodes, alpha, gamma, epsilon = _rates(episodes, alpha, gamma, epsilon)
    stepper = EnvStepper(env, seed)
    draw = UniformStream(np.random.default_rng(seed))
    n_actions = stepper.n_actions
    Q = [[float(q_init)] * n_actions for _ in range(stepper.n_states)]
    for _ in range(episodes):
        s, total = stepper.reset(), 0.0
        for _ in range(MAX_EPISODE_STEPS):
            a = epsilon_greedy_action(Q[s], epsilon, draw)
            s_next, r, terminated, truncated = stepper.step(a)
            total += r
            row = Q[s_next]
            expected = epsilon * sum(row) / n_actions + (1 - epsilon) * max(row)
            target = r if terminated else r + gamma * expected
            Q[s][a] += alpha * (target - Q[s][a])
            if terminated or truncated:
                break
            s = s_next
        else:
            raise _too_long()
        if callback is not None:
            callback(total)
    return np.array(Q)


def double_q_learning(env, episodes: int, alpha: float, gamma: float, epsilon: float,
                      seed: int = 0, *, q_init: float = 0.0, callback=None) -> np.ndarray:
    r"""Double Q-learning: two tables, one picks the next action and the other scores it.

    Arguments as in :func:`q_learning`.

    Returns
    -------
    Q : ndarray of shape (n_states, n_actions)
        The average :math:`(Q_1 + Q_2)/2` of the two tables.

    Notes
    -----
    The agent acts ε-greedily on :math:`Q_1 + Q_2`. After each step a fair coin picks the table
    to update; with probability 1/2

    .. math:: Q_1(S_t, A_t) \leftarrow Q_1(S_t, A_t) + \alpha\,\bigl[R_{t+1}
              + \gamma\, Q_2\bigl(S_{t+1}, \arg\max_a Q_1(S_{t+1}, a)\bigr) - Q_1(S_t, A_t)\bigr],

    and otherwise the same with 1 and 2 swapped (ties in the argmax go to the lowest action).
    Q-learning's :math:`\max_a Q(s', a)` uses one set of noisy estimates both to choose the
    action and to value it, so its expectation exceeds the true maximum (maximization bias).
    Here the table that chooses is independent of the one that values, which removes the bias.
    Double DQN applies the same idea to the online and target networks.

    References
    ----------
    H. van Hasselt, "Double Q-learning", NeurIPS 2010. Sutton and Barto (2018), sec. 6.7.

    See Also
    --------
    q_learning, dlbook.rl.toy_mdps.maximization_bias_env, dlbook.rl.dqn_torch.td_targets
    :ref:`ch-td` : the chapter.

    Examples
    --------
    >>> import gymnasium as gym
    >>> Q = double_q_learning(gym.make("FrozenLake-v1", is_slippery=False), 3000, 0.5, 0.9, 0.2)
    >>> round(float(Q[14, 2]), 6)
    1.0
    """
    episodes, alpha, gamma, epsilon = _rates(episodes, alpha, gamma, epsilon)
    stepper = EnvStepper(env, seed)
    draw = UniformStream(np.random.default_rng(seed))
    n_actions = stepper.n_actions
    Q1 = [[float(q_init)] * n_actions for _ in range(stepper.n_states)]
    Q2 = [[float(q_init)] * n_actions for _ in range(stepper.n_states)]
    for _ in range(episodes):
        s, total = stepper.reset(), 0.0
        for _ in range(MAX_EPISODE_STEPS):
            both = [q1 + q2 for q1, q2 in zip(Q1[s], Q2[s])]
            a = epsilon_greedy_action(both, epsilon, draw)
            s_next, r, terminated, truncated = stepper.step(a)
            total += r
            chooser, scorer = (Q1, Q2) if draw() < 0.5 else (Q2, Q1)  # the coin
            if terminated:
                target = r
            else:
                row = chooser[s_next]
                best = row.index(max(row))  # chosen by one table ...
                target = r + gamma * scorer[s_next][best]  # ... valued by the other
            chooser[s][a] += alpha * (target - chooser[s][a])
            if terminated or truncated:
                break
            s = s_next
        else:
            raise _too_long()
        if callback is not None:
            callback(total)
    return (np.array(Q1) + np.array(Q2)) / 2


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
    steps = n_states if max_steps is None else positive_int(max_steps, "max_steps")
    for _ in range(steps):
        outcomes = raw.P[s][int(np.argmax(Q[s]))]
        if len(outcomes) != 1:
            raise ValueError(f"state {s}: the greedy action has {len(outcomes)} outcomes; "
                             "greedy_path needs a deterministic environment")
        _, s, _, terminated = outcomes[0]
        path.append(int(s))
        if terminated or path.count(s) > 1:
            break
    return path
