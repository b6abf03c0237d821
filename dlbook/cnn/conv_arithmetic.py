r"""Convolution arithmetic: output sizes, receptive fields, parameter and multiplication counts.

The integer bookkeeping behind Part 2, with no framework in it (so it has no ``_torch`` twin):
how large a convolution's output is (:func:`conv_output_size`, :func:`conv2d_output_shape`),
how much of the input one output unit sees (:func:`receptive_field`), how many weights and
multiplications a standard, a 1x1-bottlenecked and a depthwise separable convolution need, and
the channel rounding and compound scaling rules of MobileNetV2 and EfficientNet.

Argument names follow ``torch.nn.Conv2d`` (``in_channels``, ``out_channels``, ``kernel_size``,
``stride``, ``padding``, ``dilation``, ``groups``, ``bias``).

References
----------
V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
arXiv:1603.07285, 2016.

See Also
--------
dlbook.cnn.im2col, dlbook.cnn.conv : the operations these sizes describe.
:ref:`ch-convolution`, :ref:`ch-architectures` : the chapters.
"""

from __future__ import annotations

from dlbook._checks import int_pair, int_value, positive_int, real_value

__all__ = ["conv_output_size", "conv2d_output_shape", "receptive_field", "conv_params",
           "conv_mults", "bottleneck_mults", "separable_params", "separable_mults",
           "make_divisible", "compound_scaling"]


# -- Sizes -----------------------------------------------------------------------------------------
def conv_output_size(n: int, f: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    r"""Output length of a convolution or pooling along one axis.

    Parameters
    ----------
    n : int
        Input length (height or width).
    f : int
        Kernel length along that axis (its number of taps).
    stride : int, default 1
        Step :math:`s \ge 1` between two kernel positions.
    padding : int, default 0
        Zeros :math:`p \ge 0` added on each side.
    dilation : int, default 1
        Spacing :math:`d \ge 1` between kernel taps; the kernel spans :math:`d(f - 1) + 1` pixels.

    Returns
    -------
    int
        The number of positions where the kernel fits entirely inside the padded input.

    Raises
    ------
    TypeError
        If an argument is not an int.
    ValueError
        If the kernel is larger than the padded input, or an argument is out of range.

    Notes
    -----
    .. math::

        n_\text{out} = \left\lfloor \frac{n + 2p - d(f - 1) - 1}{s} \right\rfloor + 1

    which for :math:`d = 1` is the familiar :math:`\lfloor (n + 2p - f)/s \rfloor + 1`. The kernel
    starts at positions :math:`0, s, 2s, \dots` and must end by :math:`n + 2p`; a leftover strip
    narrower than the stride is skipped (the floor).

    See Also
    --------
    conv2d_output_shape : both axes at once.
    :ref:`ch-convolution` : the chapter.

    Examples
    --------
    A 6x6 image and a 3x3 filter give 4x4; with padding 1 the size stays 6 ("same");
    a 7-pixel input with f = 3 and stride 2 gives (7 - 3) // 2 + 1 = 3; a 3-tap kernel with
    dilation 2 spans 5 pixels, so 7 pixels give 3 positions.

    >>> conv_output_size(6, 3), conv_output_size(6, 3, padding=1), conv_output_size(7, 3, stride=2)
    (4, 6, 3)
    >>> conv_output_size(7, 3, dilation=2)
    3
    """
    n, f = int_value(n, "n", low=1), int_value(f, "f", low=1)
    stride, padding = int_value(stride, "stride", low=1), int_value(padding, "padding", low=0)
    dilation = int_value(dilation, "dilation", low=1)
    span = dilation * (f - 1) + 1
    if span > n + 2 * padding:
        raise ValueError(f"kernel size {f} (span {span} with dilation {dilation}) is larger than "
                         f"the padded input {n} + 2*{padding} = {n + 2 * padding}")
    return (n + 2 * padding - span) // stride + 1


def conv2d_output_shape(input_size, kernel_size, stride=1, padding=0,
                        dilation=1) -> tuple[int, int]:
    r"""Output height and width of a 2-D convolution or pooling, as ``torch.nn.Conv2d`` gives.

    Parameters
    ----------
    input_size : (int, int)
        ``(H, W)``.
    kernel_size, stride, dilation : int or (int, int)
        Each >= 1; an int means the same on both axes.
    padding : int or (int, int)
        Each >= 0.

    Returns
    -------
    (int, int)
        ``(out_h, out_w)``, each from :func:`conv_output_size`.

    Raises
    ------
    TypeError
        If an argument is not an int or a pair of ints.
    ValueError
        If a pair has the wrong length, a value is out of range, or the (dilated) kernel is
        larger than the padded input; the message shows the sizes.

    See Also
    --------
    conv_output_size, :ref:`ch-convolution`

    Examples
    --------
    >>> conv2d_output_shape((32, 24), 3, stride=(1, 2), padding=1)
    (32, 12)
    >>> conv2d_output_shape((4, 4), 5)
    Traceback (most recent call last):
        ...
    ValueError: kernel (5, 5) is larger than the padded input (4, 4): input (4, 4), padding (0, 0)
    """
    H, W = int_pair(input_size, "input_size")
    k, s = int_pair(kernel_size, "kernel_size"), int_pair(stride, "stride")
    p, d = int_pair(padding, "padding", low=0), int_pair(dilation, "dilation")
    span = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)
    if span[0] > H + 2 * p[0] or span[1] > W + 2 * p[1]:
        dilated = f" (span {span} with dilation {d})" if d != (1, 1) else ""
        raise ValueError(f"kernel {k}{dilated} is larger than the padded input "
                         f"({H + 2 * p[0]}, {W + 2 * p[1]}): input ({H}, {W}), padding {p}")
    return (conv_output_size(H, k[0], s[0], p[0], d[0]),
            conv_output_size(W, k[1], s[1], p[1], d[1]))


