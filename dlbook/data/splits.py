r"""Index splits: train/dev/test sets and K-fold cross-validation, plain or stratified.

Everything returns *indices* (``int64`` arrays) into a data set of ``n_samples`` examples, so one
split serves the inputs, the labels and anything else aligned with them: ``X[train], y[train]``.

With ``shuffle=False`` the folds of :func:`k_fold` are exactly those of scikit-learn's ``KFold``
and (with ``stratify``) ``StratifiedKFold``; the tests check this. Shuffled splits draw from a
NumPy ``Generator`` seeded with ``seed``, so they are reproducible but not the same draws as
scikit-learn's ``random_state``.

See Also
--------
:ref:`ch-ml-strategy` : the chapter on data splits and cross-validation.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from dlbook._checks import check_shape, int_value, positive_int, probability

__all__ = ["train_dev_test_split", "k_fold"]


def _labels_of(stratify, n):
    """The ``stratify`` labels (one per example), or None."""
    if stratify is None:
        return None
    y = np.asarray(stratify)
    check_shape(y, "stratify", (n,), "(n_samples,)")
    return y


def _set_size(value, n, name) -> int:
    """A set size given as a fraction of n (rounded up) or as a count."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int_value(value, name, low=0, high=n)
    if isinstance(value, numbers.Real):
        return int(np.ceil(probability(value, name, high_open=True) * n))
    raise TypeError(f"{name} must be a float fraction or an int count, got {value!r} "
                    f"({type(value).__name__})")


def _class_sorted_order(y, rng):
    """Indices grouped by class (classes in sorted order), shuffled within each class if rng is
    given."""
    base = rng.permutation(y.size) if rng is not None else np.arange(y.size)
    return base[np.argsort(y[base], kind="stable")]


def _every_kth(m, k) -> np.ndarray:
    r"""Boolean mask choosing exactly k of m positions, spread evenly (systematic sampling).

    Position i is chosen when :math:`\lfloor (i+1)k/m \rfloor > \lfloor ik/m \rfloor`; any run of
    r consecutive positions then holds :math:`\lfloor rk/m \rfloor` or :math:`\lceil rk/m \rceil`
    chosen ones, which is what keeps each class's share within one example of exact.
    """
    i = np.arange(m, dtype=np.int64)
    return ((i + 1) * k) // m > (i * k) // m


def train_dev_test_split(n_samples, dev=0.1, test=0.1, *, stratify=None, shuffle=True, seed=None):
    r"""Split ``range(n_samples)`` into training, dev (validation) and test indices.

    Parameters
    ----------
    n_samples : int
        Number of examples.
    dev, test : float or int, default 0.1
        Size of the dev and test sets: a fraction in [0, 1) of ``n_samples`` (rounded up), or a
        number of examples. Counts make the big-data advice direct: ``dev=10_000`` of a million
        examples is a 98/1/1 split.
    stratify : array_like of shape (n_samples,), optional
        Class labels. If given, every class appears in each set in (nearly) its overall
        proportion: within one example of exact in the test set, and within two in the dev set.
    shuffle : bool, default True
        Shuffle before splitting. Without shuffling and stratification the sets are contiguous
        blocks: training first, then dev, then test (the end of the data).
    seed : int, optional
        Seed of the NumPy generator used for shuffling.

    Returns
    -------
    train, dev, test : ndarray of int64
        Disjoint index arrays whose union is ``range(n_samples)``, each sorted ascending.

    Raises
    ------
    ValueError
        If a size is out of range, the training set would be empty, or ``stratify`` has the
        wrong length.
    TypeError
        If ``n_samples`` or a size has the wrong type.

    Notes
    -----
    Stratification orders the indices by class (shuffled within each class) and takes an
    evenly spread :math:`n_\text{test}` of those :math:`n` positions (the rule in
    ``_every_kth``), then :math:`n_\text{dev}` evenly spread positions of the rest. A class with
    :math:`n_c` examples thus gets :math:`\lfloor n_c n_\text{test}/n\rfloor` or
    :math:`\lceil n_c n_\text{test}/n\rceil` test examples.

    See Also
    --------
    k_fold : cross-validation folds.
    sklearn.model_selection.train_test_split : a two-way split.
    :ref:`ch-ml-strategy` : the chapter.

    Examples
    --------
    Ten examples, 20 % dev and 20 % test, without shuffling: the test set is the end.

    >>> train, dev, test = train_dev_test_split(10, 0.2, 0.2, shuffle=False)
    >>> train.tolist(), dev.tolist(), test.tolist()
    ([0, 1, 2, 3, 4, 5], [6, 7], [8, 9])
    """
    n = positive_int(n_samples, "n_samples")
    y = _labels_of(stratify, n)
    n_test, n_dev = _set_size(test, n, "test"), _set_size(dev, n, "dev")
    if n_test + n_dev >= n:
        raise ValueError(f"dev ({n_dev}) and test ({n_test}) leave no training examples out of {n}")
    rng = np.random.default_rng(seed) if shuffle else None
    if y is None:
        order = rng.permutation(n) if rng is not None else np.arange(n)
        train, dev_idx, test_idx = (
            order[: n - n_test - n_dev],
            order[n - n_test - n_dev : n - n_test],
            order[n - n_test :],
        )
    else:
        order = _class_sorted_order(y, rng)  # (n,) grouped by class
        in_test = _every_kth(n, n_test)
        test_idx, rest = order[in_test], order[~in_test]  # rest is still grouped by class
        in_dev = _every_kth(rest.size, n_dev)
        dev_idx, train = rest[in_dev], rest[~in_dev]
    return np.sort(train), np.sort(dev_idx), np.sort(test_idx)


