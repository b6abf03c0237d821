r"""BLEU's sufficient statistics: clipped n-gram matches, n-gram totals and lengths.

Counting is kept apart from scoring (:mod:`dlbook.nlp.bleu`) so that each half can be tested on
its own.  :func:`bleu_stats` counts one sentence with Counters, the obviously-correct way;
:func:`corpus_stats` counts a whole corpus at once with NumPy, in three steps:

1. ``_token_stream`` puts every hypothesis and reference into one array of word ids;
2. once per order :math:`n`, ``_extend_ngrams`` gives every n-gram an integer id and
   ``_clipped_matches`` counts each (sentence, n-gram) with ``np.unique``, takes the maximum over
   a sentence's references with ``np.maximum.reduceat`` and sums the clipped counts per
   sentence;
3. ``_closest_ref_lengths`` picks each hypothesis's reference length.

Tests hold the two counters to each other.

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

import numpy as np

from dlbook._checks import positive_int, token_list

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


def _check_references(name, refs) -> list[list]:
    """A non-empty list of token lists (a single reference must still be wrapped in a list)."""
    if isinstance(refs, (str, bytes)) or not isinstance(refs, Sequence):
        raise TypeError(f"{name} must be a list of reference token lists, "
                        f"got {type(refs).__name__}")
    if len(refs) == 0:
        raise ValueError(f"{name} is empty: every hypothesis needs at least one reference")
    if isinstance(refs[0], str):
        raise TypeError(f"{name} is a list of strings; wrap a single reference in a list: "
                        f"[{name}]")
    return [token_list(r, f"{name}[{k}]") for k, r in enumerate(refs)]


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
    n = positive_int(n, "n")
    tokens = token_list(tokens, "tokens")
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
    max_n = positive_int(max_n, "max_n")
    hyp = token_list(hypothesis, "hypothesis")
    refs = _check_references("references", references)
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
    max_n = positive_int(max_n, "max_n")
    if isinstance(hypotheses, (str, bytes)) or not isinstance(hypotheses, Sequence):
        raise TypeError(f"hypotheses must be a list of token lists, "
                        f"got {type(hypotheses).__name__}")
    if len(hypotheses) != len(references):
        raise ValueError(f"got {len(hypotheses)} hypotheses but {len(references)} reference "
                         f"sets; they must be aligned one to one")
    hyps = [token_list(h, f"hypotheses[{i}]") for i, h in enumerate(hypotheses)]
    refs = [_check_references(f"references[{i}]", r) for i, r in enumerate(references)]
    N = len(hyps)
    if N == 0:
        z = np.zeros((0, max_n), dtype=np.int64)
        return BleuStats(z, z.copy(), np.zeros(0, np.int64), np.zeros(0, np.int64))
    stream = _token_stream(hyps, refs)
    gram, n_grams = stream.ids, stream.n_words      # the unigram starting at each position
    matches = np.zeros((N, max_n), dtype=np.int64)
    for n in range(1, max_n + 1):
        if n > 1:
            gram, n_grams = _extend_ngrams(stream, gram, n)
        matches[:, n - 1] = _clipped_matches(stream, gram, n_grams, n)
    hyp_len = stream.lens[:N].copy()
    totals = np.maximum(hyp_len[:, None] - np.arange(max_n)[None, :], 0)        # (N, max_n)
    return BleuStats(matches, totals, hyp_len, _closest_ref_lengths(stream))


@dataclass(frozen=True)
class _Stream:
    """Every sentence of a corpus as one array of word ids (the hypotheses first).

    ``ids`` (L,) word ids; ``seg`` (L,) the sentence of each token (hypotheses are 0..N-1, the
    references follow); ``remaining`` (L,) tokens from each position to its sentence's end;
    ``lens`` (S,) sentence lengths; ``owner`` (S,) the hypothesis each sentence belongs to;
    ``n_refs`` (N,) references per hypothesis; ``n_words`` the size of the vocabulary.
    """

    ids: np.ndarray
    seg: np.ndarray
    remaining: np.ndarray
    lens: np.ndarray
    owner: np.ndarray
    n_refs: np.ndarray
    n_hyps: int
    n_words: int


def _token_stream(hyps, refs) -> _Stream:
    """Step 1: number the words and lay out all sentences end to end."""
    N = len(hyps)
    seqs = hyps + [r for rs in refs for r in rs]
    n_refs = np.array([len(rs) for rs in refs], dtype=np.int64)                # (N,)
    owner = np.concatenate([np.arange(N), np.repeat(np.arange(N), n_refs)])    # (S,)
    lens = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))        # (S,)
    vocab: dict = {}
    ids = np.fromiter((vocab.setdefault(w, len(vocab)) for s in seqs for w in s),
                      dtype=np.int64, count=int(lens.sum()))                   # (L,)
    seg = np.repeat(np.arange(len(seqs)), lens)                                # (L,)
    position = np.arange(ids.size) - np.repeat(np.cumsum(lens) - lens, lens)
    return _Stream(ids, seg, lens[seg] - position, lens, owner, n_refs, N, len(vocab))


def _extend_ngrams(stream: _Stream, gram, n: int):
    """Ids of the n-grams from those of the (n-1)-grams: append the token n-1 ahead.

    Returns the new ids (renumbered 0..G-1) and G; positions closer than n to the end of their
    sentence get an arbitrary id (they are masked out).
    """
    ahead = stream.ids[np.minimum(np.arange(stream.ids.size) + n - 1, stream.ids.size - 1)]
    return _compress(gram * stream.n_words + ahead, stream.remaining >= n)


def _clipped_matches(stream: _Stream, gram, n_grams: int, n: int) -> np.ndarray:
    """Step 2: clipped n-gram matches of every hypothesis, shape (N,), from the n-gram ids."""
    N = stream.n_hyps
    valid = stream.remaining >= n
    g, s = gram[valid], stream.seg[valid]
    is_hyp = s < N
    # (hypothesis, n-gram) counts
    key_h, cnt_h = np.unique(s[is_hyp] * n_grams + g[is_hyp], return_counts=True)
    # (reference, n-gram) counts, then the maximum over each hypothesis's references
    key_r, cnt_r = np.unique(s[~is_hyp] * n_grams + g[~is_hyp], return_counts=True)
    key_o = stream.owner[key_r // n_grams] * n_grams + key_r % n_grams
    order = np.argsort(key_o, kind="stable")
    key_o, cnt_o = key_o[order], cnt_r[order]
    uniq, first = np.unique(key_o, return_index=True)
    if uniq.size:
        ref_max = np.maximum.reduceat(cnt_o, first)
        at = np.minimum(np.searchsorted(uniq, key_h), uniq.size - 1)
        ref_c = np.where(uniq[at] == key_h, ref_max[at], 0)
    else:
        ref_c = np.zeros_like(cnt_h)
    clipped = np.minimum(cnt_h, ref_c)                     # min(count in hyp, max in refs)
    return np.bincount(key_h // n_grams, weights=clipped, minlength=N).astype(np.int64)


def _closest_ref_lengths(stream: _Stream) -> np.ndarray:
    """Step 3: the reference length closest to each hypothesis's, the shorter one on a tie."""
    N = stream.n_hyps
    hyp_len, ref_lens, ref_owner = stream.lens[:N], stream.lens[N:], stream.owner[N:]
    big = int(ref_lens.max(initial=0)) + 1
    rank = np.abs(ref_lens - hyp_len[ref_owner]) * big + ref_lens   # distance, then length
    best = np.minimum.reduceat(rank, np.cumsum(stream.n_refs) - stream.n_refs)
    return best % big


def _compress(keys, valid):
    """Renumber ``keys[valid]`` as 0..G-1 (same key, same id); invalid positions get 0."""
    out = np.zeros_like(keys)
    uniq, inv = np.unique(keys[valid], return_inverse=True)
    out[valid] = inv
    return out, max(uniq.size, 1)
