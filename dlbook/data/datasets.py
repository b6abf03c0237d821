r"""Small offline data sets: thin loaders for the copies that ship inside scikit-learn.

Nothing here downloads. Each loader reads one of scikit-learn's bundled files and returns a
:class:`Dataset` with ``float64`` inputs, labels as ``int64`` (or ``float64`` targets for
regression) and a line naming the original source. scikit-learn's ``fetch_*`` functions, which
download, are deliberately not used.

============== ======== ========== ======== =====================================================
name           examples features   task     source
============== ======== ========== ======== =====================================================
digits         1797     64 (8x8)   10-class UCI optical digits, Alpaydin & Kaynak (1998)
breast_cancer  569      30         2-class  Wisconsin Diagnostic Breast Cancer, Street et al. (1993)
iris           150      4          3-class  Fisher (1936)
wine           178      13         3-class  UCI wine recognition, Forina et al.
diabetes       442      10         regr.    Efron, Hastie, Johnstone & Tibshirani (2004)
============== ======== ========== ======== =====================================================

See Also
--------
:ref:`ch-ml-strategy` : the chapter that introduces these data sets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dlbook._checks import boolean

__all__ = ["Dataset", "DATASETS", "load", "load_digits", "load_breast_cancer", "load_iris",
           "load_wine", "load_diabetes"]


@dataclass(frozen=True, repr=False)
class Dataset:
    r"""One data set: inputs, targets and where they come from.

    Attributes
    ----------
    name : str
        Short name, as accepted by :func:`load`.
    X : ndarray of float64, shape (N, D)
        One example per row.
    y : ndarray of shape (N,)
        ``int64`` class labels 0..K-1, or ``float64`` targets for regression.
    feature_names : tuple of str, length D
    target_names : tuple of str or None
        Class names, indexed by label (None for regression).
    task : {"classification", "regression"}
    source : str
        The original data set and its reference.
    images : ndarray of float64, shape (N, H, W), or None
        The inputs as images (digits only).
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    feature_names: tuple
    target_names: tuple | None
    task: str
    source: str
    images: np.ndarray | None = field(default=None)

    @property
    def n_classes(self) -> int | None:
        """Number of classes (None for regression)."""
        return None if self.target_names is None else len(self.target_names)

    def __repr__(self) -> str:
        kind = f"{self.n_classes} classes" if self.task == "classification" else "regression"
        return f"Dataset({self.name!r}: X {self.X.shape}, {kind})"


def _sklearn_datasets():
    try:
        from sklearn import datasets
    except ImportError as err:  # pragma: no cover - scikit-learn is installed with the book
        raise ImportError("the offline data sets are the copies bundled with scikit-learn: "
                          "pip install scikit-learn") from err
    return datasets


def _classification(name, bunch, source, images=None):
    return Dataset(name=name, X=np.asarray(bunch.data, dtype=np.float64),
                   y=np.asarray(bunch.target, dtype=np.int64),
                   feature_names=tuple(str(f) for f in bunch.feature_names),
                   target_names=tuple(str(t) for t in bunch.target_names),
                   task="classification", source=source, images=images)


def load_digits() -> Dataset:
    r"""Handwritten digits: 1,797 grey-level images of 8x8 pixels, values 0..16, labels 0..9.

    Returns
    -------
    Dataset
        ``X`` (1797, 64) float64 in [0, 16]; ``images`` (1797, 8, 8); ``y`` int64 in 0..9.

    Notes
    -----
    Each image is a 32x32 bitmap of a digit written by one of 43 people, counted in 4x4 blocks
    (so 0..16 pixels set per block). The file scikit-learn bundles is the test part of the UCI
    "Optical Recognition of Handwritten Digits" set.

    References
    ----------
    E. Alpaydin and C. Kaynak, *Optical Recognition of Handwritten Digits*, UCI Machine Learning
    Repository, 1998.

    See Also
    --------
    :ref:`ch-ml-strategy` : the chapter.

    Examples
    --------
    >>> d = load_digits()
    >>> d.X.shape, d.images.shape, int(d.X.max()), d.n_classes
    ((1797, 64), (1797, 8, 8), 16, 10)
    """
    bunch = _sklearn_datasets().load_digits()
    return _classification("digits", bunch, "UCI optical recognition of handwritten digits "
                           "(Alpaydin & Kaynak, 1998), via scikit-learn's bundled copy",
                           images=np.asarray(bunch.images, dtype=np.float64))


def load_breast_cancer() -> Dataset:
    r"""Breast-cancer diagnosis: 569 tumours, 30 features of cell nuclei, malignant or benign.

    Returns
    -------
    Dataset
        ``X`` (569, 30); ``y`` int64 with **0 = malignant, 1 = benign** (scikit-learn's coding;
        212 malignant, 357 benign). For "malignant is positive" use ``1 - y`` or ``pos_label=0``.

    Notes
    -----
    The features (mean, standard error and worst value of ten measurements such as radius and
    texture) were computed from digitized images of fine-needle aspirates.

    References
    ----------
    W. N. Street, W. H. Wolberg and O. L. Mangasarian, "Nuclear feature extraction for breast
    tumor diagnosis", *IS&T/SPIE Electronic Imaging*, 1993 (Wisconsin Diagnostic Breast Cancer).

    See Also
    --------
    :ref:`ch-ml-strategy` : the chapter.

    Examples
    --------
    >>> d = load_breast_cancer()
    >>> d.X.shape, d.target_names, int((d.y == 0).sum())
    ((569, 30), ('malignant', 'benign'), 212)
    """
    return _classification(
        "breast_cancer",
        _sklearn_datasets().load_breast_cancer(),
        "Wisconsin Diagnostic Breast Cancer (Street, Wolberg & Mangasarian, 1993), "
        "via scikit-learn's bundled copy",
    )


