r"""Word2Vec in NumPy: skip-gram and CBOW with negative sampling, trained in minibatches.

The pieces, each a pure function a test can hold to its formula:

* :func:`sgns_value_and_grad` -- the negative-sampling loss of a batch and its gradients;
* :func:`full_softmax_value_and_grad` -- the full-softmax loss it replaces (cost
  :math:`\propto V`);
* :func:`scatter_add` -- add rows into a matrix where indices repeat (a sparse update).

:class:`Word2Vec` wraps them with gensim's constructor and training schedule: subsampling of
frequent words (:func:`dlbook.nlp.vocab.keep_probabilities`), windows shrunk at random,
negatives drawn from :math:`P_n \propto c^{3/4}`, input vectors initialised uniformly in
:math:`[-1/d, 1/d)`, output vectors at zero, and a learning rate that falls linearly from
``alpha`` to ``min_alpha`` over all epochs.  Unlike gensim (one pair at a time), it updates a
minibatch of ``batch_size`` examples at once (the examples and their batches come from
:mod:`dlbook.nlp.word2vec_batches`): gradients of one batch are computed from the same
parameters and summed where a word repeats.

See Also
--------
:ref:`ch-word2vec` : the chapter (objectives, gradients, sampling distributions).
dlbook.nlp.word2vec_torch : the same trainer in PyTorch (any device).
"""

from __future__ import annotations

import time

import numpy as np

from dlbook._checks import check_shape, int_value, one_of, positive_int, positive_real, real_array
from dlbook.nlp.keyed_vectors import KeyedVectors
from dlbook.nlp.vocab import build_vocab, encode_corpus, keep_probabilities, noise_distribution
from dlbook.nlp.word2vec_batches import cbow_batches, skipgram_batches, window_pairs

__all__ = ["sgns_value_and_grad", "full_softmax_value_and_grad", "scatter_add", "Word2Vec"]


def _log_sigmoid(x):
    return -np.logaddexp(0.0, -x)  # stable log(1 / (1 + e^-x))


def _sigmoid(x):
    return np.exp(_log_sigmoid(x))


def sgns_value_and_grad(v_in, u_pos, u_neg, neg_mask=None):
    r"""Skip-gram negative-sampling loss of a batch and its gradients.

    Parameters
    ----------
    v_in : ndarray of shape (B, d)
        Input vectors (the center word for skip-gram, the context mean for CBOW).
    u_pos : ndarray of shape (B, d)
        Output vectors of the true words.
    u_neg : ndarray of shape (B, K, d)
        Output vectors of the ``K`` negative samples of each example.
    neg_mask : ndarray of shape (B, K), optional
        1 for negatives that count, 0 for ones to ignore (word2vec skips a negative that equals
        the true word).  Default: all count.

    Returns
    -------
    loss : float
        Summed over the batch.
    grads : tuple of ndarray
        ``(d_in, d_pos, d_neg)`` of shapes (B, d), (B, d) and (B, K, d): the gradients with
        respect to ``v_in``, ``u_pos`` and ``u_neg``.

    Notes
    -----
    With :math:`s_0 = u_{o}^\top v` and :math:`s_k = u_{k}^\top v`, each example contributes

    .. math:: \ell = -\log\sigma(s_0) - \sum_{k=1}^{K} m_k \log\sigma(-s_k),

    and, since :math:`\frac{d}{ds}[-\log\sigma(s)] = \sigma(s) - 1`,

    .. math::
        \frac{\partial\ell}{\partial v} = (\sigma(s_0) - 1)\,u_o + \sum_k m_k\,\sigma(s_k)\,u_k,
        \quad
        \frac{\partial\ell}{\partial u_o} = (\sigma(s_0) - 1)\,v,\quad
        \frac{\partial\ell}{\partial u_k} = m_k\,\sigma(s_k)\,v.

    Examples
    --------
    All vectors zero: every score is 0 and each term costs :math:`\log 2`.

    >>> z = np.zeros((1, 2))
    >>> loss, grads = sgns_value_and_grad(z, z, np.zeros((1, 3, 2)))
    >>> round(loss / float(np.log(2)), 6)    # 1 positive + 3 negatives
    4.0
    """
    v_in = real_array(v_in, "v_in", ndim=2)
    B, d = v_in.shape
    check_shape(real_array(u_pos, "u_pos"), "u_pos", (B, d), "(B, d)")
    u_neg = real_array(u_neg, "u_neg", ndim=3)
    check_shape(u_neg, "u_neg", (B, None, d), "(B, K, d)")
    K = u_neg.shape[1]
    mask = np.ones((B, K), dtype=v_in.dtype) if neg_mask is None \
        else real_array(neg_mask, "neg_mask").astype(v_in.dtype)
    check_shape(mask, "neg_mask", (B, K), "(B, K)")
    s_pos = np.einsum("bd,bd->b", u_pos, v_in)                 # (B,)
    s_neg = np.einsum("bkd,bd->bk", u_neg, v_in)               # (B, K)
    loss = -_log_sigmoid(s_pos).sum() - (mask * _log_sigmoid(-s_neg)).sum()
    g_pos = _sigmoid(s_pos) - 1.0                              # (B,)   d loss / d s_pos
    g_neg = mask * _sigmoid(s_neg)                             # (B, K) d loss / d s_neg
    d_in = g_pos[:, None] * u_pos + np.einsum("bk,bkd->bd", g_neg, u_neg)
    d_pos = g_pos[:, None] * v_in
    d_neg = g_neg[:, :, None] * v_in[:, None, :]
    return float(loss), (d_in, d_pos, d_neg)


