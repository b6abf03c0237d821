r"""GloVe in PyTorch: the objective and AdaGrad steps of :mod:`dlbook.nlp.glove`, on any device.

Torch adds two things: autograd differentiates :func:`glove_loss` (the NumPy module writes the
gradient by hand), and the AdaGrad passes run on a GPU when there is one.  Initial values and the
shuffled order of the entries come from the same NumPy generator as in the NumPy version, so with
``dtype=torch.float64`` both produce the same vectors (a test holds them to it).

See Also
--------
:ref:`ch-glove` : the chapter.
dlbook.nlp.glove : the NumPy reference, with the formulas.
"""

from __future__ import annotations

import numpy as np
import torch

from dlbook._checks import int_value, positive_int, positive_real, real_tensor
from dlbook.nlp import glove as glove_numpy
from dlbook.nlp.cooccurrence import corpus_cooccurrence
from dlbook.nlp.glove import PARAM_NAMES
from dlbook.nlp.keyed_vectors import KeyedVectors
from dlbook.utils import get_device

__all__ = ["glove_weight", "glove_loss", "init_glove_params", "adagrad_entries", "glove_epoch",
           "GloVe"]

# NumPy names this twin leaves out, and why (tests/test_house.py checks the list).
__twin_omits__ = {"glove_value_and_grad": "autograd differentiates glove_loss"}


def glove_weight(x, x_max: float = 100.0, alpha: float = 0.75) -> torch.Tensor:
    r""":math:`f(x) = \min\{1, (x / x_{\max})^{\alpha}\}` on a tensor.

    Parameters
    ----------
    x : Tensor
        Non-negative counts.
    x_max, alpha : float
        As in :func:`dlbook.nlp.glove.glove_weight`.

    Returns
    -------
    Tensor, same shape as ``x``

    Examples
    --------
    >>> x = torch.tensor([1.0, 100.0, 1000.0], dtype=torch.float64)
    >>> glove_weight(x).round(decimals=4).tolist()
    [0.0316, 1.0, 1.0]
    """
    x = real_tensor(x, "x")
    x_max, alpha = positive_real(x_max, "x_max"), positive_real(alpha, "alpha")
    if torch.any(x < 0):
        raise ValueError(f"co-occurrence counts must be non-negative, got min {float(x.min())}")
    return torch.clamp((x / x_max) ** alpha, max=1.0)


def glove_loss(params: dict, rows, cols, x, x_max: float = 100.0,
               alpha: float = 0.75) -> torch.Tensor:
    r"""GloVe's objective :math:`J = \sum f(X_{ij}) (w_i^\top \tilde w_j + b_i + \tilde b_j
    - \log X_{ij})^2`.

    Parameters
    ----------
    params : dict of torch.Tensor
        ``W``, ``W_context`` (V, d) and ``b``, ``b_context`` (V,); gradients flow by autograd.
    rows, cols : LongTensor of shape (N,)
    x : Tensor of shape (N,), positive

    Returns
    -------
    J : scalar Tensor

    See Also
    --------
    dlbook.nlp.glove.glove_value_and_grad : the NumPy twin's hand-written gradient.

    Examples
    --------
    >>> p = {"W": torch.tensor([[1.0]]), "W_context": torch.tensor([[2.0]]),
    ...      "b": torch.tensor([0.5]), "b_context": torch.tensor([0.0])}
    >>> float(glove_loss(p, torch.tensor([0]), torch.tensor([0]), torch.tensor([1.0]), x_max=1.0))
    6.25
    """
    W, Wc, b, bc = (params[k] for k in PARAM_NAMES)
    if W.dim() != 2 or Wc.shape != W.shape or b.shape != W.shape[:1] or bc.shape != b.shape:
        raise ValueError(f"W and W_context must be (V, d) and b, b_context (V,); got "
                         f"{tuple(W.shape)}, {tuple(Wc.shape)}, {tuple(b.shape)}, "
                         f"{tuple(bc.shape)}")
    x = real_tensor(x, "x", ndim=1)
    if rows.shape != x.shape or cols.shape != x.shape:
        raise ValueError(f"rows, cols and x must be 1-D of equal length, got "
                         f"{tuple(rows.shape)}, {tuple(cols.shape)} and {tuple(x.shape)}")
    if torch.any(x <= 0):
        raise ValueError("only non-zero co-occurrence counts enter the loss (x must be > 0)")
    e = (W[rows] * Wc[cols]).sum(dim=1) + b[rows] + bc[cols] - torch.log(x)  # (N,)
    return (glove_weight(x, x_max, alpha) * e * e).sum()


