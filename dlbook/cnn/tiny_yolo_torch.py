r"""A tiny YOLO-like detector in PyTorch.

Chapter :ref:`ch-detection`. The network is fully convolutional: three conv + pool stages take a
``32 x 32`` image to a ``4 x 4`` grid, and a 1x1 convolution gives every cell its vector
:math:`(p_c, b_x, b_y, b_h, b_w, c_1..c_C)` at once, the "convolutional sliding window" of the
chapter with a stride of 8 pixels.

It is the network the chapter trains; it has no NumPy twin.

See Also
--------
dlbook.cnn.yolo : encoding targets, decoding and NMS (NumPy).
dlbook.cnn.yolo_loss_torch : the loss it is trained with.
"""

from __future__ import annotations

import torch
from torch import nn

from dlbook._checks import positive_int, real_tensor

__all__ = ["TinyYOLO"]


class TinyYOLO(nn.Module):
    r"""(N, in_channels, H, W) images to (N, H/8, W/8, 5 + C) YOLO vectors.

    Parameters
    ----------
    n_classes : int, default 3
    in_channels : int, default 1
    width : int, default 16
        Channels of the first stage (then ``2 * width``, ``2 * width``).

    Notes
    -----
    The raw outputs :math:`z` are mapped to the ranges the targets live in:
    :math:`p_c = \sigma(z_0)`, :math:`(b_x, b_y) = \sigma(z_1, z_2)` (inside the cell),
    :math:`(b_h, b_w) = (z_3, z_4)` unconstrained (cell units, may exceed 1), and the class
    scores a softmax of :math:`z_5..z_{4+C}`.

    See Also
    --------
    dlbook.cnn.yolo_loss_torch.localization_loss, dlbook.cnn.yolo.yolo_detect, :ref:`ch-detection`

    Examples
    --------
    >>> net = TinyYOLO(n_classes=3)
    >>> net(torch.zeros(2, 1, 32, 32)).shape
    torch.Size([2, 4, 4, 8])
    """

    def __init__(self, n_classes: int = 3, in_channels: int = 1, width: int = 16):
        super().__init__()
        n_classes = positive_int(n_classes, "n_classes")
        in_channels, c = positive_int(in_channels, "in_channels"), positive_int(width, "width")
        self.in_channels = in_channels
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(c, 2 * c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(2 * c, 2 * c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(2 * c, 2 * c, 3, padding=1), nn.ReLU(),
        )
        self.head = nn.Conv2d(2 * c, 5 + n_classes, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = real_tensor(x, "x", ndim=4)
        if x.shape[1] != self.in_channels:
            raise ValueError(f"expected input of shape (N, {self.in_channels}, H, W), got "
                             f"{tuple(x.shape)}")
        if x.shape[-1] % 8 or x.shape[-2] % 8:
            raise ValueError(f"height and width must be divisible by 8, got {tuple(x.shape[-2:])}")
        z = self.head(self.features(x)).permute(0, 2, 3, 1)          # (N, S, S, 5 + C)
        return torch.cat([torch.sigmoid(z[..., :3]), z[..., 3:5], torch.softmax(z[..., 5:], -1)],
                         -1)
