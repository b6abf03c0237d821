r"""Small MDPs of the textbooks, written as tables: the random walk and the maximization-bias trap.

Both are :class:`~dlbook.rl.tabular.TabularEnv` environments, so dynamic programming can compute
their exact values from the same table the learners sample from.

See Also
--------
dlbook.rl.gridworld : grid worlds from a map of characters.
:ref:`ch-td` : the chapter that uses both.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import int_value, real_value
from dlbook.rl.tabular import TabularEnv

__all__ = ["random_walk_env", "maximization_bias_env"]


def random_walk_env(n: int = 5, left_reward: float = 0.0) -> TabularEnv:
    r"""The random walk of Sutton & Barto (Examples 6.2 and 7.1) as an environment with one action.

    States ``1..n`` are the walk (A, B, C, ... for n = 5), ``0`` and ``n + 1`` are terminal.
    Every step moves left or right with probability 1/2; leaving on the right pays 1, leaving on
    the left pays ``left_reward``, every other step 0. Episodes start in the middle state
    ``(n + 1) // 2``.

    Parameters
    ----------
    n : int, odd, at least 3
    left_reward : float, default 0
        Sutton & Barto use 0 for the five-state walk and -1 for the 19-state walk of chapter 7.

    Returns
    -------
    TabularEnv
        ``n + 2`` states, 1 action.

    Raises
    ------
    ValueError
        If ``n`` is not an odd integer >= 3.

    Notes
    -----
    With :math:`\gamma = 1` the value of state :math:`i` is the chance of leaving on the right
    times 1 plus the chance of leaving on the left times ``left_reward``:
    :math:`v(i) = \frac{i}{n+1} + \bigl(1 - \frac{i}{n+1}\bigr)\,r_{\text{left}}`.

    See Also
    --------
    dlbook.rl.td_prediction.td0_prediction, dlbook.rl.td_prediction.n_step_td_prediction
    :ref:`ch-td` : the chapter.

    Examples
    --------
    >>> env = random_walk_env(5)
    >>> env.P[5][0]              # from E: to D, or to the right end with reward 1
    [(0.5, 4, 0.0, False), (0.5, 6, 1.0, True)]
    >>> random_walk_env(19, left_reward=-1.0).P[1][0][0]    # the left end pays -1
    (0.5, 0, -1.0, True)
    """
    n = int_value(n, "n", low=3)
    if n % 2 == 0:
        raise ValueError(f"n must be an odd integer >= 3, got {n}")
    left_reward = real_value(left_reward, "left_reward")
    P = {s: {0: [(1.0, s, 0.0, True)]} for s in (0, n + 1)}        # terminal: never acted in
    for s in range(1, n + 1):
        left = (0.5, s - 1, left_reward if s == 1 else 0.0, s == 1)
        right = (0.5, s + 1, 1.0 if s == n else 0.0, s == n)
        P[s] = {0: [left, right]}
    start = np.zeros(n + 2)
    start[(n + 1) // 2] = 1.0
    return TabularEnv(P, start)


def maximization_bias_env(n_actions: int = 10, mean: float = -0.1) -> TabularEnv:
    r"""Sutton & Barto's maximization-bias example (Example 6.7) as a table.

    The episode starts in A (state 0). Action 0 goes *left*, to B (state 1), with reward 0;
    every other action goes *right* and ends the episode with reward 0. Every action in B ends
    the episode with a random reward of mean ``mean`` (below 0) and standard deviation 1:
    :math:`\text{mean} \pm 1` with probability 1/2 each. State 2 is terminal.

    Going left is worth ``mean < 0``, going right 0, so right is optimal; but the best of many
    noisy estimates of B's actions looks good early on, and Q-learning is drawn to the left.

    Parameters
    ----------
    n_actions : int, at least 2
        gymnasium gives every state the same actions: B has ``n_actions`` equally bad actions,
        and in A all but action 0 lead right (one estimate for left, as in the book, so the only
        maximum that misleads is the one over B's actions).
    mean : float
        The expected reward in B.

    Returns
    -------
    TabularEnv
        3 states, ``n_actions`` actions.

    Raises
    ------
    ValueError
        If ``n_actions`` is below 2.

    Notes
    -----
    The book draws B's rewards from :math:`\mathcal{N}(-0.1, 1)`; the two-point rewards here
    have the same mean and variance and keep the table finite, so DP can solve it exactly.

    References
    ----------
    R. S. Sutton and A. G. Barto, *Reinforcement Learning: An Introduction*, 2nd ed., 2018,
    sec. 6.7. H. van Hasselt, "Double Q-learning", NeurIPS 2010.

    See Also
    --------
    dlbook.rl.td.double_q_learning
    :ref:`ch-td` : the chapter.

    Examples
    --------
    >>> env = maximization_bias_env(4)
    >>> env.P[0][0], env.P[0][3]          # action 0 goes left to B, the others right to the end
    ([(1.0, 1, 0.0, False)], [(1.0, 2, 0.0, True)])
    >>> env.P[1][2]                       # every action in B: -0.1 +/- 1
    [(0.5, 2, -1.1, True), (0.5, 2, 0.9, True)]
    """
    n_actions = int_value(n_actions, "n_actions", low=2)
    mean = real_value(mean, "mean")
    left, right = [(1.0, 1, 0.0, False)], [(1.0, 2, 0.0, True)]
    noisy = [(0.5, 2, round(mean - 1.0, 12), True), (0.5, 2, round(mean + 1.0, 12), True)]
    P = {0: {a: left if a == 0 else right for a in range(n_actions)},
         1: {a: noisy for a in range(n_actions)},
         2: {a: [(1.0, 2, 0.0, True)] for a in range(n_actions)}}
    return TabularEnv(P, [1.0, 0.0, 0.0])
