r"""The course's localization loss for a grid detector, in NumPy.

Chapter :ref:`ch-detection`. Each grid cell holds the vector
:math:`y = (p_c, b_x, b_y, b_h, b_w, c_1, \dots, c_C)` of :mod:`dlbook.cnn.yolo`; the loss is a
squared error that only looks at :math:`p_c` where there is no object.

See Also
--------
dlbook.cnn.yolo_loss_torch : the PyTorch twin (differentiable).
dlbook.cnn.yolo : encoding targets into the grid and decoding predictions.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import real_array

__all__ = ["localization_loss"]


def localization_loss(y_pred, y_true) -> float:
    r"""The course's squared-error localization loss, averaged over examples (or cells).

    Parameters
    ----------
    y_pred, y_true : array_like of shape (..., 5 + C)
        Vectors :math:`(p_c, b_x, b_y, b_h, b_w, c_1..c_C)`; ``y_true[..., 0]`` is 0 or 1.

    Returns
    -------
    float

    Notes
    -----
    .. math::

        L(\hat y, y) = \begin{cases}
            \sum_{i} (\hat y_i - y_i)^2 & y_1 = p_c = 1,\\
            (\hat y_1 - y_1)^2 & y_1 = 0,
        \end{cases}

    so when there is no object only :math:`p_c` is penalized (the other components mean nothing).
    Real detectors use a logistic loss for :math:`p_c` and a softmax cross-entropy for the
    classes; the squared error is the course's simplified version.

    See Also
    --------
    dlbook.cnn.yolo_loss_torch.localization_loss : the PyTorch twin.
    :ref:`ch-detection`

    Examples
    --------
    >>> localization_loss([[0.8, 0.5, 0.5, 1, 1, 0.3, 0.7]], [[1, 0.5, 0.5, 1, 1, 0, 1]])
    0.22
    >>> localization_loss([[0.2, 9, 9, 9, 9, 9, 9]], [[0, 0, 0, 0, 0, 0, 0]])
    0.04000000000000001
    """
    p = real_array(y_pred, "y_pred", min_ndim=1).astype(np.float64)
    t = real_array(y_true, "y_true", min_ndim=1).astype(np.float64)
    if p.shape != t.shape or p.shape[-1] < 6:
        raise ValueError(f"y_pred {p.shape} and y_true {t.shape} must share a shape "
                         f"(..., 5 + C), C >= 1")
    if not np.all((t[..., 0] == 0) | (t[..., 0] == 1)):
        raise ValueError("y_true[..., 0] (p_c) must be 0 or 1")
    sq = (p - t) ** 2
    per = np.where(t[..., 0] == 1, sq.sum(axis=-1), sq[..., 0])
    return float(per.mean())
