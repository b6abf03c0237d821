"""TD prediction and control, checked against exact values from dynamic programming."""

import gymnasium as gym
import numpy as np
import pytest

from dlbook.rl.dp import policy_evaluation, q_from_v, success_probability, value_iteration
from dlbook.rl.tabular import TabularEnv, epsilon_greedy_probs
from dlbook.rl.td import (
    expected_sarsa,
    greedy_path,
    q_learning,
    random_walk_env,
    sarsa,
    td0_prediction,
)

CONTROL = [q_learning, sarsa, expected_sarsa]


def frozen_lake(slippery):
    env = gym.make("FrozenLake-v1", is_slippery=slippery)
    return env, env.unwrapped.P


def test_random_walk_true_values_are_i_over_six():
    env = random_walk_env(5)
    V = policy_evaluation(env.P, np.zeros(7, dtype=int), 1.0)
    np.testing.assert_allclose(V[1:6], np.arange(1, 6) / 6, atol=1e-8)
    with pytest.raises(ValueError, match="odd"):
        random_walk_env(4)


def test_td0_single_update_by_hand():
    P = {0: {0: [(1.0, 1, 1.0, False)]}, 1: {0: [(1.0, 2, 2.0, True)]},
         2: {0: [(1.0, 2, 0.0, True)]}}
    env = TabularEnv(P, [1.0, 0.0, 0.0])
    V = td0_prediction(env, [0, 0, 0], 1, alpha=0.5, gamma=0.9, v_init=[1.0, 4.0, 7.0])
    # step 1: V0 += 0.5 (1 + 0.9 * 4 - 1) = 1 + 1.8 ; step 2 (terminal): V1 += 0.5 (2 - 4) = 3
    np.testing.assert_allclose(V, [2.8, 3.0, 7.0], rtol=1e-12)


@pytest.mark.parametrize("gamma", [1.0, 0.8])
def test_td0_converges_to_the_dp_values_of_the_random_walk(gamma):
    env = random_walk_env(5)
    exact = policy_evaluation(env.P, np.zeros(7, dtype=int), gamma)
    V, hist = td0_prediction(env, [0] * 7, 4000, 0.01, gamma, seed=0, return_history=True)
    assert hist.shape == (4000, 7)
    rms = np.sqrt(np.mean((V[1:6] - exact[1:6]) ** 2))
    assert rms < 0.04, f"gamma={gamma}: TD(0) {V[1:6]} vs exact {exact[1:6]}"


def test_q_learning_matches_the_optimum_on_slippery_frozen_lake():
    """The issue's acceptance test: 30,000 episodes, alpha 0.05, gamma 0.99, epsilon 0.2."""
    env, P = frozen_lake(True)
    _, optimal = value_iteration(P, 16, 4, 0.99)
    best = success_probability(P, optimal)[0]
    Q = q_learning(env, 30_000, 0.05, 0.99, 0.2, seed=0)
    got = success_probability(P, Q.argmax(axis=1))[0]
    assert got >= best - 0.05, f"greedy Q-learning succeeds with {got:.4f}, optimum {best:.4f}"


@pytest.mark.parametrize("seed", [0, 1])
def test_q_learning_always_succeeds_on_the_deterministic_map(seed):
    env, P = frozen_lake(False)
    Q = q_learning(env, 30_000, 0.05, 0.99, 0.2, seed=seed)
    assert success_probability(P, Q.argmax(axis=1))[0] == pytest.approx(1.0, abs=1e-12)


def _nonterminal(P):
    return np.array([not all(t[3] for a in P[s] for t in P[s][a]) for s in range(len(P))])


def test_q_learning_converges_to_q_star_on_a_deterministic_map():
    env, P = frozen_lake(False)
    V_star, _ = value_iteration(P, 16, 4, 0.9)
    q_star = q_from_v(P, V_star, 16, 4, 0.9)
    Q = q_learning(env, 3000, 0.5, 0.9, 0.5, seed=3)
    keep = _nonterminal(P)
    np.testing.assert_allclose(Q[keep], q_star[keep], atol=1e-3,
                               err_msg="Q-learning should reach q* on a deterministic map")


def test_expected_sarsa_reaches_the_value_of_its_own_epsilon_greedy_policy():
    """On a deterministic map the expected-SARSA target has no noise: Q converges to q_pi for the
    ε-greedy policy pi of Q itself (the on-policy fixed point). A wrong expectation breaks it."""
    env, P = frozen_lake(False)
    eps, gamma = 0.3, 0.9
    Q = expected_sarsa(env, 20_000, 0.5, gamma, eps, seed=1)
    pi = epsilon_greedy_probs(Q, eps)
    q_pi = q_from_v(P, policy_evaluation(P, pi, gamma), 16, 4, gamma)
    keep = _nonterminal(P)
    np.testing.assert_allclose(Q[keep], q_pi[keep], atol=1e-4)
    q_star = q_from_v(P, value_iteration(P, 16, 4, gamma)[0], 16, 4, gamma)
    assert q_star[0].max() - Q[0].max() > 0.1, "exploring costs value: Q should be below q*"


