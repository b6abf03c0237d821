r"""BLEU's sufficient statistics: clipped n-gram matches, n-gram totals and lengths.

Counting is kept apart from scoring (:mod:`dlbook.nlp.bleu`) so that each half can be tested on
its own.  :func:`bleu_stats` counts one sentence with Counters, the obviously-correct way;
:func:`corpus_stats` counts a whole corpus at once with NumPy: every n-gram gets an integer id,
counts per (sentence, n-gram) come from ``np.unique``, and the maximum over a sentence's
references from ``np.maximum.reduceat``.  Tests hold the two to each other.

Framework-free code: there is no ``_torch`` twin.

See Also
--------
dlbook.nlp.bleu : scoring from these statistics.
:ref:`ch-bleu` : the chapter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral

import numpy as np

__all__ = ["BleuStats", "ngram_counts", "bleu_stats", "corpus_stats"]


@dataclass(frozen=True)
class BleuStats:
    r"""Sufficient statistics of BLEU for one sentence or for N sentences.

    Attributes
    ----------
    matches : ndarray of int, shape (max_n,) or (N, max_n)
        Clipped n-gram matches :math:`m_n = \sum_g \min(c_{hyp}(g), \max_r c_r(g))`.
    totals : ndarray of int, shape (max_n,) or (N, max_n)
        Number of n-grams in the hypothesis, :math:`t_n = \max(0, c - n + 1)`.
    hyp_len : ndarray of int, shape () or (N,)
        Hypothesis length :math:`c`.
    ref_len : ndarray of int, shape () or (N,)
        Length :math:`r` of the reference closest in length to the hypothesis (the shorter one
        on a tie), as in sacrebleu and nltk.

    Examples
    --------
    "the the cat" against "the cat": the second "the" is clipped (2 of 3 unigrams match) and
    only "the cat" of the bigrams matches; "a dog" against "a cat" matches "a" alone.

    >>> a = bleu_stats("the the cat".split(), ["the cat".split()], max_n=2)
    >>> b = bleu_stats("a dog".split(), ["a cat".split()], max_n=2)
    >>> a.matches.tolist(), a.totals.tolist(), b.matches.tolist(), b.totals.tolist()
    ([2, 1], [3, 2], [1, 0], [2, 1])

    Stacked per sentence, ``sum`` adds them up into corpus statistics:

    >>> s = BleuStats(np.stack([a.matches, b.matches]), np.stack([a.totals, b.totals]),
    ...               np.stack([a.hyp_len, b.hyp_len]), np.stack([a.ref_len, b.ref_len]))
    >>> t = s.sum()
    >>> t.matches.tolist(), t.totals.tolist(), int(t.hyp_len), int(t.ref_len)
    ([3, 1], [5, 3], 5, 4)
    """

    matches: np.ndarray
    totals: np.ndarray
    hyp_len: np.ndarray
    ref_len: np.ndarray

    def sum(self) -> "BleuStats":
        """Corpus statistics: the sum over the leading (sentence) axis."""
        if self.matches.ndim == 1:
            return self
        return BleuStats(self.matches.sum(0), self.totals.sum(0),
                         self.hyp_len.sum(), self.ref_len.sum())


def _check_max_n(max_n, name="max_n"):
    if isinstance(max_n, bool) or not isinstance(max_n, Integral) or max_n < 1:
        raise ValueError(f"{name} must be a positive integer, got {max_n!r}")


def _check_tokens(name, tokens):
    if isinstance(tokens, (str, bytes)):
        raise TypeError(f"{name} is a string ({tokens[:30]!r}); pass a list of tokens, "
                        f"e.g. text.split()")
    if not isinstance(tokens, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a list of tokens, got {type(tokens).__name__}")


def _check_references(name, refs):
    if isinstance(refs, (str, bytes)) or not isinstance(refs, Sequence):
        raise TypeError(f"{name} must be a list of reference token lists, "
                        f"got {type(refs).__name__}")
    if len(refs) == 0:
        raise ValueError(f"{name} is empty: every hypothesis needs at least one reference")
    if isinstance(refs[0], str):
        raise TypeError(f"{name} is a list of strings; wrap a single reference in a list: "
                        f"[{name}]")
    for k, r in enumerate(refs):
        _check_tokens(f"{name}[{k}]", r)


def ngram_counts(tokens, n: int) -> Counter:
    """Count the n-grams of order exactly ``n`` in a token sequence.

    Parameters
    ----------
    tokens : sequence of hashable
        One tokenized sentence.
    n : int
        The order, n >= 1.

    Returns
    -------
    Counter
        Maps each n-gram (a tuple of n tokens) to its count; empty when ``len(tokens) < n``.

    Examples
    --------
    >>> ngram_counts("the cat the cat".split(), 2)
    Counter({('the', 'cat'): 2, ('cat', 'the'): 1})
    """
    _check_max_n(n, "n")
    return Counter(zip(*[tokens[i:] for i in range(n)]))


def _closest_ref_len(hyp_len, ref_lens):
    return min(ref_lens, key=lambda r: (abs(r - hyp_len), r))


def bleu_stats(hypothesis, references, max_n: int = 4) -> BleuStats:
    r"""Clipped n-gram matches, totals and lengths of one hypothesis.

    Parameters
    ----------
    hypothesis : sequence of str
        The tokenized system output.
    references : list of sequence of str
        One or more tokenized references.
    max_n : int, default 4
        Highest n-gram order.

    Returns
    -------
    BleuStats
        With ``matches`` and ``totals`` of shape (max_n,).

    Notes
    -----
    A hypothesis n-gram is credited at most as often as it occurs in the single reference that
    contains it most often (*clipping*):

    .. math:: m_n = \sum_{g \in \text{n-grams(hyp)}} \min\bigl(c_{hyp}(g),\ \max_r c_r(g)\bigr),
              \qquad t_n = \sum_g c_{hyp}(g).

    Examples
    --------
    The course's example: seven "the" against references with at most two.

    >>> s = bleu_stats(["the"] * 7, ["the cat is on the mat".split(),
    ...                              "there is a cat on the mat".split()], max_n=2)
    >>> s.matches.tolist(), s.totals.tolist(), int(s.hyp_len), int(s.ref_len)
    ([2, 0], [7, 6], 7, 7)
    """
    _check_max_n(max_n)
    _check_tokens("hypothesis", hypothesis)
    _check_references("references", references)
    hyp = list(hypothesis)
    refs = [list(r) for r in references]
    matches = np.zeros(max_n, dtype=np.int64)
    totals = np.zeros(max_n, dtype=np.int64)
    for n in range(1, max_n + 1):
        hyp_counts = ngram_counts(hyp, n)
        if not hyp_counts:
            break                                    # shorter than n: t_n = 0 from here on
        max_ref = Counter()
        for r in refs:
            max_ref |= ngram_counts(r, n)            # elementwise max over references
        matches[n - 1] = sum(min(c, max_ref[g]) for g, c in hyp_counts.items())
        totals[n - 1] = len(hyp) - n + 1
    ref_len = _closest_ref_len(len(hyp), [len(r) for r in refs])
    return BleuStats(matches, totals, np.int64(len(hyp)), np.int64(ref_len))


def corpus_stats(hypotheses, references, max_n: int = 4) -> BleuStats:
    """Per-sentence BLEU statistics of a corpus, stacked.

    Parameters
    ----------
    hypotheses : list of sequence of str
        N tokenized hypotheses.
    references : list of list of sequence of str
        Aligned with ``hypotheses``: item i holds the reference(s) of hypothesis i.
    max_n : int, default 4

    Returns
    -------
    BleuStats
        ``matches`` and ``totals`` of shape (N, max_n), lengths of shape (N,).
        ``.sum()`` gives the corpus statistics.

    Raises
    ------
    ValueError
        If the two lists have different lengths.

    Examples
    --------
    >>> s = corpus_stats([["a", "b"], ["c"]], [[["a", "b"]], [["c", "d"]]], max_n=2)
    >>> s.matches.tolist(), s.sum().totals.tolist(), int(s.sum().ref_len)
    ([[2, 1], [1, 0]], [3, 1], 4)
    """
    _check_max_n(max_n)
    if isinstance(hypotheses, (str, bytes)) or not isinstance(hypotheses, Sequence):
        raise TypeError(f"hypotheses must be a list of token lists, "
                        f"got {type(hypotheses).__name__}")
    if len(hypotheses) != len(references):
        raise ValueError(f"got {len(hypotheses)} hypotheses but {len(references)} reference "
                         f"sets; they must be aligned one to one")
    for i, (h, refs) in enumerate(zip(hypotheses, references)):
        _check_tokens(f"hypotheses[{i}]", h)
        _check_references(f"references[{i}]", refs)
    N = len(hypotheses)
    if N == 0:
        z = np.zeros((0, max_n), dtype=np.int64)
        return BleuStats(z, z.copy(), np.zeros(0, np.int64), np.zeros(0, np.int64))

    # one flat token stream: the N hypotheses first, then every reference (segments)
    seqs = list(hypotheses) + [r for refs in references for r in refs]
    n_refs = np.array([len(refs) for refs in references], dtype=np.int64)      # (N,)
    owner = np.concatenate([np.arange(N), np.repeat(np.arange(N), n_refs)])    # (S,)
    lens = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))        # (S,)
    vocab: dict = {}
    ids = np.fromiter((vocab.setdefault(w, len(vocab)) for s in seqs for w in s),
                      dtype=np.int64, count=int(lens.sum()))                   # (L,)
    seg = np.repeat(np.arange(len(seqs)), lens)                                # (L,)
    remaining = np.arange(ids.size) - np.repeat(np.cumsum(lens) - lens, lens)
    remaining = lens[seg] - remaining          # tokens from position i to the segment's end
    hyp_len = lens[:N]

    matches = np.zeros((N, max_n), dtype=np.int64)
    totals = np.maximum(hyp_len[:, None] - np.arange(max_n)[None, :], 0)       # (N, max_n)
    gram, n_grams = ids, len(vocab)            # id of the n-gram that starts at position i
    for n in range(1, max_n + 1):
        if n > 1:                              # extend each (n-1)-gram by the token n-1 ahead
            nxt = ids[np.minimum(np.arange(ids.size) + n - 1, ids.size - 1)]
            gram, n_grams = _compress(gram * len(vocab) + nxt, remaining >= n)
        valid = remaining >= n
        g, s = gram[valid], seg[valid]
        is_hyp = s < N
        # (sentence, n-gram) counts in the hypotheses
        key_h, cnt_h = np.unique(s[is_hyp] * n_grams + g[is_hyp], return_counts=True)
        # (reference, n-gram) counts, then the maximum over a sentence's references
        key_r, cnt_r = np.unique(s[~is_hyp] * n_grams + g[~is_hyp], return_counts=True)
        key_o = owner[key_r // n_grams] * n_grams + key_r % n_grams
        order = np.argsort(key_o, kind="stable")
        key_o, cnt_o = key_o[order], cnt_r[order]
        uniq, first = np.unique(key_o, return_index=True)
        if uniq.size:
            ref_max = np.maximum.reduceat(cnt_o, first)
            at = np.minimum(np.searchsorted(uniq, key_h), uniq.size - 1)
            ref_c = np.where(uniq[at] == key_h, ref_max[at], 0)
        else:
            ref_c = np.zeros_like(cnt_h)
        clipped = np.minimum(cnt_h, ref_c)
        matches[:, n - 1] = np.bincount(key_h // n_grams, weights=clipped,
                                        minlength=N).astype(np.int64)

    # closest reference length, the shorter one on a tie
    ref_lens = lens[N:]
    ref_owner = owner[N:]
    big = int(ref_lens.max(initial=0)) + 1
    rank = np.abs(ref_lens - hyp_len[ref_owner]) * big + ref_lens
    best = np.minimum.reduceat(rank, np.cumsum(n_refs) - n_refs)
    return BleuStats(matches, totals, hyp_len.copy(), best % big)


def _compress(keys, valid):
    """Renumber ``keys[valid]`` as 0..G-1 (same key, same id); invalid positions get 0."""
    out = np.zeros_like(keys)
    uniq, inv = np.unique(keys[valid], return_inverse=True)
    out[valid] = inv
    return out, max(uniq.size, 1)
