"""Classic architectures: parameter totals against the published ones, blocks against their definitions."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from dlbook.cnn import architectures as arch
from dlbook.cnn.architectures_torch import (
    LENET5_C3_TABLE,
    AlexNet,
    LeNet5,
    SparseConv2d,
    Subsample,
    vgg16,
)
from dlbook.cnn.efficientnet_torch import EfficientNet, MBConv, SqueezeExcitation, efficientnet
from dlbook.cnn.inception_torch import GOOGLENET_INCEPTION, GoogLeNet, Inception
from dlbook.cnn.mobilenet_torch import DepthwiseSeparableConv, InvertedResidual, MobileNetV2
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


# Published totals (1000 classes), typed in from the sources named; not from this code.
# torchvision model documentation, "num_params" of each model's ImageNet weights:
PUBLISHED = {
    "alexnet": (AlexNet, 61_100_840),
    "vgg16": (vgg16, 138_357_544),
    "resnet18": (resnet18, 11_689_512),
    "resnet34": (resnet34, 21_797_672),
    "resnet50": (resnet50, 25_557_032),
    "googlenet": (lambda: GoogLeNet(branch3_kernel=3), 6_624_904),
    "mobilenet_v2": (MobileNetV2, 3_504_872),
    "efficientnet_b0": (lambda: efficientnet("b0"), 5_288_548),
    "efficientnet_b1": (lambda: efficientnet("b1"), 7_794_184),
    "efficientnet_b4": (lambda: efficientnet("b4"), 19_341_616),
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


def test_lenet5_1998_has_the_papers_60000_trainable_parameters():
    # LeCun et al. 1998, Sec. II.B: C1 156, S2 12, C3 1,516, S4 32, C5 48,120, F6 10,164.
    net = LeNet5("1998")
    layer_counts = [n_params(m) for m in net.features if n_params(m) > 0]
    assert layer_counts == [156, 12, 1516, 32, 48120, 10164]
    assert n_params(net.features) == 60_000
    assert n_params(net) == 60_000 + 84 * 10 + 10


def test_lenet5_modern_count_and_shapes():
    net = LeNet5("modern")
    assert n_params(net) == (1 * 25 + 1) * 6 + (6 * 25 + 1) * 16 + (16 * 25 + 1) * 120 + 121 * 84 + 85 * 10
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


@pytest.mark.parametrize("c_in,c_out,k,groups,bias", [(3, 8, 3, 1, True), (6, 16, 5, 1, False),
                                                      (8, 8, 3, 8, False), (12, 6, 1, 3, True)])
def test_conv_params_matches_torch(c_in, c_out, k, groups, bias):
    assert arch.conv_params(c_in, c_out, k, bias=bias, groups=groups) == n_params(
        nn.Conv2d(c_in, c_out, k, groups=groups, bias=bias))


@pytest.mark.parametrize("c_in,c_out,k,groups,h", [(3, 5, 3, 1, 6), (4, 8, 3, 4, 7), (6, 6, 1, 2, 5)])
def test_conv_mults_counts_every_multiplication(c_in, c_out, k, groups, h):
    # With all-ones input and weights, each output value is its number of products, so the sum
    # of a valid convolution's output is the total number of multiplications.
    w = torch.ones(c_out, c_in // groups, k, k, dtype=torch.float64)
    out = nn.functional.conv2d(torch.ones(1, c_in, h, h, dtype=torch.float64), w, groups=groups)
    _, _, ho, wo = out.shape
    assert arch.conv_mults(ho, wo, c_in, c_out, k, groups=groups) == int(out.sum())


def test_course_1x1_bottleneck_example():
    # 28x28x192 -> 28x28x32 with 5x5 "same" filters, directly or through 16 1x1 filters.
    direct = arch.conv_mults(28, 28, 192, 32, 5)
    first, second, total = arch.bottleneck_mults(28, 28, 192, 16, 32, 5)
    assert direct == 28 * 28 * 32 * (5 * 5 * 192)
    assert (first, second) == (28 * 28 * 16 * 192, 28 * 28 * 32 * (5 * 5 * 16))
    assert total == first + second and direct / total > 9.6


def test_separable_counts_match_modules_and_ratio():
    m = DepthwiseSeparableConv(16, 32, 3, bias=False)
    assert arch.separable_params(16, 32, 3) == n_params(m)
    ratio = arch.separable_params(16, 32, 3) / arch.conv_params(16, 32, 3, bias=False)
    assert math.isclose(ratio, 1 / 32 + 1 / 9, rel_tol=1e-12)
    assert arch.separable_mults(4, 4, 3, 5, 3) == 4 * 4 * 3 * 9 + 4 * 4 * 5 * 3


@pytest.mark.parametrize("bad", [
    lambda: arch.conv_params(0, 3, 3), lambda: arch.conv_params(3, 4, 3, groups=2),
    lambda: arch.conv_mults(4, 4, 3, 5, 2.5), lambda: arch.make_divisible(-1.0),
    lambda: arch.compound_scaling(1, alpha=0.9), lambda: efficientnet("b9"),
    lambda: ResNet(BasicBlock, (2, 2, 2)), lambda: InvertedResidual(8, 8, 3, 6),
    lambda: Inception(8, 1, 1, 1, 1, 1, 1, branch3_kernel=7), lambda: DeepMLP(4, 0, 2, 3, True),
])
def test_bad_arguments_raise_value_error(bad):
    with pytest.raises(ValueError):
        bad()


@settings(max_examples=200, deadline=None)
@given(v=st.floats(1.0, 5000.0), d=st.sampled_from([4, 8, 16]))
def test_make_divisible_invariants(v, d):
    r = arch.make_divisible(v, d)
    assert r % d == 0 and r >= 0.9 * v and r >= d
    assert abs(r - v) <= d  # rounds to a neighbouring multiple


def test_compound_scaling_rule():
    s1 = arch.compound_scaling(1)
    assert abs(1.2 * 1.1 ** 2 * 1.15 ** 2 - 2) < 0.1  # the paper's constraint alpha*beta^2*gamma^2 ~ 2
    s3 = arch.compound_scaling(3)
    assert math.isclose(s3["flops"], s3["depth"] * s3["width"] ** 2 * s3["resolution"] ** 2)
    assert math.isclose(s3["flops"], s1["flops"] ** 3)


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


def test_inverted_residual_shortcut_and_linear_projection():
    torch.manual_seed(0)
    b = InvertedResidual(8, 8, 1, 6).double().eval()
    nn.init.zeros_(b.block[-2].weight)  # projection output 0 -> the block returns its input
    x = torch.randn(2, 8, 5, 5, dtype=torch.float64)
    torch.testing.assert_close(b(x), x)
    # the projection is linear: negative outputs survive (no ReLU after it)
    b2 = InvertedResidual(8, 4, 2, 6).eval()
    assert (b2(torch.randn(4, 8, 6, 6)) < 0).any()


def test_squeeze_excitation_gate_formula():
    torch.manual_seed(0)
    se = SqueezeExcitation(6, 2).double()
    x = torch.randn(2, 6, 3, 3, dtype=torch.float64)
    s = x.mean(dim=(2, 3))  # (N, C)
    h = nn.functional.silu(s @ se.fc1.weight[:, :, 0, 0].T + se.fc1.bias)
    g = torch.sigmoid(h @ se.fc2.weight[:, :, 0, 0].T + se.fc2.bias)
    torch.testing.assert_close(se(x), x * g[:, :, None, None], rtol=1e-12, atol=1e-12)


def test_mbconv_and_small_models_run():
    assert MBConv(16, 16, 5, 1, 6)(torch.zeros(1, 16, 6, 6)).shape == (1, 16, 6, 6)
    assert EfficientNet(num_classes=5).eval()(torch.zeros(1, 3, 32, 32)).shape == (1, 5)
    assert MobileNetV2(num_classes=5).eval()(torch.zeros(1, 3, 32, 32)).shape == (1, 5)
    assert GoogLeNet(num_classes=5).eval()(torch.zeros(1, 3, 64, 64)).shape == (1, 5)


def test_inception_paper_kernel_adds_exactly_the_5x5_weights():
    extra = sum(c[4] * c[5] * (25 - 9) for c in GOOGLENET_INCEPTION.values())
    assert n_params(GoogLeNet(branch3_kernel=5)) == 6_624_904 + extra
    m = Inception(192, 64, 96, 128, 16, 32, 32)
    assert m(torch.zeros(1, 192, 7, 7)).shape == (1, 256, 7, 7)


def test_deep_mlp_residual_reduces_to_identity_when_hidden_layers_are_zero():
    torch.manual_seed(0)
    net = DeepMLP(5, 4, 3, depth=6, residual=True).double()
    for layer in net.hidden:
        nn.init.zeros_(layer.weight)
        nn.init.zeros_(layer.bias)
    x = torch.randn(7, 5, dtype=torch.float64)
    torch.testing.assert_close(net(x), net.head(torch.relu(net.inp(x))))
