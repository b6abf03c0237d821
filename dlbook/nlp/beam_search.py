r"""Beam search for conditional language models, with length normalization.

A decoder is seen only through ``step_fn(prefixes)``: given token sequences (each starting with
``bos``) it returns next-token log-probabilities of shape (len(prefixes), V).  Beam search keeps
the ``beam_width`` best partial sequences by their summed log-probability; a candidate that ends
in ``eos`` leaves the beam (it uses up one of the ``beam_width`` places at the step it is chosen,
so width 1 is exactly greedy decoding).  Finished sequences are ranked by

.. math:: \operatorname{score}(y) = \frac{1}{|y|^{\alpha}} \sum_{t=1}^{|y|} \log P(y_t \mid x, y_{<t}),

with :math:`|y|` counting ``eos`` but not ``bos``.

See Also
--------
dlbook.nlp.beam_search_torch : the batched PyTorch twin (many inputs at once, on a device).
:ref:`ch-beam-search` : the chapter.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

__all__ = ["beam_search", "greedy_search", "sequence_score", "exhaustive_search"]


def _check_int(name, value, low):
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")


def _check_alpha(alpha):
    if isinstance(alpha, bool) or not isinstance(alpha, Real) or not np.isfinite(alpha):
        raise ValueError(f"alpha must be a finite real number, got {alpha!r}")


def _call(step_fn, prefixes):
    logp = np.asarray(step_fn(prefixes), dtype=np.float64)
    if logp.ndim != 2 or logp.shape[0] != len(prefixes):
        raise ValueError(f"step_fn returned shape {logp.shape} for {len(prefixes)} prefixes; "
                         f"expected ({len(prefixes)}, V)")
    return logp


def sequence_score(sum_logp, length, alpha=0.7):
    r"""Length-normalized score :math:`\sum \log p / L^{\alpha}`.

    Parameters
    ----------
    sum_logp : float or ndarray
        Summed log-probabilities.
    length : int or ndarray
        Number of generated tokens (``eos`` included), at least 1.
    alpha : float, default 0.7
        0 keeps the raw sum; 1 divides by the length (the mean log-probability).

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(sequence_score(-2.0, 4, alpha=0.5), 6)      # -2 / sqrt(4)
    -1.0
    >>> sequence_score(-2.0, 4, alpha=0.0)
    -2.0
    """
    out = np.asarray(sum_logp, dtype=float) / np.asarray(length, dtype=float) ** alpha
    return float(out) if out.ndim == 0 else out


def beam_search(step_fn, bos, eos, beam_width, max_len, alpha=0.7):
    r"""Decode with beam search.

    Parameters
    ----------
    step_fn : callable
        ``step_fn(prefixes) -> ndarray of shape (len(prefixes), V)``: log-probabilities of the
        next token after each prefix (a list of token lists starting with ``bos``).
    bos, eos : int
        Start and end tokens.
    beam_width : int
        Number of partial sequences kept after each step (>= 1; 1 is greedy decoding).
    max_len : int
        At most this many tokens are generated (``eos`` included); sequences still open then
        are returned as they are, without ``eos``.
    alpha : float, default 0.7
        Length-normalization exponent of :func:`sequence_score` (0: raw sum of log-probs).

    Returns
    -------
    list of (list of int, float)
        Every finished sequence the search produced, best score first.  ``tokens`` exclude
        ``bos``; they end with ``eos`` when the model produced it.

    Raises
    ------
    ValueError
        If ``beam_width < 1``, ``max_len < 1``, or ``step_fn`` returns a wrong shape.

    Notes
    -----
    At step :math:`t` each of the :math:`B \le k` open prefixes is extended by every token, the
    :math:`B V` candidates are scored by their summed log-probability and the best :math:`k`
    are kept.  Sums of logs replace products of probabilities, which underflow.  With
    :math:`k \ge V^{\text{max\_len}}` nothing is ever pruned and the result is the exact
    maximizer of the score (see :func:`exhaustive_search`).

    See Also
    --------
    greedy_search, exhaustive_search, dlbook.nlp.beam_search_torch.beam_search,
    :ref:`ch-beam-search`

    Examples
    --------
    A model that ignores its prefix: P(a) = 0.5, P(b) = 0.2, P(eos) = 0.3 (eos is token 2).

    >>> lp = np.log([0.5, 0.2, 0.3])
    >>> step = lambda prefixes: np.tile(lp, (len(prefixes), 1))
    >>> best = beam_search(step, bos=3, eos=2, beam_width=2, max_len=2, alpha=0.0)[0]
    >>> best[0], round(float(np.exp(best[1])), 4)         # P(eos) = 0.3 beats P(a, a) = 0.25
    ([2], 0.3)
    """
    _check_int("beam_width", beam_width, 1)
    _check_int("max_len", max_len, 1)
    _check_alpha(alpha)
    beams = [([bos], 0.0)]                    # open prefixes with their summed log-prob
    finished = []                             # (tokens without bos, summed log-prob)
    for _ in range(max_len):
        logp = _call(step_fn, [p for p, _ in beams])                   # (B, V)
        total = np.array([s for _, s in beams])[:, None] + logp         # (B, V)
        flat = total.ravel()                                            # (B*V,)
        best = np.argsort(-flat, kind="stable")[:beam_width]            # best candidates first
        rows, toks = np.divmod(best, logp.shape[1])
        kept = []
        for r, tok, s in zip(rows.tolist(), toks.tolist(), flat[best].tolist()):
            if s == -np.inf:
                continue                                                # impossible sequence
            new = beams[r][0] + [tok]
            if tok == eos:
                finished.append((new[1:], s))                           # leaves the beam
            else:
                kept.append((new, s))
        beams = kept
        if not beams:
            break
    finished.extend((p[1:], s) for p, s in beams)                       # hit max_len
    ranked = [(toks, sequence_score(s, len(toks), alpha)) for toks, s in finished]
    ranked.sort(key=lambda ts: -ts[1])
    return ranked


def greedy_search(step_fn, bos, eos, max_len):
    r"""Greedy decoding: take the most probable token at every step.

    Parameters
    ----------
    step_fn, bos, eos, max_len
        As in :func:`beam_search`.

    Returns
    -------
    tokens : list of int
        Without ``bos``; ends with ``eos`` if it was chosen before ``max_len`` tokens.
    sum_logp : float
        :math:`\sum_t \log P(y_t \mid x, y_{<t})` of the chosen tokens.

    Examples
    --------
    >>> lp = np.log([0.5, 0.2, 0.3])
    >>> step = lambda prefixes: np.tile(lp, (len(prefixes), 1))
    >>> toks, s = greedy_search(step, bos=3, eos=2, max_len=3)
    >>> toks, round(float(np.exp(s)), 4)                  # a, a, a: 0.5 ** 3
    ([0, 0, 0], 0.125)
    """
    _check_int("max_len", max_len, 1)
    prefix, total = [bos], 0.0
    for _ in range(max_len):
        logp = _call(step_fn, [prefix])[0]
        tok = int(np.argmax(logp))
        prefix, total = prefix + [tok], total + float(logp[tok])
        if tok == eos:
            break
    return prefix[1:], total


def exhaustive_search(step_fn, bos, eos, max_len, alpha=0.7):
    r"""The exact best sequence by enumerating every one (an oracle for tests; tiny V only).

    Enumerates all sequences of up to ``max_len`` tokens in which ``eos`` may only come last:
    :math:`O(V^{\text{max\_len}})` calls, so keep :math:`V` and ``max_len`` small.

    Parameters
    ----------
    step_fn, bos, eos, max_len, alpha
        As in :func:`beam_search`.

    Returns
    -------
    list of (list of int, float)
        All complete sequences (ending in ``eos``, or of length ``max_len``), best first.

    Examples
    --------
    >>> lp = np.log([0.5, 0.2, 0.3])
    >>> step = lambda prefixes: np.tile(lp, (len(prefixes), 1))
    >>> [t for t, _ in exhaustive_search(step, 3, 2, max_len=2, alpha=0.0)[:2]]
    [[2], [0, 0]]
    """
    _check_int("max_len", max_len, 1)
    _check_alpha(alpha)
    out = []
    frontier = [([bos], 0.0)]
    for _ in range(max_len):
        logp = _call(step_fn, [p for p, _ in frontier])
        nxt = []
        for (p, s), row in zip(frontier, logp):
            for tok, l in enumerate(row.tolist()):
                (out if tok == eos else nxt).append((p + [tok], s + l))
        frontier = nxt
    out.extend(frontier)
    ranked = [(p[1:], sequence_score(s, len(p) - 1, alpha)) for p, s in out]
    ranked.sort(key=lambda ts: -ts[1])
    return ranked
