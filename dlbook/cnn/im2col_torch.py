r"""im2col and col2im on tensors: the PyTorch twin of :mod:`dlbook.cnn.im2col`.

PyTorch has both operations built in, as ``torch.nn.functional.unfold`` (im2col) and ``fold``
(col2im), with the same column layout ``(N, C * kh * kw, out_h * out_w)`` and row order
``(c, p, q)``. These twins check their arguments as the NumPy functions do (same errors, same
messages) and then call them; they work on any device and in any floating dtype.

See Also
--------
dlbook.cnn.im2col : the NumPy reference (docstrings with the full math).
:ref:`ch-convolution` : the chapter.
"""

from __future__ import annotations

import torch.nn.functional as F

from dlbook._checks import check_shape, int_pair, int_value, real_tensor
from dlbook.cnn.conv_arithmetic import conv2d_output_shape

__all__ = ["im2col", "col2im"]


def im2col(x, kernel_size, stride=1, padding=0, dilation=1):
    r"""Patches as columns, shape (N, C*kh*kw, out_h*out_w): ``F.unfold`` with checked arguments.

    Parameters and errors as :func:`dlbook.cnn.im2col.im2col`; ``x`` is a tensor (N, C, H, W).

    See Also
    --------
    dlbook.cnn.im2col.im2col : the NumPy twin.

    Examples
    --------
    >>> import torch
    >>> im2col(torch.arange(9.0).reshape(1, 1, 3, 3), 2)[0, :, 0]
    tensor([0., 1., 3., 4.])
    >>> im2col(torch.arange(9.0).reshape(1, 1, 3, 3), 2, dilation=2)[0, :, 0]
    tensor([0., 2., 6., 8.])
    """
    x = real_tensor(x, "x", ndim=4)
    k, s = int_pair(kernel_size, "kernel_size"), int_pair(stride, "stride")
    p, d = int_pair(padding, "padding", low=0), int_pair(dilation, "dilation")
    conv2d_output_shape(tuple(x.shape[2:]), k, s, p, d)  # checks that the kernel fits
    return F.unfold(x, k, dilation=d, padding=p, stride=s)


def col2im(cols, x_shape, kernel_size, stride=1, padding=0, dilation=1):
    r"""Sum columns back onto an (N, C, H, W) image: ``F.fold``, the adjoint of :func:`im2col`.

    Parameters and errors as :func:`dlbook.cnn.im2col.col2im`; ``cols`` is a tensor.

    See Also
    --------
    dlbook.cnn.im2col.col2im : the NumPy twin.

    Examples
    --------
    >>> import torch
    >>> col2im(im2col(torch.ones(1, 1, 3, 3), 2), (1, 1, 3, 3), 2)[0, 0, 1]
    tensor([2., 4., 2.])
    """
    cols = real_tensor(cols, "cols", ndim=3)
    if len(x_shape) != 4:
        raise ValueError(f"x_shape must be (N, C, H, W), got {tuple(x_shape)}")
    N, C, H, W = (int_value(s, "x_shape", low=1) for s in x_shape)
    k, s = int_pair(kernel_size, "kernel_size"), int_pair(stride, "stride")
    p, d = int_pair(padding, "padding", low=0), int_pair(dilation, "dilation")
    out_h, out_w = conv2d_output_shape((H, W), k, s, p, d)
    check_shape(cols, "cols", (N, C * k[0] * k[1], out_h * out_w), "(N, C*kh*kw, out_h*out_w)")
    return F.fold(cols, (H, W), k, dilation=d, padding=p, stride=s)