def full_softmax_value_and_grad(v_in, W_out, target):
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
    grads : tuple of ndarray
        ``(d_in, d_W_out)`` of shapes (B, d) and (V, d).  ``d_W_out`` is dense: every one of the
        V rows gets a gradient, which is why each step costs :math:`O(Vd)`.

    Examples
    --------
    With zero vectors the softmax is uniform, so the loss is :math:`\log V` per example:

    >>> loss, _ = full_softmax_value_and_grad(np.zeros((2, 3)), np.zeros((10, 3)), [1, 4])
    >>> round(loss / (2 * float(np.log(10))), 6)
    1.0
    """
    v_in = real_array(v_in, "v_in", ndim=2)
    B, d = v_in.shape
    W_out = real_array(W_out, "W_out", ndim=2)
    check_shape(W_out, "W_out", (None, d), "(V, d)")
    V = W_out.shape[0]
    target = np.asarray(target)
    check_shape(target, "target", (B,), "(B,)")
    if target.min() < 0 or target.max() >= V:
        raise ValueError(f"target indices must be in [0, {V}), got range "
                         f"[{target.min()}, {target.max()}]")
    logits = v_in @ W_out.T                                    # (B, V)
    m = logits.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))     # (B,)
    loss = float((lse - logits[np.arange(B), target]).sum())
    g = np.exp(logits - lse[:, None])                          # softmax, (B, V)
    g[np.arange(B), target] -= 1.0
    return loss, (g @ W_out, g.T @ v_in)


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
        Mean loss per example of each epoch.

    Raises
    ------
    ValueError
        For an empty vocabulary or an invalid setting.
    TypeError
        For a setting of the wrong type.

    Notes
    -----
    One epoch, step by step (the methods of the same names):

    1. :meth:`_epoch_examples` subsamples frequent words (a new draw each epoch), draws each
       center's window and lists the (center, context) pairs;
    2. :func:`dlbook.nlp.word2vec_batches.skipgram_batches` or
       :func:`~dlbook.nlp.word2vec_batches.cbow_batches` cut them into batches;
    3. :meth:`_sgd_step` takes one step of SGD on each batch: input vectors, negatives,
       :func:`sgns_value_and_grad`, and sparse updates of the rows the batch touched.

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
        sentences = list(sentences)
        self.vocab = build_vocab(sentences, min_count=min_count)
        ids, sent = encode_corpus(sentences, self.vocab.key_to_index)
        self._train(ids, sent)

    def _train(self, ids, sent):
        rng = np.random.default_rng(self.seed)
        V, d = len(self.vocab), self.vector_size
        self.effective_batch_size = min(self.batch_size, max(1, V // 4))
        W_in = ((rng.random((V, d), dtype=np.float32) * 2 - 1) / d).astype(np.float32)
        W_out = np.zeros((V, d), dtype=np.float32)
        keep = keep_probabilities(self.vocab.counts, self.sample)
        noise_cum = np.cumsum(noise_distribution(self.vocab.counts))
        make_batches = skipgram_batches if self.sg else cbow_batches
        self.loss_history = []
        start = time.perf_counter()
        for epoch in range(self.epochs):
            tokens, centers, contexts = self._epoch_examples(ids, sent, keep, rng)
            total_loss, n_examples = 0.0, 0
            for batch in make_batches(tokens, centers, contexts, self.effective_batch_size):
                progress = (epoch + batch.progress) / self.epochs
                lr = np.float32(self.alpha - (self.alpha - self.min_alpha) * progress)
                total_loss += self._sgd_step(W_in, W_out, batch, lr, noise_cum, rng)
                n_examples += batch.targets.shape[0]
            self.loss_history.append(total_loss / max(n_examples, 1))
        self.train_seconds = time.perf_counter() - start
        self.words_per_second = self.vocab.n_raw_tokens * self.epochs / self.train_seconds
        self.wv = KeyedVectors(self.vocab.index_to_key, W_in)
        self.syn1neg = W_out

    def _epoch_examples(self, ids, sent, keep, rng):
        """Subsample the corpus and list its (center, context) position pairs for one epoch."""
        kept = rng.random(ids.shape[0]) < keep[ids]            # a new draw each epoch
        tokens, token_sentence = ids[kept], sent[kept]
        spans = self.window - rng.integers(0, self.window, size=tokens.shape[0])
        centers, contexts = window_pairs(token_sentence, spans)
        return tokens, centers, contexts

    def _sgd_step(self, W_in, W_out, batch, lr, noise_cum, rng):
        """One minibatch update of ``W_in`` and ``W_out`` in place; returns the batch's loss."""
        B, d = batch.targets.shape[0], self.vector_size
        if batch.inputs.shape[0] == B:                  # one input per example (skip-gram)
            v_in = W_in[batch.inputs]                                         # (B, d)
        else:                                           # the mean of each window (CBOW)
            starts = np.flatnonzero(np.r_[True, batch.example[1:] != batch.example[:-1]])
            sizes = np.diff(np.r_[starts, batch.example.shape[0]]).astype(np.float32)
            v_in = np.add.reduceat(W_in[batch.inputs], starts, axis=0) / sizes[:, None]
        neg = np.searchsorted(noise_cum, rng.random((B, self.negative)) * noise_cum[-1])
        neg = np.minimum(neg, W_out.shape[0] - 1)       # (B, K); guard against rounding at 1
        mask = (neg != batch.targets[:, None]).astype(np.float32)
        loss, (d_in, d_pos, d_neg) = sgns_value_and_grad(v_in, W_out[batch.targets],
                                                         W_out[neg], mask)
        scatter_add(W_out, np.concatenate([batch.targets, neg.ravel()]),
                    -lr * np.concatenate([d_pos, d_neg.reshape(-1, d)]))
        scatter_add(W_in, batch.inputs, -lr * d_in[batch.example])
        return loss
