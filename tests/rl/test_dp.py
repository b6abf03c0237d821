"""Dynamic programming: Bellman residuals, exact evaluation of the returned policies, brute force
over every deterministic policy, closed-form values, and gymnasium rollouts as a peer."""

from __future__ import annotations

import itertools

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.rl.dp import (
    greedy_policy,
    policy_evaluation,
    policy_evaluation_exact,
    policy_iteration,
    q_from_v,
    value_iteration,
)
from dlbook.rl.gridworld import gridworld
from dlbook.rl.mdp import bellman_optimality_backup, transition_arrays
from tests.rl.test_mdp import SB_LAYOUT, SB_RANDOM_VALUES, random_table

ENVS = ["FrozenLake-v1", "FrozenLake8x8-v1", "CliffWalking-v1", "Taxi-v4"]
GAMMA = 0.99


@pytest.fixture(scope="module")
def solved():
    """Each environment's table, arrays, and the value- and policy-iteration solutions."""
    out = {}
    for name in ENVS:
        env = gym.make(name).unwrapped
        S, A = env.observation_space.n, env.action_space.n
        mdp = transition_arrays(env.P, S, A)
        out[name] = dict(env=env, S=S, A=A, mdp=mdp,
                         vi=value_iteration(env.P, S, A, GAMMA),
                         pi=policy_iteration(mdp, S, A, GAMMA))
    return out


def brute_force_values(P, S, A, gamma):
    """Exact values of all A**S deterministic policies, each built entry by entry from P."""
    policies = np.array(list(itertools.product(range(A), repeat=S)))  # (A**S, S)
    P_pi = np.zeros((len(policies), S, S))
    r_pi = np.zeros((len(policies), S))
    for k, policy in enumerate(policies):
        for s in range(S):
            for p, nxt, r, done in P[s][policy[s]]:
                r_pi[k, s] += p * r
                P_pi[k, s, nxt] += 0.0 if done else p
    values = np.linalg.solve(np.eye(S) - gamma * P_pi, r_pi[..., None])[..., 0]  # (A**S, S)
    return policies, values


# ---------------------------------------------------------------------------- the four environments
@pytest.mark.parametrize("name", ENVS)
@pytest.mark.parametrize("method", ["vi", "pi"])
def test_solution_is_optimal_and_exact(solved, name, method):
    case = solved[name]
    V, policy = case[method]
    residual = np.abs(bellman_optimality_backup(case["mdp"], V, GAMMA) - V).max()
    assert residual <= 1e-8, f"{name} {method}: Bellman optimality residual {residual:.2e}"
    exact = policy_evaluation_exact(case["env"].P, policy, GAMMA)
    gap = np.abs(V - exact).max()
    assert gap <= 1e-6, f"{name} {method}: V differs from the returned policy's value by {gap:.2e}"


@pytest.mark.parametrize("name", ENVS)
def test_value_and_policy_iteration_agree(solved, name):
    (V1, _), (V2, _) = solved[name]["vi"], solved[name]["pi"]
    assert np.abs(V1 - V2).max() <= 1e-6


def test_frozen_lake_without_slip_takes_six_steps(solved):
    P = gym.make("FrozenLake-v1", is_slippery=False).unwrapped.P
    V, _ = value_iteration(P, 16, 4, GAMMA)
    assert V[0] == pytest.approx(GAMMA ** 5, abs=1e-9)  # reward 1 on the sixth step


def test_cliff_walking_optimal_path_is_thirteen_steps(solved):
    V, policy = solved["CliffWalking-v1"]["vi"]
    assert V[36] == pytest.approx(-sum(GAMMA ** k for k in range(13)), abs=1e-9)
    # walking the greedy path in the table: up, eleven times right, down
    s, steps = 36, 0
    P = solved["CliffWalking-v1"]["env"].P
    while True:
        ((_, s, r, done),) = P[s][policy[s]]
        steps += 1
        if done:
            break
    assert steps == 13


