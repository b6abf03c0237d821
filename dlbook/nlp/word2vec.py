r"""Word2Vec in NumPy: skip-gram and CBOW with negative sampling, trained in minibatches.

The pieces, each a pure function a test can hold to its formula:

* :func:`sgns_loss_and_grads` -- the negative-sampling loss of a batch and its gradients;
* :func:`full_softmax_loss_and_grads` -- the full-softmax loss it replaces (cost :math:`\propto V`);
* :func:`window_pairs` -- every (center, context) position pair of a corpus, with word2vec's
  randomly shrunk window;
* :func:`scatter_add` -- add rows into a matrix where indices repeat (a sparse update).

:class:`Word2Vec` wraps them with gensim's constructor and training schedule: subsampling of
frequent words (:func:`dlbook.nlp.vocab.keep_probabilities`), negatives drawn from
:math:`P_n \propto c^{3/4}`, input vectors initialised uniformly in :math:`[-1/d, 1/d)`, output
vectors at zero, and a learning rate that falls linearly from ``alpha`` to ``min_alpha`` over
all epochs.  Unlike gensim (one pair at a time), it updates a minibatch of ``batch_size`` pairs
at once: gradients of one batch are computed from the same parameters and summed where a word
repeats.

See Also
--------
:ref:`ch-word2vec` : the chapter (objectives, gradients, sampling distributions).
dlbook.nlp.word2vec_torch : the same trainer in PyTorch (any device).
"""

from __future__ import annotations

import time

import numpy as np

from dlbook.nlp.keyed_vectors import KeyedVectors
from dlbook.nlp.vocab import build_vocab, encode_corpus, keep_probabilities, noise_distribution

__all__ = ["sgns_loss_and_grads", "full_softmax_loss_and_grads", "window_pairs", "scatter_add",
           "Word2Vec"]


