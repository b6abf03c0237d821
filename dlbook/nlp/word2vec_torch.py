r"""Word2Vec in PyTorch: the NumPy trainer's algorithm on any device, with ``index_add_`` updates.

Same public names and meanings as :mod:`dlbook.nlp.word2vec`.  The loss gradient is written out
by hand (as in word2vec.c) rather than taken from autograd: an update touches only the rows of
the batch, through ``Tensor.index_add_``, so no dense (V, d) gradient is ever formed.
Subsampling and window sizes are drawn on the CPU with NumPy (as in the NumPy trainer); pairs
and batches (:mod:`dlbook.nlp.word2vec_batches_torch`) and negatives are built on the device.

See Also
--------
:ref:`ch-word2vec` : the chapter.
dlbook.nlp.word2vec : the NumPy reference, with the formulas.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from dlbook._checks import check_shape, int_value, one_of, positive_int, positive_real, real_tensor
from dlbook.nlp.keyed_vectors import KeyedVectors
from dlbook.nlp.vocab import build_vocab, encode_corpus, keep_probabilities, noise_distribution
from dlbook.nlp.word2vec_batches_torch import cbow_batches, skipgram_batches, window_pairs
from dlbook.utils import get_device

__all__ = ["sgns_value_and_grad", "scatter_add", "Word2Vec"]

# NumPy names this twin leaves out, and why (tests/test_house.py checks the list).
__twin_omits__ = {"full_softmax_value_and_grad":
                  "torch.nn.functional.cross_entropy is the full softmax; autograd gives its "
                  "gradient"}


def sgns_value_and_grad(v_in, u_pos, u_neg, neg_mask=None):
    r"""Negative-sampling loss (summed) and its gradients; torch twin of the NumPy function.

    Parameters
    ----------
    v_in : Tensor of shape (B, d)
    u_pos : Tensor of shape (B, d)
    u_neg : Tensor of shape (B, K, d)
    neg_mask : Tensor of shape (B, K), optional

    Returns
    -------
    loss : Tensor
        A 0-d tensor (kept on the device, so a training loop does not wait for it).
    grads : tuple of Tensor
        ``(d_in, d_pos, d_neg)`` of shapes (B, d), (B, d) and (B, K, d).

    Notes
    -----
    :math:`\ell = -\log\sigma(u_o^\top v) - \sum_k m_k\log\sigma(-u_k^\top v)`; gradients as in
    :func:`dlbook.nlp.word2vec.sgns_value_and_grad`.

    Examples
    --------
    >>> z = torch.zeros(1, 2, dtype=torch.float64)
    >>> loss, grads = sgns_value_and_grad(z, z, torch.zeros(1, 3, 2, dtype=torch.float64))
    >>> round(float(loss) / float(np.log(2)), 6)
    4.0
    """
    v_in = real_tensor(v_in, "v_in", ndim=2)
    B, d = v_in.shape
    check_shape(u_pos, "u_pos", (B, d), "(B, d)")
    check_shape(u_neg, "u_neg", (B, None, d), "(B, K, d)")
    mask = torch.ones(u_neg.shape[:2], dtype=v_in.dtype, device=v_in.device) \
        if neg_mask is None else neg_mask.to(v_in.dtype)
    check_shape(mask, "neg_mask", tuple(u_neg.shape[:2]), "(B, K)")
    s_pos = (u_pos * v_in).sum(-1)                              # (B,)
    s_neg = torch.einsum("bkd,bd->bk", u_neg, v_in)             # (B, K)
    loss = -torch.nn.functional.logsigmoid(s_pos).sum() \
        - (mask * torch.nn.functional.logsigmoid(-s_neg)).sum()
    g_pos = torch.sigmoid(s_pos) - 1.0                          # (B,)
    g_neg = mask * torch.sigmoid(s_neg)                         # (B, K)
    d_in = g_pos[:, None] * u_pos + torch.einsum("bk,bkd->bd", g_neg, u_neg)
    return loss, (d_in, g_pos[:, None] * v_in, g_neg[:, :, None] * v_in[:, None, :])


def scatter_add(W, idx, rows):
    """Add ``rows[n]`` to ``W[idx[n]]`` in place, summing rows whose indices repeat.

    ``Tensor.index_add_`` does exactly this, on any device.

    Examples
    --------
    >>> W = torch.zeros(3, 2)
    >>> scatter_add(W, torch.tensor([2, 0, 2]), torch.tensor([[1., 1.], [5., 5.], [2., 0.]]))
    >>> W.tolist()
    [[5.0, 5.0], [0.0, 0.0], [3.0, 1.0]]
    """
    W.index_add_(0, idx, rows)


class Word2Vec:
    r"""Skip-gram / CBOW with negative sampling in PyTorch; gensim's constructor plus ``device``.

    Parameters
    ----------
    sentences, vector_size, window, min_count, sg, negative, sample, alpha, epochs, seed
        As in :class:`dlbook.nlp.word2vec.Word2Vec` (and gensim).
    min_alpha : float, default 1e-4
    batch_size : int, default 2048
        Pairs (skip-gram) or windows (CBOW) per update, at most ``max(1, V // 4)``; a GPU wants
        larger batches.
    device : str or torch.device, optional
        Default :func:`dlbook.utils.get_device`.

    Attributes
    ----------
    wv : KeyedVectors
        The trained input vectors (copied to NumPy).
    syn1neg : Tensor of shape (V, d)
        Output vectors, on ``device``.
    train_seconds, words_per_second, loss_history
        As in the NumPy class.

    Notes
    -----
    The same steps as the NumPy class (its Notes): :meth:`_epoch_examples`, then
    :func:`dlbook.nlp.word2vec_batches_torch.skipgram_batches` or
    :func:`~dlbook.nlp.word2vec_batches_torch.cbow_batches`, then :meth:`_sgd_step` per batch.

    Examples
    --------
    >>> sents = [["a", "b", "c", "d"] * 5, ["c", "d", "a", "b"] * 5] * 5
    >>> m = Word2Vec(sents, vector_size=8, window=2, min_count=1, epochs=1, device="cpu")
    >>> m.wv["a"].shape, len(m.wv)
    ((8,), 4)
    """

    def __init__(self, sentences, vector_size=100, window=5, min_count=5, sg=1, negative=5,
                 sample=1e-3, alpha=0.025, epochs=5, seed=0, *, min_alpha=1e-4, batch_size=2048,
                 device=None):
        self.vector_size = positive_int(vector_size, "vector_size")
        self.window = positive_int(window, "window")
        self.negative = positive_int(negative, "negative")
        self.sg = one_of(sg, "sg (1: skip-gram, 0: CBOW)", (0, 1))
        self.sample = 0.0 if sample == 0 else positive_real(sample, "sample")
        self.alpha = positive_real(alpha, "alpha")
        self.min_alpha = positive_real(min_alpha, "min_alpha")
        if self.min_alpha > self.alpha:
            raise ValueError(f"need min_alpha <= alpha, got min_alpha={min_alpha}, alpha={alpha}")
        self.epochs = positive_int(epochs, "epochs")
        self.batch_size = positive_int(batch_size, "batch_size")
        self.seed = int_value(seed, "seed", low=0)
        self.device = torch.device(device) if device is not None else get_device()
        sentences = list(sentences)
        self.vocab = build_vocab(sentences, min_count=min_count)
        ids, sent = encode_corpus(sentences, self.vocab.key_to_index)
        self._train(ids, sent)

    @torch.no_grad()
    def _train(self, ids, sent):
        rng = np.random.default_rng(self.seed)       # CPU side: subsampling and window sizes
        gen = torch.Generator(device=self.device).manual_seed(self.seed)
        V, d, dev = len(self.vocab), self.vector_size, self.device
        self.effective_batch_size = min(self.batch_size, max(1, V // 4))  # see the NumPy Notes
        W_in = (torch.rand(V, d, generator=gen, device=dev) * 2 - 1) / d
        W_out = torch.zeros(V, d, device=dev)
        keep = keep_probabilities(self.vocab.counts, self.sample)
        noise_cum = torch.as_tensor(np.cumsum(noise_distribution(self.vocab.counts)),
                                    dtype=torch.float64, device=dev)
        make_batches = skipgram_batches if self.sg else cbow_batches
        self.loss_history = []
        start = time.perf_counter()
        for epoch in range(self.epochs):
            tokens, centers, contexts = self._epoch_examples(ids, sent, keep, rng)
            total_loss = torch.zeros((), dtype=torch.float64, device=dev)
            n_examples = 0
            for batch in make_batches(tokens, centers, contexts, self.effective_batch_size):
                progress = (epoch + batch.progress) / self.epochs
                lr = self.alpha - (self.alpha - self.min_alpha) * progress
                total_loss += self._sgd_step(W_in, W_out, batch, lr, noise_cum, gen)
                n_examples += batch.targets.shape[0]
            self.loss_history.append(float(total_loss) / max(n_examples, 1))
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)
        self.train_seconds = time.perf_counter() - start
        self.words_per_second = self.vocab.n_raw_tokens * self.epochs / self.train_seconds
        self.wv = KeyedVectors(self.vocab.index_to_key, W_in.cpu().numpy())
        self.syn1neg = W_out

    def _epoch_examples(self, ids, sent, keep, rng):
        """Subsample the corpus (NumPy draws) and list its position pairs on the device."""
        kept = rng.random(ids.shape[0]) < keep[ids]            # a new draw each epoch
        spans = self.window - rng.integers(0, self.window, size=int(kept.sum()))
        tokens = torch.as_tensor(ids[kept], device=self.device)
        centers, contexts = window_pairs(torch.as_tensor(sent[kept], device=self.device),
                                         torch.as_tensor(spans, device=self.device))
        return tokens, centers, contexts

    def _sgd_step(self, W_in, W_out, batch, lr, noise_cum, gen):
        """One minibatch update of ``W_in`` and ``W_out`` in place; returns the batch's loss."""
        B, d, K = batch.targets.shape[0], self.vector_size, self.negative
        sizes = torch.bincount(batch.example, minlength=B).to(W_in.dtype)
        v_in = torch.zeros(B, d, device=W_in.device).index_add_(0, batch.example,
                                                               W_in[batch.inputs])
        v_in /= sizes[:, None]                                  # mean of each example's inputs
        u = torch.rand(B * K, generator=gen, device=W_in.device, dtype=torch.float64)
        neg = torch.searchsorted(noise_cum, u * noise_cum[-1]).clamp_(max=W_out.shape[0] - 1)
        neg = neg.view(B, K)
        mask = (neg != batch.targets[:, None]).to(v_in.dtype)
        loss, (d_in, d_pos, d_neg) = sgns_value_and_grad(v_in, W_out[batch.targets],
                                                         W_out[neg], mask)
        scatter_add(W_out, torch.cat([batch.targets, neg.flatten()]),
                    -lr * torch.cat([d_pos, d_neg.reshape(-1, d)]))
        scatter_add(W_in, batch.inputs, -lr * d_in[batch.example])
        return loss
