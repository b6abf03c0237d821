r"""PyTorch twins of :mod:`dlbook.cnn.conv` and :mod:`dlbook.cnn.pooling`: the same names and caches.

Written by hand on ``torch.nn.functional.unfold`` (im2col) and ``fold`` (col2im), not by calling
``F.conv2d`` or autograd, so the backward passes are the formulas of the NumPy reference run on
tensors; they work on any device (``dlbook.utils.get_device()``) and in any float dtype. The tests
compare them with ``F.conv2d``, ``F.conv_transpose2d``, ``F.max_pool2d``, ``F.avg_pool2d`` and
autograd.

See Also
--------
dlbook.cnn.conv : the NumPy reference (docstrings with the full math).
:ref:`ch-convolution` : the chapter.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from dlbook.cnn.im2col import _pair, conv_output_size

__all__ = [
    "im2col", "col2im", "conv2d_forward", "conv2d_backward", "conv_transpose2d_forward",
    "conv_transpose2d_backward", "max_pool2d_forward", "max_pool2d_backward", "avg_pool2d_forward",
    "avg_pool2d_backward",
]


def _check(x, w, b, in_axis, out_axis):
    if x.dim() != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got shape {tuple(x.shape)}")
    if w.dim() != 4:
        raise ValueError(f"w must be 4-D, got shape {tuple(w.shape)}")
    if w.shape[in_axis] != x.shape[1]:
        raise ValueError(f"channel mismatch: x has shape {tuple(x.shape)} ({x.shape[1]} channels) but w has shape "
                         f"{tuple(w.shape)} (expects {w.shape[in_axis]} input channels)")
    if b is not None and tuple(b.shape) != (w.shape[out_axis],):
        raise ValueError(f"b has shape {tuple(b.shape)} but w has shape {tuple(w.shape)}")


def _check_dout(dout, expected):
    if tuple(dout.shape) != tuple(expected):
        raise ValueError(f"dout has shape {tuple(dout.shape)} but the forward output has shape {tuple(expected)}")


def im2col(x, kernel_size, stride=1, padding=0):
    r"""Patches as columns, shape (N, C*kh*kw, out_h*out_w): ``F.unfold`` with validated arguments.

    See Also
    --------
    dlbook.cnn.im2col.im2col : the NumPy twin.

    Examples
    --------
    >>> im2col(torch.arange(9.0).reshape(1, 1, 3, 3), 2)[0, :, 0]
    tensor([0., 1., 3., 4.])
    """
    k, s, p = _pair(kernel_size, "kernel_size", 1), _pair(stride, "stride", 1), _pair(padding, "padding", 0)
    if x.dim() != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got shape {tuple(x.shape)}")
    conv_output_size(x.shape[2], k[0], s[0], p[0]), conv_output_size(x.shape[3], k[1], s[1], p[1])  # validates
    return F.unfold(x, k, padding=p, stride=s)


def col2im(cols, x_shape, kernel_size, stride=1, padding=0):
    r"""Sum columns back onto an (N, C, H, W) image: ``F.fold``, the adjoint of :func:`im2col`.

    See Also
    --------
    dlbook.cnn.im2col.col2im : the NumPy twin.

    Examples
    --------
    >>> col2im(im2col(torch.ones(1, 1, 3, 3), 2), (1, 1, 3, 3), 2)[0, 0, 1]
    tensor([2., 4., 2.])
    """
    return F.fold(cols, tuple(x_shape[2:]), _pair(kernel_size, "kernel_size", 1),
                  padding=_pair(padding, "padding", 0), stride=_pair(stride, "stride", 1))


def conv2d_forward(x, w, b=None, stride=1, padding=0):
    r"""Convolution (cross-correlation) as im2col + one batched matrix product; returns (out, cache).

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
    _check(x, w, b, 1, 0)
    s, p = _pair(stride, "stride", 1), _pair(padding, "padding", 0)
    N, C, H, W = x.shape
    K, _, kh, kw = w.shape
    if kh > H + 2 * p[0] or kw > W + 2 * p[1]:
        raise ValueError(f"kernel of w with shape {tuple(w.shape)} is larger than the padded input: x has shape "
                         f"{tuple(x.shape)}, padding {p} gives ({H + 2 * p[0]}, {W + 2 * p[1]})")
    out_h, out_w = conv_output_size(H, kh, s[0], p[0]), conv_output_size(W, kw, s[1], p[1])
    cols = F.unfold(x, (kh, kw), padding=p, stride=s)  # (N, C*kh*kw, L)
    out = w.reshape(K, -1) @ cols  # (N, K, L)
    if b is not None:
        out = out + b[:, None]
    return out.reshape(N, K, out_h, out_w), (tuple(x.shape), cols, w, b is not None, s, p)


