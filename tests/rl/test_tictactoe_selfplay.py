"""Tic-tac-toe self-play: the exhaustive judge, the trained agent's record against perfect,
arbitrary and random opponents, determinism, and saving the value table."""

import os

import numpy as np
import pytest

from dlbook.rl.tictactoe import N_CODES, children, minimax_values, optimal_moves
from dlbook.rl.tictactoe_selfplay import (
    greedy_policy,
    load_values,
    match_stats,
    outcomes_vs_minimax,
    play_game,
    random_policy,
    save_values,
    train_self_play,
)

# --- the exhaustive judge --------------------------------------------------------------------

def test_exhaustive_check_catches_a_weak_policy():
    first_free = lambda b: int(np.flatnonzero(b == 0)[0])  # noqa: E731
    assert outcomes_vs_minimax(first_free, 1)["loss"] > 0
    assert outcomes_vs_minimax(first_free, -1)["loss"] > 0
    perfect = lambda b: int(optimal_moves(b)[-1])  # noqa: E731
    for side in (1, -1):
        res = outcomes_vs_minimax(perfect, side)
        assert res["loss"] == 0 and res["win"] == 0 and res["draw"] > 0


# --- the self-play agent -------------------------------------------------------------------

@pytest.fixture(scope="module")
def trained():
    return train_self_play(games=30_000, alpha=0.5, epsilon=0.2, seed=0)


def test_trained_agent_never_loses_to_perfect_play(trained):
    agent = greedy_policy(trained)
    as_x = outcomes_vs_minimax(agent, 1)
    as_o = outcomes_vs_minimax(agent, -1)
    assert as_x["loss"] == 0, f"as X: {as_x}"
    assert as_o["loss"] == 0, f"as O: {as_o}"
    assert as_o["draw"] > 100, "the tree over minimax's choices should have many lines"


def test_trained_agent_never_loses_to_any_opponent(trained):
    agent = greedy_policy(trained)
    anyone = lambda b: np.flatnonzero(b == 0)  # noqa: E731  every legal reply, good or bad
    for side in (1, -1):
        res = outcomes_vs_minimax(agent, side, opponent_moves=anyone)
        assert res["loss"] == 0, f"agent as {'X' if side == 1 else 'O'}: {res}"
        assert res["win"] > 0


def test_trained_agent_beats_a_random_player(trained):
    agent = greedy_policy(trained)
    rng = np.random.default_rng(123)
    as_x = match_stats(agent, random_policy(rng), 500, 1)
    as_o = match_stats(agent, random_policy(rng), 500, -1)
    assert as_x["loss"] == 0 and as_o["loss"] == 0
    assert as_x["win"] > 0.9 and as_o["win"] > 0.6, (as_x, as_o)


def test_learned_values_approach_the_game_values(trained):
    # After X's first move (visited in every game) V is X's result, and every opening draws.
    v = minimax_values()
    kids = children(0)[1]
    assert (v[kids] == 0).all()
    np.testing.assert_allclose(trained[kids], v[kids], atol=0.2)


def test_training_is_deterministic():
    np.testing.assert_array_equal(train_self_play(300, seed=5), train_self_play(300, seed=5))
    assert not np.array_equal(train_self_play(300, seed=5), train_self_play(300, seed=6))


# --- saving and loading --------------------------------------------------------------------

def test_values_round_trip(tmp_path, trained):
    path = tmp_path / "v.npz"
    save_values(path, trained)
    np.testing.assert_array_equal(load_values(path), trained)
    assert os.listdir(tmp_path) == ["v.npz"]


def test_load_refuses_pickles_and_wrong_tables(tmp_path):
    np.savez(tmp_path / "obj.npz", values=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="(?i)pickle"):
        load_values(tmp_path / "obj.npz")
    np.savez(tmp_path / "short.npz", values=np.zeros(10))
    with pytest.raises(ValueError, match="19683"):
        load_values(tmp_path / "short.npz")
    np.savez(tmp_path / "other.npz", weights=np.zeros(N_CODES))
    with pytest.raises(ValueError, match="'values'"):
        load_values(tmp_path / "other.npz")


# --- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: train_self_play(10, alpha=0.0), ValueError, "alpha"),
        (lambda: train_self_play(-1), ValueError, "games"),
        (lambda: greedy_policy(np.zeros(10)), ValueError, "19683"),
        (lambda: match_stats(None, None, 10, 0), ValueError, "agent_plays"),
        (lambda: outcomes_vs_minimax(None, 2), ValueError, "agent_plays"),
        (lambda: play_game(lambda b: 0, lambda b: 0), ValueError, "illegal move 0"),
        (lambda: save_values("x.npz", np.full(N_CODES, np.nan)), ValueError, "finite"),
    ],
)
def test_bad_input_is_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_play_game_leaves_the_callers_board_alone():
    start = np.array([1, -1, 0, 0, 0, 0, 0, 0, 0], dtype=np.int8)
    first_free = lambda b: int(np.flatnonzero(b == 0)[0])  # noqa: E731
    assert play_game(first_free, first_free, start) in (1, -1, 0)
    assert start.tolist() == [1, -1, 0, 0, 0, 0, 0, 0, 0]


def test_training_in_chunks_equals_one_run():
    rng = np.random.default_rng(9)
    V = None
    for _ in range(3):
        V = train_self_play(200, seed=rng, V=V)
    np.testing.assert_array_equal(V, train_self_play(600, seed=9))
    start = train_self_play(50, seed=1)
    before = start.copy()
    train_self_play(50, seed=2, V=start)
    np.testing.assert_array_equal(start, before)  # the table passed in is not modified
