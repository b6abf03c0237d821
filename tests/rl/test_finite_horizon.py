"""Success probabilities and backward induction: closed forms, undiscounted evaluation, played
episodes as a peer, and brute force over every non-stationary policy of small MDPs."""

from __future__ import annotations

import itertools

import gymnasium as gym
import numpy as np
import pytest

from dlbook.rl.dp import policy_evaluation, value_iteration
from dlbook.rl.finite_horizon import backward_induction, success_probability, success_rewards
from dlbook.rl.mdp import transition_arrays
from tests.rl.test_mdp import loop_q, random_table

GAMMA = 0.99


@pytest.fixture(scope="module")
def solved():
    out = {}
    for name in ["FrozenLake-v1", "FrozenLake8x8-v1"]:
        env = gym.make(name).unwrapped
        out[name] = dict(env=env, vi=value_iteration(env.P, gamma=GAMMA))
    return out


def test_success_probability_of_a_coin():
    P = {0: {0: [(0.5, 1, 1.0, True), (0.5, 0, 0.0, False)]}, 1: {0: [(1.0, 1, 0.0, True)]}}
    for H in (1, 2, 5):
        assert success_probability(P, np.array([0, 0]), H)[0] == pytest.approx(1 - 0.5 ** H)
    assert success_probability(P, np.array([0, 0]))[0] == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["FrozenLake-v1", "FrozenLake8x8-v1"])
def test_success_probability_is_undiscounted_evaluation(solved, name):
    case = solved[name]
    _, policy = case["vi"]
    exact = success_probability(case["env"].P, policy)
    iterative = policy_evaluation(case["env"].P, policy, 1.0, theta=1e-13)
    np.testing.assert_allclose(exact, iterative, rtol=0, atol=1e-9)
    assert np.all(success_probability(case["env"].P, policy, 50) <= exact + 1e-12)


def test_success_probability_with_a_policy_that_never_ends():
    P = gym.make("FrozenLake-v1", is_slippery=False).unwrapped.P
    stay = np.zeros(16, dtype=int)  # always left: column 0 never leaves, others drift to it
    x = success_probability(P, stay)
    assert np.all(x == 0.0)
    right_down = np.array([2, 2, 1, 0, 1, 0, 1, 0, 2, 2, 1, 0, 0, 2, 2, 0])
    assert success_probability(P, right_down)[0] == 1.0


def test_rollouts_agree_with_the_exact_success_probability(solved):
    """gymnasium as a peer: 2,000 seeded episodes under the 100-step limit of FrozenLake-v1."""
    _, policy = solved["FrozenLake-v1"]["vi"]
    p = success_probability(solved["FrozenLake-v1"]["env"].P, policy, 100)[0]
    env = gym.make("FrozenLake-v1")
    wins, n = 0, 2000
    env.reset(seed=123)
    for episode in range(n):
        state, _ = env.reset() if episode else env.reset(seed=123)
        done = False
        while not done:
            state, reward, terminated, truncated, _ = env.step(int(policy[state]))
            done = terminated or truncated
        wins += reward
    se = np.sqrt(p * (1 - p) / n)
    assert abs(wins / n - p) < 4 * se, f"rollouts {wins / n:.4f}, exact {p:.4f}, 4 se {4 * se:.4f}"


def test_success_rewards_by_hand():
    P = gym.make("FrozenLake-v1").unwrapped.P
    g = success_rewards(P)
    assert g.shape == (16, 4)
    # next to the goal (state 14): right, down and up each slide into the goal with prob 1/3
    np.testing.assert_allclose(g[14], [0, 1 / 3, 1 / 3, 1 / 3])
    # the goal's only neighbours are 14 and 11, a hole, so no other state can succeed at once
    assert np.count_nonzero(g) == 3


def brute_force_best(P, rewards, horizon, gamma):
    """The best value of every start state over all deterministic non-stationary policies."""
    S, A = rewards.shape
    best = np.full(S, -np.inf)
    for plan in itertools.product(itertools.product(range(A), repeat=S), repeat=horizon):
        x = np.zeros(S)  # evaluate the plan backwards: plan[0] is used with `horizon` steps left
        for h in range(horizon - 1, -1, -1):
            q = loop_q(P, x, gamma) - loop_q(P, np.zeros(S), gamma) + rewards
            x = q[np.arange(S), plan[h]]
        best = np.maximum(best, x)
    return best


@pytest.mark.parametrize("seed, gamma", [(0, 1.0), (1, 0.9), (2, 1.0)])
def test_backward_induction_beats_every_plan_of_a_small_mdp(seed, gamma):
    P = random_table(seed, 3, 2)
    rewards = np.random.default_rng(seed).normal(size=(3, 2))
    result = backward_induction(P, rewards, horizon=3, gamma=gamma)
    np.testing.assert_allclose(result.values[3], brute_force_best(P, rewards, 3, gamma),
                               rtol=0, atol=1e-12)
    assert result.values.shape == (4, 3) and np.all(result.values[0] == 0)


def test_the_best_within_a_deadline_beats_every_stationary_policy(solved):
    env = solved["FrozenLake8x8-v1"]["env"]
    best = backward_induction(env.P, success_rewards(env.P), 200).values[200]
    rng = np.random.default_rng(0)
    for policy in [solved["FrozenLake8x8-v1"]["vi"].policy] + [rng.integers(0, 4, 64)
                                                                 for _ in range(5)]:
        assert np.all(success_probability(env.P, policy, 200) <= best + 1e-12)


def test_a_long_horizon_approaches_the_undiscounted_optimum():
    P = gym.make("FrozenLake-v1").unwrapped.P
    V_star, _ = value_iteration(P, gamma=1.0)
    x = backward_induction(transition_arrays(P, 16, 4), success_rewards(P), 5_000).values
    np.testing.assert_allclose(x[-1], V_star, atol=1e-8)
    assert np.all(np.diff(x[:, 0]) >= -1e-15), "more time can only help"


def test_backward_induction_validates():
    P = gym.make("FrozenLake-v1").unwrapped.P
    with pytest.raises(ValueError, match=r"rewards must have shape \(S, A\)"):
        backward_induction(P, np.zeros((16, 3)), 10)
    with pytest.raises(ValueError, match="horizon must be >= 1"):
        backward_induction(P, np.zeros((16, 4)), 0)
    with pytest.raises(ValueError, match="max_steps must be >= 1"):
        success_probability(P, np.zeros(16, int), 0)
    assert np.all(policy_evaluation(P, np.zeros(16, int), 1.0) == 0)
