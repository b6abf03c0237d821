r"""Triplet losses in PyTorch, triplet mining, and a small siamese embedding network.

The losses are the twins of :mod:`dlbook.cnn.triplet` (same names without ``_forward``),
written in tensor operations so that autograd differentiates exactly the docstring's formula
and ``torch.nn.TripletMarginLoss`` stays an independent peer in the tests.

A *siamese* network is one network :math:`f` applied to every image of a pair or triplet (the
weights are shared, so there is only one set of them). :class:`EmbeddingNet` is such an
:math:`f` for 8x8 digit images; :func:`mine_triplets` picks (anchor, positive, negative) index
triples inside a batch; :func:`train_triplet_embedding` trains :math:`f` with the squared
triplet loss.

See Also
--------
dlbook.cnn.triplet : the NumPy reference with explicit backward passes.
:ref:`ch-faces-style` : the chapter.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["pairwise_distances", "triplet_loss", "triplet_margin_loss", "mine_triplets",
           "EmbeddingNet", "train_triplet_embedding"]

_REDUCTIONS = ("mean", "sum", "none")


def _check(anchor, positive, negative, margin, reduction):
    for name, v in (("anchor", anchor), ("positive", positive), ("negative", negative)):
        if not isinstance(v, torch.Tensor) or not v.is_floating_point():
            raise TypeError(f"{name} must be a floating-point tensor, got {type(v).__name__}"
                            + (f" of dtype {v.dtype}" if isinstance(v, torch.Tensor) else ""))
        if v.dim() != 2:
            raise ValueError(f"{name} must have shape (N, D), got {tuple(v.shape)}")
    if not anchor.shape == positive.shape == negative.shape:
        raise ValueError(f"anchor, positive and negative must share one shape (N, D), got "
                         f"{tuple(anchor.shape)}, {tuple(positive.shape)} and {tuple(negative.shape)}")
    if not margin >= 0 or margin == float("inf"):
        raise ValueError(f"margin must be a finite number >= 0, got {margin}")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


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
    y = x if y is None else y
    if x.dim() != 2 or y.dim() != 2 or x.shape[1] != y.shape[1]:
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
    dlbook.cnn.triplet.triplet_loss_forward, :ref:`ch-faces-style`

    Examples
    --------
    >>> a, p, n = torch.zeros(1, 2), torch.tensor([[0., 2.]]), torch.tensor([[1., 0.]])
    >>> round(triplet_loss(a, p, n).item(), 6)   # 4 - 1 + 0.2
    3.2
    """
    _check(anchor, positive, negative, margin, reduction)
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
    dlbook.cnn.triplet.triplet_margin_loss_forward, :ref:`ch-faces-style`

    Examples
    --------
    >>> a, p, n = torch.zeros(1, 2), torch.tensor([[1., 0.]]), torch.tensor([[0., 2.]])
    >>> triplet_margin_loss(a, p, n, margin=1.5, eps=0.0).item()   # 1 - 2 + 1.5
    0.5
    """
    _check(anchor, positive, negative, margin, reduction)
    if margin == 0:
        raise ValueError("margin must be > 0 for the torch form (torch.nn.TripletMarginLoss "
                         "rejects 0), got 0")
    if not 1 <= p < float("inf"):
        raise ValueError(f"p must be a finite norm order >= 1, got {p}")
    if not 0 <= eps < float("inf"):
        raise ValueError(f"eps must be a finite number >= 0, got {eps}")

    def dist(x, y):
        return (x - y + eps).abs().pow(p).sum(1).pow(1.0 / p)

    d_neg = dist(anchor, negative)
    if swap:
        d_neg = torch.minimum(d_neg, dist(positive, negative))
    return _reduce((dist(anchor, positive) - d_neg + margin).clamp_min(0.0), reduction)


def mine_triplets(embeddings, labels, margin=0.2, strategy="semi-hard", generator=None):
    r"""Choose one triplet per usable anchor inside a batch.

    Parameters
    ----------
    embeddings : Tensor of shape (B, D)
    labels : Tensor of shape (B,), integer identities
    margin : float
        :math:`\alpha`, on squared distances (as in :func:`triplet_loss`).
    strategy : {"semi-hard", "random"}
        ``"random"``: any positive, any negative. ``"semi-hard"`` (FaceNet): a random positive,
        then a negative with :math:`d_{ap} < d_{an} < d_{ap}+\alpha` (squared distances) chosen
        at random; where no negative is semi-hard, the hardest (closest) negative.
    generator : torch.Generator, optional

    Returns
    -------
    LongTensor of shape (T, 3)
        Rows (anchor, positive, negative) of batch indices; anchors without a positive are skipped.

    See Also
    --------
    :ref:`ch-faces-style`

    Examples
    --------
    >>> e = torch.tensor([[0.], [0.1], [0.2], [5.]])
    >>> mine_triplets(e, torch.tensor([0, 0, 1, 1]), strategy="semi-hard").shape
    torch.Size([4, 3])
    """
    if strategy not in ("semi-hard", "random"):
        raise ValueError(f"strategy must be 'semi-hard' or 'random', got {strategy!r}")
    if embeddings.dim() != 2 or labels.shape != embeddings.shape[:1]:
        raise ValueError(f"embeddings must be (B, D) and labels (B,), got {tuple(embeddings.shape)} "
                         f"and {tuple(labels.shape)}")
    with torch.no_grad():
        B = embeddings.shape[0]
        same = labels[:, None] == labels[None, :]                          # (B, B)
        eye = torch.eye(B, dtype=torch.bool, device=labels.device)
        pos_mask, neg_mask = same & ~eye, ~same
        noise = lambda: torch.rand(B, B, generator=generator).to(embeddings.device)  # noqa: E731
        # a random positive per anchor: the largest random score among allowed columns
        pos = torch.where(pos_mask, noise(), torch.tensor(-1.0)).argmax(1)  # (B,)
        ok = pos_mask.any(1) & neg_mask.any(1)
        if strategy == "random":
            neg = torch.where(neg_mask, noise(), torch.tensor(-1.0)).argmax(1)
        else:
            d = pairwise_distances(embeddings.detach(), squared=True)      # (B, B)
            d_ap = d.gather(1, pos[:, None])                               # (B, 1)
            semi = neg_mask & (d > d_ap) & (d < d_ap + margin)
            pick_semi = torch.where(semi, noise(), torch.tensor(-1.0)).argmax(1)
            hardest = torch.where(neg_mask, d, torch.tensor(float("inf"))).argmin(1)
            neg = torch.where(semi.any(1), pick_semi, hardest)
        idx = torch.arange(B, device=labels.device)
        return torch.stack([idx, pos, neg], 1)[ok]


class EmbeddingNet(nn.Module):
    r"""A small CNN :math:`f`: (N, 1, 8, 8) images -> (N, dim) embeddings on the unit sphere.

    conv 3x3 (1->16) - ReLU - conv 3x3 (16->32) - ReLU - max-pool 2 - flatten - linear (512->dim),
    then :math:`f(x)/\lVert f(x)\rVert_2` as in FaceNet, so squared distances lie in [0, 4].

    See Also
    --------
    :ref:`ch-faces-style`

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> EmbeddingNet(dim=16)(torch.zeros(3, 1, 8, 8)).norm(dim=1).round(decimals=4).tolist()
    [1.0, 1.0, 1.0]
    """

    def __init__(self, dim=32):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
        self.fc = nn.Linear(32 * 4 * 4, dim)

    def forward(self, x):
        return nn.functional.normalize(self.fc(self.features(x)), dim=1)


def train_triplet_embedding(model, x, y, epochs=20, batch_size=128, margin=0.2, lr=3e-3,
                            strategy="semi-hard", seed=0):
    r"""Train ``model`` with :func:`triplet_loss` on triplets mined inside each batch.

    Parameters
    ----------
    model : nn.Module
        Maps ``x`` to embeddings (B, D).
    x : Tensor of shape (N, ...)
    y : Tensor of shape (N,), integer identities
    epochs, batch_size, margin, lr, strategy, seed
        Adam with learning rate ``lr``; :func:`mine_triplets` with ``strategy``.

    Returns
    -------
    list of float
        Mean triplet loss per epoch (over the mined triplets).

    See Also
    --------
    :ref:`ch-faces-style`

    Examples
    --------
    24 noisy 8x8 images of 3 identities (brightness 0, 0.5, 1), 5 epochs of batches of 12:

    >>> _ = torch.manual_seed(0)
    >>> y = torch.arange(3).repeat(8)
    >>> x = y.view(-1, 1, 1, 1) / 2 + 0.3 * torch.randn(24, 1, 8, 8)
    >>> model = EmbeddingNet(dim=8)
    >>> losses = train_triplet_embedding(model, x, y, epochs=5, batch_size=12)
    >>> len(losses), losses[-1] < losses[0], model.training
    (5, True, False)
    """
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    model.train()
    for _ in range(epochs):
        order = torch.randperm(x.shape[0], generator=gen)
        total, count = 0.0, 0
        for start in range(0, x.shape[0], batch_size):
            idx = order[start:start + batch_size]
            emb = model(x[idx])
            trip = mine_triplets(emb, y[idx], margin=margin, strategy=strategy, generator=gen)
            if trip.shape[0] == 0:
                continue
            loss = triplet_loss(emb[trip[:, 0]], emb[trip[:, 1]], emb[trip[:, 2]], margin=margin)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * trip.shape[0]
            count += trip.shape[0]
        history.append(total / max(count, 1))
    model.eval()
    return history
