r"""2-D convolution and transposed convolution in NumPy: forward and backward as pure functions.

Both are built on :func:`dlbook.cnn.im2col.im2col` / :func:`~dlbook.cnn.im2col.col2im`, so a
convolution is one matrix product per image. Layouts are PyTorch's, so weights copy straight to
and from ``torch.nn.Conv2d`` (``w`` of shape (K, C, kh, kw)) and ``torch.nn.ConvTranspose2d``
(``w`` of shape (C_in, C_out, kh, kw)). Like PyTorch (and every deep-learning library), "convolution"
here is cross-correlation: the kernel is not flipped.

The pooling functions of :mod:`dlbook.cnn.pooling` are re-exported here, so
``dlbook.cnn.conv.max_pool2d_forward`` works too.

See Also
--------
dlbook.cnn.conv_torch : the PyTorch twins (same names).
:ref:`ch-convolution` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook.cnn.im2col import _pair, col2im, conv_output_size, im2col
from dlbook.cnn.pooling import (
    avg_pool2d_backward,
    avg_pool2d_forward,
    max_pool2d_backward,
    max_pool2d_forward,
)

__all__ = [
    "conv2d_forward", "conv2d_backward", "conv_transpose2d_forward", "conv_transpose2d_backward",
    "im2col", "col2im", "conv_output_size",
    "max_pool2d_forward", "max_pool2d_backward", "avg_pool2d_forward", "avg_pool2d_backward",
]


def _as_float_array(a, name: str) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype == bool or not np.issubdtype(a.dtype, np.number) or np.iscomplexobj(a):
        raise TypeError(f"{name} must hold real numbers, got dtype {a.dtype}")
    return a if np.issubdtype(a.dtype, np.floating) else a.astype(np.float64)


def _check_inputs(x, w, b, in_axis: int, out_axis: int):
    """Validate x (N, C, H, W), w (4-D, channel axis ``in_axis`` matching C) and b; return arrays."""
    x, w = _as_float_array(x, "x"), _as_float_array(w, "w")
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got shape {x.shape}")
    if w.ndim != 4:
        raise ValueError(f"w must be 4-D, got shape {w.shape}")
    if w.shape[in_axis] != x.shape[1]:
        raise ValueError(f"channel mismatch: x has shape {x.shape} ({x.shape[1]} channels) but w has shape "
                         f"{w.shape} (expects {w.shape[in_axis]} input channels)")
    if b is not None:
        b = _as_float_array(b, "b")
        if b.shape != (w.shape[out_axis],):
            raise ValueError(f"b has shape {b.shape} but w has shape {w.shape}: b must have shape ({w.shape[out_axis]},)")
    dtype = np.result_type(x, w, *(() if b is None else (b,)))
    return x.astype(dtype, copy=False), w.astype(dtype, copy=False), (None if b is None else b.astype(dtype, copy=False))


def _check_dout(dout, expected):
    dout = _as_float_array(dout, "dout")
    if dout.shape != tuple(expected):
        raise ValueError(f"dout has shape {dout.shape} but the forward output has shape {tuple(expected)}")
    return dout


def conv2d_forward(x, w, b=None, stride=1, padding=0):
    r"""Forward pass of a 2-D convolution (cross-correlation), as ``torch.nn.functional.conv2d``.

    Parameters
    ----------
    x : array_like of shape (N, C, H, W)
        A batch of N images with C channels.
    w : array_like of shape (K, C, kh, kw)
        K filters, each spanning all C input channels.
    b : array_like of shape (K,), optional
        One bias per filter; None for no bias.
    stride : int or (int, int), default 1
        Step ``(sh, sw)`` between two filter positions, each >= 1.
    padding : int or (int, int), default 0
        Zeros ``(ph, pw)`` added on each side of the image.

    Returns
    -------
    out : ndarray of shape (N, K, out_h, out_w)
        ``out_h = (H + 2 ph - kh) // sh + 1``, ``out_w = (W + 2 pw - kw) // sw + 1``.
    cache : tuple
        What :func:`conv2d_backward` needs.

    Raises
    ------
    ValueError
        If x or w is not 4-D, the channels do not match, b has the wrong shape, the kernel is
        larger than the padded input, or stride < 1 or padding < 0.
    TypeError
        If an input is not real-valued or stride/padding is not an int (pair).

    Notes
    -----
    With :math:`x^\text{pad}` the zero-padded input,

    .. math::

        \text{out}[n, k, i, j] = b_k + \sum_{c=0}^{C-1} \sum_{p=0}^{k_h-1} \sum_{q=0}^{k_w-1}
            w[k, c, p, q]\; x^\text{pad}[n, c,\, i s_h + p,\, j s_w + q] .

    Computed as one matrix product per image, ``w.reshape(K, C*kh*kw) @ im2col(x)[n]``.
    Parameters: :math:`K (C k_h k_w + 1)` with a bias.

    See Also
    --------
    conv2d_backward : the gradients.
    dlbook.cnn.conv_torch.conv2d_forward : the PyTorch twin.
    torch.nn.functional.conv2d : what the tests compare against.
    :ref:`ch-convolution` : the chapter.

    Examples
    --------
    The vertical-edge detector on a 6x6 image, bright (10) on the left, dark (0) on the right:
    each output is 3*10 - 3*0 = 30 where the 3x3 window straddles the edge, 0 elsewhere.

    >>> x = np.zeros((1, 1, 6, 6)); x[..., :3] = 10
    >>> w = np.array([[[[1, 0, -1], [1, 0, -1], [1, 0, -1]]]])
    >>> out, _ = conv2d_forward(x, w, np.zeros(1))
    >>> out[0, 0]
    array([[ 0., 30., 30.,  0.],
           [ 0., 30., 30.,  0.],
           [ 0., 30., 30.,  0.],
           [ 0., 30., 30.,  0.]])
    """
    x, w, b = _check_inputs(x, w, b, in_axis=1, out_axis=0)
    stride, padding = _pair(stride, "stride", 1), _pair(padding, "padding", 0)
    N, C, H, W = x.shape
    K, _, kh, kw = w.shape
    if kh > H + 2 * padding[0] or kw > W + 2 * padding[1]:
        raise ValueError(f"kernel of w with shape {w.shape} is larger than the padded input: x has shape {x.shape}, "
                         f"padding {padding} gives ({H + 2 * padding[0]}, {W + 2 * padding[1]})")
    out_h, out_w = conv_output_size(H, kh, stride[0], padding[0]), conv_output_size(W, kw, stride[1], padding[1])
    cols = im2col(x, (kh, kw), stride, padding)  # (N, C*kh*kw, out_h*out_w)
    out = w.reshape(K, -1) @ cols  # (N, K, out_h*out_w): one matrix product per image
    if b is not None:
        out += b[:, None]
    return out.reshape(N, K, out_h, out_w), (x.shape, cols, w, b is not None, stride, padding)


def conv2d_backward(dout, cache):
    r"""Backward pass of :func:`conv2d_forward`: gradients of a scalar loss L.

    Parameters
    ----------
    dout : array_like of shape (N, K, out_h, out_w)
        :math:`\partial L / \partial\,\text{out}`.
    cache : tuple
        The cache returned by :func:`conv2d_forward`.

    Returns
    -------
    dx : ndarray of shape (N, C, H, W)
        :math:`\partial L / \partial x`.
    dw : ndarray of shape (K, C, kh, kw)
        :math:`\partial L / \partial w`.
    db : ndarray of shape (K,) or None
        :math:`\partial L / \partial b`; None without a bias.

    Raises
    ------
    ValueError
        If ``dout`` does not have the forward output's shape.

    Notes
    -----
    Each weight meets every output position, each input pixel every filter tap that covers it:

    .. math::

        \frac{\partial L}{\partial w[k,c,p,q]} = \sum_{n,i,j} \text{dout}[n,k,i,j]\,
            x^\text{pad}[n,c,i s_h+p,j s_w+q], \qquad
        \frac{\partial L}{\partial b_k} = \sum_{n,i,j} \text{dout}[n,k,i,j],

    .. math::

        \frac{\partial L}{\partial x^\text{pad}[n,c,h,v]} = \sum_{k,i,j}
            \text{dout}[n,k,i,j]\; w[k,c,h - i s_h, v - j s_w]

    (terms with a kernel index outside the kernel vanish; the padding's share is dropped).
    For stride 1 the last line is a "full" convolution of ``dout`` with the flipped kernel;
    in matrices, ``dw = sum_n dout[n] @ cols[n].T`` and ``dx = col2im(w_mat.T @ dout)``.

    See Also
    --------
    conv2d_forward
    dlbook.cnn.conv_torch.conv2d_backward : the PyTorch twin.
    :ref:`ch-convolution` : the chapter.

    Examples
    --------
    With L = sum(out) every weight's gradient counts the input it sees: for a 3x3 image of ones
    and a 2x2 kernel each weight meets 4 positions; the centre pixel is covered 4 times.

    >>> out, cache = conv2d_forward(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), np.zeros(1))
    >>> dx, dw, db = conv2d_backward(np.ones_like(out), cache)
    >>> dw[0, 0], db, dx[0, 0, 1, 1]
    (array([[4., 4.],
           [4., 4.]]), array([4.]), np.float64(4.0))
    """
    x_shape, cols, w, has_bias, stride, padding = cache
    N, C, H, W = x_shape
    K, _, kh, kw = w.shape
    out_h, out_w = conv_output_size(H, kh, stride[0], padding[0]), conv_output_size(W, kw, stride[1], padding[1])
    dout = _check_dout(dout, (N, K, out_h, out_w)).astype(cols.dtype, copy=False)
    dout_mat = dout.reshape(N, K, out_h * out_w)  # (N, K, L)
    # sum_n dout[n] @ cols[n].T as a batched product then a sum: much faster than one tensordot with a
    # 32768-long inner dimension, which OpenBLAS handles badly
    dw = (dout_mat @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)  # (K, C*kh*kw)
    db = dout.sum(axis=(0, 2, 3)) if has_bias else None  # (K,)
    dcols = w.reshape(K, -1).T @ dout_mat  # (N, C*kh*kw, L)
    dx = col2im(dcols, x_shape, (kh, kw), stride, padding)  # (N, C, H, W)
    return dx, dw, db


def conv_transpose2d_forward(x, w, b=None, stride=1, padding=0, output_padding=0):
    r"""Forward pass of a 2-D transposed convolution, as ``torch.nn.functional.conv_transpose2d``.

    Parameters
    ----------
    x : array_like of shape (N, C_in, H, W)
        A batch of feature maps.
    w : array_like of shape (C_in, C_out, kh, kw)
        PyTorch's ``ConvTranspose2d`` layout (input channels first).
    b : array_like of shape (C_out,), optional
        One bias per output channel; None for no bias.
    stride : int or (int, int), default 1
        Upsampling factor ``(sh, sw)``: input pixel (i, j) paints the kernel at (i sh, j sw).
    padding : int or (int, int), default 0
        Rows/columns ``(ph, pw)`` cropped from each side of the result.
    output_padding : int or (int, int), default 0
        Extra rows/columns added at the bottom/right, each smaller than the stride.

    Returns
    -------
    out : ndarray of shape (N, C_out, H_out, W_out)
        ``H_out = (H - 1) sh - 2 ph + kh + oph`` and likewise ``W_out``.
    cache : tuple
        What :func:`conv_transpose2d_backward` needs.

    Raises
    ------
    ValueError
        If the shapes do not fit, stride < 1, padding < 0, output_padding >= stride, or the
        output would be empty.

    Notes
    -----
    Each input pixel scales a copy of the kernel and adds it to the output, overlaps summing:

    .. math::

        \text{full}[n, o, i s_h + p, j s_w + q] \mathrel{+}= \sum_c x[n, c, i, j]\, w[c, o, p, q],
        \qquad \text{out} = \text{full}[\dots, p_h : p_h + H_\text{out}, p_w : p_w + W_\text{out}] + b_o .

    It is the input-gradient of :func:`conv2d_forward` with the same weights, stride and padding
    (the tests check that too); in matrices, ``col2im(w_mat.T @ x)``. Overlaps when
    ``kh`` is not a multiple of ``sh`` are the source of checkerboard artifacts.

    See Also
    --------
    conv_transpose2d_backward : the gradients.
    dlbook.cnn.conv_torch.conv_transpose2d_forward : the PyTorch twin.
    :ref:`ch-convolution`, :ref:`ch-detection` : the chapters.

    Examples
    --------
    A 2x2 input, a 2x2 kernel of ones, stride 2: each pixel becomes a 2x2 block (nearest-
    neighbour upsampling).

    >>> out, _ = conv_transpose2d_forward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), np.ones((1, 1, 2, 2)), stride=2)
    >>> out[0, 0]
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.],
           [3., 3., 4., 4.],
           [3., 3., 4., 4.]])
    """
    x, w, b = _check_inputs(x, w, b, in_axis=0, out_axis=1)
    stride, padding = _pair(stride, "stride", 1), _pair(padding, "padding", 0)
    output_padding = _pair(output_padding, "output_padding", 0)
    if output_padding[0] >= stride[0] or output_padding[1] >= stride[1]:
        raise ValueError(f"output_padding {output_padding} must be smaller than stride {stride}")
    N, C_in, H, W = x.shape
    _, C_out, kh, kw = w.shape
    full_h, full_w = (H - 1) * stride[0] + kh + output_padding[0], (W - 1) * stride[1] + kw + output_padding[1]
    H_out, W_out = full_h - 2 * padding[0], full_w - 2 * padding[1]
    if H_out < 1 or W_out < 1:
        raise ValueError(f"padding {padding} crops everything: x has shape {x.shape}, w has shape {w.shape}, "
                         f"output would be ({H_out}, {W_out})")
    cols = w.reshape(C_in, -1).T @ x.reshape(N, C_in, H * W)  # (N, C_out*kh*kw, H*W)
    full = col2im(cols, (N, C_out, full_h, full_w), (kh, kw), stride, 0)  # (N, C_out, full_h, full_w)
    out = full[:, :, padding[0]:padding[0] + H_out, padding[1]:padding[1] + W_out].copy()
    if b is not None:
        out += b[:, None, None]
    return out, (x, w, b is not None, stride, padding, (full_h, full_w))


def conv_transpose2d_backward(dout, cache):
    r"""Backward pass of :func:`conv_transpose2d_forward`.

    Parameters
    ----------
    dout : array_like of shape (N, C_out, H_out, W_out)
        :math:`\partial L / \partial\,\text{out}`.
    cache : tuple
        The cache returned by :func:`conv_transpose2d_forward`.

    Returns
    -------
    dx : ndarray of shape (N, C_in, H, W)
    dw : ndarray of shape (C_in, C_out, kh, kw)
    db : ndarray of shape (C_out,) or None

    Raises
    ------
    ValueError
        If ``dout`` does not have the forward output's shape.

    Notes
    -----
    The forward pass is a col2im, so the backward pass is an im2col (its adjoint) of the
    zero-padded ``dout``; then ``dx[n] = w_mat @ cols[n]``, which is an ordinary strided
    convolution of ``dout`` with ``w``:

    .. math::

        \frac{\partial L}{\partial x[n,c,i,j]} = \sum_{o,p,q} w[c,o,p,q]\,
            \text{dout}^\text{pad}[n, o, i s_h + p, j s_w + q], \qquad
        \frac{\partial L}{\partial w[c,o,p,q]} = \sum_{n,i,j} x[n,c,i,j]\,
            \text{dout}^\text{pad}[n, o, i s_h + p, j s_w + q] .

    See Also
    --------
    conv_transpose2d_forward
    dlbook.cnn.conv_torch.conv_transpose2d_backward : the PyTorch twin.
    :ref:`ch-convolution` : the chapter.

    Examples
    --------
    With L = sum(out) and a kernel of ones at stride 2, each input pixel reached 4 outputs.

    >>> out, cache = conv_transpose2d_forward(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)), np.zeros(1), stride=2)
    >>> dx, dw, db = conv_transpose2d_backward(np.ones_like(out), cache)
    >>> dx[0, 0], db
    (array([[4., 4.],
           [4., 4.]]), array([16.]))
    """
    x, w, has_bias, stride, padding, (full_h, full_w) = cache
    N, C_in, H, W = x.shape
    _, C_out, kh, kw = w.shape
    H_out, W_out = full_h - 2 * padding[0], full_w - 2 * padding[1]
    dout = _check_dout(dout, (N, C_out, H_out, W_out)).astype(x.dtype, copy=False)
    # im2col of dout padded back to the full grid: ((H-1) sh + op) // sh + 1 = H positions since op < sh
    cols = im2col(dout, (kh, kw), stride, padding)  # (N, C_out*kh*kw, H*W)
    dx = (w.reshape(C_in, -1) @ cols).reshape(N, C_in, H, W)  # (N, C_in, H, W)
    dw = (x.reshape(N, C_in, H * W) @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)  # (C_in, C_out*kh*kw)
    db = dout.sum(axis=(0, 2, 3)) if has_bias else None
    return dx, dw, db

