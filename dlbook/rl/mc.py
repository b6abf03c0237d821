r"""Monte Carlo prediction and control for tabular environments.

An episode is run to its end, the return :math:`G_t = R_{t+1} + \gamma G_{t+1}` of every step is
computed backwards, and values are averages of observed returns. First-visit MC averages the return
after the first visit of a state in each episode, every-visit MC after every visit.

See Also
--------
dlbook.rl.tabular : the environment stepper and ε-greedy policies used here.
dlbook.rl.td : temporal-difference methods. dlbook.rl.dp : the exact values.
:ref:`ch-monte-carlo` : the chapter.
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
    discrete_sizes,
    epsilon_greedy_action,
    sample_index,
)

__all__ = [
    "generate_episode", "step_returns", "mc_prediction_from_episodes",
    "first_visit_mc_prediction", "every_visit_mc_prediction", "constant_alpha_mc_prediction",
    "mc_control_epsilon_soft",
]


def generate_episode(stepper: EnvStepper, policy_cdf: list, draw: UniformStream):
    """Run one episode with a fixed policy.

    Parameters
    ----------
    stepper : dlbook.rl.tabular.EnvStepper
    policy_cdf : list of lists, (n_states, n_actions)
        ``policy_cdf[s]`` is the cumulative action distribution in state ``s`` (the cumulative
        sum of a row of :func:`dlbook.rl.mdp.as_policy_matrix`).
    draw : dlbook.rl.tabular.UniformStream
        The agent's random numbers.

    Returns
    -------
    states, actions : ndarray of int, shape (T,)
    rewards : ndarray of float, shape (T,)
        ``rewards[t]`` is the reward received after ``actions[t]`` in ``states[t]``.

    See Also
    --------
    first_visit_mc_prediction
    :ref:`ch-monte-carlo` : the chapter.

    Examples
    --------
    >>> env = TabularEnv({0: {0: [(1.0, 1, 2.0, True)]}, 1: {0: [(1.0, 1, 0.0, True)]}}, [1, 0])
    >>> draw = UniformStream(np.random.default_rng(0))
    >>> generate_episode(EnvStepper(env, 0), [[1.0], [1.0]], draw)
    (array([0]), array([0]), array([2.]))
    """
    states, actions, rewards = [], [], []
    s, done = stepper.reset(), False
    while not done:
        a = sample_index(policy_cdf[s], draw)
        s_next, r, terminated, truncated = stepper.step(a)
        states.append(s), actions.append(a), rewards.append(r)
        s, done = s_next, terminated or truncated
        if len(states) > MAX_EPISODE_STEPS:
            raise RuntimeError(f"episode longer than {MAX_EPISODE_STEPS} steps: "
                               "does the policy ever end it?")
    return np.array(states), np.array(actions), np.array(rewards, dtype=float)


def step_returns(rewards, gamma: float) -> np.ndarray:
    r"""Returns :math:`G_t = R_{t+1} + \gamma G_{t+1}` of every step, computed backwards.

    Parameters
    ----------
    rewards : array_like of shape (T,)
        ``rewards[t]`` is :math:`R_{t+1}`.
    gamma : float in [0, 1]

    Returns
    -------
    ndarray of shape (T,)
        :math:`G_0, \dots, G_{T-1}`, with :math:`G_{T-1} = R_T`.

    See Also
    --------
    dlbook.rl.mdp.discounted_return : :math:`G_0` only.
    :ref:`ch-monte-carlo` : the chapter.

    Examples
    --------
    >>> step_returns([1.0, 0.0, 2.0], 0.5)        # G_2 = 2, G_1 = 0 + 1, G_0 = 1 + 0.5
    array([1.5, 1. , 2. ])
    """
    G, out = 0.0, []
    for r in reversed(np.asarray(rewards, dtype=float).tolist()):   # a recursion in time
        G = r + gamma * G
        out.append(G)
    return np.array(out[::-1])


def mc_prediction_from_episodes(episodes, n_states: int, gamma: float, first_visit: bool = True):
    r"""State values as averages of observed returns (first-visit or every-visit).

    Parameters
    ----------
    episodes : iterable of pairs
        Each pair ``(states, rewards)`` is one episode: ``states[t]`` is :math:`S_t` and
        ``rewards[t]`` is :math:`R_{t+1}`.
    n_states : int
    gamma : float in [0, 1]
    first_visit : bool, default True
        Count only the first visit of a state in each episode.

    Returns
    -------
    V : ndarray of shape (n_states,)
        Average return; 0 for states never visited.
    counts : ndarray of shape (n_states,)
        Number of returns averaged per state.

    Notes
    -----
    .. math:: V(s) = \frac{1}{N(s)} \sum_{\text{visits } t \text{ of } s} G_t

    See Also
    --------
    first_visit_mc_prediction, every_visit_mc_prediction
    :ref:`ch-monte-carlo` : the chapter.

    Examples
    --------
    One state, an episode of 10 steps with reward 1 (returns 10, 9, ..., 1):

    >>> V, n = mc_prediction_from_episodes([([0] * 10, [1.0] * 10)], 1, 1.0, first_visit=True)
    >>> float(V[0]), int(n[0])
    (10.0, 1)
    >>> V, n = mc_prediction_from_episodes([([0] * 10, [1.0] * 10)], 1, 1.0, first_visit=False)
    >>> float(V[0]), int(n[0])
    (5.5, 10)
    """
    n_states, gamma = positive_int(n_states, "n_states"), probability(gamma, "gamma")
    total, counts = np.zeros(n_states), np.zeros(n_states, dtype=np.int64)
    for states, rewards in episodes:
        states = np.asarray(states, dtype=np.int64)
        if states.shape != np.shape(rewards) or states.ndim != 1:
            raise ValueError(f"states {states.shape} and rewards {np.shape(rewards)} must be 1-D "
                             "and of equal length")
        G = step_returns(rewards, gamma)
        if first_visit:
            _, first = np.unique(states, return_index=True)      # first time index of each state
            states, G = states[first], G[first]
        total += np.bincount(states, weights=G, minlength=n_states)
        counts += np.bincount(states, minlength=n_states)
    return np.divide(total, counts, out=np.zeros(n_states), where=counts > 0), counts


def _prediction_episodes(env, policy, episodes, seed):
    episodes = positive_int(episodes, "episodes")
    stepper = EnvStepper(env, seed)
    cdf = np.cumsum(as_policy_matrix(policy, stepper.n_states, stepper.n_actions), axis=1).tolist()
    draw = UniformStream(np.random.default_rng(seed))
    for _ in range(episodes):
        states, _, rewards = generate_episode(stepper, cdf, draw)
        yield states, rewards


def first_visit_mc_prediction(env, policy, episodes: int, gamma: float, seed: int = 0):
    r"""First-visit Monte Carlo estimate of :math:`v_\pi` from ``episodes`` episodes.

    Parameters
    ----------
    env : gymnasium.Env with discrete spaces
    policy : array_like of shape (n_states,) or (n_states, n_actions)
    episodes : int
    gamma : float in [0, 1]
    seed : int

    Returns
    -------
    V : ndarray of shape (n_states,)

    Notes
    -----
    Unbiased: each episode contributes one return per visited state (Sutton & Barto, sec. 5.1).

    References
    ----------
    R. S. Sutton and A. G. Barto, *Reinforcement Learning: An Introduction*, 2nd ed., 2018, ch. 5.

    See Also
    --------
    every_visit_mc_prediction, mc_prediction_from_episodes, dlbook.rl.dp.policy_evaluation
    :ref:`ch-monte-carlo` : the chapter.

    Examples
    --------
    A coin-flip MDP: reward 1 or 0 with probability 1/2, then the episode ends.

    >>> env = TabularEnv({0: {0: [(0.5, 1, 1.0, True), (0.5, 1, 0.0, True)]},
    ...                   1: {0: [(1.0, 1, 0.0, True)]}}, [1.0, 0.0])
    >>> V = first_visit_mc_prediction(env, [0, 0], episodes=10_000, gamma=1.0, seed=0)
    >>> bool(abs(V[0] - 0.5) < 0.02)
    True
    """
    n_states = discrete_sizes(env)[0]
    return mc_prediction_from_episodes(_prediction_episodes(env, policy, episodes, seed),
                                       n_states, gamma, first_visit=True)[0]


def every_visit_mc_prediction(env, policy, episodes: int, gamma: float, seed: int = 0):
    r"""Every-visit Monte Carlo estimate of :math:`v_\pi`.

    Parameters
    ----------
    env, policy, episodes, gamma, seed
        As in :func:`first_visit_mc_prediction`.

    Returns
    -------
    V : ndarray of shape (n_states,)

    Notes
    -----
    Biased for a finite number of episodes when states repeat, but consistent: the bias
    vanishes as the number of episodes grows (Singh & Sutton, 1996).

    See Also
    --------
    first_visit_mc_prediction
    :ref:`ch-monte-carlo` : the chapter.

    Examples
    --------
    >>> env = TabularEnv({0: {0: [(0.5, 1, 1.0, True), (0.5, 1, 0.0, True)]},
    ...                   1: {0: [(1.0, 1, 0.0, True)]}}, [1.0, 0.0])
    >>> V = every_visit_mc_prediction(env, [0, 0], episodes=10_000, gamma=1.0, seed=0)
    >>> bool(abs(V[0] - 0.5) < 0.02)
    True
    """
    n_states = discrete_sizes(env)[0]
    return mc_prediction_from_episodes(_prediction_episodes(env, policy, episodes, seed),
                                       n_states, gamma, first_visit=False)[0]


def constant_alpha_mc_prediction(env, policy, episodes: int, alpha: float, gamma: float,
                                 seed: int = 0, *, v_init=0.0, callback=None):
    r"""Every-visit MC with a constant step size :math:`\alpha` instead of an average.

    Parameters
    ----------
    env, policy, episodes, gamma, seed
        As in :func:`first_visit_mc_prediction`.
    alpha : float in (0, 1]
    v_init : float or array_like of shape (n_states,)
    callback : callable, optional
        Called after every episode as ``callback(V)`` with a copy of the values so far.

    Returns
    -------
    V : ndarray of shape (n_states,)

    Notes
    -----
    After each episode, for :math:`t = 0, 1, \dots, T-1` in order,

    .. math:: V(S_t) \leftarrow V(S_t) + \alpha\,[G_t - V(S_t)].

    See Also
    --------
    dlbook.rl.td.td0_prediction : the same update with a bootstrapped target.
    :ref:`ch-td` : the chapter.

    Examples
    --------
    One episode with return 1 moves V from 0 a tenth of the way:

    >>> env = TabularEnv({0: {0: [(1.0, 1, 1.0, True)]}, 1: {0: [(1.0, 1, 0.0, True)]}}, [1, 0])
    >>> constant_alpha_mc_prediction(env, [0, 0], episodes=1, alpha=0.1, gamma=1.0)
    array([0.1, 0. ])
    """
    alpha = probability(alpha, "alpha", low_open=True)
    gamma = probability(gamma, "gamma")
    n_states = discrete_sizes(env)[0]
    V = np.broadcast_to(np.asarray(v_init, dtype=float), (n_states,)).copy()
    for states, rewards in _prediction_episodes(env, policy, episodes, seed):
        for s, G in zip(states.tolist(), step_returns(rewards, gamma).tolist()):
            V[s] += alpha * (G - V[s])
        if callback is not None:
            callback(V.copy())
    return V


def mc_control_epsilon_soft(env, episodes: int, gamma: float, epsilon: float, seed: int = 0, *,
                            first_visit: bool = True, callback=None):
    r"""On-policy Monte Carlo control with an ε-greedy (hence ε-soft) policy.

    Parameters
    ----------
    env : gymnasium.Env with discrete spaces (a Tuple of Discrete observations is flattened)
    episodes : int
    gamma : float in [0, 1]
    epsilon : float in [0, 1]
        Exploration rate of the behaviour (and target) policy.
    seed : int
        Same seed, same result.
    first_visit : bool, default True
    callback : callable, optional
        Called after every episode as ``callback(total_reward)``, the sum of its rewards.

    Returns
    -------
    Q : ndarray of shape (n_states, n_actions)
        Average return after each state-action pair (0 where never tried).

    Notes
    -----
    Each episode follows the ε-greedy policy of the current ``Q`` (ties broken at random);
    afterwards, for each (first) visit of :math:`(S_t, A_t)`,

    .. math:: N(S_t, A_t) \leftarrow N + 1, \qquad
              Q(S_t, A_t) \leftarrow Q + \frac{G_t - Q(S_t, A_t)}{N(S_t, A_t)}.

    The policy improves with ``Q`` after every episode (Sutton & Barto, sec. 5.4); it converges
    to the best ε-soft policy, whose greedy part is close to optimal.

    See Also
    --------
    dlbook.rl.td.q_learning
    :ref:`ch-monte-carlo` : the chapter.

    Examples
    --------
    Two actions: action 1 pays 1, action 0 pays 0, then the episode ends.

    >>> P = {0: {0: [(1.0, 1, 0.0, True)], 1: [(1.0, 1, 1.0, True)]},
    ...      1: {0: [(1.0, 1, 0.0, True)], 1: [(1.0, 1, 0.0, True)]}}
    >>> Q = mc_control_epsilon_soft(TabularEnv(P, [1, 0]), 200, 1.0, 0.1, seed=0)
    >>> Q[0].tolist()
    [0.0, 1.0]
    """
    episodes = positive_int(episodes, "episodes")
    gamma, epsilon = probability(gamma, "gamma"), probability(epsilon, "epsilon")
    stepper = EnvStepper(env, seed)
    draw = UniformStream(np.random.default_rng(seed))
    Q = [[0.0] * stepper.n_actions for _ in range(stepper.n_states)]   # lists: fast scalar access
    N = [[0] * stepper.n_actions for _ in range(stepper.n_states)]
    for _ in range(episodes):
        visits, rewards = [], []
        s, done = stepper.reset(), False
        while not done:
            a = epsilon_greedy_action(Q[s], epsilon, draw)
            s_next, r, terminated, truncated = stepper.step(a)
            visits.append((s, a)), rewards.append(r)
            s, done = s_next, terminated or truncated
            if len(visits) > MAX_EPISODE_STEPS:
                raise RuntimeError(f"episode longer than {MAX_EPISODE_STEPS} steps")
        first = {}
        for t, sa in enumerate(visits):
            first.setdefault(sa, t)
        for t, G in enumerate(step_returns(rewards, gamma).tolist()):
            s, a = visits[t]
            if first_visit and first[(s, a)] != t:
                continue
            N[s][a] += 1
            Q[s][a] += (G - Q[s][a]) / N[s][a]
        if callback is not None:
            callback(sum(rewards))
    return np.array(Q)
