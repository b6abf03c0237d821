r"""Scoring a detector: one-to-one matching, precision and recall, average precision and mAP.

Chapter :ref:`ch-detection`. A detection counts as a **true positive** when it is matched to a
ground-truth object of its class with :math:`\mathrm{IoU} \ge t` (usually :math:`t = 0.5`), and
every ground-truth object can be matched **at most once**. Matching is greedy by score, as in
the PASCAL VOC and COCO evaluations: detections are taken from the most to the least confident,
and each takes the unmatched ground truth of its class it overlaps most. A second detection of
an object already found is therefore a false positive, however well it overlaps.

Sorting all detections of a class by score and walking down the list gives a precision-recall
curve; **average precision** (AP) is the area under its interpolated version, and **mAP** the
mean of the per-class APs. These functions are bookkeeping with no framework in them, so they
live here once, without a ``_torch`` twin (a network's boxes are moved to NumPy to be scored).

References
----------
M. Everingham et al., "The PASCAL Visual Object Classes (VOC) Challenge", IJCV 2010, Sec. 4.2.
T.-Y. Lin et al., "Microsoft COCO: Common Objects in Context", ECCV 2014 (and its evaluation
code, ``pycocotools.cocoeval``).

See Also
--------
dlbook.cnn.boxes.box_iou : the overlap measure.
:ref:`ch-detection` : the chapter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlbook._checks import one_of, positive_int, probability, real_array
from dlbook.cnn.boxes import box_iou, check_boxes

__all__ = ["match_detections", "precision_recall_curve", "average_precision",
           "DetectionScores", "evaluate_detections"]

INTERPOLATIONS = ("all", "101")


def _labels(labels, n: int, name: str) -> np.ndarray:
    lab = np.asarray(labels)
    if lab.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},) to match the boxes, got {lab.shape}")
    if lab.size and not np.issubdtype(lab.dtype, np.integer):
        raise TypeError(f"{name} must hold integer classes, got dtype {lab.dtype}")
    return lab.astype(np.int64)


def match_detections(boxes, scores, labels, gt_boxes, gt_labels, iou_threshold=0.5):
    r"""Match the detections of one image to its ground truth, one to one, greedily by score.

    Parameters
    ----------
    boxes : array_like of shape (K, 4)
        Detected boxes, corner format ``"xyxy"``.
    scores : array_like of shape (K,)
        Their confidences.
    labels : array_like of int, shape (K,)
        Their classes.
    gt_boxes : array_like of shape (M, 4)
        Ground-truth boxes of the image.
    gt_labels : array_like of int, shape (M,)
        Their classes.
    iou_threshold : float in [0, 1], default 0.5
        A match needs :math:`\mathrm{IoU} \ge t`.

    Returns
    -------
    ndarray of int, shape (K,)
        For each detection (in input order), the index of the ground-truth object it matched,
        or -1 for a false positive.

    Raises
    ------
    ValueError
        Bad boxes (see :func:`dlbook.cnn.boxes.check_boxes`) or shapes that do not agree.

    Notes
    -----
    Detections are visited by decreasing score (ties in input order). Each one looks at the
    ground-truth objects of its own class that no earlier detection has taken, and takes the
    one with the largest IoU if that IoU is at least :math:`t`. This is COCO's rule; the PASCAL
    VOC code instead looks at the best-overlapping object among *all* of its class and calls the
    detection a false positive if that object is taken. The two differ only when a detection
    overlaps two objects of its class by at least :math:`t`.

    See Also
    --------
    evaluate_detections : over a whole data set.

    Examples
    --------
    Two detections of the same object: the surer one is the hit, the other a false positive.

    >>> gt = [[0, 0, 10, 10]]
    >>> match_detections([[0, 0, 10, 9], [1, 0, 10, 10]], [0.6, 0.9], [0, 0], gt, [0])
    array([-1,  0])
    """
    b = check_boxes(boxes, "xyxy", "boxes")
    g = check_boxes(gt_boxes, "xyxy", "gt_boxes")
    s = real_array(scores, "scores", ndim=1, finite=True)
    if s.shape != (len(b),):
        raise ValueError(f"scores must have shape ({len(b)},) to match boxes, got {s.shape}")
    lab, gt_lab = _labels(labels, len(b), "labels"), _labels(gt_labels, len(g), "gt_labels")
    t = probability(iou_threshold, "iou_threshold")
    iou = box_iou(b, g) * (lab[:, None] == gt_lab[None, :])  # (K, M), 0 across classes
    matched = np.full(len(b), -1, dtype=np.int64)
    taken = np.zeros(len(g), dtype=bool)
    for k in np.argsort(-s, kind="stable"):  # one pass over detections; each step a vector op
        candidates = np.where(taken, -1.0, iou[k])
        if len(g) and candidates.max() >= t and candidates.max() > 0:
            j = int(candidates.argmax())
            matched[k], taken[j] = j, True
    return matched


def precision_recall_curve(scores, is_hit, n_ground_truth):
    r"""Precision and recall after each detection, from the most to the least confident.

    Parameters
    ----------
    scores : array_like of shape (K,)
        Confidences of the detections of one class (all images pooled).
    is_hit : array_like of bool, shape (K,)
        Whether each detection is a true positive (from :func:`match_detections`).
    n_ground_truth : int
        Number of ground-truth objects of the class, found or not.

    Returns
    -------
    precision, recall : ndarray of shape (K,)
        After the :math:`n` most confident detections,
        :math:`P_n = \mathrm{TP}_n / n` and :math:`R_n = \mathrm{TP}_n / N_\text{gt}`.

    See Also
    --------
    average_precision

    Examples
    --------
    >>> p, r = precision_recall_curve([0.9, 0.8, 0.7], [True, False, True], 4)
    >>> p.round(3).tolist(), r.tolist()
    ([1.0, 0.5, 0.667], [0.25, 0.25, 0.5])
    """
    s = real_array(scores, "scores", ndim=1, finite=True)
    hit = np.asarray(is_hit)
    if hit.shape != s.shape or (hit.size and hit.dtype != bool):
        raise ValueError(f"is_hit must be booleans of shape {s.shape}, got {hit.dtype} "
                         f"{hit.shape}")
    n_gt = positive_int(n_ground_truth, "n_ground_truth")
    if hit.sum() > n_gt:
        raise ValueError(f"{int(hit.sum())} hits but only {n_gt} ground-truth objects: a "
                         f"ground-truth object can be matched only once")
    tp = np.cumsum(hit[np.argsort(-s, kind="stable")])
    return tp / np.arange(1, len(s) + 1), tp / n_gt


def average_precision(scores, is_hit, n_ground_truth, interpolation="all"):
    r"""Area under the interpolated precision-recall curve of one class.

    Parameters
    ----------
    scores, is_hit, n_ground_truth
        As for :func:`precision_recall_curve`.
    interpolation : {"all", "101"}, default "all"
        ``"all"``: the exact area under the interpolated curve (PASCAL VOC 2010 and later);
        ``"101"``: the mean of the interpolated precision at recall 0, 0.01, ..., 1 (COCO).

    Returns
    -------
    float in [0, 1]
        0 when nothing was detected.

    Notes
    -----
    The interpolated precision at recall :math:`r` is the best precision reached at any recall
    at least :math:`r`, :math:`p_\text{interp}(r) = \max_{n:\,R_n \ge r} P_n` (0 beyond the
    largest recall reached), which removes the zig-zag of the raw curve. Then

    .. math::

        \mathrm{AP} = \int_0^1 p_\text{interp}(r)\,dr
        = \sum_n (R_n - R_{n-1})\, p_\text{interp}(R_n)
        \quad\text{or}\quad
        \mathrm{AP}_{101} = \frac{1}{101}\sum_{i=0}^{100} p_\text{interp}(i/100).

    Missed objects cost recall the curve never reaches; false positives lower the precision.

    See Also
    --------
    precision_recall_curve, evaluate_detections

    Examples
    --------
    Hits at ranks 1 and 3 of 3 detections, 4 objects: precision 1 up to recall 0.25, then
    2/3 up to recall 0.5, so AP = 0.25 * 1 + 0.25 * 2/3.

    >>> round(average_precision([0.9, 0.8, 0.7], [True, False, True], 4), 6)
    0.416667
    """
    one_of(interpolation, "interpolation", INTERPOLATIONS)
    precision, recall = precision_recall_curve(scores, is_hit, n_ground_truth)
    if precision.size == 0:
        return 0.0
    envelope = np.maximum.accumulate(precision[::-1])[::-1]  # best precision at recall >= R_n
    if interpolation == "all":
        steps = np.diff(recall, prepend=0.0)  # recall grows only at hits
        return float(np.sum(steps * envelope))
    levels = np.linspace(0.0, 1.0, 101)
    first = np.searchsorted(recall, levels, side="left")  # first rank reaching each level
    reached = first < len(recall)
    return float(np.sum(envelope[first[reached]]) / 101)


@dataclass(frozen=True)
class DetectionScores:
    r"""What :func:`evaluate_detections` measures.

    Attributes
    ----------
    ap : ndarray of shape (C,)
        Average precision of each class (NaN for a class with no ground-truth object).
    mean_ap : float
        mAP: the mean of the defined per-class APs.
    precision, recall : ndarray of shape (C,)
        Of all detections given, per class (NaN where undefined).
    n_ground_truth : ndarray of int, shape (C,)
        Ground-truth objects per class.
    matched : list of ndarray
        For each image, :func:`match_detections`'s result.
    """

    ap: np.ndarray
    mean_ap: float
    precision: np.ndarray
    recall: np.ndarray
    n_ground_truth: np.ndarray
    matched: list


def evaluate_detections(detections, ground_truth, n_classes, iou_threshold=0.5,
                        interpolation="all") -> DetectionScores:
    r"""Per-class AP, mAP, precision and recall of a detector over a set of images.

    Parameters
    ----------
    detections : sequence of (boxes, scores, labels)
        One triple per image: ``(K, 4)`` boxes, ``(K,)`` scores, ``(K,)`` classes.
    ground_truth : sequence of (boxes, labels)
        One pair per image, in the same order: ``(M, 4)`` boxes and ``(M,)`` classes.
    n_classes : int
        Classes are ``0 .. n_classes - 1``.
    iou_threshold : float, default 0.5
    interpolation : {"all", "101"}, default "all"
        See :func:`average_precision`.

    Returns
    -------
    DetectionScores

    Raises
    ------
    ValueError
        If the two sequences differ in length, or a label lies outside ``0 .. n_classes - 1``.

    Notes
    -----
    Matching is done image by image (:func:`match_detections`); then the detections of each
    class are pooled over all images and sorted by score for the precision-recall curve. The
    precision and recall returned are those of all detections given, that is, at the
    confidence threshold the caller already applied.

    See Also
    --------
    match_detections, average_precision, :ref:`ch-detection`

    Examples
    --------
    One image, two objects of class 0, three detections: the best finds object 0, a duplicate
    of it is a false positive, the third finds object 1.

    >>> gt = [(np.array([[0, 0, 10, 10], [20, 20, 30, 30]]), np.array([0, 0]))]
    >>> det = [(np.array([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 29]]),
    ...         np.array([0.9, 0.8, 0.7]), np.array([0, 0, 0]))]
    >>> res = evaluate_detections(det, gt, n_classes=1)
    >>> res.matched[0].tolist(), res.precision.round(3).tolist(), res.recall.tolist()
    ([0, -1, 1], [0.667], [1.0])
    >>> round(res.mean_ap, 6)           # 0.5 * 1 + 0.5 * 2/3
    0.833333
    """
    detections, ground_truth = list(detections), list(ground_truth)
    if len(detections) != len(ground_truth):
        raise ValueError(f"detections has {len(detections)} images but ground_truth has "
                         f"{len(ground_truth)}")
    C = positive_int(n_classes, "n_classes")
    scores, hits, labels, matched = [], [], [], []
    n_gt = np.zeros(C, dtype=np.int64)
    for i, ((b, s, lab), (gb, gl)) in enumerate(zip(detections, ground_truth)):
        gl = _labels(gl, len(gb), f"ground_truth[{i}] labels")
        lab = _labels(lab, len(b), f"detections[{i}] labels")
        if np.any((gl < 0) | (gl >= C)) or np.any((lab < 0) | (lab >= C)):
            raise ValueError(f"image {i}: labels must lie in 0..{C - 1}")
        m = match_detections(b, s, lab, gb, gl, iou_threshold)
        matched.append(m)
        scores.append(np.asarray(s, dtype=np.float64))
        hits.append(m >= 0)
        labels.append(lab)
        n_gt += np.bincount(gl, minlength=C)
    scores, hits, labels = (np.concatenate(a) if a else np.zeros(0)
                            for a in (scores, hits, labels))
    ap, precision, recall = np.full(C, np.nan), np.full(C, np.nan), np.full(C, np.nan)
    for c in range(C):
        mine = labels == c
        if mine.any():
            precision[c] = hits[mine].mean()
        if n_gt[c]:
            ap[c] = average_precision(scores[mine], hits[mine].astype(bool), n_gt[c],
                                      interpolation)
            recall[c] = hits[mine].sum() / n_gt[c]
    mean_ap = float(np.nanmean(ap)) if np.any(n_gt) else float("nan")
    return DetectionScores(ap, mean_ap, precision, recall, n_gt, matched)
