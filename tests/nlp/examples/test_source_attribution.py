"""The source-attribution data: balanced labels, disjoint splits, and the encodings."""

from __future__ import annotations

import numpy as np
import pytest

from dlbook.nlp.examples.source_attribution import (
    LABELS,
    bag_of_words,
    build_index,
    encode,
    load_source_attribution,
)


def test_balanced_and_disjoint():
    try:
        data = load_source_attribution(n_per_class=50, max_len=12, seed=1)
    except FileNotFoundError:
        pytest.skip("the Debian text packages are not installed")
    labels = np.concatenate([data.train_labels, data.test_labels])
    assert np.bincount(labels, minlength=len(LABELS)).tolist() == [50] * len(LABELS)
    assert len(data.test_tokens) == 40
    assert all(3 <= len(t) <= 12 for t in data.train_tokens + data.test_tokens)
    again = load_source_attribution(n_per_class=50, max_len=12, seed=1)
    assert again.train_tokens == data.train_tokens


def test_encodings_agree():
    tokens = [["the", "lord", "said"], ["a", "dog"], ["the", "the", "cat"]]
    index = build_index(tokens, min_count=1)
    ids = encode(tokens, index, 4)
    bow = bag_of_words(tokens, index).toarray()
    for row, t in enumerate(tokens):
        assert ids[row, 4 - len(t):].tolist() == [index[w] for w in t]
        assert ids[row, :4 - len(t)].tolist() == [0] * (4 - len(t))
        assert bow[row].sum() == len(t)
        assert bow[row, index["the"]] == t.count("the")
    assert encode([["x"] * 9], {"x": 1}, 4).tolist() == [[1, 1, 1, 1]]
