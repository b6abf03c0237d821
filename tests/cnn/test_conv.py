"""Convolution, transposed convolution and pooling in NumPy (dlbook.cnn.conv): against
torch.nn.functional and autograd in float64, central differences and brute-force definitions."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook.cnn.conv import (
    avg_pool2d_backward,
    avg_pool2d_forward,
    conv2d_backward,
    conv2d_forward,
    conv_transpose2d_backward,
    conv_transpose2d_forward,
    max_pool2d_backward,
    max_pool2d_forward,
)
from tests.cnn.conv_cases import conv_configs, conv_ids, pool_configs, transpose_fits

TOL = dict(rtol=1e-9, atol=1e-9)
CONFIGS = conv_configs()
IDS = conv_ids(CONFIGS)
POOLS = pool_configs()
CASE = "N, C, H, W, K, kh, kw, stride, padding, dilation, bias"


def _seed(*sizes):
    return int(sum(s * 10 ** i for i, s in enumerate(sizes)))


@pytest.mark.parametrize(CASE, CONFIGS, ids=IDS)
def test_conv2d_forward_and_backward_match_torch(N, C, H, W, K, kh, kw, stride, padding,
                                                 dilation, bias):
    rng = np.random.default_rng(_seed(N, C, H, W))
    x, w, b = rng.normal(size=(N, C, H, W)), rng.normal(size=(K, C, kh, kw)), rng.normal(size=K)
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True) if bias else None
    out_t = F.conv2d(xt, wt, bt, stride=stride, padding=padding, dilation=dilation)
    dout = rng.normal(size=tuple(out_t.shape))
    (out_t * torch.from_numpy(dout)).sum().backward()  # dL/dout = dout

    out, cache = conv2d_forward(x, w, b if bias else None, stride, padding, dilation)
    np.testing.assert_allclose(out, out_t.detach().numpy(), **TOL,
                               err_msg="conv2d forward differs from F.conv2d")
    dx, dw, db = conv2d_backward(dout, cache)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TOL, err_msg="conv2d dx differs")
    np.testing.assert_allclose(dw, wt.grad.numpy(), **TOL, err_msg="conv2d dw differs")
    if bias:
        np.testing.assert_allclose(db, bt.grad.numpy(), **TOL, err_msg="conv2d db differs")
    else:
        assert db is None


@pytest.mark.parametrize(CASE, CONFIGS, ids=IDS)
def test_conv_transpose2d_matches_torch(N, C, H, W, K, kh, kw, stride, padding, dilation,
                                        bias):
    if not transpose_fits(H, W, kh, kw, stride, padding):
        pytest.skip("padding crops the whole output")
    rng = np.random.default_rng(7 + _seed(N, C, H, W))
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    op = (int(rng.integers(0, sh)), int(rng.integers(0, sw)))  # output_padding < stride
    x, w, b = rng.normal(size=(N, C, H, W)), rng.normal(size=(C, K, kh, kw)), rng.normal(size=K)
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True) if bias else None
    out_t = F.conv_transpose2d(xt, wt, bt, stride=stride, padding=padding, output_padding=op)
    dout = rng.normal(size=tuple(out_t.shape))
    (out_t * torch.from_numpy(dout)).sum().backward()

    out, cache = conv_transpose2d_forward(x, w, b if bias else None, stride, padding, op)
    np.testing.assert_allclose(out, out_t.detach().numpy(), **TOL,
                               err_msg="forward differs from F.conv_transpose2d")
    dx, dw, db = conv_transpose2d_backward(dout, cache)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TOL, err_msg="transpose dx differs")
    np.testing.assert_allclose(dw, wt.grad.numpy(), **TOL, err_msg="transpose dw differs")
    if bias:
        np.testing.assert_allclose(db, bt.grad.numpy(), **TOL, err_msg="transpose db differs")


def test_transposed_conv_is_the_input_gradient_of_conv():
    """conv_transpose2d(g, w) equals dL/dx of conv2d(x, w) for dout = g, same stride, padding."""
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=(2, 3, 9, 8)), rng.normal(size=(4, 3, 3, 2))
    out, cache = conv2d_forward(x, w, None, stride=2, padding=1)
    g = rng.normal(size=out.shape)
    dx, _, _ = conv2d_backward(g, cache)
    # the forward conv covers rows 0..(out_h-1)*2+3 of the padded input: output_padding fills
    # the rest
    op = ((9 + 2 - 3) % 2, (8 + 2 - 2) % 2)
    up, _ = conv_transpose2d_forward(g, w, None, stride=2, padding=1, output_padding=op)
    np.testing.assert_allclose(up, dx, rtol=1e-12, atol=1e-12)


def _numerical_grads(f, arrays, dout, eps=1e-6):
    """Central differences of L = sum(f(*arrays) * dout) for every entry of every array."""
    grads = []
    for i, arr in enumerate(arrays):
        num = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):  # a loop over entries is fine in a test oracle
            plus, minus = list(arrays), list(arrays)
            plus[i], minus[i] = arr.copy(), arr.copy()
            plus[i][idx] += eps
            minus[i][idx] -= eps
            num[idx] = ((f(*plus) - f(*minus)) * dout).sum() / (2 * eps)
        grads.append(num)
    return grads


@pytest.mark.parametrize("kwargs", [dict(stride=(2, 1), padding=(1, 0)),
                                    dict(stride=1, padding=2, dilation=(2, 1))])
def test_numerical_gradient_of_conv2d(kwargs):
    """Central differences, independent of torch."""
    rng = np.random.default_rng(11)
    x, w, b = rng.normal(size=(2, 2, 5, 4)), rng.normal(size=(3, 2, 3, 2)), rng.normal(size=3)
    out, cache = conv2d_forward(x, w, b, **kwargs)
    dout = rng.normal(size=out.shape)
    grads = conv2d_backward(dout, cache)
    nums = _numerical_grads(lambda *a: conv2d_forward(*a, **kwargs)[0], [x, w, b], dout)
    for name, grad, num in zip("xwb", grads, nums):
        np.testing.assert_allclose(grad, num, rtol=1e-7, atol=1e-8,
                                   err_msg=f"d{name} differs from central differences")


def naive_conv2d(x, w, b, stride, padding, dilation=1):
    """Brute-force oracle written straight from the definition (loops over every output)."""
    N, C, H, W = x.shape
    K, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    span_h, span_w = dilation * (kh - 1) + 1, dilation * (kw - 1) + 1
    out_h = (H + 2 * padding - span_h) // stride + 1
    out_w = (W + 2 * padding - span_w) // stride + 1
    out = np.zeros((N, K, out_h, out_w))
    for n, k, i, j in itertools.product(range(N), range(K), range(out_h), range(out_w)):
        patch = xp[n, :, i * stride:i * stride + span_h:dilation,
                   j * stride:j * stride + span_w:dilation]
        out[n, k, i, j] = b[k] + (w[k] * patch).sum()
    return out


@pytest.mark.parametrize("stride, padding, dilation", [(2, 1, 1), (1, 0, 2), (2, 2, 3)])
def test_forward_matches_the_definition(stride, padding, dilation):
    rng = np.random.default_rng(5)
    x, w, b = rng.normal(size=(2, 3, 9, 8)), rng.normal(size=(2, 3, 3, 2)), rng.normal(size=2)
    out, _ = conv2d_forward(x, w, b, stride=stride, padding=padding, dilation=dilation)
    np.testing.assert_allclose(out, naive_conv2d(x, w, b, stride, padding, dilation),
                               rtol=1e-12, atol=1e-12)


def test_dilated_kernel_is_a_kernel_with_zeros_inserted():
    """A dilation-d convolution equals an ordinary one with d - 1 zeros between the taps."""
    rng = np.random.default_rng(9)
    x, w = rng.normal(size=(1, 2, 11, 10)), rng.normal(size=(3, 2, 3, 3))
    spread = np.zeros((3, 2, 5, 5))
    spread[:, :, ::2, ::2] = w
    dilated, _ = conv2d_forward(x, w, None, padding=1, dilation=2)
    plain, _ = conv2d_forward(x, spread, None, padding=1)
    np.testing.assert_allclose(dilated, plain, rtol=1e-12, atol=1e-12)


def test_float32_stays_float32():
    x, w = np.ones((1, 2, 5, 5), np.float32), np.ones((3, 2, 3, 3), np.float32)
    out, cache = conv2d_forward(x, w, np.zeros(3, np.float32), padding=1)
    dx, dw, db = conv2d_backward(np.ones_like(out), cache)
    assert out.dtype == dx.dtype == dw.dtype == db.dtype == np.float32
    x = np.ones((1, 1, 4, 4), np.float32)
    for fwd, bwd in ((max_pool2d_forward, max_pool2d_backward),
                     (avg_pool2d_forward, avg_pool2d_backward)):
        out, cache = fwd(x, 2)
        assert out.dtype == np.float32 and bwd(np.ones_like(out), cache).dtype == np.float32


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
    ((1, 1, 3, 3), (1, 1, 5, 5), (1,), {},
     r"\(1, 1, 5, 5\) .*is larger than the padded input.*\(1, 1, 3, 3\)"),
    ((1, 1, 5, 5), (1, 1, 3, 3), (1,), {"dilation": 3}, r"dilation \(3, 3\).*larger"),
    ((1, 1, 5, 5), (1, 1, 3, 3), (1,), {"stride": 0}, r"stride must be >= 1, got \(0, 0\)"),
    ((1, 1, 5, 5), (1, 1, 3, 3), (1,), {"stride": (1, -2)}, r"stride must be >= 1"),
    ((1, 1, 5, 5), (1, 1, 3, 3), (1,), {"stride": (1, 1, 1)}, r"stride must be an int or a pair"),
    ((1, 1, 5, 5), (1, 1, 3, 3), (1,), {"padding": -1}, r"padding must be >= 0"),
    ((1, 1, 5, 5), (1, 1, 3, 3), (1,), {"dilation": 0}, r"dilation must be >= 1"),
    ((1, 5, 5), (1, 1, 3, 3), (1,), {}, r"x must have 4 dimension\(s\), got shape \(1, 5, 5\)"),
    ((1, 1, 5, 5), (1, 3, 3), (1,), {}, r"w must have 4 dimension\(s\), got shape \(1, 3, 3\)"),
    ((1, 1, 5, 5), (2, 1, 3, 3), (3,), {}, r"b has shape \(3,\).*\(2, 1, 3, 3\)"),
])
def test_conv2d_bad_input(x_shape, w_shape, b_shape, kwargs, match):
    with pytest.raises(ValueError, match=match):
        conv2d_forward(np.zeros(x_shape), np.zeros(w_shape), np.zeros(b_shape), **kwargs)


def test_conv2d_type_errors_and_bad_dout():
    with pytest.raises(TypeError, match="stride"):
        conv2d_forward(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)), stride=1.5)
    with pytest.raises(TypeError, match="x must hold real numbers"):
        conv2d_forward(np.array([[[["a"]]]]), np.zeros((1, 1, 1, 1)))
    out, cache = conv2d_forward(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)))
    with pytest.raises(ValueError,
                       match=r"dout must have shape .*\(1, 1, 3, 3\), got \(1, 1, 4, 4\)"):
        conv2d_backward(np.zeros((1, 1, 4, 4)), cache)


def test_conv_transpose2d_bad_input():
    with pytest.raises(ValueError, match="channel mismatch"):
        conv_transpose2d_forward(np.zeros((1, 2, 3, 3)), np.zeros((3, 1, 2, 2)))
    with pytest.raises(ValueError, match="output_padding"):
        conv_transpose2d_forward(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 2, 2)), stride=2,
                                 output_padding=2)
    with pytest.raises(ValueError, match="crops everything"):
        conv_transpose2d_forward(np.zeros((1, 1, 1, 1)), np.zeros((1, 1, 2, 2)), padding=1)


# -- Pooling -----------------------------------------------------------------------------------
POOL_FUNCTIONS = {"max": (max_pool2d_forward, max_pool2d_backward, F.max_pool2d),
                  "avg": (avg_pool2d_forward, avg_pool2d_backward, F.avg_pool2d)}


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("N, C, H, W, kernel, stride, padding", POOLS)
def test_pooling_matches_torch(kind, N, C, H, W, kernel, stride, padding):
    rng = np.random.default_rng(_seed(N, W, H))
    x = rng.normal(size=(N, C, H, W))  # continuous values: no ties
    xt = torch.tensor(x, requires_grad=True)
    fwd, bwd, torch_fn = POOL_FUNCTIONS[kind]
    out_t = torch_fn(xt, kernel, stride=stride, padding=padding)
    dout = rng.normal(size=tuple(out_t.shape))
    (out_t * torch.from_numpy(dout)).sum().backward()
    out, cache = fwd(x, kernel, stride, padding)
    np.testing.assert_allclose(out, out_t.detach().numpy(), **TOL,
                               err_msg=f"{kind} pool forward differs from torch")
    np.testing.assert_allclose(bwd(dout, cache), xt.grad.numpy(), **TOL,
                               err_msg=f"{kind} pool dx differs from autograd")


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


def naive_pool(x, k, s, p, reduce, fill):
    """Brute-force pooling from the definition: one window at a time."""
    N, C, H, W = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=fill)
    out_h, out_w = (H + 2 * p - k) // s + 1, (W + 2 * p - k) // s + 1
    out = np.zeros((N, C, out_h, out_w))
    for n, c, i, j in itertools.product(range(N), range(C), range(out_h), range(out_w)):
        out[n, c, i, j] = reduce(xp[n, c, i * s:i * s + k, j * s:j * s + k])
    return out


def test_pooling_matches_the_definition():
    x = np.random.default_rng(6).normal(size=(2, 3, 7, 6))
    np.testing.assert_allclose(max_pool2d_forward(x, 3, 2, 1)[0],
                               naive_pool(x, 3, 2, 1, np.max, -np.inf), rtol=0, atol=0)
    np.testing.assert_allclose(avg_pool2d_forward(x, 3, 2, 1)[0],
                               naive_pool(x, 3, 2, 1, np.mean, 0.0), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_numerical_gradient_of_pooling(kind):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 2, 5, 5))
    fwd, bwd, _ = POOL_FUNCTIONS[kind]
    out, cache = fwd(x, 3, 2, 1)
    dout = rng.normal(size=out.shape)
    (num,) = _numerical_grads(lambda a: fwd(a, 3, 2, 1)[0], [x], dout)
    np.testing.assert_allclose(bwd(dout, cache), num, rtol=1e-7, atol=1e-8,
                               err_msg=f"{kind} pool dx differs from central differences")


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_bad_input(kind):
    fwd, bwd, _ = POOL_FUNCTIONS[kind]
    with pytest.raises(ValueError, match=r"got shape \(4, 4\)"):
        fwd(np.zeros((4, 4)), 2)
    with pytest.raises(ValueError,
                       match=r"kernel \(5, 5\) is larger than the padded input \(4, 4\)"):
        fwd(np.zeros((1, 1, 4, 4)), 5)
    with pytest.raises(ValueError, match=r"stride must be >= 1, got \(0, 0\)"):
        fwd(np.zeros((1, 1, 4, 4)), 2, 0)
    with pytest.raises(ValueError, match="kernel_size must be >= 1"):
        fwd(np.zeros((1, 1, 4, 4)), 0)
    with pytest.raises(ValueError, match="kernel_size must be an int or a pair"):
        fwd(np.zeros((1, 1, 4, 4)), (2, 2, 2))
    with pytest.raises(ValueError, match="at most half the kernel"):
        fwd(np.zeros((1, 1, 4, 4)), 2, 1, 2)
    out, cache = fwd(np.zeros((1, 1, 4, 4)), 2)
    with pytest.raises(ValueError, match=r"dout must have shape .*got \(1, 1, 3, 3\)"):
        bwd(np.zeros((1, 1, 3, 3)), cache)
