r"""Max and average pooling in NumPy: forward and backward as pure functions.

Both slide a ``kh x kw`` window over each channel separately (pooling has no weights and never
mixes channels). The defaults are PyTorch's: the stride defaults to the kernel size, padding is
0, max pooling pads with :math:`-\infty` and average pooling counts padded zeros
(``count_include_pad=True``).

See Also
--------
dlbook.cnn.conv_torch : the PyTorch twins (same names).
:ref:`ch-pooling` : the chapter.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from dlbook.cnn.im2col import _pair, conv_output_size

__all__ = ["max_pool2d_forward", "max_pool2d_backward", "avg_pool2d_forward", "avg_pool2d_backward"]


def _setup(x, kernel_size, stride, padding):
    """Validate and return x (float array), (kh, kw), (sh, sw), (ph, pw), (out_h, out_w)."""
    x = np.asarray(x)
    if x.dtype == bool or not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
        raise TypeError(f"x must hold real numbers, got dtype {x.dtype}")
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got shape {x.shape}")
    k = _pair(kernel_size, "kernel_size", 1)
    s = k if stride is None else _pair(stride, "stride", 1)
    p = _pair(padding, "padding", 0)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"padding {p} must be at most half the kernel size {k}")
    N, C, H, W = x.shape
    if k[0] > H + 2 * p[0] or k[1] > W + 2 * p[1]:
        raise ValueError(f"kernel {k} is larger than the padded input ({H + 2 * p[0]}, {W + 2 * p[1]}) "
                         f"of x with shape {x.shape} and padding {p}")
    return x, k, s, p, (conv_output_size(H, k[0], s[0], p[0]), conv_output_size(W, k[1], s[1], p[1]))


def _windows(xp, k, s, out_hw):
    """Strided view (N, C, out_h, out_w, kh, kw) of every pooling window of the padded input."""
    view = sliding_window_view(xp, k, axis=(2, 3))[:, :, ::s[0], ::s[1]]
    return view[:, :, : out_hw[0], : out_hw[1]]


def _check_dout(dout, expected, dtype):
    dout = np.asarray(dout, dtype=dtype)
    if dout.shape != tuple(expected):
        raise ValueError(f"dout has shape {dout.shape} but the forward output has shape {tuple(expected)}")
    return dout


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
        If x is not 4-D, the window is larger than the padded input, or an argument is out of range.

    Notes
    -----
    .. math::

        \text{out}[n,c,i,j] = \max_{0 \le p < k_h,\ 0 \le q < k_w} x^\text{pad}[n, c, i s_h + p, j s_w + q]

    Ties: the first maximum in row-major order within the window wins (as in PyTorch's CPU
    kernel). A NaN counts as the maximum, so the output is NaN; with several NaNs in one window
    this function routes the gradient to the first, PyTorch's CPU kernel to the last.

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
    x, k, s, p, (out_h, out_w) = _setup(x, kernel_size, stride, padding)
    N, C, H, W = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])), constant_values=-np.inf) if any(p) else x
    win = _windows(xp, k, s, (out_h, out_w)).reshape(N, C, out_h, out_w, k[0] * k[1])  # copy of every window
    arg = win.argmax(axis=-1)  # (N, C, out_h, out_w): first maximum, NaN counts as maximum
    out = np.take_along_axis(win, arg[..., None], axis=-1)[..., 0]
    return out, (x.shape, x.dtype, arg, k, s, p)


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

    Ties go to the first maximum only (PyTorch's rule), so the gradient is one of the valid
    subgradients, not split between equal values.

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
    x_shape, dtype, arg, k, s, p = cache
    N, C, H, W = x_shape
    out_h, out_w = arg.shape[2:]
    dout = _check_dout(dout, (N, C, out_h, out_w), dtype)
    Hp, Wp = H + 2 * p[0], W + 2 * p[1]
    rows = np.arange(out_h)[:, None] * s[0] + arg // k[1]  # (N, C, out_h, out_w) row in the padded image
    cols = np.arange(out_w)[None, :] * s[1] + arg % k[1]
    flat = (np.arange(N * C).reshape(N, C, 1, 1) * Hp + rows) * Wp + cols  # index into (N*C*Hp*Wp,)
    dxp = np.bincount(flat.ravel(), weights=dout.ravel(), minlength=N * C * Hp * Wp)  # sums overlaps
    dxp = dxp.reshape(N, C, Hp, Wp)[:, :, p[0]:p[0] + H, p[1]:p[1] + W]
    return np.ascontiguousarray(dxp, dtype=dtype)


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
    x, k, s, p, (out_h, out_w) = _setup(x, kernel_size, stride, padding)
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1]))) if any(p) else x
    out = _windows(xp, k, s, (out_h, out_w)).mean(axis=(-2, -1))  # (N, C, out_h, out_w)
    return out.astype(x.dtype, copy=False), (x.shape, x.dtype, (out_h, out_w), k, s, p)


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
    x_shape, dtype, (out_h, out_w), k, s, p = cache
    N, C, H, W = x_shape
    dout = _check_dout(dout, (N, C, out_h, out_w), dtype)
    share = dout / (k[0] * k[1])
    dxp = np.zeros((N, C, H + 2 * p[0], W + 2 * p[1]), dtype=dtype)
    for a in range(k[0]):  # loop over window offsets only, each adds a strided slice
        for b in range(k[1]):
            dxp[:, :, a:a + s[0] * (out_h - 1) + 1:s[0], b:b + s[1] * (out_w - 1) + 1:s[1]] += share
    return np.ascontiguousarray(dxp[:, :, p[0]:p[0] + H, p[1]:p[1] + W])
