r"""Dynamic programming for finite MDPs: policy evaluation, policy iteration, value iteration.

Every function takes gymnasium's transition table ``P[s][a] = [(prob, next_state, reward,
terminated), ...]`` (or a :class:`~dlbook.rl.mdp.TabularMDP` already built from one), builds the
dense arrays once and sweeps all states at once with ``einsum``; there is no loop over states.

See Also
--------
dlbook.rl.mdp : the arrays and the Bellman backups used here.
:ref:`ch-dp` : the chapter, which explains and runs these algorithms.
"""

from __future__ import annotations

import numpy as np

from dlbook.rl.mdp import (
    TabularMDP,
    _check_gamma,
    _check_size,
    action_values,
    as_policy_matrix,
    flatten_table,
    induced_chain,
    transition_arrays,
)

__all__ = ["policy_evaluation", "policy_evaluation_exact", "q_from_v", "greedy_policy",
           "value_iteration", "policy_iteration", "success_probability"]


def _arrays(P, n_states=None, n_actions=None) -> TabularMDP:
    """Dense arrays of ``P``; the sizes are read from ``P`` when not given."""
    if isinstance(P, TabularMDP):
        S, A = P.R.shape
        if (n_states is not None and n_states != S) or (n_actions is not None and n_actions != A):
            raise ValueError(f"the arrays hold {S} states and {A} actions, but n_states="
                             f"{n_states} and n_actions={n_actions} were given")
        return P
    if n_states is None:
        n_states = len(P)
    if n_actions is None:
        try:
            n_actions = len(P[0])
        except (KeyError, IndexError, TypeError):
            raise ValueError("P must be gymnasium's table P[s][a] with a state 0") from None
    return transition_arrays(P, n_states, n_actions)


def _check_theta(theta, max_iter):
    if not theta > 0:
        raise ValueError(f"theta must be positive, got {theta}")
    return _check_size("max_iter", max_iter)


def policy_evaluation(P, policy, gamma, theta=1e-10, max_iter=100_000, *, return_history=False):
    r"""Iterative policy evaluation: apply the Bellman expectation backup until it stops moving.

    Parameters
    ----------
    P : gymnasium table or TabularMDP
    policy : ndarray, shape (S,) of int actions or (S, A) of action probabilities
    gamma : float in [0, 1]
        ``gamma = 1`` is allowed for episodic tasks; it converges when the policy ends every
        episode with probability 1, or when the rewards on its never-ending loops are zero.
    theta : float, optional
        Stop when :math:`\max_s |V_{k+1}(s) - V_k(s)| < \theta`.
    max_iter : int, optional
    return_history : bool, optional
        Also return :math:`\max_s |V_{k+1}(s) - V_k(s)|` of every sweep.

    Returns
    -------
    V : ndarray of shape (S,)
    history : ndarray of shape (sweeps,)
        Only with ``return_history=True``.

    Raises
    ------
    ValueError
        ``gamma`` outside [0, 1], a non-positive ``theta``, or an invalid policy.
    RuntimeError
        If ``max_iter`` sweeps do not converge (with ``gamma = 1``: a policy that never ends an
        episode on a loop with non-zero reward).

    Notes
    -----
    Starting from :math:`V_0 = 0`, every sweep computes for all states at once

    .. math::

        V_{k+1}(s) = \sum_a \pi(a|s)\Big[R(s,a) + \gamma \sum_{s'}(T-D)(s,a,s')\,V_k(s')\Big].

    When :math:`\gamma < 1` the error after stopping is at most
    :math:`\gamma\theta/(1-\gamma)`.

    See Also
    --------
    policy_evaluation_exact : the same values by one linear solve.
    dlbook.rl.mdp.bellman_expectation_backup : one sweep. Chapter :ref:`ch-dp`.

    Examples
    --------
    Walking right along ``S . G`` costs 1 per step:

    >>> from dlbook.rl.gridworld import gridworld
    >>> P = gridworld(["S.G"], step_reward=-1.0, goal_reward=-1.0)
    >>> policy_evaluation(P, np.array([2, 2, 2]), gamma=1.0).tolist()
    [-2.0, -1.0, 0.0]
    """
    mdp = _arrays(P)
    S, A = mdp.R.shape
    gamma, max_iter = _check_gamma(gamma), _check_theta(theta, max_iter)
    P_pi, r_pi = induced_chain(mdp, policy)  # (S, S), (S,)
    V, history = np.zeros(S), []
    for _ in range(max_iter):
        V_new = r_pi + gamma * P_pi @ V
        delta = float(np.max(np.abs(V_new - V)))
        history.append(delta)
        V = V_new
        if delta < theta:
            return (V, np.array(history)) if return_history else V
    raise RuntimeError(f"policy evaluation did not converge in max_iter={max_iter} sweeps "
                       f"(last change {delta:.3g}); with gamma=1 the policy may never end an "
                       "episode on a loop with non-zero reward")


