"""The textbook MDPs: their tables, and the values DP computes from them against closed forms."""

import numpy as np
import pytest

from dlbook.rl.dp import policy_evaluation, q_from_v, value_iteration
from dlbook.rl.toy_mdps import maximization_bias_env, random_walk_env


@pytest.mark.parametrize("n, left", [(5, 0.0), (19, -1.0), (7, 0.5)])
def test_random_walk_values_are_the_exit_probabilities(n, left):
    env = random_walk_env(n, left_reward=left)
    V = policy_evaluation(env.P, np.zeros(n + 2, dtype=int), 1.0)
    i = np.arange(1, n + 1)
    np.testing.assert_allclose(V[1:n + 1], i / (n + 1) + (1 - i / (n + 1)) * left, atol=1e-8)
    assert env.initial_state_distrib[(n + 1) // 2] == 1.0


def test_maximization_bias_env_values():
    env = maximization_bias_env(10, mean=-0.1)
    V, policy = value_iteration(env.P, gamma=1.0)
    Q = q_from_v(env.P, V, 1.0)
    np.testing.assert_allclose(Q[1], -0.1, atol=1e-12)         # every action in B
    assert Q[0, 0] == pytest.approx(-0.1, abs=1e-12)          # left: to B
    np.testing.assert_allclose(Q[0, 1:], 0.0, atol=1e-12)      # right: the end
    assert policy[0] >= 1, "right is optimal"
    rewards = sorted({r for p, _, r, _ in env.P[1][0]})
    assert rewards == pytest.approx([-1.1, 0.9])               # mean -0.1, standard deviation 1


@pytest.mark.parametrize("call, err, match", [
    (lambda: random_walk_env(4), ValueError, "odd"),
    (lambda: random_walk_env(1), ValueError, "n must be >= 3"),
    (lambda: maximization_bias_env(1), ValueError, "n_actions must be >= 2"),
    (lambda: maximization_bias_env(10, mean="x"), TypeError, "mean"),
])
def test_bad_arguments(call, err, match):
    with pytest.raises(err, match=match):
        call()
