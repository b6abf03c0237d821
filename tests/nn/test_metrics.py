"""Classification metrics against scikit-learn in every averaging mode, plus hand-checked cases."""

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nn.metrics import (
    accuracy,
    confusion_matrix,
    f1,
    fbeta,
    precision,
    precision_recall_fbeta,
    recall,
)


def sklearn_prf(y_true, y_pred, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns about ill-defined scores; we compare values
        return skm.precision_recall_fscore_support(y_true, y_pred, **kw)


def assert_same(ours, theirs, what):
    for name, a, b in zip(("precision", "recall", "fbeta"), ours[:3], theirs[:3]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=0, equal_nan=True,
                                   err_msg=f"{name} differs from sklearn ({what})")
    if ours[3] is None or theirs[3] is None:
        assert ours[3] is None and theirs[3] is None, (
            f"support: ours {ours[3]}, sklearn {theirs[3]} ({what})"
        )
    else:
        np.testing.assert_array_equal(ours[3], theirs[3], err_msg=f"support differs ({what})")


def random_labels(seed, n, k, skew=False):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(k) * (0.3 if skew else 5))
    y_true = rng.choice(k, size=n, p=p)
    noise = rng.random(n) < 0.35
    y_pred = np.where(noise, rng.integers(0, k, size=n), y_true)  # a classifier that is right ~70 %
    return y_true, y_pred


# ---------------------------------------------------------------------------------------------
# Against sklearn
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("average", ["micro", "macro", "weighted", None])
@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0, 2.0, np.inf])
@pytest.mark.parametrize("n, k, skew", [(50, 3, False), (400, 10, True), (30, 6, True)])
def test_multiclass_matches_sklearn(average, beta, n, k, skew):
    y_true, y_pred = random_labels(n * k + int(skew), n, k, skew)
    ours = precision_recall_fbeta(y_true, y_pred, beta=beta, average=average)
    theirs = sklearn_prf(y_true, y_pred, beta=beta, average=average, zero_division=0.0)
    assert_same(ours, theirs, f"average={average}, beta={beta}")


@pytest.mark.parametrize("pos_label", [0, 1])
@pytest.mark.parametrize("beta", [0.5, 1.0, 3.0])
def test_binary_matches_sklearn(pos_label, beta):
    y_true, y_pred = random_labels(7, 200, 2)
    ours = precision_recall_fbeta(y_true, y_pred, beta=beta, pos_label=pos_label)
    theirs = sklearn_prf(
        y_true, y_pred, beta=beta, average="binary", pos_label=pos_label, zero_division=0.0
    )
    assert_same(ours, theirs, f"binary, pos_label={pos_label}")
    assert precision(y_true, y_pred, pos_label=pos_label) == pytest.approx(
        skm.precision_score(y_true, y_pred, pos_label=pos_label), rel=1e-12
    )
    assert recall(y_true, y_pred, pos_label=pos_label) == pytest.approx(
        skm.recall_score(y_true, y_pred, pos_label=pos_label), rel=1e-12
    )
    assert f1(y_true, y_pred, pos_label=pos_label) == pytest.approx(
        skm.f1_score(y_true, y_pred, pos_label=pos_label), rel=1e-12
    )
    assert fbeta(y_true, y_pred, beta=beta, pos_label=pos_label) == pytest.approx(
        skm.fbeta_score(y_true, y_pred, beta=beta, pos_label=pos_label), rel=1e-12)


label_pairs = st.integers(1, 60).flatmap(
    lambda n: st.tuples(st.lists(st.integers(0, 4), min_size=n, max_size=n),
                        st.lists(st.integers(0, 4), min_size=n, max_size=n)))


