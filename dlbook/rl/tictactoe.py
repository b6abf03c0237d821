r"""Tic-tac-toe: vectorized board logic and an exhaustive minimax solution.

A board is an integer array of shape (9,) read row by row, with ``1`` for X, ``-1`` for O and
``0`` for an empty cell; X moves first, so X is to move when both have played equally often.
Each board has a base-3 code :math:`c = \sum_i d_i 3^i` (digit :math:`d_i` = 0 empty, 1 X,
2 O), so a table of :math:`3^9 = 19683` entries holds one number per board. Playing X on
cell :math:`m` adds :math:`3^m` to the code, playing O adds :math:`2 \cdot 3^m`.

:func:`minimax_values` solves the game once, by backward induction over every reachable
position; :func:`optimal_moves` lists the moves that keep a position's value. The self-play
learner, the judge that plays it against every line of perfect play, and matches against a
random player live in :mod:`dlbook.rl.tictactoe_selfplay`.

See Also
--------
dlbook.rl.tictactoe_selfplay : the self-play learner and its judges.
:ref:`ch-tictactoe` : the chapter.
"""

from __future__ import annotations

import functools

import numpy as np

from dlbook._checks import int_value

__all__ = [
    "WIN_LINES", "N_CODES", "check_board", "winner", "to_move", "encode", "decode", "play",
    "code_tables", "children", "reachable_codes", "minimax_values", "minimax_value",
    "optimal_moves",
]

#: The 8 winning lines (rows, columns, diagonals) as cell indices, shape (8, 3).
WIN_LINES = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8],
                      [0, 4, 8], [2, 4, 6]])
N_CODES = 3**9
_POWERS = 3 ** np.arange(9)  # (9,)


def check_board(board) -> np.ndarray:
    """Validate a board and return it as a fresh int8 array of shape (9,).

    Raises
    ------
    TypeError
        If the entries are not integers.
    ValueError
        If the shape is not (9,), an entry is not -1, 0 or 1, or the piece counts are
        impossible (X must have as many pieces as O, or one more).

    Examples
    --------
    >>> check_board([1, 0, 0, 0, -1, 0, 0, 0, 0])
    array([ 1,  0,  0,  0, -1,  0,  0,  0,  0], dtype=int8)
    """
    b = np.asarray(board)
    if b.shape != (9,):
        raise ValueError(f"a board has shape (9,), got {b.shape}")
    if not (np.issubdtype(b.dtype, np.integer) or b.dtype == bool):
        raise TypeError(f"board entries must be integers, got dtype {b.dtype}")
    if not np.isin(b, (-1, 0, 1)).all():
        raise ValueError(f"board entries must be -1, 0 or 1, got {sorted(set(b.tolist()))}")
    n_x, n_o = int((b == 1).sum()), int((b == -1).sum())
    if n_x - n_o not in (0, 1):
        raise ValueError(f"impossible piece counts: {n_x} X and {n_o} O (X moves first)")
    return b.astype(np.int8)


def winner(boards) -> np.ndarray:
    r"""Who has three in a row: 1 (X), -1 (O) or 0 (nobody), for one board or a stack.

    Parameters
    ----------
    boards : array of shape (..., 9)

    Returns
    -------
    ndarray of shape (...,), int8
        Line sums :math:`\sum_{i \in \ell} b_i` of :math:`\pm 3` mark a winner.

    Examples
    --------
    >>> winner(np.array([[1, 1, 1, -1, -1, 0, 0, 0, 0], [0] * 9]))
    array([1, 0], dtype=int8)
    """
    b = np.asarray(boards)
    if b.shape[-1:] != (9,):
        raise ValueError(f"boards must have shape (..., 9), got {b.shape}")
    sums = b[..., WIN_LINES].sum(axis=-1)  # (..., 8)
    return ((sums == 3).any(axis=-1).astype(np.int8) - (sums == -3).any(axis=-1).astype(np.int8))


def to_move(boards) -> np.ndarray:
    """The player to move, 1 (X) or -1 (O), from the piece counts; shape (...,).

    Examples
    --------
    >>> int(to_move(np.zeros(9, int))), int(to_move([1, 0, 0, 0, 0, 0, 0, 0, 0]))
    (1, -1)
    """
    b = np.asarray(boards)
    return np.where(b.sum(axis=-1) == 0, 1, -1).astype(np.int8)


def encode(boards) -> np.ndarray:
    r"""Base-3 codes :math:`\sum_i (b_i \bmod 3)\,3^i` of boards of shape (..., 9).

    Examples
    --------
    >>> int(encode([1, 0, 0, 0, 0, 0, 0, 0, -1]))  # 1*3**0 + 2*3**8
    13123
    """
    return ((np.asarray(boards, dtype=np.int64) % 3) * _POWERS).sum(axis=-1)


