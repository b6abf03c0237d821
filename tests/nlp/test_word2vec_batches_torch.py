"""Word2Vec's training examples as tensors, against the NumPy functions."""

import numpy as np
import torch

from dlbook.nlp import word2vec_batches, word2vec_batches_torch


def test_pairs_and_batches_equal_numpy():
    rng = np.random.default_rng(5)
    tokens = rng.integers(0, 40, size=90)
    sent = np.sort(rng.integers(0, 7, size=90))
    spans = rng.integers(1, 5, size=90)
    c, o = word2vec_batches.window_pairs(sent, spans)
    tc, to = word2vec_batches_torch.window_pairs(torch.tensor(sent), torch.tensor(spans))
    assert tc.tolist() == c.tolist() and to.tolist() == o.tolist()
    for make in ("skipgram_batches", "cbow_batches"):
        ours = list(getattr(word2vec_batches, make)(tokens, c, o, 8))
        theirs = list(getattr(word2vec_batches_torch, make)(torch.tensor(tokens), tc, to, 8))
        assert len(ours) == len(theirs), make
        for a, b in zip(ours, theirs):
            for field in ("targets", "inputs", "example"):
                assert getattr(b, field).tolist() == getattr(a, field).tolist(), (make, field)
            assert b.progress == a.progress


def test_empty_input():
    c, o = word2vec_batches_torch.window_pairs(torch.zeros(0, dtype=torch.long),
                                               torch.zeros(0, dtype=torch.long))
    assert c.numel() == 0 and o.numel() == 0