def conv2d_backward(dout, cache):
    r"""Gradients (dx, dw, db) of :func:`conv2d_forward`: ``dw = sum_n dout[n] cols[n]^T``, ``dx = fold(w^T dout)``.

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
    x_shape, cols, w, has_bias, s, p = cache
    N, C, H, W = x_shape
    K, _, kh, kw = w.shape
    _check_dout(dout, (N, K, conv_output_size(H, kh, s[0], p[0]), conv_output_size(W, kw, s[1], p[1])))
    dout_mat = dout.reshape(N, K, -1)  # (N, K, L)
    dw = torch.einsum("nkl,nml->km", dout_mat, cols).reshape(w.shape)
    db = dout.sum(dim=(0, 2, 3)) if has_bias else None
    dx = F.fold(w.reshape(K, -1).T @ dout_mat, (H, W), (kh, kw), padding=p, stride=s)  # (N, C, H, W)
    return dx, dw, db


def conv_transpose2d_forward(x, w, b=None, stride=1, padding=0, output_padding=0):
    r"""Transposed convolution, w of shape (C_in, C_out, kh, kw): ``fold(w_mat^T x)`` then crop.

    See Also
    --------
    dlbook.cnn.conv.conv_transpose2d_forward : the NumPy twin and the math.

    Examples
    --------
    >>> out, _ = conv_transpose2d_forward(torch.tensor([[[[1.0, 2.0]]]]), torch.ones(1, 1, 1, 2), stride=2)
    >>> out[0, 0, 0]
    tensor([1., 1., 2., 2.])
    """
    _check(x, w, b, 0, 1)
    s, p, op = _pair(stride, "stride", 1), _pair(padding, "padding", 0), _pair(output_padding, "output_padding", 0)
    if op[0] >= s[0] or op[1] >= s[1]:
        raise ValueError(f"output_padding {op} must be smaller than stride {s}")
    N, C_in, H, W = x.shape
    _, C_out, kh, kw = w.shape
    full = ((H - 1) * s[0] + kh + op[0], (W - 1) * s[1] + kw + op[1])
    H_out, W_out = full[0] - 2 * p[0], full[1] - 2 * p[1]
    if H_out < 1 or W_out < 1:
        raise ValueError(f"padding {p} crops everything: x has shape {tuple(x.shape)}, w has shape {tuple(w.shape)}")
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
    >>> out, cache = conv_transpose2d_forward(torch.ones(1, 1, 2, 2), torch.ones(1, 1, 2, 2), torch.zeros(1), stride=2)
    >>> conv_transpose2d_backward(torch.ones_like(out), cache)[0][0, 0, 0]
    tensor([4., 4.])
    """
    x, w, has_bias, s, p, full = cache
    N, C_in, H, W = x.shape
    _, C_out, kh, kw = w.shape
    _check_dout(dout, (N, C_out, full[0] - 2 * p[0], full[1] - 2 * p[1]))
    cols = F.unfold(dout, (kh, kw), padding=p, stride=s)  # (N, C_out*kh*kw, H*W)
    dx = (w.reshape(C_in, -1) @ cols).reshape(N, C_in, H, W)
    dw = torch.einsum("ncl,nml->cm", x.reshape(N, C_in, H * W), cols).reshape(w.shape)
    db = dout.sum(dim=(0, 2, 3)) if has_bias else None
    return dx, dw, db


def _pool_setup(x, kernel_size, stride, padding):
    if x.dim() != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got shape {tuple(x.shape)}")
    k = _pair(kernel_size, "kernel_size", 1)
    s = k if stride is None else _pair(stride, "stride", 1)
    p = _pair(padding, "padding", 0)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"padding {p} must be at most half the kernel size {k}")
    H, W = x.shape[2:]
    if k[0] > H + 2 * p[0] or k[1] > W + 2 * p[1]:
        raise ValueError(f"kernel {k} is larger than the padded input ({H + 2 * p[0]}, {W + 2 * p[1]}) "
                         f"of x with shape {tuple(x.shape)} and padding {p}")
    return k, s, p, (conv_output_size(H, k[0], s[0], p[0]), conv_output_size(W, k[1], s[1], p[1]))


