"""The course's localization loss in NumPy, against hand-computed values."""

import numpy as np
import pytest

from dlbook.cnn.yolo_loss import localization_loss


def test_localization_loss_cases():
    t1 = np.array([1, 0.5, 0.5, 2, 1, 0, 1.0])
    p = np.array([0.7, 0.4, 0.6, 2.5, 1, 0.2, 0.9])
    hand = 0.09 + 0.01 + 0.01 + 0.25 + 0 + 0.04 + 0.01
    assert localization_loss(p, t1) == pytest.approx(hand, rel=1e-12)
    t0 = np.zeros(7)
    assert localization_loss(p, t0) == pytest.approx(0.49, rel=1e-12)     # only p_c counts
    both = localization_loss(np.stack([p, p]), np.stack([t1, t0]))
    assert both == pytest.approx((hand + 0.49) / 2)
    with pytest.raises(ValueError, match="share a shape"):
        localization_loss(p[:6], t1)
    with pytest.raises(ValueError, match="0 or 1"):
        localization_loss(p, np.full(7, 0.5))
