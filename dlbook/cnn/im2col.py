r"""im2col and col2im: turning a convolution into one matrix product, and back.

A 2-D convolution slides a ``(C, kh, kw)`` kernel over the image. :func:`im2col` copies every
patch the kernel visits into a column, so the whole convolution becomes a single matrix product
with the flattened kernels (see :func:`dlbook.cnn.conv.conv2d_forward`). :func:`col2im` is its
adjoint: it adds every column back to the pixels it came from, summing where patches overlap,
which is exactly what the backward pass needs.

Layout used throughout :mod:`dlbook.cnn`: images are NCHW (PyTorch's), and the columns of one
image are ``(C * kh * kw, out_h * out_w)`` with the row index ordered ``(c, p, q)``, the same
order as ``w.reshape(K, C * kh * kw)``. This is the layout of ``torch.nn.functional.unfold``.
A *dilated* patch (``dilation`` :math:`d > 1`) takes every :math:`d`-th pixel, so a 3x3 kernel
with :math:`d = 2` spans 5x5 pixels while keeping 9 weights.

The loops below run over the ``kh * kw`` kernel offsets only (9 iterations for a 3x3 kernel),
never over pixels: each iteration copies one strided slice of the whole batch.

See Also
--------
dlbook.cnn.im2col_torch : the PyTorch twin (``torch.nn.functional.unfold`` and ``fold``).
:ref:`ch-convolution` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import check_shape, int_pair, int_value, real_array
from dlbook.cnn.conv_arithmetic import conv2d_output_shape

__all__ = ["im2col", "col2im"]


def im2col(x, kernel_size, stride=1, padding=0, dilation=1):
    r"""Copy every kernel-sized patch of a batch of images into a column.

    Parameters
    ----------
    x : array_like of shape (N, C, H, W)
        A batch of images.
    kernel_size : int or (int, int)
        ``(kh, kw)``, the number of taps of a patch.
    stride : int or (int, int), default 1
        Step between patches, ``(sh, sw)``.
    padding : int or (int, int), default 0
        Zeros added on each side, ``(ph, pw)``.
    dilation : int or (int, int), default 1
        Spacing ``(dh, dw)`` between the taps of a patch.

    Returns
    -------
    cols : ndarray of shape (N, C * kh * kw, out_h * out_w)
        ``cols[n, (c, p, q), (i, j)] = x_pad[n, c, i*sh + p*dh, j*sw + q*dw]``, with
        ``out_h = (H + 2 ph - dh (kh - 1) - 1) // sh + 1`` and likewise ``out_w``.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers, or an option is not an int (pair).
    ValueError
        If ``x`` is not 4-D, an option is out of range, or the patch does not fit in the padded
        image (see :func:`dlbook.cnn.conv_arithmetic.conv2d_output_shape`).

    Notes
    -----
    With ``W_mat = w.reshape(K, C*kh*kw)`` a convolution (cross-correlation) is the product

    .. math::

        \text{out}[n] = W_\text{mat}\, \text{cols}[n]
        \quad\in \mathbb{R}^{K \times (\text{out}_h \text{out}_w)} .

    Equal to ``torch.nn.functional.unfold(x, kernel_size, dilation, padding, stride)``.

    See Also
    --------
    col2im : the adjoint (sums patches back).
    dlbook.cnn.im2col_torch.im2col : the PyTorch twin.
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

    With dilation 2 a 2x2 patch takes the four corners of the 3x3 image:

    >>> im2col(x, 2, dilation=2)[0, :, 0]
    array([0., 2., 6., 8.])
    """
    x = real_array(x, "x", ndim=4)
    (kh, kw), (sh, sw) = int_pair(kernel_size, "kernel_size"), int_pair(stride, "stride")
    (ph, pw), (dh, dw) = int_pair(padding, "padding", low=0), int_pair(dilation, "dilation")
    N, C, H, W = x.shape
    out_h, out_w = conv2d_output_shape((H, W), (kh, kw), (sh, sw), (ph, pw), (dh, dw))
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x  # (N, C, Hp, Wp)
    cols = np.empty((N, C, kh, kw, out_h, out_w), dtype=x.dtype)
    for p in range(kh):  # loop over kernel taps only: each copies a strided slice of all pixels
        for q in range(kw):
            r0, c0 = p * dh, q * dw
            cols[:, :, p, q] = xp[:, :, r0:r0 + sh * (out_h - 1) + 1:sh,
                                  c0:c0 + sw * (out_w - 1) + 1:sw]
    return cols.reshape(N, C * kh * kw, out_h * out_w)


def col2im(cols, x_shape, kernel_size, stride=1, padding=0, dilation=1):
    r"""Add columns back onto the image they came from: the adjoint of :func:`im2col`.

    Parameters
    ----------
    cols : array_like of shape (N, C * kh * kw, out_h * out_w)
        Columns in :func:`im2col`'s layout.
    x_shape : tuple of 4 ints
        ``(N, C, H, W)``, the shape of the (unpadded) image.
    kernel_size, stride, padding, dilation : int or (int, int)
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
    dlbook.cnn.im2col_torch.col2im : the PyTorch twin.
    :ref:`ch-convolution` : the chapter.

    Examples
    --------
    How many 2x2 patches cover each pixel of a 3x3 image: col2im of im2col of ones.

    >>> col2im(im2col(np.ones((1, 1, 3, 3)), 2), (1, 1, 3, 3), 2)[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    cols = real_array(cols, "cols", ndim=3)
    if len(x_shape) != 4:
        raise ValueError(f"x_shape must be (N, C, H, W), got {tuple(x_shape)}")
    N, C, H, W = (int_value(s, "x_shape", low=1) for s in x_shape)
    (kh, kw), (sh, sw) = int_pair(kernel_size, "kernel_size"), int_pair(stride, "stride")
    (ph, pw), (dh, dw) = int_pair(padding, "padding", low=0), int_pair(dilation, "dilation")
    out_h, out_w = conv2d_output_shape((H, W), (kh, kw), (sh, sw), (ph, pw), (dh, dw))
    check_shape(cols, "cols", (N, C * kh * kw, out_h * out_w), "(N, C*kh*kw, out_h*out_w)")
    cols = cols.reshape(N, C, kh, kw, out_h, out_w)
    xp = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)  # padded image
    for p in range(kh):  # overlapping patches add up: += on a strided slice, one tap at a time
        for q in range(kw):
            r0, c0 = p * dh, q * dw
            xp[:, :, r0:r0 + sh * (out_h - 1) + 1:sh,
               c0:c0 + sw * (out_w - 1) + 1:sw] += cols[:, :, p, q]
    return np.ascontiguousarray(xp[:, :, ph:ph + H, pw:pw + W]) if ph or pw else xp
