r"""PyTorch twins of :mod:`dlbook.cnn.conv`: the same names, arguments, shapes and caches.

Written by hand on ``torch.nn.functional.unfold`` (im2col) and ``fold`` (col2im), not by calling
``F.conv2d`` or autograd, so the backward passes are the formulas of the NumPy reference run on
tensors; they work on any device (``dlbook.utils.get_device()``) and in any float dtype. The tests
compare them with ``F.conv2d``, ``F.conv_transpose2d``, ``F.max_pool2d``, ``F.avg_pool2d`` and
autograd.

See Also
--------
dlbook.cnn.conv : the NumPy reference (docstrings with the full math).
:ref:`ch-convolution`, :ref:`ch-pooling` : the chapters.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from dlbook._checks import check_shape, int_pair, real_tensor
from dlbook.cnn.conv_arithmetic import conv2d_output_shape

__all__ = [
    "conv2d_forward", "conv2d_backward", "conv_transpose2d_forward", "conv_transpose2d_backward",
    "max_pool2d_forward", "max_pool2d_backward", "avg_pool2d_forward", "avg_pool2d_backward",
]


def _conv_tensors(x, w, b, in_axis: int, out_axis: int):
    """x (N, C, H, W), w (4-D, axis ``in_axis`` matching C) and b, checked as tensors."""
    x, w = real_tensor(x, "x", ndim=4), real_tensor(w, "w", ndim=4)
    if w.shape[in_axis] != x.shape[1]:
        raise ValueError(f"channel mismatch: x has shape {tuple(x.shape)} ({x.shape[1]} channels) "
                         f"but w has shape {tuple(w.shape)} (expects {w.shape[in_axis]} input "
                         f"channels)")
    if b is not None:
        b = real_tensor(b, "b")
        if tuple(b.shape) != (w.shape[out_axis],):
            raise ValueError(f"b has shape {tuple(b.shape)} but w has shape {tuple(w.shape)}: b "
                             f"must have shape ({w.shape[out_axis]},)")
    return x, w, b


def _dout(dout, expected, what: str):
    dout = real_tensor(dout, "dout")
    check_shape(dout, "dout", expected, what)
    return dout


def conv2d_forward(x, w, b=None, stride=1, padding=0, dilation=1):
    r"""Convolution (cross-correlation) as im2col + one batched matrix product; (out, cache).

    x (N, C, H, W), w (K, C, kh, kw), b (K,) or None; out (N, K, out_h, out_w).

    See Also
    --------
    dlbook.cnn.conv.conv2d_forward : the NumPy twin and the math.
    :ref:`ch-convolution` : the chapter.

    Examples
    --------
    >>> x = torch.zeros(1, 1, 6, 6); x[..., :3] = 10
    >>> w = torch.tensor([[[[1.0, 0, -1], [1, 0, -1], [1, 0, -1]]]])
    >>> conv2d_forward(x, w, torch.zeros(1))[0][0, 0, 0]
    tensor([ 0., 30., 30.,  0.])
    """
    x, w, b = _conv_tensors(x, w, b, 1, 0)
    s, d = int_pair(stride, "stride"), int_pair(dilation, "dilation")
    p = int_pair(padding, "padding", low=0)
    N, C, H, W = x.shape
    K, _, kh, kw = w.shape
    if d[0] * (kh - 1) + 1 > H + 2 * p[0] or d[1] * (kw - 1) + 1 > W + 2 * p[1]:
        raise ValueError(f"kernel of w with shape {tuple(w.shape)} (dilation {d}) is larger than "
                         f"the padded input: x has shape {tuple(x.shape)}, padding {p}")
    out_h, out_w = conv2d_output_shape((H, W), (kh, kw), s, p, d)
    cols = F.unfold(x, (kh, kw), dilation=d, padding=p, stride=s)  # (N, C*kh*kw, L)
    out = w.reshape(K, -1) @ cols  # (N, K, L)
    if b is not None:
        out = out + b[:, None]
    return out.reshape(N, K, out_h, out_w), (tuple(x.shape), cols, w, b is not None, s, p, d)


def conv2d_backward(dout, cache):
    r"""Gradients (dx, dw, db) of :func:`conv2d_forward`: ``dw = sum_n dout[n] cols[n]^T``, ...

    ... and ``dx = fold(w^T dout)``.

    See Also
    --------
    dlbook.cnn.conv.conv2d_backward : the NumPy twin and the math.

    Examples
    --------
    >>> out, cache = conv2d_forward(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 2, 2), torch.zeros(1))
    >>> dx, dw, db = conv2d_backward(torch.ones_like(out), cache)
    >>> dx[0, 0, 1], db
    (tensor([2., 4., 2.]), tensor([4.]))
    """
    x_shape, cols, w, has_bias, s, p, d = cache
    N, C, H, W = x_shape
    K, _, kh, kw = w.shape
    out_hw = conv2d_output_shape((H, W), (kh, kw), s, p, d)
    dout = _dout(dout, (N, K, *out_hw), "(N, K, out_h, out_w)")
    dout_mat = dout.reshape(N, K, -1)  # (N, K, L)
    dw = torch.einsum("nkl,nml->km", dout_mat, cols).reshape(w.shape)
    db = dout.sum(dim=(0, 2, 3)) if has_bias else None
    dcols = w.reshape(K, -1).T @ dout_mat  # (N, C*kh*kw, L)
    dx = F.fold(dcols, (H, W), (kh, kw), dilation=d, padding=p, stride=s)  # (N, C, H, W)
    return dx, dw, db


def conv_transpose2d_forward(x, w, b=None, stride=1, padding=0, output_padding=0):
    r"""Transposed convolution, w of shape (C_in, C_out, kh, kw): ``fold(w_mat^T x)`` then crop.

    See Also
    --------
    dlbook.cnn.conv.conv_transpose2d_forward : the NumPy twin and the math.

    Examples
    --------
    >>> x = torch.tensor([[[[1.0, 2.0]]]])
    >>> out, _ = conv_transpose2d_forward(x, torch.ones(1, 1, 1, 2), stride=2)
    >>> out[0, 0, 0]
    tensor([1., 1., 2., 2.])
    """
    x, w, b = _conv_tensors(x, w, b, 0, 1)
    s, p = int_pair(stride, "stride"), int_pair(padding, "padding", low=0)
    op = int_pair(output_padding, "output_padding", low=0)
    if op[0] >= s[0] or op[1] >= s[1]:
        raise ValueError(f"output_padding {op} must be smaller than stride {s}")
    N, C_in, H, W = x.shape
    _, C_out, kh, kw = w.shape
    full = ((H - 1) * s[0] + kh + op[0], (W - 1) * s[1] + kw + op[1])
    H_out, W_out = full[0] - 2 * p[0], full[1] - 2 * p[1]
    if H_out < 1 or W_out < 1:
        raise ValueError(f"padding {p} crops everything: x has shape {tuple(x.shape)}, w has "
                         f"shape {tuple(w.shape)}, output would be ({H_out}, {W_out})")
    cols = w.reshape(C_in, -1).T @ x.reshape(N, C_in, H * W)  # (N, C_out*kh*kw, H*W)
    out = F.fold(cols, full, (kh, kw), stride=s)[:, :, p[0]:p[0] + H_out, p[1]:p[1] + W_out]
    if b is not None:
        out = out + b[:, None, None]
    return out, (x, w, b is not None, s, p, full)


def conv_transpose2d_backward(dout, cache):
    r"""Gradients (dx, dw, db) of :func:`conv_transpose2d_forward`: im2col of the padded dout.

    See Also
    --------
    dlbook.cnn.conv.conv_transpose2d_backward : the NumPy twin and the math.

    Examples
    --------
    >>> ones = torch.ones(1, 1, 2, 2)
    >>> out, cache = conv_transpose2d_forward(ones, ones, torch.zeros(1), stride=2)
    >>> conv_transpose2d_backward(torch.ones_like(out), cache)[0][0, 0, 0]
    tensor([4., 4.])
    """
    x, w, has_bias, s, p, full = cache
    N, C_in, H, W = x.shape
    _, C_out, kh, kw = w.shape
    expected = (N, C_out, full[0] - 2 * p[0], full[1] - 2 * p[1])
    dout = _dout(dout, expected, "(N, C_out, H_out, W_out)")
    cols = F.unfold(dout, (kh, kw), padding=p, stride=s)  # (N, C_out*kh*kw, H*W)
    dx = (w.reshape(C_in, -1) @ cols).reshape(N, C_in, H, W)
    dw = torch.einsum("ncl,nml->cm", x.reshape(N, C_in, H * W), cols).reshape(w.shape)
    db = dout.sum(dim=(0, 2, 3)) if has_bias else None
    return dx, dw, db


def _pool_setup(x, kernel_size, stride, padding):
    """Checked x, kernel, stride (default: the kernel), padding and output size of a pooling."""
    x = real_tensor(x, "x", ndim=4)
    k = int_pair(kernel_size, "kernel_size")
    s = k if stride is None else int_pair(stride, "stride")
    p = int_pair(padding, "padding", low=0)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"padding {p} must be at most half the kernel size {k}")
    return x, k, s, p, conv2d_output_shape(tuple(x.shape[2:]), k, s, p)


def max_pool2d_forward(x, kernel_size, stride=None, padding=0):
    r"""Max pooling via unfold; the cache keeps the first maximum of each window (PyTorch's rule).

    See Also
    --------
    dlbook.cnn.conv.max_pool2d_forward : the NumPy twin and the math.
    :ref:`ch-pooling` : the chapter.

    Examples
    --------
    >>> max_pool2d_forward(torch.tensor([[[[1.0, 3.0], [2.0, 9.0]]]]), 2)[0].item()
    9.0
    """
    x, k, s, p, (out_h, out_w) = _pool_setup(x, kernel_size, stride, padding)
    N, C, H, W = x.shape
    xp = F.pad(x, (p[1], p[1], p[0], p[0]), value=float("-inf"))
    cols = F.unfold(xp.reshape(N * C, 1, *xp.shape[2:]), k, stride=s)  # (N*C, kh*kw, L)
    out, arg = cols.max(dim=1)  # (N*C, L) each
    return out.reshape(N, C, out_h, out_w), (tuple(x.shape), x.dtype, arg, k, s, p)


def max_pool2d_backward(dout, cache):
    r"""Route each gradient to its window's maximum; overlapping windows add up (``F.fold``).

    See Also
    --------
    dlbook.cnn.conv.max_pool2d_backward : the NumPy twin and the math.

    Examples
    --------
    >>> out, cache = max_pool2d_forward(torch.tensor([[[[1.0, 3.0], [2.0, 9.0]]]]), 2)
    >>> max_pool2d_backward(torch.ones_like(out), cache)[0, 0]
    tensor([[0., 0.],
            [0., 1.]])
    """
    (N, C, H, W), dtype, arg, k, s, p = cache
    out_h, out_w = conv2d_output_shape((H, W), k, s, p)
    dout = _dout(dout, (N, C, out_h, out_w), "(N, C, out_h, out_w)").to(dtype)
    dcols = torch.zeros(N * C, k[0] * k[1], out_h * out_w, dtype=dtype, device=dout.device)
    dcols.scatter_(1, arg[:, None, :], dout.reshape(N * C, 1, -1))
    Hp, Wp = H + 2 * p[0], W + 2 * p[1]
    dxp = F.fold(dcols, (Hp, Wp), k, stride=s)  # (N*C, 1, Hp, Wp)
    return dxp.reshape(N, C, Hp, Wp)[:, :, p[0]:p[0] + H, p[1]:p[1] + W]


def avg_pool2d_forward(x, kernel_size, stride=None, padding=0):
    r"""Average pooling (padded zeros counted, as PyTorch's default) via unfold.

    See Also
    --------
    dlbook.cnn.conv.avg_pool2d_forward : the NumPy twin and the math.

    Examples
    --------
    >>> avg_pool2d_forward(torch.tensor([[[[1.0, 3.0], [2.0, 9.0]]]]), 2)[0].item()
    3.75
    """
    x, k, s, p, (out_h, out_w) = _pool_setup(x, kernel_size, stride, padding)
    N, C, H, W = x.shape
    cols = F.unfold(x.reshape(N * C, 1, H, W), k, padding=p, stride=s)  # (N*C, kh*kw, L)
    return cols.mean(dim=1).reshape(N, C, out_h, out_w), (tuple(x.shape), x.dtype, k, s, p)


def avg_pool2d_backward(dout, cache):
    r"""Share each window's gradient equally among its kh*kw pixels (``F.fold`` sums overlaps).

    See Also
    --------
    dlbook.cnn.conv.avg_pool2d_backward : the NumPy twin and the math.

    Examples
    --------
    >>> out, cache = avg_pool2d_forward(torch.zeros(1, 1, 2, 2), 2)
    >>> avg_pool2d_backward(torch.ones_like(out), cache)[0, 0, 0]
    tensor([0.2500, 0.2500])
    """
    (N, C, H, W), dtype, k, s, p = cache
    out_h, out_w = conv2d_output_shape((H, W), k, s, p)
    dout = _dout(dout, (N, C, out_h, out_w), "(N, C, out_h, out_w)").to(dtype)
    share = dout.reshape(N * C, 1, -1) / (k[0] * k[1])
    dcols = share.expand(N * C, k[0] * k[1], out_h * out_w)
    return F.fold(dcols, (H, W), k, padding=p, stride=s).reshape(N, C, H, W)
