r"""Tic-tac-toe by self-play: an afterstate-value learner, its judges, and saving it.

The learner keeps one *afterstate value* per board code (see :mod:`dlbook.rl.tictactoe` for
the boards and their base-3 codes): the expected final result, for the player who has just
moved, of the position after their move. Self-play updates it by

.. math:: V(b) \leftarrow V(b) + \alpha\Bigl(-\max_{b'} V(b') - V(b)\Bigr),

where :math:`b'` runs over the positions the opponent can reach from :math:`b`: the opponent's
best result is the negative of ours (a zero-sum game), so this is Q-learning's max target with
the sign flipped at each ply. Finished positions keep their exact value: +1 (the mover won)
or 0 (draw).

:func:`outcomes_vs_minimax` judges a trained player exhaustively against every line of perfect
play; :func:`match_stats` plays it against other players, such as :func:`random_policy`.

See Also
--------
dlbook.rl.tictactoe : the board logic and the minimax solution used here.
:ref:`ch-tictactoe` : the chapter.
:ref:`ch-td` : the Q-learning chapter, whose target this mirrors.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import int_value, one_of, positive_int, probability
from dlbook.io import atomic_write
from dlbook.rl.tictactoe import (
    N_CODES,
    check_board,
    children,
    code_tables,
    encode,
    optimal_moves,
    play,
    to_move,
    winner,
)

__all__ = [
    "train_self_play", "greedy_policy", "random_policy", "play_game", "match_stats",
    "outcomes_vs_minimax", "save_values", "load_values",
]


def _terminal_afterstate_values() -> np.ndarray:
    """Initial table: +1 where the player who just moved has won, 0 everywhere else."""
    boards, wins, _ = code_tables()
    mover = -to_move(boards)  # (19683,) the player who made the last move
    return (wins == mover).astype(np.float64)


def train_self_play(games: int = 30_000, alpha: float = 0.5, epsilon: float = 0.2,
                    seed=0, V: np.ndarray | None = None) -> np.ndarray:
    r"""Learn afterstate values by playing ``games`` games against itself.

    Both sides share one table and play :math:`\varepsilon`-greedily (ties broken at
    random). Before each move, the opponent's last afterstate :math:`b` is updated towards
    :math:`-\max_{b'} V(b')` over the positions the mover can now reach (see the module
    notes); exploratory moves do not bias the target because it uses the max.

    Parameters
    ----------
    games : int
    alpha : float in (0, 1]
        Step size.
    epsilon : float in [0, 1]
        Probability of a random legal move.
    seed : int or numpy.random.Generator
        Passing the same generator to successive calls continues one random stream, so
        ``k`` calls of ``n`` games equal one call of ``k * n`` games.
    V : ndarray of shape (19683,), optional
        A table to continue training from (it is copied, not modified).

    Returns
    -------
    ndarray of shape (19683,), float64
        :math:`V(b)` for every code: the learned result, for the player who just moved.

    Examples
    --------
    >>> V = train_self_play(games=200, seed=0)
    >>> V.shape, float(V[encode([1, 1, 1, -1, -1, 0, 0, 0, 0])])  # X just won: exactly +1
    ((19683,), 1.0)
    """
    games = int_value(games, "games", low=0)
    alpha = probability(alpha, "alpha", low_open=True)
    epsilon = probability(epsilon, "epsilon")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    if V is None:
        V = _terminal_afterstate_values()
    else:
        V = np.array(V, dtype=np.float64)  # a copy
        if V.shape != (N_CODES,):
            raise ValueError(f"V must have shape ({N_CODES},), got {V.shape}")
    kids_table = code_tables()[2]
    for _ in range(games):
        u = rng.random((9, 2))  # per ply: explore?, which move (drawn up front: faster)
        code, last, ply = 0, -1, 0  # empty board; no afterstate yet
        while True:
            row = kids_table[code]  # (9,)
            kids = row[row >= 0]  # the mover's possible afterstates
            if len(kids) == 0:  # the game is over
                break
            values = V[kids]
            best = values.max()
            if last >= 0:  # the opponent's afterstate is worth minus our best
                V[last] += alpha * (-best - V[last])
            pool = kids if u[ply, 0] < epsilon else kids[values == best]
            code = last = int(pool[int(u[ply, 1] * len(pool))])
            ply += 1
    return V


def greedy_policy(V: np.ndarray):
    """A deterministic player: the move whose afterstate is worth most (lowest cell on ties).

    Examples
    --------
    >>> V = np.zeros(19683); V[encode([0, 0, 0, 0, 1, 0, 0, 0, 0])] = 1.0
    >>> greedy_policy(V)(np.zeros(9, int))
    4
    """
    V = np.asarray(V, dtype=np.float64)
    if V.shape != (N_CODES,):
        raise ValueError(f"V must have shape ({N_CODES},), got {V.shape}")

    def policy(board) -> int:
        moves, kids = children(int(encode(board)))
        return int(moves[np.argmax(V[kids])])

    return policy


def random_policy(rng: np.random.Generator):
    """A player choosing uniformly among the legal moves.

    Examples
    --------
    >>> move = random_policy(np.random.default_rng(0))(np.zeros(9, int))
    >>> 0 <= move <= 8
    True
    """
    def policy(board) -> int:
        empty = np.flatnonzero(np.asarray(board) == 0)
        return int(empty[rng.integers(len(empty))])

    return policy


def play_game(x_policy, o_policy, board=None) -> int:
    """Play to the end and return the winner: 1 (X), -1 (O) or 0 (draw).

    Examples
    --------
    >>> first_free = lambda b: int(np.flatnonzero(np.asarray(b) == 0)[0])
    >>> play_game(first_free, first_free)  # X fills 0, 2, 4, 6: a diagonal
    1
    """
    b = check_board(np.zeros(9, np.int8) if board is None else board)
    player = int(to_move(b))
    while winner(b) == 0 and (b == 0).any():
        move = (x_policy if player == 1 else o_policy)(b.copy())
        if not (isinstance(move, (int, np.integer)) and 0 <= move < 9 and b[move] == 0):
            raise ValueError(f"illegal move {move!r} on board {b.tolist()}")
        b[move] = player  # b is our own copy: the caller's board is untouched
        player = -player
    return int(winner(b))


def match_stats(policy, opponent, games: int, agent_plays: int) -> dict[str, float]:
    """Win, draw and loss rates of ``policy`` over ``games`` games as X (1) or O (-1).

    Examples
    --------
    >>> first_free = lambda b: int(np.flatnonzero(np.asarray(b) == 0)[0])
    >>> match_stats(first_free, first_free, games=3, agent_plays=1)
    {'win': 1.0, 'draw': 0.0, 'loss': 0.0}
    """
    agent_plays = one_of(agent_plays, "agent_plays", (1, -1))
    games = positive_int(games, "games")
    pair = (policy, opponent) if agent_plays == 1 else (opponent, policy)
    results = np.array([play_game(*pair) for _ in range(games)]) * agent_plays
    return {k: float(np.mean(results == r)) for k, r in (("win", 1), ("draw", 0), ("loss", -1))}


def outcomes_vs_minimax(policy, agent_plays: int, opponent_moves=None) -> dict[str, int]:
    """Play ``policy`` against every line of perfect play and count the results.

    Wherever the minimax player has several equally good moves, every one of them is
    explored, so the counts cover the whole tree of games a perfect opponent can produce
    against this (deterministic) policy. ``opponent_moves(board)`` replaces
    :func:`~dlbook.rl.tictactoe.optimal_moves` as the set of opponent moves to branch on;
    pass ``lambda b: np.flatnonzero(b == 0)`` to face every possible opponent.

    Returns
    -------
    dict
        ``{"win": n, "draw": n, "loss": n}`` from the policy's side, one count per line of play.

    Examples
    --------
    >>> perfect = lambda b: int(optimal_moves(b)[0])
    >>> outcomes_vs_minimax(perfect, agent_plays=1)["loss"]
    0
    """
    agent_plays = one_of(agent_plays, "agent_plays", (1, -1))
    branch = optimal_moves if opponent_moves is None else opponent_moves
    counts = {"win": 0, "draw": 0, "loss": 0}
    names = {1: "win", 0: "draw", -1: "loss"}

    def visit(b: np.ndarray) -> None:
        w = int(winner(b))
        if w != 0 or (b != 0).all():
            counts[names[w * agent_plays]] += 1
        elif to_move(b) == agent_plays:
            visit(play(b, policy(b.copy())))
        else:
            for m in branch(b):
                visit(play(b, int(m)))

    visit(np.zeros(9, np.int8))
    return counts


def save_values(path, V: np.ndarray) -> None:
    """Save a value table as ``.npz`` atomically (temp file, then rename); no pickle.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "v.npz"
    >>> save_values(p, np.zeros(19683)); float(load_values(p).sum())
    0.0
    """
    V = np.asarray(V, dtype=np.float64)
    if V.shape != (N_CODES,) or not np.isfinite(V).all():
        raise ValueError(f"V must be finite with shape ({N_CODES},), got shape {V.shape}")
    atomic_write(path, lambda f: np.savez(f, values=V))


def load_values(path) -> np.ndarray:
    """Load a table written by :func:`save_values` (``allow_pickle=False``) and check it.

    Raises
    ------
    ValueError
        If the file holds no ``values`` array, an object array (pickle), or a table of the
        wrong shape, dtype or with non-finite entries.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "v.npz"
    >>> save_values(p, np.full(19683, 0.5)); load_values(p)[:3]
    array([0.5, 0.5, 0.5])
    """
    with np.load(path, allow_pickle=False) as data:
        if "values" not in data.files:
            raise ValueError(f"{path} holds {data.files}, expected 'values'")
        V = data["values"]
    if V.shape != (N_CODES,) or V.dtype != np.float64 or not np.isfinite(V).all():
        raise ValueError(f"{path}: expected {N_CODES} finite float64 values, got "
                         f"shape {V.shape}, dtype {V.dtype}")
    return V