def decode(codes) -> np.ndarray:
    """Boards of shape (..., 9), int8, from base-3 codes (the inverse of :func:`encode`).

    Examples
    --------
    >>> decode(13123)
    array([ 1,  0,  0,  0,  0,  0,  0,  0, -1], dtype=int8)
    """
    c = np.asarray(codes, dtype=np.int64)
    if ((c < 0) | (c >= N_CODES)).any():
        raise ValueError(f"codes must lie in [0, {N_CODES}), got {c.min()}..{c.max()}")
    digits = (c[..., None] // _POWERS) % 3  # (..., 9) in {0, 1, 2}
    return np.where(digits == 2, -1, digits).astype(np.int8)


def play(board, move: int) -> np.ndarray:
    """Return a new board with the player to move on cell ``move``; the input is unchanged.

    Raises
    ------
    ValueError
        If the game is over, ``move`` is not in 0..8 or the cell is taken.

    Examples
    --------
    >>> play(np.zeros(9, int), 4)
    array([0, 0, 0, 0, 1, 0, 0, 0, 0], dtype=int8)
    """
    b = check_board(board)
    move = int_value(move, "move", low=0, high=8)
    if winner(b) != 0 or (b != 0).all():
        raise ValueError(f"the game is over on board {b.tolist()}")
    if b[move] != 0:
        raise ValueError(f"cell {move} is taken on board {b.tolist()}")
    b[move] = to_move(b)
    return b


@functools.cache
def code_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All 3**9 boards, their winners, and the child code of every (board, cell) pair or -1.

    Computed once (cached) and read-only; the self-play learner indexes the same arrays.

    Returns
    -------
    boards : ndarray of int8, shape (19683, 9)
    wins : ndarray of shape (19683,)
        :func:`winner` of each board.
    kids : ndarray of shape (19683, 9)
        The code after the player to move takes cell ``m``, or -1 where that is illegal.

    Examples
    --------
    >>> boards, wins, kids = code_tables()
    >>> kids[0, :3].tolist(), int(wins[encode([1, 1, 1, -1, -1, 0, 0, 0, 0])])
    ([1, 3, 9], 1)
    """
    boards = decode(np.arange(N_CODES))  # (19683, 9)
    wins = winner(boards)  # (19683,)
    over = (wins != 0) | (boards != 0).all(axis=1)  # (19683,)
    digit = np.where(to_move(boards) == 1, 1, 2)  # (19683,) digit of the player to move
    kids = np.arange(N_CODES)[:, None] + digit[:, None] * _POWERS  # (19683, 9)
    kids = np.where((boards == 0) & ~over[:, None], kids, -1)
    for a in (boards, wins, kids):
        a.setflags(write=False)
    return boards, wins, kids


def children(code: int) -> tuple[np.ndarray, np.ndarray]:
    """Legal moves from the board with this code and the codes they lead to.

    Examples
    --------
    >>> moves, kids = children(0)  # the empty board: X may play anywhere
    >>> moves.tolist(), kids[:3].tolist()
    ([0, 1, 2, 3, 4, 5, 6, 7, 8], [1, 3, 9])
    """
    row = code_tables()[2][code]  # (9,)
    moves = np.flatnonzero(row >= 0)
    return moves, row[moves]


@functools.cache
def reachable_codes() -> tuple[np.ndarray, ...]:
    """Codes of every position reachable from the empty board, one sorted array per ply 0..9.

    Examples
    --------
    >>> [len(c) for c in reachable_codes()][:3], sum(len(c) for c in reachable_codes())
    ([1, 9, 72], 5478)
    """
    kids = code_tables()[2]
    plies = [np.array([0])]
    for _ in range(9):
        nxt = kids[plies[-1]].ravel()  # (k*9,)
        plies.append(np.unique(nxt[nxt >= 0]))
    return tuple(plies)


@functools.cache
def minimax_values() -> np.ndarray:
    r"""The game value (for X: +1 win, 0 draw, -1 loss under perfect play) of every reachable code.

    Computed once, exhaustively, by backward induction from the last ply to the first:
    :math:`v(b) = \mathrm{winner}(b)` for a finished game, else
    :math:`\max_{b'} v(b')` if X is to move and :math:`\min_{b'} v(b')` if O is. Unreachable
    codes hold NaN. The result is cached (memoized) and read-only.

    Examples
    --------
    >>> v = minimax_values()
    >>> float(v[0])  # the empty board: a draw with best play
    0.0
    """
    boards, wins, kids = code_tables()
    v = np.full(N_CODES, np.nan)
    for codes in reversed(reachable_codes()):
        k = kids[codes]  # (n, 9), -1 where illegal
        legal = k >= 0  # (n, 9)
        child_v = v[np.where(legal, k, 0)]  # (n, 9); the next ply is already filled in
        best = np.where(to_move(boards[codes]) == 1,
                        np.where(legal, child_v, -np.inf).max(axis=1),  # X maximizes
                        np.where(legal, child_v, np.inf).min(axis=1))  # O minimizes
        over = ~legal.any(axis=1)
        v[codes] = np.where(over, wins[codes], best)
    v.setflags(write=False)
    return v


def minimax_value(board) -> int:
    """Perfect-play value of a position for X: 1, 0 or -1.

    Examples
    --------
    >>> minimax_value([1, 1, 0, -1, -1, 0, 0, 0, 0])  # X to move completes the top row
    1
    """
    return int(minimax_values()[encode(check_board(board))])


def optimal_moves(board) -> np.ndarray:
    """Every move that keeps the perfect-play value for the player to move (sorted).

    Examples
    --------
    >>> optimal_moves([1, 1, 0, -1, -1, 0, 0, 0, 0]).tolist()  # only the winning cell
    [2]
    >>> len(optimal_moves(np.zeros(9, int)))  # every opening move still draws
    9
    """
    b = check_board(board)
    code = int(encode(b))
    moves, kids = children(code)
    if len(moves) == 0:
        raise ValueError(f"the game is over on board {b.tolist()}")
    v = minimax_values()
    return moves[v[kids] == v[code]]
