r"""Sliding-window layers in NumPy: convolution, transposed convolution, max and average pooling.

All four slide a window over NCHW images and are built on :func:`dlbook.cnn.im2col.im2col` and
its adjoint :func:`~dlbook.cnn.im2col.col2im`: a convolution is one matrix product per image
with the patches as columns; pooling takes the maximum or the mean of each column (one channel
at a time, since pooling never mixes channels); the backward passes put gradients back with
``col2im``. Each operation is a pair of pure functions, ``*_forward(...) -> (out, cache)`` and
``*_backward(dout, cache)``.

Layouts and defaults are PyTorch's, so weights copy straight to and from ``torch.nn.Conv2d``
(``w`` of shape (K, C, kh, kw)) and ``torch.nn.ConvTranspose2d`` (``w`` of shape
(C_in, C_out, kh, kw)); pooling's stride defaults to the kernel size, max pooling pads with
:math:`-\infty` and average pooling counts padded zeros (``count_include_pad=True``). Like
PyTorch (and every deep-learning library), "convolution" here is cross-correlation: the kernel
is not flipped.

See Also
--------
dlbook.cnn.conv_torch : the PyTorch twins (same names).
dlbook.cnn.conv_arithmetic : output sizes, receptive fields and parameter counts.
:ref:`ch-convolution`, :ref:`ch-pooling` : the chapters.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import check_shape, int_pair, real_array
from dlbook.cnn.conv_arithmetic import conv2d_output_shape
from dlbook.cnn.im2col import col2im, im2col

__all__ = [
    "conv2d_forward", "conv2d_backward", "conv_transpose2d_forward", "conv_transpose2d_backward",
    "max_pool2d_forward", "max_pool2d_backward", "avg_pool2d_forward", "avg_pool2d_backward",
]


def _conv_arrays(x, w, b, in_axis: int, out_axis: int):
    """x (N, C, H, W), w (4-D, axis ``in_axis`` matching C) and b as arrays of one float dtype."""
    x, w = real_array(x, "x", ndim=4), real_array(w, "w", ndim=4)
    if w.shape[in_axis] != x.shape[1]:
        raise ValueError(f"channel mismatch: x has shape {x.shape} ({x.shape[1]} channels) but w "
                         f"has shape {w.shape} (expects {w.shape[in_axis]} input channels)")
    if b is not None:
        b = real_array(b, "b")
        if b.shape != (w.shape[out_axis],):
            raise ValueError(f"b has shape {b.shape} but w has shape {w.shape}: b must have "
                             f"shape ({w.shape[out_axis]},)")
    dtype = np.result_type(x, w, *(() if b is None else (b,)))
    return (x.astype(dtype, copy=False), w.astype(dtype, copy=False),
            None if b is None else b.astype(dtype, copy=False))


def _dout(dout, expected, what: str, dtype):
    """``dout`` as an array of ``dtype`` after checking it has the forward output's shape."""
    dout = real_array(dout, "dout")
    check_shape(dout, "dout", expected, what)
    return dout.astype(dtype, copy=False)


