r"""Edit (Levenshtein) distance by dynamic programming, its alignment, and the word error rate.

The table :math:`D[i, j]` holds the cheapest way to turn the first :math:`i` symbols of the
source into the first :math:`j` symbols of the target.  Each row is computed in one vectorized
step: deletions and substitutions come from the row above elementwise, and the chain of
insertions inside a row is a running minimum (``np.minimum.accumulate``).

Framework-free code: there is no ``_torch`` twin.

See Also
--------
:ref:`ch-dp-elsewhere` : the chapter; it derives the recurrence and the running minimum.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from dlbook._checks import real_value

__all__ = [
    "edit_distance_table",
    "edit_distance",
    "edit_distance_recursive",
    "edit_alignment",
    "format_alignment",
    "word_error_rate",
]

OPS = ("match", "sub", "del", "ins")


def _check_costs(sub_cost, ins_cost, del_cost):
    """Each cost must be a finite real number >= 0 (TypeError / ValueError otherwise)."""
    for name, c in (("sub_cost", sub_cost), ("ins_cost", ins_cost), ("del_cost", del_cost)):
        real_value(c, name, low=0.0)


def _check_seq(name, seq):
    if isinstance(seq, (str, bytes)) or isinstance(seq, Sequence):
        return
    if isinstance(seq, np.ndarray) and seq.ndim == 1:
        return
    raise TypeError(
        f"{name} must be a string, a sequence of tokens or a 1-D array, got {type(seq).__name__}"
    )


def _equal_matrix(source, target) -> np.ndarray:
    """Boolean (m, n) matrix ``eq[i, j] = source[i] == target[j]`` without a Python double loop."""
    ids: dict = {}
    a = np.array([ids.setdefault(tok, len(ids)) for tok in source], dtype=np.int64)
    b = np.array([ids.setdefault(tok, len(ids)) for tok in target], dtype=np.int64)
    return a[:, None] == b[None, :]  # (m, n)


def edit_distance_table(source, target, *, sub_cost=1, ins_cost=1, del_cost=1) -> np.ndarray:
    r"""Dynamic-programming table of the weighted edit distance.

    Parameters
    ----------
    source, target : str, sequence of hashable tokens, or 1-D array
        The two sequences, of lengths :math:`m` and :math:`n`.  Strings compare character by
        character; lists of words compare word by word (as the word error rate does).
    sub_cost, ins_cost, del_cost : float, default 1
        Non-negative costs of substituting one symbol, inserting one target symbol and deleting
        one source symbol.  A match costs 0.

    Returns
    -------
    D : ndarray of shape (m + 1, n + 1)
        ``D[i, j]`` is the distance between ``source[:i]`` and ``target[:j]``; ``D[m, n]`` is
        the edit distance.  Integer dtype when all three costs are integers.

    Raises
    ------
    TypeError
        If a sequence is not a sequence, or a cost is not a real number.
    ValueError
        If a cost is negative or not finite.

    Notes
    -----
    With :math:`D[0, j] = j\,c_{ins}` and :math:`D[i, 0] = i\,c_{del}`,

    .. math::

        D[i, j] = \min\bigl(D[i-1, j] + c_{del},\;
                            D[i, j-1] + c_{ins},\;
                            D[i-1, j-1] + c_{sub}\,[s_i \ne t_j]\bigr).

    Row :math:`i` is computed at once.  Let
    :math:`A[j] = \min(D[i-1, j] + c_{del},\; D[i-1, j-1] + c_{sub}[s_i \ne t_j])`
    (with :math:`A[0] = D[i-1, 0] + c_{del}`): everything except insertions.  Unrolling the
    insertion term gives :math:`D[i, j] = \min_{k \le j} (A[k] + (j - k)\,c_{ins})`, so

    .. math::

        D[i, j] = j\,c_{ins} + \operatorname{cummin}_{k \le j}\bigl(A[k] - k\,c_{ins}\bigr),

    one ``np.minimum.accumulate`` per row.  The loop runs over the :math:`m` rows only.

    References
    ----------
    V. I. Levenshtein, "Binary codes capable of correcting deletions, insertions, and
    reversals", Soviet Physics Doklady 10(8), 1966.  R. A. Wagner and M. J. Fischer, "The
    string-to-string correction problem", J. ACM 21(1), 1974.

    See Also
    --------
    edit_distance : the bottom-right entry only.
    edit_alignment : the operations, recovered by backtracking through this table.
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> edit_distance_table("ab", "b")
    array([[0, 1],
           [1, 1],
           [2, 1]])
    """
    _check_seq("source", source)
    _check_seq("target", target)
    _check_costs(sub_cost, ins_cost, del_cost)
    m, n = len(source), len(target)
    integral = all(isinstance(c, (int, np.integer)) for c in (sub_cost, ins_cost, del_cost))
    dtype = np.int64 if integral else np.float64
    eq = _equal_matrix(source, target)  # (m, n)
    sub = np.where(eq, 0, sub_cost).astype(dtype)  # (m, n) cost of the diagonal move
    k_ins = np.arange(n + 1, dtype=dtype) * ins_cost  # (n+1,) j * c_ins
    D = np.empty((m + 1, n + 1), dtype=dtype)
    D[0] = k_ins
    for i in range(1, m + 1):
        A = D[i - 1] + del_cost  # (n+1,) deletions from the row above
        A[1:] = np.minimum(A[1:], D[i - 1, :-1] + sub[i - 1])  # diagonal: match / substitute
        D[i] = k_ins + np.minimum.accumulate(A - k_ins)  # chains of insertions in this row
    return D


def edit_distance(source, target, *, sub_cost=1, ins_cost=1, del_cost=1):
    r"""Weighted Levenshtein distance between two sequences.

    Parameters
    ----------
    source, target : str, sequence of hashable tokens, or 1-D array
    sub_cost, ins_cost, del_cost : float, default 1
        Costs as in :func:`edit_distance_table`.

    Returns
    -------
    int or float
        ``edit_distance_table(...)[-1, -1]``: an ``int`` when all costs are integers.

    Raises
    ------
    TypeError, ValueError
        As :func:`edit_distance_table`.

    Notes
    -----
    With unit costs this is the Levenshtein distance, a metric.  With ``sub_cost=2`` a
    substitution costs as much as a deletion plus an insertion (the convention of Jurafsky and
    Martin's *Speech and Language Processing*).

    See Also
    --------
    edit_distance_table, edit_alignment
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> edit_distance("kitten", "sitting")
    3
    >>> edit_distance("intention", "execution", sub_cost=2)
    8
    """
    D = edit_distance_table(source, target, sub_cost=sub_cost, ins_cost=ins_cost,
                            del_cost=del_cost)
    return D[-1, -1].item()


def edit_distance_recursive(source, target, *, sub_cost=1, ins_cost=1, del_cost=1,
                            memo=True):
    r"""Top-down edit distance by plain recursion, with or without memoization, counting calls.

    A slow reference for teaching and testing: it follows the recurrence of
    :func:`edit_distance_table` literally, from the full problem down to the empty prefixes.

    Parameters
    ----------
    source, target : str, sequence of hashable tokens, or 1-D array
    sub_cost, ins_cost, del_cost : float, default 1
    memo : bool, default True
        Cache each subproblem ``(i, j)`` (memoization).  Without it the number of calls grows
        exponentially; keep both lengths below about 10.

    Returns
    -------
    distance : int or float
    calls : int
        How many times the body of the recursive function ran.  With ``memo=True`` that is the
        number of distinct subproblems solved.

    Raises
    ------
    TypeError, ValueError
        As :func:`edit_distance_table`; ValueError too when ``memo=False`` and
        ``len(source) + len(target) > 20``.

    Notes
    -----
    Without memoization the call count :math:`N(i, j)` obeys
    :math:`N(i, j) = 1 + N(i-1, j) + N(i, j-1) + N(i-1, j-1)` for :math:`i, j > 0` and
    :math:`N(i, j) = 1` otherwise.  With memoization each pair :math:`(i, j)` is solved once and
    looked up afterwards; when both sequences are non-empty every one of the :math:`(m+1)(n+1)`
    pairs is reached, so ``calls == (m + 1) * (n + 1)``.

    See Also
    --------
    edit_distance : the bottom-up (tabulated) version.
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> edit_distance_recursive("ab", "b", memo=False)
    (1, 7)
    """
    _check_seq("source", source)
    _check_seq("target", target)
    _check_costs(sub_cost, ins_cost, del_cost)
    if not memo and len(source) + len(target) > 20:
        raise ValueError(
            f"memo=False takes exponential time; lengths {len(source)} + {len(target)} > 20"
        )
    calls = 0

    def d(i, j):
        nonlocal calls
        calls += 1
        if i == 0:
            return j * ins_cost
        if j == 0:
            return i * del_cost
        diag = 0 if source[i - 1] == target[j - 1] else sub_cost
        return min(d(i - 1, j) + del_cost, d(i, j - 1) + ins_cost, d(i - 1, j - 1) + diag)

    if memo:
        d = lru_cache(maxsize=None)(d)
    return d(len(source), len(target)), calls


def edit_alignment(source, target, *, sub_cost=1, ins_cost=1, del_cost=1):
    r"""One cheapest alignment, recovered by backtracking through the table.

    Parameters
    ----------
    source, target : str, sequence of hashable tokens, or 1-D array
    sub_cost, ins_cost, del_cost : float, default 1

    Returns
    -------
    list of tuple (op, s, t)
        In reading order.  ``op`` is ``"match"``, ``"sub"``, ``"del"`` (``t`` is ``None``) or
        ``"ins"`` (``s`` is ``None``); ``s`` and ``t`` are the symbols involved.  The costs of
        the operations add up to :func:`edit_distance`.

    Raises
    ------
    TypeError, ValueError
        As :func:`edit_distance_table`.

    Notes
    -----
    From :math:`(m, n)`, step back along a move whose cost accounts for the table entry:
    diagonal if :math:`D[i, j] = D[i-1, j-1] + c_{sub}[s_i \ne t_j]`, else a deletion if
    :math:`D[i, j] = D[i-1, j] + c_{del}`, else an insertion.  Ties are broken in that order;
    several alignments can be optimal and this returns one of them.

    See Also
    --------
    format_alignment : prints the alignment in three rows.
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> edit_alignment("ab", "b")
    [('del', 'a', None), ('match', 'b', 'b')]
    """
    costs = dict(sub_cost=sub_cost, ins_cost=ins_cost, del_cost=del_cost)
    D = edit_distance_table(source, target, **costs)
    tol = 0 if D.dtype.kind == "i" else 1e-9 * max(1.0, float(np.abs(D).max()))
    i, j, ops = len(source), len(target), []
    while i > 0 or j > 0:
        if i > 0 and j > 0:
            same = source[i - 1] == target[j - 1]
            if abs(D[i, j] - (D[i - 1, j - 1] + (0 if same else sub_cost))) <= tol:
                ops.append(("match" if same else "sub", source[i - 1], target[j - 1]))
                i, j = i - 1, j - 1
                continue
        if i > 0 and abs(D[i, j] - (D[i - 1, j] + del_cost)) <= tol:
            ops.append(("del", source[i - 1], None))
            i -= 1
        else:
            ops.append(("ins", None, target[j - 1]))
            j -= 1
    return ops[::-1]


def format_alignment(ops) -> str:
    r"""Three aligned rows: the source, the operation codes, the target (``*`` marks a gap).

    Parameters
    ----------
    ops : list of tuple (op, s, t)
        As returned by :func:`edit_alignment`.

    Returns
    -------
    str
        Three lines.  Codes: ``d`` deletion, ``i`` insertion, ``s`` substitution, space for a
        match.  Symbols are converted with ``str``; columns are padded to the widest symbol.

    Raises
    ------
    ValueError
        If an operation is not one of ``"match"``, ``"sub"``, ``"del"``, ``"ins"``.

    See Also
    --------
    edit_alignment
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> print(format_alignment(edit_alignment("ab", "b")))
    a b
    d
    * b
    """
    code = {"match": " ", "sub": "s", "del": "d", "ins": "i"}
    rows = ([], [], [])
    for op, s, t in ops:
        if op not in code:
            raise ValueError(f"unknown operation {op!r}; expected one of {OPS}")
        cells = ("*" if s is None else str(s), code[op], "*" if t is None else str(t))
        width = max(len(c) for c in cells)
        for row, c in zip(rows, cells):
            row.append(c.ljust(width))
    return "\n".join(" ".join(row).rstrip() for row in rows)


def word_error_rate(reference, hypothesis) -> float:
    r"""Word error rate: word-level Levenshtein distance divided by the reference length.

    Parameters
    ----------
    reference, hypothesis : str or sequence of str
        A string is split on whitespace; a sequence is taken as its words.

    Returns
    -------
    float
        :math:`(S + D + I) / N`, the substitutions, deletions and insertions of a cheapest
        alignment over the :math:`N` reference words.  It can exceed 1.

    Raises
    ------
    ValueError
        If the reference has no words.
    TypeError
        As :func:`edit_distance_table`.

    See Also
    --------
    edit_distance
    :ref:`ch-dp-elsewhere` : the chapter (speech recognition is in Part 3).

    Examples
    --------
    >>> word_error_rate("the cat sat down", "the cat sat on down")
    0.25
    """
    ref = reference.split() if isinstance(reference, str) else list(reference)
    hyp = hypothesis.split() if isinstance(hypothesis, str) else list(hypothesis)
    if len(ref) == 0:
        raise ValueError("the reference has no words; the word error rate is undefined")
    return edit_distance(ref, hyp) / len(ref)
