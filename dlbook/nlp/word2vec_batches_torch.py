r"""Word2Vec's training examples as tensors, twin of :mod:`dlbook.nlp.word2vec_batches`.

Pairs and batches are built where the tensors live (a GPU, when the trainer runs there), with
the same results as the NumPy functions (a test holds them to it).

See Also
--------
:ref:`ch-word2vec` : the chapter.
dlbook.nlp.word2vec_batches : the NumPy reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from dlbook._checks import positive_int

__all__ = ["window_pairs", "Batch", "skipgram_batches", "cbow_batches"]


def window_pairs(sentence_ids, spans):
    r"""All (center, context) position pairs inside each center's window, as tensors.

    Parameters
    ----------
    sentence_ids : LongTensor of shape (N,)
        Sentence of each token (non-decreasing).
    spans : LongTensor of shape (N,)
        The window of each center, >= 1.

    Returns
    -------
    centers, contexts : LongTensor of shape (P,)
        Sorted by center, then by context, as :func:`dlbook.nlp.word2vec_batches.window_pairs`.

    Examples
    --------
    >>> c, o = window_pairs(torch.tensor([0, 0, 0, 1]), torch.tensor([1, 1, 2, 1]))
    >>> list(zip(c.tolist(), o.tolist()))
    [(0, 1), (1, 0), (1, 2), (2, 0), (2, 1)]
    """
    if sentence_ids.dim() != 1 or spans.shape != sentence_ids.shape:
        raise ValueError(f"sentence_ids and spans must be 1-D of equal length, got "
                         f"{tuple(sentence_ids.shape)} and {tuple(spans.shape)}")
    if spans.numel() and int(spans.min()) < 1:
        raise ValueError(f"spans must be >= 1, got min {int(spans.min())}")
    N, dev = sentence_ids.shape[0], sentence_ids.device
    window = int(spans.max()) if spans.numel() else 0
    centers, contexts = [], []
    for off in range(-window, window + 1):
        if off == 0:
            continue
        i = torch.arange(max(0, -off), min(N, N - off), device=dev)
        j = i + off
        ok = (sentence_ids[i] == sentence_ids[j]) & (abs(off) <= spans[i])
        centers.append(i[ok])
        contexts.append(j[ok])
    if not centers:
        empty = torch.zeros(0, dtype=torch.long, device=dev)
        return empty, empty.clone()
    centers, contexts = torch.cat(centers), torch.cat(contexts)
    order = torch.argsort(centers * N + contexts)            # by center, then context
    return centers[order], contexts[order]


@dataclass(frozen=True)
class Batch:
    r"""One minibatch of Word2Vec examples as tensors (:class:`dlbook.nlp.word2vec_batches.Batch`).

    Attributes
    ----------
    targets : LongTensor of shape (B,)
    inputs : LongTensor of shape (M,)
    example : LongTensor of shape (M,)
    progress : float
    """

    targets: torch.Tensor
    inputs: torch.Tensor
    example: torch.Tensor
    progress: float


def skipgram_batches(tokens, centers, contexts, batch_size):
    """Skip-gram batches: each center word predicts one context word (tensors on their device).

    Examples
    --------
    >>> tok = torch.tensor([7, 8, 9])
    >>> b = next(skipgram_batches(tok, torch.tensor([0, 1, 1]), torch.tensor([1, 0, 2]), 2))
    >>> b.inputs.tolist(), b.targets.tolist(), b.example.tolist(), b.progress
    ([7, 8], [8, 7], [0, 1], 0.0)
    """
    batch_size = positive_int(batch_size, "batch_size")
    n = centers.shape[0]
    for s in range(0, n, batch_size):
        inputs = tokens[centers[s:s + batch_size]]
        yield Batch(targets=tokens[contexts[s:s + batch_size]], inputs=inputs,
                    example=torch.arange(inputs.shape[0], device=inputs.device), progress=s / n)


def cbow_batches(tokens, centers, contexts, batch_size):
    """CBOW batches: the context words of a window predict its center word.

    Examples
    --------
    >>> tok = torch.tensor([7, 8, 9])
    >>> b = next(cbow_batches(tok, torch.tensor([0, 1, 1]), torch.tensor([1, 0, 2]), 2))
    >>> b.targets.tolist(), b.inputs.tolist(), b.example.tolist()
    ([7, 8], [8, 7, 9], [0, 1, 1])
    """
    batch_size = positive_int(batch_size, "batch_size")
    first = torch.ones_like(centers, dtype=torch.bool)
    first[1:] = centers[1:] != centers[:-1]
    starts = torch.nonzero(first).squeeze(1)                 # first pair of each center
    n = starts.shape[0]
    bounds = torch.cat([starts, starts.new_tensor([centers.shape[0]])]).tolist()
    for s in range(0, n, batch_size):
        e = min(s + batch_size, n)
        sizes = torch.diff(torch.as_tensor(bounds[s:e + 1], device=centers.device))
        yield Batch(targets=tokens[centers[starts[s:e]]],
                    inputs=tokens[contexts[bounds[s]:bounds[e]]],
                    example=torch.repeat_interleave(torch.arange(e - s, device=centers.device),
                                                    sizes),
                    progress=s / n)