def test_taxi_values_follow_shortest_paths(solved):
    """Deterministic Taxi: V*(s) = -(1 + g + ... + g**(L-2)) + 20 g**(L-1), L = fewest steps to a
    successful dropoff, found by breadth-first search over the table."""
    case = solved["Taxi-v4"]
    P, S = case["env"].P, case["S"]
    dist = np.full(S, np.inf)
    frontier = {s for s in range(S) for a in range(6) if P[s][a][0][3]}
    dist[list(frontier)] = 1
    predecessors = {}
    for s in range(S):
        for a in range(6):
            (_, nxt, _, done), = P[s][a]
            if not done:
                predecessors.setdefault(int(nxt), set()).add(s)
    level = 1
    while frontier:
        level += 1
        frontier = {p for s in frontier for p in predecessors.get(s, ()) if dist[p] == np.inf}
        dist[list(frontier)] = level
    start = np.flatnonzero(case["env"].initial_state_distrib)
    L = dist[start]
    expected = -(1 - GAMMA ** (L - 1)) / (1 - GAMMA) + 20 * GAMMA ** (L - 1)
    np.testing.assert_allclose(case["vi"][0][start], expected, rtol=0, atol=1e-8)


def test_russell_norvig_four_by_three_world():
    """AIMA (3rd ed.), Fig. 17.3: utilities of the 4x3 world, gamma = 1, step reward -0.04.
    AIMA pays R(s) for being in s, we pay for entering s, so theirs = ours - 0.04."""
    P = gridworld(["...G", ".#.H", "S..."], slip=0.2, step_reward=-0.04, goal_reward=1.0,
                  hole_reward=-1.0)
    V, policy = value_iteration(P, 12, 4, 1.0)
    aima = {0: 0.812, 1: 0.868, 2: 0.918, 4: 0.762, 6: 0.660, 8: 0.705, 9: 0.655, 10: 0.611,
            11: 0.388}
    for s, u in aima.items():
        assert V[s] - 0.04 == pytest.approx(u, abs=5e-4), f"state {s}"
    # AIMA's Fig. 17.2: the bottom-right squares go left, the long way round
    assert policy[10] == 0 and policy[11] == 0 and policy[8] == 3


# ---------------------------------------------------------------------------- brute force
@pytest.mark.parametrize("seed", range(6))
def test_brute_force_over_all_deterministic_policies(seed):
    S, A, gamma = 4, 3, 0.9
    P = random_table(seed, S, A)
    policies, values = brute_force_values(P, S, A, gamma)  # 81 policies
    v_star = values.max(axis=0)
    # some single policy attains the maximum in every state at once
    assert np.any(np.all(values >= v_star - 1e-12, axis=1))
    for V, policy in (value_iteration(P, S, A, gamma), policy_iteration(P, S, A, gamma)):
        np.testing.assert_allclose(V, v_star, rtol=0, atol=1e-8)
        k = int(np.flatnonzero((policies == policy).all(axis=1))[0])
        np.testing.assert_allclose(values[k], v_star, rtol=0, atol=1e-8)


def test_brute_force_on_a_small_slippery_grid():
    P = gridworld(["S.H", "..G"], slip=0.4, step_reward=-0.1)
    policies, values = brute_force_values(P, 6, 4, 0.95)  # 4096 policies
    V, _ = value_iteration(P, 6, 4, 0.95)
    np.testing.assert_allclose(V, values.max(axis=0), rtol=0, atol=1e-8)


# ---------------------------------------------------------------------------- evaluation
def test_sutton_barto_random_policy():
    P = gridworld(SB_LAYOUT, step_reward=-1.0, goal_reward=-1.0)
    V = policy_evaluation(P, np.full((16, 4), 0.25), 1.0)
    np.testing.assert_allclose(V, SB_RANDOM_VALUES, rtol=0, atol=1e-7)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), gamma=st.floats(0.0, 0.97))
def test_iterative_and_exact_evaluation_agree(seed, gamma):
    P = random_table(seed, 6, 3)
    pi = np.random.default_rng(seed).dirichlet(np.ones(3), size=6)
    V_iter = policy_evaluation(P, pi, gamma)
    V_exact = policy_evaluation_exact(P, pi, gamma)
    np.testing.assert_allclose(V_iter, V_exact, rtol=0, atol=1e-7)


def test_value_iteration_contracts(solved):
    deltas = value_iteration(solved["FrozenLake-v1"]["mdp"], gamma=GAMMA).deltas
    assert deltas[-1] < 1e-10 and np.all(deltas[1:] <= GAMMA * deltas[:-1] + 1e-15)


