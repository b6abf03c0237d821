r"""Bounding boxes in PyTorch: the same functions as :mod:`dlbook.cnn.boxes`, on tensors.

Chapter :ref:`ch-detection`. Every function keeps its inputs' device and floating dtype, so it
runs on a GPU as it does on the CPU (torchvision's ``box_iou``/``nms`` do the same job, but
torchvision does not import beside this book's torch build).

See Also
--------
dlbook.cnn.boxes : the NumPy reference, with the formulas.
"""

from __future__ import annotations

import torch

from dlbook._checks import one_of, probability

__all__ = ["FORMATS", "check_boxes", "box_convert", "box_area", "box_iou", "nms", "batched_nms"]

FORMATS = ("xyxy", "cxcywh")


def check_boxes(boxes: torch.Tensor, fmt: str = "xyxy", name: str = "boxes") -> torch.Tensor:
    r"""Validate a tensor of boxes of shape (N, 4); return it (floating) unchanged.

    Raises ``TypeError`` for a non-tensor and ``ValueError`` as
    :func:`dlbook.cnn.boxes.check_boxes` does.

    See Also
    --------
    dlbook.cnn.boxes.check_boxes, :ref:`ch-detection`

    Examples
    --------
    >>> check_boxes(torch.tensor([[0., 0., 2., 3.]])).shape
    torch.Size([1, 4])
    """
    one_of(fmt, "fmt", FORMATS)
    if not isinstance(boxes, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(boxes).__name__}")
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"{name} must have shape (N, 4), got {tuple(boxes.shape)}")
    b = boxes if boxes.is_floating_point() else boxes.to(torch.get_default_dtype())
    finite = torch.isfinite(b).all(dim=1)
    if not bool(finite.all()):
        i = int(torch.nonzero(~finite)[0, 0])
        raise ValueError(f"{name}[{i}] = {b[i].tolist()} has a non-finite coordinate")
    if fmt == "xyxy":
        bad = (b[:, 2] < b[:, 0]) | (b[:, 3] < b[:, 1])
        what = "x2 < x1 or y2 < y1"
    else:
        bad = (b[:, 2] < 0) | (b[:, 3] < 0)
        what = "a negative width or height"
    if bool(bad.any()):
        i = int(torch.nonzero(bad)[0, 0])
        raise ValueError(f"{name}[{i}] = {b[i].tolist()} has {what} (format {fmt!r})")
    return b


def box_convert(boxes: torch.Tensor, in_fmt: str, out_fmt: str) -> torch.Tensor:
    r"""Convert boxes between ``"xyxy"`` and ``"cxcywh"`` (as :func:`dlbook.cnn.boxes.box_convert`).

    See Also
    --------
    dlbook.cnn.boxes.box_convert, :ref:`ch-detection`

    Examples
    --------
    >>> box_convert(torch.tensor([[1., 2., 5., 4.]]), "xyxy", "cxcywh")
    tensor([[3., 3., 4., 2.]])
    """
    b = check_boxes(boxes, one_of(in_fmt, "in_fmt", FORMATS))
    one_of(out_fmt, "out_fmt", FORMATS)
    if in_fmt == out_fmt:
        return b.clone()
    if in_fmt == "xyxy":
        return torch.stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2,
                            b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], dim=1)
    half = b[:, 2:] / 2                                              # (N, 2)
    return torch.cat([b[:, :2] - half, b[:, :2] + half], dim=1)


def box_area(boxes: torch.Tensor, fmt: str = "xyxy") -> torch.Tensor:
    r"""Areas :math:`(x_2 - x_1)(y_2 - y_1)`, shape (N,).

    See Also
    --------
    dlbook.cnn.boxes.box_area, :ref:`ch-detection`

    Examples
    --------
    >>> box_area(torch.tensor([[0., 0., 2., 3.]]))
    tensor([6.])
    """
    b = box_convert(boxes, fmt, "xyxy")
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


def box_iou(boxes1: torch.Tensor, boxes2: torch.Tensor, fmt: str = "xyxy") -> torch.Tensor:
    r"""Pairwise IoU matrix of shape (N, M); 0 where the union is 0.

    Same formula as :func:`dlbook.cnn.boxes.box_iou`.

    See Also
    --------
    dlbook.cnn.boxes.box_iou, :ref:`ch-detection`

    Examples
    --------
    >>> box_iou(torch.tensor([[0., 0., 2., 2.]]), torch.tensor([[1., 0., 3., 2.]]))
    tensor([[0.3333]])
    """
    a = box_convert(boxes1, fmt, "xyxy")
    b = box_convert(boxes2, fmt, "xyxy")
    lt = torch.maximum(a[:, None, :2], b[None, :, :2])               # (N, M, 2)
    rb = torch.minimum(a[:, None, 2:], b[None, :, 2:])               # (N, M, 2)
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]                                  # (N, M)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return torch.where(union > 0, inter / union.clamp(min=torch.finfo(inter.dtype).tiny),
                       torch.zeros_like(inter))


def _check_vec(v, n: int, name: str) -> torch.Tensor:
    if not isinstance(v, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(v).__name__}")
    if tuple(v.shape) != (n,):
        raise ValueError(f"{name} must have shape ({n},) to match boxes, got {tuple(v.shape)}")
    return v


def _greedy(iou: torch.Tensor, order: torch.Tensor, threshold: float) -> torch.Tensor:
    suppressed = torch.zeros(iou.shape[0], dtype=torch.bool, device=iou.device)
    keep = []
    for i in order.tolist():
        if bool(suppressed[i]):
            continue
        keep.append(i)
        suppressed |= iou[i] > threshold
    return torch.tensor(keep, dtype=torch.int64, device=iou.device)


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float = 0.5,
        fmt: str = "xyxy") -> torch.Tensor:
    r"""Greedy non-max suppression; kept indices (int64) in decreasing score, ties in input order.

    Same rule as :func:`dlbook.cnn.boxes.nms`: a box goes when its IoU with a kept box is
    strictly greater than ``iou_threshold``.

    See Also
    --------
    dlbook.cnn.boxes.nms, :ref:`ch-detection`

    Examples
    --------
    >>> b = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.], [20., 20., 30., 30.]])
    >>> nms(b, torch.tensor([0.9, 0.8, 0.7]), 0.5)
    tensor([0, 2])
    """
    b = box_convert(boxes, fmt, "xyxy")
    s = _check_vec(scores, len(b), "scores")
    t = probability(iou_threshold, "iou_threshold")
    order = torch.sort(s, descending=True, stable=True).indices
    return _greedy(box_iou(b, b), order, t)


def batched_nms(boxes: torch.Tensor, scores: torch.Tensor, labels: torch.Tensor,
                iou_threshold: float = 0.5, fmt: str = "xyxy") -> torch.Tensor:
    r"""Non-max suppression within each class (see :func:`dlbook.cnn.boxes.batched_nms`).

    See Also
    --------
    dlbook.cnn.boxes.batched_nms, :ref:`ch-detection`

    Examples
    --------
    >>> b = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.]])
    >>> batched_nms(b, torch.tensor([0.9, 0.8]), torch.tensor([0, 1]), 0.5)
    tensor([0, 1])
    """
    b = box_convert(boxes, fmt, "xyxy")
    s = _check_vec(scores, len(b), "scores")
    lab = _check_vec(labels, len(b), "labels")
    t = probability(iou_threshold, "iou_threshold")
    iou = box_iou(b, b) * (lab[:, None] == lab[None, :])             # (N, N), 0 across classes
    order = torch.sort(s, descending=True, stable=True).indices
    return _greedy(iou, order, t)