def init_glove_params(vocab_size: int, vector_size: int, rng: np.random.Generator, *,
                      device=None, dtype=torch.float32) -> dict:
    r"""Stanford's initialization, uniform on :math:`(-0.5, 0.5) / d`, as tensors.

    The values are those of :func:`dlbook.nlp.glove.init_glove_params` with the same
    generator (drawn in NumPy, then moved to ``device``), so both twins start alike.

    Parameters
    ----------
    vocab_size, vector_size : int
    rng : numpy.random.Generator
    device : str or torch.device, optional
        Default :func:`dlbook.utils.get_device`.
    dtype : torch.dtype, default torch.float32

    Returns
    -------
    dict of Tensor
        ``W``, ``W_context`` (V, d) and ``b``, ``b_context`` (V,).

    Examples
    --------
    >>> p = init_glove_params(3, 4, np.random.default_rng(0), device="cpu")
    >>> tuple(p["W"].shape), bool(p["W"].abs().max() < 0.125)
    ((3, 4), True)
    """
    dev = torch.device(device) if device is not None else get_device()
    drawn = glove_numpy.init_glove_params(vocab_size, vector_size, rng)
    return {k: torch.as_tensor(v, dtype=dtype, device=dev) for k, v in drawn.items()}


@torch.no_grad()
def adagrad_entries(param, gradsq, index, steps) -> None:
    r"""AdaGrad steps of single entries, applied in order to the rows they touch (in place).

    The update of :func:`dlbook.nlp.glove.adagrad_entries` (see its Notes), computed in one
    pass instead of rounds, which suits a GPU: the entries are sorted by row (stably, so each
    row keeps their order), and a cumulative sum of the squared steps gives every entry the
    accumulator it would see in the sequential loop, :math:`G_r` plus the squared steps of the
    earlier entries of its row.  ``index_add_`` then sums each row's steps and squared steps.

    Parameters
    ----------
    param, gradsq : Tensor of shape (V, ...)
    index : LongTensor of shape (N,)
    steps : Tensor of shape (N, ...)

    Examples
    --------
    >>> w, G = torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    >>> adagrad_entries(w, G, torch.tensor([0, 0]), torch.tensor([3.0, 4.0], dtype=torch.float64))
    >>> round(float(w[0]), 6), G.tolist()
    (-4.264911, [26.0, 1.0])
    """
    rows, order = torch.sort(index, stable=True)          # each row's entries, in their order
    s = steps[order]
    sq = s * s
    first = torch.ones_like(rows, dtype=torch.bool)
    first[1:] = rows[1:] != rows[:-1]
    group = torch.cumsum(first, 0) - 1                     # which row's run each entry is in
    # squares of all earlier entries (a cumulative sum along the entries, done on the transposed
    # array, where it runs over contiguous memory), then of the earlier entries of the same row
    before = torch.cumsum(sq.reshape(len(rows), -1).T.contiguous(), dim=1).T.reshape(sq.shape)
    before = before - sq
    seen = before - before[torch.nonzero(first).squeeze(1)][group]
    param.index_add_(0, rows, s / torch.sqrt(gradsq[rows] + seen), alpha=-1)
    gradsq.index_add_(0, rows, sq)


@torch.no_grad()
def glove_epoch(params, gradsq, rows, cols, logx, fx, order, batch_size, learning_rate):
    r"""One pass of AdaGrad over the entries; updates ``params`` and ``gradsq`` in place.

    The same steps as :func:`dlbook.nlp.glove.glove_epoch` (see its Notes), on tensors.

    Returns
    -------
    cost : float
        Mean of :math:`\tfrac12 f(X_{ij}) e_{ij}^2` over the epoch's entries.

    Examples
    --------
    The hand-checked example of the NumPy twin, with the same numbers in float64:

    >>> f64 = dict(dtype=torch.float64)
    >>> p = {"W": torch.tensor([[1.0]], **f64), "W_context": torch.tensor([[2.0]], **f64),
    ...      "b": torch.tensor([0.5], **f64), "b_context": torch.tensor([0.0], **f64)}
    >>> G = {k: torch.ones_like(v) for k, v in p.items()}
    >>> one, logx, fx = torch.tensor([0]), torch.tensor([0.0], **f64), torch.tensor([1.0], **f64)
    >>> glove_epoch(p, G, one, one, logx, fx, one, 1, 0.1)
    3.125
    >>> p["W"].tolist(), p["W_context"].tolist(), p["b"].tolist(), G["W"].tolist()
    ([[0.5]], [[1.75]], [0.25], [[1.25]])
    >>> glove_epoch(p, G, one, one, logx, fx, one, 1, 0.1)
    0.3828125
    """
    batch_size = positive_int(batch_size, "batch_size")
    learning_rate = positive_real(learning_rate, "learning_rate")
    W, Wc, b, bc = (params[k] for k in PARAM_NAMES)
    total = torch.zeros((), dtype=torch.float64, device=W.device)
    for start in range(0, order.numel(), batch_size):
        sel = order[start:start + batch_size]
        i, j = rows[sel], cols[sel]
        wi, wj = W[i], Wc[j]                                   # (B, d)
        e = (wi * wj).sum(dim=1) + b[i] + bc[j] - logx[sel]    # (B,)
        fe = fx[sel] * e
        total += 0.5 * (fe * e).sum().double()
        step = learning_rate * fe                              # (B,) eta f e
        adagrad_entries(W, gradsq["W"], i, step[:, None] * wj)
        adagrad_entries(Wc, gradsq["W_context"], j, step[:, None] * wi)
        adagrad_entries(b, gradsq["b"], i, step)
        adagrad_entries(bc, gradsq["b_context"], j, step)
    return float(total) / max(order.numel(), 1)


