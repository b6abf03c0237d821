"""LVQ1 and LVQ2.1: the update rules by hand, and a fitted model against k-NN."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier

from dlbook.generative.lvq import LVQ, init_prototypes, lvq1_epoch, lvq21_epoch, nearest_prototype


def test_lvq1_pulls_the_right_and_pushes_the_wrong_winner():
    P = np.array([[0.0, 0.0], [4.0, 0.0]])
    labels = np.array([0, 1])
    # an example of class 1 nearest to the class-0 prototype pushes it away
    out = lvq1_epoch(np.array([[1.0, 0.0]]), np.array([1]), P, labels, lr=0.5)
    np.testing.assert_allclose(out, [[-0.5, 0.0], [4.0, 0.0]])
    out = lvq1_epoch(np.array([[3.0, 2.0]]), np.array([1]), P, labels, lr=0.5)
    np.testing.assert_allclose(out, [[0.0, 0.0], [3.5, 1.0]])
    np.testing.assert_array_equal(P, [[0.0, 0.0], [4.0, 0.0]])            # input untouched


def test_lvq21_moves_only_inside_the_window():
    P, labels = np.array([[0.0], [5.0]]), np.array([0, 1])
    # far from the border (d = 0.5 vs 4.5): nothing moves
    np.testing.assert_array_equal(lvq21_epoch([[0.5]], [0], P, labels, lr=0.5, window=0.3), P)
    # both nearest prototypes of the wrong class... here only two exist, one right one wrong
    out = lvq21_epoch([[2.6]], [1], P, labels, lr=0.5, window=0.3)
    np.testing.assert_allclose(out, [[-1.3], [3.8]])


def test_init_and_nearest():
    X = np.arange(12, dtype=float).reshape(6, 2)
    y = np.array([0, 0, 0, 1, 1, 1])
    P, labels = init_prototypes(X, y, 2, rng=0)
    assert labels.tolist() == [0, 0, 1, 1]
    assert all(any((p == x).all() for x in X[y == c]) for p, c in zip(P, labels))
    near = nearest_prototype([[0.0, 0.9], [10.0, 10.0]], [[0.0, 1.0], [9.0, 9.0]])
    assert near.tolist() == [0, 1]
    with pytest.raises(ValueError, match="only 3 examples"):
        init_prototypes(X, y, 4)
    with pytest.raises(ValueError, match="variant"):
        LVQ(variant="lvq3").fit(X, y)


def test_on_digits_lvq_with_few_prototypes_is_close_to_knn():
    d = load_digits()
    Xtr, Xte, ytr, yte = train_test_split(d.data / 16, d.target, test_size=0.25,
                                          random_state=0, stratify=d.target)
    knn = KNeighborsClassifier(1).fit(Xtr, ytr).score(Xte, yte)
    lvq = LVQ(n_per_class=5, epochs=15, lr=0.1, seed=0).fit(Xtr, ytr)
    one_per_class = LVQ(n_per_class=1, epochs=15, lr=0.1, seed=0).fit(Xtr, ytr).score(Xte, yte)
    assert lvq.prototypes_.shape == (50, 64)
    assert lvq.score(Xte, yte) > knn - 0.05          # 50 vectors instead of 1347
    assert lvq.score(Xte, yte) > one_per_class - 0.005
    lvq21 = LVQ(n_per_class=5, variant="lvq2.1", epochs=15, lr=0.1, seed=0).fit(Xtr, ytr)
    assert lvq21.score(Xte, yte) > knn - 0.05
