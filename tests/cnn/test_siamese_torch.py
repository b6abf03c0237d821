"""Siamese training: mined triplets are valid (checked by brute force) and training on digits
pulls same-class embeddings together."""

import pytest
import torch
from scipy.spatial.distance import cdist

from dlbook.cnn import siamese_torch as SI
from dlbook.cnn.triplet_torch import pairwise_distances


@pytest.mark.parametrize("strategy", ["semi-hard", "random"])
def test_mined_triplets_are_valid(strategy):
    g = torch.Generator().manual_seed(0)
    emb = torch.randn(40, 3, generator=g, dtype=torch.float64)
    labels = torch.randint(0, 4, (40,), generator=g)
    margin = 0.5
    trip = SI.mine_triplets(emb, labels, margin=margin, strategy=strategy, generator=g)
    assert trip.shape[0] == 40          # every anchor has a positive and a negative here
    d = cdist(emb.numpy(), emb.numpy()) ** 2
    for a, p, n in trip.tolist():       # brute-force oracle over each triplet
        assert a != p and labels[a] == labels[p] and labels[a] != labels[n]
        if strategy == "semi-hard":
            negs = [j for j in range(40) if labels[j] != labels[a]]
            semi = [j for j in negs if d[a, p] < d[a, j] < d[a, p] + margin]
            if semi:
                assert n in semi
            else:
                assert d[a, n] == min(d[a, j] for j in negs)


def test_training_separates_classes():
    from sklearn.datasets import load_digits
    torch.manual_seed(0)
    digits = load_digits()
    x = torch.tensor(digits.images[:400, None] / 16.0, dtype=torch.float32)
    y = torch.tensor(digits.target[:400])
    model = SI.EmbeddingNet(dim=16)

    def gap():   # mean different-class minus mean same-class squared distance
        with torch.no_grad():
            d = pairwise_distances(model(x), squared=True)
        same = y[:, None] == y[None, :]
        return (d[~same].mean() - d[same].mean()).item()

    before = gap()
    hist = SI.train_triplet_embedding(model, x, y, epochs=4, batch_size=100, strategy="random")
    assert len(hist) == 4
    assert gap() > before + 0.2, "training did not pull same-class embeddings together"


def test_bad_arguments():
    emb, labels = torch.zeros(4, 2), torch.tensor([0, 0, 1, 1])
    with pytest.raises(ValueError, match="strategy must be one of"):
        SI.mine_triplets(emb, labels, strategy="hard")
    with pytest.raises(ValueError, match="labels must have shape"):
        SI.mine_triplets(emb, labels[:3])
    with pytest.raises(ValueError, match="dim must be >= 1"):
        SI.EmbeddingNet(dim=0)
