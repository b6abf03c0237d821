r"""EfficientNet in PyTorch: MBConv blocks with squeeze-and-excitation, B0 and its scaled siblings.

EfficientNet-B0 stacks MobileNetV2-style inverted residual blocks ("MBConv") with a
squeeze-and-excitation gate and SiLU activations.  B1-B7 multiply every stage's width and depth
by the coefficients listed in :data:`EFFICIENTNET_PARAMS` (the released models use rounded
values near :math:`\beta^\phi` and :math:`\alpha^\phi`; see
:func:`dlbook.cnn.conv_arithmetic.compound_scaling`).  Layouts follow torchvision, whose
documented parameter counts these models reproduce.

See Also
--------
dlbook.cnn.mobilenet_torch.InvertedResidual : the block without the gate.
:ref:`ch-architectures` : the chapter.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from dlbook._checks import one_of, positive_real
from dlbook.cnn.conv_arithmetic import make_divisible

__all__ = ["SqueezeExcitation", "MBConv", "B0_STAGES", "EFFICIENTNET_PARAMS", "EfficientNet",
           "efficientnet"]


class SqueezeExcitation(nn.Module):
    r"""Channel gate :math:`x \odot \sigma(W_2\,\mathrm{SiLU}(W_1 \bar x + b_1) + b_2)`.

    :math:`\bar{\mathbf{x}}` is the per-channel mean over height and width.

    Examples
    --------
    >>> se = SqueezeExcitation(96, 4)
    >>> sum(p.numel() for p in se.parameters())  # 96*4 + 4 + 4*96 + 96
    868
    """

    def __init__(self, channels, squeeze):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, squeeze, 1)
        self.fc2 = nn.Conv2d(squeeze, channels, 1)

    def forward(self, x):
        s = x.mean(dim=(2, 3), keepdim=True)  # (N, C, 1, 1)
        return x * torch.sigmoid(self.fc2(nn.functional.silu(self.fc1(s))))


def _conv_bn_silu(c_in, c_out, k, stride=1, groups=1):
    return nn.Sequential(nn.Conv2d(c_in, c_out, k, stride=stride, padding=(k - 1) // 2,
                                   groups=groups, bias=False),
                         nn.BatchNorm2d(c_out, eps=1e-3), nn.SiLU(inplace=True))


class MBConv(nn.Module):
    r"""Expand (1x1), depthwise ``k x k``, squeeze-and-excitation, linear projection, shortcut.

    The gate squeezes to ``max(1, c_in // 4)`` channels (a quarter of the block's *input*).
    (Stochastic depth, used in training, changes no parameter and is left out.)

    Examples
    --------
    >>> b = MBConv(16, 24, kernel_size=3, stride=2, expand_ratio=6)
    >>> b(torch.zeros(1, 16, 8, 8)).shape
    torch.Size([1, 24, 4, 4])
    """

    def __init__(self, c_in, c_out, kernel_size, stride, expand_ratio):
        super().__init__()
        hidden = make_divisible(c_in * expand_ratio)
        layers = [] if expand_ratio == 1 else [_conv_bn_silu(c_in, hidden, 1)]
        layers += [_conv_bn_silu(hidden, hidden, kernel_size, stride=stride, groups=hidden),
                   SqueezeExcitation(hidden, max(1, c_in // 4)),
                   nn.Conv2d(hidden, c_out, 1, bias=False), nn.BatchNorm2d(c_out, eps=1e-3)]
        self.block = nn.Sequential(*layers)
        self.use_shortcut = stride == 1 and c_in == c_out

    def forward(self, x):
        out = self.block(x)
        return x + out if self.use_shortcut else out


# Tan & Le (2019), Table 1: (expand ratio, kernel, first stride, in channels, out channels, layers).
B0_STAGES = ((1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2), (6, 3, 2, 40, 80, 3),
             (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4), (6, 3, 1, 192, 320, 1))

# (width multiplier, depth multiplier, resolution, dropout) of the released B0-B7.
EFFICIENTNET_PARAMS = {
    "b0": (1.0, 1.0, 224, 0.2), "b1": (1.0, 1.1, 240, 0.2), "b2": (1.1, 1.2, 260, 0.3),
    "b3": (1.2, 1.4, 300, 0.3), "b4": (1.4, 1.8, 380, 0.4), "b5": (1.6, 2.2, 456, 0.4),
    "b6": (1.8, 2.6, 528, 0.5), "b7": (2.0, 3.1, 600, 0.5),
}


class EfficientNet(nn.Module):
    r"""EfficientNet with width multiplier ``width`` and depth multiplier ``depth`` applied to B0.

    Notes
    -----
    Widths become ``make_divisible(c * width)``; a stage of :math:`n` layers gets
    :math:`\lceil n\,d \rceil`.  The head is a 1x1 convolution to four times the last stage's
    width (1280 for B0), global average pooling, dropout and a dense layer.

    Examples
    --------
    >>> sum(p.numel() for p in EfficientNet().parameters())  # B0
    5288548
    """

    def __init__(self, width=1.0, depth=1.0, num_classes=1000, dropout=0.2):
        super().__init__()
        width, depth = positive_real(width, "width"), positive_real(depth, "depth")
        c_stem = make_divisible(B0_STAGES[0][3] * width)
        layers = [_conv_bn_silu(3, c_stem, 3, stride=2)]
        for t, k, s, c_in, c_out, n in B0_STAGES:
            c_in, c_out = make_divisible(c_in * width), make_divisible(c_out * width)
            for i in range(int(math.ceil(n * depth))):
                layers.append(MBConv(c_in if i == 0 else c_out, c_out, k, s if i == 0 else 1, t))
        c_last = make_divisible(B0_STAGES[-1][4] * width)
        layers.append(_conv_bn_silu(c_last, 4 * c_last, 1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(4 * c_last, num_classes))

    def forward(self, x):
        pooled = nn.functional.adaptive_avg_pool2d(self.features(x), 1)
        return self.classifier(torch.flatten(pooled, 1))


def efficientnet(name="b0", num_classes=1000):
    """EfficientNet-B0 ... B7 by name (see :data:`EFFICIENTNET_PARAMS`).

    Examples
    --------
    >>> sum(p.numel() for p in efficientnet("b1").parameters())
    7794184
    """
    one_of(name, "name", sorted(EFFICIENTNET_PARAMS))
    w, d, _, p = EFFICIENTNET_PARAMS[name]
    return EfficientNet(w, d, num_classes, p)