def policy_evaluation_exact(P, policy, gamma):
    r"""Exact policy evaluation: solve :math:`(I - \gamma P^\pi) V = r^\pi`.

    Parameters
    ----------
    P : gymnasium table or TabularMDP
    policy : ndarray, shape (S,) of int or (S, A) of float
    gamma : float in [0, 1)

    Returns
    -------
    ndarray of shape (S,)

    Raises
    ------
    ValueError
        If ``gamma`` is not in [0, 1) (with ``gamma = 1`` the matrix can be singular; use
        :func:`policy_evaluation` or :func:`success_probability`), or the policy is invalid.

    Notes
    -----
    :math:`P^\pi(s,s') = \sum_a \pi(a|s)(T-D)(s,a,s')` and
    :math:`r^\pi(s) = \sum_a \pi(a|s)R(s,a)`.  For :math:`\gamma<1` the rows of
    :math:`\gamma P^\pi` sum to less than 1, so :math:`I-\gamma P^\pi` is invertible.

    See Also
    --------
    policy_evaluation : the iterative method. Chapter :ref:`ch-dp`.

    Examples
    --------
    A state that keeps paying 1 is worth :math:`1/(1-\gamma)`:

    >>> P = {0: {0: [(1.0, 0, 1.0, False)]}}
    >>> policy_evaluation_exact(P, np.array([0]), 0.9).round(12).tolist()
    [10.0]
    """
    gamma = _check_gamma(gamma)
    if gamma >= 1.0:
        raise ValueError("policy_evaluation_exact needs gamma < 1 (I - P_pi can be singular at "
                         "gamma = 1); use policy_evaluation or success_probability instead")
    P_pi, r_pi = induced_chain(_arrays(P), policy)
    return np.linalg.solve(np.eye(len(r_pi)) - gamma * P_pi, r_pi)


def q_from_v(P, V, n_states, n_actions, gamma):
    r"""Action values from state values: :math:`Q(s,a) = R(s,a) + \gamma\sum_{s'}(T-D)(s,a,s')V(s')`.

    Parameters
    ----------
    P : gymnasium table or TabularMDP
    V : ndarray of shape (S,)
    n_states, n_actions : int
    gamma : float in [0, 1]

    Returns
    -------
    ndarray of shape (S, A)

    See Also
    --------
    dlbook.rl.mdp.action_values : the same on arrays. Chapter :ref:`ch-dp`.

    Examples
    --------
    >>> from dlbook.rl.gridworld import gridworld
    >>> P = gridworld(["S.G"], step_reward=-1.0, goal_reward=-1.0)
    >>> q_from_v(P, np.array([-2.0, -1.0, 0.0]), 3, 4, 1.0)[1].tolist()  # left, down, right, up
    [-3.0, -2.0, -1.0, -2.0]
    """
    return action_values(_arrays(P, n_states, n_actions), V, gamma)


def greedy_policy(Q, current=None, tol=1e-12):
    r"""The greedy deterministic policy :math:`\pi(s) = \arg\max_a Q(s,a)`.

    Parameters
    ----------
    Q : ndarray of shape (S, A)
    current : ndarray of int, shape (S,), optional
        Keep this action wherever it is within ``tol`` (relative) of the best, so that ties
        never make policy iteration cycle.  Without it ties go to the lowest action.
    tol : float, optional

    Returns
    -------
    ndarray of int, shape (S,)

    Examples
    --------
    >>> Q = np.array([[1.0, 2.0], [3.0, 3.0]])
    >>> greedy_policy(Q).tolist(), greedy_policy(Q, current=np.array([0, 1])).tolist()
    ([1, 0], [1, 1])
    """
    Q = np.asarray(Q, dtype=float)
    if Q.ndim != 2:
        raise ValueError(f"Q must have shape (S, A), got {Q.shape}")
    best = np.argmax(Q, axis=1)
    if current is None:
        return best
    current = np.asarray(current)
    as_policy_matrix(current, *Q.shape)  # validates shape and range
    best_q = Q[np.arange(len(Q)), best]
    keep = Q[np.arange(len(Q)), current] >= best_q - tol * np.maximum(1.0, np.abs(best_q))
    return np.where(keep, current, best)


