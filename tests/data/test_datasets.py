"""Offline data sets: shapes, dtypes and values against scikit-learn's bundled files; no
downloads."""

import inspect
import re

import numpy as np
import pytest
import sklearn.datasets as skd

from dlbook.data import datasets
from dlbook.data.datasets import DATASETS, load, load_diabetes, load_digits

# name: (N, D, classes or None, class counts or None), from the data sets' documentation
EXPECTED = {
    "digits": (1797, 64, 10, None),
    "breast_cancer": (569, 30, 2, [212, 357]),
    "iris": (150, 4, 3, [50, 50, 50]),
    "wine": (178, 13, 3, [59, 71, 48]),
    "diabetes": (442, 10, None, None),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shapes_dtypes_and_counts(name):
    d = load(name)
    N, D, K, counts = EXPECTED[name]
    assert d.name == name
    assert d.X.shape == (N, D) and d.X.dtype == np.float64
    assert d.y.shape == (N,)
    assert len(d.feature_names) == D
    assert np.all(np.isfinite(d.X))
    assert d.source and "scikit-learn" in d.source
    if K is None:
        assert d.task == "regression" and d.y.dtype == np.float64 and d.target_names is None
    else:
        assert d.task == "classification" and d.y.dtype == np.int64
        assert d.n_classes == K and set(np.unique(d.y)) == set(range(K))
        if counts is not None:
            assert np.bincount(d.y).tolist() == counts


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_values_equal_sklearn_bundled_copy(name):
    d = load(name)
    bunch = getattr(skd, f"load_{name}")()
    np.testing.assert_array_equal(d.X, bunch.data, err_msg=f"{name}: X differs from sklearn's copy")
    np.testing.assert_array_equal(
        d.y, bunch.target, err_msg=f"{name}: y differs from sklearn's copy"
    )


def test_digits_images_match_rows():
    d = load_digits()
    np.testing.assert_array_equal(d.images.reshape(len(d.X), -1), d.X)
    assert d.X.min() == 0 and d.X.max() == 16


def test_diabetes_scaled_and_raw():
    scaled, raw = load_diabetes(), load_diabetes(scaled=False)
    np.testing.assert_allclose((scaled.X ** 2).sum(axis=0), 1.0, rtol=1e-6)  # unit-norm columns
    np.testing.assert_allclose(scaled.X.mean(axis=0), 0.0, atol=1e-12)
    assert raw.X[:, 0].min() >= 19 and raw.X[:, 0].max() <= 79  # age in years
    np.testing.assert_array_equal(scaled.y, raw.y)
    with pytest.raises(TypeError, match="scaled must be True or False"):
        load_diabetes(scaled=1)


def test_breast_cancer_coding_is_documented():
    d = load("breast_cancer")
    assert d.target_names == ("malignant", "benign")  # 0 = malignant, as the docstring warns


def test_unknown_and_withdrawn_names_raise_helpful_errors():
    with pytest.raises(ValueError, match="removed from scikit-learn"):
        load("boston")
    with pytest.raises(ValueError, match="removed from scikit-learn"):
        load("boston_housing")
    with pytest.raises(ValueError, match="not bundled"):
        load("MNIST")
    with pytest.raises(ValueError, match="unknown data set 'cifar10'"):
        load("cifar10")
    with pytest.raises(TypeError, match="name must be a string"):
        load(3)
    assert load("Breast-Cancer").name == "breast_cancer"


def test_nothing_downloads():
    source = inspect.getsource(datasets)
    assert not re.search(r"fetch_\w+\s*\(", source), (
        "a loader calls a scikit-learn fetch_* function (needs the internet)"
    )
    assert set(DATASETS) == set(EXPECTED)
