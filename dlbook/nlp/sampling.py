r"""Choosing the next token of a language model: temperature, top-k and top-p (nucleus) sampling.

A model gives logits :math:`z` over a vocabulary for the next token. Greedy decoding takes the
argmax; sampling draws from a distribution made from the logits in three optional steps, in this
order (the order of Hugging Face's ``generate``):

1. **temperature** :math:`T > 0`: :math:`z \leftarrow z / T`. Below 1 it sharpens the
   distribution towards the argmax, above 1 it flattens it towards uniform.
2. **top-k**: keep the :math:`k` largest logits (and any tied with the :math:`k`-th), set the
   others to :math:`-\infty`.
3. **top-p** (nucleus): keep the most probable tokens whose probabilities add up to :math:`p`:
   token :math:`i` is kept when the tokens strictly more probable than it hold less than
   :math:`p` of the probability. The most probable token is always kept.

The kept logits are turned into probabilities with a softmax, and one token is drawn.

See Also
--------
dlbook.nlp.sampling_torch : the same functions on torch tensors.
:ref:`ch-beam-search` : the chapter that compares greedy, beam search and sampling.
"""

from __future__ import annotations

import numpy as np

from dlbook import _checks

__all__ = ["apply_temperature", "top_k_filter", "top_p_filter", "sampling_distribution",
           "sample_next"]


def apply_temperature(logits, temperature: float):
    r"""Divide logits by the temperature :math:`T > 0`.

    Parameters
    ----------
    logits : array_like of shape (..., V)
    temperature : float, > 0

    Returns
    -------
    ndarray of shape (..., V)

    Examples
    --------
    >>> apply_temperature([2.0, 0.0], 0.5)
    array([4., 0.])
    """
    z = _checks.real_array(logits, "logits", min_ndim=1)
    t = _checks.positive_real(temperature, "temperature")
    return z / t


def top_k_filter(logits, k: int):
    r"""Keep the ``k`` largest logits (ties with the k-th kept too); the rest become -inf.

    Parameters
    ----------
    logits : array_like of shape (..., V)
    k : int, >= 1
        A ``k`` of V or more keeps everything.

    Returns
    -------
    ndarray of shape (..., V)

    Examples
    --------
    >>> top_k_filter([1.0, 3.0, 2.0, 3.0], 2)
    array([-inf,   3., -inf,   3.])
    """
    z = _checks.real_array(logits, "logits", min_ndim=1)
    k = _checks.positive_int(k, "k")
    if k >= z.shape[-1]:
        return z.copy()
    kth = np.partition(z, -k, axis=-1)[..., -k, None]  # (..., 1) the k-th largest value
    return np.where(z >= kth, z, -np.inf)


def top_p_filter(logits, p: float):
    r"""Keep the smallest set of most probable tokens that holds probability ``p``.

    Token :math:`i` is kept when :math:`\sum_{j:\,\pi_j > \pi_i} \pi_j < p`, where
    :math:`\pi = \mathrm{softmax}(z)`: the tokens more probable than it do not yet reach ``p``.
    The most probable token is always kept; ``p = 1`` keeps every token of non-zero probability.

    Parameters
    ----------
    logits : array_like of shape (..., V)
    p : float in (0, 1]

    Returns
    -------
    ndarray of shape (..., V)
        The kept logits unchanged, the others -inf.

    Examples
    --------
    Probabilities 0.5, 0.3, 0.2: with p = 0.7 the first two are kept (0.5 < 0.7, then
    0.5 + 0.3 >= 0.7 stops before the third).

    >>> z = np.log([0.5, 0.3, 0.2])
    >>> np.isfinite(top_p_filter(z, 0.7))
    array([ True,  True, False])
    """
    z = _checks.real_array(logits, "logits", min_ndim=1)
    p = _checks.probability(p, "p", low_open=True)
    probs = _softmax(z)
    order = np.argsort(-probs, axis=-1, kind="stable")             # (..., V) most probable first
    sorted_probs = np.take_along_axis(probs, order, axis=-1)
    before = np.cumsum(sorted_probs, axis=-1) - sorted_probs          # mass strictly ahead
    keep_sorted = before < p
    keep = np.empty_like(keep_sorted)
    np.put_along_axis(keep, order, keep_sorted, axis=-1)
    # A token tied with a kept one is as probable: keep it too (the rule above, with ties).
    threshold = np.min(np.where(keep, probs, np.inf), axis=-1, keepdims=True)
    keep |= probs >= threshold
    return np.where(keep, z, -np.inf)


def _softmax(z):
    m = np.max(z, axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    e = np.exp(z - m)
    return e / e.sum(axis=-1, keepdims=True)


def sampling_distribution(logits, temperature: float = 1.0, top_k: int | None = None,
                          top_p: float | None = None):
    r"""The probabilities a sampler draws from: temperature, then top-k, then top-p, softmax.

    Parameters
    ----------
    logits : array_like of shape (..., V)
    temperature : float, > 0
    top_k : int, optional
    top_p : float in (0, 1], optional

    Returns
    -------
    ndarray of shape (..., V)
        Non-negative, summing to 1 along the last axis; zero outside the kept tokens.

    Examples
    --------
    >>> sampling_distribution(np.log([0.5, 0.3, 0.2]), top_k=2).round(3)
    array([0.625, 0.375, 0.   ])
    """
    z = apply_temperature(logits, temperature)
    if top_k is not None:
        z = top_k_filter(z, top_k)
    if top_p is not None:
        z = top_p_filter(z, top_p)
    return _softmax(z)


def sample_next(logits, temperature: float = 1.0, top_k: int | None = None,
                top_p: float | None = None, rng=None):
    r"""Draw the next token from ``sampling_distribution(logits, ...)``.

    Parameters
    ----------
    logits : array_like of shape (V,) or (N, V)
    temperature, top_k, top_p
        As in :func:`sampling_distribution`.
    rng : numpy.random.Generator or int, optional
        The random generator (or a seed); a fresh unseeded one when omitted.

    Returns
    -------
    int, or ndarray of shape (N,) of int
        One token index per row.

    Raises
    ------
    ValueError
        If ``logits`` has more than two dimensions.

    Examples
    --------
    With top-k 1 sampling is greedy:

    >>> sample_next([0.1, 2.0, 0.3], top_k=1, rng=0)
    1
    """
    probs = sampling_distribution(logits, temperature, top_k, top_p)
    if probs.ndim > 2:
        raise ValueError(f"logits must have shape (V,) or (N, V), got {probs.shape}")
    rng = np.random.default_rng(rng)
    rows = np.atleast_2d(probs)                                        # (N, V)
    cdf = np.cumsum(rows, axis=-1)
    u = rng.random((rows.shape[0], 1)) * cdf[:, -1:]                   # (N, 1)
    tokens = np.minimum((cdf <= u).sum(axis=-1), rows.shape[-1] - 1)   # first index with cdf > u
    return int(tokens[0]) if probs.ndim == 1 else tokens
