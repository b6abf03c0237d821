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

import numpy as np

from dlbook._checks import check_shape, int_value, positive_int, positive_real, real_array
from dlbook.nlp.cooccurrence import corpus_cooccurrence
from dlbook.nlp.keyed_vectors import KeyedVectors

__all__ = ["glove_weight", "glove_loss", "glove_value_and_grad", "init_glove_params",
           "adagrad_entries", "glove_epoch", "GloVe"]

#: The four parameter arrays of a GloVe model, in the order the objective uses them.
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
    x = real_array(x, "x", finite=True).astype(np.float64, copy=False)
    x_max, alpha = positive_real(x_max, "x_max"), positive_real(alpha, "alpha")
    if np.any(x < 0):
        raise ValueError(f"co-occurrence counts must be non-negative, got min {x.min()}")
    return np.minimum(1.0, (x / x_max) ** alpha)


def _entries(params, rows, cols, x):
    """Check the parameters and the entries; return them as float64 arrays and int indices."""
    W, Wc, b, bc = (real_array(params[k], k) for k in PARAM_NAMES)
    if W.ndim != 2 or Wc.shape != W.shape:
        raise ValueError(f"W and W_context must both have shape (V, d), got {W.shape} and "
                         f"{Wc.shape}")
    check_shape(b, "b", (W.shape[0],), "(V,)")
    check_shape(bc, "b_context", (W.shape[0],), "(V,)")
    rows, cols = np.asarray(rows), np.asarray(cols)
    x = real_array(x, "x", ndim=1, finite=True)
    if rows.shape != x.shape or cols.shape != x.shape:
        raise ValueError(f"rows, cols and x must be 1-D of equal length, got {rows.shape}, "
                         f"{cols.shape} and {x.shape}")
    if np.any(x <= 0):
        raise ValueError("only non-zero co-occurrence counts enter the loss (x must be > 0)")
    return (W, Wc, b, bc), rows, cols, x


def glove_loss(params: dict, rows, cols, x, x_max: float = 100.0, alpha: float = 0.75) -> float:
    r"""GloVe's objective on a set of non-zero entries.

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
        :math:`J = \sum_{(i,j)} f(X_{ij}) \, e_{ij}^2` with
        :math:`e_{ij} = w_i^\top \tilde w_j + b_i + \tilde b_j - \log X_{ij}` (no factor 1/2).

    Raises
    ------
    ValueError
        If shapes disagree or a count is not positive.

    See Also
    --------
    glove_value_and_grad : the same value and its gradient.
    dlbook.nlp.glove_torch.glove_loss : the torch twin (autograd gives the gradient).

    Examples
    --------
    One entry with :math:`X = 1` (so :math:`\log X = 0`, :math:`f = 1` when ``x_max=1``):
    :math:`e = 1 \cdot 2 + 0.5 + 0 = 2.5`, :math:`J = 6.25`.

    >>> p = {"W": np.array([[1.0]]), "W_context": np.array([[2.0]]),
    ...      "b": np.array([0.5]), "b_context": np.array([0.0])}
    >>> glove_loss(p, np.array([0]), np.array([0]), np.array([1.0]), x_max=1.0)
    6.25
    """
    return glove_value_and_grad(params, rows, cols, x, x_max, alpha)[0]


