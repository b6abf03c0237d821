r"""Dynamic programming for finite MDPs: policy evaluation, policy iteration, value iteration.

Every function takes the model first, gymnasium's transition table ``P[s][a] = [(prob,
next_state, reward, terminated), ...]`` or a :class:`~dlbook.rl.mdp.TabularMDP` built from one,
then what the algorithm works on (a policy, a value function), then ``gamma``, then its stopping
rule. The numbers of states and actions are read from ``P``. The dense arrays are built once and
every sweep updates all states at once with ``einsum``; there is no loop over states.

Value iteration and policy iteration return a small result type that unpacks as ``V, policy``
and also carries what happened on the way (the change of every sweep, the evaluated policies).

See Also
--------
dlbook.rl.mdp : the arrays and the Bellman backups used here.
dlbook.rl.finite_horizon : success probabilities and episodes with a step limit.
:ref:`ch-dp` : the chapter, which explains and runs these algorithms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlbook._checks import positive_int, positive_real, probability, real_array
from dlbook.rl.mdp import (
    TabularMDP,
    action_values,
    as_policy_matrix,
    induced_chain,
    transition_arrays,
)

__all__ = ["ValueIterationResult", "PolicyIterationResult", "as_arrays", "policy_evaluation",
           "policy_evaluation_exact", "q_from_v", "greedy_policy", "value_iteration",
           "policy_iteration"]


class _UnpacksAsValueAndPolicy:
    """Unpacking gives ``V, policy`` (the result of the older two-value return)."""

    def __iter__(self):
        return iter((self.V, self.policy))

    def __getitem__(self, index):
        return (self.V, self.policy)[index]

    def __len__(self):
        return 2


@dataclass(frozen=True, eq=False)
class ValueIterationResult(_UnpacksAsValueAndPolicy):
    r"""What :func:`value_iteration` found; unpacks as ``V, policy``.

    ``V`` (S,) is the last iterate, ``policy`` (S,) its greedy policy, ``deltas`` (sweeps,)
    the change :math:`\max_s |V_{k+1}(s) - V_k(s)|` of every sweep.

    Examples
    --------
    >>> V, policy = ValueIterationResult(np.zeros(2), np.array([1, 0]), np.array([0.5, 0.0]))
    >>> policy.tolist()
    [1, 0]
    """

    V: np.ndarray
    policy: np.ndarray
    deltas: np.ndarray


@dataclass(frozen=True, eq=False)
class PolicyIterationResult(_UnpacksAsValueAndPolicy):
    """What :func:`policy_iteration` found; unpacks as ``V, policy``.

    ``V`` (S,) is the exact value of ``policy`` (S,); ``values`` and ``policies``, both (K, S),
    hold the value and the policy of every evaluated step, the last one included.

    Examples
    --------
    >>> r = PolicyIterationResult(np.ones(2), np.zeros(2, int), np.ones((1, 2)), np.zeros((1, 2)))
    >>> V, policy = r
    >>> V.tolist(), r.values.shape
    ([1.0, 1.0], (1, 2))
    """

    V: np.ndarray
    policy: np.ndarray
    values: np.ndarray
    policies: np.ndarray


def as_arrays(P, n_states=None, n_actions=None) -> TabularMDP:
    """The dense arrays of ``P`` (built once), with the sizes read from ``P``.

    ``P`` is gymnasium's table or a :class:`~dlbook.rl.mdp.TabularMDP` (returned as it is);
    ``n_states`` and ``n_actions``, if given, must agree with it (else ``ValueError``).

    Examples
    --------
    >>> as_arrays({0: {0: [(1.0, 0, 1.0, True)], 1: [(1.0, 0, 0.0, True)]}}).R.shape
    (1, 2)
    """
    if isinstance(P, TabularMDP):
        S, A = P.R.shape
    else:
        try:
            S, A = len(P), len(P[0])
        except (KeyError, IndexError, TypeError):
            raise ValueError("P must be gymnasium's table P[s][a] with a state 0") from None
    if (n_states is not None and n_states != S) or (n_actions is not None and n_actions != A):
        raise ValueError(f"P holds {S} states and {A} actions, but n_states={n_states} and "
                         f"n_actions={n_actions} were given")
    return P if isinstance(P, TabularMDP) else transition_arrays(P, S, A)


def _gamma_given(gamma, name):
    if gamma is None:
        raise TypeError(f"{name}() missing required argument: 'gamma'")
    return probability(gamma, "gamma")


def policy_evaluation(P, policy, gamma, theta=1e-10, max_iter=100_000):
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

    Returns
    -------
    V : ndarray of shape (S,)

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

    When :math:`\gamma < 1` the error after stopping is at most :math:`\gamma\theta/(1-\gamma)`.

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
    mdp = as_arrays(P)
    gamma, theta = probability(gamma, "gamma"), positive_real(theta, "theta")
    max_iter = positive_int(max_iter, "max_iter")
    P_pi, r_pi = induced_chain(mdp, policy)  # (S, S), (S,)
    V = np.zeros(len(r_pi))
    for _ in range(max_iter):
        V_new = r_pi + gamma * P_pi @ V
        delta = float(np.max(np.abs(V_new - V)))
        V = V_new
        if delta < theta:
            return V
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
        :func:`policy_evaluation` or :func:`dlbook.rl.finite_horizon.success_probability`), or
        the policy is invalid.

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
    gamma = probability(gamma, "gamma")
    if gamma >= 1.0:
        raise ValueError("policy_evaluation_exact needs gamma < 1 (I - P_pi can be singular at "
                         "gamma = 1); use policy_evaluation or success_probability instead")
    P_pi, r_pi = induced_chain(as_arrays(P), policy)
    return np.linalg.solve(np.eye(len(r_pi)) - gamma * P_pi, r_pi)


def q_from_v(P, V, gamma):
    r"""Action values from state values, :math:`R(s,a) + \gamma\sum_{s'}(T-D)(s,a,s')V(s')`.

    Parameters
    ----------
    P : gymnasium table or TabularMDP
    V : ndarray of shape (S,)
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
    >>> q_from_v(P, np.array([-2.0, -1.0, 0.0]), 1.0)[1].tolist()  # left, down, right, up
    [-3.0, -2.0, -1.0, -2.0]
    """
    return action_values(as_arrays(P), V, gamma)


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
    Q = real_array(Q, "Q", ndim=2)
    best = np.argmax(Q, axis=1)
    if current is None:
        return best
    current = np.asarray(current)
    as_policy_matrix(current, *Q.shape)  # validates shape and range
    best_q = Q[np.arange(len(Q)), best]
    keep = Q[np.arange(len(Q)), current] >= best_q - tol * np.maximum(1.0, np.abs(best_q))
    return np.where(keep, current, best)


def value_iteration(P, n_states=None, n_actions=None, gamma=None, theta=1e-10,
                    max_iter=100_000) -> ValueIterationResult:
    r"""Value iteration: apply the Bellman optimality backup until it stops moving.

    Parameters
    ----------
    P : gymnasium table or TabularMDP
    n_states, n_actions : int, optional
        Read from ``P``; if given they must agree with it (so that calls written
        ``value_iteration(P, n_states, n_actions, gamma)`` keep working).
    gamma : float in [0, 1], required
        ``gamma = 1`` works for episodic tasks in which every policy either ends with
        probability 1 or collects no reward on its endless loops (FrozenLake), or in which
        endless loops cost reward (Taxi, CliffWalking).
    theta : float, optional
        Stop when :math:`\max_s |V_{k+1}(s) - V_k(s)| < \theta`.
    max_iter : int, optional

    Returns
    -------
    ValueIterationResult
        Unpacks as ``V, policy``: the last iterate, which satisfies :math:`V = \mathcal{T}^*V`
        to within ``theta``, and its greedy policy (ties to the lowest action); ``.deltas``
        holds the change of every sweep.

    Raises
    ------
    ValueError
        Invalid ``gamma``, ``theta`` or table.
    TypeError
        If ``gamma`` is missing.
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
    >>> V, policy = value_iteration(P, gamma=1.0)
    >>> V.tolist(), policy[:2].tolist()  # two steps to the goal; go right (action 2)
    ([-2.0, -1.0, 0.0], [2, 2])
    """
    mdp = as_arrays(P, n_states, n_actions)
    gamma = _gamma_given(gamma, "value_iteration")
    theta, max_iter = positive_real(theta, "theta"), positive_int(max_iter, "max_iter")
    C = mdp.continuing  # (S, A, S)
    V, deltas = np.zeros(mdp.R.shape[0]), []
    for _ in range(max_iter):
        V_new = (mdp.R + gamma * np.einsum("sat,t->sa", C, V)).max(axis=1)
        deltas.append(float(np.max(np.abs(V_new - V))))
        V = V_new
        if deltas[-1] < theta:
            policy = greedy_policy(action_values(mdp, V, gamma))
            return ValueIterationResult(V, policy, np.array(deltas))
    raise RuntimeError(f"value iteration did not converge in max_iter={max_iter} sweeps "
                       f"(last change {deltas[-1]:.3g})")


def policy_iteration(P, n_states=None, n_actions=None, gamma=None, max_iter=1_000, *,
                     initial_policy=None) -> PolicyIterationResult:
    r"""Policy iteration: exact evaluation, greedy improvement, until the policy is stable.

    Parameters
    ----------
    P : gymnasium table or TabularMDP
    n_states, n_actions : int, optional
        Read from ``P``; if given they must agree with it.
    gamma : float in [0, 1), required
    max_iter : int, optional
        At most this many improvement steps (a finite MDP needs few).
    initial_policy : ndarray of int, shape (S,), optional
        Defaults to action 0 everywhere.

    Returns
    -------
    PolicyIterationResult
        Unpacks as ``V, policy``: an optimal policy and its exact value
        (:math:`V = \mathcal{T}^*V`); ``.values`` and ``.policies`` hold every evaluated step.

    Raises
    ------
    ValueError
        If ``gamma`` is not in [0, 1) or the initial policy is invalid.
    TypeError
        If ``gamma`` is missing.
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
    >>> V, policy = policy_iteration(P, gamma=0.5)
    >>> V.tolist(), policy[:2].tolist()  # -1 - 0.5 * 1 from the start
    ([-1.5, -1.0, 0.0], [2, 2])
    """
    mdp = as_arrays(P, n_states, n_actions)
    gamma = _gamma_given(gamma, "policy_iteration")
    max_iter = positive_int(max_iter, "max_iter")
    if gamma >= 1.0:
        raise ValueError("policy_iteration needs gamma < 1 (its exact evaluation solves "
                         "(I - gamma P_pi) V = r_pi); use value_iteration for gamma = 1")
    S, A = mdp.R.shape
    policy = np.zeros(S, dtype=int) if initial_policy is None else np.asarray(initial_policy)
    as_policy_matrix(policy, S, A)  # validates
    values, policies = [], []
    for _ in range(max_iter):
        V = policy_evaluation_exact(mdp, policy, gamma)
        values.append(V)
        policies.append(policy)
        new_policy = greedy_policy(action_values(mdp, V, gamma), current=policy)
        if np.array_equal(new_policy, policy):
            return PolicyIterationResult(V, policy, np.array(values), np.array(policies))
        policy = new_policy
    raise RuntimeError(f"policy iteration still changed the policy after max_iter={max_iter} "
                       "improvement steps")
