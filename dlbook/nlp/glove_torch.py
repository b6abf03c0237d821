r"""GloVe in PyTorch: the same objective and AdaGrad steps as :mod:`dlbook.nlp.glove`, on any device.

Torch adds two things: autograd checks the hand-written gradient of the NumPy module, and the
minibatch steps run on a GPU when there is one.  Initial values and the shuffled order of the
entries come from the same NumPy generator as in the NumPy version, so with ``dtype=float64``
both produce the same vectors (a test holds them to it).

See Also
--------
:ref:`ch-glove` : the chapter.
dlbook.nlp.glove : the NumPy reference.
"""

from __future__ import annotations

import numpy as np
import torch

from dlbook.nlp.cooccurrence import corpus_cooccurrence
from dlbook.nlp.glove import PARAM_NAMES, _check_hparams, init_glove_params
from dlbook.nlp.keyed_vectors import KeyedVectors
from dlbook.utils import get_device

__all__ = ["glove_weight", "glove_loss", "glove_epoch", "GloVe"]


def glove_weight(x: torch.Tensor, x_max: float = 100.0, alpha: float = 0.75) -> torch.Tensor:
    r""":math:`f(x) = \min\{1, (x / x_{\max})^{\alpha}\}` on a tensor.

    Examples
    --------
    >>> glove_weight(torch.tensor([1.0, 100.0, 1000.0], dtype=torch.float64)).round(decimals=4).tolist()
    [0.0316, 1.0, 1.0]
    """
    if x_max <= 0 or alpha <= 0:
        raise ValueError(f"x_max and alpha must be positive, got x_max={x_max}, alpha={alpha}")
    return torch.clamp((x / x_max) ** alpha, max=1.0)


def glove_loss(params: dict, rows, cols, x, x_max: float = 100.0,
               alpha: float = 0.75) -> torch.Tensor:
    r"""GloVe's objective :math:`J = \sum f(X_{ij}) (w_i^\top \tilde w_j + b_i + \tilde b_j - \log X_{ij})^2`.

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
    dlbook.nlp.glove.glove_loss : the NumPy twin with the hand-written gradient.

    Examples
    --------
    >>> p = {"W": torch.tensor([[1.0]]), "W_context": torch.tensor([[2.0]]),
    ...      "b": torch.tensor([0.5]), "b_context": torch.tensor([0.0])}
    >>> float(glove_loss(p, torch.tensor([0]), torch.tensor([0]), torch.tensor([1.0]), x_max=1.0))
    6.25
    """
    W, Wc, b, bc = (params[k] for k in PARAM_NAMES)
    if torch.any(x <= 0):
        raise ValueError("only non-zero co-occurrence counts enter the loss (x must be > 0)")
    e = (W[rows] * Wc[cols]).sum(dim=1) + b[rows] + bc[cols] - torch.log(x)  # (N,)
    return (glove_weight(x, x_max, alpha) * e * e).sum()


@torch.no_grad()
def glove_epoch(params, gradsq, rows, cols, logx, fx, order, batch_size, learning_rate):
    r"""One pass of minibatch AdaGrad; updates ``params`` and ``gradsq`` in place.

    The same step as :func:`dlbook.nlp.glove.glove_epoch` (see its Notes), with
    ``index_add_`` summing a batch's gradients per word over the full (V, d) table (cheaper
    than finding the unique words on a GPU; untouched rows take a zero step).

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
    W, Wc, b, bc = (params[k] for k in PARAM_NAMES)
    total = torch.zeros((), dtype=W.dtype, device=W.device)
    for start in range(0, order.numel(), batch_size):
        sel = order[start:start + batch_size]
        i, j = rows[sel], cols[sel]
        wi, wj = W[i], Wc[j]  # (B, d)
        e = (wi * wj).sum(dim=1) + b[i] + bc[j] - logx[sel]  # (B,)
        fe = fx[sel] * e
        total += 0.5 * (fe * e).sum()
        # Gradients summed per word over the whole (V, d) table: rows no entry touched get a zero
        # gradient, and a zero step leaves both the parameter and its accumulator unchanged.
        grads = {"W": torch.zeros_like(W).index_add_(0, i, fe[:, None] * wj),
                 "W_context": torch.zeros_like(Wc).index_add_(0, j, fe[:, None] * wi),
                 "b": torch.zeros_like(b).index_add_(0, i, fe),
                 "b_context": torch.zeros_like(bc).index_add_(0, j, fe)}
        for name, g in grads.items():
            step = learning_rate * g
            params[name] -= step / torch.sqrt(gradsq[name])
            gradsq[name] += step * step
    return float(total) / max(order.numel(), 1)


class GloVe:
    r"""Train GloVe vectors with PyTorch (training happens in the constructor).

    Parameters
    ----------
    sentences, vector_size, window, min_count, x_max, alpha, epochs, learning_rate, seed
        As in :class:`dlbook.nlp.glove.GloVe`.
    device : str or torch.device, optional
        Default :func:`dlbook.utils.get_device` (a GPU when there is one).
    dtype : torch.dtype, default torch.float32
        ``torch.float64`` reproduces the NumPy class.
    batch_size : int, default 32768
    cooccurrence : tuple of (list of str, scipy.sparse matrix), optional
        Reuse a vocabulary and matrix already computed.

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
                 alpha=0.75, epochs=25, learning_rate=0.05, seed=0, *, device=None,
                 dtype=torch.float32, batch_size=32768, cooccurrence=None):
        _check_hparams(vector_size, window, min_count, x_max, alpha, epochs, learning_rate,
                       batch_size)
        words, X = corpus_cooccurrence(sentences, min_count, window, cooccurrence)
        self.index_to_key, self.cooccurrence = words, X
        coo = X.tocoo()
        dev = torch.device(device) if device is not None else get_device()
        as_t = lambda a, dt=dtype: torch.as_tensor(a, dtype=dt, device=dev)  # noqa: E731
        rows, cols = as_t(coo.row, torch.int64), as_t(coo.col, torch.int64)
        logx = as_t(np.log(coo.data))
        fx = glove_weight(as_t(coo.data), x_max, alpha)
        rng = np.random.default_rng(seed)  # same stream as the NumPy class
        params = {k: as_t(v) for k, v in init_glove_params(len(words), vector_size, rng).items()}
        gradsq = {k: torch.ones_like(v) for k, v in params.items()}
        self.loss_history = []
        for _ in range(epochs):
            order = as_t(rng.permutation(coo.nnz), torch.int64)
            self.loss_history.append(glove_epoch(params, gradsq, rows, cols, logx, fx, order,
                                                 batch_size, learning_rate))
        self.params = {k: v.cpu().double().numpy() for k, v in params.items()}
        self.wv = KeyedVectors(self.index_to_key, self.params["W"] + self.params["W_context"])
