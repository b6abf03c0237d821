r"""A Word2Vec-style vocabulary: counts, ``min_count``, frequency order, subsampling, noise.

One scan over the corpus gives everything the trainers of :ref:`ch-word2vec` and
:ref:`ch-glove` need before they see a single gradient:

* the words that occur at least ``min_count`` times, most frequent first (index 0 is the most
  frequent word, as in gensim);
* the probability of *keeping* each occurrence when frequent words are subsampled, with the
  formula gensim (and word2vec.c) implement for ``sample``;
* the negative-sampling (noise) distribution :math:`P_n(w) \propto c(w)^{3/4}`;
* the corpus as one flat array of word indices with a sentence id per token.

Framework-free code: there is no ``_torch`` twin.

See Also
--------
:ref:`ch-word2vec` : the chapter that plots the keep probability and the noise distribution.
dlbook.nlp.keyed_vectors : the trained vectors, indexed with this vocabulary's order.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain

import numpy as np

from dlbook._checks import positive_int, real_array, real_value, token_list

__all__ = ["Vocab", "build_vocab", "keep_probabilities", "noise_distribution", "encode_corpus",
           "huffman_code_lengths"]


def _check_sentences(sentences) -> list[list]:
    """The corpus as a list of token lists (a string where a token list belongs is refused)."""
    if isinstance(sentences, (str, bytes)):
        raise TypeError("sentences must be an iterable of token lists, got a single string")
    try:
        items = list(sentences)
    except TypeError:
        raise TypeError("sentences must be an iterable of token lists, "
                        f"got {type(sentences).__name__}") from None
    return [token_list(s, f"sentences[{i}]") for i, s in enumerate(items)]


@dataclass
class Vocab:
    """Words kept by :func:`build_vocab`, most frequent first.

    Attributes
    ----------
    index_to_key : list of str, length V
        Word of each index, by descending count (ties keep first-appearance order).
    counts : ndarray of int64, shape (V,)
        ``counts[i]`` is the corpus count of ``index_to_key[i]``.
    key_to_index : dict of str to int
        The inverse of ``index_to_key``.
    n_raw_tokens : int
        Tokens in the corpus before ``min_count`` (what gensim calls raw words).
    """

    index_to_key: list
    counts: np.ndarray
    n_raw_tokens: int
    key_to_index: dict = field(init=False)

    def __post_init__(self):
        self.key_to_index = {w: i for i, w in enumerate(self.index_to_key)}

    def __len__(self) -> int:
        return len(self.index_to_key)

    @property
    def n_retained_tokens(self) -> int:
        """Tokens whose word survived ``min_count``."""
        return int(self.counts.sum())


def build_vocab(sentences, min_count: int = 5) -> Vocab:
    """Count the words of ``sentences`` and keep those seen at least ``min_count`` times.

    Parameters
    ----------
    sentences : iterable of list of str
        The corpus, one token list per sentence (or document).
    min_count : int, default 5
        Words with a smaller count are dropped (gensim's ``min_count``).

    Returns
    -------
    Vocab

    Raises
    ------
    ValueError
        If ``min_count < 1`` or no word reaches ``min_count`` (an empty vocabulary).
    TypeError
        If a sentence is a plain string instead of a list of tokens.

    Examples
    --------
    >>> v = build_vocab([["a", "b", "a"], ["c", "a", "b"]], min_count=2)
    >>> v.index_to_key, v.counts.tolist(), v.n_raw_tokens
    (['a', 'b'], [3, 2], 6)
    """
    min_count = positive_int(min_count, "min_count")
    sentences = _check_sentences(sentences)
    counter = Counter(chain.from_iterable(sentences))  # insertion order = first appearance
    n_raw = sum(counter.values())
    kept = [(w, c) for w, c in counter.items() if c >= min_count]
    if not kept:
        raise ValueError(
            f"empty vocabulary: no word occurs at least min_count={min_count} times "
            f"in a corpus of {n_raw} tokens and {len(counter)} distinct words"
        )
    kept.sort(key=lambda wc: -wc[1])  # stable: ties stay in first-appearance order
    words = [w for w, _ in kept]
    counts = np.array([c for _, c in kept], dtype=np.int64)
    return Vocab(index_to_key=words, counts=counts, n_raw_tokens=n_raw)


def keep_probabilities(counts, sample: float = 1e-3) -> np.ndarray:
    r"""Probability of keeping one occurrence of each word when subsampling frequent words.

    Parameters
    ----------
    counts : array_like of shape (V,)
        Positive word counts (after ``min_count``).
    sample : float, default 1e-3
        The threshold :math:`t` as a fraction of the retained tokens; ``0`` turns subsampling off.

    Returns
    -------
    ndarray of float64, shape (V,)
        Keep probabilities in :math:`(0, 1]`.

    Notes
    -----
    With :math:`f(w) = c(w) / \sum_u c(u)` the word's frequency, gensim and word2vec.c keep an
    occurrence with probability

    .. math:: p_{\text{keep}}(w) = \min\Bigl(1, \sqrt{\tfrac{t}{f(w)}} + \tfrac{t}{f(w)}\Bigr),

    written in the code as :math:`(\sqrt{c/T} + 1)\,T/c` with :math:`T = t\sum_u c(u)`.  The paper
    (Mikolov et al., 2013) states :math:`p_{\text{keep}} = \sqrt{t/f}` instead (a discard
    probability of :math:`1 - \sqrt{t/f}`); the implemented form keeps a little more.

    References
    ----------
    Mikolov et al., "Distributed Representations of Words and Phrases and their
    Compositionality", NeurIPS 2013, section 2.3.

    Examples
    --------
    A word that makes up 1 % of a corpus, with ``sample=1e-3`` (t/f = 0.1):

    >>> p = keep_probabilities([1000, 99000], sample=1e-3)
    >>> round(float(p[0]), 4)        # sqrt(0.1) + 0.1
    0.4162
    """
    counts = real_array(counts, "counts", ndim=1, nonempty=True, finite=True).astype(np.float64)
    if np.any(counts <= 0):
        raise ValueError(f"counts must be positive, got min {counts.min()}")
    sample = real_value(sample, "sample", low=0.0, high=1.0, high_open=True)
    if sample == 0:
        return np.ones_like(counts)
    threshold = sample * counts.sum()  # T = t * total retained tokens
    return np.minimum(1.0, (np.sqrt(counts / threshold) + 1.0) * threshold / counts)


def noise_distribution(counts, power: float = 0.75) -> np.ndarray:
    r"""The negative-sampling distribution :math:`P_n(w) = c(w)^{p} / \sum_u c(u)^{p}`.

    Parameters
    ----------
    counts : array_like of shape (V,)
        Non-negative word counts, not all zero.
    power : float, default 0.75
        The exponent (3/4 in word2vec; 1 gives the unigram distribution, 0 the uniform one).

    Returns
    -------
    ndarray of float64, shape (V,)
        Probabilities summing to 1.

    Examples
    --------
    >>> noise_distribution([16, 1], power=0.75).round(4).tolist()   # 8 : 1
    [0.8889, 0.1111]
    """
    counts = real_array(counts, "counts", ndim=1, nonempty=True, finite=True).astype(np.float64)
    if np.any(counts < 0) or counts.sum() == 0:
        raise ValueError(f"counts must be non-negative and not all zero, got {counts[:5]}...")
    power = real_value(power, "power")
    weights = counts ** power
    return weights / weights.sum()


def encode_corpus(sentences, key_to_index) -> tuple[np.ndarray, np.ndarray]:
    """Map every in-vocabulary token to its index; drop the others, as word2vec does.

    Parameters
    ----------
    sentences : iterable of list of str
    key_to_index : dict of str to int

    Returns
    -------
    ids : ndarray of int64, shape (N,)
        Word indices of the kept tokens, sentences concatenated.
    sentence_ids : ndarray of int64, shape (N,)
        Which sentence each kept token came from (windows never cross sentences).

    Examples
    --------
    >>> ids, sent = encode_corpus([["a", "x", "b"], ["b"]], {"a": 0, "b": 1})
    >>> ids.tolist(), sent.tolist()
    ([0, 1, 1], [0, 0, 1])
    """
    sentences = _check_sentences(sentences)
    lengths = np.array([len(s) for s in sentences], dtype=np.int64)
    get = key_to_index.get
    raw = np.fromiter((get(w, -1) for w in chain.from_iterable(sentences)), dtype=np.int64,
                      count=int(lengths.sum()))
    sent = np.repeat(np.arange(len(sentences), dtype=np.int64), lengths)
    keep = raw >= 0
    return raw[keep], sent[keep]


def huffman_code_lengths(counts) -> np.ndarray:
    r"""Depth of each word in the Huffman tree that hierarchical softmax walks down.

    Parameters
    ----------
    counts : array_like of shape (V,)
        Positive word counts, V >= 2.

    Returns
    -------
    ndarray of int64, shape (V,)
        Code length of each word: the number of binary (sigmoid) decisions that predict it.

    Notes
    -----
    Repeatedly merge the two least frequent nodes (word2vec.c builds the same tree).  Frequent
    words end up near the root, and the count-weighted mean length is within one bit of the
    entropy of the unigram distribution, far below the :math:`V` scores of a full softmax.

    Examples
    --------
    >>> huffman_code_lengths([8, 4, 2, 1, 1]).tolist()
    [1, 2, 3, 4, 4]
    """
    counts = real_array(counts, "counts", ndim=1, finite=True).astype(np.float64)
    if counts.size < 2 or np.any(counts <= 0):
        raise ValueError(f"counts must hold >= 2 positive counts, got shape {counts.shape}")
    V = counts.size
    heap = [(c, i) for i, c in enumerate(counts)]  # (count, node); leaves are 0..V-1
    heapq.heapify(heap)
    parent = np.zeros(2 * V - 1, dtype=np.int64)
    nxt = V
    while len(heap) > 1:
        c1, a = heapq.heappop(heap)
        c2, b = heapq.heappop(heap)
        parent[a] = parent[b] = nxt
        heapq.heappush(heap, (c1 + c2, nxt))
        nxt += 1
    depth = np.zeros(2 * V - 1, dtype=np.int64)
    for node in range(2 * V - 3, -1, -1):  # parents have larger ids: fill from the root down
        depth[node] = depth[parent[node]] + 1
    return depth[:V]
