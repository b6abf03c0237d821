"""The tabular plumbing: table environments, the stepper, ε-greedy policies."""

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.rl.tabular import (
    EnvStepper,
    TabularEnv,
    UniformStream,
    discrete_sizes,
    encode_state,
    epsilon_greedy_action,
    epsilon_greedy_probs,
    sample_index,
)


def test_tabular_env_rejects_bad_tables():
    good = {0: {0: [(1.0, 1, 0.0, True)]}, 1: {0: [(1.0, 1, 0.0, True)]}}
    TabularEnv(good, [1.0, 0.0])
    with pytest.raises(ValueError, match="sum to"):
        TabularEnv({0: {0: [(0.7, 1, 0.0, True)]}, 1: {0: [(1.0, 1, 0.0, True)]}}, [1.0, 0.0])
    with pytest.raises(ValueError, match="probability vector"):
        TabularEnv(good, [0.5, 0.6])
    with pytest.raises(ValueError, match="next states"):
        TabularEnv({0: {0: [(1.0, 5, 0.0, True)]}, 1: {0: [(1.0, 1, 0.0, True)]}}, [1.0, 0.0])


def test_discrete_sizes_and_errors():
    assert discrete_sizes(gym.make("FrozenLake-v1")) == (16, 4)
    assert discrete_sizes(gym.make("Taxi-v4")) == (500, 6)
    assert discrete_sizes(gym.make("Blackjack-v1")) == (32 * 11 * 2, 2)
    with pytest.raises(TypeError, match="Discrete"):
        discrete_sizes(gym.make("CartPole-v1"))          # Box observations


def test_encode_state_is_row_major_and_vectorized():
    space = gym.spaces.Tuple((gym.spaces.Discrete(32), gym.spaces.Discrete(11),
                              gym.spaces.Discrete(2)))
    sums, dealers, aces = np.meshgrid(np.arange(32), np.arange(11), np.arange(2), indexing="ij")
    idx = encode_state(space, (sums, dealers, aces))
    assert np.array_equal(idx.ravel(), np.arange(704)), "row-major order broken"
    assert int(encode_state(gym.spaces.Discrete(5, start=-2), -2)) == 0


def test_stepper_table_matches_gymnasium_step_on_deterministic_envs():
    """Same actions, same outcomes: the table sampler and env.step agree when nothing is random."""
    for name, kw in [("FrozenLake-v1", {"is_slippery": False}), ("CliffWalking-v1", {})]:
        env = gym.make(name, **kw)
        fast, slow = EnvStepper(env, 3), EnvStepper(env, 3, use_table=False)
        assert fast.uses_table and not slow.uses_table
        actions = np.random.default_rng(0).integers(0, 4, size=3000)
        s1, s2 = fast.reset(), slow.reset()
        assert s1 == s2
        for a in actions.tolist():
            out1, out2 = fast.step(a), slow.step(a)
            assert out1 == out2, f"{name}: table {out1} vs env.step {out2} after action {a}"
            if out1[2] or out1[3]:
                assert fast.reset() == slow.reset()


def test_stepper_applies_the_time_limit_like_gymnasium():
    env = gym.make("FrozenLake-v1", is_slippery=False)   # TimeLimit of 100 steps
    for stepper in (EnvStepper(env, 0), EnvStepper(env, 0, use_table=False)):
        stepper.reset()
        flags = [stepper.step(0)[3] for _ in range(100)]  # "left" at the start never moves
        assert flags == [False] * 99 + [True], f"uses_table={stepper.uses_table}"


def test_stepper_samples_transitions_with_the_table_probabilities():
    env = gym.make("FrozenLake-v1", is_slippery=True)
    stepper = EnvStepper(env, 1)
    n, counts = 30_000, {}
    for _ in range(n):
        stepper._s, stepper._t = 6, 0                      # state 6, action "down" (1)
        s_next = stepper.step(1)[0]
        counts[s_next] = counts.get(s_next, 0) + 1
    for prob, s_next, _, _ in env.unwrapped.P[6][1]:
        se = np.sqrt(prob * (1 - prob) / n)
        assert abs(counts[s_next] / n - prob) < 5 * se, f"P(6 -> {s_next}) = {prob}, got {counts}"


def test_stepper_rejects_use_table_without_a_table():
    with pytest.raises(ValueError, match="no P"):
        EnvStepper(gym.make("Blackjack-v1"), 0, use_table=True)


def test_blackjack_steps_through_the_api_with_flat_states():
    stepper = EnvStepper(gym.make("Blackjack-v1"), 0)
    s = stepper.reset()
    player, dealer, ace = np.unravel_index(s, (32, 11, 2))
    assert not stepper.uses_table and 4 <= player <= 21 and 1 <= dealer <= 10 and ace in (0, 1)
    s_next, r, terminated, _ = stepper.step(0)            # stick ends the game
    assert terminated and r in (-1.0, 0.0, 1.0)


def test_uniform_stream_is_reproducible_across_blocks():
    a = UniformStream(np.random.default_rng(5), block=7)
    b = UniformStream(np.random.default_rng(5))
    assert [a() for _ in range(20)] == [b() for _ in range(20)]


def test_epsilon_greedy_probs_by_hand():
    Q = np.array([[1.0, 3.0, 2.0], [0.0, 0.0, -1.0]])
    expected = np.array([[0.1, 0.8, 0.1], [0.1 + 0.35, 0.1 + 0.35, 0.1]])   # eps/3 = 0.1
    np.testing.assert_allclose(epsilon_greedy_probs(Q, 0.3), expected, rtol=1e-12)
    with pytest.raises(ValueError, match="epsilon"):
        epsilon_greedy_probs(Q, 1.5)
    with pytest.raises(ValueError, match="dimension"):
        epsilon_greedy_probs(Q[0], 0.1)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(-2, 2), min_size=2, max_size=6), st.floats(0, 1))
def test_epsilon_greedy_probs_is_a_distribution(row, eps):
    pi = epsilon_greedy_probs(np.array([row], dtype=float), eps)
    assert np.all(pi >= 0) and abs(pi.sum() - 1) < 1e-12
    assert pi[0, int(np.argmax(row))] >= pi.max() - 1e-12    # greedy actions get the most


def test_epsilon_greedy_action_frequencies_match_the_probabilities():
    row, eps, n = [1.0, 5.0, 5.0, 0.0], 0.2, 40_000
    draw = UniformStream(np.random.default_rng(0))
    freq = np.bincount([epsilon_greedy_action(row, eps, draw) for _ in range(n)], minlength=4) / n
    pi = epsilon_greedy_probs(np.array([row]), eps)[0]    # 0.05, 0.45, 0.45, 0.05
    assert np.all(np.abs(freq - pi) < 5 * np.sqrt(pi * (1 - pi) / n)), (freq, pi)


def test_sample_index_draws_with_the_given_probabilities():
    cdf, n = [0.1, 0.4, 1.0], 30_000
    draw = UniformStream(np.random.default_rng(1))
    freq = np.bincount([sample_index(cdf, draw) for _ in range(n)], minlength=3) / n
    p = np.diff(np.r_[0.0, cdf])
    assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / n)), (freq, p)
    assert sample_index([0.5, 0.999999], lambda: 0.9999995) == 1  # rounding: never past the end
