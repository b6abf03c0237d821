"""Tests for dlbook.nlp.vocab: counts, order, subsampling and noise distributions."""

from collections import Counter

import numpy as np
import pytest

from dlbook.nlp.vocab import build_vocab, encode_corpus, keep_probabilities, noise_distribution


def test_counts_and_order_match_a_plain_counter():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in rng.zipf(1.5, size=3000) % 200]
    sentences = [words[i:i + 17] for i in range(0, len(words), 17)]
    v = build_vocab(sentences, min_count=3)
    ref = {w: c for w, c in Counter(words).items() if c >= 3}
    assert dict(zip(v.index_to_key, v.counts.tolist())) == ref
    assert np.all(np.diff(v.counts) <= 0), "vocabulary must be sorted by descending count"
    assert v.n_raw_tokens == 3000 and v.n_retained_tokens == sum(ref.values())
    assert all(v.key_to_index[w] == i for i, w in enumerate(v.index_to_key))


def test_ties_keep_first_appearance():
    v = build_vocab([["b", "a", "c", "a", "b", "c"]], min_count=1)
    assert v.index_to_key == ["b", "a", "c"]


def test_empty_vocabulary_and_bad_input():
    with pytest.raises(ValueError, match="empty vocabulary"):
        build_vocab([["a", "b"], ["c"]], min_count=2)
    with pytest.raises(ValueError, match="min_count"):
        build_vocab([["a"]], min_count=0)
    with pytest.raises(TypeError, match="sequence of tokens"):
        build_vocab(["a sentence as a string"], min_count=1)


def test_keep_probability_is_gensims_formula():
    counts = np.array([50000, 20000, 5000, 500, 10])
    t = 1e-3
    f = counts / counts.sum()
    expected = np.minimum(1, np.sqrt(t / f) + t / f)  # written from the paper-style frequencies
    np.testing.assert_allclose(keep_probabilities(counts, t), expected, rtol=1e-12)
    assert keep_probabilities(counts, 0.0).tolist() == [1.0] * 5
    with pytest.raises(ValueError, match="sample"):
        keep_probabilities(counts, 1.5)


def test_keep_probability_matches_gensim_sample_ints():
    gensim = pytest.importorskip("gensim")
    rng = np.random.default_rng(1)
    words = [f"w{i}" for i in rng.zipf(1.3, size=20000) % 500]
    sentences = [words[i:i + 20] for i in range(0, len(words), 20)]
    m = gensim.models.Word2Vec(sentences, min_count=2, sample=1e-3, vector_size=4, epochs=1,
                               workers=1, seed=0)
    ours = build_vocab(sentences, min_count=2)
    p = keep_probabilities(ours.counts, 1e-3)
    g = np.array([m.wv.get_vecattr(w, "sample_int") for w in ours.index_to_key]) / 2**32
    np.testing.assert_allclose(p, g, atol=1e-9)


def test_noise_distribution():
    p = noise_distribution([81, 16, 1], power=0.75)
    np.testing.assert_allclose(p, np.array([27, 8, 1]) / 36, rtol=1e-12)
    np.testing.assert_allclose(noise_distribution([3, 1], power=1.0), [0.75, 0.25])
    with pytest.raises(ValueError):
        noise_distribution([0, 0])


def test_encode_drops_unknown_and_tracks_sentences():
    ids, sent = encode_corpus([["x", "a"], [], ["b", "a", "y"]], {"a": 0, "b": 1})
    assert ids.tolist() == [0, 1, 0]
    assert sent.tolist() == [0, 2, 2]


def test_huffman_lengths_satisfy_kraft_equality_and_optimality():
    from dlbook.nlp.vocab import huffman_code_lengths

    rng = np.random.default_rng(2)
    counts = rng.integers(1, 1000, size=40)
    L = huffman_code_lengths(counts)
    assert np.sum(2.0 ** -L) == pytest.approx(1.0, abs=1e-12)  # a full binary tree
    p = counts / counts.sum()
    entropy = -(p * np.log2(p)).sum()
    assert entropy <= (p * L).sum() < entropy + 1  # Shannon bound that Huffman codes meet
    order = np.argsort(-counts)
    assert L[order[0]] <= L[order[-1]]