def receptive_field(kernel_sizes, strides=None, dilations=None) -> int:
    r"""How many input pixels (along one axis) one output unit of a stack of layers sees.

    Parameters
    ----------
    kernel_sizes : sequence of int
        :math:`k_1, \dots, k_L`, first layer first (a pooling layer counts like a convolution).
    strides : sequence of int, optional
        :math:`s_l`; all 1 by default.
    dilations : sequence of int, optional
        :math:`d_l`; all 1 by default.

    Returns
    -------
    int
        The receptive field :math:`r_L` of one unit of the last layer.

    Raises
    ------
    ValueError
        If the sequences differ in length, are empty, or hold a value below 1.

    Notes
    -----
    Layer :math:`l` adds :math:`d_l (k_l - 1)` of *its input's* units, and one unit of that input
    lies :math:`j_{l-1} = s_1 \cdots s_{l-1}` input pixels from its neighbour, so

    .. math::

        r_L = 1 + \sum_{l=1}^{L} d_l\,(k_l - 1) \prod_{i=1}^{l-1} s_i .

    Padding changes where the field lies, not its size (near the border part of it is zeros).

    See Also
    --------
    conv_output_size, :ref:`ch-convolution`

    Examples
    --------
    Two 3x3 convolutions see 5 pixels, three see 7 (as one 7x7 does, with fewer weights);
    dilations 1, 2, 4 grow it exponentially: 1 + 2 + 4 + 8 = 15.

    >>> receptive_field([3, 3]), receptive_field([3, 3, 3])
    (5, 7)
    >>> receptive_field([3, 3, 3], dilations=[1, 2, 4])
    15

    A 2x2 pooling with stride 2 in between doubles what the next layer adds:

    >>> receptive_field([3, 2, 3], strides=[1, 2, 1])
    8
    """
    ks = [int_value(k, "kernel_sizes", low=1) for k in kernel_sizes]
    if not ks:
        raise ValueError("kernel_sizes must name at least one layer, got none")
    ss = [1] * len(ks) if strides is None else [int_value(s, "strides", low=1) for s in strides]
    ds = [1] * len(ks) if dilations is None else [int_value(d, "dilations", low=1)
                                                   for d in dilations]
    if not len(ks) == len(ss) == len(ds):
        raise ValueError(f"kernel_sizes, strides and dilations must have one entry per layer, "
                         f"got {len(ks)}, {len(ss)} and {len(ds)}")
    field, jump = 1, 1
    for k, s, d in zip(ks, ss, ds):
        field += d * (k - 1) * jump
        jump *= s
    return field


