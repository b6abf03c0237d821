"""GoogLeNet: the published total and the Inception module's shapes."""

import pytest
import torch

from dlbook.cnn.inception_torch import GOOGLENET_INCEPTION, GoogLeNet, Inception


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
    "googlenet": (lambda: GoogLeNet(branch3_kernel=3), 6_624_904),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_parameter_total_equals_published(name):
    build, published = PUBLISHED[name]
    got = n_params(build())
    assert got == published, f"{name}: {got:,} parameters, published {published:,}"


def test_inception_paper_kernel_adds_exactly_the_5x5_weights():
    extra = sum(c[4] * c[5] * (25 - 9) for c in GOOGLENET_INCEPTION.values())
    assert n_params(GoogLeNet(branch3_kernel=5)) == 6_624_904 + extra
    m = Inception(192, 64, 96, 128, 16, 32, 32)
    assert m(torch.zeros(1, 192, 7, 7)).shape == (1, 256, 7, 7)


def test_small_googlenet_runs_and_bad_kernel_is_refused():
    assert GoogLeNet(num_classes=5).eval()(torch.zeros(1, 3, 64, 64)).shape == (1, 5)
    with pytest.raises(ValueError, match="branch3_kernel must be one of 3, 5"):
        Inception(8, 1, 1, 1, 1, 1, 1, branch3_kernel=7)
