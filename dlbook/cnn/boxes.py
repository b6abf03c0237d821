r"""Bounding boxes in NumPy: format conversions, areas, IoU and non-max suppression.

Chapter :ref:`ch-detection`. Boxes are rows of four floats in one of two formats:

- ``"xyxy"`` (corner format): :math:`(x_1, y_1, x_2, y_2)`, top-left and bottom-right corners,
  with :math:`x_1 \le x_2` and :math:`y_1 \le y_2`;
- ``"cxcywh"`` (center format): :math:`(c_x, c_y, w, h)`, the center and the size, with
  :math:`w, h \ge 0`.

Coordinates are continuous (a box from 0 to 2 has width 2, not 3 as in the old "+1 pixel"
convention), as in torchvision. A box of zero width or height is *degenerate*: its area is 0 and
its IoU with anything is defined as 0.

See Also
--------
dlbook.cnn.boxes_torch : the same functions on torch tensors.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import one_of, probability, real_array

__all__ = ["FORMATS", "check_boxes", "box_convert", "box_area", "box_iou", "nms", "batched_nms"]

FORMATS = ("xyxy", "cxcywh")


def check_boxes(boxes, fmt: str = "xyxy", name: str = "boxes") -> np.ndarray:
    r"""Validate an array of boxes and return it as a float64 array of shape (N, 4).

    Parameters
    ----------
    boxes : array_like of shape (N, 4)
        ``N`` may be 0.
    fmt : {"xyxy", "cxcywh"}
    name : str
        Used in error messages.

    Returns
    -------
    ndarray of shape (N, 4), float64

    Raises
    ------
    ValueError
        If the shape is not (N, 4), a coordinate is not finite, or (``"xyxy"``) some
        :math:`x_2 < x_1` or :math:`y_2 < y_1`, or (``"cxcywh"``) some :math:`w < 0` or
        :math:`h < 0`; the message names the first offending row.

    See Also
    --------
    dlbook.cnn.boxes_torch.check_boxes, :ref:`ch-detection`

    Examples
    --------
    >>> check_boxes([[0, 0, 2, 3]]).shape
    (1, 4)
    >>> check_boxes([[2, 0, 1, 3]])
    Traceback (most recent call last):
    ...
    ValueError: boxes[0] = [2.0, 0.0, 1.0, 3.0] has x2 < x1 or y2 < y1 (format 'xyxy')
    """
    one_of(fmt, "fmt", FORMATS)
    b = real_array(boxes, name).astype(np.float64)
    if b.ndim != 2 or b.shape[1] != 4:
        raise ValueError(f"{name} must have shape (N, 4), got {b.shape}")
    if not np.all(np.isfinite(b)):
        i = int(np.argwhere(~np.isfinite(b))[0, 0])
        raise ValueError(f"{name}[{i}] = {b[i].tolist()} has a non-finite coordinate")
    if fmt == "xyxy":
        bad = (b[:, 2] < b[:, 0]) | (b[:, 3] < b[:, 1])
        what = "x2 < x1 or y2 < y1"
    else:
        bad = (b[:, 2] < 0) | (b[:, 3] < 0)
        what = "a negative width or height"
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name}[{i}] = {b[i].tolist()} has {what} (format {fmt!r})")
    return b


def box_convert(boxes, in_fmt: str, out_fmt: str) -> np.ndarray:
    r"""Convert boxes between corner format and center format.

    Parameters
    ----------
    boxes : array_like of shape (N, 4)
    in_fmt, out_fmt : {"xyxy", "cxcywh"}

    Returns
    -------
    ndarray of shape (N, 4), float64 (a new array, even when the formats agree)

    Notes
    -----
    .. math::

        c_x = \tfrac{x_1 + x_2}{2},\quad c_y = \tfrac{y_1 + y_2}{2},\quad
        w = x_2 - x_1,\quad h = y_2 - y_1

    and back: :math:`x_1 = c_x - w/2,\ x_2 = c_x + w/2` (likewise for :math:`y`).

    See Also
    --------
    dlbook.cnn.boxes_torch.box_convert, :ref:`ch-detection`

    Examples
    --------
    >>> box_convert([[1, 2, 5, 4]], "xyxy", "cxcywh")
    array([[3., 3., 4., 2.]])
    >>> box_convert([[3, 3, 4, 2]], "cxcywh", "xyxy")
    array([[1., 2., 5., 4.]])
    """
    b = check_boxes(boxes, one_of(in_fmt, "in_fmt", FORMATS))
    one_of(out_fmt, "out_fmt", FORMATS)
    if in_fmt == out_fmt:
        return b.copy()
    if in_fmt == "xyxy":
        return np.stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2,
                         b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], axis=1)
    half = b[:, 2:] / 2                                              # (N, 2)
    return np.concatenate([b[:, :2] - half, b[:, :2] + half], axis=1)


def box_area(boxes, fmt: str = "xyxy") -> np.ndarray:
    r"""Areas of boxes, :math:`(x_2 - x_1)(y_2 - y_1)`.

    Parameters
    ----------
    boxes : array_like of shape (N, 4)
    fmt : {"xyxy", "cxcywh"}

    Returns
    -------
    ndarray of shape (N,)

    See Also
    --------
    dlbook.cnn.boxes_torch.box_area, :ref:`ch-detection`

    Examples
    --------
    >>> box_area([[0, 0, 2, 3], [1, 1, 1, 5]])
    array([6., 0.])
    """
    b = box_convert(boxes, fmt, "xyxy")
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


def box_iou(boxes1, boxes2, fmt: str = "xyxy") -> np.ndarray:
    r"""Intersection over union of every box in ``boxes1`` with every box in ``boxes2``.

    Parameters
    ----------
    boxes1 : array_like of shape (N, 4)
    boxes2 : array_like of shape (M, 4)
    fmt : {"xyxy", "cxcywh"}
        Format of both inputs.

    Returns
    -------
    ndarray of shape (N, M)
        Entry :math:`(i, j)` is :math:`\mathrm{IoU}(A_i, B_j) \in [0, 1]`.

    Notes
    -----
    With both boxes in corner format,

    .. math::

        I = \max(0, \min(x_2, x_2') - \max(x_1, x_1'))\,\max(0, \min(y_2, y_2') - \max(y_1, y_1')),
        \qquad \mathrm{IoU} = \frac{I}{|A| + |B| - I},

    computed for all pairs at once by broadcasting (N, 1) against (1, M). Where the union is 0
    (two degenerate boxes) the IoU is defined as 0.

    See Also
    --------
    dlbook.cnn.boxes_torch.box_iou, :ref:`ch-detection`

    Examples
    --------
    Two 2 x 2 squares overlapping in a 1 x 2 strip: :math:`2 / (4 + 4 - 2) = 1/3`.

    >>> box_iou([[0, 0, 2, 2]], [[1, 0, 3, 2], [5, 5, 6, 6]])
    array([[0.33333333, 0.        ]])
    """
    a = box_convert(boxes1, fmt, "xyxy")
    b = box_convert(boxes2, fmt, "xyxy")
    lt = np.maximum(a[:, None, :2], b[None, :, :2])                  # (N, M, 2) top-left
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])                  # (N, M, 2) bottom-right
    wh = np.clip(rb - lt, 0.0, None)                                 # (N, M, 2)
    inter = wh[..., 0] * wh[..., 1]                                  # (N, M)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter                # (N, M)
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def _check_scores(scores, n: int, name: str = "scores") -> np.ndarray:
    s = real_array(scores, name).astype(np.float64)
    if s.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},) to match boxes, got {s.shape}")
    if not np.all(np.isfinite(s)):
        raise ValueError(f"{name} must be finite, got {s[~np.isfinite(s)][:3].tolist()}")
    return s


def _greedy(iou: np.ndarray, order: np.ndarray, threshold: float) -> np.ndarray:
    """Greedy suppression over a precomputed IoU matrix; ``order`` lists boxes best first."""
    suppressed = np.zeros(iou.shape[0], dtype=bool)
    keep = []
    for i in order:                      # one pass over the boxes; each step is a vector op
        if suppressed[i]:
            continue
        keep.append(i)
        suppressed |= iou[i] > threshold
    return np.asarray(keep, dtype=np.int64)


def nms(boxes, scores, iou_threshold: float = 0.5, fmt: str = "xyxy") -> np.ndarray:
    r"""Greedy non-max suppression: keep the best box, drop the boxes that overlap it, repeat.

    Parameters
    ----------
    boxes : array_like of shape (N, 4)
    scores : array_like of shape (N,)
    iou_threshold : float in [0, 1]
        A box is dropped when its IoU with a kept box is *strictly greater* than this.
    fmt : {"xyxy", "cxcywh"}

    Returns
    -------
    ndarray of shape (K,), int64
        Indices of the kept boxes, in decreasing order of score.

    Raises
    ------
    ValueError
        Bad boxes (see :func:`check_boxes`), scores of the wrong shape, a threshold outside
        [0, 1].

    Notes
    -----
    1. Sort the boxes by score, highest first; equal scores keep their input order (a stable
       sort), so the result is deterministic with ties.
    2. Take the first box not yet suppressed, keep it, and suppress every box :math:`j` with
       :math:`\mathrm{IoU}(\text{kept}, j) > t`.
    3. Repeat until no box is left.

    The IoU matrix is computed once (:math:`N^2` entries), so each step is one vector operation.
    A degenerate box has IoU 0 with everything, so it is never suppressed and never suppresses.

    See Also
    --------
    batched_nms : the per-class version.
    dlbook.cnn.boxes_torch.nms, :ref:`ch-detection`

    Examples
    --------
    Box 1 overlaps the best box (IoU 0.81) and goes; box 2 is elsewhere and stays.

    >>> nms([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]], [0.9, 0.8, 0.7], 0.5)
    array([0, 2])
    """
    b = box_convert(boxes, fmt, "xyxy")                               # validates too
    s = _check_scores(scores, len(b))
    t = probability(iou_threshold, "iou_threshold")
    return _greedy(box_iou(b, b), np.argsort(-s, kind="stable"), t)


def batched_nms(boxes, scores, labels, iou_threshold: float = 0.5,
                fmt: str = "xyxy") -> np.ndarray:
    r"""Non-max suppression done separately within each class.

    Parameters
    ----------
    boxes : array_like of shape (N, 4)
    scores : array_like of shape (N,)
    labels : array_like of int, shape (N,)
        Class of each box; a box only suppresses boxes of its own class.
    iou_threshold : float in [0, 1]
    fmt : {"xyxy", "cxcywh"}

    Returns
    -------
    ndarray of shape (K,), int64
        Indices of the kept boxes (all classes), in decreasing order of score; ties in input order.

    Notes
    -----
    Equivalent to running :func:`nms` on each class and merging the results by score: the IoU
    matrix is multiplied by the mask :math:`[c_i = c_j]` before the greedy pass.

    See Also
    --------
    nms, dlbook.cnn.boxes_torch.batched_nms, :ref:`ch-detection`

    Examples
    --------
    The same two overlapping boxes, once with one class and once with two:

    >>> b = [[0, 0, 10, 10], [1, 1, 10, 10]]
    >>> batched_nms(b, [0.9, 0.8], [0, 0]), batched_nms(b, [0.9, 0.8], [0, 1])
    (array([0]), array([0, 1]))
    """
    b = box_convert(boxes, fmt, "xyxy")
    s = _check_scores(scores, len(b))
    lab = np.asarray(labels)
    if lab.shape != (len(b),):
        raise ValueError(f"labels must have shape ({len(b)},) to match boxes, got {lab.shape}")
    t = probability(iou_threshold, "iou_threshold")
    iou = box_iou(b, b) * (lab[:, None] == lab[None, :])             # (N, N), 0 across classes
    return _greedy(iou, np.argsort(-s, kind="stable"), t)