# -- Costs -----------------------------------------------------------------------------------------
def _channels(in_channels, out_channels, groups):
    """Checked channel counts and groups (groups must divide both)."""
    c_in = positive_int(in_channels, "in_channels")
    c_out = positive_int(out_channels, "out_channels")
    groups = positive_int(groups, "groups")
    if c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} must divide in_channels={c_in} and "
                         f"out_channels={c_out}")
    return c_in, c_out, groups


def conv_params(in_channels, out_channels, kernel_size, bias=True, groups=1) -> int:
    r"""Number of parameters of a 2-D convolution layer (``torch.nn.Conv2d``).

    Parameters
    ----------
    in_channels, out_channels : int
        :math:`C_\text{in}` and :math:`C_\text{out}`.
    kernel_size : int or (int, int)
        :math:`(k_h, k_w)`.
    bias : bool, default True
    groups : int, default 1
        ``groups = in_channels = out_channels`` is a depthwise convolution.

    Returns
    -------
    int

    Raises
    ------
    TypeError, ValueError
        If a size is not a positive int or ``groups`` does not divide both channel counts.

    Notes
    -----
    .. math:: P = \frac{C_\text{in}}{g}\,k_h k_w\,C_\text{out} + C_\text{out}\,[\text{bias}]

    It depends neither on the image size nor on stride or padding: the same filters slide over
    every position.

    See Also
    --------
    conv_mults, :ref:`ch-pooling`, :ref:`ch-architectures`

    Examples
    --------
    The course's example: 10 filters of 3x3x3 have 10 * (27 + 1) = 280 parameters; a 5x5
    convolution from 6 to 16 channels (LeNet-5's C3 if it were fully connected) has 2416.

    >>> conv_params(3, 10, 3), conv_params(6, 16, 5)
    (280, 2416)
    """
    c_in, c_out, groups = _channels(in_channels, out_channels, groups)
    kh, kw = int_pair(kernel_size, "kernel_size")
    return c_in // groups * kh * kw * c_out + (c_out if bool(bias) else 0)


