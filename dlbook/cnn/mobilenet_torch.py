r"""Depthwise separable convolution and MobileNetV2 (inverted residual blocks) in PyTorch.

A depthwise convolution filters each channel on its own (``groups = channels``); a pointwise
1x1 convolution then mixes the channels.  MobileNetV2's inverted residual block expands a thin
input with a 1x1 convolution (factor :math:`t`), filters it depthwise, and projects it back to a
thin output with a *linear* 1x1 convolution (no ReLU: a ReLU in a low-dimensional space destroys
information), adding the input when the shapes match.

See Also
--------
dlbook.cnn.conv_arithmetic.separable_params : the parameter count of a separable convolution.
:ref:`ch-architectures` : the chapter.
"""

from __future__ import annotations

import torch
from torch import nn

from dlbook._checks import one_of
from dlbook.cnn.conv_arithmetic import make_divisible

__all__ = ["DepthwiseSeparableConv", "conv_bn_relu6", "InvertedResidual", "MOBILENETV2_SETTINGS",
           "MobileNetV2"]


class DepthwiseSeparableConv(nn.Module):
    r"""Depthwise ``k x k`` convolution followed by a pointwise 1x1 convolution (no batch norm).

    Examples
    --------
    >>> m = DepthwiseSeparableConv(3, 5, 3, bias=False)
    >>> sum(p.numel() for p in m.parameters())  # 3*9 + 3*5
    42
    >>> m(torch.zeros(1, 3, 6, 6)).shape
    torch.Size([1, 5, 4, 4])
    """

    def __init__(self, c_in, c_out, kernel_size, stride=1, padding=0, bias=True):
        super().__init__()
        self.depthwise = nn.Conv2d(c_in, c_in, kernel_size, stride=stride, padding=padding,
                                   groups=c_in, bias=bias)
        self.pointwise = nn.Conv2d(c_in, c_out, 1, bias=bias)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))


def conv_bn_relu6(c_in, c_out, k, stride=1, groups=1):
    """Convolution ("same" padding, no bias), batch norm, ReLU6.

    See Also
    --------
    :ref:`ch-architectures`

    Examples
    --------
    >>> conv_bn_relu6(3, 8, 3, stride=2)(torch.zeros(1, 3, 8, 8)).shape
    torch.Size([1, 8, 4, 4])
    """
    return nn.Sequential(nn.Conv2d(c_in, c_out, k, stride=stride, padding=(k - 1) // 2,
                                   groups=groups, bias=False),
                         nn.BatchNorm2d(c_out), nn.ReLU6(inplace=True))


class InvertedResidual(nn.Module):
    r"""MobileNetV2's block: expand (1x1), depthwise 3x3, linear projection (1x1), and a shortcut.

    Parameters
    ----------
    c_in, c_out : int
    stride : {1, 2}
    expand_ratio : int
        :math:`t`; the hidden width is :math:`t\,C_\text{in}` (no expansion layer when 1).

    Notes
    -----
    The shortcut is used only when ``stride == 1`` and ``c_in == c_out``.

    Examples
    --------
    >>> b = InvertedResidual(24, 24, 1, 6)
    >>> # (24+2)*144 + (9+2)*144 + 144*24 + 2*24 parameters
    >>> b.use_shortcut, sum(p.numel() for p in b.parameters())
    (True, 8832)
    """

    def __init__(self, c_in, c_out, stride, expand_ratio):
        super().__init__()
        one_of(stride, "stride", (1, 2))
        hidden = int(round(c_in * expand_ratio))
        layers = [] if expand_ratio == 1 else [conv_bn_relu6(c_in, hidden, 1)]
        layers += [conv_bn_relu6(hidden, hidden, 3, stride=stride, groups=hidden),
                   nn.Conv2d(hidden, c_out, 1, bias=False), nn.BatchNorm2d(c_out)]
        self.block = nn.Sequential(*layers)
        self.use_shortcut = stride == 1 and c_in == c_out

    def forward(self, x):
        out = self.block(x)
        return x + out if self.use_shortcut else out


# Sandler et al. (2018), Table 2: expansion t, channels c, repeats n, first stride s.
MOBILENETV2_SETTINGS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                        (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))


class MobileNetV2(nn.Module):
    r"""MobileNetV2: a 3x3 stem, 17 inverted residual blocks, a 1x1 convolution to 1280, dense.

    Parameters
    ----------
    num_classes : int, default 1000
    width_mult : float, default 1.0
        Multiplies every width (rounded by :func:`dlbook.cnn.conv_arithmetic.make_divisible`).

    Notes
    -----
    With ``width_mult=1`` and 1000 classes: 3,504,872 parameters, as torchvision's
    ``mobilenet_v2``.

    Examples
    --------
    >>> sum(p.numel() for p in MobileNetV2().parameters())
    3504872
    """

    def __init__(self, num_classes=1000, width_mult=1.0, dropout=0.2):
        super().__init__()
        c_in = make_divisible(32 * width_mult)
        last = make_divisible(1280 * max(1.0, width_mult))
        layers = [conv_bn_relu6(3, c_in, 3, stride=2)]
        for t, c, n, s in MOBILENETV2_SETTINGS:
            c_out = make_divisible(c * width_mult)
            for i in range(n):
                layers.append(InvertedResidual(c_in, c_out, s if i == 0 else 1, t))
                c_in = c_out
        layers.append(conv_bn_relu6(c_in, last, 1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(last, num_classes))

    def forward(self, x):
        pooled = nn.functional.adaptive_avg_pool2d(self.features(x), 1)
        return self.classifier(torch.flatten(pooled, 1))
