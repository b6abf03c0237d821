"""Convolution and transposed convolution: NumPy against torch.nn.functional and autograd in float64."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.cnn.conv import (
    col2im,
    conv2d_backward,
    conv2d_forward,
    conv_output_size,
    conv_transpose2d_backward,
    conv_transpose2d_forward,
    im2col,
)

TOL = dict(rtol=1e-9, atol=1e-9)


def conv_configs(n_configs=40, seed=0):
    """A seeded sweep: random sizes, non-square kernels, strides 1-3 (also (1, 2)), paddings 0-2."""
    rng = np.random.default_rng(seed)
    strides = [1, 2, 3, (1, 2), (2, 1), (3, 2)]
    paddings = [0, 1, 2, (0, 1), (2, 1)]
    configs = []
    while len(configs) < n_configs:
        N, C, K = rng.integers(1, 4), rng.integers(1, 5), rng.integers(1, 5)
        kh, kw = rng.integers(1, 6), rng.integers(1, 6)
        H, W = rng.integers(1, 10), rng.integers(1, 10)
        stride, padding = strides[rng.integers(len(strides))], paddings[rng.integers(len(paddings))]
        ph, pw = (padding, padding) if isinstance(padding, int) else padding
        if kh > H + 2 * ph or kw > W + 2 * pw:  # kernel must fit in the padded input
            continue
        configs.append((int(N), int(C), int(H), int(W), int(K), int(kh), int(kw), stride, padding, len(configs) % 5 != 0))
    return configs


CONFIGS = conv_configs()
IDS = [f"N{c[0]}C{c[1]}H{c[2]}W{c[3]}K{c[4]}k{c[5]}x{c[6]}s{c[7]}p{c[8]}{'b' if c[9] else 'nob'}" for c in CONFIGS]


@pytest.mark.parametrize("N, C, H, W, K, kh, kw, stride, padding, bias", CONFIGS, ids=IDS)
def test_conv2d_forward_and_backward_match_torch(N, C, H, W, K, kh, kw, stride, padding, bias):
    rng = np.random.default_rng(N * 1000 + C * 100 + H * 10 + W)
    x, w, b = rng.normal(size=(N, C, H, W)), rng.normal(size=(K, C, kh, kw)), rng.normal(size=K)
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True) if bias else None
    out_t = F.conv2d(xt, wt, bt, stride=stride, padding=padding)
    dout = rng.normal(size=tuple(out_t.shape))
    (out_t * torch.from_numpy(dout)).sum().backward()  # dL/dout = dout

    out, cache = conv2d_forward(x, w, b if bias else None, stride=stride, padding=padding)
    np.testing.assert_allclose(out, out_t.detach().numpy(), **TOL, err_msg="conv2d forward differs from F.conv2d")
    dx, dw, db = conv2d_backward(dout, cache)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TOL, err_msg="conv2d dx differs from autograd")
    np.testing.assert_allclose(dw, wt.grad.numpy(), **TOL, err_msg="conv2d dw differs from autograd")
    if bias:
        np.testing.assert_allclose(db, bt.grad.numpy(), **TOL, err_msg="conv2d db differs from autograd")
    else:
        assert db is None


@pytest.mark.parametrize("N, C, H, W, K, kh, kw, stride, padding, bias", CONFIGS, ids=IDS)
def test_conv_transpose2d_matches_torch(N, C, H, W, K, kh, kw, stride, padding, bias):
    rng = np.random.default_rng(7 + N * 1000 + C * 100 + H * 10 + W)
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    if (H - 1) * sh + kh - 2 * ph < 1 or (W - 1) * sw + kw - 2 * pw < 1:
        pytest.skip("padding crops the whole output")
    op = (rng.integers(0, sh), rng.integers(0, sw))  # output_padding < stride
    op = (int(op[0]), int(op[1]))
    x, w, b = rng.normal(size=(N, C, H, W)), rng.normal(size=(C, K, kh, kw)), rng.normal(size=K)
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True) if bias else None
    out_t = F.conv_transpose2d(xt, wt, bt, stride=stride, padding=padding, output_padding=op)
    dout = rng.normal(size=tuple(out_t.shape))
    (out_t * torch.from_numpy(dout)).sum().backward()

    out, cache = conv_transpose2d_forward(x, w, b if bias else None, stride, padding, output_padding=op)
    np.testing.assert_allclose(out, out_t.detach().numpy(), **TOL, err_msg="forward differs from F.conv_transpose2d")
    dx, dw, db = conv_transpose2d_backward(dout, cache)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TOL, err_msg="conv_transpose2d dx differs from autograd")
    np.testing.assert_allclose(dw, wt.grad.numpy(), **TOL, err_msg="conv_transpose2d dw differs from autograd")
    if bias:
        np.testing.assert_allclose(db, bt.grad.numpy(), **TOL, err_msg="conv_transpose2d db differs from autograd")


def test_transposed_conv_is_the_input_gradient_of_conv():
    """conv_transpose2d(g, w) equals dL/dx of conv2d(x, w) for dout = g, same stride and padding."""
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=(2, 3, 9, 8)), rng.normal(size=(4, 3, 3, 2))
    out, cache = conv2d_forward(x, w, None, stride=2, padding=1)
    g = rng.normal(size=out.shape)
    dx, _, _ = conv2d_backward(g, cache)
    # the forward conv covers rows 0..(out_h-1)*2+3 of the padded input: output_padding fills the rest
    op = ((9 + 2 - 3) % 2, (8 + 2 - 2) % 2)
    up, _ = conv_transpose2d_forward(g, w, None, stride=2, padding=1, output_padding=op)
    np.testing.assert_allclose(up, dx, rtol=1e-12, atol=1e-12)


def test_numerical_gradient_of_conv2d():
    """Central differences of L = sum(out * dout), independent of torch."""
    rng = np.random.default_rng(11)
    x, w, b = rng.normal(size=(2, 2, 5, 4)), rng.normal(size=(3, 2, 3, 2)), rng.normal(size=3)
    kwargs = dict(stride=(2, 1), padding=(1, 0))
    out, cache = conv2d_forward(x, w, b, **kwargs)
    dout = rng.normal(size=out.shape)
    grads = conv2d_backward(dout, cache)
    eps = 1e-6
    for name, arr, grad in zip("xwb", (x, w, b), grads):
        num = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):  # a loop over parameters is fine in a test oracle
            plus, minus = arr.copy(), arr.copy()
            plus[idx] += eps
            minus[idx] -= eps
            args_p = [plus if n == name else a for n, a in zip("xwb", (x, w, b))]
            args_m = [minus if n == name else a for n, a in zip("xwb", (x, w, b))]
            num[idx] = ((conv2d_forward(*args_p, **kwargs)[0] - conv2d_forward(*args_m, **kwargs)[0]) * dout).sum() / (2 * eps)
        np.testing.assert_allclose(grad, num, rtol=1e-7, atol=1e-8, err_msg=f"d{name} differs from central differences")


def naive_conv2d(x, w, b, stride, padding):
    """Brute-force oracle written straight from the definition (loops over every output)."""
    N, C, H, W = x.shape
    K, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out_h = (H + 2 * padding - kh) // stride + 1
    out_w = (W + 2 * padding - kw) // stride + 1
    out = np.zeros((N, K, out_h, out_w))
    for n, k, i, j in itertools.product(range(N), range(K), range(out_h), range(out_w)):
        out[n, k, i, j] = b[k] + (w[k] * xp[n, :, i * stride:i * stride + kh, j * stride:j * stride + kw]).sum()
    return out


def test_forward_matches_the_definition():
    rng = np.random.default_rng(5)
    x, w, b = rng.normal(size=(2, 3, 7, 6)), rng.normal(size=(2, 3, 3, 2)), rng.normal(size=2)
    out, _ = conv2d_forward(x, w, b, stride=2, padding=1)
    np.testing.assert_allclose(out, naive_conv2d(x, w, b, 2, 1), rtol=1e-12, atol=1e-12)


@given(n=st.integers(1, 40), f=st.integers(1, 9), s=st.integers(1, 4), p=st.integers(0, 3))
@settings(max_examples=60, deadline=None)
def test_output_size_formula(n, f, s, p):
    """floor((n + 2p - f)/s) + 1 counted independently: the start positions 0, s, 2s, ... that fit."""
    if f > n + 2 * p:
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv_output_size(n, f, s, p)
        return
    fits = [start for start in range(0, n + 2 * p) if start % s == 0 and start + f <= n + 2 * p]
    assert conv_output_size(n, f, s, p) == len(fits)
    out, _ = conv2d_forward(np.zeros((1, 1, n, 3)), np.zeros((1, 1, f, 1)), stride=(s, 1), padding=(p, 0))
    assert out.shape[2] == len(fits)


def test_im2col_and_col2im_match_unfold_and_fold():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 3, 7, 5))
    cols = im2col(x, (3, 2), stride=(2, 1), padding=(1, 2))
    cols_t = F.unfold(torch.from_numpy(x), (3, 2), padding=(1, 2), stride=(2, 1))
    np.testing.assert_allclose(cols, cols_t.numpy(), rtol=0, atol=0)
    y = rng.normal(size=cols.shape)
    back = col2im(y, x.shape, (3, 2), stride=(2, 1), padding=(1, 2))
    back_t = F.fold(torch.from_numpy(y), (7, 5), (3, 2), padding=(1, 2), stride=(2, 1))
    np.testing.assert_allclose(back, back_t.numpy(), rtol=1e-12, atol=1e-12)
    # col2im is the adjoint of im2col: <im2col(x), y> = <x, col2im(y)>
    np.testing.assert_allclose((cols * y).sum(), (x * back).sum(), rtol=1e-12)


def test_float32_stays_float32():
    x, w, b = np.ones((1, 2, 5, 5), np.float32), np.ones((3, 2, 3, 3), np.float32), np.zeros(3, np.float32)
    out, cache = conv2d_forward(x, w, b, padding=1)
    dx, dw, db = conv2d_backward(np.ones_like(out), cache)
    assert out.dtype == dx.dtype == dw.dtype == db.dtype == np.float32


def test_inputs_are_not_modified():
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(1, 2, 4, 4)), rng.normal(size=(2, 2, 3, 3)), rng.normal(size=2)
    copies = [a.copy() for a in (x, w, b)]
    out, cache = conv2d_forward(x, w, b, padding=1)
    dout = np.ones_like(out)
    conv2d_backward(dout, cache)
    for a, c in zip((x, w, b, dout), copies + [np.ones_like(out)]):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("x_shape, w_shape, b_shape, kwargs, match", [
    ((1, 3, 5, 5), (2, 4, 3, 3), (2,), {}, r"channel mismatch.*\(1, 3, 5, 5\).*\(2, 4, 3, 3\)"),
    ((1, 1, 3, 3), (1, 1, 5, 5), (1,), {}, r"\(1, 1, 5, 5\) is larger than the padded input.*\(1, 1, 3, 3\)"),
    ((1, 1, 3, 3), (1, 1, 5, 5), (1,), {"padding": 0}, r"\(3, 3\)"),
    ((1, 1, 5, 5), (1, 1, 3, 3), (1,), {"stride": 0}, r"stride must be >= 1, got 0"),
    ((1, 1, 5, 5), (1, 1, 3, 3), (1,), {"stride": (1, -2)}, r"stride must be >= 1"),
    ((1, 1, 5, 5), (1, 1, 3, 3), (1,), {"padding": -1}, r"padding must be >= 0"),
    ((1, 5, 5), (1, 1, 3, 3), (1,), {}, r"x must have shape \(N, C, H, W\), got shape \(1, 5, 5\)"),
    ((1, 1, 5, 5), (1, 3, 3), (1,), {}, r"w must be 4-D, got shape \(1, 3, 3\)"),
    ((1, 1, 5, 5), (2, 1, 3, 3), (3,), {}, r"b has shape \(3,\).*\(2, 1, 3, 3\)"),
])
def test_conv2d_bad_input(x_shape, w_shape, b_shape, kwargs, match):
    with pytest.raises(ValueError, match=match):
        conv2d_forward(np.zeros(x_shape), np.zeros(w_shape), np.zeros(b_shape), **kwargs)


def test_conv2d_type_errors_and_bad_dout():
    with pytest.raises(TypeError, match="stride"):
        conv2d_forward(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)), stride=1.5)
    with pytest.raises(TypeError, match="x must hold real numbers"):
        conv2d_forward(np.zeros((1, 1, 5, 5), dtype=bool), np.zeros((1, 1, 3, 3)))
    out, cache = conv2d_forward(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)))
    with pytest.raises(ValueError, match=r"dout has shape \(1, 1, 4, 4\) but the forward output has shape \(1, 1, 3, 3\)"):
        conv2d_backward(np.zeros((1, 1, 4, 4)), cache)


def test_conv_transpose2d_bad_input():
    with pytest.raises(ValueError, match="channel mismatch"):
        conv_transpose2d_forward(np.zeros((1, 2, 3, 3)), np.zeros((3, 1, 2, 2)))
    with pytest.raises(ValueError, match="output_padding"):
        conv_transpose2d_forward(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 2, 2)), stride=2, output_padding=2)
    with pytest.raises(ValueError, match="crops everything"):
        conv_transpose2d_forward(np.zeros((1, 1, 1, 1)), np.zeros((1, 1, 2, 2)), padding=1)


# --- conv_torch: the hand-written torch twins against F.conv2d / F.conv_transpose2d and autograd ---

from dlbook.cnn import conv_torch  # noqa: E402


def check_torch_twin(N, C, H, W, K, kh, kw, stride, padding, bias, device="cpu", transpose=False, seed=0):
    rng = np.random.default_rng(seed)
    x = torch.tensor(rng.normal(size=(N, C, H, W)), device=device, requires_grad=True)
    w = torch.tensor(rng.normal(size=(C, K, kh, kw) if transpose else (K, C, kh, kw)), device=device, requires_grad=True)
    b = torch.tensor(rng.normal(size=K), device=device, requires_grad=True) if bias else None
    ref = F.conv_transpose2d if transpose else F.conv2d
    fwd, bwd = ((conv_torch.conv_transpose2d_forward, conv_torch.conv_transpose2d_backward) if transpose
                else (conv_torch.conv2d_forward, conv_torch.conv2d_backward))
    out_t = ref(x, w, b, stride=stride, padding=padding)
    dout = torch.tensor(rng.normal(size=tuple(out_t.shape)), device=device)
    (out_t * dout).sum().backward()
    with torch.no_grad():
        out, cache = fwd(x, w, b, stride, padding)
        dx, dw, db = bwd(dout, cache)
    assert out.device == x.device and dx.device == x.device
    torch.testing.assert_close(out, out_t.detach(), **TOL, msg=lambda m: f"forward differs from {ref.__name__}: {m}")
    torch.testing.assert_close(dx, x.grad, **TOL, msg=lambda m: f"dx differs from autograd: {m}")
    torch.testing.assert_close(dw, w.grad, **TOL, msg=lambda m: f"dw differs from autograd: {m}")
    if bias:
        torch.testing.assert_close(db, b.grad, **TOL, msg=lambda m: f"db differs from autograd: {m}")


@pytest.mark.parametrize("N, C, H, W, K, kh, kw, stride, padding, bias", CONFIGS[:20], ids=IDS[:20])
def test_conv2d_torch_twin_matches_F_conv2d(N, C, H, W, K, kh, kw, stride, padding, bias):
    check_torch_twin(N, C, H, W, K, kh, kw, stride, padding, bias, seed=H * 10 + W)


@pytest.mark.parametrize("N, C, H, W, K, kh, kw, stride, padding, bias", CONFIGS[20:], ids=IDS[20:])
def test_conv_transpose2d_torch_twin_matches_F(N, C, H, W, K, kh, kw, stride, padding, bias):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    if (H - 1) * sh + kh - 2 * ph < 1 or (W - 1) * sw + kw - 2 * pw < 1:
        pytest.skip("padding crops the whole output")
    check_torch_twin(N, C, H, W, K, kh, kw, stride, padding, bias, transpose=True, seed=H * 10 + W)


def test_torch_twin_agrees_with_numpy_in_float32():
    rng = np.random.default_rng(8)
    x, w, b = (rng.normal(size=s).astype(np.float32) for s in ((2, 3, 8, 8), (4, 3, 3, 3), (4,)))
    out_np, _ = conv2d_forward(x, w, b, padding=1)
    out_t, _ = conv_torch.conv2d_forward(*(torch.from_numpy(a) for a in (x, w, b)), padding=1)
    np.testing.assert_allclose(out_t.numpy(), out_np, rtol=1e-5, atol=1e-5)


def test_torch_twin_bad_input():
    with pytest.raises(ValueError, match="channel mismatch"):
        conv_torch.conv2d_forward(torch.zeros(1, 3, 5, 5), torch.zeros(2, 4, 3, 3))
    with pytest.raises(ValueError, match="larger than the padded input"):
        conv_torch.conv2d_forward(torch.zeros(1, 1, 3, 3), torch.zeros(1, 1, 5, 5))
    with pytest.raises(ValueError, match="stride must be >= 1"):
        conv_torch.conv2d_forward(torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3), stride=0)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_torch_twins_on_cuda():
    check_torch_twin(2, 3, 9, 7, 4, 3, 2, (2, 1), 1, True, device="cuda")
    check_torch_twin(2, 3, 5, 4, 4, 3, 3, 2, 1, True, device="cuda", transpose=True)
