r"""Gridworlds in gymnasium's table format, built from a map of characters.

:func:`gridworld` turns a map such as ``["S..G", ".#.H"]`` (start, free floor, wall, goal,
hole, cliff) into the table ``P[s][a] = [(prob, next_state, reward, terminated), ...]`` that
gymnasium's toy-text environments expose, optionally with slippery floors. With the right
parameters it rebuilds FrozenLake's and CliffWalking's tables exactly; the Russell and Norvig
:math:`3 \times 4` world and Sutton and Barto's small gridworld are other maps.

See Also
--------
dlbook.rl.mdp : turns the table into dense arrays and applies the Bellman backups.
:ref:`ch-mdp` : the chapter.
"""

from __future__ import annotations

import numpy as np

__all__ = ["gridworld", "GRID_MOVES", "CLIFF_WALKING_MOVES", "CLIFF_WALKING_LAYOUT"]

#: (row, column) step of each action in FrozenLake and :func:`gridworld`: left, down, right, up.
GRID_MOVES = ((0, -1), (1, 0), (0, 1), (-1, 0))
#: CliffWalking's actions: up, right, down, left.
CLIFF_WALKING_MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))
#: The map of gymnasium's CliffWalking-v1 in :func:`gridworld`'s characters.
CLIFF_WALKING_LAYOUT = ("............", "............", "............", "SCCCCCCCCCCG")


def gridworld(layout, *, slip=0.0, step_reward=0.0, goal_reward=1.0, hole_reward=0.0,
              cliff_reward=-100.0, moves=GRID_MOVES):
    r"""A gridworld in gymnasium's table format, states numbered row by row.

    Parameters
    ----------
    layout : sequence of str
        Equal-length rows of cells: ``S`` start, ``.`` or ``F`` free, ``G`` goal (terminal),
        ``H`` hole (terminal), ``C`` cliff (entering it costs ``cliff_reward`` and sends the
        agent back to ``S`` without ending the episode), ``#`` wall (cannot be entered).
    slip : float in [0, 1], optional
        The agent moves as intended with probability ``1 - slip`` and to each side
        (perpendicular) with probability ``slip / 2``.  FrozenLake's slippery ice is ``2/3``.
    step_reward, goal_reward, hole_reward, cliff_reward : float, optional
        Reward for entering a free (or start) cell, a goal, a hole, a cliff.  Bumping into the
        edge or a wall keeps the agent in place and pays ``step_reward``.
    moves : four (drow, dcol) unit steps, optional
        The move of each action, in turn order so that actions ``a - 1`` and ``a + 1`` (mod 4)
        are the sideways slips of ``a``: :data:`GRID_MOVES` (FrozenLake's left, down, right, up,
        the default) or :data:`CLIFF_WALKING_MOVES` (up, right, down, left).

    Returns
    -------
    dict
        ``P[s][a] = [(prob, next_state, reward, terminated), ...]``, action ``a`` moving by
        ``moves[a]``.  Goals, holes and walls are absorbing:
        ``[(1.0, s, 0.0, True)]`` for every action, as in FrozenLake.

    Raises
    ------
    ValueError
        On ragged rows, unknown characters, ``slip`` outside [0, 1], or cliffs without one ``S``.

    Notes
    -----
    With FrozenLake's map, ``slip=2/3``, ``step_reward=0`` and ``goal_reward=1`` the table equals
    gymnasium's; with :data:`CLIFF_WALKING_LAYOUT` and ``step_reward=goal_reward=-1`` it equals
    CliffWalking-v1's (tests check both).

    See Also
    --------
    dlbook.rl.mdp.transition_arrays : turns the table into arrays. Chapter :ref:`ch-mdp`.

    Examples
    --------
    >>> P = gridworld(["SG"], step_reward=-1.0, goal_reward=0.0)
    >>> P[0][2], P[0][0], P[1][0]
    ([(1.0, 1, 0.0, True)], [(1.0, 0, -1.0, False)], [(1.0, 1, 0.0, True)])
    """
    rows = [str(r) for r in layout]
    if not rows or len({len(r) for r in rows}) != 1 or len(rows[0]) == 0:
        raise ValueError(f"layout must be non-empty rows of equal length, got lengths "
                         f"{[len(r) for r in rows]}")
    grid = np.array([list(r) for r in rows])  # (n_rows, n_cols) of single characters
    unknown = set(grid.ravel()) - set("S.FGHC#")
    if unknown:
        raise ValueError(f"unknown cells {sorted(unknown)} in layout; use S . F G H C #")
    if not 0.0 <= slip <= 1.0:
        raise ValueError(f"slip must be in [0, 1], got {slip}")
    n_rows, n_cols = grid.shape
    starts = np.flatnonzero(grid.ravel() == "S")
    if (grid == "C").any() and len(starts) != 1:
        raise ValueError(f"a layout with cliffs needs exactly one S, found {len(starts)}")
    cell = grid.ravel()
    rr, cc = np.divmod(np.arange(cell.size), n_cols)  # (S,) row and column of each state
    moves = np.asarray(moves)  # (4, 2)
    if (moves.shape != (4, 2) or np.any(np.abs(moves).sum(axis=1) != 1)
            or np.any((moves * np.roll(moves, -1, axis=0)).sum(axis=1) != 0)):
        raise ValueError(f"moves must be four unit steps, each perpendicular to the next, "
                         f"got {moves.tolist()}")
    tr = np.clip(rr[:, None] + moves[:, 0], 0, n_rows - 1)  # (S, 4) target row
    tc = np.clip(cc[:, None] + moves[:, 1], 0, n_cols - 1)  # (S, 4) target column
    target = tr * n_cols + tc
    target = np.where(cell[target] == "#", np.arange(cell.size)[:, None], target)  # walls block
    kind = cell[target]  # (S, 4) the kind of cell each move enters
    reward = np.select([kind == "G", kind == "H", kind == "C"],
                       [goal_reward, hole_reward, cliff_reward], step_reward).astype(float)
    done = np.isin(kind, ["G", "H"])
    if (grid == "C").any():
        target = np.where(kind == "C", starts[0], target)
    # the intended move and its two perpendicular neighbours (a - 1, a, a + 1 mod 4)
    outcomes = [(-1, slip / 2), (0, 1.0 - slip), (1, slip / 2)] if slip > 0 else [(0, 1.0)]
    P = {}
    for s in range(cell.size):
        if cell[s] in "GH#":
            P[s] = {a: [(1.0, s, 0.0, True)] for a in range(4)}
            continue
        P[s] = {a: [(float(p), int(target[s, (a + d) % 4]), float(reward[s, (a + d) % 4]),
                     bool(done[s, (a + d) % 4])) for d, p in outcomes] for a in range(4)}
    return P
