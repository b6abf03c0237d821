"""Tic-tac-toe: board logic and the minimax table against an independent recursive oracle.
(The self-play agent and its judges are tested in test_tictactoe_selfplay.py.)"""

import functools

import numpy as np
import pytest

from dlbook.rl.tictactoe import (
    N_CODES,
    WIN_LINES,
    check_board,
    children,
    decode,
    encode,
    minimax_value,
    minimax_values,
    optimal_moves,
    play,
    reachable_codes,
    to_move,
    winner,
)

# --- an independent oracle: plain recursive minimax over tuples, no NumPy, no shared code --

LINES = [(0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6)]


def _won(b, p):
    return any(b[i] == b[j] == b[k] == p for i, j, k in LINES)


@functools.cache
def _oracle(b):
    """Value for X of the tuple board b under perfect play."""
    if _won(b, 1):
        return 1
    if _won(b, -1):
        return -1
    if 0 not in b:
        return 0
    p = 1 if b.count(1) == b.count(-1) else -1
    vals = [_oracle(b[:m] + (p,) + b[m + 1:]) for m in range(9) if b[m] == 0]
    return max(vals) if p == 1 else min(vals)


def _reachable():
    seen, stack = {(0,) * 9}, [(0,) * 9]
    while stack:
        b = stack.pop()
        if _won(b, 1) or _won(b, -1) or 0 not in b:
            continue
        p = 1 if b.count(1) == b.count(-1) else -1
        for m in range(9):
            if b[m] == 0:
                c = b[:m] + (p,) + b[m + 1:]
                if c not in seen:
                    seen.add(c)
                    stack.append(c)
    return seen


# --- board logic ---------------------------------------------------------------------------

def test_winner_finds_every_line_for_both_players_vectorized():
    boards = np.zeros((17, 9), dtype=np.int8)
    for k, line in enumerate(WIN_LINES):
        boards[k, line] = 1
        boards[8 + k, line] = -1
    out = winner(boards)
    assert out.tolist() == [1] * 8 + [-1] * 8 + [0]
    rng = np.random.default_rng(0)
    many = rng.integers(-1, 2, size=(500, 9))
    expected = [1 if _won(tuple(b), 1) and not _won(tuple(b), -1) else
                -1 if _won(tuple(b), -1) and not _won(tuple(b), 1) else 0 for b in many]
    both = [i for i, b in enumerate(many) if _won(tuple(b), 1) and _won(tuple(b), -1)]
    got = winner(many)
    mask = np.ones(500, bool)
    mask[both] = False
    np.testing.assert_array_equal(got[mask], np.array(expected)[mask])


def test_encode_decode_round_trip_on_every_code():
    codes = np.arange(N_CODES)
    np.testing.assert_array_equal(encode(decode(codes)), codes)
    assert int(encode([0, 0, 0, 0, 0, 0, 0, 0, 1])) == 3**8
    assert int(encode([-1, 0, 0, 0, 0, 0, 0, 0, 0])) == 2


def test_reachable_positions_per_ply():
    # The known census: 5,478 legal positions reachable from the empty board.
    counts = [len(c) for c in reachable_codes()]
    assert counts == [1, 9, 72, 252, 756, 1260, 1520, 1140, 390, 78]
    ours = {tuple(b) for c in reachable_codes() for b in decode(c).tolist()}
    assert ours == _reachable()


def test_play_returns_a_new_board_and_children_agree():
    b = np.zeros(9, dtype=np.int8)
    c = play(b, 4)
    assert b.tolist() == [0] * 9 and c[4] == 1 and to_move(c) == -1
    moves, kids = children(int(encode(c)))
    assert 4 not in moves.tolist()
    for m, k in zip(moves, kids):
        assert k == encode(play(c, int(m)))


# --- minimax -------------------------------------------------------------------------------

def test_minimax_table_matches_the_recursive_oracle_everywhere():
    v = minimax_values()
    for b in _reachable():
        assert v[encode(b)] == _oracle(b), f"board {b}"
    assert np.isnan(v[encode([1, 1, 0, 0, 0, 0, 0, 0, 0])]), "unreachable code has a value"


def test_known_positions():
    assert minimax_value(np.zeros(9, int)) == 0  # best play draws
    # X in the centre, O on an edge: X forces a win.
    assert minimax_value([0, -1, 0, 0, 1, 0, 0, 0, 0]) == 1
    # X in a corner: the centre is O's only move that does not lose.
    assert optimal_moves([1, 0, 0, 0, 0, 0, 0, 0, 0]).tolist() == [4]
    # O to move and O can complete the middle row; X cannot stop it in time.
    assert minimax_value([1, 1, 0, -1, -1, 0, 1, 0, 0]) == -1
    assert optimal_moves([1, 1, 0, -1, -1, 0, 1, 0, 0]).tolist() == [5]
    # A fork: X to move takes the centre and threatens both diagonals; the position is won.
    fork = [1, -1, 1, -1, 0, 0, 0, 0, 0]
    assert minimax_value(fork) == 1


def test_optimal_moves_are_exactly_the_value_keeping_ones():
    rng = np.random.default_rng(1)
    codes = np.concatenate(reachable_codes()[:8])
    for code in rng.choice(codes, 300, replace=False):
        b = decode(code)
        if winner(b) != 0:
            continue
        p = int(to_move(b))
        best = optimal_moves(b).tolist()
        legal = np.flatnonzero(b == 0).tolist()
        vals = {m: _oracle(tuple(play(b, m).tolist())) for m in legal}
        target = max(vals.values()) if p == 1 else min(vals.values())
        assert best == sorted(m for m in legal if vals[m] == target), f"board {b.tolist()}"


# --- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: check_board(np.zeros(8, int)), ValueError, r"shape \(9,\)"),
        (lambda: check_board(np.zeros((3, 3), int)), ValueError, r"shape \(9,\)"),
        (lambda: check_board(np.full(9, 0.5)), TypeError, "integers"),
        (lambda: check_board([2, 0, 0, 0, 0, 0, 0, 0, 0]), ValueError, "-1, 0 or 1"),
        (lambda: check_board([1, 1, 0, 0, 0, 0, 0, 0, 0]), ValueError, "2 X and 0 O"),
        (lambda: check_board([-1, 0, 0, 0, 0, 0, 0, 0, 0]), ValueError, "0 X and 1 O"),
        (lambda: play([1, 0, 0, 0, 0, 0, 0, 0, 0], 0), ValueError, "cell 0 is taken"),
        (lambda: play(np.zeros(9, int), 9), ValueError, "move must be <= 8"),
        (lambda: play([1, 1, 1, -1, -1, 0, 0, 0, 0], 5), ValueError, "game is over"),
        (lambda: optimal_moves([1, 1, 1, -1, -1, 0, 0, 0, 0]), ValueError, "game is over"),
        (lambda: decode(N_CODES), ValueError, "codes"),
        (lambda: winner(np.zeros(8)), ValueError, r"\(\.\.\., 9\)"),
    ],
)
def test_bad_input_is_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()