def load_iris() -> Dataset:
    r"""Fisher's iris flowers: 150 flowers, 4 measurements in cm, 3 species of 50 each.

    Returns
    -------
    Dataset
        ``X`` (150, 4); ``y`` int64 in 0..2 (setosa, versicolor, virginica).

    References
    ----------
    R. A. Fisher, "The use of multiple measurements in taxonomic problems", *Annals of Eugenics*
    7, 1936.

    See Also
    --------
    :ref:`ch-ml-strategy` : the chapter.

    Examples
    --------
    >>> d = load_iris()
    >>> d.X.shape, np.bincount(d.y).tolist()
    ((150, 4), [50, 50, 50])
    """
    return _classification("iris", _sklearn_datasets().load_iris(),
                           "Fisher's iris data (1936), via scikit-learn's bundled copy")


def load_wine() -> Dataset:
    r"""Wine recognition: 178 wines, 13 chemical measurements, 3 cultivars.

    Returns
    -------
    Dataset
        ``X`` (178, 13); ``y`` int64 in 0..2 (59, 71 and 48 wines).

    References
    ----------
    M. Forina et al., PARVUS, Institute of Pharmaceutical and Food Analysis and Technologies,
    Genoa; UCI Machine Learning Repository "Wine" (1991).

    See Also
    --------
    :ref:`ch-ml-strategy` : the chapter.

    Examples
    --------
    >>> d = load_wine()
    >>> d.X.shape, np.bincount(d.y).tolist()
    ((178, 13), [59, 71, 48])
    """
    return _classification(
        "wine",
        _sklearn_datasets().load_wine(),
        "UCI wine recognition data (Forina et al.), via scikit-learn's bundled copy",
    )


def load_diabetes(scaled: bool = True) -> Dataset:
    r"""Diabetes progression: 442 patients, 10 baseline variables, a real-valued target.

    Parameters
    ----------
    scaled : bool, default True
        As scikit-learn ships them, each feature column is centred and scaled to unit Euclidean
        norm (sum of squares 1). ``False`` returns the original values (age in years, sex coded
        1/2, BMI, ...).

    Returns
    -------
    Dataset
        ``X`` (442, 10); ``y`` float64, a measure of disease progression one year after
        baseline (25..346). ``target_names`` is None.

    Raises
    ------
    TypeError
        If ``scaled`` is not a bool.

    References
    ----------
    B. Efron, T. Hastie, I. Johnstone and R. Tibshirani, "Least angle regression", *Annals of
    Statistics* 32(2), 2004.

    See Also
    --------
    :ref:`ch-ml-strategy` : the chapter.

    Examples
    --------
    >>> d = load_diabetes()
    >>> d.X.shape, d.task, round(float((d.X ** 2).sum(axis=0)[0]), 6)
    ((442, 10), 'regression', 1.0)
    """
    boolean(scaled, "scaled")
    bunch = _sklearn_datasets().load_diabetes(scaled=scaled)
    return Dataset(
        name="diabetes",
        X=np.asarray(bunch.data, dtype=np.float64),
        y=np.asarray(bunch.target, dtype=np.float64),
        feature_names=tuple(str(f) for f in bunch.feature_names),
        target_names=None,
        task="regression",
        source="Diabetes data of Efron, Hastie, Johnstone & Tibshirani "
        "(2004), via scikit-learn's bundled copy",
    )


DATASETS = {
    "digits": load_digits,
    "breast_cancer": load_breast_cancer,
    "iris": load_iris,
    "wine": load_wine,
    "diabetes": load_diabetes,
}

_GONE = {
    "boston": "the Boston housing data was removed from scikit-learn (deprecated in 1.0, gone in "
    "1.2) "
    "because one of its features was built on a racially charged assumption; "
    "use 'diabetes' for a small regression problem",
    "mnist": "MNIST is not bundled with scikit-learn (it needs a download); 'digits' is the "
    "offline "
    "8x8 counterpart",
}


def load(name: str) -> Dataset:
    r"""Load a bundled data set by name.

    Parameters
    ----------
    name : {"digits", "breast_cancer", "iris", "wine", "diabetes"}

    Returns
    -------
    Dataset

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If ``name`` is not one of the offline data sets (the message says why for Boston housing
        and MNIST).

    See Also
    --------
    :ref:`ch-ml-strategy` : the chapter.

    Examples
    --------
    >>> load("iris")
    Dataset('iris': X (150, 4), 3 classes)
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {name!r} ({type(name).__name__})")
    key = name.lower().replace("-", "_")
    if key in DATASETS:
        return DATASETS[key]()
    for gone, why in _GONE.items():
        if gone in key:
            raise ValueError(f"{name!r} is not available offline: {why}")
    raise ValueError(f"unknown data set {name!r}; the offline ones are {sorted(DATASETS)}")
