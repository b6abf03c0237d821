r"""GloVe word vectors in NumPy: weighted least squares on log co-occurrence counts, AdaGrad.

Pennington, Socher and Manning fit a word vector :math:`w_i`, a context vector
:math:`\tilde w_j` and two biases so that :math:`w_i^\top \tilde w_j + b_i + \tilde b_j
\approx \log X_{ij}` for every non-zero co-occurrence count :math:`X_{ij}`, weighting each
entry by :math:`f(X_{ij})`.  Counting lives in :mod:`dlbook.nlp.cooccurrence`; this module only
scores and trains.

See Also
--------
:ref:`ch-glove` : the chapter.
dlbook.nlp.glove_torch : the PyTorch twin (same names, ``device=`` and ``dtype=``).
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp

from dlbook.nlp.cooccurrence import corpus_cooccurrence
from dlbook.nlp.keyed_vectors import KeyedVectors

__all__ = ["glove_weight", "glove_loss", "init_glove_params", "glove_epoch", "GloVe"]

PARAM_NAMES = ("W", "W_context", "b", "b_context")


def glove_weight(x, x_max: float = 100.0, alpha: float = 0.75) -> np.ndarray:
    r"""GloVe's weighting function :math:`f(x) = \min\{1, (x / x_{\max})^{\alpha}\}`.

    Parameters
    ----------
    x : array_like
        Non-negative co-occurrence counts.
    x_max : float, default 100
        Counts at or above it get the full weight 1.
    alpha : float, default 0.75

    Returns
    -------
    f : ndarray, same shape as ``x``
        In :math:`[0, 1]`; :math:`f(0) = 0`, so absent pairs drop out of the objective.

    Raises
    ------
    ValueError
        If ``x_max <= 0``, ``alpha <= 0`` or a count is negative.

    See Also
    --------
    :ref:`ch-glove` : the chapter plots it.

    Examples
    --------
    >>> glove_weight([0.0, 1.0, 100.0, 1000.0]).round(4).tolist()
    [0.0, 0.0316, 1.0, 1.0]
    """
    x = np.asarray(x, dtype=np.float64)
    if not (np.isfinite(x_max) and x_max > 0) or not (np.isfinite(alpha) and alpha > 0):
        raise ValueError(f"x_max and alpha must be positive, got x_max={x_max}, alpha={alpha}")
    if np.any(x < 0):
        raise ValueError(f"co-occurrence counts must be non-negative, got min {x.min()}")
    return np.minimum(1.0, (x / x_max) ** alpha)


def glove_loss(params: dict, rows, cols, x, x_max: float = 100.0, alpha: float = 0.75):
    r"""GloVe's objective on a set of non-zero entries, and its gradient.

    Parameters
    ----------
    params : dict
        ``"W"`` and ``"W_context"`` of shape (V, d), ``"b"`` and ``"b_context"`` of shape (V,).
    rows, cols : ndarray of shape (N,), int
        Indices :math:`i` and :math:`j` of the entries.
    x : ndarray of shape (N,)
        Their counts :math:`X_{ij} > 0`.
    x_max, alpha : float
        Parameters of :func:`glove_weight`.

    Returns
    -------
    J : float
        The objective below (no factor 1/2).
    grads : dict
        :math:`\partial J / \partial \theta` for the four parameters, same shapes as ``params``.

    Raises
    ------
    ValueError
        If shapes disagree or a count is not positive.

    Notes
    -----
    .. math::

        J = \sum_{(i,j)} f(X_{ij}) \, e_{ij}^2, \qquad
        e_{ij} = w_i^\top \tilde w_j + b_i + \tilde b_j - \log X_{ij},

        \frac{\partial J}{\partial w_i} = \sum_j 2 f(X_{ij}) e_{ij} \tilde w_j, \quad
        \frac{\partial J}{\partial \tilde w_j} = \sum_i 2 f(X_{ij}) e_{ij} w_i, \quad
        \frac{\partial J}{\partial b_i} = \sum_j 2 f(X_{ij}) e_{ij}.

    A word that appears in several entries collects the sum of their gradients
    (``np.add.at``).

    See Also
    --------
    :ref:`ch-glove` : the chapter.
    dlbook.nlp.glove_torch.glove_loss : the torch twin (autograd).

    Examples
    --------
    One entry with :math:`X = 1` (so :math:`\log X = 0`, :math:`f = 1` when ``x_max=1``):
    :math:`e = 1 \cdot 2 + 0.5 + 0 = 2.5`, :math:`J = 6.25`.

    >>> p = {"W": np.array([[1.0]]), "W_context": np.array([[2.0]]),
    ...      "b": np.array([0.5]), "b_context": np.array([0.0])}
    >>> J, g = glove_loss(p, np.array([0]), np.array([0]), np.array([1.0]), x_max=1.0)
    >>> float(J), g["W"].tolist(), g["b"].tolist()
    (6.25, [[10.0]], [5.0])
    """
    W, Wc, b, bc = (np.asarray(params[k], dtype=np.float64) for k in PARAM_NAMES)
    rows, cols, x = np.asarray(rows), np.asarray(cols), np.asarray(x, dtype=np.float64)
    if W.ndim != 2 or Wc.shape != W.shape or b.shape != (W.shape[0],) or bc.shape != b.shape:
        raise ValueError(
            f"W and W_context must be (V, d) and b, b_context (V,); got {W.shape}, "
            f"{Wc.shape}, {b.shape}, {bc.shape}"
        )
    if not (rows.shape == cols.shape == x.shape) or rows.ndim != 1:
        raise ValueError(f"rows, cols, x must be 1-D of equal length: {rows.shape}, "
                         f"{cols.shape}, {x.shape}")
    if np.any(x <= 0):
        raise ValueError("only non-zero co-occurrence counts enter the loss (x must be > 0)")
    wi, wj = W[rows], Wc[cols]  # (N, d) each
    e = np.einsum("nd,nd->n", wi, wj) + b[rows] + bc[cols] - np.log(x)  # (N,)
    fx = glove_weight(x, x_max, alpha)
    J = float(np.sum(fx * e * e))
    g = 2.0 * fx * e  # (N,) dJ/de_ij for each entry
    grads = {k: np.zeros_like(v) for k, v in zip(PARAM_NAMES, (W, Wc, b, bc))}
    np.add.at(grads["W"], rows, g[:, None] * wj)
    np.add.at(grads["W_context"], cols, g[:, None] * wi)
    np.add.at(grads["b"], rows, g)
    np.add.at(grads["b_context"], cols, g)
    return J, grads


def init_glove_params(vocab_size: int, vector_size: int, rng: np.random.Generator) -> dict:
    r"""Stanford's initialization: every entry uniform on :math:`(-0.5, 0.5) / d`.

    Parameters
    ----------
    vocab_size, vector_size : int
        :math:`V` and :math:`d`.
    rng : numpy.random.Generator

    Returns
    -------
    params : dict
        ``W``, ``W_context`` of shape (V, d) and ``b``, ``b_context`` of shape (V,), float64.

    Examples
    --------
    >>> p = init_glove_params(3, 4, np.random.default_rng(0))
    >>> p["W"].shape, bool(np.abs(p["W"]).max() < 0.125)
    ((3, 4), True)
    """
    V, d = vocab_size, vector_size
    draw = lambda *shape: (rng.random(shape) - 0.5) / d  # noqa: E731
    return {"W": draw(V, d), "W_context": draw(V, d), "b": draw(V), "b_context": draw(V)}


def _summing_matrix(idx):
    """Unique values of ``idx`` and the sparse (U, B) matrix whose product sums rows per value.

    ``S @ v`` equals ``np.add.at(zeros, inverse, v)`` but runs several times faster
    (a sparse matrix product instead of an unbuffered scatter).
    """
    uniq, inv = np.unique(idx, return_inverse=True)
    S = sp.csr_matrix((np.ones(idx.size), (inv, np.arange(idx.size))), shape=(uniq.size, idx.size))
    return uniq, S


def glove_epoch(params, gradsq, rows, cols, logx, fx, order, batch_size, learning_rate):
    r"""One pass of minibatch AdaGrad over the entries; updates ``params`` and ``gradsq`` in place.

    Parameters
    ----------
    params, gradsq : dict
        Parameters and AdaGrad accumulators (same keys and shapes; ``gradsq`` starts at 1).
    rows, cols : ndarray of shape (N,), int
    logx, fx : ndarray of shape (N,)
        :math:`\log X_{ij}` and :math:`f(X_{ij})`, precomputed once.
    order : ndarray of shape (N,), int
        The shuffled visiting order of the entries.
    batch_size : int
    learning_rate : float
        :math:`\eta`.

    Returns
    -------
    cost : float
        Stanford's reported cost: the mean over entries of :math:`\tfrac12 f(X_{ij}) e_{ij}^2`,
        each computed just before its batch's update.

    Notes
    -----
    Like Stanford's ``glove.c`` the step is taken on :math:`\tfrac12 J`: for each parameter row
    touched by a batch, with :math:`g` the sum of the batch's per-entry gradients of
    :math:`\tfrac12 J`,

    .. math::

        \theta \leftarrow \theta - \frac{\eta g}{\sqrt{G}}, \qquad G \leftarrow G + (\eta g)^2,

    with :math:`G` initialized to 1 (the accumulator holds the squared *scaled* step, as in the
    reference code).  Stanford updates after every entry; summing over a batch (a sparse
    matrix product, equivalent to ``np.add.at``) is what makes the NumPy code vectorized.

    Examples
    --------
    The single entry of :func:`glove_loss`'s example (:math:`e = 2.5`, :math:`f = 1`): the cost
    is :math:`\tfrac12 \cdot 2.5^2 = 3.125`.  With :math:`\eta = 0.1` and :math:`G = 1` the
    steps are :math:`0.1 \cdot 2.5 \cdot 2 = 0.5` for :math:`w` and :math:`0.25` for
    :math:`\tilde w` and both biases, so the next pass sees
    :math:`e = 0.5 \cdot 1.75 + 0.25 - 0.25 = 0.875`:

    >>> p = {"W": np.array([[1.0]]), "W_context": np.array([[2.0]]),
    ...      "b": np.array([0.5]), "b_context": np.array([0.0])}
    >>> G = {k: np.ones_like(v) for k, v in p.items()}
    >>> one = np.array([0])
    >>> glove_epoch(p, G, one, one, np.array([0.0]), np.array([1.0]), one, 1, 0.1)
    3.125
    >>> p["W"].tolist(), p["W_context"].tolist(), p["b"].tolist(), G["W"].tolist()
    ([[0.5]], [[1.75]], [0.25], [[1.25]])
    >>> glove_epoch(p, G, one, one, np.array([0.0]), np.array([1.0]), one, 1, 0.1)
    0.3828125
    """
    W, Wc, b, bc = (params[k] for k in PARAM_NAMES)
    total = 0.0
    for start in range(0, order.size, batch_size):
        sel = order[start:start + batch_size]
        i, j = rows[sel], cols[sel]
        wi, wj = W[i], Wc[j]  # (B, d)
        e = np.einsum("nd,nd->n", wi, wj) + b[i] + bc[j] - logx[sel]  # (B,)
        fe = fx[sel] * e  # gradient of 1/2 f e^2 with respect to e
        total += 0.5 * float(fe @ e)
        ui, Si = _summing_matrix(i)  # Si: (U_i, B) sparse 0/1, so Si @ v sums rows of v per word
        uj, Sj = _summing_matrix(j)
        g = {"W": Si @ (fe[:, None] * wj), "W_context": Sj @ (fe[:, None] * wi),
             "b": Si @ fe, "b_context": Sj @ fe}
        for name, where in (("W", ui), ("W_context", uj), ("b", ui), ("b_context", uj)):
            step = learning_rate * g[name]
            params[name][where] -= step / np.sqrt(gradsq[name][where])
            gradsq[name][where] += step * step
    return total / max(order.size, 1)


def _check_hparams(vector_size, window, min_count, x_max, alpha, epochs, learning_rate,
                   batch_size):
    for name, v in (("vector_size", vector_size), ("window", window), ("min_count", min_count),
                    ("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(v, bool) or not isinstance(v, Integral) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    for name, v in (("x_max", x_max), ("alpha", alpha), ("learning_rate", learning_rate)):
        if isinstance(v, bool) or not isinstance(v, Real) or not np.isfinite(v) or v <= 0:
            raise ValueError(f"{name} must be a positive number, got {v!r}")


class GloVe:
    r"""Train GloVe vectors on a tokenized corpus (training happens in the constructor).

    Parameters
    ----------
    sentences : iterable of list of str
    vector_size : int, default 100
    window : int, default 10
        Symmetric window of the co-occurrence counts (:math:`1/d` weighting).
    min_count : int, default 5
    x_max, alpha : float, default 100 and 0.75
        The weighting function :math:`f`.
    epochs : int, default 25
    learning_rate : float, default 0.05
    seed : int, default 0
    batch_size : int, default 32768
        Entries per vectorized AdaGrad step.
    cooccurrence : tuple of (list of str, scipy.sparse matrix), optional
        Reuse a vocabulary and co-occurrence matrix already computed (then ``sentences``,
        ``window`` and ``min_count`` are ignored).

    Attributes
    ----------
    wv : dlbook.nlp.keyed_vectors.KeyedVectors
        The vectors :math:`w_i + \tilde w_i` (GloVe's paper sums the two).
    params : dict
        ``W``, ``W_context``, ``b``, ``b_context`` after training.
    loss_history : list of float
        Stanford's cost (:func:`glove_epoch`) after each epoch.
    index_to_key : list of str
    cooccurrence : scipy.sparse.csr_matrix of shape (V, V)

    Raises
    ------
    ValueError
        For a non-positive hyper-parameter or an empty vocabulary.

    See Also
    --------
    :ref:`ch-glove` : the chapter.
    dlbook.nlp.glove_torch.GloVe : the PyTorch twin.

    Examples
    --------
    >>> corpus = [["ice", "cold", "solid"], ["steam", "hot", "gas"]] * 20
    >>> model = GloVe(corpus, vector_size=4, window=2, min_count=1, epochs=30)
    >>> model.wv.vectors.shape, model.loss_history[-1] < model.loss_history[0]
    ((6, 4), True)
    """

    def __init__(self, sentences, vector_size=100, window=10, min_count=5, x_max=100,
                 alpha=0.75, epochs=25, learning_rate=0.05, seed=0, *, batch_size=32768,
                 cooccurrence=None):
        _check_hparams(vector_size, window, min_count, x_max, alpha, epochs, learning_rate,
                       batch_size)
        words, X = corpus_cooccurrence(sentences, min_count, window, cooccurrence)
        self.index_to_key, self.cooccurrence = words, X
        coo = X.tocoo()
        rows, cols = coo.row.astype(np.int64), coo.col.astype(np.int64)
        logx, fx = np.log(coo.data), glove_weight(coo.data, x_max, alpha)
        rng = np.random.default_rng(seed)
        self.params = init_glove_params(len(words), vector_size, rng)
        gradsq = {k: np.ones_like(v) for k, v in self.params.items()}
        self.loss_history = []
        for _ in range(epochs):
            order = rng.permutation(rows.size)
            self.loss_history.append(glove_epoch(self.params, gradsq, rows, cols, logx, fx,
                                                 order, batch_size, learning_rate))
        self.wv = KeyedVectors(self.index_to_key, self.params["W"] + self.params["W_context"])
