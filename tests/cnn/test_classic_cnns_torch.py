"""LeNet-5, AlexNet and VGG: parameter totals against the published ones, LeNet-5's
connection table and subsampling against their definitions."""

import pytest
import torch

from dlbook.cnn.classic_cnns_torch import (
    LENET5_C3_TABLE,
    AlexNet,
    LeNet5,
    SparseConv2d,
    Subsample,
    vgg16,
)


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
    "alexnet": (AlexNet, 61_100_840),
    "vgg16": (vgg16, 138_357_544),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_parameter_total_equals_published(name):
    build, published = PUBLISHED[name]
    got = n_params(build())
    assert got == published, f"{name}: {got:,} parameters, published {published:,}"


def test_lenet5_1998_has_the_papers_60000_trainable_parameters():
    # LeCun et al. 1998, Sec. II.B: C1 156, S2 12, C3 1,516, S4 32, C5 48,120, F6 10,164.
    net = LeNet5("1998")
    layer_counts = [n_params(m) for m in net.features if n_params(m) > 0]
    assert layer_counts == [156, 12, 1516, 32, 48120, 10164]
    assert n_params(net.features) == 60_000
    assert n_params(net) == 60_000 + 84 * 10 + 10


def test_lenet5_modern_count_and_shapes():
    net = LeNet5("modern")
    assert n_params(net) == ((1 * 25 + 1) * 6 + (6 * 25 + 1) * 16 + (16 * 25 + 1) * 120
                             + 121 * 84 + 85 * 10)
    assert net(torch.zeros(3, 1, 32, 32)).shape == (3, 10)
    with pytest.raises(ValueError, match=r"\(N, 1, 32, 32\)"):
        net(torch.zeros(3, 1, 28, 28))
    with pytest.raises(ValueError, match="variant"):
        LeNet5("1989")


def test_sparse_conv_respects_the_connection_table():
    torch.manual_seed(0)
    m = SparseConv2d(LENET5_C3_TABLE, 5).double()
    x = torch.randn(2, 6, 10, 10, dtype=torch.float64, requires_grad=True)
    for k, inputs in enumerate(LENET5_C3_TABLE):
        (g,) = torch.autograd.grad(m(x)[:, k].sum(), x)
        used = g.abs().sum(dim=(0, 2, 3)) > 0
        assert used.tolist() == [c in inputs for c in range(6)], f"C3 map {k} sees {used.tolist()}"
    with pytest.raises(ValueError, match="C>=6"):
        m(torch.zeros(1, 4, 10, 10, dtype=torch.float64))


def test_subsample_formula():
    torch.manual_seed(0)
    s = Subsample(3).double()
    with torch.no_grad():
        s.weight.copy_(torch.tensor([0.5, -1.0, 2.0]))
        s.bias.copy_(torch.tensor([0.1, 0.2, 0.3]))
    x = torch.randn(2, 3, 4, 6, dtype=torch.float64)
    blocks = x.reshape(2, 3, 2, 2, 3, 2).sum(dim=(3, 5))  # (N, C, 2, 3) 2x2 block sums
    want = blocks * s.weight[:, None, None] + s.bias[:, None, None]
    torch.testing.assert_close(s(x), want, rtol=1e-12, atol=1e-12)


def test_bad_arguments():
    with pytest.raises(ValueError, match="variant must be one of"):
        LeNet5("1989")
    with pytest.raises(ValueError, match="at least one input map"):
        SparseConv2d(((0,), ()), 5)
