r"""A deep belief network: restricted Boltzmann machines stacked and trained greedily, one layer at
a time, then used to generate (Gibbs sampling at the top, one pass down) or to initialize a
classifier.

Hinton, Osindero & Teh (2006) showed that adding an RBM on top of the hidden probabilities of
the one below improves a bound on the likelihood of the data. The result is a *hybrid*
model: the top two layers form an undirected RBM, the lower layers are directed
(top-down) sigmoid belief layers that use the RBMs' weights.

See Also
--------
:ref:`ch-boltzmann` : the chapter.
dlbook.generative.rbm : the building block.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dlbook._checks import finite_array, int_value, positive_int
from dlbook.generative.rbm import RBM, hidden_probabilities, rbm_gibbs, visible_probabilities

__all__ = ["DBN"]


class DBN:
    r"""A stack of RBMs trained greedily.

    Parameters
    ----------
    layer_sizes : sequence of int
        Visible size first: ``[64, 100, 50]`` stacks a 64-100 RBM and a 100-50 RBM.
    seed : int, optional

    Attributes
    ----------
    rbms : list of RBM
        The layers, bottom first.

    Notes
    -----
    Training (:meth:`fit`): train RBM 1 on the data; compute :math:`p(h^{(1)} = 1 \mid v)` for
    every example and *sample* binary states from it; train RBM 2 on those; and so on.
    Generating (:meth:`sample`): run Gibbs sampling in the top RBM, then pass the top visible
    layer down with :math:`p(h^{(\ell-1)} = 1 \mid h^{(\ell)})` of each lower RBM.

    See Also
    --------
    dlbook.generative.rbm.RBM, :ref:`ch-boltzmann`

    Examples
    --------
    >>> X = np.tile([[1, 1, 0, 0], [0, 0, 1, 1]], (30, 1))
    >>> dbn = DBN([4, 3, 2], seed=0)
    >>> _ = dbn.fit(X, epochs=5, lr=0.1)
    >>> dbn.transform(X[:2]).shape, dbn.sample(3, n_steps=10).shape
    ((2, 2), (3, 4))
    """

    def __init__(self, layer_sizes: Sequence[int], seed: int | None = None):
        sizes = [positive_int(s, "layer_sizes") for s in layer_sizes]
        if len(sizes) < 2:
            raise ValueError(f"layer_sizes needs at least two sizes, got {sizes}")
        if seed is not None:
            int_value(seed, "seed", low=0)
        self.rng = np.random.default_rng(seed)
        self.rbms = [RBM(a, b, seed=int(self.rng.integers(2**31)))
                     for a, b in zip(sizes[:-1], sizes[1:])]

    def fit(self, X, epochs: int = 10, lr: float = 0.1, batch_size: int = 10,
            method: str = "pcd", k: int = 1) -> list:
        """Greedy layer-wise training; returns each layer's pseudo-likelihood history.

        Examples
        --------
        >>> hist = DBN([4, 2], seed=0).fit(np.eye(4)[[0, 1] * 10], epochs=2)
        >>> len(hist), len(hist[0])
        (1, 2)
        """
        data = finite_array(X, "X", ndim=2)
        histories = []
        for rbm in self.rbms:
            histories.append(rbm.fit(data, epochs=epochs, lr=lr, batch_size=batch_size,
                                     method=method, k=k, rng=self.rng))
            p = rbm.transform(data)
            data = (self.rng.random(p.shape) < p).astype(np.float64)   # binary states
        return histories

    def transform(self, X) -> np.ndarray:
        """The top layer's probabilities, by mean-field passes up the stack (the features).

        Examples
        --------
        >>> DBN([3, 2, 2], seed=0).transform(np.zeros((1, 3))).round(2)
        array([[0.5, 0.5]])
        """
        h = finite_array(X, "X", ndim=2)
        for rbm in self.rbms:
            h = hidden_probabilities(h, rbm.W, rbm.b_hidden)
        return h

    def sample(self, n_samples: int, n_steps: int = 1000, rng=None) -> np.ndarray:
        """Samples of the visible layer: Gibbs in the top RBM, then one pass down (means).

        Examples
        --------
        >>> DBN([3, 2], seed=0).sample(4, n_steps=5).shape
        (4, 3)
        """
        rng = self.rng if rng is None else np.random.default_rng(rng)
        top = self.rbms[-1]
        start = (rng.random((positive_int(n_samples, "n_samples"), top.n_visible)) < 0.5)
        v, mean = rbm_gibbs(start.astype(float), top.W, top.b_visible, top.b_hidden,
                            n_steps=n_steps, rng=rng)
        h = mean
        for rbm in self.rbms[-2::-1]:
            h = visible_probabilities(h, rbm.W, rbm.b_visible)
        return h

    def __repr__(self) -> str:
        sizes = [self.rbms[0].n_visible] + [r.n_hidden for r in self.rbms]
        return f"DBN(layer_sizes={sizes})"