def _fold_bounds(m, n_splits):
    """Fold sizes of m items: the first m % n_splits folds get one extra (as in KFold)."""
    sizes = np.full(n_splits, m // n_splits, dtype=np.int64)
    sizes[: m % n_splits] += 1
    return np.concatenate([[0], np.cumsum(sizes)])


def k_fold(n_samples, n_splits=5, *, stratify=None, shuffle=False, seed=None):
    r"""K-fold cross-validation: ``n_splits`` pairs of (training, validation) indices.

    Every example lands in exactly one validation fold; the model is trained K times, each time
    on the other K-1 folds, and the K validation scores are averaged.

    Parameters
    ----------
    n_samples : int
        Number of examples.
    n_splits : int, default 5
        K, at least 2 and at most ``n_samples``.
    stratify : array_like of shape (n_samples,), optional
        Class labels: keep each class's proportion in every fold (``StratifiedKFold``).
    shuffle : bool, default False
        Shuffle before cutting folds (within each class when stratified).
    seed : int, optional
        Seed of the NumPy generator used when ``shuffle`` is True.

    Returns
    -------
    list of (train, val) tuples of int64 ndarrays
        ``n_splits`` pairs, each array sorted ascending.

    Raises
    ------
    ValueError
        If ``n_splits`` is out of range, or ``stratify`` has the wrong length or no class with at
        least ``n_splits`` members.
    TypeError
        If ``n_samples`` or ``n_splits`` is not an int.

    Warns
    -----
    UserWarning
        If some class has fewer than ``n_splits`` members (some folds then lack it).

    Notes
    -----
    Plain folds are contiguous blocks of the (optionally shuffled) order; the first
    :math:`n \bmod K` folds hold :math:`\lfloor n/K\rfloor + 1` examples, the rest
    :math:`\lfloor n/K\rfloor`.

    Stratified folds first decide how many examples of each class go to each fold, by dealing the
    class-sorted labels round-robin to the K folds (classes ordered by first appearance), so fold
    sizes differ by at most one and each class is spread as evenly as possible. Each class's
    examples are then handed out in data order, in blocks: the first ones to fold 0, the next to
    fold 1, and so on. This is the procedure of scikit-learn's ``StratifiedKFold``.

    See Also
    --------
    train_dev_test_split : a single hold-out split.
    sklearn.model_selection.KFold, sklearn.model_selection.StratifiedKFold : the references.
    :ref:`ch-ml-strategy` : the chapter.

    Examples
    --------
    Seven examples in three folds of sizes 3, 2, 2:

    >>> [val.tolist() for _, val in k_fold(7, 3)]
    [[0, 1, 2], [3, 4], [5, 6]]
    """
    n = positive_int(n_samples, "n_samples")
    n_splits = int_value(n_splits, "n_splits", low=2, high=n)
    y = _labels_of(stratify, n)
    rng = np.random.default_rng(seed) if shuffle else None

    fold_of = np.empty(n, dtype=np.int64)  # fold_of[i]: the validation fold of example i
    if y is None:
        order = rng.permutation(n) if rng is not None else np.arange(n)
        fold_of[order] = np.repeat(np.arange(n_splits), np.diff(_fold_bounds(n, n_splits)))
    else:
        _, first, inverse = np.unique(y, return_index=True, return_inverse=True)
        code = np.argsort(np.argsort(first))[inverse]  # classes numbered by first appearance
        counts = np.bincount(code)
        if np.all(counts < n_splits):
            raise ValueError(f"n_splits={n_splits} is more than the members of every class "
                             f"(largest {counts.max()})")
        if np.any(counts < n_splits):
            warnings.warn(f"the smallest class has only {counts.min()} members, fewer than "
                          f"n_splits={n_splits}", UserWarning, stacklevel=2)
        C = counts.size
        dealt = np.sort(code)  # (n,) class-sorted labels dealt to folds 0, 1, ..., K-1, 0, ...
        alloc = np.bincount(
            dealt * n_splits + np.arange(n) % n_splits, minlength=C * n_splits
        ).reshape(C, n_splits)  # (C, K) examples per class per fold
        by_class = np.argsort(code, kind="stable")  # data order within each class
        if rng is not None:
            by_class = _class_sorted_order(code, rng)
        rank = np.empty(n, dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        rank[by_class] = np.arange(n) - np.repeat(starts, counts)  # position within its class
        ends = np.cumsum(alloc, axis=1)  # (C, K) block ends per class
        # fold of an example = number of its class's block ends at or below its rank
        fold_of[:] = (rank[:, None] >= ends[code]).sum(axis=1)
    everyone = np.arange(n)
    return [(everyone[fold_of != k], everyone[fold_of == k]) for k in range(n_splits)]
