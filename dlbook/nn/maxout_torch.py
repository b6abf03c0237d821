r"""Maxout written with torch tensors, and the maxout layer (chapter :ref:`ch-activations`).

The PyTorch twin of :mod:`dlbook.nn.maxout`: :func:`maxout` and the layer :class:`Maxout`
(torch has no maxout of its own), differentiated by autograd, so the NumPy forward/backward pair
has no counterpart here. The tests hold :func:`maxout` to ``torch.nn.functional.max_pool1d`` in
float64 and :class:`Maxout` to the NumPy layer. It runs on whatever device its input lives on.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from dlbook._checks import positive_int, real_tensor

__all__ = ["maxout", "Maxout"]

# NumPy names this twin leaves out, and why (tests/test_house.py checks the list).
__twin_omits__ = {
    "maxout_forward": "autograd keeps what backward needs: maxout is the forward pass",
    "maxout_backward": "autograd differentiates maxout (the max routes the gradient)",
}


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
    z, k = real_tensor(z, "z", min_ndim=1), positive_int(k, "k")
    if z.shape[-1] % k:
        raise ValueError(f"the last axis of z (shape {tuple(z.shape)}) must be a multiple of k={k}")
    return z.unflatten(-1, (z.shape[-1] // k, k)).max(dim=-1).values  # (..., C)


class Maxout(nn.Module):
    r"""A maxout layer: ``k`` affine maps of the input, then the maximum per unit.

    .. math:: h_c(x) = \max_{j=1..k} \left(W_{ck+j}\, x + b_{ck+j}\right)

    Parameters
    ----------
    in_features, out_features : int
    k : int, default 2
        Pieces per unit; the layer holds ``k * out_features * (in_features + 1)`` parameters,
        ``k`` times a ``Linear`` layer's.
    rng : torch.Generator, optional
        Source of the initial weights (the NumPy twin takes a NumPy generator or seed).

    Attributes
    ----------
    weight : Parameter of shape (out_features * k, in_features)
        Row ``c * k + j`` is piece ``j`` of unit ``c`` (the NumPy layer's layout, so weights
        copy across).
    bias : Parameter of shape (out_features * k,)

    Examples
    --------
    >>> layer = Maxout(4, 3, k=2)
    >>> sum(p.numel() for p in layer.parameters())   # 2 * 3 * (4 + 1)
    30
    >>> layer(torch.zeros(5, 4)).shape
    torch.Size([5, 3])
    """

    def __init__(self, in_features: int, out_features: int, k: int = 2, rng=None):
        super().__init__()
        self.in_features = positive_int(in_features, "in_features")
        self.out_features = positive_int(out_features, "out_features")
        self.k = positive_int(k, "k")
        bound = 1.0 / math.sqrt(self.in_features)
        rows = self.out_features * self.k
        self.weight = nn.Parameter(torch.empty(rows, self.in_features).uniform_(
            -bound, bound, generator=rng))
        self.bias = nn.Parameter(torch.empty(rows).uniform_(-bound, bound, generator=rng))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return maxout(nn.functional.linear(x, self.weight, self.bias), self.k)  # (..., out)
