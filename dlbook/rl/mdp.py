r"""Finite Markov decision processes as arrays: gymnasium's table, policies, Bellman backups.

gymnasium's toy-text environments expose their model as a table
``P[s][a] = [(prob, next_state, reward, terminated), ...]``.  This module turns such a table into
three dense arrays once, and every Bellman backup afterwards is a single ``einsum``:

* ``T[s, a, s']`` probability of moving to ``s'``,
* ``R[s, a]``  expected immediate reward,
* ``D[s, a, s']`` the part of ``T`` whose transitions end the episode.

A terminating transition contributes its reward and no future value, so the backups use the
*continuing* part ``T - D``.

See Also
--------
dlbook.rl.gridworld : builds such tables from a map of characters.
dlbook.rl.dp : policy evaluation, policy iteration and value iteration on these arrays.
:ref:`ch-mdp` : the chapter that introduces MDPs.
:ref:`ch-dp` : the chapter that solves them (Part 6).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import NamedTuple

import numpy as np

from dlbook._checks import check_shape, positive_int, probability, real_array

__all__ = [
    "TabularMDP", "flatten_table", "transition_arrays", "as_policy_matrix", "induced_chain",
    "action_values", "bellman_expectation_backup", "bellman_optimality_backup",
    "discounted_return",
]


class _Arrays(NamedTuple):
    T: np.ndarray  # (S, A, S) transition probabilities
    R: np.ndarray  # (S, A) expected immediate reward
    D: np.ndarray  # (S, A, S) probability mass of transitions that terminate


class TabularMDP(_Arrays):
    """Dense arrays of a finite MDP (see the module docstring); unpacks as ``T, R, D``.

    Examples
    --------
    >>> mdp = transition_arrays({0: {0: [(1.0, 0, 1.0, True)]}}, 1, 1)
    >>> T, R, D = mdp
    >>> T.tolist(), R.tolist(), mdp.continuing.tolist()  # the only transition ends the episode
    ([[[1.0]]], [[1.0]], [[[0.0]]])
    """

    @cached_property
    def continuing(self) -> np.ndarray:
        """``T - D``: the probability of moving to ``s'`` with the episode going on, (S, A, S).

        Computed once and kept (the arrays are not meant to be changed in place)."""
        return self.T - self.D


def flatten_table(P, n_states, n_actions):
    r"""Validate gymnasium's transition table and list its entries as flat arrays.

    Parameters
    ----------
    P : mapping or sequence
        ``P[s][a]`` lists ``(prob, next_state, reward, terminated)`` for every state
        ``0 <= s < n_states`` and action ``0 <= a < n_actions`` (gymnasium's ``env.unwrapped.P``).
    n_states, n_actions : int

    Returns
    -------
    s, a, prob, next_state, reward, terminated : ndarrays of shape (K,)
        One entry per listed outcome (int, int, float, int, float, bool).

    Raises
    ------
    ValueError
        If a state or action is missing, a probability is negative, the probabilities of a pair
        ``(s, a)`` do not sum to 1, or a next state is out of range.

    See Also
    --------
    transition_arrays : the dense arrays built from these. Chapter :ref:`ch-mdp`.

    Examples
    --------
    >>> P = {0: {0: [(0.5, 0, 0.0, False), (0.5, 1, 1.0, True)]}, 1: {0: [(1.0, 1, 0.0, True)]}}
    >>> s, a, prob, nxt, r, done = flatten_table(P, 2, 1)
    >>> s.tolist(), nxt.tolist(), r.tolist(), done.tolist()
    ([0, 0, 1], [0, 1, 1], [0.0, 1.0, 0.0], [False, True, True])
    """
    n_states, n_actions = positive_int(n_states, "n_states"), positive_int(n_actions, "n_actions")
    if not isinstance(P, (Mapping, Sequence)) or len(P) != n_states:
        got = len(P) if isinstance(P, (Mapping, Sequence)) else type(P).__name__
        raise ValueError(f"P must hold n_states={n_states} states, got {got}")
    try:
        rows = [(s, a, *entry) for s in range(n_states) for a in range(n_actions)
                for entry in P[s][a]]
    except (KeyError, IndexError):
        raise ValueError(f"P must list every state below n_states={n_states} and every action "
                         f"below n_actions={n_actions}") from None
    except TypeError:
        raise ValueError("P[s][a] must be a list of (prob, next_state, reward, terminated)"
                         ) from None
    sizes = {len(P[s]) for s in range(n_states)}
    if sizes != {n_actions}:
        raise ValueError(f"every P[s] must hold n_actions={n_actions} actions, found "
                         f"{sorted(sizes)}")
    if any(len(row) != 6 for row in rows):
        raise ValueError("P[s][a] entries must be (prob, next_state, reward, terminated)")
    empty = [(s, a) for s in range(n_states) for a in range(n_actions) if len(P[s][a]) == 0]
    if empty:
        raise ValueError(f"P[{empty[0][0]}][{empty[0][1]}] lists no outcome")
    s, a, prob, nxt, reward, done = (np.array(col) for col in zip(*rows))
    prob, reward = prob.astype(float), reward.astype(float)
    if np.any(prob < 0):
        k = int(np.argmax(prob < 0))
        raise ValueError(f"negative probability {prob[k]} in P[{s[k]}][{a[k]}]")
    if not np.issubdtype(nxt.dtype, np.integer) or nxt.min() < 0 or nxt.max() >= n_states:
        raise ValueError(f"next states must be integers in [0, {n_states}), got range "
                         f"[{nxt.min()}, {nxt.max()}]")
    totals = np.zeros((n_states, n_actions))
    np.add.at(totals, (s, a), prob)
    bad = np.abs(totals - 1.0) > 1e-9
    if bad.any():
        bs, ba = np.argwhere(bad)[0]
        raise ValueError(f"probabilities of P[{bs}][{ba}] sum to {totals[bs, ba]}, not 1")
    return s.astype(int), a.astype(int), prob, nxt.astype(int), reward, done.astype(bool)


def transition_arrays(P, n_states, n_actions):
    r"""Dense arrays ``(T, R, D)`` of gymnasium's transition table, built once.

    Parameters
    ----------
    P : mapping or sequence
        gymnasium's table ``P[s][a] = [(prob, next_state, reward, terminated), ...]``.
    n_states, n_actions : int

    Returns
    -------
    TabularMDP
        A named tuple ``(T, R, D)``: ``T`` and ``D`` of shape (S, A, S), ``R`` of shape (S, A).

    Notes
    -----
    Entries with the same ``(s, a, s')`` add up (FrozenLake lists a corner twice):

    .. math::

        T_{sas'} = \sum_{k:\,s_k=s,\,a_k=a,\,s'_k=s'} p_k,\qquad
        R_{sa} = \sum_{k:\,s_k=s,\,a_k=a} p_k r_k,\qquad
        D_{sas'} = \sum_{k:\,s_k=s,\,a_k=a,\,s'_k=s'} p_k\,[\text{terminated}_k].

    Raises
    ------
    ValueError
        As :func:`flatten_table`.

    See Also
    --------
    dlbook.rl.dp.value_iteration : uses these arrays. Chapter :ref:`ch-mdp`.

    Examples
    --------
    >>> P = {0: {0: [(0.5, 0, 0.0, False), (0.5, 1, 1.0, True)]}, 1: {0: [(1.0, 1, 0.0, True)]}}
    >>> T, R, D = transition_arrays(P, 2, 1)
    >>> T[0, 0].tolist(), R[:, 0].tolist(), D[0, 0].tolist()
    ([0.5, 0.5], [0.5, 0.0], [0.0, 0.5])
    """
    s, a, prob, nxt, reward, done = flatten_table(P, n_states, n_actions)
    T = np.zeros((n_states, n_actions, n_states))
    D = np.zeros((n_states, n_actions, n_states))
    R = np.zeros((n_states, n_actions))
    np.add.at(T, (s, a, nxt), prob)
    np.add.at(D, (s, a, nxt), prob * done)
    np.add.at(R, (s, a), prob * reward)
    return TabularMDP(T, R, D)


def as_policy_matrix(policy, n_states, n_actions):
    r"""Return a policy as an (S, A) matrix of action probabilities, validating it.

    Parameters
    ----------
    policy : ndarray of int, shape (S,), or ndarray of float, shape (S, A)
        A deterministic policy (one action per state) or a stochastic one (rows sum to 1).
    n_states, n_actions : int

    Returns
    -------
    ndarray of shape (S, A)
        ``pi[s, a]`` = probability of action ``a`` in state ``s`` (one-hot rows if deterministic).

    Raises
    ------
    ValueError
        Wrong shape, an action out of range, negative probabilities or rows not summing to 1.
    TypeError
        A 1-D policy that is not of integer type.

    Examples
    --------
    >>> as_policy_matrix(np.array([1, 0]), 2, 2).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    policy = np.asarray(policy)
    if policy.ndim == 1:
        if policy.shape != (n_states,):
            raise ValueError(f"a deterministic policy must have shape ({n_states},), "
                             f"got {policy.shape}")
        if not np.issubdtype(policy.dtype, np.integer):
            raise TypeError(f"a deterministic policy must hold integer actions, got dtype "
                            f"{policy.dtype}")
        if policy.min() < 0 or policy.max() >= n_actions:
            raise ValueError(f"policy actions must lie in [0, {n_actions}), got range "
                             f"[{policy.min()}, {policy.max()}]")
        return np.eye(n_actions)[policy]
    if policy.shape != (n_states, n_actions):
        raise ValueError(f"a stochastic policy must have shape ({n_states}, {n_actions}), "
                         f"got {policy.shape}")
    policy = policy.astype(float)
    if np.any(policy < 0) or np.any(np.abs(policy.sum(axis=1) - 1.0) > 1e-8):
        raise ValueError("a stochastic policy needs non-negative rows that sum to 1")
    return policy


def induced_chain(mdp, policy):
    r"""The Markov reward process a policy induces: ``(P_pi, r_pi)``.

    Parameters
    ----------
    mdp : TabularMDP
    policy : ndarray, shape (S,) of int or (S, A) of float

    Returns
    -------
    P_pi : ndarray of shape (S, S)
        Continuing transition matrix, :math:`P^\pi_{ss'} = \sum_a \pi(a|s)(T-D)_{sas'}`.
    r_pi : ndarray of shape (S,)
        Expected reward, :math:`r^\pi_s = \sum_a \pi(a|s) R_{sa}`.

    Notes
    -----
    The Bellman expectation equation is then the linear system
    :math:`V = r^\pi + \gamma P^\pi V`.

    Examples
    --------
    >>> from dlbook.rl.gridworld import gridworld
    >>> mdp = transition_arrays(gridworld(["S.G"], step_reward=-1.0, goal_reward=-1.0), 3, 4)
    >>> P_pi, r_pi = induced_chain(mdp, np.array([2, 2, 2]))  # always right
    >>> P_pi.tolist(), r_pi.tolist()
    ([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [-1.0, -1.0, 0.0])
    """
    S, A = mdp.R.shape
    pi = as_policy_matrix(policy, S, A)  # (S, A), validates
    if np.ndim(policy) == 1:  # deterministic: pick one row per state, no (S, A, S) product
        rows = np.arange(S)
        return mdp.continuing[rows, policy], mdp.R[rows, policy]
    return np.einsum("sa,sat->st", pi, mdp.continuing), np.einsum("sa,sa->s", pi, mdp.R)


def action_values(mdp, V, gamma):
    r"""One-step look-ahead: :math:`Q(s,a) = R_{sa} + \gamma \sum_{s'} (T-D)_{sas'} V(s')`.

    Parameters
    ----------
    mdp : TabularMDP
    V : ndarray of shape (S,)
    gamma : float in [0, 1]

    Returns
    -------
    ndarray of shape (S, A)

    Examples
    --------
    >>> from dlbook.rl.gridworld import gridworld
    >>> mdp = transition_arrays(gridworld(["S.G"], step_reward=-1.0, goal_reward=-1.0), 3, 4)
    >>> action_values(mdp, np.array([-2.0, -1.0, 0.0]), 1.0)[0].tolist()  # left, down, right, up
    [-3.0, -3.0, -2.0, -3.0]
    """
    V = real_array(V, "V")
    check_shape(V, "V", (mdp.R.shape[0],), "(S,)")
    return mdp.R + probability(gamma, "gamma") * np.einsum("sat,t->sa", mdp.continuing, V)


def bellman_expectation_backup(mdp, V, policy, gamma):
    r"""Apply the Bellman expectation operator once: :math:`(\mathcal{T}^\pi V)(s)`.

    Parameters
    ----------
    mdp : TabularMDP
    V : ndarray of shape (S,)
    policy : ndarray, shape (S,) of int or (S, A) of float
    gamma : float in [0, 1]

    Returns
    -------
    ndarray of shape (S,)

    Notes
    -----
    .. math::

        (\mathcal{T}^\pi V)(s) = \sum_a \pi(a|s)\Big[R_{sa} + \gamma\sum_{s'}(T-D)_{sas'}V(s')\Big]

    :math:`V^\pi` is its unique fixed point when :math:`\gamma < 1`.

    See Also
    --------
    dlbook.rl.dp.policy_evaluation : iterates it. Chapter :ref:`ch-mdp`.

    Examples
    --------
    >>> from dlbook.rl.gridworld import gridworld
    >>> mdp = transition_arrays(gridworld(["S.G"], step_reward=-1.0, goal_reward=-1.0), 3, 4)
    >>> random = np.full((3, 4), 0.25)  # each action with probability 1/4; V is its fixed point
    >>> bellman_expectation_backup(mdp, np.array([-12.0, -8.0, 0.0]), random, 1.0).tolist()
    [-12.0, -8.0, 0.0]
    """
    Q = action_values(mdp, V, gamma)  # (S, A)
    return np.einsum("sa,sa->s", as_policy_matrix(policy, *Q.shape), Q)


def bellman_optimality_backup(mdp, V, gamma):
    r"""Apply the Bellman optimality operator once: :math:`(\mathcal{T}^* V)(s) = \max_a Q(s,a)`.

    Parameters
    ----------
    mdp : TabularMDP
    V : ndarray of shape (S,)
    gamma : float in [0, 1]

    Returns
    -------
    ndarray of shape (S,)

    Notes
    -----
    .. math::

        (\mathcal{T}^* V)(s) = \max_a \Big[R_{sa} + \gamma\sum_{s'}(T-D)_{sas'}V(s')\Big]

    :math:`V^*` is its unique fixed point when :math:`\gamma < 1`.

    See Also
    --------
    dlbook.rl.dp.value_iteration : iterates it. Chapter :ref:`ch-mdp`.

    Examples
    --------
    >>> from dlbook.rl.gridworld import gridworld
    >>> mdp = transition_arrays(gridworld(["S.G"], step_reward=-1.0, goal_reward=-1.0), 3, 4)
    >>> bellman_optimality_backup(mdp, np.zeros(3), 1.0).tolist()
    [-1.0, -1.0, 0.0]
    >>> bellman_optimality_backup(mdp, np.array([-2.0, -1.0, 0.0]), 1.0).tolist()  # V* is fixed
    [-2.0, -1.0, 0.0]
    """
    return action_values(mdp, V, gamma).max(axis=1)


def discounted_return(rewards, gamma):
    r"""The discounted return :math:`G_0 = \sum_{k=0}^{T-1} \gamma^k r_{k+1}` of reward sequences.

    Parameters
    ----------
    rewards : array_like of shape (T,) or (N, T)
        Rewards :math:`r_1, \dots, r_T` of one episode, or of N episodes padded with zeros.
    gamma : float in [0, 1]

    Returns
    -------
    float or ndarray of shape (N,)

    Examples
    --------
    >>> discounted_return([1.0, 0.0, 2.0], 0.5)  # 1 + 0.5 * 0 + 0.25 * 2
    1.5
    """
    rewards = np.asarray(rewards, dtype=float)
    if rewards.ndim not in (1, 2):
        raise ValueError(f"rewards must have shape (T,) or (N, T), got {rewards.shape}")
    weights = probability(gamma, "gamma") ** np.arange(rewards.shape[-1])  # (T,) 1, gamma, ...
    out = rewards @ weights
    return float(out) if rewards.ndim == 1 else out
