r"""Classification metrics from counts: confusion matrix, accuracy, precision, recall, F-beta.

Every score here is a ratio of counts taken from the confusion matrix :math:`C`, where
:math:`C_{ij}` counts the examples of true class *i* predicted as class *j* (rows are the truth,
columns the prediction, as in scikit-learn). For class *k*:

.. math::

    \mathrm{TP}_k = C_{kk}, \qquad \mathrm{FP}_k = \sum_{i \ne k} C_{ik}, \qquad
    \mathrm{FN}_k = \sum_{j \ne k} C_{kj}.

The averaging modes, the handling of empty denominators (``zero_division``) and the label
conventions follow :func:`sklearn.metrics.precision_recall_fscore_support`; the tests hold every
mode to it. :func:`dlbook.nn.bias_variance.error_decomposition` turns error rates into the gaps
that say what to work on next.

There is no ``metrics_torch`` twin: the scores are counts and ratios, computed once on the
predicted labels (``logits.argmax(1).cpu().numpy()``), not something to differentiate.

See Also
--------
:ref:`ch-ml-strategy` : the chapter that uses these metrics.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import check_ndim, one_of, real_value, same_shape

__all__ = [
    "accuracy",
    "confusion_matrix",
    "precision_recall_fbeta",
    "precision",
    "recall",
    "f1",
    "fbeta",
]

AVERAGES = ("binary", "micro", "macro", "weighted", None)


def _label_pair(y_true, y_pred):
    """Two label vectors of one example each (integers, booleans or strings) as 1-D arrays."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        check_ndim(y, name, ndim=1)
        if y.dtype.kind == "f":
            if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
                example = y[np.flatnonzero(y != np.round(y))[:1]]
                raise ValueError(f"{name} holds non-integer floats (e.g. {example}): these look "
                                 "like scores or probabilities; threshold or argmax them into "
                                 "labels first")
        elif y.dtype.kind not in "biuUSO":
            raise TypeError(f"{name} must hold class labels (integers, booleans or strings), got "
                            f"dtype {y.dtype}")
    same_shape(y_true, y_pred, "y_true", "y_pred")
    if y_true.size == 0:
        raise ValueError("y_true and y_pred are empty")
    if (y_true.dtype.kind in "US") != (y_pred.dtype.kind in "US"):
        raise TypeError(f"y_true ({y_true.dtype}) and y_pred ({y_pred.dtype}) mix string and "
                        "numeric labels")
    return y_true, y_pred


def _class_list(labels) -> np.ndarray:
    """The ``labels`` argument: a non-empty 1-D list of distinct classes."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"labels must be a non-empty 1-D list of classes, got shape "
                         f"{labels.shape}")
    if np.unique(labels).size != labels.size:
        raise ValueError(f"labels repeats a class: {labels.tolist()}")
    return labels


def _index_of(values, labels):
    """Position of each value in ``labels`` (-1 where absent), vectorized by a sorted lookup."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    pos = np.clip(np.searchsorted(sorted_labels, values), 0, len(labels) - 1)
    found = sorted_labels[pos] == values
    return np.where(found, order[pos], -1)


def accuracy(y_true, y_pred) -> float:
    r"""Fraction of examples whose predicted label equals the true label.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (N,)
        True and predicted class labels (integers, booleans or strings).

    Returns
    -------
    float
        :math:`\frac{1}{N}\sum_n [\hat y_n = y_n]`, in [0, 1].

    Raises
    ------
    ValueError
        If the shapes differ, are not 1-D, or the labels are non-integer floats (scores).
    TypeError
        If the labels are not integers, booleans or strings.

    See Also
    --------
    sklearn.metrics.accuracy_score : the same number.
    :ref:`ch-ml-strategy` : the chapter.

    Examples
    --------
    Three of four right:

    >>> accuracy([0, 1, 2, 2], [0, 1, 2, 1])
    0.75
    """
    y_true, y_pred = _label_pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true, y_pred, labels=None) -> np.ndarray:
    r"""Count how often each true class is predicted as each class.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (N,)
        True and predicted class labels.
    labels : array_like of shape (K,), optional
        The classes, in the order of the rows and columns. Default: every label that occurs in
        ``y_true`` or ``y_pred``, sorted. Examples whose true or predicted label is not listed
        are left out (as scikit-learn does).

    Returns
    -------
    ndarray of int64, shape (K, K)
        :math:`C_{ij} = \#\{n : y_n = \ell_i,\ \hat y_n = \ell_j\}`: rows are true classes,
        columns predicted classes, so the diagonal holds the correct predictions.

    Raises
    ------
    ValueError
        If the label vectors do not fit together, or ``labels`` is empty or repeats a label.
    TypeError
        If the labels are not integers, booleans or strings.

    Notes
    -----
    Each example becomes the single index :math:`iK + j` and one ``bincount`` counts them all.

    See Also
    --------
    sklearn.metrics.confusion_matrix : the same matrix.
    :ref:`ch-ml-strategy` : the chapter (error analysis).

    Examples
    --------
    >>> confusion_matrix([0, 0, 1, 2, 2], [0, 1, 1, 2, 0])
    array([[1, 1, 0],
           [0, 1, 0],
           [1, 0, 1]])
    """
    y_true, y_pred = _label_pair(y_true, y_pred)
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred]))
    else:
        labels = _class_list(labels)
    K = labels.size
    i, j = _index_of(y_true, labels), _index_of(y_pred, labels)
    keep = (i >= 0) & (j >= 0)  # drop examples outside `labels`
    counts = np.bincount(i[keep] * K + j[keep], minlength=K * K)  # (K*K,)
    return counts.reshape(K, K).astype(np.int64)


