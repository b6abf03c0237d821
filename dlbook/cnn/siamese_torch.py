r"""Siamese networks in PyTorch: one embedding network, triplets mined inside a batch, training.

A *siamese* network is one network :math:`f` applied to every image of a pair or triplet (the
weights are shared, so there is only one set of them); Bromley et al. (1993) introduced it for
signature verification and Chopra, Hadsell and LeCun (2005) for faces. :class:`EmbeddingNet` is
such an :math:`f` for 8x8 digit images; :func:`mine_triplets` picks (anchor, positive, negative)
index triples inside a batch; :func:`train_triplet_embedding` trains :math:`f` with the squared
triplet loss of :func:`dlbook.cnn.triplet_torch.triplet_loss`. This module has no NumPy twin: it
is the training code of the chapter.

References
----------
J. Bromley, I. Guyon, Y. LeCun, E. Säckinger and R. Shah, "Signature verification using a
"Siamese" time delay neural network", NIPS 1993.
S. Chopra, R. Hadsell and Y. LeCun, "Learning a similarity metric discriminatively, with
application to face verification", CVPR 2005.
F. Schroff, D. Kalenichenko and J. Philbin, "FaceNet", CVPR 2015 (semi-hard mining).

See Also
--------
dlbook.cnn.triplet_torch : the losses.
:ref:`ch-faces-style` : the chapter.
"""

from __future__ import annotations

import torch
from torch import nn

from dlbook._checks import int_value, one_of, positive_int, positive_real, real_tensor, real_value
from dlbook.cnn.triplet_torch import pairwise_distances, triplet_loss

__all__ = ["mine_triplets", "EmbeddingNet", "train_triplet_embedding"]


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
    one_of(strategy, "strategy", ("semi-hard", "random"))
    margin = real_value(margin, "margin", low=0.0)
    embeddings = real_tensor(embeddings, "embeddings", ndim=2)
    if tuple(labels.shape) != tuple(embeddings.shape[:1]):
        raise ValueError(f"labels must have shape ({embeddings.shape[0]},) to match embeddings "
                         f"{tuple(embeddings.shape)}, got {tuple(labels.shape)}")
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
        dim = positive_int(dim, "dim")
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
    epochs, batch_size = positive_int(epochs, "epochs"), positive_int(batch_size, "batch_size")
    lr, seed = positive_real(lr, "lr"), int_value(seed, "seed")
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