def test_policy_iteration_improves_every_state():
    P = gym.make("FrozenLake8x8-v1").unwrapped.P
    result = policy_iteration(P, gamma=GAMMA)
    assert 2 <= len(result.values) <= 30 and result.values.shape[1] == 64
    for V_old, V_new in zip(result.values, result.values[1:]):
        assert np.all(V_new >= V_old - 1e-12), "a policy improvement step lowered a value"
    np.testing.assert_array_equal(result.values[-1], result.V)
    np.testing.assert_array_equal(result.policies[-1], result.policy)


def test_results_unpack_as_value_and_policy_and_sizes_are_read_from_the_table():
    """The two ways of calling: with the sizes (positional, as before) and without them."""
    P = gym.make("FrozenLake-v1").unwrapped.P
    for solve in (value_iteration, policy_iteration):
        with_sizes, without = solve(P, 16, 4, GAMMA), solve(P, gamma=GAMMA)
        V, policy = with_sizes
        assert with_sizes[0] is V and with_sizes[1] is policy and len(with_sizes) == 2
        np.testing.assert_array_equal(V, without.V)
        np.testing.assert_array_equal(policy, without.policy)
        with pytest.raises(TypeError, match="gamma"):
            solve(P)


def test_q_from_v_is_consistent(solved):
    case = solved["FrozenLake-v1"]
    V, policy = case["vi"]
    Q = q_from_v(case["env"].P, V, GAMMA)
    np.testing.assert_allclose(Q.max(axis=1), V, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(greedy_policy(Q), policy)


def test_greedy_policy_keeps_a_tied_action():
    Q = np.array([[1.0, 1.0, 0.0], [0.0, 2.0, 2.0]])
    np.testing.assert_array_equal(greedy_policy(Q), [0, 1])
    np.testing.assert_array_equal(greedy_policy(Q, current=np.array([1, 2])), [1, 2])
    np.testing.assert_array_equal(greedy_policy(Q, current=np.array([2, 0])), [0, 1])


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("call", [
    lambda P: value_iteration(P, 2, 4, 1.5),
    lambda P: policy_iteration(P, 2, 4, -0.1),
    lambda P: policy_evaluation(P, np.array([0, 0]), 2.0),
    lambda P: policy_evaluation_exact(P, np.array([0, 0]), -1.0),
    lambda P: q_from_v(P, np.zeros(2), 1.1),
])
def test_gamma_out_of_range(call):
    with pytest.raises(ValueError, match="gamma must be (<=|>=)"):
        call(gridworld(["SG"]))


def test_gamma_one_where_it_cannot_work():
    P = gridworld(["SG"])
    with pytest.raises(ValueError, match="gamma < 1"):
        policy_evaluation_exact(P, np.array([2, 0]), 1.0)
    with pytest.raises(ValueError, match="gamma < 1"):
        policy_iteration(P, 2, 4, 1.0)


def test_bad_policies_and_arguments():
    P = gridworld(["S.G"])
    with pytest.raises(ValueError, match=r"actions must lie in \[0, 4\)"):
        policy_evaluation(P, np.array([0, 4, 0]), 0.9)
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        policy_evaluation_exact(P, np.array([0, 1]), 0.9)
    with pytest.raises(TypeError, match="integer actions"):
        policy_iteration(P, 3, 4, 0.9, initial_policy=np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match="theta must be > 0"):
        value_iteration(P, 3, 4, 0.9, theta=0.0)
    with pytest.raises(ValueError, match="n_actions=5"):
        value_iteration(P, 3, 5, 0.9)
    with pytest.raises(ValueError, match="3 states and 4 actions"):
        value_iteration(transition_arrays(P, 3, 4), 4, 4, 0.9)


def test_non_convergence_is_reported():
    # gamma = 1 and a policy that bumps into the edge forever at a cost of 1 per step
    P = gridworld(["S.G"], step_reward=-1.0)
    with pytest.raises(RuntimeError, match="did not converge in max_iter=50"):
        policy_evaluation(P, np.array([0, 0, 0]), 1.0, max_iter=50)
