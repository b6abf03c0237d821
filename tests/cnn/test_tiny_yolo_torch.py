"""The tiny grid detector: output layout and ranges, and bad input."""

import pytest
import torch

from dlbook.cnn.tiny_yolo_torch import TinyYOLO


def test_detector_shapes_and_ranges():
    torch.manual_seed(0)
    net = TinyYOLO(n_classes=3)
    out = net(torch.randn(2, 1, 32, 32))
    assert out.shape == (2, 4, 4, 8)
    assert torch.all((out[..., :3] > 0) & (out[..., :3] < 1))              # p_c, b_x, b_y
    assert torch.allclose(out[..., 5:].sum(-1), torch.ones(2, 4, 4))        # class softmax


def test_bad_input():
    net = TinyYOLO(n_classes=3)
    with pytest.raises(ValueError, match="divisible by 8"):
        net(torch.zeros(1, 1, 20, 32))
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 1, H, W\)"):
        net(torch.zeros(1, 3, 32, 32))
    with pytest.raises(TypeError, match="n_classes must be an int"):
        TinyYOLO(n_classes=2.0)
