"""Train/dev/test splits and K-fold indices: sklearn's folds where settings agree, invariants
elsewhere."""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.model_selection import KFold, StratifiedKFold

from dlbook.data.splits import k_fold, train_dev_test_split


def assert_partition(folds, n):
    """Every example in exactly one validation fold; train is the complement."""
    seen = np.concatenate([val for _, val in folds])
    np.testing.assert_array_equal(
        np.sort(seen), np.arange(n), err_msg="validation folds do not partition range(n)"
    )
    for train, val in folds:
        assert np.intersect1d(train, val).size == 0, "a validation index is also in training"
        assert train.size + val.size == n


def same_folds(ours, theirs, what):
    assert len(ours) == len(theirs), f"{len(ours)} folds vs sklearn's {len(theirs)} ({what})"
    for k, ((tr, va), (tr2, va2)) in enumerate(zip(ours, theirs)):
        np.testing.assert_array_equal(
            va, np.sort(va2), err_msg=f"validation fold {k} differs from sklearn ({what})"
        )
        np.testing.assert_array_equal(
            tr, np.sort(tr2), err_msg=f"training fold {k} differs from sklearn ({what})"
        )


# ---------------------------------------------------------------------------------------------
# K-fold
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "n, k", [(n, k) for n in (2, 7, 10, 101, 1797) for k in (2, 3, 5, 10) if k <= n]
)
def test_k_fold_matches_sklearn_kfold(n, k):
    same_folds(k_fold(n, k), list(KFold(k).split(np.zeros(n))), f"n={n}, k={k}")


def test_k_fold_on_digits_labels_matches_stratified_kfold():
    from sklearn.datasets import load_digits
    y = load_digits().target
    for k in (3, 5, 10):
        same_folds(
            k_fold(y.size, k, stratify=y),
            list(StratifiedKFold(k).split(np.zeros(y.size), y)),
            f"digits k={k}",
        )


@settings(max_examples=150, deadline=None)
@given(labels=st.lists(st.sampled_from("abcde"), min_size=4, max_size=80), k=st.integers(2, 6))
def test_stratified_k_fold_matches_sklearn_on_random_labels(labels, k):
    y = np.array(labels)
    counts = np.unique(y, return_counts=True)[1]
    assume(k <= y.size and counts.max() >= k)  # sklearn refuses the others too (tested apart)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # small classes: both warn
        ours = k_fold(y.size, k, stratify=y)
        theirs = list(StratifiedKFold(k).split(np.zeros(y.size), y))
    same_folds(ours, theirs, f"y={''.join(labels)}, k={k}")


@pytest.mark.parametrize("n, k", [(10, 3), (1000, 7), (1797, 10)])
def test_shuffled_k_fold_is_a_partition_with_kfold_sizes(n, k):
    folds = k_fold(n, k, shuffle=True, seed=3)
    assert_partition(folds, n)
    sizes = [val.size for _, val in folds]
    assert sizes == [val.size for _, val in KFold(k).split(np.zeros(n))], (
        "fold sizes differ from KFold's"
    )
    again = k_fold(n, k, shuffle=True, seed=3)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again)), (
        "same seed, different folds"
    )
    if n >= 1000:
        other = k_fold(n, k, shuffle=True, seed=4)
        assert not np.array_equal(folds[0][1], other[0][1]), (
            "different seeds gave the same first fold"
        )
        assert not np.array_equal(folds[0][1], np.arange(sizes[0])), (
            "shuffled fold 0 is the first block"
        )


