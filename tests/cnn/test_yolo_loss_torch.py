"""The torch localization loss: the NumPy reference's value, and autograd's gradient against
central differences of the NumPy loss."""

import numpy as np
import pytest
import torch

from dlbook.cnn.yolo_loss import localization_loss as loss_np
from dlbook.cnn.yolo_loss_torch import localization_loss


def _case(seed):
    rng = np.random.default_rng(seed)
    t = np.zeros((5, 3, 3, 8))
    t[..., 0] = rng.integers(0, 2, size=(5, 3, 3))
    t[..., 1:] = rng.random((5, 3, 3, 7))
    return rng.random((5, 3, 3, 8)), t


def test_equals_numpy_and_its_gradient_is_right():
    p, t = _case(1)
    pt = torch.tensor(p, requires_grad=True)
    got = localization_loss(pt, torch.tensor(t))
    assert got.item() == pytest.approx(loss_np(p, t), rel=1e-12)
    got.backward()
    eps, num = 1e-6, np.zeros_like(p)
    for idx in [(0, 0, 0, 0), (1, 2, 1, 3), (4, 1, 2, 7), (2, 0, 1, 5)]:
        plus, minus = p.copy(), p.copy()
        plus[idx] += eps
        minus[idx] -= eps
        num[idx] = (loss_np(plus, t) - loss_np(minus, t)) / (2 * eps)
        assert pt.grad[idx].item() == pytest.approx(num[idx], rel=1e-6, abs=1e-9)


def test_bad_input():
    with pytest.raises(ValueError, match="share a shape"):
        localization_loss(torch.zeros(6), torch.zeros(7))
    with pytest.raises(ValueError, match="0 or 1"):
        localization_loss(torch.zeros(7), torch.full((7,), 0.5))
