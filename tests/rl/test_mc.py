"""Monte Carlo prediction and control, checked against hand values and exact DP values."""

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.rl.blackjack import blackjack_grids
from dlbook.rl.dp import policy_evaluation
from dlbook.rl.mc import (
    constant_alpha_mc_prediction,
    every_visit_mc_prediction,
    first_visit_mc_prediction,
    mc_control_epsilon_soft,
    mc_prediction_from_episodes,
    step_returns,
)
from dlbook.rl.tabular import TabularEnv, encode_state

# One non-terminal state that loops with probability p, reward 1 per step (Sutton & Barto,
# exercise 5.5): the episode length L is geometric, and v = E[L] = 1 / (1 - p).
P_LOOP = 0.9
LOOP = {0: {0: [(P_LOOP, 0, 1.0, False), (1 - P_LOOP, 1, 1.0, True)]},
        1: {0: [(1.0, 1, 0.0, True)]}}


def small_mdp():
    """Four states, two actions, stochastic transitions and rewards, state 3 terminal."""
    P = {
        0: {0: [(0.5, 1, 1.0, False), (0.5, 2, -1.0, False)], 1: [(1.0, 3, 2.0, True)]},
        1: {0: [(0.7, 0, 0.5, False), (0.3, 3, 3.0, True)], 1: [(1.0, 2, 0.0, False)]},
        2: {0: [(0.2, 2, 1.0, False), (0.8, 1, -0.5, False)], 1: [(0.6, 3, 1.0, True),
                                                                   (0.4, 0, 0.0, False)]},
        3: {0: [(1.0, 3, 0.0, True)], 1: [(1.0, 3, 0.0, True)]},
    }
    policy = np.array([[0.6, 0.4], [0.5, 0.5], [0.3, 0.7], [0.5, 0.5]])
    return P, policy


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=1, max_size=12), st.floats(0, 1))
def test_step_returns_equal_the_discounted_sums(rewards, gamma):
    T = len(rewards)
    direct = [sum(gamma ** (k - t) * rewards[k] for k in range(t, T)) for t in range(T)]
    np.testing.assert_allclose(step_returns(rewards, gamma), direct, rtol=1e-12, atol=1e-12)


def test_first_and_every_visit_by_hand():
    # state 0 at t = 0 and t = 2, state 1 at t = 1; rewards 1, 2, 3, gamma 1: returns 6, 5, 3
    episode = ([0, 1, 0], [1.0, 2.0, 3.0])
    V, n = mc_prediction_from_episodes([episode], 2, 1.0, first_visit=True)
    assert V.tolist() == [6.0, 5.0] and n.tolist() == [1, 1]
    V, n = mc_prediction_from_episodes([episode], 2, 1.0, first_visit=False)
    assert V.tolist() == [4.5, 5.0] and n.tolist() == [2, 1]


def test_every_visit_is_biased_for_one_episode_first_visit_is_not():
    """On the loop MDP one episode of length L gives FV = L and EV = (L + 1) / 2:
    E[FV] = 10 (= v), E[EV] = (E[L] + 1) / 2 = 5.5."""
    env = TabularEnv(LOOP, [1.0, 0.0])
    fv = first_visit_mc_prediction(env, [0, 0], 1, 1.0, seed=0)
    estimates = np.array([[first_visit_mc_prediction(env, [0, 0], 1, 1.0, seed=k)[0],
                           every_visit_mc_prediction(env, [0, 0], 1, 1.0, seed=k)[0]]
                          for k in range(3000)])
    assert fv[1] == 0.0
    np.testing.assert_allclose(estimates[:, 1], (estimates[:, 0] + 1) / 2)   # EV = (L + 1) / 2
    se = estimates.std(axis=0) / np.sqrt(len(estimates))
    assert abs(estimates[:, 0].mean() - 10.0) < 4 * se[0], "first-visit should be unbiased"
    assert abs(estimates[:, 1].mean() - 5.5) < 4 * se[1], "every-visit mean should be 5.5"


def test_first_and_every_visit_agree_in_the_limit():
    env = TabularEnv(LOOP, [1.0, 0.0])
    fv = first_visit_mc_prediction(env, [0, 0], 20_000, 1.0, seed=1)[0]
    ev = every_visit_mc_prediction(env, [0, 0], 20_000, 1.0, seed=1)[0]
    assert abs(fv - 10) < 0.3 and abs(ev - 10) < 0.3, (fv, ev)


@pytest.mark.parametrize("first_visit", [True, False])
def test_prediction_matches_dynamic_programming_on_a_small_mdp(first_visit):
    P, policy = small_mdp()
    gamma = 0.9
    exact = policy_evaluation(P, policy, gamma)
    # independent check of the oracle: v = (I - gamma P_pi)^-1 r_pi
    T, R = np.zeros((4, 2, 4)), np.zeros((4, 2))
    for s in range(3):
        for a in range(2):
            for p, s2, r, done in P[s][a]:
                T[s, a, s2] += p * (not done)
                R[s, a] += p * r
    P_pi, r_pi = np.einsum("sa,sat->st", policy, T), (policy * R).sum(axis=1)
    np.testing.assert_allclose(exact, np.linalg.solve(np.eye(4) - gamma * P_pi, r_pi), atol=1e-8)
    env = TabularEnv(P, [1 / 3, 1 / 3, 1 / 3, 0.0])       # exploring starts
    fn = first_visit_mc_prediction if first_visit else every_visit_mc_prediction
    V = fn(env, policy, 20_000, gamma, seed=0)
    assert np.max(np.abs(V - exact)) < 0.06, f"MC {V} vs DP {exact}"