def _check_hparams(vector_size, window, negative, epochs, batch_size, sg, alpha, min_alpha):
    """The constructor checks shared by this Word2Vec and its PyTorch twin."""
    for name, val in (("vector_size", vector_size), ("window", window), ("negative", negative),
                      ("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or val < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {val!r}")
    if sg not in (0, 1):
        raise ValueError(f"sg must be 0 (CBOW) or 1 (skip-gram), got {sg!r}")
    if not 0 < min_alpha <= alpha:
        raise ValueError(f"need 0 < min_alpha <= alpha, got min_alpha={min_alpha}, alpha={alpha}")


def _log_sigmoid(x):
    return -np.logaddexp(0.0, -x)  # stable log(1 / (1 + e^-x))


def _sigmoid(x):
    return np.exp(_log_sigmoid(x))


def sgns_loss_and_grads(v_in, u_pos, u_neg, neg_mask=None):
    r"""Skip-gram negative-sampling loss of a batch and its gradients.

    Parameters
    ----------
    v_in : ndarray of shape (B, d)
        Input vectors (the center word for skip-gram, the context mean for CBOW).
    u_pos : ndarray of shape (B, d)
        Output vectors of the true words.
    u_neg : ndarray of shape (B, K, d)
        Output vectors of the ``K`` negative samples of each pair.
    neg_mask : ndarray of shape (B, K), optional
        1 for negatives that count, 0 for ones to ignore (word2vec skips a negative that equals
        the true word).  Default: all count.

    Returns
    -------
    loss : float
        Summed over the batch.
    d_in : ndarray of shape (B, d)
    d_pos : ndarray of shape (B, d)
    d_neg : ndarray of shape (B, K, d)

    Notes
    -----
    With :math:`s_0 = u_{o}^\top v` and :math:`s_k = u_{k}^\top v`, each pair contributes

    .. math:: \ell = -\log\sigma(s_0) - \sum_{k=1}^{K} m_k \log\sigma(-s_k),

    and, since :math:`\frac{d}{ds}[-\log\sigma(s)] = \sigma(s) - 1`,

    .. math::
        \frac{\partial\ell}{\partial v} = (\sigma(s_0) - 1)\,u_o + \sum_k m_k\,\sigma(s_k)\,u_k,\quad
        \frac{\partial\ell}{\partial u_o} = (\sigma(s_0) - 1)\,v,\quad
        \frac{\partial\ell}{\partial u_k} = m_k\,\sigma(s_k)\,v.

    Examples
    --------
    All vectors zero: every score is 0 and each term costs :math:`\log 2`.

    >>> z = np.zeros((1, 2))
    >>> loss, *_ = sgns_loss_and_grads(z, z, np.zeros((1, 3, 2)))
    >>> round(loss / float(np.log(2)), 6)    # 1 positive + 3 negatives
    4.0
    """
    B, d = v_in.shape
    if u_pos.shape != (B, d) or u_neg.ndim != 3 or u_neg.shape[0] != B or u_neg.shape[2] != d:
        raise ValueError(f"shapes do not fit: v_in {v_in.shape}, u_pos {u_pos.shape}, "
                         f"u_neg {u_neg.shape} (expected (B, d), (B, d), (B, K, d))")
    K = u_neg.shape[1]
    mask = np.ones((B, K), dtype=v_in.dtype) if neg_mask is None else np.asarray(neg_mask, v_in.dtype)
    if mask.shape != (B, K):
        raise ValueError(f"neg_mask has shape {mask.shape}, expected {(B, K)}")
    s_pos = np.einsum("bd,bd->b", u_pos, v_in)  # (B,)
    s_neg = np.einsum("bkd,bd->bk", u_neg, v_in)  # (B, K)
    loss = -_log_sigmoid(s_pos).sum() - (mask * _log_sigmoid(-s_neg)).sum()
    g_pos = _sigmoid(s_pos) - 1.0  # (B,)      d loss / d s_pos
    g_neg = mask * _sigmoid(s_neg)  # (B, K)   d loss / d s_neg
    d_in = g_pos[:, None] * u_pos + np.einsum("bk,bkd->bd", g_neg, u_neg)
    d_pos = g_pos[:, None] * v_in
    d_neg = g_neg[:, :, None] * v_in[:, None, :]
    return float(loss), d_in, d_pos, d_neg


def full_softmax_loss_and_grads(v_in, W_out, target):
    r"""Cross-entropy of a softmax over the whole vocabulary: what negative sampling avoids.

    Parameters
    ----------
    v_in : ndarray of shape (B, d)
    W_out : ndarray of shape (V, d)
        One output vector per vocabulary word.
    target : ndarray of int, shape (B,)

    Returns
    -------
    loss : float
        :math:`\sum_b -\log \mathrm{softmax}(W_{out} v_b)_{t_b}` (log-sum-exp form).
    d_in : ndarray of shape (B, d)
    d_W_out : ndarray of shape (V, d)
        Dense: every one of the V rows gets a gradient, which is why each step costs
        :math:`O(Vd)`.

    Examples
    --------
    With zero vectors the softmax is uniform, so the loss is :math:`\log V` per example:

    >>> loss, _, _ = full_softmax_loss_and_grads(np.zeros((2, 3)), np.zeros((10, 3)), np.array([1, 4]))
    >>> round(loss / (2 * float(np.log(10))), 6)
    1.0
    """
    B, d = v_in.shape
    V = W_out.shape[0]
    target = np.asarray(target)
    if W_out.shape[1] != d or target.shape != (B,):
        raise ValueError(f"shapes do not fit: v_in {v_in.shape}, W_out {W_out.shape}, target {target.shape}")
    if target.min() < 0 or target.max() >= V:
        raise ValueError(f"target indices must be in [0, {V}), got range [{target.min()}, {target.max()}]")
    logits = v_in @ W_out.T  # (B, V)
    m = logits.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))  # (B,)
    loss = float((lse - logits[np.arange(B), target]).sum())
    g = np.exp(logits - lse[:, None])  # softmax, (B, V)
    g[np.arange(B), target] -= 1.0
    return loss, g @ W_out, g.T @ v_in


