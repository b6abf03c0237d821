r"""im2col and col2im: turning a convolution into one matrix product, and back.

A 2-D convolution slides a ``(C, kh, kw)`` kernel over the image. :func:`im2col` copies every
patch the kernel visits into a column, so the whole convolution becomes a single matrix product
with the flattened kernels (see :func:`dlbook.cnn.conv.conv2d_forward`). :func:`col2im` is its
adjoint: it adds every column back to the pixels it came from, summing where patches overlap,
which is exactly what the backward pass needs.

Layout used throughout :mod:`dlbook.cnn`: images are NCHW (PyTorch's), and the columns of one
image are ``(C * kh * kw, out_h * out_w)`` with the row index ordered ``(c, p, q)``, the same
order as ``w.reshape(K, C * kh * kw)``. This is the layout of ``torch.nn.functional.unfold``.

The loops below run over the ``kh * kw`` kernel offsets only (9 iterations for a 3x3 kernel),
never over pixels: each iteration copies one strided slice of the whole batch.

See Also
--------
dlbook.cnn.conv_torch.im2col : the PyTorch twin (``torch.nn.functional.unfold``).
:ref:`ch-convolution` : the chapter.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["conv_output_size", "im2col", "col2im"]


def _pair(value, name: str, minimum: int) -> tuple[int, int]:
    """Return ``(value, value)`` for an int, or validate a pair of ints; all entries >= minimum."""
    pair = (value, value) if not isinstance(value, (tuple, list)) else tuple(value)
    if len(pair) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    for v in pair:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
        if v < minimum:
            raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(pair[0]), int(pair[1])


def conv_output_size(n: int, f: int, stride: int = 1, padding: int = 0) -> int:
    r"""Output length of a convolution or pooling along one axis, :math:`\lfloor (n + 2p - f)/s \rfloor + 1`.

    Parameters
    ----------
    n : int
        Input length (height or width).
    f : int
        Kernel length along that axis.
    stride : int, default 1
        Step :math:`s \ge 1` between two kernel positions.
    padding : int, default 0
        Zeros :math:`p \ge 0` added on each side.

    Returns
    -------
    int
        The number of positions where the kernel fits entirely inside the padded input.

    Raises
    ------
    ValueError
        If the kernel is larger than the padded input, or an argument is out of range.

    Notes
    -----
    .. math::

        n_\text{out} = \left\lfloor \frac{n + 2p - f}{s} \right\rfloor + 1

    The kernel starts at positions :math:`0, s, 2s, \dots` and must end by :math:`n + 2p`; a
    leftover strip narrower than the stride is skipped (the floor).

    See Also
    --------
    im2col : uses this size.
    :ref:`ch-convolution` : the chapter.

    Examples
    --------
    A 6x6 image and a 3x3 filter give 4x4; with padding 1 the size stays 6 ("same");
    a 7-pixel input with f = 3 and stride 2 gives (7 - 3) // 2 + 1 = 3.

    >>> conv_output_size(6, 3), conv_output_size(6, 3, padding=1), conv_output_size(7, 3, stride=2)
    (4, 6, 3)
    """
    for name, value, lo in (("n", n, 1), ("f", f, 1), ("stride", stride, 1), ("padding", padding, 0)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an int, got {value!r}")
        if value < lo:
            raise ValueError(f"{name} must be >= {lo}, got {value}")
    if f > n + 2 * padding:
        raise ValueError(f"kernel size {f} is larger than the padded input {n} + 2*{padding} = {n + 2 * padding}")
    return (n + 2 * padding - f) // stride + 1


def im2col(x, kernel_size, stride=1, padding=0):
    r"""Copy every kernel-sized patch of a batch of images into a column.

    Parameters
    ----------
    x : array_like of shape (N, C, H, W)
        A batch of images.
    kernel_size : int or (int, int)
        ``(kh, kw)``, the patch size.
    stride : int or (int, int), default 1
        Step between patches, ``(sh, sw)``.
    padding : int or (int, int), default 0
        Zeros added on each side, ``(ph, pw)``.

    Returns
    -------
    cols : ndarray of shape (N, C * kh * kw, out_h * out_w)
        ``cols[n, (c, p, q), (i, j)] = x_pad[n, c, i*sh + p, j*sw + q]``, with
        ``out_h = (H + 2 ph - kh) // sh + 1`` and likewise ``out_w``.

    Raises
    ------
    ValueError
        If ``x`` is not 4-D, or the patch does not fit in the padded image.

    Notes
    -----
    With ``W_mat = w.reshape(K, C*kh*kw)`` a convolution (cross-correlation) is the product

    .. math::

        \text{out}[n] = W_\text{mat}\, \text{cols}[n] \quad\in \mathbb{R}^{K \times (\text{out}_h \text{out}_w)} .

    Equal to ``torch.nn.functional.unfold(x, kernel_size, padding=padding, stride=stride)``.

    See Also
    --------
    col2im : the adjoint (sums patches back).
    dlbook.cnn.conv_torch.im2col : the PyTorch twin.
    :ref:`ch-convolution` : the chapter.

    Examples
    --------
    A 1x1x3x3 image 0..8 and 2x2 patches: four patches, one per column.

    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> im2col(x, 2)[0]
    array([[0., 1., 3., 4.],
           [1., 2., 4., 5.],
           [3., 4., 6., 7.],
           [4., 5., 7., 8.]])
    """
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got shape {x.shape}")
    (kh, kw), (sh, sw), (ph, pw) = _pair(kernel_size, "kernel_size", 1), _pair(stride, "stride", 1), _pair(padding, "padding", 0)
    N, C, H, W = x.shape
    if kh > H + 2 * ph or kw > W + 2 * pw:
        raise ValueError(f"kernel ({kh}, {kw}) is larger than the padded input ({H + 2 * ph}, {W + 2 * pw}) "
                         f"of x with shape {x.shape} and padding ({ph}, {pw})")
    out_h, out_w = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x  # (N, C, H+2ph, W+2pw)
    cols = np.empty((N, C, kh, kw, out_h, out_w), dtype=x.dtype)
    for p in range(kh):  # loop over kernel offsets only: each copies a strided slice of all pixels
        for q in range(kw):
            cols[:, :, p, q] = xp[:, :, p:p + sh * (out_h - 1) + 1:sh, q:q + sw * (out_w - 1) + 1:sw]
    return cols.reshape(N, C * kh * kw, out_h * out_w)


def col2im(cols, x_shape, kernel_size, stride=1, padding=0):
    r"""Add columns back onto the image they came from: the adjoint of :func:`im2col`.

    Parameters
    ----------
    cols : array_like of shape (N, C * kh * kw, out_h * out_w)
        Columns in :func:`im2col`'s layout.
    x_shape : tuple of 4 ints
        ``(N, C, H, W)``, the shape of the (unpadded) image.
    kernel_size, stride, padding : int or (int, int)
        As given to :func:`im2col`.

    Returns
    -------
    x : ndarray of shape (N, C, H, W)
        ``x[n, c, h, w]`` is the sum of every column entry that :func:`im2col` copied from
        ``x[n, c, h, w]``; entries that fell in the padding are dropped.

    Raises
    ------
    ValueError
        If ``cols`` does not have the shape :func:`im2col` would give for ``x_shape``.

    Notes
    -----
    :func:`im2col` is a linear map :math:`A`; :func:`col2im` is :math:`A^\top`, so that
    :math:`\langle A x, y\rangle = \langle x, A^\top y\rangle`. It is not the inverse: a pixel
    covered by :math:`m` patches comes back multiplied by :math:`m`. Equal to
    ``torch.nn.functional.fold``.

    See Also
    --------
    im2col
    dlbook.cnn.conv_torch.col2im : the PyTorch twin.
    :ref:`ch-convolution` : the chapter.

    Examples
    --------
    How many 2x2 patches cover each pixel of a 3x3 image: col2im of im2col of ones.

    >>> col2im(im2col(np.ones((1, 1, 3, 3)), 2), (1, 1, 3, 3), 2)[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    cols = np.asarray(cols)
    if len(x_shape) != 4:
        raise ValueError(f"x_shape must be (N, C, H, W), got {x_shape}")
    N, C, H, W = (int(s) for s in x_shape)
    (kh, kw), (sh, sw), (ph, pw) = _pair(kernel_size, "kernel_size", 1), _pair(stride, "stride", 1), _pair(padding, "padding", 0)
    out_h, out_w = conv_output_size(H, kh, sh, ph), conv_output_size(W, kw, sw, pw)
    if cols.shape != (N, C * kh * kw, out_h * out_w):
        raise ValueError(f"cols has shape {cols.shape} but im2col of {tuple(x_shape)} with kernel ({kh}, {kw}) "
                         f"gives {(N, C * kh * kw, out_h * out_w)}")
    cols = cols.reshape(N, C, kh, kw, out_h, out_w)
    xp = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)  # padded image
    for p in range(kh):  # overlapping patches add up: += on a strided slice, one kernel offset at a time
        for q in range(kw):
            xp[:, :, p:p + sh * (out_h - 1) + 1:sh, q:q + sw * (out_w - 1) + 1:sw] += cols[:, :, p, q]
    return np.ascontiguousarray(xp[:, :, ph:ph + H, pw:pw + W]) if ph or pw else xp