class GloVe:
    r"""Train GloVe vectors with PyTorch (training happens in the constructor).

    Parameters
    ----------
    sentences, vector_size, window, min_count, x_max, alpha, epochs, learning_rate, seed
        As in :class:`dlbook.nlp.glove.GloVe`.
    batch_size : int, default 32768
    cooccurrence : tuple of (list of str, scipy.sparse matrix), optional
        Reuse a vocabulary and matrix already computed.
    device : str or torch.device, optional
        Default :func:`dlbook.utils.get_device` (a GPU when there is one).
    dtype : torch.dtype, default torch.float32
        ``torch.float64`` reproduces the NumPy class.

    Attributes
    ----------
    wv : dlbook.nlp.keyed_vectors.KeyedVectors
        The word vectors :math:`W + \tilde W`.
    params : dict of ndarray
        NumPy arrays copied back from the device; ``loss_history``, ``index_to_key`` and
        ``cooccurrence`` are as in the NumPy class.

    See Also
    --------
    dlbook.nlp.glove.GloVe : the NumPy reference.
    :ref:`ch-glove` : the chapter.

    Examples
    --------
    >>> corpus = [["ice", "cold", "solid"], ["steam", "hot", "gas"]] * 20
    >>> model = GloVe(corpus, vector_size=4, window=2, min_count=1, epochs=30, device="cpu")
    >>> model.wv.vectors.shape, model.loss_history[-1] < model.loss_history[0]
    ((6, 4), True)
    """

    def __init__(self, sentences, vector_size=100, window=10, min_count=5, x_max=100,
                 alpha=0.75, epochs=25, learning_rate=0.05, seed=0, *, batch_size=32768,
                 cooccurrence=None, device=None, dtype=torch.float32):
        vector_size = positive_int(vector_size, "vector_size")
        window, min_count = positive_int(window, "window"), positive_int(min_count, "min_count")
        x_max, alpha = positive_real(x_max, "x_max"), positive_real(alpha, "alpha")
        epochs, batch_size = positive_int(epochs, "epochs"), positive_int(batch_size, "batch_size")
        learning_rate = positive_real(learning_rate, "learning_rate")
        seed = int_value(seed, "seed", low=0)
        words, X = corpus_cooccurrence(sentences, min_count, window, cooccurrence)
        self.index_to_key, self.cooccurrence = words, X
        coo = X.tocoo()
        dev = torch.device(device) if device is not None else get_device()
        rows = torch.as_tensor(coo.row.astype(np.int64), device=dev)
        cols = torch.as_tensor(coo.col.astype(np.int64), device=dev)
        counts = torch.as_tensor(coo.data, dtype=dtype, device=dev)
        logx, fx = torch.log(counts), glove_weight(counts, x_max, alpha)
        rng = np.random.default_rng(seed)  # the same stream as the NumPy class
        params = init_glove_params(len(words), vector_size, rng, device=dev, dtype=dtype)
        gradsq = {k: torch.ones_like(v) for k, v in params.items()}
        self.loss_history = []
        for _ in range(epochs):
            order = torch.as_tensor(rng.permutation(coo.nnz), device=dev)
            self.loss_history.append(glove_epoch(params, gradsq, rows, cols, logx, fx, order,
                                                 batch_size, learning_rate))
        self.params = {k: v.cpu().double().numpy() for k, v in params.items()}
        self.wv = KeyedVectors(self.index_to_key, self.params["W"] + self.params["W_context"])
