r"""Counting the cost of a convolution: parameters, multiplications, and EfficientNet's scaling.

Framework-free arithmetic behind chapter :ref:`ch-architectures`: how many weights and how many
multiplications a standard, a 1x1-bottlenecked and a depthwise separable convolution need, and
EfficientNet's compound scaling rule.  The networks themselves are built in PyTorch in
:mod:`dlbook.cnn.architectures_torch` and its sibling modules.

See Also
--------
dlbook.cnn.architectures_torch : LeNet-5, AlexNet and VGG in PyTorch.
:ref:`ch-architectures` : the chapter.
"""

from __future__ import annotations

import math
import numbers

__all__ = ["conv_params", "conv_mults", "bottleneck_mults", "separable_params",
           "separable_mults", "compound_scaling", "make_divisible"]


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def conv_params(c_in, c_out, k, bias=True, groups=1):
    r"""Number of parameters of a 2-D convolution with a square ``k x k`` kernel.

    Parameters
    ----------
    c_in, c_out : int
        Input and output channels.
    k : int
        Kernel size.
    bias : bool, default True
    groups : int, default 1
        ``groups = c_in = c_out`` is a depthwise convolution.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If a size is not a positive integer or ``groups`` does not divide both channel counts.

    Notes
    -----
    .. math:: P = \frac{C_\text{in}}{g}\,k^2\,C_\text{out} + C_\text{out}\,[\text{bias}]

    See Also
    --------
    conv_mults, :ref:`ch-architectures`

    Examples
    --------
    A 5x5 convolution from 6 to 16 channels (LeNet-5's C3 if it were fully connected):

    >>> conv_params(6, 16, 5)
    2416
    """
    c_in, c_out, k, groups = (_positive_int(n, v) for n, v in
                              (("c_in", c_in), ("c_out", c_out), ("k", k), ("groups", groups)))
    if c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} must divide c_in={c_in} and c_out={c_out}")
    return c_in // groups * k * k * c_out + (c_out if bias else 0)


def conv_mults(h_out, w_out, c_in, c_out, k, groups=1):
    r"""Multiplications of a convolution producing an ``h_out x w_out x c_out`` output.

    Notes
    -----
    Each output value is a dot product of length :math:`k^2 C_\text{in}/g`:

    .. math:: M = H_\text{out} W_\text{out} C_\text{out} \cdot k^2 \frac{C_\text{in}}{g}

    See Also
    --------
    bottleneck_mults, separable_mults, :ref:`ch-architectures`

    Examples
    --------
    The course's example: a 5x5 "same" convolution from 28x28x192 to 28x28x32.

    >>> conv_mults(28, 28, 192, 32, 5)
    120422400
    """
    h_out, w_out, c_in, c_out, k, groups = (
        _positive_int(n, v) for n, v in (("h_out", h_out), ("w_out", w_out), ("c_in", c_in),
                                         ("c_out", c_out), ("k", k), ("groups", groups)))
    if c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} must divide c_in={c_in} and c_out={c_out}")
    return h_out * w_out * c_out * k * k * (c_in // groups)


def bottleneck_mults(h, w, c_in, c_mid, c_out, k):
    r"""Multiplications of a 1x1 convolution to ``c_mid`` channels followed by a ``k x k`` one.

    Both keep the spatial size ``h x w`` ("same" padding), as in an Inception branch.

    Returns
    -------
    tuple of int
        ``(first, second, total)``: the 1x1 layer's, the ``k x k`` layer's and their sum.

    Notes
    -----
    .. math:: M = H W C_\text{mid} C_\text{in} + H W C_\text{out} k^2 C_\text{mid}

    Examples
    --------
    The course's 28x28x192 -> 16 -> 32 (5x5) bottleneck: about 12.4 million instead of 120 million.

    >>> bottleneck_mults(28, 28, 192, 16, 32, 5)
    (2408448, 10035200, 12443648)
    """
    first = conv_mults(h, w, c_in, c_mid, 1)
    second = conv_mults(h, w, c_mid, c_out, k)
    return first, second, first + second


def separable_params(c_in, c_out, k, bias=False):
    r"""Parameters of a depthwise ``k x k`` convolution followed by a pointwise 1x1 one.

    Notes
    -----
    .. math:: P = C_\text{in} k^2 + C_\text{in} C_\text{out}
              \quad(+\,C_\text{in} + C_\text{out} \text{ with biases})

    The ratio to a standard convolution's :math:`C_\text{in} k^2 C_\text{out}` is
    :math:`1/C_\text{out} + 1/k^2`.

    Examples
    --------
    >>> separable_params(3, 5, 3), conv_params(3, 5, 3, bias=False)
    (42, 135)
    """
    return (conv_params(c_in, c_in, k, bias=bias, groups=c_in)
            + conv_params(c_in, c_out, 1, bias=bias))


def separable_mults(h_out, w_out, c_in, c_out, k):
    r"""Multiplications of a depthwise separable convolution with an ``h_out x w_out`` output.

    Notes
    -----
    .. math:: M = H_\text{out} W_\text{out} C_\text{in} k^2
              + H_\text{out} W_\text{out} C_\text{out} C_\text{in}

    Examples
    --------
    The course's 6x6x3 input, 3x3 kernels, 5 output channels (4x4 output):

    >>> separable_mults(4, 4, 3, 5, 3), conv_mults(4, 4, 3, 5, 3)
    (672, 2160)
    """
    return (conv_mults(h_out, w_out, c_in, c_in, k, groups=c_in)
            + conv_mults(h_out, w_out, c_in, c_out, 1))


def make_divisible(v, divisor=8, min_value=None):
    r"""Round a channel count to the nearest multiple of ``divisor``, never 10 % below ``v``.

    The rule MobileNetV2 and EfficientNet use when they scale widths.

    Notes
    -----
    :math:`v' = \max(m, \lfloor v/d + 1/2 \rfloor d)`, plus :math:`d` if :math:`v' < 0.9v`.

    Examples
    --------
    >>> make_divisible(32 * 1.1), make_divisible(16 * 0.75), make_divisible(3.0)
    (32, 16, 8)
    """
    if not v > 0:
        raise ValueError(f"v must be positive, got {v!r}")
    divisor = _positive_int("divisor", divisor)
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def compound_scaling(phi, alpha=1.2, beta=1.1, gamma=1.15):
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

    Examples
    --------
    >>> s = compound_scaling(1)
    >>> round(s["flops"], 4)
    1.9203
    """
    for name, v in (("alpha", alpha), ("beta", beta), ("gamma", gamma)):
        if not v >= 1:
            raise ValueError(f"{name} must be >= 1, got {v!r}")
    if not math.isfinite(phi):
        raise ValueError(f"phi must be finite, got {phi!r}")
    return {"depth": alpha ** phi, "width": beta ** phi, "resolution": gamma ** phi,
            "flops": (alpha * beta ** 2 * gamma ** 2) ** phi}
