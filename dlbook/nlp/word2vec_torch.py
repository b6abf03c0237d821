r"""Word2Vec in PyTorch: the NumPy trainer's algorithm on any device, with ``index_add_`` updates.

Same public names as :mod:`dlbook.nlp.word2vec`.  The loss gradient is written out by hand
(as in word2vec.c) rather than taken from autograd: an update touches only the rows of the
batch, through ``Tensor.index_add_``, so no dense (V, d) gradient is ever formed.  Pairs are
built on the CPU by :func:`dlbook.nlp.word2vec.window_pairs` once per epoch and moved to the
device; negatives are drawn on the device.

See Also
--------
:ref:`ch-word2vec` : the chapter.
dlbook.nlp.word2vec : the NumPy reference, with the formulas.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from dlbook.nlp.keyed_vectors import KeyedVectors
from dlbook.nlp.vocab import build_vocab, encode_corpus, keep_probabilities, noise_distribution
from dlbook.nlp.word2vec import _check_hparams, window_pairs
from dlbook.utils import get_device

__all__ = ["sgns_loss_and_grads", "Word2Vec"]


def sgns_loss_and_grads(v_in, u_pos, u_neg, neg_mask=None):
    r"""Negative-sampling loss (summed) and its gradients; torch twin of the NumPy function.

    Parameters
    ----------
    v_in : Tensor of shape (B, d)
    u_pos : Tensor of shape (B, d)
    u_neg : Tensor of shape (B, K, d)
    neg_mask : Tensor of shape (B, K), optional

    Returns
    -------
    loss : Tensor (scalar)
    d_in, d_pos : Tensor of shape (B, d)
    d_neg : Tensor of shape (B, K, d)

    Notes
    -----
    :math:`\ell = -\log\sigma(u_o^\top v) - \sum_k m_k\log\sigma(-u_k^\top v)`; gradients as in
    :func:`dlbook.nlp.word2vec.sgns_loss_and_grads`.

    Examples
    --------
    >>> z = torch.zeros(1, 2, dtype=torch.float64)
    >>> loss, *_ = sgns_loss_and_grads(z, z, torch.zeros(1, 3, 2, dtype=torch.float64))
    >>> round(float(loss) / float(np.log(2)), 6)
    4.0
    """
    B, d = v_in.shape
    if u_pos.shape != (B, d) or u_neg.dim() != 3 or u_neg.shape[0] != B or u_neg.shape[2] != d:
        raise ValueError(f"shapes do not fit: v_in {tuple(v_in.shape)}, u_pos {tuple(u_pos.shape)}, "
                         f"u_neg {tuple(u_neg.shape)}")
    mask = torch.ones(u_neg.shape[:2], dtype=v_in.dtype, device=v_in.device) if neg_mask is None \
        else neg_mask.to(v_in.dtype)
    s_pos = (u_pos * v_in).sum(-1)  # (B,)
    s_neg = torch.einsum("bkd,bd->bk", u_neg, v_in)  # (B, K)
    loss = -torch.nn.functional.logsigmoid(s_pos).sum() \
        - (mask * torch.nn.functional.logsigmoid(-s_neg)).sum()
    g_pos = torch.sigmoid(s_pos) - 1.0  # (B,)
    g_neg = mask * torch.sigmoid(s_neg)  # (B, K)
    d_in = g_pos[:, None] * u_pos + torch.einsum("bk,bkd->bd", g_neg, u_neg)
    return loss, d_in, g_pos[:, None] * v_in, g_neg[:, :, None] * v_in[:, None, :]


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
        _check_hparams(vector_size, window, negative, epochs, batch_size, sg, alpha, min_alpha)
        self.vector_size, self.window, self.sg, self.negative = vector_size, window, sg, negative
        self.sample, self.alpha, self.min_alpha, self.epochs = sample, alpha, min_alpha, epochs
        self.batch_size, self.seed = batch_size, seed
        self.device = torch.device(device) if device is not None else get_device()
        sentences = list(sentences)
        self.vocab = build_vocab(sentences, min_count=min_count)
        ids, sent = encode_corpus(sentences, self.vocab.key_to_index)
        self._train(ids, sent)

    @torch.no_grad()
    def _train(self, ids, sent):
        rng = np.random.default_rng(self.seed)  # CPU side: subsampling and windows
        gen = torch.Generator(device=self.device).manual_seed(self.seed)
        V, d, K, dev = len(self.vocab), self.vector_size, self.negative, self.device
        bs = self.effective_batch_size = min(self.batch_size, max(1, V // 4))  # see the NumPy Notes
        W_in = ((torch.rand(V, d, generator=gen, device=dev) * 2 - 1) / d)
        W_out = torch.zeros(V, d, device=dev)
        keep = keep_probabilities(self.vocab.counts, self.sample)
        noise_cum = torch.as_tensor(np.cumsum(noise_distribution(self.vocab.counts)),
                                    dtype=torch.float64, device=dev)
        self.loss_history = []
        start = time.perf_counter()
        for epoch in range(self.epochs):
            kept = rng.random(ids.shape[0]) < keep[ids]
            tok_np, tok_sent = ids[kept], sent[kept]
            c_pos, o_pos = window_pairs(tok_sent, self.window, rng)
            tok = torch.as_tensor(tok_np, device=dev)
            centers = tok[torch.as_tensor(c_pos, device=dev)]  # (P,) word ids
            contexts = tok[torch.as_tensor(o_pos, device=dev)]  # (P,)
            if not self.sg:
                c_pos_t = torch.as_tensor(c_pos, device=dev)
                first = torch.ones_like(c_pos_t, dtype=torch.bool)
                first[1:] = c_pos_t[1:] != c_pos_t[:-1]
                starts = torch.nonzero(first).flatten()  # first pair of each center
                bounds = torch.cat([starts, torch.tensor([c_pos_t.shape[0]], device=dev)])
            n_items = centers.shape[0] if self.sg else starts.shape[0]
            total = torch.zeros((), dtype=torch.float64, device=dev)
            for s in range(0, n_items, bs):
                e = min(s + bs, n_items)
                lr = self.alpha - (self.alpha - self.min_alpha) * (epoch + s / n_items) / self.epochs
                n_b = e - s
                u = torch.rand(n_b * K, generator=gen, device=dev, dtype=torch.float64)
                neg = torch.searchsorted(noise_cum, u * noise_cum[-1]).clamp_(max=V - 1).view(n_b, K)
                if self.sg:
                    src, target = centers[s:e], contexts[s:e]
                    v_in = W_in[src]  # (n_b, d)
                else:
                    lo, hi = int(bounds[s]), int(bounds[e])
                    counts = bounds[s + 1:e + 1] - bounds[s:e]  # contexts per window, (n_b,)
                    seg = torch.repeat_interleave(torch.arange(n_b, device=dev), counts)
                    src = contexts[lo:hi]
                    target = centers[bounds[s:e]]
                    v_in = torch.zeros(n_b, d, device=dev).index_add_(0, seg, W_in[src])
                    v_in /= counts[:, None].to(v_in.dtype)
                mask = (neg != target[:, None]).to(v_in.dtype)
                loss, d_in, d_pos, d_neg = sgns_loss_and_grads(v_in, W_out[target], W_out[neg], mask)
                total += loss
                W_out.index_add_(0, torch.cat([target, neg.flatten()]),
                                 torch.cat([d_pos, d_neg.reshape(-1, d)]), alpha=-lr)
                if self.sg:
                    W_in.index_add_(0, src, d_in, alpha=-lr)
                else:
                    W_in.index_add_(0, src, d_in[seg], alpha=-lr)
            self.loss_history.append(float(total) / max(n_items, 1))
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)
        self.train_seconds = time.perf_counter() - start
        self.words_per_second = self.vocab.n_raw_tokens * self.epochs / self.train_seconds
        self.wv = KeyedVectors(self.vocab.index_to_key, W_in.cpu().numpy())
        self.syn1neg = W_out