def value_iteration(P, n_states, n_actions, gamma, theta=1e-10, max_iter=100_000, *,
                    return_history=False):
    r"""Value iteration: apply the Bellman optimality backup until it stops moving.

    Parameters
    ----------
    P : gymnasium table or TabularMDP
    n_states, n_actions : int
    gamma : float in [0, 1]
        ``gamma = 1`` works for episodic tasks in which every policy either ends with
        probability 1 or collects no reward on its endless loops (FrozenLake), or in which
        endless loops cost reward (Taxi, CliffWalking).
    theta : float, optional
        Stop when :math:`\max_s |V_{k+1}(s) - V_k(s)| < \theta`.
    max_iter : int, optional
    return_history : bool, optional
        Also return :math:`\max_s |V_{k+1}(s) - V_k(s)|` of every sweep.

    Returns
    -------
    V : ndarray of shape (S,)
        The last iterate; it satisfies :math:`V = \mathcal{T}^*V` to within ``theta``.
    policy : ndarray of int, shape (S,)
        Greedy with respect to ``V`` (ties to the lowest action).
    history : ndarray of shape (sweeps,)
        Only with ``return_history=True``.

    Raises
    ------
    ValueError
        Invalid ``gamma``, ``theta`` or table.
    RuntimeError
        If ``max_iter`` sweeps do not converge.

    Notes
    -----
    From :math:`V_0 = 0`:

    .. math::

        V_{k+1}(s) = \max_a \Big[R(s,a) + \gamma \sum_{s'}(T-D)(s,a,s')\,V_k(s')\Big].

    For :math:`\gamma<1` the backup is a :math:`\gamma`-contraction in the max norm, so
    :math:`\|V_k - V^*\|_\infty \le \gamma^k \|V^*\|_\infty` and, at the stop,
    :math:`\|V - V^*\|_\infty \le \gamma\theta/(1-\gamma)`.

    See Also
    --------
    policy_iteration : the same answer in a few exact improvement steps.
    dlbook.rl.mdp.bellman_optimality_backup : one sweep. Chapter :ref:`ch-dp`.

    Examples
    --------
    >>> from dlbook.rl.gridworld import gridworld
    >>> P = gridworld(["S.G"], step_reward=-1.0, goal_reward=-1.0)
    >>> V, policy = value_iteration(P, 3, 4, gamma=1.0)
    >>> V.tolist(), policy[:2].tolist()  # two steps to the goal; go right (action 2)
    ([-2.0, -1.0, 0.0], [2, 2])
    """
    mdp = _arrays(P, n_states, n_actions)
    gamma, max_iter = _check_gamma(gamma), _check_theta(theta, max_iter)
    C = mdp.continuing  # (S, A, S)
    V, history = np.zeros(mdp.R.shape[0]), []
    for _ in range(max_iter):
        V_new = (mdp.R + gamma * np.einsum("sat,t->sa", C, V)).max(axis=1)
        delta = float(np.max(np.abs(V_new - V)))
        history.append(delta)
        V = V_new
        if delta < theta:
            policy = greedy_policy(action_values(mdp, V, gamma))
            return (V, policy, np.array(history)) if return_history else (V, policy)
    raise RuntimeError(f"value iteration did not converge in max_iter={max_iter} sweeps "
                       f"(last change {delta:.3g})")


def policy_iteration(P, n_states, n_actions, gamma, max_iter=1_000, *, initial_policy=None,
                     return_history=False):
    r"""Policy iteration: exact evaluation, greedy improvement, until the policy is stable.

    Parameters
    ----------
    P : gymnasium table or TabularMDP
    n_states, n_actions : int
    gamma : float in [0, 1)
    max_iter : int, optional
        At most this many improvement steps (a finite MDP needs few).
    initial_policy : ndarray of int, shape (S,), optional
        Defaults to action 0 everywhere.
    return_history : bool, optional
        Also return the list of ``(V, policy)`` of every evaluated policy, the last one included.

    Returns
    -------
    V : ndarray of shape (S,)
        The exact value of ``policy``, which is optimal: :math:`V = \mathcal{T}^*V`.
    policy : ndarray of int, shape (S,)
    history : list of (ndarray, ndarray)
        Only with ``return_history=True``.

    Raises
    ------
    ValueError
        If ``gamma`` is not in [0, 1) or the initial policy is invalid.
    RuntimeError
        If the policy is still changing after ``max_iter`` steps.

    Notes
    -----
    .. math::

        V^{\pi_k} = (I - \gamma P^{\pi_k})^{-1} r^{\pi_k},\qquad
        \pi_{k+1}(s) = \arg\max_a \Big[R(s,a) + \gamma\sum_{s'}(T-D)(s,a,s')V^{\pi_k}(s')\Big].

    By the policy improvement theorem :math:`V^{\pi_{k+1}} \ge V^{\pi_k}` state by state; an
    action changes only where it is strictly better (:func:`greedy_policy` with ``current``), so
    no policy repeats and the loop ends at an optimal policy.

    See Also
    --------
    value_iteration : the same answer, sweep by sweep.
    policy_evaluation_exact : the evaluation step. Chapter :ref:`ch-dp`.

    Examples
    --------
    >>> from dlbook.rl.gridworld import gridworld
    >>> P = gridworld(["S.G"], step_reward=-1.0, goal_reward=-1.0)
    >>> V, policy = policy_iteration(P, 3, 4, gamma=0.5)
    >>> V.tolist(), policy[:2].tolist()  # -1 - 0.5 * 1 from the start
    ([-1.5, -1.0, 0.0], [2, 2])
    """
    mdp = _arrays(P, n_states, n_actions)
    gamma, max_iter = _check_gamma(gamma), _check_size("max_iter", max_iter)
    if gamma >= 1.0:
        raise ValueError("policy_iteration needs gamma < 1 (its exact evaluation solves "
                         "(I - gamma P_pi) V = r_pi); use value_iteration for gamma = 1")
    S, A = mdp.R.shape
    policy = np.zeros(S, dtype=int) if initial_policy is None else np.asarray(initial_policy)
    as_policy_matrix(policy, S, A)  # validates
    history = []
    for _ in range(max_iter):
        V = policy_evaluation_exact(mdp, policy, gamma)
        history.append((V, policy))
        new_policy = greedy_policy(action_values(mdp, V, gamma), current=policy)
        if np.array_equal(new_policy, policy):
            return (V, policy, history) if return_history else (V, policy)
        policy = new_policy
    raise RuntimeError(f"policy iteration still changed the policy after max_iter={max_iter} "
                       "improvement steps")