@settings(max_examples=150, deadline=None)
@given(
    pair=label_pairs,
    average=st.sampled_from(["micro", "macro", "weighted", None]),
    beta=st.sampled_from([0.0, 0.3, 1.0, 2.0]),
    zero_division=st.sampled_from([0.0, 1.0, np.nan]),
)
def test_random_labels_match_sklearn(pair, average, beta, zero_division):
    y_true, y_pred = map(np.array, pair)
    ours = precision_recall_fbeta(
        y_true, y_pred, beta=beta, average=average, zero_division=zero_division
    )
    theirs = sklearn_prf(y_true, y_pred, beta=beta, average=average, zero_division=zero_division)
    assert_same(ours, theirs, f"y_true={y_true.tolist()}, y_pred={y_pred.tolist()}")


@settings(max_examples=100, deadline=None)
@given(pair=label_pairs.map(lambda p: ([v % 2 for v in p[0]], [v % 2 for v in p[1]])),
       zero_division=st.sampled_from([0.0, 1.0]))
def test_random_binary_labels_match_sklearn(pair, zero_division):
    y_true, y_pred = map(np.array, pair)
    ours = precision_recall_fbeta(y_true, y_pred, zero_division=zero_division)
    theirs = sklearn_prf(y_true, y_pred, average="binary", zero_division=zero_division)
    assert_same(ours, theirs, f"binary y_true={y_true.tolist()}, y_pred={y_pred.tolist()}")


@settings(max_examples=100, deadline=None)
@given(pair=label_pairs)
def test_micro_f1_equals_accuracy_and_sklearn_accuracy(pair):
    y_true, y_pred = map(np.array, pair)
    acc = accuracy(y_true, y_pred)
    assert acc == skm.accuracy_score(y_true, y_pred)
    assert f1(y_true, y_pred, average="micro") == pytest.approx(acc, abs=1e-12), (
        "micro F1 must equal accuracy"
    )


@pytest.mark.parametrize("labels", [[0, 1, 2], [2, 0], [0, 1, 2, 3, 7], [5]])
def test_labels_argument_matches_sklearn(labels):
    y_true, y_pred = random_labels(3, 80, 4)
    for average in ["micro", "macro", "weighted", None]:
        ours = precision_recall_fbeta(y_true, y_pred, average=average, labels=labels)
        theirs = sklearn_prf(y_true, y_pred, average=average, labels=labels, zero_division=0.0)
        assert_same(ours, theirs, f"labels={labels}, average={average}")


def test_string_labels_match_sklearn():
    y_true = np.array(["cat", "dog", "pig", "cat", "dog", "pig", "cat"])
    y_pred = np.array(["cat", "pig", "dog", "cat", "cat", "pig", "dog"])
    for average in ["micro", "macro", "weighted", None]:
        assert_same(
            precision_recall_fbeta(y_true, y_pred, average=average),
            sklearn_prf(y_true, y_pred, average=average, zero_division=0.0),
            f"strings, {average}",
        )
    np.testing.assert_array_equal(
        confusion_matrix(y_true, y_pred), skm.confusion_matrix(y_true, y_pred)
    )


@pytest.mark.parametrize("seed, k", [(0, 2), (1, 5), (2, 10)])
def test_confusion_matrix_matches_sklearn(seed, k):
    y_true, y_pred = random_labels(seed, 300, k)
    np.testing.assert_array_equal(
        confusion_matrix(y_true, y_pred), skm.confusion_matrix(y_true, y_pred)
    )
    labels = [k - 1, 0, k + 3]  # reordered, with a class that never occurs; others dropped
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, labels=labels),
                                  skm.confusion_matrix(y_true, y_pred, labels=labels))


# ---------------------------------------------------------------------------------------------
# Hand-checked values and invariants
# ---------------------------------------------------------------------------------------------

def counts_to_labels(tp, fp, fn, tn):
    """Binary label vectors with the given confusion counts."""
    y_true = np.array([1] * tp + [0] * fp + [1] * fn + [0] * tn)
    y_pred = np.array([1] * tp + [1] * fp + [0] * fn + [0] * tn)
    return y_true, y_pred


