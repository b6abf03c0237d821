r"""A tiny U-Net for semantic segmentation, and the scores used to judge a segmentation.

Chapter :ref:`ch-detection`. The U-Net (Ronneberger, Fischer and Brox, 2015) is an encoder that
halves the resolution twice, a decoder that doubles it back with transposed convolutions, and
*skip connections* that concatenate each encoder level's feature maps to the decoder level of the
same size, so the fine detail lost by pooling comes back for the per-pixel decision. This one has
two levels instead of four and a few channels, enough for 32 x 32 synthetic shapes.

See Also
--------
dlbook.cnn.conv.conv_transpose2d_forward : transposed convolution in NumPy.
dlbook.data.shapes.make_shapes : images with segmentation masks.
"""

from __future__ import annotations

import torch
from torch import nn

from dlbook._checks import positive_int

__all__ = ["TinyUNet", "confusion_matrix", "segmentation_metrics"]


def _block(c_in: int, c_out: int) -> nn.Sequential:
    """Two 3x3 convolutions (padding 1, sizes kept), each followed by batch norm and ReLU."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
        nn.Conv2d(c_out, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class TinyUNet(nn.Module):
    r"""A two-level U-Net: (N, in_channels, H, W) images to (N, n_classes, H, W) logits.

    Parameters
    ----------
    in_channels : int, default 1
    n_classes : int, default 4
        Output channels, one logit map per class (background included).
    base : int, default 8
        Channels of the first level; the levels below have ``2 * base`` and ``4 * base``.

    Notes
    -----
    With :math:`c` = ``base``, for an :math:`H \times W` input (both divisible by 4)::

        enc1  block(in, c)                 H   x W        ─────────────┐ skip
        enc2  maxpool 2, block(c, 2c)      H/2 x W/2      ──────┐      │
        mid   maxpool 2, block(2c, 4c)     H/4 x W/4            │      │
        up2   convT(4c, 2c, k=2, s=2)      H/2 x W/2  ⊕ enc2 ───┘      │
        dec2  block(4c, 2c)                H/2 x W/2                   │
        up1   convT(2c, c, k=2, s=2)       H   x W    ⊕ enc1 ──────────┘
        dec1  block(2c, c)                 H   x W
        head  conv 1x1 (c, n_classes)      H   x W

    where ⊕ is concatenation along channels. A transposed convolution with kernel 2 and
    stride 2 never overlaps itself, so it cannot produce the checkerboard pattern of
    kernel 3, stride 2.

    References
    ----------
    O. Ronneberger, P. Fischer and T. Brox, "U-Net: Convolutional Networks for Biomedical Image
    Segmentation", MICCAI 2015.

    See Also
    --------
    segmentation_metrics, :ref:`ch-detection`

    Examples
    --------
    >>> net = TinyUNet(in_channels=1, n_classes=4, base=8)
    >>> net(torch.zeros(2, 1, 32, 32)).shape
    torch.Size([2, 4, 32, 32])
    >>> sum(p.numel() for p in net.parameters())
    29508
    """

    def __init__(self, in_channels: int = 1, n_classes: int = 4, base: int = 8):
        super().__init__()
        in_channels = positive_int(in_channels, "in_channels")
        n_classes, c = positive_int(n_classes, "n_classes"), positive_int(base, "base")
        self.in_channels = in_channels
        self.enc1 = _block(in_channels, c)
        self.enc2 = _block(c, 2 * c)
        self.mid = _block(2 * c, 4 * c)
        self.up2 = nn.ConvTranspose2d(4 * c, 2 * c, kernel_size=2, stride=2)
        self.dec2 = _block(4 * c, 2 * c)
        self.up1 = nn.ConvTranspose2d(2 * c, c, kernel_size=2, stride=2)
        self.dec1 = _block(2 * c, c)
        self.head = nn.Conv2d(c, n_classes, kernel_size=1)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"expected input of shape (N, {self.in_channels}, H, W), got "
                             f"{tuple(x.shape)}")
        H, W = x.shape[-2:]
        if H % 4 or W % 4:
            raise ValueError(f"height and width must be divisible by 4 (two poolings), "
                             f"got {H} x {W}")
        e1 = self.enc1(x)                                            # (N, c, H, W)
        e2 = self.enc2(self.pool(e1))                                # (N, 2c, H/2, W/2)
        m = self.mid(self.pool(e2))                                  # (N, 4c, H/4, W/4)
        d2 = self.dec2(torch.cat([self.up2(m), e2], dim=1))          # (N, 2c, H/2, W/2)
        d1 = self.dec1(torch.cat([self.up1(d2), e1], dim=1))         # (N, c, H, W)
        return self.head(d1)                                         # (N, n_classes, H, W)


def confusion_matrix(pred: torch.Tensor, target: torch.Tensor, n_classes: int) -> torch.Tensor:
    r"""Pixel confusion matrix: entry :math:`(t, p)` counts pixels of true class t predicted p.

    Parameters
    ----------
    pred, target : Tensor of int, same shape (any)
        Class indices in ``0..n_classes-1``.
    n_classes : int

    Returns
    -------
    Tensor of shape (n_classes, n_classes), int64

    See Also
    --------
    segmentation_metrics, :ref:`ch-detection`

    Examples
    --------
    >>> confusion_matrix(torch.tensor([0, 1, 1, 1]), torch.tensor([0, 0, 1, 1]), 2)
    tensor([[1, 1],
            [0, 2]])
    """
    if not isinstance(pred, torch.Tensor) or not isinstance(target, torch.Tensor):
        raise TypeError("pred and target must be torch tensors")
    if pred.shape != target.shape:
        raise ValueError(f"pred has shape {tuple(pred.shape)} but target has {tuple(target.shape)}")
    p, t = pred.reshape(-1).long(), target.reshape(-1).long()
    bad = (p < 0) | (p >= n_classes) | (t < 0) | (t >= n_classes)
    if bool(bad.any()):
        raise ValueError(f"class indices must lie in 0..{n_classes - 1}")
    return torch.bincount(t * n_classes + p, minlength=n_classes ** 2).reshape(n_classes, n_classes)


def segmentation_metrics(pred: torch.Tensor, target: torch.Tensor, n_classes: int) -> dict:
    r"""Pixel accuracy, per-class IoU and mean IoU of a predicted label map.

    Parameters
    ----------
    pred, target : Tensor of int, same shape, e.g. (N, H, W)
    n_classes : int

    Returns
    -------
    dict
        ``"pixel_accuracy"`` (float), ``"iou"`` (list of n_classes floats, ``nan`` for a class
        absent from both), ``"mean_iou"`` (float, mean over the classes that occur).

    Notes
    -----
    With the confusion matrix :math:`M`,

    .. math::

        \text{pixel accuracy} = \frac{\sum_c M_{cc}}{\sum_{t,p} M_{tp}},\qquad
        \mathrm{IoU}_c = \frac{M_{cc}}{\sum_p M_{cp} + \sum_t M_{tc} - M_{cc}},

    the IoU of the set of pixels predicted :math:`c` with the set of pixels labelled :math:`c`.
    Pixel accuracy is flattered by a large background; the IoU of each object class is not.

    See Also
    --------
    confusion_matrix, dlbook.cnn.boxes.box_iou, :ref:`ch-detection`

    Examples
    --------
    >>> m = segmentation_metrics(torch.tensor([0, 1, 1, 1]), torch.tensor([0, 0, 1, 1]), 2)
    >>> m["pixel_accuracy"], m["iou"]
    (0.75, [0.5, 0.6666666666666666])
    """
    cm = confusion_matrix(pred, target, n_classes).double()
    tp = cm.diag()
    union = cm.sum(0) + cm.sum(1) - tp
    iou = torch.where(union > 0, tp / union.clamp(min=1), torch.full_like(tp, float("nan")))
    return {
        "pixel_accuracy": float(tp.sum() / cm.sum()),
        "iou": iou.tolist(),
        "mean_iou": float(iou[~torch.isnan(iou)].mean()),
    }