def success_probability(P, policy, max_steps=None):
    r"""Probability that a policy ends the episode with a positive reward, from every state.

    On FrozenLake this is the chance of reaching the goal: policy evaluation with
    :math:`\gamma = 1` and a reward of 1 for the goal only, solved exactly.

    Parameters
    ----------
    P : gymnasium table
        A success is a terminating transition with a reward > 0.
    policy : ndarray, shape (S,) of int or (S, A) of float
    max_steps : int, optional
        Count only successes within this many steps (gymnasium's time limit: 100 for
        FrozenLake-v1, 200 for FrozenLake8x8-v1).  ``None`` means no limit.

    Returns
    -------
    ndarray of shape (S,)

    Notes
    -----
    With :math:`g(s) = \sum_a \pi(a|s)\sum_k p_k[\text{terminated}_k, r_k>0]` and the continuing
    matrix :math:`P^\pi`, the success probability :math:`x` is the smallest non-negative
    solution of :math:`x = g + P^\pi x`.  States with no path to a success have
    :math:`x = 0`; on the others :math:`I - P^\pi` is invertible (every such state leaks
    probability), so one linear solve gives :math:`x`.  With a step limit :math:`H`,
    :math:`x_H = \sum_{k=0}^{H-1} (P^\pi)^k g` by :math:`H` matrix-vector products.

    See Also
    --------
    policy_evaluation : the same numbers iteratively. Chapter :ref:`ch-dp`.

    Examples
    --------
    A coin is tossed until heads (reward 1, the end); tails means toss again:

    >>> P = {0: {0: [(0.5, 1, 1.0, True), (0.5, 0, 0.0, False)]}, 1: {0: [(1.0, 1, 0.0, True)]}}
    >>> policy = np.array([0, 0])
    >>> success_probability(P, policy).tolist(), success_probability(P, policy, 2).tolist()
    ([1.0, 0.0], [0.75, 0.0])
    """
    n_states = len(P)
    mdp = _arrays(P)
    S, A = mdp.R.shape
    s, a, prob, _, reward, done = flatten_table(P, S, A)
    G = np.zeros((S, A))
    np.add.at(G, (s, a), prob * (done & (reward > 0)))  # success mass of each (s, a)
    pi = as_policy_matrix(policy, S, A)
    P_pi, _ = induced_chain(mdp, pi)
    g = np.einsum("sa,sa->s", pi, G)  # (S,)
    if max_steps is not None:
        x = np.zeros(n_states)
        for _ in range(_check_size("max_steps", max_steps)):
            x = g + P_pi @ x
        return x
    # states that reach a success: grow the set backwards through edges of P_pi
    reach = g > 0
    edges = P_pi > 0
    while True:
        grown = reach | (edges.astype(float) @ reach.astype(float) > 0)
        if np.array_equal(grown, reach):
            break
        reach = grown
    x = np.zeros(n_states)
    idx = np.flatnonzero(reach)
    x[idx] = np.linalg.solve(np.eye(len(idx)) - P_pi[np.ix_(idx, idx)], g[idx])
    return x
