r"""Word-word co-occurrence counts with :math:`1/\text{distance}` weighting, as GloVe uses them.

Counting is kept apart from scoring: this module turns sentences into a sparse matrix
:math:`X`; :mod:`dlbook.nlp.glove` fits vectors to it.  Everything is vectorized: the only
Python loop runs over the distances :math:`1, \dots, \text{window}`, never over tokens.

Framework-free code: there is no ``_torch`` twin.

See Also
--------
:ref:`ch-glove` : the chapter; it prints a tiny worked example of :math:`X`.
"""

from __future__ import annotations

from collections import Counter
from numbers import Integral

import numpy as np
import scipy.sparse as sp

__all__ = ["build_vocab", "encode_sentences", "cooccurrence_matrix", "corpus_cooccurrence"]


def _check_sentences(sentences):
    if isinstance(sentences, (str, bytes)):
        raise TypeError("sentences must be a list of token lists, got a single string")
    try:
        sentences = list(sentences)
    except TypeError:
        raise TypeError(
            f"sentences must be an iterable of token lists, got {type(sentences).__name__}"
        ) from None
    for k, s in enumerate(sentences):
        if isinstance(s, (str, bytes)):
            raise TypeError(
                f"sentence {k} is a string ({s[:30]!r}); pass a list of tokens per sentence"
            )
    return sentences


def build_vocab(sentences, min_count: int = 5) -> tuple[list[str], np.ndarray]:
    """Vocabulary of the words that occur at least ``min_count`` times, most frequent first.

    Parameters
    ----------
    sentences : iterable of list of str
        The corpus, one token list per sentence.
    min_count : int, default 5
        Words seen fewer times are dropped (as gensim and Stanford's ``vocab_count`` do).

    Returns
    -------
    index_to_key : list of str, length V
        The words, by decreasing count; ties are broken alphabetically so the order is the same
        on every machine.
    counts : ndarray of shape (V,), int64
        ``counts[i]`` is how often ``index_to_key[i]`` occurs.

    Raises
    ------
    TypeError
        If ``sentences`` is a string or holds strings instead of token lists.
    ValueError
        If ``min_count < 1`` or no word reaches ``min_count`` (an empty vocabulary).

    See Also
    --------
    :ref:`ch-glove` : the chapter that uses it.

    Examples
    --------
    >>> words, counts = build_vocab([["a", "b", "a"], ["c", "a", "b"]], min_count=2)
    >>> words, counts.tolist()
    (['a', 'b'], [3, 2])
    """
    if isinstance(min_count, bool) or not isinstance(min_count, Integral) or min_count < 1:
        raise ValueError(f"min_count must be a positive integer, got {min_count!r}")
    sentences = _check_sentences(sentences)
    counter = Counter(tok for s in sentences for tok in s)
    kept = sorted((w for w, c in counter.items() if c >= min_count), key=lambda w: (-counter[w], w))
    if not kept:
        top = counter.most_common(1)
        raise ValueError(
            f"empty vocabulary: no word occurs min_count={min_count} times "
            f"(corpus of {sum(counter.values())} tokens, most frequent: {top})"
        )
    return kept, np.array([counter[w] for w in kept], dtype=np.int64)


def encode_sentences(sentences, key_to_index: dict) -> tuple[np.ndarray, np.ndarray]:
    """Map tokens to vocabulary indices, dropping out-of-vocabulary tokens.

    Parameters
    ----------
    sentences : iterable of list of str
    key_to_index : dict of str to int

    Returns
    -------
    ids : ndarray of shape (T,), int64
        All kept tokens of the corpus, concatenated.
    sentence_ids : ndarray of shape (T,), int64
        The sentence each token came from, so windows never cross a sentence boundary.

    Notes
    -----
    Out-of-vocabulary tokens are removed *before* windows are taken, as Stanford's ``cooccur``
    does, so distances count only kept words.

    Examples
    --------
    >>> ids, sid = encode_sentences([["a", "x", "b"], ["b"]], {"a": 0, "b": 1})
    >>> ids.tolist(), sid.tolist()
    ([0, 1, 1], [0, 0, 1])
    """
    sentences = _check_sentences(sentences)
    ids, sid = [], []
    for k, s in enumerate(sentences):
        enc = [key_to_index[t] for t in s if t in key_to_index]
        ids.extend(enc)
        sid.extend([k] * len(enc))
    return np.asarray(ids, dtype=np.int64), np.asarray(sid, dtype=np.int64)


