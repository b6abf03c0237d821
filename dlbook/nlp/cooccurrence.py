r"""Word-word co-occurrence counts with :math:`1/\text{distance}` weighting, as GloVe uses them.

Counting is kept apart from scoring: this module turns sentences (encoded by
:func:`dlbook.nlp.vocab.build_vocab` and :func:`dlbook.nlp.vocab.encode_corpus`, which drops
out-of-vocabulary tokens *before* windows are taken, as Stanford's ``cooccur`` does) into a
sparse matrix :math:`X`; :mod:`dlbook.nlp.glove` fits vectors to it.  Everything is
vectorized: the only Python loop runs over the distances :math:`1, \dots, \text{window}`, never
over tokens.

Framework-free code: there is no ``_torch`` twin.

See Also
--------
:ref:`ch-glove` : the chapter; it prints a tiny worked example of :math:`X`.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from dlbook._checks import check_ndim, positive_int
from dlbook.nlp.vocab import build_vocab, encode_corpus

__all__ = ["cooccurrence_matrix", "corpus_cooccurrence"]


def cooccurrence_matrix(ids, sentence_ids, vocab_size: int, window: int = 10) -> sp.csr_matrix:
    r"""Symmetric co-occurrence matrix with :math:`1/d` weighting inside a window.

    Parameters
    ----------
    ids : ndarray of shape (T,), int
        Token indices in :math:`[0, V)` (see :func:`dlbook.nlp.vocab.encode_corpus`).
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
    ids, sentence_ids = np.asarray(ids), np.asarray(sentence_ids)
    check_ndim(ids, "ids", ndim=1)
    if ids.shape != sentence_ids.shape:
        raise ValueError(f"ids and sentence_ids must be 1-D of equal length, got {ids.shape} "
                         f"and {sentence_ids.shape}")
    if ids.size and ids.dtype.kind not in "iu":
        raise TypeError(f"ids must hold integers, got dtype {ids.dtype}")
    window = positive_int(window, "window")
    vocab_size = positive_int(vocab_size, "vocab_size")
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
        As in :func:`dlbook.nlp.vocab.build_vocab` and :func:`cooccurrence_matrix`.
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
        sentences = list(sentences)             # read twice: to count, then to encode
        vocab = build_vocab(sentences, min_count)
        ids, sid = encode_corpus(sentences, vocab.key_to_index)
        words = vocab.index_to_key
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
