r"""The Inception module and GoogLeNet in PyTorch.

An Inception module runs four branches side by side on the same input (1x1; 1x1 then 3x3;
1x1 then 5x5; 3x3 max pool then 1x1) and concatenates their outputs along the channels; the
1x1 convolutions in front of the larger kernels cut the multiplications roughly tenfold
(:func:`dlbook.cnn.conv_arithmetic.bottleneck_mults`).

Every convolution is followed by batch norm and ReLU, as in torchvision's GoogLeNet (the 2014
paper had biases and no batch norm).  torchvision's module uses a 3x3 kernel in the branch that
the paper gives a 5x5 one (a bug kept there for compatibility with its trained weights);
``branch3_kernel`` chooses.

See Also
--------
dlbook.cnn.classic_cnns_torch, :ref:`ch-architectures`
"""

from __future__ import annotations

import torch
from torch import nn

from dlbook._checks import one_of

__all__ = ["conv_bn_relu", "Inception", "GOOGLENET_INCEPTION", "GoogLeNet"]


def conv_bn_relu(c_in, c_out, k, stride=1, padding=0):
    """A convolution without bias, batch norm (eps 1e-3 as torchvision) and ReLU.

    See Also
    --------
    :ref:`ch-architectures`

    Examples
    --------
    >>> sum(p.numel() for p in conv_bn_relu(3, 8, 3).parameters())  # 3*9*8 + 2*8
    232
    """
    return nn.Sequential(nn.Conv2d(c_in, c_out, k, stride=stride, padding=padding, bias=False),
                         nn.BatchNorm2d(c_out, eps=1e-3), nn.ReLU(inplace=True))


class Inception(nn.Module):
    r"""Four parallel branches concatenated along the channels.

    Parameters
    ----------
    c_in : int
    ch1x1 : int
        Output channels of the 1x1 branch.
    ch3x3red, ch3x3 : int
        1x1 reduction, then 3x3 output channels.
    ch5x5red, ch5x5 : int
        1x1 reduction, then the "5x5" branch's output channels.
    pool_proj : int
        Channels of the 1x1 convolution after the 3x3 max pool (stride 1).
    branch3_kernel : {5, 3}, default 5
        Kernel of the third branch: 5 as in the paper, 3 as in torchvision.

    Notes
    -----
    The output has :math:`\text{ch1x1} + \text{ch3x3} + \text{ch5x5} + \text{pool\_proj}`
    channels and the input's height and width.

    Examples
    --------
    GoogLeNet's module 3a: 192 channels in, 64 + 128 + 32 + 32 = 256 out.

    >>> m = Inception(192, 64, 96, 128, 16, 32, 32)
    >>> m(torch.zeros(1, 192, 28, 28)).shape
    torch.Size([1, 256, 28, 28])
    """

    def __init__(self, c_in, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj, branch3_kernel=5):
        super().__init__()
        one_of(branch3_kernel, "branch3_kernel", (3, 5))
        k = branch3_kernel
        self.branch1 = conv_bn_relu(c_in, ch1x1, 1)
        self.branch2 = nn.Sequential(conv_bn_relu(c_in, ch3x3red, 1),
                                     conv_bn_relu(ch3x3red, ch3x3, 3, padding=1))
        self.branch3 = nn.Sequential(conv_bn_relu(c_in, ch5x5red, 1),
                                     conv_bn_relu(ch5x5red, ch5x5, k, padding=k // 2))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True),
                                     conv_bn_relu(c_in, pool_proj, 1))

    def forward(self, x):
        branches = (self.branch1, self.branch2, self.branch3, self.branch4)
        return torch.cat([b(x) for b in branches], dim=1)


# Szegedy et al. (2015), Table 1: (c_in, #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj).
GOOGLENET_INCEPTION = {
    "3a": (192, 64, 96, 128, 16, 32, 32), "3b": (256, 128, 128, 192, 32, 96, 64),
    "4a": (480, 192, 96, 208, 16, 48, 64), "4b": (512, 160, 112, 224, 24, 64, 64),
    "4c": (512, 128, 128, 256, 24, 64, 64), "4d": (512, 112, 144, 288, 32, 64, 64),
    "4e": (528, 256, 160, 320, 32, 128, 128), "5a": (832, 256, 160, 320, 32, 128, 128),
    "5b": (832, 384, 192, 384, 48, 128, 128),
}


class GoogLeNet(nn.Module):
    r"""GoogLeNet (Inception v1) without the two auxiliary classifiers.

    Parameters
    ----------
    num_classes : int, default 1000
    branch3_kernel : {5, 3}, default 5
        With 3 the network is torchvision's ``googlenet`` layer for layer: 6,624,904 parameters.
    dropout : float, default 0.2

    Notes
    -----
    The paper trained with two auxiliary softmax classifiers attached to modules 4a and 4d
    (discarded at inference); torchvision's published count, like this class, leaves them out.

    Examples
    --------
    >>> sum(p.numel() for p in GoogLeNet(branch3_kernel=3).parameters())
    6624904
    """

    def __init__(self, num_classes=1000, branch3_kernel=5, dropout=0.2):
        super().__init__()
        inc = {name: Inception(*cfg, branch3_kernel=branch3_kernel)
               for name, cfg in GOOGLENET_INCEPTION.items()}
        self.features = nn.Sequential(
            conv_bn_relu(3, 64, 7, stride=2, padding=3), nn.MaxPool2d(3, 2, ceil_mode=True),
            conv_bn_relu(64, 64, 1), conv_bn_relu(64, 192, 3, padding=1),
            nn.MaxPool2d(3, 2, ceil_mode=True),
            inc["3a"], inc["3b"], nn.MaxPool2d(3, 2, ceil_mode=True),
            inc["4a"], inc["4b"], inc["4c"], inc["4d"], inc["4e"],
            nn.MaxPool2d(2, 2, ceil_mode=True),
            inc["5a"], inc["5b"])
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(1024, num_classes)

    def forward(self, x):
        return self.fc(self.dropout(torch.flatten(self.pool(self.features(x)), 1)))
