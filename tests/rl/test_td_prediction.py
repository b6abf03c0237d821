"""TD(0) and n-step TD prediction: updates by hand, convergence to the DP values, and the two
ends of the n-step family (n = 1 is TD(0), n at least the episode length is constant-alpha MC)."""

import numpy as np
import pytest

from dlbook.rl.dp import policy_evaluation
from dlbook.rl.mc import constant_alpha_mc_prediction
from dlbook.rl.tabular import TabularEnv
from dlbook.rl.td_prediction import n_step_td_prediction, td0_prediction
from dlbook.rl.toy_mdps import random_walk_env

CHAIN = {0: {0: [(1.0, 1, 1.0, False)]}, 1: {0: [(1.0, 2, 2.0, True)]},
         2: {0: [(1.0, 2, 0.0, True)]}}


def test_td0_single_update_by_hand():
    env = TabularEnv(CHAIN, [1.0, 0.0, 0.0])
    V = td0_prediction(env, [0, 0, 0], 1, alpha=0.5, gamma=0.9, v_init=[1.0, 4.0, 7.0])
    # step 1: V0 += 0.5 (1 + 0.9 * 4 - 1) = 1 + 1.8 ; step 2 (terminal): V1 += 0.5 (2 - 4) = 3
    np.testing.assert_allclose(V, [2.8, 3.0, 7.0], rtol=1e-12)


def test_n_step_update_by_hand():
    env = TabularEnv(CHAIN, [1.0, 0.0, 0.0])
    V = n_step_td_prediction(env, [0, 0, 0], 2, 1, alpha=0.5, gamma=0.9, v_init=[1.0, 4.0, 7.0])
    # V0 += 0.5 (1 + 0.9 * 2 - 1): the two rewards, no bootstrap; V1 += 0.5 (2 - 4)
    np.testing.assert_allclose(V, [1.9, 3.0, 7.0], rtol=1e-12)


@pytest.mark.parametrize("gamma", [1.0, 0.8])
def test_td0_converges_to_the_dp_values_of_the_random_walk(gamma):
    env = random_walk_env(5)
    exact = policy_evaluation(env.P, np.zeros(7, dtype=int), gamma)
    hist = []
    V = td0_prediction(env, [0] * 7, 4000, 0.01, gamma, seed=0, callback=hist.append)
    assert len(hist) == 4000 and np.array_equal(hist[-1], V)
    rms = np.sqrt(np.mean((V[1:6] - exact[1:6]) ** 2))
    assert rms < 0.04, f"gamma={gamma}: TD(0) {V[1:6]} vs exact {exact[1:6]}"


@pytest.mark.parametrize("seed", range(3))
def test_one_step_is_td0(seed):
    env = random_walk_env(19, left_reward=-1.0)
    a = n_step_td_prediction(env, [0] * 21, 1, 20, 0.3, 0.95, seed=seed)
    b = td0_prediction(env, [0] * 21, 20, 0.3, 0.95, seed=seed)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("seed", range(3))
def test_a_very_long_step_is_constant_alpha_monte_carlo(seed):
    env = random_walk_env(19, left_reward=-1.0)
    a = n_step_td_prediction(env, [0] * 21, 10_000, 20, 0.3, 0.95, seed=seed, v_init=0.2)
    b = constant_alpha_mc_prediction(env, [0] * 21, 20, 0.3, 0.95, seed=seed, v_init=0.2)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("n", [2, 4, 8])
def test_n_step_td_converges_to_the_dp_values(n):
    env = random_walk_env(19, left_reward=-1.0)
    exact = policy_evaluation(env.P, np.zeros(21, dtype=int), 1.0)
    V = n_step_td_prediction(env, [0] * 21, n, 3000, 0.01, 1.0, seed=n)
    rms = np.sqrt(np.mean((V[1:20] - exact[1:20]) ** 2))
    assert rms < 0.06, f"n={n}: RMS {rms:.3f}"


def test_a_time_limit_keeps_the_bootstrap():
    """A walk that never ends, cut after 3 steps: the last target must bootstrap from V(S_3)."""
    import gymnasium as gym

    class Loop(gym.Env):  # no table: the stepper goes through env.step and the TimeLimit
        observation_space, action_space = gym.spaces.Discrete(1), gym.spaces.Discrete(1)

        def reset(self, *, seed=None, options=None):
            return 0, {}

        def step(self, action):
            return 0, 1.0, False, False, {}

    env = gym.wrappers.TimeLimit(Loop(), max_episode_steps=3)
    for n in (1, 2, 5):
        V = n_step_td_prediction(env, [0], n, 1, alpha=1.0, gamma=0.5, v_init=4.0)
        # with alpha = 1 the last update sets V to its target, 1 + 0.5 V(S_3) if it bootstraps
        assert V[0] > 1.0, f"n={n}: a cut episode was treated as an end ({V[0]})"


@pytest.mark.parametrize("kwargs, err, match", [
    ({"n": 0}, ValueError, "n must be >= 1"),
    ({"episodes": 0}, ValueError, "episodes"),
    ({"alpha": 0.0}, ValueError, "alpha"),
    ({"gamma": 1.5}, ValueError, "gamma"),
    ({"n": 2.0}, TypeError, "n must be an int"),
])
def test_n_step_validates(kwargs, err, match):
    args = {"n": 2, "episodes": 3, "alpha": 0.1, "gamma": 0.9} | kwargs
    with pytest.raises(err, match=match):
        n_step_td_prediction(random_walk_env(5), [0] * 7, **args)
