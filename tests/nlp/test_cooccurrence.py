"""Co-occurrence counts against a slow, obviously-correct counter (plain dict loops)."""

from collections import Counter, defaultdict

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dlbook.nlp.cooccurrence import cooccurrence_matrix, corpus_cooccurrence


def slow_counts(sentences, min_count, window):
    """Dictionary of (word, word) -> sum of 1/distance, by explicit loops over every pair."""
    freq = Counter(t for s in sentences for t in s)
    kept = {w for w, c in freq.items() if c >= min_count}
    out = defaultdict(float)
    for s in sentences:
        toks = [t for t in s if t in kept]  # OOV words removed before windowing
        for a in range(len(toks)):
            for b in range(a + 1, min(len(toks), a + window + 1)):
                out[toks[a], toks[b]] += 1.0 / (b - a)
                out[toks[b], toks[a]] += 1.0 / (b - a)
    return dict(out)


def fast_counts(sentences, min_count, window):
    words, X = corpus_cooccurrence(sentences, min_count, window)
    X = X.tocoo()
    return {(words[i], words[j]): v for i, j, v in zip(X.row, X.col, X.data)}


def assert_same(fast, slow):
    assert fast.keys() == slow.keys(), f"pairs differ: {set(fast) ^ set(slow)}"
    for k in slow:
        assert fast[k] == pytest.approx(slow[k], rel=1e-12), f"{k}: {fast[k]} vs {slow[k]}"


@pytest.mark.parametrize("window", [1, 2, 3, 10])
@pytest.mark.parametrize("min_count", [1, 2])
def test_matches_slow_counter(window, min_count):
    corpus = ["the cat sat on the mat".split(), "the dog sat on the log the end".split(),
              "cat cat dog".split(), ["mat"]]
    assert_same(fast_counts(corpus, min_count, window), slow_counts(corpus, min_count, window))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from("abcdef"), max_size=12), min_size=1, max_size=6),
       st.integers(1, 5))
def test_matches_slow_counter_random(corpus, window):
    assume(slow_counts(corpus, 1, window))          # at least one pair shares a window
    assert_same(fast_counts(corpus, 1, window), slow_counts(corpus, 1, window))


def test_symmetric_and_worked_example():
    ids = np.array([0, 1, 2, 0])  # a b c a
    X = cooccurrence_matrix(ids, np.zeros(4, int), 3, window=3).toarray()
    assert np.array_equal(X, X.T)
    # a-a at distance 3 (both directions: 2/3), a-b: 1 + 1/2, a-c: 1/2 + 1
    assert X[0, 0] == pytest.approx(2 / 3) and X[0, 1] == pytest.approx(1.5)
    assert X[0, 2] == pytest.approx(1.5) and X[1, 2] == pytest.approx(1.0)


def test_windows_do_not_cross_sentences():
    X = cooccurrence_matrix(np.array([0, 1]), np.array([0, 1]), 2, window=5)
    assert X.nnz == 0


def test_corpus_cooccurrence_reads_a_generator_once_and_checks_precomputed():
    words, X = corpus_cooccurrence((s for s in [["a", "b"], ["b", "a"]]), 1, 2)
    assert words == ["a", "b"] and X.toarray().tolist() == [[0.0, 2.0], [2.0, 0.0]]
    with pytest.raises(ValueError, match="does not match"):
        corpus_cooccurrence(None, precomputed=(["a"], X))
    with pytest.raises(ValueError, match="empty"):
        corpus_cooccurrence([["a"], ["b"]], min_count=1)


def test_errors():
    with pytest.raises(ValueError, match=r"\[0, 2\)"):
        cooccurrence_matrix(np.array([0, 2]), np.array([0, 0]), 2)
    with pytest.raises(ValueError, match="window"):
        cooccurrence_matrix(np.array([0, 1]), np.array([0, 0]), 2, window=0)
    with pytest.raises(TypeError, match="window"):
        cooccurrence_matrix(np.array([0, 1]), np.array([0, 0]), 2, window=1.5)
    with pytest.raises(ValueError, match="equal length"):
        cooccurrence_matrix(np.array([0, 1]), np.array([0]), 2)
    with pytest.raises(TypeError, match="integers"):
        cooccurrence_matrix(np.array([0.0, 1.0]), np.array([0, 0]), 2)
