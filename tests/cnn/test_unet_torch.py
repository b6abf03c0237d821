"""The tiny U-Net's shapes, parameter count and input checks, and the segmentation scores
against counts done by hand and a loop over pixels."""

import numpy as np
import pytest
import torch

from dlbook.cnn.unet_torch import TinyUNet, confusion_matrix, segmentation_metrics


def conv_params(c_in, c_out, k, bias):
    return c_in * c_out * k * k + (c_out if bias else 0)


def block_params(c_in, c_out):
    # two bias-free 3x3 convs, each followed by batch norm (weight and bias)
    return conv_params(c_in, c_out, 3, False) + conv_params(c_out, c_out, 3, False) + 4 * c_out


@pytest.mark.parametrize("in_ch, n_cls, base", [(1, 4, 8), (3, 2, 4)])
def test_shapes_and_parameter_count(in_ch, n_cls, base):
    c = base
    net = TinyUNet(in_ch, n_cls, base)
    assert net(torch.zeros(3, in_ch, 16, 24)).shape == (3, n_cls, 16, 24)
    expect = (block_params(in_ch, c) + block_params(c, 2 * c) + block_params(2 * c, 4 * c)
              + conv_params(4 * c, 2 * c, 2, True) + block_params(4 * c, 2 * c)
              + conv_params(2 * c, c, 2, True) + block_params(2 * c, c)
              + conv_params(c, n_cls, 1, True))
    assert sum(p.numel() for p in net.parameters()) == expect


def test_skip_connections_carry_detail():
    # with the skips cut (zeroed encoder maps) the output changes: the decoder does use them
    torch.manual_seed(0)
    net = TinyUNet(1, 2, 4).eval()
    x = torch.randn(1, 1, 16, 16)
    full = net(x)
    net.enc1.register_forward_hook(lambda m, i, o: torch.zeros_like(o))
    assert not torch.allclose(full, net(x))


def test_bad_input():
    net = TinyUNet(1, 4, 4)
    with pytest.raises(ValueError, match=r"divisible by 4.*18 x 16"):
        net(torch.zeros(1, 1, 18, 16))
    with pytest.raises(ValueError, match=r"\(N, 1, H, W\), got \(1, 3, 16, 16\)"):
        net(torch.zeros(1, 3, 16, 16))
    with pytest.raises(ValueError, match="base must be >= 1"):
        TinyUNet(base=0)


def test_metrics_against_pixel_loop():
    rng = np.random.default_rng(0)
    t = rng.integers(0, 3, size=(4, 6, 5))
    p = np.where(rng.random(t.shape) < 0.7, t, rng.integers(0, 3, size=t.shape))
    cm = np.zeros((3, 3), int)
    for a, b in zip(t.ravel(), p.ravel()):
        cm[a, b] += 1
    got = confusion_matrix(torch.tensor(p), torch.tensor(t), 3)
    np.testing.assert_array_equal(got.numpy(), cm)
    m = segmentation_metrics(torch.tensor(p), torch.tensor(t), 3)
    assert m["pixel_accuracy"] == pytest.approx((p == t).mean())
    for c in range(3):
        inter = np.sum((p == c) & (t == c))
        union = np.sum((p == c) | (t == c))
        assert m["iou"][c] == pytest.approx(inter / union)
    assert m["mean_iou"] == pytest.approx(np.mean(m["iou"]))


def test_metrics_absent_class_and_errors():
    m = segmentation_metrics(torch.tensor([0, 0, 1]), torch.tensor([0, 0, 1]), 3)
    assert m["pixel_accuracy"] == 1.0 and np.isnan(m["iou"][2]) and m["mean_iou"] == 1.0
    with pytest.raises(ValueError, match=r"pred has shape \(2,\) but target has \(3,\)"):
        confusion_matrix(torch.tensor([0, 1]), torch.tensor([0, 1, 1]), 2)
    with pytest.raises(ValueError, match="0..1"):
        confusion_matrix(torch.tensor([0, 2]), torch.tensor([0, 1]), 2)
