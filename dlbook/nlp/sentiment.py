r"""Sentiment classification from averaged word vectors, next to a bag-of-words baseline.

The labelled data are the 200 sentences of Pang and Lee's movie-review polarity data that
gensim ships in its test data (``pang_lee_polarity.cor``: 100 ``__label__pos``, 100
``__label__neg``).  A sentence becomes the mean of its words' vectors (or a vector of word
counts); a logistic regression written here in NumPy classifies it; stratified k-fold
cross-validation gives a mean and a spread, because 200 sentences are too few for one split.

Framework-free code: there is no ``_torch`` twin.

See Also
--------
:ref:`ch-using-embeddings` : the chapter.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from dlbook._checks import (
    check_shape,
    finite_array,
    int_value,
    positive_int,
    positive_real,
    real_value,
    token_list,
)
from dlbook.nlp.text import bag_of_words

__all__ = ["load_polarity", "average_embeddings", "bag_of_words_features", "fit_logistic",
           "predict_proba", "cross_validate"]


def load_polarity(path=None) -> tuple[list[list[str]], np.ndarray]:
    """The 200 labelled movie-review sentences shipped with gensim.

    Parameters
    ----------
    path : path-like, optional
        A file of lines ``__label__pos|__label__neg token token ...``; default gensim's
        ``pang_lee_polarity.cor``.

    Returns
    -------
    sentences : list of list of str
        Lower-cased tokens (the file is already tokenized).
    labels : ndarray of shape (N,), int64
        1 for positive, 0 for negative.

    Examples
    --------
    >>> sents, y = load_polarity()
    >>> len(sents), int(y.sum()), sents[0][:3]
    (200, 100, ['simplistic', ',', 'silly'])
    """
    if path is None:
        from dlbook.data.corpora import gensim_test_file

        path = gensim_test_file("pang_lee_polarity.cor")
    sents, labels = [], []
    # the file is Windows-1252 (0x97 is an em dash, 0xe9 an e with acute), not UTF-8
    with open(path, encoding="cp1252", errors="replace") as fh:
        for k, line in enumerate(fh):
            parts = line.split()
            if not parts:
                continue
            if parts[0] not in ("__label__pos", "__label__neg"):
                raise ValueError(f"{path}: line {k + 1} does not start with a __label__ tag")
            labels.append(int(parts[0] == "__label__pos"))
            sents.append([t.lower() for t in parts[1:]])
    return sents, np.array(labels, dtype=np.int64)


def average_embeddings(sentences, wv) -> tuple[np.ndarray, np.ndarray]:
    r"""Mean of the vectors of a sentence's in-vocabulary words.

    Parameters
    ----------
    sentences : list of list of str
    wv : KeyedVectors
        Anything with ``key_to_index`` and ``vectors`` (V, d).

    Returns
    -------
    features : ndarray of shape (N, d)
        :math:`\frac{1}{|S|}\sum_{w \in S} e_w` over the known words :math:`S` of each
        sentence; a zero row when none is known.
    coverage : ndarray of shape (N,)
        Fraction of each sentence's tokens that were known.

    Examples
    --------
    >>> from dlbook.nlp.keyed_vectors import KeyedVectors
    >>> wv = KeyedVectors(["good", "bad"], [[1.0, 0.0], [0.0, 1.0]])
    >>> X, cov = average_embeddings([["good", "good", "bad", "zzz"]], wv)
    >>> X.round(3).tolist(), cov.tolist()
    ([[0.667, 0.333]], [0.75])
    """
    k2i = wv.key_to_index
    V, d = np.asarray(wv.vectors).shape
    rows, cols, n_tok = [], [], []
    for r, s in enumerate(sentences):
        s = token_list(s, f"sentences[{r}]")
        known = [k2i[t] for t in s if t in k2i]
        rows += [r] * len(known)
        cols += known
        n_tok.append(len(s))
    counts = np.zeros((len(sentences), V))
    np.add.at(counts, (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)), 1.0)
    n_known = counts.sum(axis=1)  # (N,)
    X = counts @ np.asarray(wv.vectors) / np.maximum(n_known, 1.0)[:, None]  # (N, d)
    coverage = n_known / np.maximum(np.array(n_tok, dtype=np.float64), 1.0)
    return X, coverage


def bag_of_words_features(train, test, min_count: int = 1):
    """Word-count vectors of training and test sentences, with the training vocabulary only.

    Fitting the vocabulary on the training fold alone keeps test words out of the features
    (the counting itself is :func:`dlbook.nlp.text.bag_of_words`).

    Parameters
    ----------
    train, test : list of list of str
    min_count : int, default 1
        Training words seen fewer times are dropped.

    Returns
    -------
    X_train : ndarray of shape (N_train, V)
    X_test : ndarray of shape (N_test, V)
    vocab : list of str
        The V words of the columns, sorted.

    Examples
    --------
    >>> Xtr, Xte, vocab = bag_of_words_features([["a", "b", "a"]], [["a", "c"]])
    >>> vocab, Xtr.tolist(), Xte.tolist()
    (['a', 'b'], [[2.0, 1.0]], [[1.0, 0.0]])
    """
    min_count = positive_int(min_count, "min_count")
    train = [token_list(s, f"train[{i}]") for i, s in enumerate(train)]
    test = [token_list(s, f"test[{i}]") for i, s in enumerate(test)]
    freq = Counter(t for s in train for t in s)
    vocab = sorted(w for w, c in freq.items() if c >= min_count)
    index = {w: k for k, w in enumerate(vocab)}

    def counts(sents):
        ids = [[index[t] for t in sent if t in index] for sent in sents]
        return bag_of_words(ids, len(vocab)).astype(np.float64)

    return counts(train), counts(test), vocab


def _sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))


def fit_logistic(X, y, l2: float = 1e-2, lr: float = 0.5, steps: int = 500):
    r"""L2-regularized logistic regression by full-batch gradient descent on standardized features.

    Parameters
    ----------
    X : ndarray of shape (N, d)
    y : ndarray of shape (N,), values in {0, 1}
    l2 : float, default 0.01
        :math:`\lambda` in the loss below.
    lr, steps : float, int
        Step size and number of gradient steps.

    Returns
    -------
    model : dict
        ``mean``, ``scale`` (standardization), ``w`` (d,), ``b`` (float).

    Notes
    -----
    On standardized :math:`\tilde x`, it minimizes
    :math:`\frac1N \sum_n \left[\log(1 + e^{z_n}) - y_n z_n\right] + \frac{\lambda}{2}\lVert w
    \rVert^2` with :math:`z_n = w^\top \tilde x_n + b`; the gradient is
    :math:`\frac1N \tilde X^\top (\sigma(z) - y) + \lambda w`.

    Examples
    --------
    The data are symmetric about 1.5, so the two end points get probabilities summing to 1:

    >>> m = fit_logistic(np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 1, 1]))
    >>> p = predict_proba(m, np.array([[0.0], [3.0]]))
    >>> bool(p[0] < 0.5 < p[1]), round(float(p.sum()), 9)
    (True, 1.0)
    """
    X = finite_array(X, "X", ndim=2).astype(np.float64, copy=False)
    y = finite_array(y, "y").astype(np.float64, copy=False)
    check_shape(y, "y", (X.shape[0],), "(N,)")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError(f"labels must be 0 or 1, got {np.unique(y)[:5]}")
    l2, lr = real_value(l2, "l2", low=0.0), positive_real(lr, "lr")
    steps = positive_int(steps, "steps")
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    Xs = (X - mean) / scale  # (N, d)
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(steps):
        r = _sigmoid(Xs @ w + b) - y  # (N,)
        w -= lr * (Xs.T @ r / len(y) + l2 * w)
        b -= lr * r.mean()
    return {"mean": mean, "scale": scale, "w": w, "b": b}


def predict_proba(model, X) -> np.ndarray:
    r"""Probability of the positive class, shape (N,).

    Parameters
    ----------
    model : dict
        As :func:`fit_logistic` returns it.
    X : ndarray of shape (N, d)
        Raw (unstandardized) features.

    Returns
    -------
    ndarray of shape (N,)
        :math:`\sigma(w^\top (x - \mu) / s + b)`.

    Examples
    --------
    With :math:`\mu = 1`, :math:`s = 2`, :math:`w = 1`, :math:`b = 0`, the points
    :math:`1` and :math:`1 \pm 2 \log 3` give :math:`z = 0, \pm\log 3`, and
    :math:`\sigma(\log 3) = 3/4`:

    >>> m = {"mean": np.array([1.0]), "scale": np.array([2.0]), "w": np.array([1.0]), "b": 0.0}
    >>> X = np.array([[1.0], [1.0 + 2 * np.log(3)], [1.0 - 2 * np.log(3)]])
    >>> predict_proba(m, X).round(12).tolist()
    [0.5, 0.75, 0.25]
    """
    X = np.asarray(X, dtype=np.float64)
    return _sigmoid((X - model["mean"]) / model["scale"] @ model["w"] + model["b"])


def cross_validate(features, y, k: int = 5, seed: int = 0, **fit_kw) -> np.ndarray:
    r"""Accuracy of :func:`fit_logistic` on each of ``k`` stratified folds.

    Parameters
    ----------
    features : ndarray of shape (N, d), or callable
        Fixed features, or ``features(train_idx, test_idx) -> (X_train, X_test)`` for features
        that must be fitted on the training fold only (bag of words).
    y : ndarray of shape (N,)
    k : int, default 5
    seed : int, default 0

    Returns
    -------
    accuracies : ndarray of shape (k,)

    Examples
    --------
    >>> X = np.r_[np.zeros((10, 1)), np.ones((10, 1))]
    >>> cross_validate(X, np.r_[np.zeros(10), np.ones(10)], k=5).tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0]
    """
    y = np.asarray(y)
    k, seed = int_value(k, "k", low=2), int_value(seed, "seed", low=0)
    rng = np.random.default_rng(seed)
    fold = np.empty(len(y), dtype=np.int64)
    for c in np.unique(y):  # stratified: deal each class's shuffled indices round-robin
        idx = rng.permutation(np.flatnonzero(y == c))
        fold[idx] = np.arange(idx.size) % k
    acc = []
    for f in range(k):
        tr, te = np.flatnonzero(fold != f), np.flatnonzero(fold == f)
        if callable(features):
            Xtr, Xte = features(tr, te)
        else:
            Xtr, Xte = features[tr], features[te]
        model = fit_logistic(Xtr, y[tr], **fit_kw)
        acc.append(np.mean((predict_proba(model, Xte) > 0.5) == y[te]))
    return np.array(acc)
