"""ResNets and the deep MLP of the residual experiment: published totals, identity paths."""

import pytest
import torch
from torch import nn

from dlbook.cnn.resnet_torch import (
    BasicBlock,
    Bottleneck,
    DeepMLP,
    ResNet,
    resnet18,
    resnet34,
    resnet50,
)
from dlbook.nn.summary_torch import summary


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
    "resnet18": (resnet18, 11_689_512),
    "resnet34": (resnet34, 21_797_672),
    "resnet50": (resnet50, 25_557_032),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_parameter_total_equals_published(name):
    build, published = PUBLISHED[name]
    got = n_params(build())
    assert got == published, f"{name}: {got:,} parameters, published {published:,}"


def test_summary_total_agrees_with_published_on_small_input():
    # The count does not depend on the input size (adaptive pooling before the dense layers).
    s = summary(resnet18(), (1, 3, 64, 64))
    assert s.total == 11_689_512
    assert sum(r.params for r in s.rows) == s.total


def test_basic_block_identity_path():
    torch.manual_seed(0)
    block = BasicBlock(8, 8).double().eval()
    nn.init.zeros_(block.conv2.weight)  # residual branch F(x) = BN(0) = bias (0 at init)
    x = torch.randn(2, 8, 5, 5, dtype=torch.float64)
    torch.testing.assert_close(block(x), torch.relu(x))
    assert isinstance(block.shortcut, nn.Identity)
    down = BasicBlock(8, 16, stride=2)
    assert down(torch.zeros(1, 8, 6, 6)).shape == (1, 16, 3, 3)
    assert not isinstance(down.shortcut, nn.Identity)


def test_bottleneck_shapes():
    b = Bottleneck(64, 64, stride=2)
    assert b(torch.zeros(1, 64, 8, 8)).shape == (1, 256, 4, 4)


def test_deep_mlp_residual_reduces_to_identity_when_hidden_layers_are_zero():
    torch.manual_seed(0)
    net = DeepMLP(5, 4, 3, depth=6, residual=True).double()
    for layer in net.hidden:
        nn.init.zeros_(layer.weight)
        nn.init.zeros_(layer.bias)
    x = torch.randn(7, 5, dtype=torch.float64)
    torch.testing.assert_close(net(x), net.head(torch.relu(net.inp(x))))


def test_bad_arguments():
    with pytest.raises(ValueError, match="4 positive block counts"):
        ResNet(BasicBlock, (2, 2, 2))
    with pytest.raises(ValueError, match="width must be >= 1"):
        DeepMLP(4, 0, 2, 3, True)
    with pytest.raises(TypeError, match="depth must be an int"):
        DeepMLP(4, 8, 2, 2.5, True)
