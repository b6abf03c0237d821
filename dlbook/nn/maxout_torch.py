r"""Maxout written with torch tensors, and a learnable maxout layer (chapter :ref:`ch-activations`).

The PyTorch twin of :mod:`dlbook.nn.maxout`. Torch adds two things NumPy lacks: autograd
(which derives :func:`dlbook.nn.maxout.maxout_backward`), and a learnable :class:`Maxout`
layer (torch has no maxout of its own). The tests hold :func:`maxout` to
``torch.nn.functional.max_pool1d`` in float64. It runs on whatever device its input lives on.
"""

from __future__ import annotations

import torch
from torch import nn

from dlbook.nn.activations_torch import _tensor

__all__ = ["maxout", "Maxout"]


def maxout(z, k):
    r""":math:`h_c = \max_j z_{c,j}` over groups of ``k`` consecutive features of the last axis.

    ``z`` of shape (..., C*k) gives shape (..., C). It is max-pooling along the feature axis
    with window and stride ``k``.

    See Also
    --------
    dlbook.nn.maxout.maxout, Maxout, :ref:`ch-activations`

    Examples
    --------
    >>> maxout(torch.tensor([1.0, 5.0, 2.0, -1.0]), k=2).tolist()
    [5.0, 2.0]
    """
    _tensor(z)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if z.dim() == 0 or z.shape[-1] % k:
        raise ValueError(f"the last axis of z (shape {tuple(z.shape)}) must be a multiple of k={k}")
    return z.unflatten(-1, (z.shape[-1] // k, k)).max(dim=-1).values  # (..., C)


class Maxout(nn.Module):
    r"""A maxout layer: ``k`` affine maps of the input, then the maximum per unit.

    .. math:: h_c(x) = \max_{j=1..k} \left(W_{c,j}\, x + b_{c,j}\right)

    Parameters
    ----------
    in_features, out_features : int
    k : int
        Pieces per unit; the layer holds ``k * out_features * (in_features + 1)`` parameters,
        ``k`` times a ``Linear`` layer's.

    Examples
    --------
    >>> layer = Maxout(4, 3, k=2)
    >>> sum(p.numel() for p in layer.parameters())   # 2 * 3 * (4 + 1)
    30
    >>> layer(torch.zeros(5, 4)).shape
    torch.Size([5, 3])
    """

    def __init__(self, in_features: int, out_features: int, k: int = 2):
        super().__init__()
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        self.k = k
        self.linear = nn.Linear(in_features, out_features * k)  # weight (out*k, in)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return maxout(self.linear(x), self.k)  # (..., out_features)