def conv_mults(h_out, w_out, in_channels, out_channels, kernel_size, groups=1) -> int:
    r"""Multiplications of a convolution producing an ``h_out x w_out x out_channels`` output.

    Notes
    -----
    Each output value is a dot product of length :math:`k_h k_w C_\text{in}/g`:

    .. math:: M = H_\text{out} W_\text{out} C_\text{out} \cdot k_h k_w \frac{C_\text{in}}{g}

    See Also
    --------
    bottleneck_mults, separable_mults, :ref:`ch-architectures`

    Examples
    --------
    The course's example: a 5x5 "same" convolution from 28x28x192 to 28x28x32.

    >>> conv_mults(28, 28, 192, 32, 5)
    120422400
    """
    h_out, w_out = positive_int(h_out, "h_out"), positive_int(w_out, "w_out")
    c_in, c_out, groups = _channels(in_channels, out_channels, groups)
    kh, kw = int_pair(kernel_size, "kernel_size")
    return h_out * w_out * c_out * kh * kw * (c_in // groups)


def bottleneck_mults(h, w, in_channels, mid_channels, out_channels, kernel_size):
    r"""Multiplications of a 1x1 convolution to ``mid_channels`` followed by a ``k x k`` one.

    Both keep the spatial size ``h x w`` ("same" padding), as in an Inception branch.

    Returns
    -------
    tuple of int
        ``(first, second, total)``: the 1x1 layer's, the ``k x k`` layer's and their sum.

    Notes
    -----
    .. math:: M = H W C_\text{mid} C_\text{in} + H W C_\text{out} k^2 C_\text{mid}

    See Also
    --------
    conv_mults, :ref:`ch-architectures`

    Examples
    --------
    The course's 28x28x192 -> 16 -> 32 (5x5) bottleneck: about 12.4 million instead of 120 million.

    >>> bottleneck_mults(28, 28, 192, 16, 32, 5)
    (2408448, 10035200, 12443648)
    """
    first = conv_mults(h, w, in_channels, mid_channels, 1)
    second = conv_mults(h, w, mid_channels, out_channels, kernel_size)
    return first, second, first + second


def separable_params(in_channels, out_channels, kernel_size, bias=False) -> int:
    r"""Parameters of a depthwise ``k x k`` convolution followed by a pointwise 1x1 one.

    Notes
    -----
    .. math:: P = C_\text{in} k^2 + C_\text{in} C_\text{out}
              \quad(+\,C_\text{in} + C_\text{out} \text{ with biases})

    The ratio to a standard convolution's :math:`C_\text{in} k^2 C_\text{out}` is
    :math:`1/C_\text{out} + 1/k^2`.

    See Also
    --------
    conv_params, :ref:`ch-architectures`

    Examples
    --------
    >>> separable_params(3, 5, 3), conv_params(3, 5, 3, bias=False)
    (42, 135)
    """
    return (conv_params(in_channels, in_channels, kernel_size, bias=bias, groups=in_channels)
            + conv_params(in_channels, out_channels, 1, bias=bias))


def separable_mults(h_out, w_out, in_channels, out_channels, kernel_size) -> int:
    r"""Multiplications of a depthwise separable convolution with an ``h_out x w_out`` output.

    Notes
    -----
    .. math:: M = H_\text{out} W_\text{out} C_\text{in} k^2
              + H_\text{out} W_\text{out} C_\text{out} C_\text{in}

    See Also
    --------
    conv_mults, :ref:`ch-architectures`

    Examples
    --------
    The course's 6x6x3 input, 3x3 kernels, 5 output channels (4x4 output):

    >>> separable_mults(4, 4, 3, 5, 3), conv_mults(4, 4, 3, 5, 3)
    (672, 2160)
    """
    return (conv_mults(h_out, w_out, in_channels, in_channels, kernel_size, groups=in_channels)
            + conv_mults(h_out, w_out, in_channels, out_channels, 1))


# -- Scaling rules ---------------------------------------------------------------------------------
def make_divisible(v, divisor=8, min_value=None) -> int:
    r"""Round a channel count to the nearest multiple of ``divisor``, never 10 % below ``v``.

    The rule MobileNetV2 and EfficientNet use when they scale widths.

    Notes
    -----
    :math:`v' = \max(m, \lfloor v/d + 1/2 \rfloor d)`, plus :math:`d` if :math:`v' < 0.9v`.

    See Also
    --------
    compound_scaling, :ref:`ch-architectures`

    Examples
    --------
    >>> make_divisible(32 * 1.1), make_divisible(16 * 0.75), make_divisible(3.0)
    (32, 16, 8)
    """
    v = real_value(v, "v", low=0.0, low_open=True)
    divisor = positive_int(divisor, "divisor")
    min_value = divisor if min_value is None else int_value(min_value, "min_value", low=1)
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def compound_scaling(phi, alpha=1.2, beta=1.1, gamma=1.15) -> dict:
    r"""EfficientNet's compound scaling: depth, width and resolution multipliers for ``phi``.

    Parameters
    ----------
    phi : float
        The compound coefficient (how much more computation to spend: about :math:`2^\phi`).
    alpha, beta, gamma : float
        Per-dimension bases found by grid search on B0 (Tan & Le 2019): depth, width, resolution.

    Returns
    -------
    dict
        ``depth``, ``width``, ``resolution`` multipliers and ``flops``, the factor by which the
        FLOPs of a convolutional network grow, :math:`(\alpha\beta^2\gamma^2)^\phi`.

    Notes
    -----
    .. math:: d = \alpha^\phi,\quad w = \beta^\phi,\quad r = \gamma^\phi,\qquad
              \alpha\,\beta^2\gamma^2 \approx 2

    FLOPs grow linearly with depth and quadratically with width and resolution.

    References
    ----------
    M. Tan and Q. V. Le, "EfficientNet: Rethinking Model Scaling for Convolutional Neural
    Networks", ICML 2019.

    See Also
    --------
    make_divisible, :ref:`ch-architectures`

    Examples
    --------
    >>> s = compound_scaling(1)
    >>> round(s["flops"], 4)
    1.9203
    """
    phi = real_value(phi, "phi")
    alpha, beta = real_value(alpha, "alpha", low=1.0), real_value(beta, "beta", low=1.0)
    gamma = real_value(gamma, "gamma", low=1.0)
    return {"depth": alpha ** phi, "width": beta ** phi, "resolution": gamma ** phi,
            "flops": (alpha * beta ** 2 * gamma ** 2) ** phi}
