r"""Beam search for conditional language models, with length normalization.

A decoder is seen only through ``step_fn(prefixes)``: given token sequences (each starting with
``bos``) it returns next-token log-probabilities of shape (len(prefixes), V).  Beam search keeps
``beam_width`` *live* partial sequences, ranked by their summed log-probability.  A candidate
that ends in ``eos`` is finished (if it ranks among the best ``beam_width`` candidates of its
step) and leaves the beam, and the next best candidates that do not end in ``eos`` refill it, so
the beam stays full; the search stops once ``beam_width`` sequences have finished, or after
``max_len`` tokens (as fairseq and Hugging Face's ``generate`` do).  Finished sequences are
ranked by

.. math::

    \operatorname{score}(y) = \frac{1}{|y|^{\alpha}} \sum_{t=1}^{|y|} \log P(y_t \mid x, y_{<t}),

with :math:`|y|` counting ``eos`` but not ``bos``; sequences cut off at ``max_len`` come after
every finished one, marked ``finished=False``.

Framework-free bookkeeping: the batched PyTorch decoder is
:mod:`dlbook.nlp.batched_beam_search_torch`.

See Also
--------
:ref:`ch-beam-search` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import int_value, positive_int, real_value

__all__ = ["Hypothesis", "sequence_score", "rank_hypotheses", "beam_search", "greedy_search",
           "exhaustive_search"]


class Hypothesis(tuple):
    """A decoded sequence: the pair ``(tokens, score)``, and whether it ended with ``eos``.

    It unpacks as a pair (``tokens, score = hyp``) and compares equal to one; ``finished`` says
    whether the model produced ``eos`` (``False`` for a sequence cut off at ``max_len``).

    Attributes
    ----------
    tokens : list of int
        The generated tokens (without ``bos``; ending with ``eos`` when finished).
    score : float
        :func:`sequence_score` of the sequence.
    finished : bool

    Examples
    --------
    >>> h = Hypothesis([4, 2], -1.5, True)
    >>> tokens, score = h
    >>> tokens, score, h.finished, h == ([4, 2], -1.5)
    ([4, 2], -1.5, True, True)
    """

    finished: bool

    def __new__(cls, tokens, score, finished):
        self = super().__new__(cls, (list(tokens), float(score)))
        self.finished = bool(finished)
        return self

    def __getnewargs__(self):
        return self[0], self[1], self.finished

    @property
    def tokens(self) -> list:
        return self[0]

    @property
    def score(self) -> float:
        return self[1]

    def __repr__(self) -> str:
        return f"Hypothesis(tokens={self[0]}, score={self[1]!r}, finished={self.finished})"


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


def _call(step_fn, prefixes):
    logp = np.asarray(step_fn(prefixes), dtype=np.float64)
    if logp.ndim != 2 or logp.shape[0] != len(prefixes):
        raise ValueError(f"step_fn returned shape {logp.shape} for {len(prefixes)} prefixes; "
                         f"expected ({len(prefixes)}, V)")
    return logp


def rank_hypotheses(finished, cut_off, k, alpha=0.7) -> list[Hypothesis]:
    r"""The output of a beam search: finished sequences best first, then the cut-off ones.

    Parameters
    ----------
    finished : list of (list of int, float)
        Sequences that end with ``eos``, with their summed log-probabilities.
    cut_off : list of (list of int, float)
        Sequences stopped at ``max_len`` without ``eos``.
    k : int
        At most this many hypotheses are returned.
    alpha : float, default 0.7
        Length-normalization exponent of :func:`sequence_score`.

    Returns
    -------
    list of Hypothesis
        Each group sorted by score (ties keep their order); every finished sequence comes before
        every cut-off one, whose score is not comparable (it lacks the ``eos`` term).

    Examples
    --------
    >>> out = rank_hypotheses([([5, 0], -3.0), ([0], -2.0)], [([5, 5], -0.5)], k=3, alpha=0.0)
    >>> [(h.tokens, h.score, h.finished) for h in out]
    [([0], -2.0, True), ([5, 0], -3.0, True), ([5, 5], -0.5, False)]
    """
    def order(items, done):
        hyps = [Hypothesis(toks, sequence_score(s, len(toks), alpha), done) for toks, s in items]
        return sorted(hyps, key=lambda h: -h.score)     # stable: ties keep their order
    return (order(finished, True) + order(cut_off, False))[:k]


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
        :math:`k`, the number of live partial sequences (>= 1; 1 is greedy decoding).
    max_len : int
        At most this many tokens are generated (``eos`` included).
    alpha : float, default 0.7
        Length-normalization exponent of :func:`sequence_score` (0: raw sum of log-probs).

    Returns
    -------
    list of Hypothesis
        At most ``beam_width`` hypotheses ``(tokens, score)``: the finished ones (ending in
        ``eos``) best score first, then, if fewer than ``beam_width`` finished before
        ``max_len``, the live ones cut off there (``finished=False``), best first.  ``tokens``
        exclude ``bos``.

    Raises
    ------
    ValueError
        If ``beam_width < 1``, ``max_len < 1``, or ``step_fn`` returns a wrong shape.
    TypeError
        If ``beam_width`` or ``max_len`` is not an int.

    Notes
    -----
    At step :math:`t` each of the :math:`B \le k` live prefixes is extended by every token and
    the :math:`BV` candidates are ranked by their summed log-probability.  Going down the
    ranking: a candidate ending in ``eos`` among the first :math:`k` is finished; the first
    :math:`k` candidates that do not end in ``eos`` form the next beam.  The search stops when
    :math:`k` sequences have finished or after ``max_len`` steps.  Sums of logs replace
    products of probabilities, which underflow.  With :math:`k \ge V^{\text{max\_len}}` nothing
    is ever pruned and the result is the exact ranking of :func:`exhaustive_search`.

    References
    ----------
    The stopping rule of fairseq's ``SequenceGenerator`` and of Hugging Face's beam search with
    ``early_stopping=True``.

    See Also
    --------
    greedy_search, exhaustive_search, dlbook.nlp.batched_beam_search_torch.batched_beam_search,
    :ref:`ch-beam-search`

    Examples
    --------
    A model that ignores its prefix: P(a) = 0.5, P(b) = 0.2, P(eos) = 0.3 (eos is token 2).

    >>> lp = np.log([0.5, 0.2, 0.3])
    >>> step = lambda prefixes: np.tile(lp, (len(prefixes), 1))
    >>> out = beam_search(step, bos=3, eos=2, beam_width=2, max_len=2, alpha=0.0)
    >>> [(h.tokens, round(float(np.exp(h.score)), 4), h.finished) for h in out]
    [([2], 0.3, True), ([0, 2], 0.15, True)]
    """
    k = positive_int(beam_width, "beam_width")
    max_len = positive_int(max_len, "max_len")
    alpha = real_value(alpha, "alpha")
    bos, eos = int_value(bos, "bos"), int_value(eos, "eos")
    live = [([bos], 0.0)]                      # open prefixes with their summed log-prob
    finished = []                              # (tokens without bos, summed log-prob)
    for _ in range(max_len):
        logp = _call(step_fn, [p for p, _ in live])                       # (B, V)
        total = (np.array([s for _, s in live])[:, None] + logp).ravel()  # (B*V,)
        best = np.argsort(-total, kind="stable")[:2 * k]   # >= k candidates without eos
        rows, toks = np.divmod(best, logp.shape[1])
        nxt = []
        for rank, (r, tok, s) in enumerate(zip(rows.tolist(), toks.tolist(),
                                               total[best].tolist())):
            if s == -np.inf or len(nxt) == k:
                break                          # impossible from here on, or the beam is full
            if tok == eos:
                if rank < k:                   # finished: among the k best candidates
                    finished.append((live[r][0][1:] + [eos], s))
            else:
                nxt.append((live[r][0] + [tok], s))
        live = nxt
        if len(finished) >= k or not live:
            return rank_hypotheses(finished, [], k, alpha)
    return rank_hypotheses(finished, [(p[1:], s) for p, s in live], k, alpha)


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
    max_len = positive_int(max_len, "max_len")
    prefix, total = [bos], 0.0
    for _ in range(max_len):
        logp = _call(step_fn, [prefix])[0]
        tok = int(np.argmax(logp))
        prefix, total = prefix + [tok], total + float(logp[tok])
        if tok == eos:
            break
    return prefix[1:], total


