"""Tokenizer, vocabulary, one-hot and bag of words: hand-checked cases and invariants."""

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nlp.text import (
    Vocabulary,
    bag_of_words,
    corpus_ngram_counts,
    ngrams,
    one_hot,
    remove_stop_words,
    tokenize,
)


@pytest.mark.parametrize("text, kwargs, expected", [
    ("Don't panic.", {}, ["don't", "panic"]),
    ("The U.S. army", {}, ["the", "u", "s", "army"]),
    ("It costs 3.50 dollars", {}, ["it", "costs", "3", "50", "dollars"]),
    ("Apple and apple", {"lowercase": False}, ["Apple", "and", "apple"]),
    ("Hi, there!", {"pattern": "words+punct"}, ["hi", ",", "there", "!"]),
    ("a  b\tc\n", {"pattern": "whitespace"}, ["a", "b", "c"]),
    ("", {}, []),
])
def test_tokenize_cases(text, kwargs, expected):
    assert tokenize(text, **kwargs) == expected


def test_tokenize_rejects_non_string():
    with pytest.raises(TypeError, match="must be a str"):
        tokenize(["a", "b"])


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_lowercasing_only_merges_tokens(text):
    low = tokenize(text)
    assert all(t == t.lower() for t in low)
    assert len(set(low)) <= len(set(tokenize(text, lowercase=False)))


def test_stop_words_and_not():
    toks = "the crust is not good".split()
    assert remove_stop_words(toks) == ["crust", "good"]
    assert remove_stop_words(toks, keep={"not"}) == ["crust", "not", "good"]
    # once "not" is gone, the negated and the plain sentence are the same bag
    assert remove_stop_words("crust is good".split()) == remove_stop_words(toks)


def test_ngrams_hand_count():
    assert ngrams(list("abcd"), 3) == [("a", "b", "c"), ("b", "c", "d")]
    assert ngrams(["a"], 2) == []
    assert corpus_ngram_counts([list("abab")], 2) == Counter({("a", "b"): 2, ("b", "a"): 1})
    with pytest.raises(ValueError, match="n must be >= 1"):
        ngrams(["a"], 0)
    with pytest.raises(TypeError, match="split it first"):
        ngrams("abc", 2)


def test_vocabulary_min_count_unk_and_order():
    docs = [["b", "a", "b", "c"], ["a", "b", "d"]]
    v = Vocabulary(docs, min_count=2, specials=["<pad>"])
    assert v.index_to_token == ["<unk>", "<pad>", "b", "a"]       # b: 3, a: 2
    assert v.encode(["a", "c", "zzz"]) == [3, 0, 0]
    assert v.decode([2, 3]) == ["b", "a"]
    assert "c" not in v and "a" in v and len(v) == 4
    with pytest.raises(IndexError, match="outside the vocabulary"):
        v.decode([7])


def test_vocabulary_errors():
    with pytest.raises(ValueError, match="vocabulary is empty"):
        Vocabulary([["a", "b"]], min_count=2)
    with pytest.raises(ValueError, match="min_count"):
        Vocabulary([["a"]], min_count=0)
    with pytest.raises(TypeError, match="split it first"):
        Vocabulary(["a sentence"])


def test_one_hot_times_matrix_is_lookup():
    rng = np.random.default_rng(0)
    E = rng.normal(size=(6, 3))
    ids = np.array([4, 0, 4, 5])
    np.testing.assert_array_equal(one_hot(ids, 6) @ E, E[ids])
    with pytest.raises(ValueError, match=r"\[0, 6\)"):
        one_hot([6], 6)
    with pytest.raises(TypeError, match="integers"):
        one_hot([1.5], 6)
    with pytest.raises(ValueError, match="1 dimension"):
        one_hot([[1]], 6)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 7), max_size=12), min_size=1, max_size=6),
       st.booleans())
def test_bag_of_words_is_sum_of_one_hots(docs, binary):
    X = bag_of_words(docs, 8, binary=binary)
    assert X.shape == (len(docs), 8)
    for i, d in enumerate(docs):
        expected = one_hot(np.array(d, dtype=int), 8).sum(0) if d else np.zeros(8)
        if binary:
            expected = (expected > 0).astype(float)
        np.testing.assert_array_equal(X[i], expected, err_msg=f"document {i}")


def test_bag_of_words_rejects_out_of_range():
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        bag_of_words([[0, 3]], 3)
