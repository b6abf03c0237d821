"""MDP arrays and Bellman backups: hand-worked tables, random tables in gymnasium's format, loop
implementations of the formulas as oracles, and Sutton & Barto's gridworld values.
(The gridworld builder is checked against gymnasium's own tables in test_gridworld.py.)"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.rl.gridworld import gridworld
from dlbook.rl.mdp import (
    TabularMDP,
    action_values,
    as_policy_matrix,
    bellman_expectation_backup,
    bellman_optimality_backup,
    discounted_return,
    flatten_table,
    induced_chain,
    transition_arrays,
)

# Sutton & Barto (2018), Example 4.1 / Figure 4.1: 4x4 grid, terminal corners, reward -1 per step;
# the equiprobable random policy has these values (gamma = 1), an oracle from the literature.
SB_LAYOUT = ["G...", "....", "....", "...G"]
SB_RANDOM_VALUES = np.array([0, -14, -20, -22, -14, -18, -20, -20,
                             -20, -20, -18, -14, -22, -20, -14, 0], dtype=float)


def random_table(seed, n_states, n_actions, max_outcomes=3):
    """A random table in gymnasium's format with duplicate next states and terminations."""
    rng = np.random.default_rng(seed)
    P = {}
    for s in range(n_states):
        P[s] = {}
        for a in range(n_actions):
            k = int(rng.integers(1, max_outcomes + 1))
            probs = rng.dirichlet(np.ones(k))
            P[s][a] = [(float(p), int(rng.integers(n_states)), float(rng.normal()),
                        bool(rng.random() < 0.3)) for p in probs]
    return P


def loop_q(P, V, gamma):
    """Q(s, a) = sum_k p_k (r_k + gamma (1 - done_k) V(s'_k)), entry by entry."""
    return np.array([[sum(p * (r + gamma * (not done) * V[nxt]) for p, nxt, r, done in P[s][a])
                      for a in range(len(P[s]))] for s in range(len(P))])


# ---------------------------------------------------------------------------- transition_arrays
def test_transition_arrays_by_hand():
    # state 0, action 1: half stay (reward 2), a quarter twice to state 1 (reward 4, terminating)
    P = {0: {0: [(1.0, 1, 0.0, False)],
             1: [(0.5, 0, 2.0, False), (0.25, 1, 4.0, True), (0.25, 1, 4.0, True)]},
         1: {0: [(1.0, 1, 0.0, True)], 1: [(1.0, 0, -1.0, False)]}}
    T, R, D = transition_arrays(P, 2, 2)
    np.testing.assert_array_equal(T[0, 1], [0.5, 0.5])  # duplicates add up
    np.testing.assert_array_equal(D[0, 1], [0.0, 0.5])
    np.testing.assert_array_equal(R, [[0.0, 0.5 * 2 + 0.5 * 4], [0.0, -1.0]])
    np.testing.assert_array_equal(D[1, 0], [0.0, 1.0])


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_states=st.integers(1, 6), n_actions=st.integers(1, 4))
def test_arrays_hold_the_table(seed, n_states, n_actions):
    P = random_table(seed, n_states, n_actions)
    mdp = transition_arrays(P, n_states, n_actions)
    assert isinstance(mdp, TabularMDP)
    np.testing.assert_allclose(mdp.T.sum(axis=2), 1.0, rtol=0, atol=1e-12)
    assert np.all(mdp.D >= 0) and np.all(mdp.D <= mdp.T + 1e-15)
    V = np.random.default_rng(seed).normal(size=n_states)
    np.testing.assert_allclose(action_values(mdp, V, 0.9), loop_q(P, V, 0.9), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("P, n_states, n_actions, match", [
    ({0: {0: [(1.0, 0, 0.0, False)]}}, 2, 1, "n_states=2"),
    ({0: {0: [(1.0, 0, 0.0, False)]}}, 1, 2, "n_actions=2"),
    ({0: {0: [(0.5, 0, 0.0, False)]}}, 1, 1, "sum to 0.5"),
    ({0: {0: [(1.5, 0, 0.0, False), (-0.5, 0, 0.0, False)]}}, 1, 1, "negative probability"),
    ({0: {0: [(1.0, 3, 0.0, False)]}}, 1, 1, r"next states must be integers in \[0, 1\)"),
    ({0: {0: [(1.0, 0, 0.0)]}}, 1, 1, "entries must be"),
    ({1: {0: [(1.0, 0, 0.0, False)]}}, 1, 1, "every state"),
    ({0: {0: []}}, 1, 1, "lists no outcome"),
])
def test_bad_tables_are_named(P, n_states, n_actions, match):
    with pytest.raises(ValueError, match=match):
        transition_arrays(P, n_states, n_actions)


def test_sizes_must_be_ints():
    with pytest.raises(TypeError, match="n_states must be an int"):
        flatten_table({0: {0: [(1.0, 0, 0.0, False)]}}, 1.0, 1)


# ---------------------------------------------------------------------------- policies and backups
def test_policy_matrix():
    np.testing.assert_array_equal(as_policy_matrix(np.array([2, 0]), 2, 3),
                                  [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match=r"actions must lie in \[0, 3\)"):
        as_policy_matrix(np.array([3, 0]), 2, 3)
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        as_policy_matrix(np.array([0, 0, 0]), 2, 3)
    with pytest.raises(TypeError, match="integer actions"):
        as_policy_matrix(np.array([0.0, 1.0]), 2, 3)
    with pytest.raises(ValueError, match="sum to 1"):
        as_policy_matrix(np.full((2, 3), 0.5), 2, 3)


def test_sutton_barto_random_policy_is_a_fixed_point():
    mdp = transition_arrays(gridworld(SB_LAYOUT, step_reward=-1.0, goal_reward=-1.0), 16, 4)
    random = np.full((16, 4), 0.25)
    backed_up = bellman_expectation_backup(mdp, SB_RANDOM_VALUES, random, 1.0)
    np.testing.assert_allclose(backed_up, SB_RANDOM_VALUES, rtol=0, atol=1e-12)
    # one unit off anywhere and the backup moves it
    assert np.abs(bellman_expectation_backup(mdp, SB_RANDOM_VALUES + 1.0, random, 1.0)
                  - (SB_RANDOM_VALUES + 1.0)).max() > 0.5


def test_sutton_barto_optimal_values_are_minus_the_distance():
    mdp = transition_arrays(gridworld(SB_LAYOUT, step_reward=-1.0, goal_reward=-1.0), 16, 4)
    r, c = np.divmod(np.arange(16), 4)
    v_star = -np.minimum(r + c, (3 - r) + (3 - c)).astype(float)  # steps to the nearer corner
    np.testing.assert_array_equal(bellman_optimality_backup(mdp, v_star, 1.0), v_star)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), gamma=st.floats(0.0, 1.0))