def exhaustive_search(step_fn, bos, eos, max_len, alpha=0.7):
    r"""Every sequence, ranked as :func:`beam_search` ranks them (an oracle for tests; tiny V).

    Enumerates all sequences of up to ``max_len`` tokens in which ``eos`` may only come last:
    :math:`O(V^{\text{max\_len}})` calls, so keep :math:`V` and ``max_len`` small.

    Parameters
    ----------
    step_fn, bos, eos, max_len, alpha
        As in :func:`beam_search`.

    Returns
    -------
    list of Hypothesis
        The finished sequences (ending in ``eos``) best first, then those of ``max_len`` tokens
        without ``eos`` (``finished=False``), best first.

    Examples
    --------
    >>> lp = np.log([0.5, 0.2, 0.3])
    >>> step = lambda prefixes: np.tile(lp, (len(prefixes), 1))
    >>> [(h.tokens, h.finished) for h in exhaustive_search(step, 3, 2, max_len=2, alpha=0.0)[:3]]
    [([2], True), ([0, 2], True), ([1, 2], True)]
    """
    max_len = positive_int(max_len, "max_len")
    alpha = real_value(alpha, "alpha")
    finished = []
    frontier = [([bos], 0.0)]
    for _ in range(max_len):
        logp = _call(step_fn, [p for p, _ in frontier])
        nxt = []
        for (p, s), row in zip(frontier, logp):
            for tok, lp in enumerate(row.tolist()):
                if tok == eos:
                    finished.append((p[1:] + [tok], s + lp))
                else:
                    nxt.append((p + [tok], s + lp))
        frontier = nxt
    everything = len(finished) + len(frontier)
    return rank_hypotheses(finished, [(p[1:], s) for p, s in frontier], everything, alpha)
