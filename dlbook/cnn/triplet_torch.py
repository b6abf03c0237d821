r"""Triplet losses, distances and verification accuracy on tensors (twin of dlbook.cnn.triplet).

Written in tensor operations so that autograd differentiates exactly the docstring's formula
(it replaces the NumPy module's ``_forward``/``_backward`` pairs) and
``torch.nn.TripletMarginLoss`` stays an independent peer in the tests.

See Also
--------
dlbook.cnn.triplet : the NumPy reference with explicit backward passes.
dlbook.cnn.siamese_torch : triplet mining and a small siamese embedding network.
:ref:`ch-faces-style` : the chapter.
"""

from __future__ import annotations

import torch

from dlbook._checks import boolean, one_of, real_tensor, real_value, same_shape

__all__ = ["pairwise_distances", "triplet_loss", "triplet_margin_loss", "verification_accuracy"]

# NumPy names this twin leaves out, and why (tests/test_house.py checks the list).
__twin_omits__ = {
    "triplet_loss_forward": "autograd keeps what triplet_loss_backward needs",
    "triplet_loss_backward": "autograd differentiates triplet_loss",
    "triplet_margin_loss_forward": "autograd keeps what triplet_margin_loss_backward needs",
    "triplet_margin_loss_backward": "autograd differentiates triplet_margin_loss",
}

_REDUCTIONS = ("mean", "sum", "none")


def _embeddings(anchor, positive, negative):
    """The three (N, D) embeddings as tensors, checked to share a shape."""
    a, p, n = (real_tensor(v, name, ndim=2) for name, v in
               (("anchor", anchor), ("positive", positive), ("negative", negative)))
    same_shape(a, p, "anchor", "positive")
    same_shape(a, n, "anchor", "negative")
    return a, p, n


def _reduce(per, reduction):
    return per if reduction == "none" else (per.mean() if reduction == "mean" else per.sum())


def pairwise_distances(x, y=None, squared=False):
    r"""Euclidean distances between the rows of ``x`` (N, D) and ``y`` (M, D) -> (N, M).

    Uses :math:`\lVert x\rVert^2+\lVert y\rVert^2-2x^\top y`, clipped at 0.

    See Also
    --------
    dlbook.cnn.triplet.pairwise_distances, :ref:`ch-faces-style`

    Examples
    --------
    >>> pairwise_distances(torch.tensor([[0., 0.], [3., 4.]]))[0, 1].item()
    5.0
    """
    x = real_tensor(x, "x", ndim=2)
    y = x if y is None else real_tensor(y, "y", ndim=2)
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"x and y must have shapes (N, D) and (M, D), got {tuple(x.shape)} "
                         f"and {tuple(y.shape)}")
    sq = (x * x).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2.0 * x @ y.T   # (N, M)
    sq = sq.clamp_min(0.0)
    return sq if squared else sq.sqrt()


def triplet_loss(anchor, positive, negative, margin=0.2, reduction="mean"):
    r"""Squared-distance triplet loss :math:`\max(\lVert a-p\rVert^2-\lVert a-n\rVert^2+\alpha,0)`.

    Shapes (N, D) each; returns a 0-dim tensor, or (N,) for ``reduction="none"``.

    See Also
    --------
    dlbook.cnn.triplet.triplet_loss, :ref:`ch-faces-style`

    Examples
    --------
    >>> a, p, n = torch.zeros(1, 2), torch.tensor([[0., 2.]]), torch.tensor([[1., 0.]])
    >>> round(triplet_loss(a, p, n).item(), 6)   # 4 - 1 + 0.2
    3.2
    """
    anchor, positive, negative = _embeddings(anchor, positive, negative)
    margin = real_value(margin, "margin", low=0.0)
    one_of(reduction, "reduction", _REDUCTIONS)
    d_ap = (anchor - positive).pow(2).sum(1)
    d_an = (anchor - negative).pow(2).sum(1)
    return _reduce((d_ap - d_an + margin).clamp_min(0.0), reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False,
                        reduction="mean"):
    r"""``torch.nn.TripletMarginLoss``'s formula, written out: non-squared p-norm distances.

    :math:`d(x,y)=\lVert x-y+\varepsilon\rVert_p`, :math:`\ell=\max(d(a,p)-d^-+\text{margin},0)`
    with :math:`d^-=\min(d(a,n),d(p,n))` if ``swap`` else :math:`d(a,n)`.

    See Also
    --------
    dlbook.cnn.triplet.triplet_margin_loss, :ref:`ch-faces-style`

    Examples
    --------
    >>> a, p, n = torch.zeros(1, 2), torch.tensor([[1., 0.]]), torch.tensor([[0., 2.]])
    >>> triplet_margin_loss(a, p, n, margin=1.5, eps=0.0).item()   # 1 - 2 + 1.5
    0.5
    """
    anchor, positive, negative = _embeddings(anchor, positive, negative)
    # torch.nn.TripletMarginLoss rejects a margin of 0
    margin = real_value(margin, "margin", low=0.0, low_open=True)
    p, eps = real_value(p, "p", low=1.0), real_value(eps, "eps", low=0.0)
    swap = boolean(swap, "swap")
    one_of(reduction, "reduction", _REDUCTIONS)

    def dist(x, y):
        return (x - y + eps).abs().pow(p).sum(1).pow(1.0 / p)

    d_neg = dist(anchor, negative)
    if swap:
        d_neg = torch.minimum(d_neg, dist(positive, negative))
    return _reduce((dist(anchor, positive) - d_neg + margin).clamp_min(0.0), reduction)


def verification_accuracy(distances, same, threshold):
    r"""Accuracy of the rule "same identity iff :math:`d < \tau`" on labelled pairs.

    ``distances`` (M,) and ``same`` (M,) of booleans; returns a float, as the NumPy twin.

    See Also
    --------
    dlbook.cnn.triplet.verification_accuracy, :ref:`ch-faces-style`

    Examples
    --------
    >>> verification_accuracy(torch.tensor([0.1, 0.9, 0.4]), torch.tensor([True, False, False]),
    ...                       0.5)
    0.6666666666666666
    """
    d = real_tensor(distances, "distances", ndim=1)
    same = torch.as_tensor(same, device=d.device)
    if same.dtype != torch.bool:
        raise TypeError(f"same must hold booleans, got dtype {same.dtype}")
    same_shape(d, same, "distances", "same")
    return ((d < real_value(threshold, "threshold")) == same).double().mean().item()
