"""Tests for dlbook.nlp.word2vec (NumPy): gradients against autograd, the sparse update, training
on a corpus whose answer is known, and (slow) quality next to gensim."""

import numpy as np
import pytest
import torch

from dlbook.nlp import word2vec
from dlbook.nlp.word2vec import full_softmax_value_and_grad, scatter_add, sgns_value_and_grad


def toy_corpus(n=200, seed=0, k=100, length=40):
    """Two topics of k words that never share a sentence: neighbours must stay inside a topic."""
    rng = np.random.default_rng(seed)
    topics = [[f"a{i}" for i in range(k)], [f"b{i}" for i in range(k)]]
    return [[str(w) for w in rng.choice(topics[i % 2], size=length)] for i in range(n)]


def topic_purity(wv):
    """Share of each word's 5 nearest neighbours that belong to its own topic."""
    n = wv.get_normed_vectors()
    sims = n @ n.T
    np.fill_diagonal(sims, -np.inf)
    top = np.argsort(-sims, axis=1)[:, :5]
    topic = np.array([k[0] for k in wv.index_to_key])
    return float((topic[top] == topic[:, None]).mean())


@pytest.mark.parametrize("K", [1, 5])
def test_sgns_gradients_match_autograd(K):
    rng = np.random.default_rng(K)
    B, d = 7, 4
    v, up, un = rng.normal(size=(B, d)), rng.normal(size=(B, d)), rng.normal(size=(B, K, d))
    mask = (rng.random((B, K)) > 0.3).astype(float)
    loss, grads = sgns_value_and_grad(v, up, un, mask)
    tv, tp, tn = (torch.tensor(x, requires_grad=True) for x in (v, up, un))
    tl = -torch.nn.functional.logsigmoid((tp * tv).sum(1)).sum() \
        - (torch.tensor(mask) * torch.nn.functional.logsigmoid(-(tn * tv[:, None]).sum(2))).sum()
    tl.backward()
    np.testing.assert_allclose(loss, tl.item(), rtol=1e-12)
    for name, ours, ref in zip(("d_in", "d_pos", "d_neg"), grads, (tv.grad, tp.grad, tn.grad)):
        np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


def test_sgns_is_stable_for_large_scores():
    v = np.full((1, 1), 60.0)
    loss, (d_in, _, _) = sgns_value_and_grad(v, -v, v[:, None, :])  # scores -3600 and +3600
    assert np.isfinite(loss) and loss == pytest.approx(7200.0)
    assert np.all(np.isfinite(d_in))


def test_sgns_shape_errors():
    z = np.zeros((2, 3))
    with pytest.raises(ValueError, match="u_pos"):
        sgns_value_and_grad(z, np.zeros((2, 4)), np.zeros((2, 1, 3)))
    with pytest.raises(ValueError, match="u_neg"):
        sgns_value_and_grad(z, z, np.zeros((2, 1, 4)))
    with pytest.raises(ValueError, match="neg_mask"):
        sgns_value_and_grad(z, z, np.zeros((2, 1, 3)), np.ones((2, 2)))