def test_constant_alpha_mc_by_hand_and_on_the_loop():
    env = TabularEnv(LOOP, [1.0, 0.0])
    V = constant_alpha_mc_prediction(env, [0, 0], 1, 0.5, 1.0, seed=0, v_init=[2.0, 0.0])
    L = first_visit_mc_prediction(env, [0, 0], 1, 1.0, seed=0)[0]    # same episode: G_0 = L
    v = 2.0
    for G in np.arange(L, 0, -1):                          # every visit, returns L, L-1, ..., 1
        v += 0.5 * (G - v)
    assert V[0] == pytest.approx(v, rel=1e-12)
    hist = []
    V = constant_alpha_mc_prediction(env, [0, 0], 3000, 0.002, 1.0, seed=2, callback=hist.append)
    assert np.array(hist).shape == (3000, 2) and np.array_equal(hist[-1], V)
    assert hist[-1] is not hist[-2], "the callback must get a copy of the values"


def test_mc_control_finds_the_best_arm_and_is_deterministic():
    P = {0: {a: [(1.0, 1, float(a == 2) + 0.1 * a, True)] for a in range(3)},
         1: {a: [(1.0, 1, 0.0, True)] for a in range(3)}}
    env = TabularEnv(P, [1.0, 0.0])
    R1 = []
    Q1 = mc_control_epsilon_soft(env, 300, 1.0, 0.2, seed=4, callback=R1.append)
    Q2 = mc_control_epsilon_soft(env, 300, 1.0, 0.2, seed=4)
    R1 = np.array(R1)
    assert np.array_equal(Q1, Q2)
    np.testing.assert_allclose(Q1[0], [0.0, 0.1, 1.2], atol=1e-12)   # every arm was tried
    assert R1.shape == (300,) and R1.mean() > 1.0


def test_mc_control_first_visit_versus_every_visit_on_a_repeating_pair():
    """With one action the loop MDP repeats (s, a): one episode of length L gives Q = L
    (first visit) or (L + 1) / 2 (every visit)."""
    env = TabularEnv(LOOP, [1.0, 0.0])
    lengths = []
    for seed in range(20):
        q_fv = mc_control_epsilon_soft(env, 1, 1.0, 0.1, seed=seed, first_visit=True)[0, 0]
        q_ev = mc_control_epsilon_soft(env, 1, 1.0, 0.1, seed=seed, first_visit=False)[0, 0]
        assert q_ev == pytest.approx((q_fv + 1) / 2, rel=1e-12), (seed, q_fv, q_ev)
        lengths.append(q_fv)
    assert max(lengths) > 1, "no episode repeated the pair: the test would be vacuous"


def test_mc_control_on_blackjack_learns_the_obvious_cells():
    env = gym.make("Blackjack-v1")
    Q = mc_control_epsilon_soft(env, 30_000, 1.0, 0.1, seed=0)
    V, policy = blackjack_grids(Q)
    assert np.all(policy[0, 20 - 12:] == 0), "should stick on a hard 20 or 21"
    assert np.all(policy[1, 21 - 12] == 0), "should stick on a soft 21"
    for total in (9, 10, 11):                              # hitting cannot bust: hit is better
        idx = encode_state(env.observation_space, (np.full(10, total), np.arange(1, 11),
                                                    np.zeros(10, int)))
        gap = Q[idx, 1].mean() - Q[idx, 0].mean()          # averaged over the dealer's card
        assert gap > 0.1, f"hard {total}: hit - stick = {gap:.3f}, expected clearly positive"
    assert np.all(V <= 1.0) and np.all(V >= -1.0)


@pytest.mark.parametrize("bad, kwargs, err", [
    ("episodes", {"episodes": 0}, ValueError),
    ("gamma", {"gamma": 1.5}, ValueError),
    ("epsilon", {"epsilon": -0.1}, ValueError),
    ("epsilon", {"epsilon": "0.1"}, TypeError),
])
def test_mc_control_validates_its_arguments(bad, kwargs, err):
    args = {"episodes": 10, "gamma": 1.0, "epsilon": 0.1} | kwargs
    with pytest.raises(err, match=bad):
        mc_control_epsilon_soft(TabularEnv(LOOP, [1.0, 0.0]), **args)


def test_prediction_validates_policy_and_env():
    env = TabularEnv(LOOP, [1.0, 0.0])
    with pytest.raises(ValueError, match="shape"):
        first_visit_mc_prediction(env, [0, 0, 0], 10, 1.0)
    with pytest.raises(TypeError, match="Discrete"):
        first_visit_mc_prediction(gym.make("CartPole-v1"), [0], 10, 1.0)
    with pytest.raises(ValueError, match="1-D"):
        mc_prediction_from_episodes([([0, 0], [1.0])], 1, 1.0)
    with pytest.raises(ValueError, match="Blackjack"):
        blackjack_grids(np.zeros((16, 4)))
