r"""YOLO's grid targets: encode boxes into an ``S x S`` grid, decode a grid back into boxes.

Chapter :ref:`ch-detection`. The image is cut into ``S x S`` cells; the cell that contains an
object's center is responsible for it and stores the localization vector of the course,

.. math::

    y = (p_c,\ b_x,\ b_y,\ b_h,\ b_w,\ c_1, \dots, c_C),

where :math:`p_c` is 1 if an object is present, :math:`(b_x, b_y) \in [0, 1]^2` is its center
relative to the cell's top-left corner (in cell units), :math:`b_h, b_w` are its height and width
in cell units (so they may exceed 1 for an object larger than a cell), and :math:`c_1..c_C` is
its class one-hot. This is the one-box-per-cell form of YOLOv1 without anchors; with anchors
each cell holds one such vector per anchor.

Encoding and decoding are bookkeeping with no framework in them, so they live here once (a
network's output is moved to NumPy to be decoded).

See Also
--------
dlbook.cnn.boxes.batched_nms : applied to the decoded boxes.
dlbook.cnn.yolo_loss : the localization loss that trains a grid detector.
dlbook.cnn.tiny_yolo_torch : a small grid detector.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import positive_int, positive_real, probability, real_array
from dlbook.cnn.boxes import batched_nms, check_boxes

__all__ = ["yolo_encode", "yolo_decode", "yolo_detect"]


def yolo_encode(boxes, labels, grid: int, n_classes: int, image_size: float) -> np.ndarray:
    r"""Build the YOLO target grid(s) from boxes.

    Parameters
    ----------
    boxes : array_like of shape (K, 4) or (N, K, 4)
        Corner-format boxes in pixels of a square image of side ``image_size``.
    labels : array_like of int, shape (K,) or (N, K)
        Classes in ``0..n_classes-1``; -1 marks an empty slot (its box is ignored).
    grid : int
        ``S``, cells per side.
    n_classes : int
    image_size : float

    Returns
    -------
    ndarray of shape (S, S, 5 + C) or (N, S, S, 5 + C)
        Cell ``[row, col]`` holds :math:`(p_c, b_x, b_y, b_h, b_w, c_1..c_C)`; empty cells are 0.

    Raises
    ------
    ValueError
        Bad boxes or labels, a center outside the image, or two objects whose centers fall in the
        same cell (one-box-per-cell YOLO cannot hold both); the message names image and cell.

    Notes
    -----
    With cell size :math:`s = \text{image\_size}/S` and center :math:`(c_x, c_y)`, the cell is
    :math:`(\lfloor c_y/s \rfloor, \lfloor c_x/s \rfloor)` (clamped to :math:`S-1` for a center
    on the far edge), and

    .. math::

        b_x = c_x/s - \text{col},\quad b_y = c_y/s - \text{row},\quad b_h = h/s,\quad b_w = w/s.

    See Also
    --------
    yolo_decode : the inverse.
    :ref:`ch-detection`

    Examples
    --------
    A 12 x 6 box centered at (20, 9) in a 32-pixel image with a 4 x 4 grid (8-pixel cells):
    cell (row 1, col 2), :math:`b_x = 0.5,\ b_y = 0.125,\ b_h = 0.75,\ b_w = 1.5`.

    >>> y = yolo_encode([[14, 6, 26, 12]], [1], grid=4, n_classes=3, image_size=32)
    >>> y.shape, y[1, 2].tolist()
    ((4, 4, 8), [1.0, 0.5, 0.125, 0.75, 1.5, 0.0, 1.0, 0.0])
    """
    S, C = positive_int(grid, "grid"), positive_int(n_classes, "n_classes")
    size = positive_real(image_size, "image_size")
    b = real_array(boxes, "boxes").astype(np.float64)
    lab = np.asarray(labels)
    single = b.ndim == 2
    if single:
        b, lab = b[None], lab[None]
    if b.ndim != 3 or b.shape[-1] != 4:
        raise ValueError(f"boxes must have shape (K, 4) or (N, K, 4), got {np.shape(boxes)}")
    if lab.shape != b.shape[:2]:
        raise ValueError(f"labels must have shape {b.shape[:2]} to match boxes {b.shape}, "
                         f"got {lab.shape}")
    if not np.issubdtype(lab.dtype, np.integer):
        raise TypeError(f"labels must be integers, got dtype {lab.dtype}")
    out_of_range = (lab < -1) | (lab >= C)
    if np.any(out_of_range):
        raise ValueError(f"labels must lie in -1..{C - 1}, "
                         f"got {np.unique(lab[out_of_range]).tolist()}")
    n_img, k = lab.shape
    img, slot = np.nonzero(lab >= 0)                                 # (M,) objects present
    obj = check_boxes(b[img, slot], "xyxy")                          # (M, 4)
    cell = size / S
    cx, cy = (obj[:, 0] + obj[:, 2]) / 2, (obj[:, 1] + obj[:, 3]) / 2
    if np.any((cx < 0) | (cx > size) | (cy < 0) | (cy > size)):
        i = int(np.flatnonzero((cx < 0) | (cx > size) | (cy < 0) | (cy > size))[0])
        raise ValueError(f"box {obj[i].tolist()} of image {img[i]} has its center outside "
                         f"the image")
    col = np.minimum((cx / cell).astype(np.int64), S - 1)
    row = np.minimum((cy / cell).astype(np.int64), S - 1)
    flat = (img * S + row) * S + col
    uniq, counts = np.unique(flat, return_counts=True)
    if np.any(counts > 1):
        f = int(uniq[counts > 1][0])
        raise ValueError(f"image {f // (S * S)}: two objects have their centers in cell "
                         f"(row {f // S % S}, col {f % S}); a one-box-per-cell grid holds only one")
    y = np.zeros((n_img, S, S, 5 + C))
    y[img, row, col, 0] = 1.0
    y[img, row, col, 1] = cx / cell - col
    y[img, row, col, 2] = cy / cell - row
    y[img, row, col, 3] = (obj[:, 3] - obj[:, 1]) / cell
    y[img, row, col, 4] = (obj[:, 2] - obj[:, 0]) / cell
    y[img, row, col, 5 + lab[img, slot]] = 1.0
    return y[0] if single else y


def yolo_decode(y, image_size: float, conf_threshold: float = 0.5):
    r"""Turn one grid of YOLO vectors into boxes, scores and classes.

    Parameters
    ----------
    y : array_like of shape (S, S, 5 + C)
        A target from :func:`yolo_encode` or a prediction (:math:`p_c` and class scores as
        probabilities).
    image_size : float
    conf_threshold : float, default 0.5
        Keep cells whose score :math:`p_c \cdot \max_c c_c` is at least this.

    Returns
    -------
    boxes : ndarray of shape (M, 4)
        Corner format, pixels; in raster order of the cells (row by row).
    scores : ndarray of shape (M,)
    labels : ndarray of shape (M,), int64

    Notes
    -----
    The inverse of :func:`yolo_encode`: :math:`c_x = (\text{col} + b_x)\,s`,
    :math:`c_y = (\text{row} + b_y)\,s`, :math:`w = b_w s`, :math:`h = b_h s`. Negative predicted
    sizes are clamped to 0, so every decoded box is valid.

    See Also
    --------
    yolo_encode, yolo_detect, :ref:`ch-detection`

    Examples
    --------
    >>> y = yolo_encode([[14, 6, 26, 12]], [1], grid=4, n_classes=3, image_size=32)
    >>> boxes, scores, labels = yolo_decode(y, 32)
    >>> boxes.tolist(), scores.tolist(), labels.tolist()
    ([[14.0, 6.0, 26.0, 12.0]], [1.0], [1])
    """
    size = positive_real(image_size, "image_size")
    conf_threshold = probability(conf_threshold, "conf_threshold")
    g = real_array(y, "y").astype(np.float64)
    if g.ndim != 3 or g.shape[0] != g.shape[1] or g.shape[2] < 6:
        raise ValueError(f"y must have shape (S, S, 5 + C) with C >= 1, got {g.shape}")
    S = g.shape[0]
    cell = size / S
    cls = g[..., 5:]                                                 # (S, S, C)
    score = g[..., 0] * cls.max(axis=-1)                             # (S, S)
    row, col = np.nonzero(score >= conf_threshold)                   # raster order
    v = g[row, col]                                                  # (M, 5 + C)
    cx, cy = (col + v[:, 1]) * cell, (row + v[:, 2]) * cell
    h, w = np.clip(v[:, 3], 0, None) * cell, np.clip(v[:, 4], 0, None) * cell
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1).reshape(-1, 4)
    return boxes, score[row, col], cls[row, col].argmax(axis=-1).astype(np.int64)


def yolo_detect(y, image_size: float, conf_threshold: float = 0.5, iou_threshold: float = 0.5):
    r"""Decode a grid, then apply per-class non-max suppression: YOLO's whole post-processing.

    Returns ``(boxes, scores, labels)`` as :func:`yolo_decode`, ordered by decreasing score.

    See Also
    --------
    yolo_decode, dlbook.cnn.boxes.batched_nms, :ref:`ch-detection`

    Examples
    --------
    Two neighbouring cells both claim the same object (8 x 8 boxes shifted by 4 pixels, IoU 1/3);
    NMS keeps the surer one.

    >>> y = np.zeros((2, 2, 6))
    >>> y[0, 0] = [0.9, 0.5, 0.5, 1.0, 1.0, 1.0]   # center (4, 4), 8 x 8 box
    >>> y[0, 1] = [0.6, 0.0, 0.5, 1.0, 1.0, 1.0]   # center (8, 4), 8 x 8 box
    >>> boxes, scores, labels = yolo_detect(y, 16, conf_threshold=0.5, iou_threshold=0.3)
    >>> scores.tolist()
    [0.9]
    """
    boxes, scores, labels = yolo_decode(y, image_size, conf_threshold)
    keep = batched_nms(boxes, scores, labels, iou_threshold)
    return boxes[keep], scores[keep], labels[keep]
