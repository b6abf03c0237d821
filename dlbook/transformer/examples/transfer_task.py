r"""The transfer-learning task of :ref:`ch-transfer-and-chat`: which book does a sentence come
from? And a GPT with a classification head to solve it.

The four sources of the English corpus (:data:`dlbook.transformer.examples.lm_data.SOURCES`)
differ in style: two Bible translations (one modern, one archaic), fortune-cookie quips and
dictionary glosses. The task takes sentences that the language model of the chapter was *not*
pre-trained on (those after the pre-training and held-out ones in the corpus's shuffled order),
balanced across the four classes.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from dlbook import _checks
from dlbook.transformer.examples.lm_data import SOURCES, english_sentences, shuffled_indices
from dlbook.transformer.gpt_torch import GPT

__all__ = ["SourceTask", "source_task", "GPTClassifier", "encode_texts", "train_classifier",
           "classifier_accuracy"]


@dataclass
class SourceTask:
    """Labelled sentences: ``train_texts``/``train_labels`` and ``test_texts``/``test_labels``
    (labels index :data:`~dlbook.transformer.examples.lm_data.SOURCES`)."""

    train_texts: list
    train_labels: list
    test_texts: list
    test_labels: list


def source_task(n_train_per_class: int, n_test_per_class: int, skip: int,
                seed: int = 0, min_words: int = 5) -> SourceTask:
    r"""Balanced labelled sentences of at least ``min_words`` words, taken after the first
    ``skip`` sentences of the shuffled corpus (the ones a language model was trained and tested
    on with the same ``seed``).

    Raises
    ------
    RuntimeError
        If the corpus has no source labels (the Debian corpus of ``make data`` is missing).

    Examples
    --------
    >>> task = source_task(2, 1, skip=42_000)
    >>> len(task.train_texts), sorted(task.train_labels), sorted(task.test_labels)
    (8, [0, 0, 1, 1, 2, 2, 3, 3], [0, 1, 2, 3])
    """
    n_train = _checks.positive_int(n_train_per_class, "n_train_per_class")
    n_test = _checks.positive_int(n_test_per_class, "n_test_per_class")
    texts, sources = english_sentences()
    if sources is None:
        raise RuntimeError("the source task needs the Debian corpus built by `make data`")
    order = shuffled_indices(len(texts), seed)[_checks.int_value(skip, "skip", low=0):]
    picked = {k: [] for k in range(len(SOURCES))}
    for i in order:
        k = sources[i]
        if len(picked[k]) < n_train + n_test and len(texts[i].split()) >= min_words:
            picked[k].append(texts[i])
        if all(len(v) == n_train + n_test for v in picked.values()):
            break
    task = SourceTask([], [], [], [])
    for k, items in picked.items():
        task.train_texts += items[:n_train]
        task.train_labels += [k] * n_train
        task.test_texts += items[n_train:]
        task.test_labels += [k] * n_test
    return task


class GPTClassifier(nn.Module):
    r"""A GPT body with a linear head on the mean of its last states over the real tokens.

    Parameters
    ----------
    body : GPT
        Pre-trained or fresh; its output layer is not used.
    n_classes : int

    Examples
    --------
    >>> clf = GPTClassifier(GPT(10, 8, 1, 1, 4), n_classes=3)
    >>> idx, lengths = torch.zeros(2, 5, dtype=torch.long), torch.tensor([5, 2])
    >>> tuple(clf(idx, lengths).shape)
    (2, 3)
    """

    def __init__(self, body: GPT, n_classes: int):
        super().__init__()
        self.body = body
        self.head = nn.Linear(body.ln_f.normalized_shape[0],
                              _checks.positive_int(n_classes, "n_classes"))

    def forward(self, idx, lengths):
        """Class logits (B, n_classes) for ids (B, T) whose first ``lengths`` tokens are real."""
        x = self.body.embed(idx)
        for block in self.body.blocks:
            x = block(x)
        x = self.body.ln_f(x)                                                    # (B, T, C)
        real = (torch.arange(idx.shape[1], device=idx.device)[None, :]
                < lengths[:, None]).to(x.dtype)                                  # (B, T)
        pooled = (x * real[..., None]).sum(1) / real.sum(1, keepdim=True)        # (B, C)
        return self.head(pooled)


def encode_texts(texts, encode, pad_id: int, max_len: int):
    """Ids (N, longest ≤ max_len) padded with ``pad_id`` and the lengths (N,).

    Examples
    --------
    >>> idx, lengths = encode_texts(["ab", "abcd"], lambda s: [ord(c) for c in s], 0, 3)
    >>> idx.tolist(), lengths.tolist()
    ([[97, 98, 0], [97, 98, 99]], [2, 3])
    """
    seqs = [encode(t)[:max_len] or [pad_id] for t in texts]
    longest = max(len(s) for s in seqs)
    idx = torch.full((len(seqs), longest), pad_id, dtype=torch.long)
    for i, s in enumerate(seqs):
        idx[i, :len(s)] = torch.tensor(s)
    return idx, torch.tensor([len(s) for s in seqs])


def train_classifier(model, idx, lengths, labels, steps: int, lr: float = 1e-3,
                     batch_size: int = 32, seed: int = 0) -> list:
    """Adam on the cross-entropy of random mini-batches; only parameters with
    ``requires_grad`` are trained. Returns the losses.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> clf = GPTClassifier(GPT(10, 8, 1, 1, 8), 2)
    >>> idx = torch.tensor([[1, 1, 1], [2, 2, 2]] * 8)
    >>> losses = train_classifier(clf, idx, torch.full((16,), 3), torch.tensor([0, 1] * 8),
    ...                           steps=40, lr=1e-2)
    >>> losses[-1] < 0.1
    True
    """
    labels = torch.as_tensor(labels)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    model.train()
    losses = []
    for _ in range(_checks.positive_int(steps, "steps")):
        rows = torch.randint(0, idx.shape[0], (min(batch_size, idx.shape[0]),), generator=gen)
        loss = F.cross_entropy(model(idx[rows], lengths[rows]), labels[rows])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    return losses


@torch.no_grad()
def classifier_accuracy(model, idx, lengths, labels) -> float:
    """Fraction of correct predictions.

    Examples
    --------
    >>> clf = GPTClassifier(GPT(10, 8, 1, 1, 4), 2)
    >>> 0.0 <= classifier_accuracy(clf, torch.zeros(4, 3, dtype=torch.long),
    ...                            torch.full((4,), 3), [0, 1, 0, 1]) <= 1.0
    True
    """
    model.eval()
    pred = model(idx, lengths).argmax(-1)
    return float((pred == torch.as_tensor(labels)).float().mean())
