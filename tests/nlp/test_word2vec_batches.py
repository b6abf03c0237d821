"""Word2Vec's training examples: window pairs against a slow oracle, batches covering them."""

import numpy as np
import pytest

from dlbook.nlp.word2vec_batches import cbow_batches, skipgram_batches, window_pairs


def test_window_pairs_against_slow_oracle():
    rng = np.random.default_rng(4)
    sent = np.sort(rng.integers(0, 8, size=60))
    spans = rng.integers(1, 4, size=60)
    c, o = window_pairs(sent, spans)
    expected = [(i, j) for i in range(60) for j in range(60)
                if i != j and abs(i - j) <= spans[i] and sent[i] == sent[j]]
    assert list(zip(c.tolist(), o.tolist())) == expected
    with pytest.raises(ValueError, match="spans"):
        window_pairs(sent, np.zeros(60, int))


def test_batches_cover_every_pair_once():
    rng = np.random.default_rng(2)
    tokens = rng.integers(0, 30, size=80)
    sent = np.sort(rng.integers(0, 6, size=80))
    centers, contexts = window_pairs(sent, rng.integers(1, 4, size=80))
    pairs = sorted(zip(tokens[centers].tolist(), tokens[contexts].tolist()))
    sg = list(skipgram_batches(tokens, centers, contexts, 7))
    got = sorted(p for b in sg for p in zip(b.inputs.tolist(), b.targets.tolist()))
    assert got == pairs and [b.progress for b in sg][:2] == [0.0, 7 / centers.size]
    cb = list(cbow_batches(tokens, centers, contexts, 5))
    got = sorted((int(b.inputs[m]), int(b.targets[b.example[m]]))
                 for b in cb for m in range(b.inputs.size))
    assert sorted((t, c) for c, t in pairs) == got
    assert sum(b.targets.size for b in cb) == np.unique(centers).size
    assert all(np.all(np.diff(b.example) >= 0) for b in cb)


def test_batch_size_is_checked():
    c, o = window_pairs(np.zeros(4, int), np.ones(4, int))
    with pytest.raises(ValueError, match="batch_size"):
        next(skipgram_batches(np.arange(4), c, o, 0))
    with pytest.raises(TypeError, match="batch_size"):
        next(cbow_batches(np.arange(4), c, o, 2.0))