def test_hand_computed_binary():
    # TP 6, FP 2, FN 4, TN 8: P = 6/8, R = 6/10, F1 = 2*6/(2*6+4+2) = 12/18,
    # F2 = 5*6/(5*6+4*4+2) = 30/48
    y_true, y_pred = counts_to_labels(6, 2, 4, 8)
    assert precision(y_true, y_pred) == 0.75
    assert recall(y_true, y_pred) == 0.6
    assert f1(y_true, y_pred) == pytest.approx(12 / 18, rel=1e-15)
    assert fbeta(y_true, y_pred, beta=2) == pytest.approx(30 / 48, rel=1e-15)
    assert accuracy(y_true, y_pred) == 14 / 20
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred), [[8, 2], [4, 6]])


@pytest.mark.parametrize("beta", [0.25, 0.5, 1.0, 2.0, 4.0])
def test_fbeta_is_weighted_harmonic_mean(beta):
    y_true, y_pred = counts_to_labels(37, 11, 23, 29)
    p, r = 37 / 48, 37 / 60
    expected = (1 + beta**2) * p * r / (beta**2 * p + r)  # the course's F formula
    assert fbeta(y_true, y_pred, beta=beta) == pytest.approx(expected, rel=1e-13)
    if beta == 1.0:
        assert f1(y_true, y_pred) == pytest.approx(2 / (1 / p + 1 / r), rel=1e-13)


def test_never_predicting_positive_gives_zero_recall_not_an_error():
    y_true, y_pred = counts_to_labels(0, 0, 5, 15)
    assert accuracy(y_true, y_pred) == 0.75
    assert recall(y_true, y_pred) == 0.0
    assert precision(y_true, y_pred) == 0.0  # 0/0 -> zero_division
    assert precision(y_true, y_pred, zero_division=1.0) == 1.0


def test_macro_is_mean_of_per_class():
    y_true, y_pred = random_labels(11, 120, 4)
    p, r, f, support = precision_recall_fbeta(y_true, y_pred, average=None)
    assert precision(y_true, y_pred, average="macro") == pytest.approx(p.mean(), rel=1e-14)
    assert f1(y_true, y_pred, average="weighted") == pytest.approx(
        np.sum(f * support) / support.sum(), rel=1e-14
    )
    assert support.sum() == 120


def test_inputs_are_not_modified():
    y_true, y_pred = random_labels(5, 40, 3)
    a, b = y_true.copy(), y_pred.copy()
    precision_recall_fbeta(y_true, y_pred, average="macro")
    confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(y_true, a)
    np.testing.assert_array_equal(y_pred, b)


# ---------------------------------------------------------------------------------------------
# Errors a reader can act on
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("y_true, y_pred, kw, error, match", [
    ([0, 1, 1], [0, 1], {}, ValueError, r"shape \(3,\) but y_pred has \(2,\)"),
    ([[0, 1]], [[0, 1]], {}, ValueError, "must have 1 dimension"),
    ([0, 1, 1], [0.2, 0.9, 0.7], {}, ValueError, "scores or probabilities"),
    ([], [], {}, ValueError, "empty"),
    ([0, 1, 2], [0, 1, 2], {}, ValueError, "at most two classes"),
    ([0, 2, 2], [0, 2, 0], {"pos_label": 1}, ValueError, "pos_label=1 is not one of"),
    ([0, 1], [0, 1], {"average": "mean"}, ValueError, "average must be one of"),
    ([0, 1], [0, 1], {"beta": -1.0}, ValueError, "beta must be >= 0"),
    ([0, 1], [0, 1], {"beta": "2"}, TypeError, "beta must be a real number"),
    ([0, 1], [0, 1], {"zero_division": "warn"}, ValueError, "zero_division"),
    (["a", "b"], [0, 1], {"average": "macro"}, TypeError, "mix string and numeric"),
])
def test_bad_input_raises_clear_errors(y_true, y_pred, kw, error, match):
    with pytest.raises(error, match=match):
        precision_recall_fbeta(y_true, y_pred, **kw)


def test_confusion_matrix_bad_labels():
    with pytest.raises(ValueError, match="repeats a class"):
        confusion_matrix([0, 1], [0, 1], labels=[0, 0, 1])
    with pytest.raises(ValueError, match="non-empty"):
        confusion_matrix([0, 1], [0, 1], labels=[])
