"""MobileNetV2: the published total, inverted residual blocks, separable convolutions."""

import math

import pytest
import torch
from torch import nn

from dlbook.cnn.mobilenet_torch import DepthwiseSeparableConv, InvertedResidual, MobileNetV2


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny ops: one thread avoids oversubscribing a shared CPU (restored afterwards)."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def n_params(m):
    return sum(p.numel() for p in m.parameters())


# Published totals (1000 classes), typed in from torchvision's model documentation
# ("num_params" of each model's ImageNet weights); not from this code.
PUBLISHED = {
    "mobilenet_v2": (MobileNetV2, 3_504_872),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_parameter_total_equals_published(name):
    build, published = PUBLISHED[name]
    got = n_params(build())
    assert got == published, f"{name}: {got:,} parameters, published {published:,}"


def test_inverted_residual_shortcut_and_linear_projection():
    torch.manual_seed(0)
    b = InvertedResidual(8, 8, 1, 6).double().eval()
    nn.init.zeros_(b.block[-2].weight)  # projection output 0 -> the block returns its input
    x = torch.randn(2, 8, 5, 5, dtype=torch.float64)
    torch.testing.assert_close(b(x), x)
    # the projection is linear: negative outputs survive (no ReLU after it)
    b2 = InvertedResidual(8, 4, 2, 6).eval()
    assert (b2(torch.randn(4, 8, 6, 6)) < 0).any()


def test_separable_conv_has_depthwise_plus_pointwise_weights():
    m = DepthwiseSeparableConv(16, 32, 3, bias=False)
    assert n_params(m) == 16 * 9 + 16 * 32
    assert math.isclose(n_params(m) / n_params(nn.Conv2d(16, 32, 3, bias=False)), 1 / 32 + 1 / 9)


def test_small_model_runs_and_bad_stride_is_refused():
    assert MobileNetV2(num_classes=5).eval()(torch.zeros(1, 3, 32, 32)).shape == (1, 5)
    with pytest.raises(ValueError, match="stride must be one of 1, 2"):
        InvertedResidual(8, 8, 3, 6)
