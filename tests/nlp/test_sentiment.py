"""Sentiment features, logistic regression and cross-validation."""

import numpy as np
import pytest
import torch

from dlbook.nlp.keyed_vectors import KeyedVectors
from dlbook.nlp.sentiment import (
    average_embeddings,
    bag_of_words_features,
    cross_validate,
    fit_logistic,
    load_polarity,
    predict_proba,
)


def test_polarity_file():
    sents, y = load_polarity()
    assert len(sents) == 200 and y.sum() == 100
    assert all(len(s) > 0 for s in sents)
    assert "tedious" in sents[0]


def test_average_embeddings_by_hand():
    wv = KeyedVectors(["a", "b", "c"], np.array([[1.0, 0.0], [0.0, 2.0], [4.0, 4.0]]))
    X, cov = average_embeddings([["a", "b", "zz"], ["c"], ["zz"]], wv)
    np.testing.assert_allclose(X, [[0.5, 1.0], [4.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(cov, [2 / 3, 1.0, 0.0])


def test_averaging_ignores_word_order():
    wv = KeyedVectors(["good", "not", "bad"], np.eye(3))
    X, _ = average_embeddings([["good", "not", "bad"], ["bad", "not", "good"]], wv)
    np.testing.assert_array_equal(X[0], X[1])


def test_logistic_regression_matches_torch_optimum():
    """Our gradient-descent solution has a zero gradient of the same loss written in torch."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    y = (X @ [1.0, -2.0, 0.5] + 0.3 * rng.normal(size=80) > 0).astype(float)
    m = fit_logistic(X, y, l2=0.1, lr=0.5, steps=3000)
    Xs = torch.tensor((X - m["mean"]) / m["scale"])
    w = torch.tensor(m["w"], requires_grad=True)
    b = torch.tensor(float(m["b"]), requires_grad=True)
    z = Xs @ w + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(y)) \
        + 0.05 * (w @ w)
    loss.backward()
    assert w.grad.abs().max() < 1e-6 and abs(b.grad) < 1e-6
    assert np.mean((predict_proba(m, X) > 0.5) == y) > 0.9


def test_bag_of_words_uses_training_vocabulary():
    Xtr, Xte, vocab = bag_of_words_features([["a", "b", "a"], ["b"]], [["a", "c", "c"]])
    assert vocab == ["a", "b"]
    np.testing.assert_array_equal(Xtr, [[2, 1], [0, 1]])
    np.testing.assert_array_equal(Xte, [[1, 0]])


def test_cross_validation_stratified_and_sane():
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(50), np.ones(50)]
    informative = y[:, None] + 0.3 * rng.normal(size=(100, 2))
    noise = rng.normal(size=(100, 2))
    assert cross_validate(informative, y).mean() > 0.9
    assert cross_validate(noise, y).mean() < 0.75
    with pytest.raises(ValueError, match="k must"):
        cross_validate(noise, y, k=1)
    with pytest.raises(ValueError, match="0 or 1"):
        fit_logistic(noise, y + 1)
    with pytest.raises(ValueError, match="y must have shape"):
        fit_logistic(noise, y[:-1])
    with pytest.raises(ValueError, match="lr"):
        fit_logistic(noise, y, lr=0.0)
