r"""Classic convolutional networks in PyTorch: LeNet-5, AlexNet and VGG.

Each class rebuilds a published network layer for layer so that its parameter count equals the
published total (chapter :ref:`ch-architectures` prints them with
:func:`dlbook.nn.summary_torch.summary`).  ResNet, GoogLeNet, MobileNetV2 and EfficientNet live in
:mod:`dlbook.cnn.resnet_torch`, :mod:`dlbook.cnn.inception_torch`,
:mod:`dlbook.cnn.mobilenet_torch` and :mod:`dlbook.cnn.efficientnet_torch`.

See Also
--------
dlbook.cnn.conv_arithmetic : the framework-free parameter and multiplication counts.
:ref:`ch-architectures` : the chapter.
"""

from __future__ import annotations

import torch
from torch import nn

from dlbook._checks import one_of

__all__ = ["LENET5_C3_TABLE", "ScaledTanh", "Subsample", "SparseConv2d", "LeNet5", "AlexNet",
           "VGG_CONFIGS", "VGG", "vgg16"]

# LeCun et al. (1998), Table I: which S2 maps (0-5) feed each C3 map (0-15).
LENET5_C3_TABLE = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (0, 4, 5), (0, 1, 5),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (0, 3, 4, 5), (0, 1, 4, 5), (0, 1, 2, 5),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)


class ScaledTanh(nn.Module):
    r"""LeNet-5's squashing :math:`f(a) = A \tanh(S a)` with :math:`A = 1.7159`, :math:`S = 2/3`.

    Examples
    --------
    >>> round(ScaledTanh()(torch.tensor(1.0)).item(), 4)  # f(1) = 1 by design
    1.0
    """

    def forward(self, x):
        return 1.7159 * torch.tanh(2.0 / 3.0 * x)


class Subsample(nn.Module):
    r"""LeNet-5's subsampling: each 2x2 block's sum times a trainable coefficient, plus a bias.

    Notes
    -----
    .. math:: y_{c,i,j} = w_c \sum_{(u,v)\in\{0,1\}^2} x_{c,2i+u,2j+v} + b_c

    Two parameters per channel (S2 has 12, S4 has 32).

    Examples
    --------
    >>> s = Subsample(1)
    >>> s(torch.ones(1, 1, 2, 2)).item()  # w = 1, b = 0 at the start: the block sum
    4.0
    """

    def __init__(self, channels):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x):
        summed = 4.0 * nn.functional.avg_pool2d(x, 2)  # (N, C, H/2, W/2) block sums
        return summed * self.weight[:, None, None] + self.bias[:, None, None]


class SparseConv2d(nn.Module):
    r"""A convolution whose output map ``k`` sees only the input maps ``table[k]`` (LeNet-5's C3).

    Parameters
    ----------
    table : sequence of sequences of int
        ``table[k]`` lists the input channels of output channel ``k``.
    kernel_size : int

    Notes
    -----
    Output map :math:`k` has :math:`|T_k|\,k_h k_w + 1` parameters; with LeNet-5's table and 5x5
    kernels that is :math:`6\cdot76 + 9\cdot101 + 151 = 1516`.

    Examples
    --------
    >>> sum(p.numel() for p in SparseConv2d(LENET5_C3_TABLE, 5).parameters())
    1516
    """

    def __init__(self, table, kernel_size):
        super().__init__()
        if not table or any(len(t) == 0 for t in table):
            raise ValueError("every output map needs at least one input map")
        self.table = tuple(tuple(int(i) for i in t) for t in table)
        self.convs = nn.ModuleList(nn.Conv2d(len(t), 1, kernel_size) for t in self.table)

    def forward(self, x):
        need = max(max(t) for t in self.table) + 1
        if x.ndim != 4 or x.shape[1] < need:
            raise ValueError(f"SparseConv2d needs (N, C>={need}, H, W) input, got {tuple(x.shape)}")
        return torch.cat([conv(x[:, list(t)]) for conv, t in zip(self.convs, self.table)], dim=1)