# -- Convolution -------------------------------------------------------------------------------
def conv2d_forward(x, w, b=None, stride=1, padding=0, dilation=1):
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
    dilation : int or (int, int), default 1
        Spacing ``(dh, dw)`` between filter taps (an *atrous* or dilated convolution for > 1).

    Returns
    -------
    out : ndarray of shape (N, K, out_h, out_w)
        ``out_h = (H + 2 ph - dh (kh - 1) - 1) // sh + 1``, likewise ``out_w``.
    cache : tuple
        What :func:`conv2d_backward` needs.

    Raises
    ------
    ValueError
        If x or w is not 4-D, the channels do not match, b has the wrong shape, the kernel is
        larger than the padded input, or stride, dilation < 1 or padding < 0.
    TypeError
        If an input is not real-valued or stride/padding/dilation is not an int (pair).

    Notes
    -----
    With :math:`x^\text{pad}` the zero-padded input,

    .. math::

        \text{out}[n, k, i, j] = b_k + \sum_{c=0}^{C-1} \sum_{p=0}^{k_h-1} \sum_{q=0}^{k_w-1}
            w[k, c, p, q]\; x^\text{pad}[n, c,\, i s_h + p d_h,\, j s_w + q d_w] .

    Computed as one matrix product per image, ``w.reshape(K, C*kh*kw) @ im2col(x)[n]``.
    Parameters: :math:`K (C k_h k_w + 1)` with a bias, whatever the dilation.

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
    x, w, b = _conv_arrays(x, w, b, in_axis=1, out_axis=0)
    stride, dilation = int_pair(stride, "stride"), int_pair(dilation, "dilation")
    padding = int_pair(padding, "padding", low=0)
    N, C, H, W = x.shape
    K, _, kh, kw = w.shape
    if (dilation[0] * (kh - 1) + 1 > H + 2 * padding[0]
            or dilation[1] * (kw - 1) + 1 > W + 2 * padding[1]):
        raise ValueError(f"kernel of w with shape {w.shape} (dilation {dilation}) is larger than "
                         f"the padded input: x has shape {x.shape}, padding {padding}")
    out_h, out_w = conv2d_output_shape((H, W), (kh, kw), stride, padding, dilation)
    cols = im2col(x, (kh, kw), stride, padding, dilation)  # (N, C*kh*kw, out_h*out_w)
    out = w.reshape(K, -1) @ cols  # (N, K, out_h*out_w): one matrix product per image
    if b is not None:
        out += b[:, None]
    cache = (x.shape, cols, w, b is not None, stride, padding, dilation)
    return out.reshape(N, K, out_h, out_w), cache


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
    Each weight meets every output position, each input pixel every filter tap that covers it
    (here for dilation 1):

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
    x_shape, cols, w, has_bias, stride, padding, dilation = cache
    N, C, H, W = x_shape
    K, _, kh, kw = w.shape
    out_h, out_w = conv2d_output_shape((H, W), (kh, kw), stride, padding, dilation)
    dout = _dout(dout, (N, K, out_h, out_w), "(N, K, out_h, out_w)", cols.dtype)
    dout_mat = dout.reshape(N, K, out_h * out_w)  # (N, K, L)
    # sum_n dout[n] @ cols[n].T as a batched product then a sum: much faster than one tensordot
    # with a very long inner dimension, which OpenBLAS handles badly
    dw = (dout_mat @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)  # (K, C*kh*kw)
    db = dout.sum(axis=(0, 2, 3)) if has_bias else None  # (K,)
    dcols = w.reshape(K, -1).T @ dout_mat  # (N, C*kh*kw, L)
    dx = col2im(dcols, x_shape, (kh, kw), stride, padding, dilation)  # (N, C, H, W)
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
        \qquad \text{out} = \text{full}[\dots, p_h : p_h + H_\text{out},
        p_w : p_w + W_\text{out}] + b_o .

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

    >>> x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    >>> out, _ = conv_transpose2d_forward(x, np.ones((1, 1, 2, 2)), stride=2)
    >>> out[0, 0]
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.],
           [3., 3., 4., 4.],
           [3., 3., 4., 4.]])
    """
    x, w, b = _conv_arrays(x, w, b, in_axis=0, out_axis=1)
    stride, padding = int_pair(stride, "stride"), int_pair(padding, "padding", low=0)
    output_padding = int_pair(output_padding, "output_padding", low=0)
    if output_padding[0] >= stride[0] or output_padding[1] >= stride[1]:
        raise ValueError(f"output_padding {output_padding} must be smaller than stride {stride}")
    N, C_in, H, W = x.shape
    _, C_out, kh, kw = w.shape
    full_h = (H - 1) * stride[0] + kh + output_padding[0]
    full_w = (W - 1) * stride[1] + kw + output_padding[1]
    H_out, W_out = full_h - 2 * padding[0], full_w - 2 * padding[1]
    if H_out < 1 or W_out < 1:
        raise ValueError(f"padding {padding} crops everything: x has shape {x.shape}, w has "
                         f"shape {w.shape}, output would be ({H_out}, {W_out})")
    cols = w.reshape(C_in, -1).T @ x.reshape(N, C_in, H * W)  # (N, C_out*kh*kw, H*W)
    full = col2im(cols, (N, C_out, full_h, full_w), (kh, kw), stride, 0)  # (N, C_out, fh, fw)
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

    >>> ones = np.ones((1, 1, 2, 2))
    >>> out, cache = conv_transpose2d_forward(ones, ones, np.zeros(1), stride=2)
    >>> dx, dw, db = conv_transpose2d_backward(np.ones_like(out), cache)
    >>> dx[0, 0], db
    (array([[4., 4.],
           [4., 4.]]), array([16.]))
    """
    x, w, has_bias, stride, padding, (full_h, full_w) = cache
    N, C_in, H, W = x.shape
    _, C_out, kh, kw = w.shape
    H_out, W_out = full_h - 2 * padding[0], full_w - 2 * padding[1]
    dout = _dout(dout, (N, C_out, H_out, W_out), "(N, C_out, H_out, W_out)", x.dtype)
    # im2col of dout padded back to the full grid: ((H-1) sh + op) // sh + 1 = H positions
    cols = im2col(dout, (kh, kw), stride, padding)  # (N, C_out*kh*kw, H*W)
    dx = (w.reshape(C_in, -1) @ cols).reshape(N, C_in, H, W)  # (N, C_in, H, W)
    dw = (x.reshape(N, C_in, H * W) @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    db = dout.sum(axis=(0, 2, 3)) if has_bias else None
    return dx, dw, db


# -- Pooling -----------------------------------------------------------------------------------
def _pool_setup(x, kernel_size, stride, padding):
    """Checked x, kernel, stride (default: the kernel), padding and output size of a pooling."""
    x = real_array(x, "x", ndim=4)
    k = int_pair(kernel_size, "kernel_size")
    s = k if stride is None else int_pair(stride, "stride")
    p = int_pair(padding, "padding", low=0)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"padding {p} must be at most half the kernel size {k}")
    return x, k, s, p, conv2d_output_shape(x.shape[2:], k, s, p)


