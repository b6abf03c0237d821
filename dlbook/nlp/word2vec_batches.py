r"""The training examples of Word2Vec: (center, context) pairs and named minibatches.

* :func:`window_pairs` -- every (center, context) position pair of a corpus inside each center's
  window;
* :class:`Batch` -- one minibatch: input words, the example each belongs to, target words;
* :func:`skipgram_batches` and :func:`cbow_batches` -- the pairs cut into batches, for
  skip-gram (each center predicts one context word) and for CBOW (a window's context words
  predict its center).

Both models then share one update (:class:`dlbook.nlp.word2vec.Word2Vec`): the input vector of
an example is the mean of its input words' vectors, a single word for skip-gram.

See Also
--------
:ref:`ch-word2vec` : the chapter.
dlbook.nlp.word2vec_batches_torch : the same with tensors, on any device.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlbook._checks import positive_int

__all__ = ["window_pairs", "Batch", "skipgram_batches", "cbow_batches"]


def window_pairs(sentence_ids, spans):
    r"""All (center, context) position pairs inside each center's window.

    Parameters
    ----------
    sentence_ids : ndarray of int, shape (N,)
        Sentence of each token (non-decreasing); windows never cross a sentence boundary.
    spans : ndarray of int, shape (N,)
        The window of each center, :math:`s_i \ge 1`.  word2vec draws it uniformly from
        :math:`\{1, \dots, W\}` for every center (:class:`dlbook.nlp.word2vec.Word2Vec` does the
        draw), which weights near contexts more than far ones.

    Returns
    -------
    centers, contexts : ndarray of int64, shape (P,)
        Positions, sorted by center (then by context); pair :math:`(i, j)` is present iff
        :math:`0 < |i - j| \le s_i` and both tokens share a sentence.

    Examples
    --------
    >>> c, o = window_pairs(np.array([0, 0, 0, 1]), spans=np.array([1, 1, 2, 1]))
    >>> list(zip(c.tolist(), o.tolist()))
    [(0, 1), (1, 0), (1, 2), (2, 0), (2, 1)]
    """
    sentence_ids, spans = np.asarray(sentence_ids), np.asarray(spans)
    if sentence_ids.ndim != 1 or spans.shape != sentence_ids.shape:
        raise ValueError(f"sentence_ids and spans must be 1-D of equal length, got "
                         f"{sentence_ids.shape} and {spans.shape}")
    if spans.size and spans.min() < 1:
        raise ValueError(f"spans must be >= 1, got min {spans.min()}")
    N = sentence_ids.shape[0]
    window = int(spans.max(initial=0))
    centers, contexts = [], []
    for off in range(-window, window + 1):      # a loop over 2W offsets, vectorized over tokens
        if off == 0:
            continue
        i = np.arange(max(0, -off), min(N, N - off))
        j = i + off
        ok = (sentence_ids[i] == sentence_ids[j]) & (abs(off) <= spans[i])
        centers.append(i[ok])
        contexts.append(j[ok])
    centers = np.concatenate(centers) if centers else np.zeros(0, np.int64)
    contexts = np.concatenate(contexts) if contexts else np.zeros(0, np.int64)
    order = np.lexsort((contexts, centers))
    return centers[order].astype(np.int64), contexts[order].astype(np.int64)


@dataclass(frozen=True)
class Batch:
    r"""One minibatch of Word2Vec examples: input words predict a target word each.

    Attributes
    ----------
    targets : ndarray of int, shape (B,)
        The word each example predicts (skip-gram: a context word; CBOW: the center word).
    inputs : ndarray of int, shape (M,)
        The input words (skip-gram: the B center words, M = B; CBOW: all context words of the B
        windows, window after window).
    example : ndarray of int, shape (M,)
        The example each input word belongs to (non-decreasing; skip-gram: ``0, 1, ..., B-1``).
        The input vector of example :math:`b` is the mean of its input words' vectors.
    progress : float
        Share of the epoch's examples that came before this batch (drives the learning rate).
    """

    targets: np.ndarray
    inputs: np.ndarray
    example: np.ndarray
    progress: float


def skipgram_batches(tokens, centers, contexts, batch_size):
    """Cut the (center, context) pairs into skip-gram batches: each center predicts a context.

    Parameters
    ----------
    tokens : ndarray of int, shape (N,)
        Word index of each position.
    centers, contexts : ndarray of int, shape (P,)
        Position pairs from :func:`window_pairs`.
    batch_size : int
        Pairs per batch.

    Yields
    ------
    Batch
        With ``inputs`` the center words and ``targets`` their context words.

    Examples
    --------
    >>> tok = np.array([7, 8, 9])
    >>> b = next(skipgram_batches(tok, np.array([0, 1, 1]), np.array([1, 0, 2]), 2))
    >>> b.inputs.tolist(), b.targets.tolist(), b.example.tolist(), b.progress
    ([7, 8], [8, 7], [0, 1], 0.0)
    """
    batch_size = positive_int(batch_size, "batch_size")
    n = centers.shape[0]
    for s in range(0, n, batch_size):
        inputs = tokens[centers[s:s + batch_size]]
        yield Batch(targets=tokens[contexts[s:s + batch_size]], inputs=inputs,
                    example=np.arange(inputs.shape[0]), progress=s / n)


def cbow_batches(tokens, centers, contexts, batch_size):
    """Group the pairs by center into CBOW examples: a window's context words predict its center.

    Parameters
    ----------
    tokens : ndarray of int, shape (N,)
    centers, contexts : ndarray of int, shape (P,)
        Position pairs from :func:`window_pairs` (sorted by center).
    batch_size : int
        Windows per batch.

    Yields
    ------
    Batch
        With ``targets`` the center words and ``inputs`` the context words of each window.

    Examples
    --------
    Centers 0 and 1 with contexts (1) and (0, 2):

    >>> tok = np.array([7, 8, 9])
    >>> b = next(cbow_batches(tok, np.array([0, 1, 1]), np.array([1, 0, 2]), 2))
    >>> b.targets.tolist(), b.inputs.tolist(), b.example.tolist()
    ([7, 8], [8, 7, 9], [0, 1, 1])
    """
    batch_size = positive_int(batch_size, "batch_size")
    starts = np.flatnonzero(np.r_[True, centers[1:] != centers[:-1]]) if centers.size \
        else np.zeros(0, np.int64)                      # first pair of each center
    n = starts.shape[0]
    bounds = np.r_[starts, centers.shape[0]]
    for s in range(0, n, batch_size):
        e = min(s + batch_size, n)
        lo, hi = bounds[s], bounds[e]
        yield Batch(targets=tokens[centers[starts[s:e]]], inputs=tokens[contexts[lo:hi]],
                    example=np.repeat(np.arange(e - s), np.diff(bounds[s:e + 1])),
                    progress=s / n)