class LeNet5(nn.Module):
    r"""LeNet-5 on 32x32 grey images, in the 1998 form or the common modern simplification.

    Parameters
    ----------
    variant : {"1998", "modern"}
        ``"1998"`` (LeCun et al. 1998): scaled tanh, trainable subsampling S2/S4, C3 connected by
        the paper's table, C5 as a 5x5 convolution, F6 with 84 units; the paper's output layer of
        fixed Euclidean RBF units is replaced by a trainable ``Linear(84, num_classes)``.
        Layers C1-F6 hold the paper's 60,000 trainable parameters.
        ``"modern"``: ReLU, 2x2 max pooling, a full C3; 61,706 parameters with 10 classes.
    num_classes : int, default 10

    Examples
    --------
    >>> sum(p.numel() for p in LeNet5("1998").features.parameters())
    60000
    >>> LeNet5("1998")(torch.zeros(2, 1, 32, 32)).shape
    torch.Size([2, 10])
    """

    def __init__(self, variant="1998", num_classes=10):
        super().__init__()
        one_of(variant, "variant", ("1998", "modern"))
        if variant == "1998":
            act, pool1, pool2 = ScaledTanh, Subsample(6), Subsample(16)
            c3 = SparseConv2d(LENET5_C3_TABLE, 5)
            self.features = nn.Sequential(
                nn.Conv2d(1, 6, 5), act(), pool1, act(), c3, act(), pool2, act(),
                nn.Conv2d(16, 120, 5), act(), nn.Flatten(), nn.Linear(120, 84), act())
        elif variant == "modern":
            self.features = nn.Sequential(
                nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                nn.MaxPool2d(2), nn.Conv2d(16, 120, 5), nn.ReLU(), nn.Flatten(),
                nn.Linear(120, 84), nn.ReLU())
        self.variant = variant
        self.output = nn.Linear(84, num_classes)

    def forward(self, x):
        if x.ndim != 4 or tuple(x.shape[1:]) != (1, 32, 32):
            raise ValueError(f"LeNet5 expects (N, 1, 32, 32) input, got {tuple(x.shape)}")
        return self.output(self.features(x))


class AlexNet(nn.Module):
    r"""AlexNet as torchvision defines it (the one-GPU form of Krizhevsky's 2014 "one weird trick").

    Five convolutions (64, 192, 384, 256, 256 channels), three max pools, an adaptive 6x6
    average pool and three dense layers (4096, 4096, classes); 61,100,840 parameters with 1000
    classes.  The 2012 paper's two-GPU network used 96, 256, 384, 384, 256 channels and local
    response normalization.

    Examples
    --------
    >>> sum(p.numel() for p in AlexNet().parameters())
    61100840
    """

    def __init__(self, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 11, stride=4, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


# Simonyan & Zisserman (2015), Table 1: numbers are 3x3 conv widths, "M" a 2x2 max pool.
VGG_CONFIGS = {
    "A": (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    "B": (64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    "D": (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"),
    "E": (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
          512, 512, 512, 512, "M"),
}


class VGG(nn.Module):
    r"""VGG: stacks of 3x3 convolutions ("same" padding) and 2x2 max pools, then three dense layers.

    Parameters
    ----------
    config : sequence
        Channel widths and ``"M"`` for pooling, e.g. ``VGG_CONFIGS["D"]`` (VGG-16).
    num_classes : int, default 1000

    Notes
    -----
    Configuration D (VGG-16, 13 convolutions + 3 dense layers) has 138,357,544 parameters with
    1000 classes, of which 102,764,544 are in the first dense layer
    (:math:`25088 \times 4096 + 4096`).

    Examples
    --------
    >>> n = sum(p.numel() for p in VGG(("M",), num_classes=2).parameters())
    >>> n == 3 * 49 * 4096 + 4096 + 4097 * 4096 + 4097 * 2
    True
    """

    def __init__(self, config, num_classes=1000, dropout=0.5):
        super().__init__()
        layers, c_in = [], 3
        for v in config:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(c_in, int(v), 3, padding=1), nn.ReLU(inplace=True)]
                c_in = int(v)
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(c_in * 7 * 7, 4096), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def vgg16(num_classes=1000):
    """VGG-16 (configuration D).

    Examples
    --------
    >>> sum(p.numel() for p in vgg16().parameters())
    138357544
    """
    return VGG(VGG_CONFIGS["D"], num_classes=num_classes)