def max_pool2d_forward(x, kernel_size, stride=None, padding=0):
    r"""Max pooling, as ``torch.nn.functional.max_pool2d``.

    Parameters
    ----------
    x : array_like of shape (N, C, H, W)
    kernel_size : int or (int, int)
        Window ``(kh, kw)``.
    stride : int or (int, int), optional
        Step between windows; defaults to ``kernel_size`` (non-overlapping windows).
    padding : int or (int, int), default 0
        :math:`-\infty` added on each side; at most half the kernel, as in PyTorch.

    Returns
    -------
    out : ndarray of shape (N, C, out_h, out_w)
        ``out_h = (H + 2 ph - kh) // sh + 1``, likewise ``out_w``.
    cache : tuple
        What :func:`max_pool2d_backward` needs (the position of each maximum).

    Raises
    ------
    ValueError
        If x is not 4-D, the window is larger than the padded input, or an argument is out of
        range.

    Notes
    -----
    .. math::

        \text{out}[n,c,i,j] = \max_{0 \le p < k_h,\ 0 \le q < k_w}
            x^\text{pad}[n, c, i s_h + p, j s_w + q]

    Each channel is pooled on its own: the windows of ``im2col`` of the (N*C, 1, H, W) stack are
    its columns, and the maximum of each column is the output. Ties: the first maximum in
    row-major order within the window wins (as in PyTorch's CPU kernel). A NaN counts as the
    maximum, so the output is NaN; with several NaNs in one window this function routes the
    gradient to the first, PyTorch's CPU kernel to the last.

    See Also
    --------
    max_pool2d_backward
    dlbook.cnn.conv_torch.max_pool2d_forward : the PyTorch twin.
    :ref:`ch-pooling` : the chapter.

    Examples
    --------
    The 4x4 example: the maximum of each 2x2 block.

    >>> x = np.array([[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]], dtype=float)
    >>> out, _ = max_pool2d_forward(x[None, None], 2)
    >>> out[0, 0]
    array([[9., 2.],
           [6., 3.]])
    """
    x, k, s, p, (out_h, out_w) = _pool_setup(x, kernel_size, stride, padding)
    N, C, H, W = x.shape
    pad = ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1]))
    xp = np.pad(x, pad, constant_values=-np.inf) if any(p) else x
    cols = im2col(xp.reshape(N * C, 1, *xp.shape[2:]), k, s)  # (N*C, kh*kw, L): one window a col
    arg = cols.argmax(axis=1)  # (N*C, L): first maximum; a NaN counts as the maximum
    out = np.take_along_axis(cols, arg[:, None], axis=1)[:, 0]
    return out.reshape(N, C, out_h, out_w), (x.shape, x.dtype, arg, k, s, p)


def max_pool2d_backward(dout, cache):
    r"""Backward pass of :func:`max_pool2d_forward`: the gradient goes to each window's maximum.

    Parameters
    ----------
    dout : array_like of shape (N, C, out_h, out_w)
    cache : tuple
        The cache returned by :func:`max_pool2d_forward`.

    Returns
    -------
    dx : ndarray of shape (N, C, H, W)
        Zero except at the maxima; with overlapping windows (stride < kernel) a pixel that is
        the maximum of several windows receives the sum of their gradients.

    Raises
    ------
    ValueError
        If ``dout`` does not have the forward output's shape.

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial x[n,c,h,v]} = \sum_{i,j:\ (h,v) = \operatorname{argmax}_{(i,j)}}
            \text{dout}[n,c,i,j]

    Each gradient is put in its window's column at the row of the maximum, and ``col2im`` sums
    the columns back onto the image. Ties go to the first maximum only (PyTorch's rule), so the
    gradient is one of the valid subgradients, not split between equal values.

    See Also
    --------
    max_pool2d_forward
    dlbook.cnn.conv_torch.max_pool2d_backward : the PyTorch twin.
    :ref:`ch-pooling` : the chapter.

    Examples
    --------
    >>> x = np.array([[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]], dtype=float)
    >>> out, cache = max_pool2d_forward(x[None, None], 2)
    >>> max_pool2d_backward(np.ones_like(out), cache)[0, 0]
    array([[0., 0., 1., 0.],
           [0., 1., 0., 0.],
           [0., 0., 0., 1.],
           [0., 1., 0., 0.]])
    """
    (N, C, H, W), dtype, arg, k, s, p = cache
    out_h, out_w = conv2d_output_shape((H, W), k, s, p)
    dout = _dout(dout, (N, C, out_h, out_w), "(N, C, out_h, out_w)", dtype)
    dcols = np.zeros((N * C, k[0] * k[1], out_h * out_w), dtype=dtype)
    np.put_along_axis(dcols, arg[:, None], dout.reshape(N * C, 1, -1), axis=1)
    Hp, Wp = H + 2 * p[0], W + 2 * p[1]
    dxp = col2im(dcols, (N * C, 1, Hp, Wp), k, s)  # overlapping windows add up
    return np.ascontiguousarray(dxp.reshape(N, C, Hp, Wp)[:, :, p[0]:p[0] + H, p[1]:p[1] + W])