def window_pairs(sentence_ids, window: int, rng):
    r"""All (center, context) position pairs inside word2vec's randomly shrunk windows.

    Parameters
    ----------
    sentence_ids : ndarray of int, shape (N,)
        Sentence of each token (non-decreasing); windows never cross a sentence boundary.
    window : int
        Maximum distance :math:`W` between center and context.
    rng : numpy.random.Generator
        Draws each center's shrink :math:`b_i \in \{0, \dots, W-1\}`.

    Returns
    -------
    centers, contexts : ndarray of int64, shape (P,)
        Positions, sorted by center (then by context); pair :math:`(i, j)` is present iff
        :math:`0 < |i - j| \le W - b_i` and both tokens share a sentence.

    Examples
    --------
    >>> c, o = window_pairs(np.array([0, 0, 0, 1]), window=1, rng=np.random.default_rng(0))
    >>> list(zip(c.tolist(), o.tolist()))
    [(0, 1), (1, 0), (1, 2), (2, 1)]
    """
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    sentence_ids = np.asarray(sentence_ids)
    N = sentence_ids.shape[0]
    span = window - rng.integers(0, window, size=N)  # effective window of each center
    centers, contexts = [], []
    for off in range(-window, window + 1):  # a loop over 2W offsets, vectorized over tokens
        if off == 0:
            continue
        i = np.arange(max(0, -off), min(N, N - off))
        j = i + off
        ok = (sentence_ids[i] == sentence_ids[j]) & (abs(off) <= span[i])
        centers.append(i[ok])
        contexts.append(j[ok])
    centers, contexts = np.concatenate(centers), np.concatenate(contexts)
    order = np.lexsort((contexts, centers))
    return centers[order], contexts[order]


def scatter_add(W, idx, rows):
    """Add ``rows[n]`` to ``W[idx[n]]`` in place, summing rows whose indices repeat.

    Same result as ``np.add.at(W, idx, rows)``, computed as a sparse-matrix product
    (several times faster for many repeated rows).

    Examples
    --------
    >>> W = np.zeros((3, 2))
    >>> scatter_add(W, np.array([2, 0, 2]), np.array([[1., 1.], [5., 5.], [2., 0.]]))
    >>> W.tolist()
    [[5.0, 5.0], [0.0, 0.0], [3.0, 1.0]]
    """
    from scipy import sparse

    uniq, inv = np.unique(idx, return_inverse=True)
    m = sparse.csr_matrix((np.ones(len(idx), dtype=rows.dtype), (inv, np.arange(len(idx)))),
                          shape=(len(uniq), len(idx)))
    W[uniq] += m @ rows