def test_backups_match_loops(seed, gamma):
    P = random_table(seed, 5, 3)
    mdp = transition_arrays(P, 5, 3)
    rng = np.random.default_rng(seed)
    V, pi = rng.normal(size=5), rng.dirichlet(np.ones(3), size=5)
    Q = loop_q(P, V, gamma)
    np.testing.assert_allclose(bellman_optimality_backup(mdp, V, gamma), Q.max(axis=1),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(bellman_expectation_backup(mdp, V, pi, gamma), (pi * Q).sum(axis=1),
                               rtol=1e-12, atol=1e-12)
    P_pi, r_pi = induced_chain(mdp, pi)
    np.testing.assert_allclose(r_pi + gamma * P_pi @ V, (pi * Q).sum(axis=1), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_deterministic_and_one_hot_policies_induce_the_same_chain(seed):
    mdp = transition_arrays(random_table(seed, 6, 3), 6, 3)
    policy = np.random.default_rng(seed).integers(0, 3, size=6)
    for a, b in zip(induced_chain(mdp, policy), induced_chain(mdp, np.eye(3)[policy])):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-15)


@pytest.mark.parametrize("gamma, error", [(-0.1, ValueError), (1.01, ValueError),
                                          (float("nan"), ValueError), ("0.9", TypeError)])
def test_gamma_is_checked(gamma, error):
    mdp = transition_arrays(gridworld(["SG"]), 2, 4)
    with pytest.raises(error, match="gamma must be"):
        bellman_optimality_backup(mdp, np.zeros(2), gamma)


def test_value_shape_is_checked():
    mdp = transition_arrays(gridworld(["SG"]), 2, 4)
    with pytest.raises(ValueError, match=r"V must have shape \(S,\) = \(2,\)"):
        action_values(mdp, np.zeros(3), 0.9)


# ---------------------------------------------------------------------------- returns
def test_discounted_return_by_hand():
    assert discounted_return([-1.0, -1.0, 10.0], 0.9) == pytest.approx(-1 - 0.9 + 0.81 * 10)
    assert discounted_return([5.0, 7.0], 0.0) == 5.0
    np.testing.assert_allclose(discounted_return([[1.0, 1.0], [0.0, 2.0]], 0.5), [1.5, 1.0])


@settings(max_examples=40, deadline=None)
@given(rewards=st.lists(st.floats(-10, 10), min_size=1, max_size=30), gamma=st.floats(0.0, 1.0))
def test_discounted_return_matches_the_backward_recursion(rewards, gamma):
    G = 0.0
    for r in reversed(rewards):  # G_t = r_{t+1} + gamma G_{t+1}
        G = r + gamma * G
    assert discounted_return(rewards, gamma) == pytest.approx(G, rel=1e-12, abs=1e-10)


def test_discounted_return_rejects_3d():
    with pytest.raises(ValueError, match=r"shape \(T,\) or \(N, T\)"):
        discounted_return(np.zeros((2, 2, 2)), 0.9)
