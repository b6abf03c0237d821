r"""Residual networks in PyTorch: basic and bottleneck blocks, ResNet-18/34/50, a residual MLP.

A residual block computes :math:`\mathbf{y} = \mathrm{ReLU}(F(\mathbf{x}) + S(\mathbf{x}))` where
:math:`S` is the identity, or a strided 1x1 convolution with batch norm when the shape changes.
The layouts follow torchvision's (He et al. 2016, with the stride of a bottleneck on its 3x3
convolution, "ResNet v1.5"), so the parameter counts equal torchvision's documented ones.

See Also
--------
dlbook.cnn.classic_cnns_torch : LeNet-5, AlexNet, VGG.
:ref:`ch-architectures` : the chapter.
"""

from __future__ import annotations

import torch
from torch import nn

from dlbook._checks import positive_int

__all__ = ["BasicBlock", "Bottleneck", "ResNet", "resnet18", "resnet34", "resnet50", "DeepMLP"]


def _shortcut(c_in, c_out, stride):
    """Identity when the shape is kept, else a 1x1 convolution (no bias) and batch norm."""
    if stride == 1 and c_in == c_out:
        return nn.Identity()
    return nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False),
                         nn.BatchNorm2d(c_out))


class BasicBlock(nn.Module):
    r"""Two 3x3 convolutions with batch norm and a shortcut (ResNet-18/34).

    Notes
    -----
    .. math:: \mathbf{y} = \mathrm{ReLU}\big(\mathrm{BN}(W_2 * \mathrm{ReLU}(\mathrm{BN}(W_1 *
              \mathbf{x})))
              + S(\mathbf{x})\big)

    Examples
    --------
    >>> block = BasicBlock(64, 64)
    >>> sum(p.numel() for p in block.parameters())  # 2 * (64*64*9 + 2*64)
    73984
    >>> block(torch.zeros(1, 64, 8, 8)).shape
    torch.Size([1, 64, 8, 8])
    """

    expansion = 1

    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = _shortcut(c_in, c_out, stride)

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + self.shortcut(x))


class Bottleneck(nn.Module):
    r"""1x1 (reduce) -> 3x3 -> 1x1 (expand by 4), batch norm and a shortcut (ResNet-50 and deeper).

    Parameters
    ----------
    c_in : int
    width : int
        Channels of the 3x3 convolution; the block outputs ``4 * width``.
    stride : int, default 1
        Applied by the 3x3 convolution (torchvision's "v1.5"; the parameter count is the same as
        with the stride on the first 1x1 convolution, as in the paper).

    Examples
    --------
    >>> block = Bottleneck(256, 64)
    >>> sum(p.numel() for p in block.parameters())  # 256*64 + 64*64*9 + 64*256 + BN 2*(64+64+256)
    70400
    """

    expansion = 4

    def __init__(self, c_in, width, stride=1):
        super().__init__()
        c_out = width * self.expansion
        self.conv1 = nn.Conv2d(c_in, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, c_out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(c_out)
        self.shortcut = _shortcut(c_in, c_out, stride)

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = torch.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return torch.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    r"""ImageNet ResNet: 7x7 stem, max pool, four stages of blocks (64 to 512 wide), pool, dense.

    Parameters
    ----------
    block : BasicBlock or Bottleneck
    layers : sequence of 4 int
        Blocks per stage: (2, 2, 2, 2) is ResNet-18, (3, 4, 6, 3) ResNet-34 (basic) or ResNet-50
        (bottleneck).
    num_classes : int, default 1000

    Examples
    --------
    >>> net = ResNet(BasicBlock, (1, 1, 1, 1), num_classes=10)
    >>> net(torch.zeros(1, 3, 64, 64)).shape
    torch.Size([1, 10])
    """

    def __init__(self, block, layers, num_classes=1000):
        super().__init__()
        layers = [positive_int(n, "layers") for n in layers]
        if len(layers) != 4:
            raise ValueError(f"layers must be 4 positive block counts, got {layers!r}")
        self.stem = nn.Sequential(nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False),
                                  nn.BatchNorm2d(64), nn.ReLU(inplace=True),
                                  nn.MaxPool2d(3, stride=2, padding=1))
        stages, c_in = [], 64
        for i, (width, n) in enumerate(zip((64, 128, 256, 512), layers)):
            blocks = []
            for j in range(int(n)):
                stride = 2 if (i > 0 and j == 0) else 1
                blocks.append(block(c_in, width, stride))
                c_in = width * block.expansion
            stages.append(nn.Sequential(*blocks))
        self.stages = nn.Sequential(*stages)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c_in, num_classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.stages(self.stem(x))), 1))


def resnet18(num_classes=1000):
    """ResNet-18: basic blocks (2, 2, 2, 2); 11,689,512 parameters with 1000 classes.

    Examples
    --------
    >>> sum(p.numel() for p in resnet18().parameters())
    11689512
    """
    return ResNet(BasicBlock, (2, 2, 2, 2), num_classes)


def resnet34(num_classes=1000):
    """ResNet-34: basic blocks (3, 4, 6, 3); 21,797,672 parameters with 1000 classes.

    Examples
    --------
    >>> sum(p.numel() for p in resnet34().parameters())
    21797672
    """
    return ResNet(BasicBlock, (3, 4, 6, 3), num_classes)


def resnet50(num_classes=1000):
    """ResNet-50: bottleneck blocks (3, 4, 6, 3); 25,557,032 parameters with 1000 classes.

    Examples
    --------
    >>> sum(p.numel() for p in resnet50().parameters())
    25557032
    """
    return ResNet(Bottleneck, (3, 4, 6, 3), num_classes)


class DeepMLP(nn.Module):
    r"""A stack of ``depth`` equal-width dense layers with ReLU, plain or with identity shortcuts.

    Used by the chapter's "deeper is worse" experiment: the same layers with and without the
    identity path and no normalization, so the only difference is the shortcut.

    Parameters
    ----------
    in_features, width, num_classes : int
    depth : int
        Number of hidden ``width -> width`` layers after the input layer.
    residual : bool
        If True, hidden layers are grouped in pairs, each pair computing
        :math:`\mathrm{ReLU}(\mathbf{h} + W_2\,\mathrm{ReLU}(W_1 \mathbf{h} + \mathbf{b}_1)
        + \mathbf{b}_2)`
        (an odd last layer stays plain).

    Examples
    --------
    >>> a = DeepMLP(64, 32, 10, depth=6, residual=False)
    >>> b = DeepMLP(64, 32, 10, depth=6, residual=True)
    >>> n_a, n_b = (sum(p.numel() for p in m.parameters()) for m in (a, b))
    >>> n_a == n_b == 65 * 32 + 6 * 33 * 32 + 33 * 10
    True
    """

    def __init__(self, in_features, width, num_classes, depth, residual):
        super().__init__()
        depth, width = positive_int(depth, "depth"), positive_int(width, "width")
        self.residual = bool(residual)
        self.inp = nn.Linear(in_features, width)
        self.hidden = nn.ModuleList(nn.Linear(width, width) for _ in range(depth))
        self.head = nn.Linear(width, num_classes)

    def forward(self, x):
        h = torch.relu(self.inp(torch.flatten(x, 1)))
        i = 0
        while i < len(self.hidden):
            if self.residual and i + 1 < len(self.hidden):
                h = torch.relu(h + self.hidden[i + 1](torch.relu(self.hidden[i](h))))
                i += 2
            else:
                h = torch.relu(self.hidden[i](h))
                i += 1
        return self.head(h)
