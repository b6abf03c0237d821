"""The hand-written torch twins of dlbook.cnn.conv: against torch.nn.functional and autograd in
float64, against the NumPy reference in float32, and on a GPU when there is one."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook.cnn import conv, conv_torch
from tests.cnn.conv_cases import conv_configs, conv_ids, pool_configs, transpose_fits

TOL = dict(rtol=1e-9, atol=1e-9)
CONFIGS = conv_configs(n_configs=24, seed=3)
IDS = conv_ids(CONFIGS)
POOLS = pool_configs(n_configs=18, seed=4)


def check_conv_twin(N, C, H, W, K, kh, kw, stride, padding, dilation, bias, device="cpu",
                    transpose=False, seed=0):
    rng = np.random.default_rng(seed)
    x = torch.tensor(rng.normal(size=(N, C, H, W)), device=device, requires_grad=True)
    w_shape = (C, K, kh, kw) if transpose else (K, C, kh, kw)
    w = torch.tensor(rng.normal(size=w_shape), device=device, requires_grad=True)
    b = torch.tensor(rng.normal(size=K), device=device, requires_grad=True) if bias else None
    if transpose:
        ref = F.conv_transpose2d(x, w, b, stride=stride, padding=padding)
        fwd, bwd, args = (conv_torch.conv_transpose2d_forward,
                          conv_torch.conv_transpose2d_backward, (stride, padding))
    else:
        ref = F.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
        fwd, bwd, args = (conv_torch.conv2d_forward, conv_torch.conv2d_backward,
                          (stride, padding, dilation))
    dout = torch.tensor(rng.normal(size=tuple(ref.shape)), device=device)
    (ref * dout).sum().backward()
    with torch.no_grad():
        out, cache = fwd(x, w, b, *args)
        dx, dw, db = bwd(dout, cache)
    assert out.device == x.device and dx.device == x.device
    torch.testing.assert_close(out, ref.detach(), **TOL, msg=lambda m: f"forward differs: {m}")
    torch.testing.assert_close(dx, x.grad, **TOL, msg=lambda m: f"dx differs from autograd: {m}")
    torch.testing.assert_close(dw, w.grad, **TOL, msg=lambda m: f"dw differs from autograd: {m}")
    if bias:
        torch.testing.assert_close(db, b.grad, **TOL, msg=lambda m: f"db differs: {m}")


@pytest.mark.parametrize("N, C, H, W, K, kh, kw, stride, padding, dilation, bias", CONFIGS,
                         ids=IDS)
def test_conv2d_twin_matches_F_conv2d(N, C, H, W, K, kh, kw, stride, padding, dilation, bias):
    check_conv_twin(N, C, H, W, K, kh, kw, stride, padding, dilation, bias, seed=H * 10 + W)


@pytest.mark.parametrize("N, C, H, W, K, kh, kw, stride, padding, dilation, bias", CONFIGS,
                         ids=IDS)
def test_conv_transpose2d_twin_matches_F(N, C, H, W, K, kh, kw, stride, padding, dilation, bias):
    if not transpose_fits(H, W, kh, kw, stride, padding):
        pytest.skip("padding crops the whole output")
    check_conv_twin(N, C, H, W, K, kh, kw, stride, padding, 1, bias, transpose=True,
                    seed=H * 10 + W)


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
    torch.testing.assert_close(dx, x.grad, **TOL,
                               msg=lambda m: f"{kind} pool twin dx differs from autograd: {m}")


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("N, C, H, W, kernel, stride, padding", POOLS)
def test_pool_twins_match_F(kind, N, C, H, W, kernel, stride, padding):
    check_pool_twin(kind, N, C, H, W, kernel, stride, padding, seed=H * 10 + W)


def test_max_pool_twin_ties_like_torch():
    x = torch.zeros(1, 1, 4, 4, requires_grad=True)
    out, cache = conv_torch.max_pool2d_forward(x.detach(), 2, 1)
    F.max_pool2d(x, 2, 1).sum().backward()
    torch.testing.assert_close(conv_torch.max_pool2d_backward(torch.ones_like(out), cache), x.grad)


@pytest.mark.parametrize("name", conv.__all__)
def test_twin_agrees_with_numpy_in_float32(name):
    """Every function of the pair gives the NumPy result on the same float32 input."""
    rng = np.random.default_rng(8)
    x = rng.normal(size=(2, 3, 8, 8)).astype(np.float32)
    if name.startswith("conv"):
        transpose = name.startswith("conv_transpose")
        w = rng.normal(size=(3, 4, 3, 3) if transpose else (4, 3, 3, 3)).astype(np.float32)
        b = rng.normal(size=4).astype(np.float32)
        args, kwargs = (x, w, b), dict(stride=2, padding=1)
    else:
        args, kwargs = (x, 3), dict(stride=2, padding=1)
    base = name.rsplit("_", 1)[0]
    out_np, cache_np = getattr(conv, base + "_forward")(*args, **kwargs)
    out_t, cache_t = getattr(conv_torch, base + "_forward")(
        *(torch.from_numpy(a) if isinstance(a, np.ndarray) else a for a in args), **kwargs)
    np.testing.assert_allclose(out_t.numpy(), out_np, rtol=1e-5, atol=1e-5)
    dout = rng.normal(size=out_np.shape).astype(np.float32)
    grads_np = getattr(conv, base + "_backward")(dout, cache_np)
    grads_t = getattr(conv_torch, base + "_backward")(torch.from_numpy(dout), cache_t)
    if base.endswith("pool2d"):
        grads_np, grads_t = [grads_np], [grads_t]
    for g_np, g_t in zip(grads_np, grads_t):
        assert g_t.dtype == torch.float32
        np.testing.assert_allclose(g_t.numpy(), g_np, rtol=1e-4, atol=1e-4)


def test_bad_input_gives_the_errors_of_the_numpy_reference():
    cases = [
        ((torch.zeros(1, 3, 5, 5), torch.zeros(2, 4, 3, 3)), {}, ValueError, "channel mismatch"),
        ((torch.zeros(1, 1, 3, 3), torch.zeros(1, 1, 5, 5)), {}, ValueError, "larger than"),
        ((torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3)), {"stride": 0}, ValueError,
         "stride must be >= 1"),
        ((torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3)), {"stride": (1, 1, 1)}, ValueError,
         "stride must be an int or a pair"),
        ((torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3)), {"stride": 1.5}, TypeError,
         "stride must be an int or a pair"),
        ((torch.zeros(5, 5), torch.zeros(1, 1, 3, 3)), {}, ValueError, "x must have 4"),
    ]
    for args, kwargs, error, match in cases:
        with pytest.raises(error, match=match):
            conv_torch.conv2d_forward(*args, **kwargs)
        with pytest.raises(error, match=match):
            conv.conv2d_forward(*(a.numpy() for a in args), **kwargs)
    out, cache = conv_torch.max_pool2d_forward(torch.zeros(1, 1, 4, 4), 2)
    with pytest.raises(ValueError, match=r"dout must have shape"):
        conv_torch.max_pool2d_backward(torch.zeros(1, 1, 3, 3), cache)
    with pytest.raises(ValueError, match="at most half the kernel"):
        conv_torch.avg_pool2d_forward(torch.zeros(1, 1, 4, 4), 2, 1, 2)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_twins_on_cuda():
    check_conv_twin(2, 3, 9, 7, 4, 3, 2, (2, 1), 1, (1, 2), True, device="cuda")
    check_conv_twin(2, 3, 5, 4, 4, 3, 3, 2, 1, 1, True, device="cuda", transpose=True)
    check_pool_twin("max", 2, 3, 9, 7, 3, 2, 1, device="cuda")
    check_pool_twin("avg", 2, 3, 9, 7, (3, 2), (1, 2), 1, device="cuda")