def avg_pool2d_forward(x, kernel_size, stride=None, padding=0):
    r"""Average pooling, as ``torch.nn.functional.avg_pool2d`` (``count_include_pad=True``).

    Parameters
    ----------
    x : array_like of shape (N, C, H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int), default 0
        Zeros added on each side (counted in the average); at most half the kernel.

    Returns
    -------
    out : ndarray of shape (N, C, out_h, out_w)
    cache : tuple

    Raises
    ------
    ValueError
        As for :func:`max_pool2d_forward`.

    Notes
    -----
    .. math::

        \text{out}[n,c,i,j] = \frac{1}{k_h k_w} \sum_{p,q} x^\text{pad}[n, c, i s_h + p, j s_w + q]

    See Also
    --------
    avg_pool2d_backward
    dlbook.cnn.conv_torch.avg_pool2d_forward : the PyTorch twin.
    :ref:`ch-pooling` : the chapter.

    Examples
    --------
    >>> x = np.array([[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]], dtype=float)
    >>> avg_pool2d_forward(x[None, None], 2)[0][0, 0]
    array([[3.75, 1.25],
           [3.75, 2.  ]])
    """
    x, k, s, p, (out_h, out_w) = _pool_setup(x, kernel_size, stride, padding)
    N, C, H, W = x.shape
    cols = im2col(x.reshape(N * C, 1, H, W), k, s, p)  # (N*C, kh*kw, L), padded zeros included
    out = cols.mean(axis=1).astype(x.dtype, copy=False)
    return out.reshape(N, C, out_h, out_w), (x.shape, x.dtype, k, s, p)


def avg_pool2d_backward(dout, cache):
    r"""Backward pass of :func:`avg_pool2d_forward`: each window shares its gradient equally.

    Parameters
    ----------
    dout : array_like of shape (N, C, out_h, out_w)
    cache : tuple
        The cache returned by :func:`avg_pool2d_forward`.

    Returns
    -------
    dx : ndarray of shape (N, C, H, W)

    Raises
    ------
    ValueError
        If ``dout`` does not have the forward output's shape.

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial x^\text{pad}[n,c,h,v]} = \frac{1}{k_h k_w}
            \sum_{(i,j):\ (h,v) \in \text{window}(i,j)} \text{dout}[n,c,i,j]

    See Also
    --------
    avg_pool2d_forward
    dlbook.cnn.conv_torch.avg_pool2d_backward : the PyTorch twin.
    :ref:`ch-pooling` : the chapter.

    Examples
    --------
    Overlapping 2x2 windows with stride 1 on a 3x3 input: the centre pixel is in all 4 windows.

    >>> out, cache = avg_pool2d_forward(np.zeros((1, 1, 3, 3)), 2, stride=1)
    >>> avg_pool2d_backward(np.ones_like(out), cache)[0, 0]
    array([[0.25, 0.5 , 0.25],
           [0.5 , 1.  , 0.5 ],
           [0.25, 0.5 , 0.25]])
    """
    (N, C, H, W), dtype, k, s, p = cache
    out_h, out_w = conv2d_output_shape((H, W), k, s, p)
    dout = _dout(dout, (N, C, out_h, out_w), "(N, C, out_h, out_w)", dtype)
    share = dout.reshape(N * C, 1, out_h * out_w) / (k[0] * k[1])
    dcols = np.broadcast_to(share, (N * C, k[0] * k[1], out_h * out_w))
    return col2im(dcols, (N * C, 1, H, W), k, s, p).reshape(N, C, H, W)
