r"""The course's localization loss on tensors: the twin of :mod:`dlbook.cnn.yolo_loss`.

Differentiable, so a grid detector (:class:`dlbook.cnn.tiny_yolo_torch.TinyYOLO`) trains on it.

See Also
--------
dlbook.cnn.yolo_loss : the NumPy reference.
:ref:`ch-detection` : the chapter.
"""

from __future__ import annotations

import torch

from dlbook._checks import real_tensor

__all__ = ["localization_loss"]


def localization_loss(y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
    r"""The course's squared-error localization loss on tensors (differentiable).

    Same formula as :func:`dlbook.cnn.yolo_loss.localization_loss`: all components count where
    :math:`p_c = 1`, only :math:`p_c` where :math:`p_c = 0`; the mean over the leading axes.

    See Also
    --------
    dlbook.cnn.yolo_loss.localization_loss, :ref:`ch-detection`

    Examples
    --------
    >>> localization_loss(torch.tensor([[0.2, 9., 9., 9., 9., 9.]]), torch.zeros(1, 6))
    tensor(0.0400)
    """
    y_pred = real_tensor(y_pred, "y_pred", min_ndim=1)
    y_true = real_tensor(y_true, "y_true", min_ndim=1)
    if y_pred.shape != y_true.shape or y_pred.shape[-1] < 6:
        raise ValueError(f"y_pred {tuple(y_pred.shape)} and y_true {tuple(y_true.shape)} must "
                         "share a shape (..., 5 + C), C >= 1")
    if not bool(((y_true[..., 0] == 0) | (y_true[..., 0] == 1)).all()):
        raise ValueError("y_true[..., 0] (p_c) must be 0 or 1")
    sq = (y_pred - y_true) ** 2
    obj = y_true[..., 0]
    return torch.where(obj == 1, sq.sum(-1), sq[..., 0]).mean()
