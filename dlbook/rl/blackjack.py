r"""Blackjack (gymnasium's ``Blackjack-v1``) as a finite MDP, and its value and policy grids.

gymnasium deals from an infinite deck, so the player's decisions form a finite MDP whose table
can be written down: :func:`blackjack_table` builds it in gymnasium's format, ready for the
dynamic programming of :mod:`dlbook.rl.dp`; :func:`blackjack_grids` lays any action-value table
out as the usual grids (player sum × dealer's card, with and without a usable ace).

See Also
--------
dlbook.rl.mc.mc_control_epsilon_soft : learns the same game from play.
:ref:`ch-monte-carlo` : the chapter.
"""

from __future__ import annotations

import gymnasium as gym  # noqa: F401  (used by the doctests)
import numpy as np

from dlbook.rl.tabular import encode_state  # noqa: F401  (used by the doctests)

__all__ = ["BLACKJACK_CARDS", "blackjack_table", "blackjack_grids"]

#: Flat index of (player sum, dealer card, usable ace): np.ravel_multi_index over these sizes.
DIMS = (32, 11, 2)

#: Probability of each card value in gymnasium's Blackjack (infinite deck; 10, J, Q, K count 10).
BLACKJACK_CARDS = {**{c: 1 / 13 for c in range(1, 10)}, 10: 4 / 13}


def _add_card(total: int, soft: bool, card: int) -> tuple[int, bool]:
    """Hand total and usable-ace flag after drawing ``card`` (a total above 21 is a bust)."""
    total += card
    if card == 1 and not soft and total + 10 <= 21:
        total, soft = total + 10, True                  # the new ace counts 11
    if total > 21 and soft:
        total, soft = total - 10, False                 # the usable ace drops to 1
    return total, soft


def _dealer_final(total: int, soft: bool) -> dict[int, float]:
    """Distribution of the dealer's final total (22 = bust); the dealer draws below 17."""
    if total > 21:
        return {22: 1.0}
    if total >= 17:
        return {total: 1.0}
    out: dict[int, float] = {}
    for card, p in BLACKJACK_CARDS.items():
        for final, q in _dealer_final(*_add_card(total, soft, card)).items():
            out[final] = out.get(final, 0.0) + p * q
    return out


def blackjack_table() -> dict:
    r"""Blackjack-v1 (``sab=True``) as a transition table over its 704 flat state indices.

    The deck is infinite in gymnasium (cards drawn with replacement), so the player's decisions
    form a finite MDP: state (player total, dealer's card, usable ace), actions 0 = stick and
    1 = hit. Hitting draws a card (1..9 with probability 1/13, 10 with 4/13) and ends with
    reward -1 on a bust; sticking plays the dealer out (it draws below 17, stands on soft 17)
    and ends with +1, 0 or -1. Index 0 (total 0, never observed) serves as the terminal state.

    Returns
    -------
    dict
        ``P[s][a] = [(prob, next_state, reward, terminated), ...]`` for all 704 indices
        (:func:`dlbook.rl.tabular.encode_state` order), ready for :mod:`dlbook.rl.dp`.

    Notes
    -----
    One simplification: a natural (ace and ten as the first two cards) is scored like any other
    21, while gymnasium pays a natural +1 also against a dealer who reaches 21 with three or more
    cards. It changes the value of sticking on a first-hand soft 21, never the best action.

    References
    ----------
    Sutton and Barto (2018), Example 5.1 and Figure 5.2 (the optimal policy).

    See Also
    --------
    dlbook.rl.dp.value_iteration : solves it. blackjack_grids. The chapter
    :ref:`ch-monte-carlo`.

    Examples
    --------
    >>> P = blackjack_table()
    >>> s = int(encode_state(gym.make("Blackjack-v1").observation_space, (20, 10, 0)))
    >>> round(sum(p for p, _, r, _ in P[s][1] if r == -1.0), 6)   # hitting a hard 20 busts
    0.923077
    >>> round(12 / 13, 6)                                          # unless the card is an ace
    0.923077
    """
    P = {s: {a: [(1.0, 0, 0.0, True)] for a in (0, 1)} for s in range(32 * 11 * 2)}
    for dealer in range(1, 11):
        start = (11, True) if dealer == 1 else (dealer, False)
        final: dict[int, float] = {}                      # dealer's final total given the card
        for card, p in BLACKJACK_CARDS.items():           # the hidden second card
            for f, q in _dealer_final(*_add_card(*start, card)).items():
                final[f] = final.get(f, 0.0) + p * q
        for total in range(4, 22):
            for soft in (False, True):
                s = int(np.ravel_multi_index((total, dealer, int(soft)), DIMS))
                win = sum(q for f, q in final.items() if f == 22 or f < total)
                draw = final.get(total, 0.0)
                lose = max(0.0, 1.0 - win - draw)          # (clip a -1e-16 rounding error)
                P[s][0] = [(win, 0, 1.0, True), (draw, 0, 0.0, True), (lose, 0, -1.0, True)]
                hits: dict[tuple, float] = {}
                for card, p in BLACKJACK_CARDS.items():
                    t2, soft2 = _add_card(total, soft, card)
                    key = (0, -1.0, True) if t2 > 21 else (
                        int(np.ravel_multi_index((t2, dealer, int(soft2)), DIMS)), 0.0, False)
                    hits[key] = hits.get(key, 0.0) + p
                P[s][1] = [(p, *key) for key, p in hits.items()]
    return P


def blackjack_grids(Q: np.ndarray):
    r"""Values and greedy actions of Blackjack-v1 as grids: player sum 12..21 × dealer 1..10.

    Parameters
    ----------
    Q : ndarray of shape (704, 2)
        Indexed by :func:`dlbook.rl.tabular.encode_state` of Blackjack's
        (player sum, dealer card, usable ace).

    Returns
    -------
    V : ndarray of shape (2, 10, 10)
        :math:`\max_a Q`; ``V[ace, sum - 12, dealer - 1]`` with ``ace`` 0 (no usable ace) or 1.
    policy : ndarray of shape (2, 10, 10)
        Greedy action, 1 = hit, 0 = stick.

    See Also
    --------
    blackjack_table, dlbook.rl.mc.mc_control_epsilon_soft
    :ref:`ch-monte-carlo` : the chapter.

    Examples
    --------
    >>> V, pi = blackjack_grids(np.zeros((704, 2)))
    >>> V.shape, pi.shape
    ((2, 10, 10), (2, 10, 10))
    """
    Q = np.asarray(Q)
    if Q.shape != (704, 2):
        raise ValueError(f"Blackjack Q must have shape (704, 2), got {Q.shape}")
    ace, total, dealer = np.meshgrid([0, 1], np.arange(12, 22), np.arange(1, 11), indexing="ij")
    idx = np.ravel_multi_index((total, dealer, ace), DIMS)   # (2, 10, 10)
    return Q[idx].max(axis=-1), Q[idx].argmax(axis=-1)
