r"""Anchor boxes by k-means on box shapes, with :math:`1 - \mathrm{IoU}` as the distance.

Chapter :ref:`ch-detection`. YOLOv2 (Redmon and Farhadi, 2017) chose its anchor shapes by
clustering the widths and heights of the training boxes. Euclidean distance on :math:`(w, h)`
would let large boxes dominate; the distance used instead is

.. math::

    d(\text{box}, \text{anchor}) = 1 - \mathrm{IoU}(\text{box}, \text{anchor}),

with both boxes placed at the same center, so only their shapes matter.

See Also
--------
dlbook.cnn.boxes.box_iou : IoU of boxes at their real positions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlbook._checks import check_shape, positive_int, real_array

__all__ = ["wh_iou", "mean_best_iou", "KMeansResult", "kmeans_anchors"]


def _widths_heights(wh, name: str) -> np.ndarray:
    """(N, 2) positive finite widths and heights as float64."""
    a = real_array(wh, name, ndim=2).astype(np.float64)
    check_shape(a, name, (None, 2), "(N, 2) of widths and heights")
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        i = int(np.flatnonzero(~(np.isfinite(a) & (a > 0)).all(axis=1))[0])
        raise ValueError(f"{name}[{i}] = {a[i].tolist()}: widths and heights must be finite "
                         f"and > 0")
    return a


def wh_iou(wh1, wh2) -> np.ndarray:
    r"""IoU of boxes that share a center, from their widths and heights only.

    Parameters
    ----------
    wh1 : array_like of shape (N, 2)
    wh2 : array_like of shape (M, 2)
        Widths and heights, all > 0.

    Returns
    -------
    ndarray of shape (N, M)

    Notes
    -----
    .. math::

        \mathrm{IoU} = \frac{\min(w, w')\,\min(h, h')}{w h + w' h' - \min(w, w')\,\min(h, h')}

    See Also
    --------
    dlbook.cnn.boxes.box_iou, :ref:`ch-detection`

    Examples
    --------
    A 2 x 4 box and a 4 x 2 box share a 2 x 2 square: :math:`4 / (8 + 8 - 4) = 1/3`.

    >>> wh_iou([[2, 4]], [[4, 2], [2, 4]])
    array([[0.33333333, 1.        ]])
    """
    a = _widths_heights(wh1, "wh1")
    b = _widths_heights(wh2, "wh2")
    inter = np.prod(np.minimum(a[:, None], b[None]), axis=-1)        # (N, M)
    return inter / (np.prod(a, 1)[:, None] + np.prod(b, 1)[None] - inter)


def mean_best_iou(wh, anchors) -> float:
    r"""Mean IoU of each box with its best anchor, :math:`\frac1N\sum_i \max_j \mathrm{IoU}_{ij}`.

    See Also
    --------
    kmeans_anchors, :ref:`ch-detection`

    Examples
    --------
    >>> mean_best_iou([[2, 4], [4, 2]], [[2, 4]])
    0.6666666666666666
    """
    return float(wh_iou(wh, anchors).max(axis=1).mean())


@dataclass(frozen=True)
class KMeansResult:
    """Result of :func:`kmeans_anchors`.

    Attributes
    ----------
    anchors : ndarray of shape (k, 2)
        Widths and heights, sorted by area (then by width).
    assignment : ndarray of shape (N,)
        Index of each box's anchor (its highest-IoU anchor).
    mean_iou : float
        :func:`mean_best_iou` of the boxes with these anchors.
    n_iter : int
        Iterations run before the assignment stopped changing (or ``max_iter``).
    """

    anchors: np.ndarray
    assignment: np.ndarray
    mean_iou: float
    n_iter: int


def _plus_plus_init(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding with d = 1 - IoU: each new anchor is a box drawn with probability ∝ d²."""
    chosen = [int(rng.integers(len(x)))]
    d2 = (1.0 - wh_iou(x, x[chosen])[:, 0]) ** 2                     # (N,)
    for _ in range(1, k):
        total = d2.sum()
        i = int(rng.choice(len(x), p=d2 / total)) if total > 0 else int(rng.integers(len(x)))
        chosen.append(i)
        d2 = np.minimum(d2, (1.0 - wh_iou(x, x[i:i + 1])[:, 0]) ** 2)
    return x[chosen]


def kmeans_anchors(wh, k: int, max_iter: int = 100, n_init: int = 3, rng=None) -> KMeansResult:
    r"""Cluster box shapes into ``k`` anchors with the :math:`1 - \mathrm{IoU}` distance.

    Parameters
    ----------
    wh : array_like of shape (N, 2)
        Box widths and heights, all > 0.
    k : int
        Number of anchors, ``1 <= k <= N``.
    max_iter : int, default 100
    n_init : int, default 3
        Independent restarts; the one with the highest mean IoU is returned.
    rng : numpy.random.Generator or int, optional

    Returns
    -------
    KMeansResult

    Notes
    -----
    Lloyd's iteration: start from ``k`` boxes chosen by k-means++ seeding (the first at random,
    each next one with probability proportional to :math:`d^2`, its squared distance to the
    nearest anchor chosen so far); then repeat

    1. assign each box to :math:`\arg\max_j \mathrm{IoU}(\text{box}, a_j)`
       (the smallest :math:`1 - \mathrm{IoU}`);
    2. move each anchor to the mean width and mean height of its boxes (an anchor that lost all
       its boxes stays where it is);

    until the assignment stops changing. As in YOLOv2 the update is the mean, which does not
    exactly minimize the summed :math:`1 - \mathrm{IoU}`, so the mean IoU rises in practice but
    is not guaranteed to rise at every step.

    References
    ----------
    J. Redmon and A. Farhadi, "YOLO9000: Better, Faster, Stronger", CVPR 2017, section 2.

    See Also
    --------
    wh_iou, mean_best_iou, :ref:`ch-detection`

    Examples
    --------
    Two clear shapes, five boxes of each: the anchors are those shapes and every box fits one.

    >>> wh = [[2, 8]] * 5 + [[8, 2]] * 5
    >>> res = kmeans_anchors(wh, 2, rng=0)
    >>> res.anchors.tolist(), res.mean_iou
    ([[2.0, 8.0], [8.0, 2.0]], 1.0)
    """
    x = _widths_heights(wh, "wh")
    k, max_iter = positive_int(k, "k"), positive_int(max_iter, "max_iter")
    n_init = positive_int(n_init, "n_init")
    if k > len(x):
        raise ValueError(f"k = {k} exceeds the number of boxes, {len(x)}")
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)

    best = None
    for _ in range(n_init):
        anchors = _plus_plus_init(x, k, rng)                         # (k, 2)
        assign = np.full(len(x), -1)
        for it in range(1, max_iter + 1):
            new = wh_iou(x, anchors).argmax(axis=1)                  # (N,)
            if np.array_equal(new, assign):
                break
            assign = new
            onehot = assign[:, None] == np.arange(k)[None]            # (N, k)
            counts = onehot.sum(axis=0)                              # (k,)
            sums = onehot.T.astype(np.float64) @ x                   # (k, 2)
            anchors = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], anchors)
        order = np.lexsort((anchors[:, 0], anchors.prod(axis=1)))    # by area, then width
        anchors = anchors[order]
        assign = wh_iou(x, anchors).argmax(axis=1)
        score = mean_best_iou(x, anchors)
        if best is None or score > best.mean_iou:
            best = KMeansResult(anchors, assign, score, it)
    return best
