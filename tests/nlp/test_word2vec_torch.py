"""Tests for dlbook.nlp.word2vec_torch: each function against its NumPy twin, training."""

import numpy as np
import pytest
import torch

from dlbook.nlp import word2vec, word2vec_torch
from tests.nlp.test_word2vec import topic_purity, toy_corpus


def test_sgns_equals_numpy():
    rng = np.random.default_rng(0)
    B, K, d = 6, 3, 4
    v, up, un = rng.normal(size=(B, d)), rng.normal(size=(B, d)), rng.normal(size=(B, K, d))
    mask = (rng.random((B, K)) > 0.3).astype(float)
    loss, grads = word2vec.sgns_value_and_grad(v, up, un, mask)
    t_loss, t_grads = word2vec_torch.sgns_value_and_grad(
        *(torch.tensor(x) for x in (v, up, un, mask)))
    assert float(t_loss) == pytest.approx(loss, rel=1e-12)
    for name, ours, theirs in zip(("d_in", "d_pos", "d_neg"), grads, t_grads):
        np.testing.assert_allclose(theirs.numpy(), ours, rtol=1e-9, atol=1e-12, err_msg=name)
    with pytest.raises(ValueError, match="u_neg"):
        word2vec_torch.sgns_value_and_grad(torch.zeros(2, 3), torch.zeros(2, 3),
                                           torch.zeros(2, 1, 4))


def test_scatter_add_equals_numpy():
    rng = np.random.default_rng(1)
    idx, rows, W = rng.integers(0, 9, 50), rng.normal(size=(50, 4)), rng.normal(size=(9, 4))
    tW = torch.tensor(W)
    word2vec.scatter_add(W, idx, rows)
    word2vec_torch.scatter_add(tW, torch.tensor(idx), torch.tensor(rows))
    np.testing.assert_allclose(tW.numpy(), W, rtol=1e-12)


@pytest.mark.parametrize("sg", [1, 0])
def test_training_separates_two_topics(sg):
    sents = toy_corpus(n=100, k=100, length=30)
    m = word2vec_torch.Word2Vec(sents, vector_size=10, window=3, min_count=1, sg=sg, epochs=5,
                                sample=0, alpha=0.1, device="cpu")
    assert m.loss_history[-1] < 0.8 * m.loss_history[0], m.loss_history
    assert topic_purity(m.wv) >= 0.9


def test_bad_input():
    with pytest.raises(ValueError, match="empty vocabulary"):
        word2vec_torch.Word2Vec([["rare", "words"]], min_count=5, device="cpu")
    with pytest.raises(ValueError, match="sg"):
        word2vec_torch.Word2Vec(toy_corpus(10), min_count=1, sg=2, device="cpu")
    m = word2vec_torch.Word2Vec(toy_corpus(20, k=5, length=10), vector_size=4, min_count=1,
                                epochs=1, device="cpu")
    with pytest.raises(KeyError, match="'zebra'"):
        m.wv["zebra"]
    assert m.wv.vectors.shape == (10, 4)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_torch_trainer_on_cuda():
    m = word2vec_torch.Word2Vec(toy_corpus(n=100, k=100, length=30), vector_size=10, window=3,
                                min_count=1, epochs=5, sample=0, alpha=0.1, device="cuda")
    assert m.syn1neg.device.type == "cuda"
    assert topic_purity(m.wv) >= 0.9