def _safe_divide(num, den, zero_division):
    """num / den elementwise, with ``zero_division`` where den == 0."""
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    out = np.full(num.shape, zero_division, dtype=np.float64)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _average(values, weights):
    """Mean of the non-NaN values, weighted if weights are given and not all zero."""
    mask = ~np.isnan(values)
    if not mask.any():
        return float("nan")
    if weights is None or weights[mask].sum() == 0:
        return float(values[mask].mean())
    return float(np.average(values[mask], weights=weights[mask]))


def precision_recall_fbeta(y_true, y_pred, *, beta=1.0, average="binary", pos_label=1,
                           labels=None, zero_division=0.0):
    r"""Precision, recall and F-beta of a classifier, per class or averaged.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (N,)
        True and predicted class labels.
    beta : float, default 1.0
        Weight of recall relative to precision, :math:`\beta \ge 0`. ``beta=1`` is F1,
        ``beta=0`` gives precision, ``beta=inf`` recall.
    average : {"binary", "micro", "macro", "weighted", None}, default "binary"
        ``"binary"``: the scores of class ``pos_label`` only (at most two classes may occur).
        ``"micro"``: pool TP, FP and FN over the classes, then divide.
        ``"macro"``: the unweighted mean of the per-class scores.
        ``"weighted"``: their mean weighted by each class's support (number of true examples).
        ``None``: the per-class scores themselves.
    pos_label : int or str, default 1
        The positive class for ``average="binary"``; ignored otherwise.
    labels : array_like of shape (K,), optional
        The classes to score (and their order for ``average=None``). Default: all labels that
        occur, sorted.
    zero_division : {0.0, 1.0, nan}, default 0.0
        The value of a score whose denominator is zero (e.g. precision of a class that is never
        predicted). NaN scores are left out of the averages.

    Returns
    -------
    precision, recall, fbeta : float, or ndarray of shape (K,) if ``average is None``
    support : ndarray of int64, shape (K,), or None
        Number of true examples of each class (``average=None`` only, as in scikit-learn).

    Raises
    ------
    ValueError
        If ``average`` is unknown, ``beta`` is negative, ``zero_division`` is not 0, 1 or NaN,
        ``average="binary"`` meets more than two classes or a ``pos_label`` that does not occur
        beside two others, or the label vectors do not fit together.
    TypeError
        If the labels are not integers, booleans or strings, or ``beta`` is not a real number.

    Notes
    -----
    Per class *k*, with TP, FP and FN read off the confusion matrix,

    .. math::

        P_k = \frac{\mathrm{TP}_k}{\mathrm{TP}_k + \mathrm{FP}_k}, \qquad
        R_k = \frac{\mathrm{TP}_k}{\mathrm{TP}_k + \mathrm{FN}_k}, \qquad
        F_{\beta,k} = \frac{(1+\beta^2) P_k R_k}{\beta^2 P_k + R_k}
                  = \frac{(1+\beta^2)\mathrm{TP}_k}
                    {(1+\beta^2)\mathrm{TP}_k + \beta^2\mathrm{FN}_k + \mathrm{FP}_k}.

    The code uses the last form: it needs no precision or recall first and is defined whenever
    the class occurs at all. For single-label data micro-averaged precision, recall and F all
    equal the accuracy (every error is one FP and one FN).

    References
    ----------
    C. J. van Rijsbergen, *Information Retrieval*, 2nd ed., 1979, ch. 7 (the effectiveness
    measure that F-beta is derived from).

    See Also
    --------
    sklearn.metrics.precision_recall_fscore_support : the reference the tests compare with.
    :ref:`ch-ml-strategy` : the chapter.

    Examples
    --------
    Two positives found of three (recall 2/3), one false alarm (precision 2/3):

    >>> p, r, f, _ = precision_recall_fbeta([1, 1, 1, 0, 0], [1, 1, 0, 1, 0])
    >>> round(p, 4), round(r, 4), round(f, 4)
    (0.6667, 0.6667, 0.6667)
    """
    y_true, y_pred = _label_pair(y_true, y_pred)
    one_of(average, "average", AVERAGES)
    if not (isinstance(beta, float) and beta == np.inf):  # beta = inf is recall itself
        beta = real_value(beta, "beta", low=0.0)
    if not (zero_division in (0, 1)
            or (isinstance(zero_division, float) and np.isnan(zero_division))):
        raise ValueError(f"zero_division must be 0.0, 1.0 or nan, got {zero_division!r}")

    present = np.unique(np.concatenate([y_true, y_pred]))
    if average == "binary":
        if present.size > 2:
            raise ValueError(
                f"average='binary' needs at most two classes, found {present.size}: "
                f"{present.tolist()[:10]}; use average='macro', 'micro', 'weighted' or None"
            )
        if pos_label not in present.tolist() and present.size == 2:
            raise ValueError(f"pos_label={pos_label!r} is not one of the labels {present.tolist()}")
        labels = np.asarray([pos_label])
    elif labels is not None:
        labels = _class_list(labels)
    else:
        labels = present

    # Per-class counts over all examples, then pick the requested classes.
    everything = np.unique(np.concatenate([present, labels]))
    C = confusion_matrix(y_true, y_pred, labels=everything)  # (K_all, K_all)
    idx = _index_of(labels, everything)
    tp = np.diag(C)[idx]
    pred_sum = C.sum(axis=0)[idx]  # TP + FP
    true_sum = C.sum(axis=1)[idx]  # TP + FN: the support
    if average == "micro":
        tp, pred_sum, true_sum = (tp.sum(keepdims=True), pred_sum.sum(keepdims=True),
                                  true_sum.sum(keepdims=True))

    prec = _safe_divide(tp, pred_sum, zero_division)
    rec = _safe_divide(tp, true_sum, zero_division)
    if np.isposinf(beta):
        f = rec
    elif beta == 0:
        f = prec
    else:
        b2 = float(beta) ** 2
        f = _safe_divide((1 + b2) * tp, b2 * true_sum + pred_sum, zero_division)

    if average is None:
        return prec, rec, f, true_sum.astype(np.int64)
    weights = true_sum.astype(np.float64) if average == "weighted" else None
    return _average(prec, weights), _average(rec, weights), _average(f, weights), None