def test_sarsa_learns_the_value_of_the_exploring_policy_not_q_star():
    env, P = frozen_lake(False)
    eps, gamma = 0.3, 0.9
    Q = sarsa(env, 20_000, 0.02, gamma, eps, seed=2)
    q_pi = q_from_v(P, policy_evaluation(P, epsilon_greedy_probs(Q, eps), gamma), 16, 4, gamma)
    q_star = q_from_v(P, value_iteration(P, 16, 4, gamma)[0], 16, 4, gamma)
    # at the start state (visited every episode) SARSA sits near q_pi, well below q* = 0.59
    assert np.max(np.abs(Q[0] - q_pi[0])) < 0.05, (Q[0], q_pi[0])
    assert q_star[0].max() - Q[0].max() > 0.15, (Q[0], q_star[0])


def test_cliff_walking_sarsa_is_safer_online_q_learning_finds_the_edge():
    """Sutton & Barto, Example 6.6 (epsilon 0.1, alpha 0.5, 500 episodes, 10 runs)."""
    env = gym.make("CliffWalking-v1")
    online, paths = {}, {}
    for f in (q_learning, sarsa):
        runs = [f(env, 500, 0.5, 1.0, 0.1, seed=k, return_rewards=True) for k in range(10)]
        online[f.__name__] = np.mean([R[-100:].mean() for _, R in runs])
        paths[f.__name__] = [greedy_path(env, Q) for Q, _ in runs]
    assert online["sarsa"] > online["q_learning"] + 10, online
    for path in paths["q_learning"]:
        assert path[-1] == 47 and len(path) - 1 == 13, f"not the 13-step edge path: {path}"


@pytest.mark.parametrize("method", CONTROL)
def test_same_seed_same_q_different_seed_different_q(method):
    env = gym.make("FrozenLake-v1", is_slippery=True)
    Q1 = method(env, 300, 0.1, 0.99, 0.2, seed=7)
    Q2 = method(env, 300, 0.1, 0.99, 0.2, seed=7)
    Q3 = method(env, 300, 0.1, 0.99, 0.2, seed=8)
    assert np.array_equal(Q1, Q2) and not np.array_equal(Q1, Q3)
    assert Q1.shape == (16, 4)


@pytest.mark.parametrize("method", CONTROL)
def test_control_works_through_the_gymnasium_api_too(method):
    """Blackjack has no table: the learners step it through env.step (Tuple observations)."""
    Q, R = method(gym.make("Blackjack-v1"), 200, 0.1, 1.0, 0.1, seed=0, return_rewards=True)
    assert Q.shape == (704, 2) and R.shape == (200,) and set(np.unique(R)) <= {-1.0, 0.0, 1.0}
    again = method(gym.make("Blackjack-v1"), 200, 0.1, 1.0, 0.1, seed=0)
    assert np.array_equal(Q, again), "same seed, different Q through env.step"


@pytest.mark.parametrize("method", CONTROL)
@pytest.mark.parametrize("kwargs, err, match", [
    ({"episodes": 0}, ValueError, "episodes"),
    ({"alpha": 0.0}, ValueError, "alpha"),
    ({"gamma": -0.5}, ValueError, "gamma"),
    ({"epsilon": 2.0}, ValueError, "epsilon"),
    ({"seed": -1}, ValueError, "seed"),
    ({"alpha": None}, TypeError, "alpha"),
])
def test_control_validates_its_arguments(method, kwargs, err, match):
    args = {"episodes": 5, "alpha": 0.1, "gamma": 0.9, "epsilon": 0.1, "seed": 0} | kwargs
    with pytest.raises(err, match=match):
        method(gym.make("FrozenLake-v1"), **args)


def test_control_rejects_continuous_spaces():
    with pytest.raises(TypeError, match="Discrete"):
        q_learning(gym.make("CartPole-v1"), 5, 0.1, 0.9, 0.1, 0)


def test_greedy_path_detects_loops_and_stochastic_moves():
    env, _ = frozen_lake(False)
    assert greedy_path(env, np.zeros((16, 4))) == [0, 0]       # "left" in the corner: a loop
    with pytest.raises(ValueError, match="deterministic"):
        greedy_path(gym.make("FrozenLake-v1", is_slippery=True), np.zeros((16, 4)))
    with pytest.raises(ValueError, match="shape"):
        greedy_path(env, np.zeros((4, 16)))