def test_full_softmax_gradients_match_autograd():
    rng = np.random.default_rng(0)
    v, W, t = rng.normal(size=(5, 3)), rng.normal(size=(11, 3)), rng.integers(0, 11, 5)
    loss, (d_in, d_W) = full_softmax_value_and_grad(v, W, t)
    tv, tW = torch.tensor(v, requires_grad=True), torch.tensor(W, requires_grad=True)
    tl = torch.nn.functional.cross_entropy(tv @ tW.T, torch.tensor(t), reduction="sum")
    tl.backward()
    np.testing.assert_allclose(loss, tl.item(), rtol=1e-12)
    np.testing.assert_allclose(d_in, tv.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(d_W, tW.grad.numpy(), rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="target"):
        full_softmax_value_and_grad(v, W, np.array([0, 1, 2, 3, 11]))


def test_scatter_add_equals_add_at():
    rng = np.random.default_rng(1)
    idx = rng.integers(0, 9, size=50)
    rows = rng.normal(size=(50, 4))
    W1 = rng.normal(size=(9, 4))
    W2 = W1.copy()
    scatter_add(W1, idx, rows)
    np.add.at(W2, idx, rows)
    np.testing.assert_allclose(W1, W2, rtol=1e-12)


@pytest.mark.parametrize("sg", [1, 0])
def test_training_separates_two_topics(sg):
    sents = toy_corpus(n=100, k=100, length=30)
    m = word2vec.Word2Vec(sents, vector_size=10, window=3, min_count=1, sg=sg, epochs=5,
                          sample=0, alpha=0.1)
    assert m.loss_history[-1] < 0.8 * m.loss_history[0], m.loss_history
    purity = topic_purity(m.wv)
    assert purity >= 0.9, f"only {purity:.0%} of nearest neighbours share the word's topic"


def test_bad_input():
    with pytest.raises(ValueError, match="empty vocabulary"):
        word2vec.Word2Vec([["rare", "words"]], min_count=5)
    with pytest.raises(ValueError, match="sg"):
        word2vec.Word2Vec(toy_corpus(10), min_count=1, sg=2)
    with pytest.raises(TypeError, match="window"):
        word2vec.Word2Vec(toy_corpus(10), min_count=1, window=2.5)
    with pytest.raises(ValueError, match="min_alpha"):
        word2vec.Word2Vec(toy_corpus(10), min_count=1, alpha=0.01, min_alpha=0.1)
    m = word2vec.Word2Vec(toy_corpus(20, k=5, length=10), vector_size=4, min_count=1, epochs=1)
    with pytest.raises(KeyError, match="'zebra'"):
        m.wv["zebra"]
    assert m.wv.vectors.shape == (10, 4)
    assert [m.wv.key_to_index[w] for w in m.wv.index_to_key] == list(range(10))


def test_seed_makes_training_reproducible():
    a = word2vec.Word2Vec(toy_corpus(30), vector_size=5, min_count=1, epochs=1, seed=3)
    b = word2vec.Word2Vec(toy_corpus(30), vector_size=5, min_count=1, epochs=1, seed=3)
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)


@pytest.mark.slow
def test_quality_close_to_gensim_on_wikipedia_sample():
    """Same corpus, settings and evaluation as gensim (5 epochs to stay within ~2 minutes):
    WS353 Spearman within 0.07 and analogy accuracy within 2 points of gensim's."""
    gensim = pytest.importorskip("gensim")
    from dlbook.data.corpora import gensim_test_file, wikipedia_sample
    from dlbook.nlp.keyed_vectors import KeyedVectors

    sents = wikipedia_sample()
    kw = dict(vector_size=100, window=5, min_count=5, sg=1, negative=5, epochs=5, seed=0)
    ours = word2vec.Word2Vec(sents, **kw).wv
    ref = gensim.models.Word2Vec(sents, workers=1, **kw).wv
    ref = KeyedVectors(list(ref.index_to_key), ref.vectors)
    assert set(ours.index_to_key) == set(ref.index_to_key), "vocabularies differ"
    ws = gensim_test_file("wordsim353.tsv")
    qw = gensim_test_file("questions-words.txt")
    rho_ours, rho_ref = ours.evaluate_word_pairs(ws)[1][0], ref.evaluate_word_pairs(ws)[1][0]
    acc_ours, acc_ref = ours.evaluate_word_analogies(qw)[0], ref.evaluate_word_analogies(qw)[0]
    assert abs(rho_ours - rho_ref) <= 0.07, \
        f"WS353 Spearman ours {rho_ours:.3f} vs gensim {rho_ref:.3f}"
    assert abs(acc_ours - acc_ref) <= 0.02, \
        f"analogy accuracy ours {acc_ours:.2%} vs gensim {acc_ref:.2%}"
    rnd = KeyedVectors(ours.index_to_key, np.random.default_rng(0).normal(size=ours.vectors.shape))
    rho_rnd = rnd.evaluate_word_pairs(ws)[1][0]
    assert rho_ours > rho_rnd + 0.05, \
        f"ours {rho_ours:.3f} is no better than random vectors {rho_rnd:.3f}"