def precision(y_true, y_pred, *, average="binary", pos_label=1, labels=None, zero_division=0.0):
    r"""Precision :math:`\mathrm{TP}/(\mathrm{TP}+\mathrm{FP})`: of the predicted positives, the
    share that are right.

    Parameters and averaging as in :func:`precision_recall_fbeta`.

    See Also
    --------
    sklearn.metrics.precision_score : the same number.
    :ref:`ch-ml-strategy` : the chapter.

    Examples
    --------
    Four predicted positive, three of them truly positive:

    >>> precision([1, 1, 1, 0, 0], [1, 1, 1, 1, 0])
    0.75
    """
    return precision_recall_fbeta(y_true, y_pred, average=average, pos_label=pos_label,
                                  labels=labels, zero_division=zero_division)[0]


def recall(y_true, y_pred, *, average="binary", pos_label=1, labels=None, zero_division=0.0):
    r"""Recall :math:`\mathrm{TP}/(\mathrm{TP}+\mathrm{FN})`: of the true positives, the share that
    are found.

    Parameters and averaging as in :func:`precision_recall_fbeta`.

    See Also
    --------
    sklearn.metrics.recall_score : the same number.
    :ref:`ch-ml-strategy` : the chapter.

    Examples
    --------
    Four true positives, one of them found:

    >>> recall([1, 1, 1, 1, 0], [1, 0, 0, 0, 0])
    0.25
    """
    return precision_recall_fbeta(y_true, y_pred, average=average, pos_label=pos_label,
                                  labels=labels, zero_division=zero_division)[1]


def fbeta(y_true, y_pred, *, beta, average="binary", pos_label=1, labels=None, zero_division=0.0):
    r"""F-beta score, :math:`(1+\beta^2)PR/(\beta^2 P + R)`: recall counts :math:`\beta` times as
    much as precision.

    Parameters and averaging as in :func:`precision_recall_fbeta`.

    See Also
    --------
    sklearn.metrics.fbeta_score : the same number.
    :ref:`ch-ml-strategy` : the chapter.

    Examples
    --------
    Precision 1/2 and recall 1 (two predicted positive, one of them the only true positive):
    F2 = 5 * 0.5 * 1 / (4 * 0.5 + 1) = 2.5 / 3.

    >>> round(fbeta([1, 0, 0], [1, 1, 0], beta=2), 4)
    0.8333
    """
    return precision_recall_fbeta(y_true, y_pred, beta=beta, average=average, pos_label=pos_label,
                                  labels=labels, zero_division=zero_division)[2]


def f1(y_true, y_pred, *, average="binary", pos_label=1, labels=None, zero_division=0.0):
    r"""F1 score, the harmonic mean :math:`2PR/(P+R)` of precision and recall.

    Parameters and averaging as in :func:`precision_recall_fbeta`.

    See Also
    --------
    sklearn.metrics.f1_score : the same number.
    :ref:`ch-ml-strategy` : the chapter.

    Examples
    --------
    Precision 1/2, recall 1: 2 * 0.5 * 1 / 1.5 = 2/3.

    >>> round(f1([1, 0, 0], [1, 1, 0]), 4)
    0.6667
    """
    return precision_recall_fbeta(y_true, y_pred, beta=1.0, average=average, pos_label=pos_label,
                                  labels=labels, zero_division=zero_division)[2]
