"""Blackjack as a table: checked against gymnasium's dealer and against the textbook policy."""

import gymnasium as gym
import numpy as np
import pytest

from dlbook.rl.blackjack import BLACKJACK_CARDS, blackjack_grids, blackjack_table
from dlbook.rl.dp import value_iteration
from dlbook.rl.tabular import encode_state


def test_card_probabilities_and_table_rows():
    assert abs(sum(BLACKJACK_CARDS.values()) - 1) < 1e-12 and BLACKJACK_CARDS[10] == 4 / 13
    P = blackjack_table()
    assert len(P) == 704
    totals = [sum(p for p, *_ in P[s][a]) for s in P for a in (0, 1)]
    np.testing.assert_allclose(totals, 1.0, atol=1e-12)
    soft_21 = int(encode_state(gym.make("Blackjack-v1").observation_space, (21, 5, 1)))
    # hitting a soft 21 never busts: the ace drops to 1 (e.g. + 10 -> hard 21)
    assert all(r == 0.0 and not done for _, _, r, done in P[soft_21][1])


# Sutton & Barto (2018), Figure 5.2, the optimal Blackjack policy (rows: player sum 12..21,
# columns: dealer A, 2..10; H = hit, S = stick), typed from the book.
SB_POLICY = {
    "usable ace": ["HHHHHHHHHH"] * 6 + ["HSSSSSSSHH"] + ["SSSSSSSSSS"] * 3,
    "no usable ace": ["HHHSSSHHHH"] + ["HSSSSSHHHH"] * 4 + ["SSSSSSSSSS"] * 5,
}


def test_blackjack_table_solved_by_value_iteration_gives_the_textbook_policy():
    P = blackjack_table()
    V, pi = value_iteration(P, 704, 2, 1.0)
    _, grid = blackjack_grids(np.eye(2)[pi])              # one-hot Q: the greedy action is pi
    for ace, name in ((1, "usable ace"), (0, "no usable ace")):
        got = ["".join("H" if a == 1 else "S" for a in row) for row in grid[ace]]
        assert got == SB_POLICY[name], f"{name}: {got}"


@pytest.mark.parametrize("player, dealer", [([10, 8], 10), ([10, 6], 6), ([1, 7], 1),
                                            ([9, 10], 3)])
def test_blackjack_table_stick_reward_matches_gymnasium(player, dealer):
    """Expected reward of sticking, table vs 8,000 dealer play-outs of gymnasium's env."""
    env = gym.make("Blackjack-v1").unwrapped
    env.reset(seed=0)
    rewards = []
    for _ in range(8000):
        env.player, env.dealer = list(player), [dealer, int(env.np_random.choice(
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10]))]
        rewards.append(env.step(0)[1])
    soft = int(1 in player and sum(player) + 10 <= 21)
    total = sum(player) + 10 * soft
    s = int(encode_state(env.observation_space, (total, dealer, soft)))
    exact = sum(p * r for p, _, r, _ in blackjack_table()[s][0])
    se = np.std(rewards) / np.sqrt(len(rewards))
    assert abs(np.mean(rewards) - exact) < 4.5 * se, \
        f"simulated {np.mean(rewards):.4f}, table {exact:.4f}"
