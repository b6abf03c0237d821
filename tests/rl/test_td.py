"""TD control, checked against exact values from dynamic programming: Q-learning, SARSA, expected
SARSA and double Q-learning, each with its own fixed point, and the maximization bias."""

import gymnasium as gym
import numpy as np
import pytest

from dlbook.rl.dp import policy_evaluation, q_from_v, value_iteration
from dlbook.rl.finite_horizon import success_probability
from dlbook.rl.tabular import epsilon_greedy_probs
from dlbook.rl.td import double_q_learning, expected_sarsa, greedy_path, q_learning, sarsa
from dlbook.rl.toy_mdps import maximization_bias_env

CONTROL = [q_learning, sarsa, expected_sarsa, double_q_learning]


def frozen_lake(slippery):
    env = gym.make("FrozenLake-v1", is_slippery=slippery)
    return env, env.unwrapped.P


def test_q_learning_matches_the_optimum_on_slippery_frozen_lake():
    """The acceptance test of the API: 30,000 episodes, alpha 0.05, gamma 0.99, epsilon 0.2."""
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
    q_star = q_from_v(P, V_star, 0.9)
    keep = _nonterminal(P)
    for method in (q_learning, double_q_learning):
        Q = method(env, 3000, 0.5, 0.9, 0.5, seed=3)
        np.testing.assert_allclose(Q[keep], q_star[keep], atol=1e-3,
                                   err_msg=f"{method.__name__} should reach q* here")


def test_expected_sarsa_reaches_the_value_of_its_own_epsilon_greedy_policy():
    """On a deterministic map the expected-SARSA target has no noise: Q converges to q_pi for the
    ε-greedy policy pi of Q itself (the on-policy fixed point). A wrong expectation breaks it."""
    env, P = frozen_lake(False)
    eps, gamma = 0.3, 0.9
    Q = expected_sarsa(env, 20_000, 0.5, gamma, eps, seed=1)
    pi = epsilon_greedy_probs(Q, eps)
    q_pi = q_from_v(P, policy_evaluation(P, pi, gamma), gamma)
    keep = _nonterminal(P)
    np.testing.assert_allclose(Q[keep], q_pi[keep], atol=1e-4)
    q_star = q_from_v(P, value_iteration(P, 16, 4, gamma)[0], gamma)
    assert q_star[0].max() - Q[0].max() > 0.1, "exploring costs value: Q should be below q*"


def test_sarsa_learns_the_value_of_the_exploring_policy_not_q_star():
    env, P = frozen_lake(False)
    eps, gamma = 0.3, 0.9
    Q = sarsa(env, 20_000, 0.02, gamma, eps, seed=2)
    q_pi = q_from_v(P, policy_evaluation(P, epsilon_greedy_probs(Q, eps), gamma), gamma)
    q_star = q_from_v(P, value_iteration(P, 16, 4, gamma)[0], gamma)
    # at the start state (visited every episode) SARSA sits near q_pi, well below q* = 0.59
    assert np.max(np.abs(Q[0] - q_pi[0])) < 0.05, (Q[0], q_pi[0])
    assert q_star[0].max() - Q[0].max() > 0.15, (Q[0], q_star[0])


def test_cliff_walking_sarsa_is_safer_online_q_learning_finds_the_edge():
    """Sutton & Barto, Example 6.6 (epsilon 0.1, alpha 0.5, 500 episodes, 10 runs)."""
    env = gym.make("CliffWalking-v1")
    online, paths = {}, {}
    for f in (q_learning, sarsa):
        rewards = [[] for _ in range(10)]
        Qs = [f(env, 500, 0.5, 1.0, 0.1, seed=k, callback=rewards[k].append) for k in range(10)]
        online[f.__name__] = np.mean([np.mean(R[-100:]) for R in rewards])
        paths[f.__name__] = [greedy_path(env, Q) for Q in Qs]
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
    R = []
    Q = method(gym.make("Blackjack-v1"), 200, 0.1, 1.0, 0.1, seed=0, callback=R.append)
    assert Q.shape == (704, 2) and len(R) == 200 and set(np.unique(R)) <= {-1.0, 0.0, 1.0}
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


def left_fraction(method, runs=150, episodes=100):
    """Fraction of episodes whose first move from A goes left, per episode, over many runs.
    Going right ends the episode with total reward exactly 0; going left never does."""
    env = maximization_bias_env()
    left = np.zeros(episodes)
    for k in range(runs):
        totals = []
        method(env, episodes, 0.1, 1.0, 0.1, seed=k, callback=totals.append)
        left += np.array(totals) != 0.0
    return left / runs


def test_double_q_learning_removes_the_maximization_bias():
    """Sutton & Barto, Figure 6.5: once B's actions have noisy estimates, Q-learning goes left
    far more often than exploration alone explains (1 % here: epsilon times 1/10); double
    Q-learning stays near that level."""
    q, dq = left_fraction(q_learning), left_fraction(double_q_learning)
    assert q[30:].mean() > 0.5, f"Q-learning left fraction {q[30:].mean():.3f}"
    assert dq[30:].mean() < 0.2, f"double Q-learning left fraction {dq[30:].mean():.3f}"


def test_double_q_learning_averages_two_tables_each_updated_half_the_time():
    """One episode of one step on a one-state MDP: exactly one table moves a step alpha."""
    from dlbook.rl.tabular import TabularEnv
    env = TabularEnv({0: {0: [(1.0, 1, 1.0, True)]}, 1: {0: [(1.0, 1, 0.0, True)]}}, [1, 0])
    Q = double_q_learning(env, 1, 0.5, 1.0, 0.0, seed=0)
    assert Q[0, 0] == pytest.approx(0.25)  # (0.5 + 0) / 2
