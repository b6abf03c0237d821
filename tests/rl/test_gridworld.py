"""Gridworld tables: gymnasium's FrozenLake and CliffWalking tables as peers, hand-worked
walls, cliffs and slips, and named errors for bad maps."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from dlbook.rl.gridworld import CLIFF_WALKING_LAYOUT, CLIFF_WALKING_MOVES, gridworld
from dlbook.rl.mdp import transition_arrays


# ------------------------------------------------------------------------ gridworld vs gymnasium
@pytest.mark.parametrize("name", ["FrozenLake-v1", "FrozenLake8x8-v1"])
@pytest.mark.parametrize("slippery", [True, False])
def test_gridworld_rebuilds_frozen_lake(name, slippery):
    env = gym.make(name, is_slippery=slippery).unwrapped
    layout = ["".join(row) for row in env.desc.astype(str)]
    S = len(layout) * len(layout[0])
    ours = transition_arrays(gridworld(layout, slip=2 / 3 if slippery else 0.0), S, 4)
    theirs = transition_arrays(env.P, S, 4)
    for field, a, b in zip("TRD", ours, theirs):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-15, err_msg=f"{name} {field} differs")


@pytest.mark.parametrize("slippery", [False, True])
def test_gridworld_rebuilds_cliff_walking(slippery):
    env = gym.make("CliffWalking-v1", is_slippery=slippery).unwrapped
    P = gridworld(CLIFF_WALKING_LAYOUT, slip=2 / 3 if slippery else 0.0, step_reward=-1.0,
                  goal_reward=-1.0, moves=CLIFF_WALKING_MOVES)
    ours, theirs = transition_arrays(P, 48, 4), transition_arrays(env.P, 48, 4)
    # gymnasium lets the (never visited) goal state 47 move on; ours absorbs: compare the rest
    for field, a, b in zip("TRD", ours, theirs):
        # (1 - 2/3 and 1/3 differ in the last bit: -100/3 sums round differently)
        np.testing.assert_allclose(a[:47], b[:47], rtol=0, atol=1e-13, err_msg=f"{field} differs")


def test_gridworld_walls_cliffs_and_slip():
    P = gridworld(["S#G", ".CH"], slip=0.5, step_reward=-1.0, cliff_reward=-50.0,
                  hole_reward=-5.0)
    # state 0 moving right hits the wall (stays); its slips go down (to 3) and up (stays)
    assert sorted(P[0][2]) == [(0.25, 0, -1.0, False), (0.25, 3, -1.0, False),
                               (0.5, 0, -1.0, False)]
    # state 3 moving right enters the cliff at 4: back to S with -50, episode goes on
    assert (0.5, 0, -50.0, False) in P[3][2]
    # state 4 moving right falls into the hole at 5: terminates with -5
    assert (0.5, 5, -5.0, True) in P[4][2]
    assert P[1][0] == [(1.0, 1, 0.0, True)] and P[2][3] == [(1.0, 2, 0.0, True)]


@pytest.mark.parametrize("kwargs, match", [
    (dict(layout=["S.", "."]), "equal length"),
    (dict(layout=["SX"]), "unknown cells"),
    (dict(layout=["SG"], slip=1.5), "slip must be in"),
    (dict(layout=[".C"]), "exactly one S"),
    (dict(layout=["SG"], moves=((0, 1), (0, -1), (1, 0), (-1, 0))), "perpendicular"),
])
def test_bad_gridworlds_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gridworld(**kwargs)