@settings(max_examples=60, deadline=None)
@given(
    labels=st.lists(st.integers(0, 3), min_size=8, max_size=120),
    k=st.integers(2, 5),
    seed=st.integers(0, 99),
)
def test_stratified_shuffle_keeps_per_class_counts(labels, k, seed):
    y = np.array(labels)
    assume(np.bincount(y).max() >= k and k <= y.size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        plain = k_fold(y.size, k, stratify=y)
        shuffled = k_fold(y.size, k, stratify=y, shuffle=True, seed=seed)
    assert_partition(shuffled, y.size)
    for (_, a), (_, b) in zip(plain, shuffled):
        np.testing.assert_array_equal(
            np.bincount(y[a], minlength=4),
            np.bincount(y[b], minlength=4),
            err_msg="shuffling changed how many of each class a fold gets",
        )
    for c in np.unique(y):  # each class spread as evenly as possible over the folds
        per_fold = [np.sum(y[val] == c) for _, val in shuffled]
        assert max(per_fold) - min(per_fold) <= 1, f"class {c} spread unevenly: {per_fold}"


def test_k_fold_errors_and_warnings():
    with pytest.raises(ValueError, match="n_splits must be <= 5"):
        k_fold(5, 6)
    with pytest.raises(ValueError, match="n_splits must be >= 2"):
        k_fold(5, 1)
    with pytest.raises(TypeError, match="n_splits must be an int"):
        k_fold(5, 2.0)
    with pytest.raises(TypeError, match="n_samples must be an int"):
        k_fold(np.zeros(5), 2)
    with pytest.raises(ValueError, match=r"shape \(n_samples,\) = \(6,\)"):
        k_fold(6, 2, stratify=[0, 1, 0])
    with pytest.raises(ValueError, match="more than the members of every class"):
        k_fold(4, 3, stratify=[0, 0, 1, 1])
    with pytest.warns(UserWarning, match="only 2 members"):
        k_fold(8, 3, stratify=[0, 0, 0, 0, 0, 0, 1, 1])


# ---------------------------------------------------------------------------------------------
# Train/dev/test
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n, dev, test, sizes", [
    (10, 0.2, 0.2, (6, 2, 2)),
    (1797, 0.1, 0.2, (1257, 180, 360)),        # ceil(179.7) = 180, ceil(359.4) = 360
    (1_000_000, 10_000, 10_000, (980_000, 10_000, 10_000)),  # the course's 98/1/1
    (5, 0, 1, (4, 0, 1)),
])
@pytest.mark.parametrize("shuffle", [True, False])
def test_split_sizes_and_partition(n, dev, test, sizes, shuffle):
    parts = train_dev_test_split(n, dev, test, shuffle=shuffle, seed=0)
    assert tuple(p.size for p in parts) == sizes
    np.testing.assert_array_equal(
        np.sort(np.concatenate(parts)), np.arange(n), err_msg="not a partition"
    )
    assert all(p.dtype == np.int64 for p in parts)


def test_unshuffled_split_is_contiguous_and_seeded_split_reproducible():
    train, dev, test = train_dev_test_split(100, 0.1, 0.2, shuffle=False)
    np.testing.assert_array_equal(train, np.arange(70))
    np.testing.assert_array_equal(dev, np.arange(70, 80))
    np.testing.assert_array_equal(test, np.arange(80, 100))
    a = train_dev_test_split(100, seed=1)
    b = train_dev_test_split(100, seed=1)
    c = train_dev_test_split(100, seed=2)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[2], c[2])
    assert not np.array_equal(a[2], np.arange(90, 100)), "shuffled test set is the last block"


@settings(max_examples=100, deadline=None)
@given(counts=st.lists(st.integers(1, 60), min_size=2, max_size=6), dev=st.floats(0.05, 0.3),
       test=st.floats(0.05, 0.3), seed=st.integers(0, 1000), shuffle=st.booleans())
def test_stratified_split_keeps_class_proportions(counts, dev, test, seed, shuffle):
    y = np.repeat(np.arange(len(counts)), counts)
    y = np.random.default_rng(seed).permutation(y)
    n = y.size
    n_dev, n_test = int(np.ceil(dev * n)), int(np.ceil(test * n))
    assume(n_dev + n_test < n)
    train, d, t = train_dev_test_split(n, dev, test, stratify=y, shuffle=shuffle, seed=seed)
    assert (train.size, d.size, t.size) == (n - n_dev - n_test, n_dev, n_test)
    np.testing.assert_array_equal(np.sort(np.concatenate([train, d, t])), np.arange(n))
    for c, n_c in enumerate(counts):
        in_test, in_dev = np.sum(y[t] == c), np.sum(y[d] == c)
        assert abs(in_test - n_c * n_test / n) < 1, (
            f"class {c}: {in_test} test examples, expected {n_c * n_test / n:.2f}"
        )
        assert abs(in_dev - n_c * n_dev / n) < 2, (
            f"class {c}: {in_dev} dev examples, expected {n_c * n_dev / n:.2f}"
        )


def test_split_errors():
    with pytest.raises(ValueError, match="leave no training examples"):
        train_dev_test_split(10, 0.5, 0.5)
    with pytest.raises(ValueError, match="must be < 1.0"):
        train_dev_test_split(10, 1.5, 0.1)
    with pytest.raises(ValueError, match="dev must be <= 10"):
        train_dev_test_split(10, 20, 1)
    with pytest.raises(TypeError, match="float fraction or an int count"):
        train_dev_test_split(10, "0.1", 0.1)
    with pytest.raises(ValueError, match=r"stratify must have shape \(n_samples,\)"):
        train_dev_test_split(10, stratify=[0, 1])
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        train_dev_test_split(0)
