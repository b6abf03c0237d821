"""EfficientNet: published totals, squeeze-and-excitation against its formula."""

import pytest
import torch
from torch import nn

from dlbook.cnn.efficientnet_torch import EfficientNet, MBConv, SqueezeExcitation, efficientnet


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
    "efficientnet_b0": (lambda: efficientnet("b0"), 5_288_548),
    "efficientnet_b1": (lambda: efficientnet("b1"), 7_794_184),
    "efficientnet_b4": (lambda: efficientnet("b4"), 19_341_616),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_parameter_total_equals_published(name):
    build, published = PUBLISHED[name]
    got = n_params(build())
    assert got == published, f"{name}: {got:,} parameters, published {published:,}"


def test_squeeze_excitation_gate_formula():
    torch.manual_seed(0)
    se = SqueezeExcitation(6, 2).double()
    x = torch.randn(2, 6, 3, 3, dtype=torch.float64)
    s = x.mean(dim=(2, 3))  # (N, C)
    h = nn.functional.silu(s @ se.fc1.weight[:, :, 0, 0].T + se.fc1.bias)
    g = torch.sigmoid(h @ se.fc2.weight[:, :, 0, 0].T + se.fc2.bias)
    torch.testing.assert_close(se(x), x * g[:, :, None, None], rtol=1e-12, atol=1e-12)


def test_mbconv_and_small_model_run():
    assert MBConv(16, 16, 5, 1, 6)(torch.zeros(1, 16, 6, 6)).shape == (1, 16, 6, 6)
    assert EfficientNet(num_classes=5).eval()(torch.zeros(1, 3, 32, 32)).shape == (1, 5)


def test_bad_arguments():
    with pytest.raises(ValueError, match="name must be one of"):
        efficientnet("b9")
    with pytest.raises(ValueError, match="width must be > 0"):
        EfficientNet(width=0.0)
