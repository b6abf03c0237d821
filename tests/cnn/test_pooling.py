"""Max and average pooling: NumPy against torch.nn.functional and autograd in float64."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook.cnn import conv
from dlbook.cnn.pooling import (
    avg_pool2d_backward,
    avg_pool2d_forward,
    max_pool2d_backward,
    max_pool2d_forward,
)

TOL = dict(rtol=1e-9, atol=1e-9)


def pool_configs(n_configs=36, seed=1):
    """Seeded sweep: kernels up to 4 (non-square too), strides 1-3 or default, padding up to half the kernel."""
    rng = np.random.default_rng(seed)
    configs = []
    while len(configs) < n_configs:
        kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        kernel = kh if (kh == kw or rng.random() < 0.3) else (kh, kw)
        kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
        stride = [None, 1, 2, 3, (1, 2), (2, 1)][rng.integers(6)]
        padding = (int(rng.integers(0, kh // 2 + 1)), int(rng.integers(0, kw // 2 + 1)))
        H, W = int(rng.integers(1, 10)), int(rng.integers(1, 10))
        if kh > H + 2 * padding[0] or kw > W + 2 * padding[1]:
            continue
        configs.append((int(rng.integers(1, 3)), int(rng.integers(1, 4)), H, W, kernel, stride, padding))
    return configs


CONFIGS = pool_configs()


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("N, C, H, W, kernel, stride, padding", CONFIGS)
def test_pooling_matches_torch(kind, N, C, H, W, kernel, stride, padding):
    rng = np.random.default_rng(N * 100 + H * 10 + W)
    x = rng.normal(size=(N, C, H, W))  # continuous values: no ties
    xt = torch.tensor(x, requires_grad=True)
    torch_fn = F.max_pool2d if kind == "max" else F.avg_pool2d
    fwd, bwd = (max_pool2d_forward, max_pool2d_backward) if kind == "max" else (avg_pool2d_forward, avg_pool2d_backward)
    out_t = torch_fn(xt, kernel, stride=stride, padding=padding)
    dout = rng.normal(size=tuple(out_t.shape))
    (out_t * torch.from_numpy(dout)).sum().backward()
    out, cache = fwd(x, kernel, stride, padding)
    np.testing.assert_allclose(out, out_t.detach().numpy(), **TOL, err_msg=f"{kind} pool forward differs from torch")
    np.testing.assert_allclose(bwd(dout, cache), xt.grad.numpy(), **TOL, err_msg=f"{kind} pool dx differs from autograd")


def test_max_pool_ties_go_to_the_first_maximum_like_torch():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, :2, :2] = 5.0  # a 2x2 block of equal maxima
    x[0, 0, 2:, 2:] = [[1.0, 7.0], [7.0, 7.0]]
    out, cache = max_pool2d_forward(x, 2)
    dx = max_pool2d_backward(np.ones_like(out), cache)
    expected = np.zeros((4, 4))
    expected[0, 0] = 1.0  # first of the four 5's in row-major order
    expected[2, 3] = 1.0  # first of the three 7's
    expected[0, 2] = expected[2, 0] = 1.0  # all-zero windows: their first pixel
    np.testing.assert_array_equal(dx[0, 0], expected)
    xt = torch.tensor(x, requires_grad=True)
    F.max_pool2d(xt, 2).sum().backward()
    np.testing.assert_array_equal(dx, xt.grad.numpy())


def test_overlapping_max_windows_accumulate():
    """A single large pixel is the maximum of all 4 overlapping 2x2 windows (stride 1)."""
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 1.0
    out, cache = max_pool2d_forward(x, 2, stride=1)
    dx = max_pool2d_backward(np.full_like(out, 2.0), cache)
    assert dx[0, 0, 1, 1] == 8.0 and dx.sum() == 8.0


def test_numerical_gradient_of_avg_and_max_pool():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 2, 5, 5))
    for fwd, bwd in ((max_pool2d_forward, max_pool2d_backward), (avg_pool2d_forward, avg_pool2d_backward)):
        out, cache = fwd(x, 3, 2, 1)
        dout = rng.normal(size=out.shape)
        dx = bwd(dout, cache)
        num = np.zeros_like(x)
        eps = 1e-6
        for idx in np.ndindex(x.shape):
            xp, xm = x.copy(), x.copy()
            xp[idx] += eps
            xm[idx] -= eps
            num[idx] = ((fwd(xp, 3, 2, 1)[0] - fwd(xm, 3, 2, 1)[0]) * dout).sum() / (2 * eps)
        np.testing.assert_allclose(dx, num, rtol=1e-7, atol=1e-8, err_msg=f"{fwd.__name__}: dx vs central differences")


def test_reexported_from_conv():
    assert conv.max_pool2d_forward is max_pool2d_forward and conv.avg_pool2d_backward is avg_pool2d_backward


def test_float32_stays_float32():
    x = np.ones((1, 1, 4, 4), np.float32)
    for fwd, bwd in ((max_pool2d_forward, max_pool2d_backward), (avg_pool2d_forward, avg_pool2d_backward)):
        out, cache = fwd(x, 2)
        assert out.dtype == np.float32 and bwd(np.ones_like(out), cache).dtype == np.float32


@pytest.mark.parametrize("fwd", [max_pool2d_forward, avg_pool2d_forward])
def test_bad_input(fwd):
    with pytest.raises(ValueError, match=r"got shape \(4, 4\)"):
        fwd(np.zeros((4, 4)), 2)
    with pytest.raises(ValueError, match=r"kernel \(5, 5\) is larger than the padded input \(4, 4\)"):
        fwd(np.zeros((1, 1, 4, 4)), 5)
    with pytest.raises(ValueError, match="stride must be >= 1, got 0"):
        fwd(np.zeros((1, 1, 4, 4)), 2, 0)
    with pytest.raises(ValueError, match="kernel_size must be >= 1"):
        fwd(np.zeros((1, 1, 4, 4)), 0)
    with pytest.raises(ValueError, match="at most half the kernel"):
        fwd(np.zeros((1, 1, 4, 4)), 2, 1, 2)
    out, cache = fwd(np.zeros((1, 1, 4, 4)), 2)
    bwd = max_pool2d_backward if fwd is max_pool2d_forward else avg_pool2d_backward
    with pytest.raises(ValueError, match=r"dout has shape \(1, 1, 3, 3\)"):
        bwd(np.zeros((1, 1, 3, 3)), cache)


# --- conv_torch: the pooling twins ---

from dlbook.cnn import conv_torch  # noqa: E402


def check_pool_twin(kind, N, C, H, W, kernel, stride, padding, device="cpu", seed=0):
    rng = np.random.default_rng(seed)
    x = torch.tensor(rng.normal(size=(N, C, H, W)), device=device, requires_grad=True)
    ref = F.max_pool2d if kind == "max" else F.avg_pool2d
    out_t = ref(x, kernel, stride=stride, padding=padding)
    dout = torch.tensor(rng.normal(size=tuple(out_t.shape)), device=device)
    (out_t * dout).sum().backward()
    fwd = getattr(conv_torch, f"{kind}_pool2d_forward")
    bwd = getattr(conv_torch, f"{kind}_pool2d_backward")
    with torch.no_grad():
        out, cache = fwd(x, kernel, stride, padding)
        dx = bwd(dout, cache)
    torch.testing.assert_close(out, out_t.detach(), **TOL)
    torch.testing.assert_close(dx, x.grad, **TOL, msg=lambda m: f"{kind} pool twin dx differs from autograd: {m}")


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("N, C, H, W, kernel, stride, padding", CONFIGS[:18])
def test_pool_torch_twins_match_F(kind, N, C, H, W, kernel, stride, padding):
    check_pool_twin(kind, N, C, H, W, kernel, stride, padding, seed=H * 10 + W)


def test_max_pool_torch_twin_ties():
    x = torch.zeros(1, 1, 4, 4, requires_grad=True)
    out, cache = conv_torch.max_pool2d_forward(x.detach(), 2, 1)
    F.max_pool2d(x, 2, 1).sum().backward()
    torch.testing.assert_close(conv_torch.max_pool2d_backward(torch.ones_like(out), cache), x.grad)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_pool_torch_twins_on_cuda():
    check_pool_twin("max", 2, 3, 9, 7, 3, 2, 1, device="cuda")
    check_pool_twin("avg", 2, 3, 9, 7, (3, 2), (1, 2), 1, device="cuda")