def cooccurrence_matrix(ids, sentence_ids, vocab_size: int, window: int = 10) -> sp.csr_matrix:
    r"""Symmetric co-occurrence matrix with :math:`1/d` weighting inside a window.

    Parameters
    ----------
    ids : ndarray of shape (T,), int
        Token indices in :math:`[0, V)` (see :func:`encode_sentences`).
    sentence_ids : ndarray of shape (T,), int
        Sentence of each token; pairs from different sentences are not counted.
    vocab_size : int
        :math:`V`, the number of rows and columns.
    window : int, default 10
        Largest distance :math:`d` that still counts.

    Returns
    -------
    X : scipy.sparse.csr_matrix of shape (V, V), float64
        Symmetric, with duplicates summed.

    Raises
    ------
    ValueError
        If the arrays differ in shape, an index is outside :math:`[0, V)`, or ``window < 1``.

    Notes
    -----
    For every pair of tokens at positions :math:`t < s` of one sentence with
    :math:`d = s - t \le \text{window}`,

    .. math::

        X_{w_t, w_s} \mathrel{+}= \frac{1}{d}, \qquad X_{w_s, w_t} \mathrel{+}= \frac{1}{d}.

    A word next to itself adds to the diagonal twice (once per direction), as in Stanford's code.

    See Also
    --------
    :ref:`ch-glove` : the chapter.
    dlbook.nlp.glove.GloVe : fits vectors to this matrix.

    Examples
    --------
    "a b c" with window 2: a-b and b-c are at distance 1, a-c at distance 2.

    >>> X = cooccurrence_matrix(np.array([0, 1, 2]), np.array([0, 0, 0]), 3, window=2)
    >>> X.toarray()
    array([[0. , 1. , 0.5],
           [1. , 0. , 1. ],
           [0.5, 1. , 0. ]])
    """
    ids = np.asarray(ids)
    sentence_ids = np.asarray(sentence_ids)
    if ids.ndim != 1 or ids.shape != sentence_ids.shape:
        raise ValueError(
            f"ids and sentence_ids must be 1-D of equal length, got {ids.shape} and "
            f"{sentence_ids.shape}"
        )
    if isinstance(window, bool) or not isinstance(window, Integral) or window < 1:
        raise ValueError(f"window must be a positive integer, got {window!r}")
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, Integral) or vocab_size < 1:
        raise ValueError(f"vocab_size must be a positive integer, got {vocab_size!r}")
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(
            f"ids must lie in [0, {vocab_size}), got min {ids.min()} and max {ids.max()}"
        )
    X = sp.csr_matrix((vocab_size, vocab_size), dtype=np.float64)
    idx = ids.astype(np.int32)
    for d in range(1, window + 1):  # one vectorized pass per distance
        if d >= ids.size:
            break
        same = sentence_ids[:-d] == sentence_ids[d:]  # (T - d,)
        left, right = idx[:-d][same], idx[d:][same]
        vals = np.full(left.size, 1.0 / d)
        rows = np.concatenate([left, right])
        cols = np.concatenate([right, left])
        X = X + sp.csr_matrix(
            (np.concatenate([vals, vals]), (rows, cols)), shape=(vocab_size, vocab_size)
        )
    X.sum_duplicates()
    return X.tocsr()


def corpus_cooccurrence(sentences, min_count: int = 5, window: int = 10, precomputed=None):
    r"""Vocabulary and co-occurrence matrix of a corpus, or a checked precomputed pair.

    The first step of both :class:`dlbook.nlp.glove.GloVe` and its PyTorch twin.

    Parameters
    ----------
    sentences : iterable of list of str
        Ignored when ``precomputed`` is given.
    min_count, window : int
        As in :func:`build_vocab` and :func:`cooccurrence_matrix`.
    precomputed : tuple (words, X), optional
        A vocabulary and its (V, V) sparse matrix, to share one count between several models.

    Returns
    -------
    words : list of str
    X : scipy.sparse.csr_matrix of shape (V, V)

    Raises
    ------
    ValueError
        If ``X`` does not match ``words`` or has no entry at all.

    Examples
    --------
    >>> words, X = corpus_cooccurrence([["a", "b", "a"]], min_count=1, window=2)
    >>> words, X.toarray().tolist()
    (['a', 'b'], [[1.0, 2.0], [2.0, 0.0]])
    """
    if precomputed is None:
        words, _ = build_vocab(sentences, min_count)
        ids, sid = encode_sentences(sentences, {w: k for k, w in enumerate(words)})
        X = cooccurrence_matrix(ids, sid, len(words), window)
    else:
        words, X = precomputed
        if X.shape != (len(words), len(words)):
            raise ValueError(f"co-occurrence matrix {X.shape} does not match a vocabulary "
                             f"of {len(words)} words")
    if X.nnz == 0:
        raise ValueError("the co-occurrence matrix is empty: no two vocabulary words share "
                         "a window (corpus too small for min_count/window?)")
    return list(words), sp.csr_matrix(X)