class Word2Vec:
    r"""Train word vectors with skip-gram (``sg=1``) or CBOW (``sg=0``) and negative sampling.

    Parameters
    ----------
    sentences : iterable of list of str
    vector_size, window, min_count, sg, negative, sample, alpha, epochs, seed
        gensim's meanings and defaults.
    min_alpha : float, default 1e-4
        Learning rate reached at the end of training (linear decay).
    batch_size : int, default 2048
        Pairs (skip-gram) or windows (CBOW) per update, at most ``max(1, V // 4)`` (Notes).

    Attributes
    ----------
    wv : KeyedVectors
        The input vectors, row ``i`` the word of index ``i`` (most frequent first).
    syn1neg : ndarray of shape (V, d)
        Output vectors.
    vocab : dlbook.nlp.vocab.Vocab
    train_seconds, words_per_second : float
        Wall time of training and corpus tokens (before ``min_count``) per second over all epochs.
    loss_history : list of float
        Mean loss per pair of each epoch.

    Raises
    ------
    ValueError
        For an empty vocabulary or an invalid setting.

    Notes
    -----
    CBOW averages the context vectors, :math:`h = \frac{1}{|C|}\sum_{j\in C} v_j`, and, as
    word2vec.c and gensim do, adds the full update of :math:`h` to every context vector (the
    exact gradient of the mean would divide it by :math:`|C|`).

    A minibatch computes all its gradients from the same parameters and sums them where a word
    repeats, so a word seen :math:`n` times in a batch takes a step about :math:`n` times larger
    than one sequential update.  To keep that bounded on small vocabularies the batch holds at
    most :math:`\max(1, \lfloor V/4 \rfloor)` items (with ``batch_size=2048`` this only bites below
    8,192 words).

    Examples
    --------
    >>> sents = [["a", "b", "c", "d"] * 5, ["c", "d", "a", "b"] * 5] * 5
    >>> m = Word2Vec(sents, vector_size=8, window=2, min_count=1, epochs=1)
    >>> m.wv["a"].shape, len(m.wv)
    ((8,), 4)
    """

    def __init__(self, sentences, vector_size=100, window=5, min_count=5, sg=1, negative=5,
                 sample=1e-3, alpha=0.025, epochs=5, seed=0, *, min_alpha=1e-4, batch_size=2048):
        _check_hparams(vector_size, window, negative, epochs, batch_size, sg, alpha, min_alpha)
        self.vector_size, self.window, self.sg, self.negative = vector_size, window, sg, negative
        self.sample, self.alpha, self.min_alpha, self.epochs = sample, alpha, min_alpha, epochs
        self.batch_size, self.seed = batch_size, seed
        sentences = list(sentences)
        self.vocab = build_vocab(sentences, min_count=min_count)
        ids, sent = encode_corpus(sentences, self.vocab.key_to_index)
        self._train(ids, sent)

    def _train(self, ids, sent):
        rng = np.random.default_rng(self.seed)
        V, d, K = len(self.vocab), self.vector_size, self.negative
        self.effective_batch_size = min(self.batch_size, max(1, V // 4))
        W_in = ((rng.random((V, d), dtype=np.float32) * 2 - 1) / d).astype(np.float32)
        W_out = np.zeros((V, d), dtype=np.float32)
        keep = keep_probabilities(self.vocab.counts, self.sample)
        noise_cum = np.cumsum(noise_distribution(self.vocab.counts))
        self.loss_history = []
        start = time.perf_counter()
        for epoch in range(self.epochs):
            kept = rng.random(ids.shape[0]) < keep[ids]  # subsampling, new draw each epoch
            tok, tok_sent = ids[kept], sent[kept]
            c_pos, o_pos = window_pairs(tok_sent, self.window, rng)
            n_items = c_pos.shape[0] if self.sg else np.unique(c_pos).shape[0]
            total_loss, n_done = 0.0, 0
            if self.sg:
                bs = self.effective_batch_size
                batches = ((tok[c_pos[s:s + bs]], tok[o_pos[s:s + bs]], s / max(n_items, 1))
                           for s in range(0, n_items, bs))
            else:
                batches = self._cbow_batches(tok, c_pos, o_pos)
            for b in batches:
                progress = (epoch + b[-1]) / self.epochs
                lr = np.float32(self.alpha - (self.alpha - self.min_alpha) * progress)
                n_b = b[0].shape[0]
                neg = np.searchsorted(noise_cum, rng.random((n_b, K)) * noise_cum[-1])
                neg = np.minimum(neg, V - 1)  # (n_b, K) guard against rounding at the top
                if self.sg:
                    center, target = b[0], b[1]
                    v_in = W_in[center]  # (n_b, d)
                else:
                    target, ctx, seg_start, seg_center = b[0], b[1], b[2], b[3]
                    sums = np.add.reduceat(W_in[ctx], seg_start, axis=0)  # (n_b, d)
                    v_in = sums / np.diff(np.r_[seg_start, ctx.shape[0]])[:, None].astype(np.float32)
                mask = (neg != target[:, None]).astype(np.float32)
                loss, d_in, d_pos, d_neg = sgns_loss_and_grads(v_in, W_out[target], W_out[neg], mask)
                total_loss += loss
                n_done += n_b
                scatter_add(W_out, np.concatenate([target, neg.ravel()]),
                            -lr * np.concatenate([d_pos, d_neg.reshape(-1, d)]))
                if self.sg:
                    scatter_add(W_in, center, -lr * d_in)
                else:
                    scatter_add(W_in, ctx, -lr * d_in[seg_center])
            self.loss_history.append(total_loss / max(n_done, 1))
        self.train_seconds = time.perf_counter() - start
        self.words_per_second = self.vocab.n_raw_tokens * self.epochs / self.train_seconds
        self.wv = KeyedVectors(self.vocab.index_to_key, W_in)
        self.syn1neg = W_out

    def _cbow_batches(self, tok, c_pos, o_pos):
        """Yield (targets, contexts, segment starts, segment of each context, progress) per batch."""
        starts = np.flatnonzero(np.r_[True, c_pos[1:] != c_pos[:-1]])  # first pair of each center
        n_centers = starts.shape[0]
        bounds = np.r_[starts, c_pos.shape[0]]
        for s in range(0, n_centers, self.effective_batch_size):
            e = min(s + self.effective_batch_size, n_centers)
            lo, hi = bounds[s], bounds[e]
            seg_start = starts[s:e] - lo  # (n_b,)
            seg_center = np.repeat(np.arange(e - s), np.diff(bounds[s:e + 1]))  # (hi - lo,)
            yield tok[c_pos[starts[s:e]]], tok[o_pos[lo:hi]], seg_start, seg_center, s / n_centers
