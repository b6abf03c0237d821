r"""Episodes with a goal and a step limit: success probabilities and backward induction.

On FrozenLake the only reward is 1 for reaching the goal, so a policy's undiscounted value is its
probability of success, and gymnasium ends every episode after a fixed number of steps. This
module answers the two questions that raises, exactly:

* :func:`success_probability`: how often does a given policy reach the goal, with or without the
  step limit?
* :func:`backward_induction`: what is the best any policy can do with :math:`H` steps left? With
  a deadline the best action depends on the steps left, so the answer is a policy per step, found
  by the principle of optimality from the last step backwards.

See Also
--------
dlbook.rl.dp : policy evaluation and value iteration without a step limit.
:ref:`ch-dp` : the chapter that checks played episodes against these numbers.
:ref:`ch-optimality` : the chapter on the principle of optimality and backward induction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlbook._checks import check_shape, positive_int, probability, real_array
from dlbook.rl.dp import as_arrays
from dlbook.rl.mdp import as_policy_matrix, flatten_table, induced_chain

__all__ = ["FiniteHorizonResult", "success_rewards", "success_probability",
           "backward_induction"]


@dataclass(frozen=True, eq=False)
class FiniteHorizonResult:
    """What :func:`backward_induction` found.

    Attributes
    ----------
    values : ndarray of shape (H + 1, S)
        ``values[h, s]``: the best expected return from ``s`` with ``h`` steps left
        (``values[0] = 0``).
    policy : ndarray of int, shape (H + 1, S)
        ``policy[h, s]``: the best action with ``h`` steps left (``policy[0]`` is unused, 0).

    Examples
    --------
    >>> r = FiniteHorizonResult(np.zeros((2, 1)), np.zeros((2, 1), int))
    >>> r.values.shape
    (2, 1)
    """

    values: np.ndarray
    policy: np.ndarray


def success_rewards(P) -> np.ndarray:
    r"""Probability that taking ``a`` in ``s`` ends the episode at once with a positive reward.

    Parameters
    ----------
    P : gymnasium table

    Returns
    -------
    g : ndarray of shape (S, A)
        :math:`g(s,a) = \sum_k p_k\,[\text{terminated}_k \text{ and } r_k > 0]`: a reward of 1
        for reaching the goal and 0 for everything else, in expectation.

    Examples
    --------
    >>> P = {0: {0: [(0.5, 1, 1.0, True), (0.5, 0, 0.0, False)]}, 1: {0: [(1.0, 1, 0.0, True)]}}
    >>> success_rewards(P).tolist()
    [[0.5], [0.0]]
    """
    S, A = as_arrays(P).R.shape
    s, a, prob, _, reward, done = flatten_table(P, S, A)
    g = np.zeros((S, A))
    np.add.at(g, (s, a), prob * (done & (reward > 0)))
    return g


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
    With :math:`g(s) = \sum_a \pi(a|s)\,g(s,a)` (:func:`success_rewards`) and the continuing
    matrix :math:`P^\pi`, the success probability :math:`x` is the smallest non-negative
    solution of :math:`x = g + P^\pi x`.  States with no path to a success have :math:`x = 0`;
    on the others :math:`I - P^\pi` is invertible (every such state leaks probability), so one
    linear solve gives :math:`x`.  With a step limit :math:`H`,
    :math:`x_H = \sum_{k=0}^{H-1} (P^\pi)^k g` by :math:`H` matrix-vector products.

    See Also
    --------
    dlbook.rl.dp.policy_evaluation : the same numbers iteratively. Chapter :ref:`ch-dp`.

    Examples
    --------
    A coin is tossed until heads (reward 1, the end); tails means toss again:

    >>> P = {0: {0: [(0.5, 1, 1.0, True), (0.5, 0, 0.0, False)]}, 1: {0: [(1.0, 1, 0.0, True)]}}
    >>> policy = np.array([0, 0])
    >>> success_probability(P, policy).tolist(), success_probability(P, policy, 2).tolist()
    ([1.0, 0.0], [0.75, 0.0])
    """
    mdp = as_arrays(P)
    S, A = mdp.R.shape
    pi = as_policy_matrix(policy, S, A)  # (S, A)
    P_pi, _ = induced_chain(mdp, pi)  # (S, S)
    g = np.einsum("sa,sa->s", pi, success_rewards(P))  # (S,)
    if max_steps is not None:
        x = np.zeros(S)
        for _ in range(positive_int(max_steps, "max_steps")):
            x = g + P_pi @ x
        return x
    # states that reach a success: grow the set backwards through edges of P_pi
    reach, edges = g > 0, (P_pi > 0).astype(float)
    while True:
        grown = reach | (edges @ reach.astype(float) > 0)
        if np.array_equal(grown, reach):
            break
        reach = grown
    x = np.zeros(S)
    idx = np.flatnonzero(reach)
    x[idx] = np.linalg.solve(np.eye(len(idx)) - P_pi[np.ix_(idx, idx)], g[idx])
    return x


def backward_induction(P, rewards, horizon, gamma=1.0) -> FiniteHorizonResult:
    r"""The best expected return with :math:`h = 1, \dots, H` steps left, and how to get it.

    Parameters
    ----------
    P : gymnasium table or TabularMDP
    rewards : array_like of shape (S, A)
        The expected reward of each action, e.g. :func:`success_rewards` to maximize the
        probability of reaching the goal.
    horizon : int
        :math:`H`, the number of steps.
    gamma : float in [0, 1], default 1

    Returns
    -------
    FiniteHorizonResult
        ``values[h]`` and ``policy[h]`` for every number of steps left ``h = 0 .. H``.

    Notes
    -----
    The principle of optimality, one step at a time from the deadline backwards:

    .. math::

        x_0 = 0,\qquad
        x_h(s) = \max_a \Big[ r(s,a) + \gamma \sum_{s'} (T-D)(s,a,s')\, x_{h-1}(s') \Big].

    The maximizing action depends on :math:`h`: the optimal policy for a deadline is not
    stationary.

    See Also
    --------
    dlbook.rl.dp.value_iteration : the same backup, iterated to its fixed point.
    :ref:`ch-optimality` : the chapter.

    Examples
    --------
    The coin of :func:`success_probability`, with one and with two tosses left:

    >>> P = {0: {0: [(0.5, 1, 1.0, True), (0.5, 0, 0.0, False)]}, 1: {0: [(1.0, 1, 0.0, True)]}}
    >>> backward_induction(P, success_rewards(P), horizon=2).values[:, 0].tolist()
    [0.0, 0.5, 0.75]
    """
    mdp = as_arrays(P)
    S, A = mdp.R.shape
    rewards = real_array(rewards, "rewards", finite=True)
    check_shape(rewards, "rewards", (S, A), "(S, A)")
    horizon, gamma = positive_int(horizon, "horizon"), probability(gamma, "gamma")
    values, policy = np.zeros((horizon + 1, S)), np.zeros((horizon + 1, S), dtype=int)
    for h in range(1, horizon + 1):
        q = rewards + gamma * np.einsum("sat,t->sa", mdp.continuing, values[h - 1])  # (S, A)
        policy[h], values[h] = q.argmax(axis=1), q.max(axis=1)
    return FiniteHorizonResult(values, policy)