def glove_value_and_grad(params: dict, rows, cols, x, x_max: float = 100.0,
                         alpha: float = 0.75) -> tuple[float, dict]:
    r"""GloVe's objective :func:`glove_loss` and its gradient.

    Parameters
    ----------
    params, rows, cols, x, x_max, alpha
        As in :func:`glove_loss`.

    Returns
    -------
    J : float
    grads : dict
        :math:`\partial J / \partial \theta` for the four parameters, same shapes as ``params``.

    Notes
    -----
    .. math::

        \frac{\partial J}{\partial w_i} = \sum_j 2 f(X_{ij}) e_{ij} \tilde w_j, \quad
        \frac{\partial J}{\partial \tilde w_j} = \sum_i 2 f(X_{ij}) e_{ij} w_i, \quad
        \frac{\partial J}{\partial b_i} = \sum_j 2 f(X_{ij}) e_{ij}, \quad
        \frac{\partial J}{\partial \tilde b_j} = \sum_i 2 f(X_{ij}) e_{ij}.

    A word that appears in several entries collects the sum of their gradients
    (``np.add.at``).

    See Also
    --------
    :ref:`ch-glove` : the chapter checks the gradient by central differences.

    Examples
    --------
    The entry of :func:`glove_loss`'s example: :math:`2 f e = 5`, so
    :math:`\partial J / \partial w = 5 \cdot 2` and :math:`\partial J / \partial b = 5`.

    >>> p = {"W": np.array([[1.0]]), "W_context": np.array([[2.0]]),
    ...      "b": np.array([0.5]), "b_context": np.array([0.0])}
    >>> J, g = glove_value_and_grad(p, np.array([0]), np.array([0]), np.array([1.0]), x_max=1.0)
    >>> J, g["W"].tolist(), g["W_context"].tolist(), g["b"].tolist()
    (6.25, [[10.0]], [[5.0]], [5.0])
    """
    (W, Wc, b, bc), rows, cols, x = _entries(params, rows, cols, x)
    wi, wj = W[rows], Wc[cols]                                          # (N, d) each
    e = np.einsum("nd,nd->n", wi, wj) + b[rows] + bc[cols] - np.log(x)  # (N,)
    fx = glove_weight(x, x_max, alpha)
    J = float(np.sum(fx * e * e))
    g = 2.0 * fx * e                                   # (N,) dJ/de of each entry
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
        ``W``, ``W_context`` of shape (V, d) and ``b``, ``b_context`` of shape (V,), float64,
        drawn in that order.

    Examples
    --------
    >>> p = init_glove_params(3, 4, np.random.default_rng(0))
    >>> p["W"].shape, bool(np.abs(p["W"]).max() < 0.125)
    ((3, 4), True)
    """
    V, d = positive_int(vocab_size, "vocab_size"), positive_int(vector_size, "vector_size")
    shapes = {"W": (V, d), "W_context": (V, d), "b": (V,), "b_context": (V,)}
    return {k: (rng.random(shape) - 0.5) / d for k, shape in shapes.items()}


def adagrad_entries(param, gradsq, index, steps) -> None:
    r"""AdaGrad steps of single entries, applied in order to the rows they touch (in place).

    Entry :math:`n` (in the order given) moves row :math:`r = ` ``index[n]`` by its scaled
    gradient :math:`s_n = \eta g_n`, divided by the root of that row's accumulator as it stands
    when the entry's turn comes, and then adds :math:`s_n^2` to the accumulator:

    .. math::

        \theta_r \leftarrow \theta_r - \frac{s_n}{\sqrt{G_r}}, \qquad
        G_r \leftarrow G_r + s_n^2 \qquad (n = 1, 2, \dots),

    elementwise: the update of Stanford's ``glove.c`` for one entry.

    Parameters
    ----------
    param, gradsq : ndarray of shape (V, ...)
        A parameter table and its accumulator; both are updated in place.
    index : ndarray of int, shape (N,)
        The row each entry touches.
    steps : ndarray of shape (N, ...)
        The scaled gradient :math:`\eta g_n` of each entry (trailing shape of ``param``).

    Notes
    -----
    Entries that touch different rows do not interact, so they can be applied together; only
    the entries of one row must follow each other.  The entries are therefore applied in
    *rounds*: round :math:`k` applies the :math:`k`-th entry (in the given order) of every row
    that has one, all at once, since no row appears twice in a round.  This is exactly the
    sequential update, and the Python loop runs over the rounds (as many as the most frequent
    row has entries), never over entries.

    Examples
    --------
    Two entries on row 0 with steps 3 and 4: the first is divided by :math:`\sqrt{1}`, the
    second by :math:`\sqrt{1 + 9}`; the accumulator ends at :math:`1 + 9 + 16`.

    >>> w, G = np.zeros(2), np.ones(2)
    >>> adagrad_entries(w, G, np.array([0, 0]), np.array([3.0, 4.0]))
    >>> round(float(w[0]), 6), round(-3 - 4 / 10 ** 0.5, 6), G.tolist()
    (-4.264911, -4.264911, [26.0, 1.0])
    """
    index = np.asarray(index)
    by_row = np.argsort(index, kind="stable")          # each row's entries, in their order
    sorted_rows = index[by_row]
    starts = np.flatnonzero(np.r_[True, sorted_rows[1:] != sorted_rows[:-1]])
    sizes = np.diff(np.r_[starts, index.size])
    rank = np.arange(index.size) - np.repeat(starts, sizes)  # k: the row's k-th entry
    by_round = by_row[np.argsort(rank, kind="stable")]  # entries grouped by round
    ends = np.cumsum(np.bincount(rank))
    for k in range(ends.size):                         # rows are distinct within a round
        e = by_round[ends[k - 1] if k else 0:ends[k]]
        r, s = index[e], steps[e]
        param[r] -= s / np.sqrt(gradsq[r])
        gradsq[r] += s * s


def glove_epoch(params, gradsq, rows, cols, logx, fx, order, batch_size, learning_rate):
    r"""One pass of AdaGrad over the entries; updates ``params`` and ``gradsq`` in place.

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
        Entries whose gradients are computed together (1 reproduces ``glove.c`` exactly).
    learning_rate : float
        :math:`\eta`.

    Returns
    -------
    cost : float
        Stanford's reported cost: the mean over entries of :math:`\tfrac12 f(X_{ij}) e_{ij}^2`,
        each computed just before its batch's update.

    Notes
    -----
    As in Stanford's ``glove.c`` the step is taken on :math:`\tfrac12 J`, entry by entry: the
    entry :math:`(i, j)` with :math:`e_{ij}` and :math:`f_{ij} = f(X_{ij})` has the scaled
    gradients :math:`s = \eta f_{ij} e_{ij} \tilde w_j` for :math:`w_i`, :math:`\eta f_{ij}
    e_{ij} w_i` for :math:`\tilde w_j` and :math:`\eta f_{ij} e_{ij}` for both biases, and each
    is applied by :func:`adagrad_entries`: :math:`\theta \leftarrow \theta - s/\sqrt{G}`, then
    :math:`G \leftarrow G + s^2`, with :math:`G` initialized to 1.  The accumulator therefore
    holds the sum of squared *scaled* steps :math:`\sum (\eta g)^2`, one term per entry.

    What differs from the sequential C loop is only *when* the gradients are computed: for all
    entries of a batch at once, from the parameters as they were at the start of the batch, where
    the C loop recomputes :math:`e_{ij}` after every single update.  The accumulators see every
    entry's own squared step, in the same order as the C loop.  (The C code also clips each
    scaled gradient component to :math:`[-100, 100]` and skips non-finite updates; neither ever
    triggers at :math:`\eta = 0.05` with these initial values, and they are not reproduced.)

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
    batch_size = positive_int(batch_size, "batch_size")
    learning_rate = positive_real(learning_rate, "learning_rate")
    W, Wc, b, bc = (params[k] for k in PARAM_NAMES)
    total = 0.0
    for start in range(0, order.size, batch_size):
        sel = order[start:start + batch_size]
        i, j = rows[sel], cols[sel]
        wi, wj = W[i], Wc[j]                                         # (B, d)
        e = np.einsum("nd,nd->n", wi, wj) + b[i] + bc[j] - logx[sel]  # (B,)
        fe = fx[sel] * e                                  # d(f e^2 / 2)/de of each entry
        total += 0.5 * float(fe @ e)
        step = learning_rate * fe                         # (B,) eta f e
        adagrad_entries(W, gradsq["W"], i, step[:, None] * wj)
        adagrad_entries(Wc, gradsq["W_context"], j, step[:, None] * wi)
        adagrad_entries(b, gradsq["b"], i, step)
        adagrad_entries(bc, gradsq["b_context"], j, step)
    return total / max(order.size, 1)


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
        Entries whose gradients are computed together (:func:`glove_epoch`).
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
        Stanford's cost (:func:`glove_epoch`) of each epoch.
    index_to_key : list of str
    cooccurrence : scipy.sparse.csr_matrix of shape (V, V)

    Raises
    ------
    ValueError
        For a non-positive hyper-parameter or an empty vocabulary.
    TypeError
        For a hyper-parameter of the wrong type (a float where a count belongs).

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
        vector_size = positive_int(vector_size, "vector_size")
        window, min_count = positive_int(window, "window"), positive_int(min_count, "min_count")
        x_max, alpha = positive_real(x_max, "x_max"), positive_real(alpha, "alpha")
        epochs, batch_size = positive_int(epochs, "epochs"), positive_int(batch_size, "batch_size")
        learning_rate = positive_real(learning_rate, "learning_rate")
        seed = int_value(seed, "seed", low=0)
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
