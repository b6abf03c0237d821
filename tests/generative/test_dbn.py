"""Deep belief network: greedy stacking feeds each RBM the layer below's hidden states."""

import numpy as np

from dlbook.generative.dbn import DBN
from dlbook.generative.rbm import hidden_probabilities


def test_layers_and_transform():
    dbn = DBN([6, 4, 3], seed=0)
    assert [(r.n_visible, r.n_hidden) for r in dbn.rbms] == [(6, 4), (4, 3)]
    x = (np.random.default_rng(0).random((5, 6)) < 0.5).astype(float)
    h1 = hidden_probabilities(x, dbn.rbms[0].W, dbn.rbms[0].b_hidden)
    expected = hidden_probabilities(h1, dbn.rbms[1].W, dbn.rbms[1].b_hidden)
    np.testing.assert_allclose(dbn.transform(x), expected)


def test_greedy_training_improves_every_layer():
    X = np.tile([[1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1], [1, 0, 1, 0, 1, 0]], (40, 1))
    dbn = DBN([6, 8, 4], seed=1)
    histories = dbn.fit(X, epochs=30, lr=0.1, method="cd")
    assert len(histories) == 2
    assert all(h[-1] > h[0] for h in histories)
    samples = dbn.sample(300, n_steps=200, rng=2)
    assert samples.shape == (300, 6) and samples.min() >= 0 and samples.max() <= 1
    # the generated means look like the three training patterns more than like noise
    nearest = np.abs(samples[:, None, :] - X[:3][None]).sum(-1).min(1)
    assert nearest.mean() < 1.5