def max_pool2d_forward(x, kernel_size, stride=None, padding=0):
    r"""Max pooling via unfold; the cache keeps the first maximum of each window (PyTorch's tie rule).

    See Also
    --------
    dlbook.cnn.pooling.max_pool2d_forward : the NumPy twin and the math.
    :ref:`ch-pooling` : the chapter.

    Examples
    --------
    >>> max_pool2d_forward(torch.tensor([[[[1.0, 3.0], [2.0, 9.0]]]]), 2)[0].item()
    9.0
    """
    k, s, p, (out_h, out_w) = _pool_setup(x, kernel_size, stride, padding)
    N, C, H, W = x.shape
    xp = F.pad(x, (p[1], p[1], p[0], p[0]), value=float("-inf"))
    win = F.unfold(xp.reshape(N * C, 1, *xp.shape[2:]), k, stride=s)  # (N*C, kh*kw, L)
    out, arg = win.max(dim=1)  # (N*C, L) each
    return out.reshape(N, C, out_h, out_w), (tuple(x.shape), arg, k, s, p)


def max_pool2d_backward(dout, cache):
    r"""Route each gradient to its window's maximum; overlapping windows add up (``F.fold``).

    See Also
    --------
    dlbook.cnn.pooling.max_pool2d_backward : the NumPy twin and the math.

    Examples
    --------
    >>> out, cache = max_pool2d_forward(torch.tensor([[[[1.0, 3.0], [2.0, 9.0]]]]), 2)
    >>> max_pool2d_backward(torch.ones_like(out), cache)[0, 0]
    tensor([[0., 0.],
            [0., 1.]])
    """
    (N, C, H, W), arg, k, s, p = cache
    _check_dout(dout, (N, C, *_pool_out(H, W, k, s, p)))
    dcols = torch.zeros(N * C, k[0] * k[1], arg.shape[1], dtype=dout.dtype, device=dout.device)
    dcols.scatter_(1, arg[:, None, :], dout.reshape(N * C, 1, -1))
    dxp = F.fold(dcols, (H + 2 * p[0], W + 2 * p[1]), k, stride=s)  # (N*C, 1, Hp, Wp)
    return dxp.reshape(N, C, H + 2 * p[0], W + 2 * p[1])[:, :, p[0]:p[0] + H, p[1]:p[1] + W]


def _pool_out(H, W, k, s, p):
    return conv_output_size(H, k[0], s[0], p[0]), conv_output_size(W, k[1], s[1], p[1])


def avg_pool2d_forward(x, kernel_size, stride=None, padding=0):
    r"""Average pooling (padded zeros counted, as PyTorch's default) via unfold.

    See Also
    --------
    dlbook.cnn.pooling.avg_pool2d_forward : the NumPy twin and the math.

    Examples
    --------
    >>> avg_pool2d_forward(torch.tensor([[[[1.0, 3.0], [2.0, 9.0]]]]), 2)[0].item()
    3.75
    """
    k, s, p, (out_h, out_w) = _pool_setup(x, kernel_size, stride, padding)
    N, C, H, W = x.shape
    win = F.unfold(x.reshape(N * C, 1, H, W), k, padding=p, stride=s)  # (N*C, kh*kw, L)
    return win.mean(dim=1).reshape(N, C, out_h, out_w), (tuple(x.shape), k, s, p)


def avg_pool2d_backward(dout, cache):
    r"""Share each window's gradient equally among its kh*kw pixels (``F.fold`` sums overlaps).

    See Also
    --------
    dlbook.cnn.pooling.avg_pool2d_backward : the NumPy twin and the math.

    Examples
    --------
    >>> out, cache = avg_pool2d_forward(torch.zeros(1, 1, 2, 2), 2)
    >>> avg_pool2d_backward(torch.ones_like(out), cache)[0, 0, 0]
    tensor([0.2500, 0.2500])
    """
    (N, C, H, W), k, s, p = cache
    out_hw = _pool_out(H, W, k, s, p)
    _check_dout(dout, (N, C, *out_hw))
    dcols = (dout.reshape(N * C, 1, -1) / (k[0] * k[1])).expand(N * C, k[0] * k[1], out_hw[0] * out_hw[1])
    return F.fold(dcols, (H, W), k, padding=p, stride=s).reshape(N, C, H, W)
