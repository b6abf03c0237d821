r"""Attention for encoder–decoder networks: additive (Bahdanau) and multiplicative (Luong).

A decoder state (the *query* :math:`q`) looks at every encoder state (the *keys*
:math:`h_1, \dots, h_S`), gives each a score :math:`e_i`, turns the scores into weights with a
softmax over the source positions and reads the weighted average of the encoder states, the
*context vector*:

.. math::

    \alpha_i = \frac{\exp e_i}{\sum_{j} \exp e_j}, \qquad c = \sum_{i=1}^{S} \alpha_i h_i .

The two classic scores are

- **additive** (Bahdanau et al., 2015): :math:`e_i = v^\top \tanh(W_q q + W_k h_i)`, a small
  one-hidden-layer network;
- **multiplicative** (Luong et al., 2015): :math:`e_i = q^\top W h_i` ("general"), or
  :math:`e_i = q^\top h_i` ("dot") without a weight.

Padding positions of a batch are excluded by a boolean ``mask`` (``True`` = a real token): their
weight is exactly 0.  A query may be one vector per sequence, shape (N, Hq), or one per decoder
step, shape (N, T, Hq) (all steps of a teacher-forced decoder at once).

See Also
--------
dlbook.nlp.attention_torch : the PyTorch twin.
:ref:`ch-attention` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook import _checks

__all__ = ["masked_softmax", "additive_attention", "additive_attention_forward",
           "additive_attention_backward", "multiplicative_attention",
           "multiplicative_attention_forward", "multiplicative_attention_backward"]


def _mask_array(mask, shape):
    """``mask`` as a bool array of ``shape`` (None -> all True), every row with a True."""
    if mask is None:
        return np.ones(shape, dtype=bool)
    m = np.asarray(mask)
    if m.dtype != bool:
        raise TypeError(f"mask must be a boolean array, got dtype {m.dtype}")
    _checks.check_shape(m, "mask", shape)
    if not m.any(axis=-1).all():
        raise ValueError("every row of mask needs at least one True (a position to attend to)")
    return m


def masked_softmax(scores, mask=None):
    r"""Softmax over the last axis, with masked-out positions given probability exactly 0.

    Parameters
    ----------
    scores : array_like of shape (..., S)
    mask : array_like of bool, shape (..., S), optional
        ``True`` where a position may be attended to; every row needs at least one.

    Returns
    -------
    ndarray of shape (..., S)
        :math:`\alpha_i = [m_i] \exp(e_i - M) / \sum_j [m_j] \exp(e_j - M)` with :math:`M` the
        largest unmasked score (subtracted for stability).

    Raises
    ------
    ValueError
        If ``mask`` has another shape, or a row of ``mask`` is all False.
    TypeError
        If ``mask`` is not boolean.

    Examples
    --------
    >>> masked_softmax([[0.0, 0.0, 5.0]], [[True, True, False]])
    array([[0.5, 0.5, 0. ]])
    """
    e = _checks.finite_array(scores, "scores", min_ndim=1)
    m = _mask_array(mask, e.shape)
    top = np.max(np.where(m, e, -np.inf), axis=-1, keepdims=True)
    z = np.where(m, np.exp(np.where(m, e, top) - top), 0.0)
    return z / z.sum(axis=-1, keepdims=True)


def _softmax_backward(dweights, weights):
    """Gradient of the scores from that of the softmax weights (masked entries stay 0)."""
    return weights * (dweights - np.sum(weights * dweights, axis=-1, keepdims=True))


def additive_attention_forward(query, keys, weight_query, weight_key, v, mask=None):
    r"""Additive (Bahdanau) attention, with a cache for :func:`additive_attention_backward`.

    Parameters
    ----------
    query : array_like of shape (N, Hq) or (N, T, Hq)
        Decoder state(s).
    keys : array_like of shape (N, S, Hk)
        Encoder states; they are also the values that are averaged.
    weight_query : array_like of shape (A, Hq)
    weight_key : array_like of shape (A, Hk)
    v : array_like of shape (A,)
    mask : array_like of bool, shape (N, S), optional
        ``True`` for real source positions, ``False`` for padding.

    Returns
    -------
    context : ndarray of shape (N, Hk) or (N, T, Hk)
    weights : ndarray of shape (N, S) or (N, T, S)
        The attention weights :math:`\alpha`, each row summing to 1.
    cache : tuple
        What the backward pass needs.

    Raises
    ------
    ValueError
        On shapes that do not fit together (the message shows them) or an all-False mask row.

    Notes
    -----
    .. math::

        e_{ti} = v^\top \tanh(W_q q_t + W_k h_i), \quad
        \alpha_{ti} = \operatorname{softmax}_i(e_{ti}), \quad
        c_t = \sum_i \alpha_{ti} h_i .

    :math:`W_k h_i` does not depend on the decoder step, so it is computed once per source
    position (Bahdanau's trick for speed).

    References
    ----------
    D. Bahdanau, K. Cho, Y. Bengio, "Neural machine translation by jointly learning to align and
    translate", ICLR 2015.

    See Also
    --------
    dlbook.nlp.attention_torch.additive_attention : the PyTorch twin.
    :ref:`ch-attention` : the chapter.

    Examples
    --------
    With :math:`v = 0` every score is 0 and the context is the plain average of the keys:

    >>> keys = np.array([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]])       # N=1, S=3, Hk=2
    >>> ctx, w, _ = additive_attention_forward(np.ones((1, 2)), keys, np.ones((4, 2)),
    ...                                        np.ones((4, 2)), np.zeros(4))
    >>> w.round(4), ctx.round(4)
    (array([[0.3333, 0.3333, 0.3333]]), array([[0.6667, 0.6667]]))
    """
    q, k, squeeze = _checks.attention_query_keys(query, keys)
    N, T, Hq = q.shape
    _, S, Hk = k.shape
    wq = _checks.finite_array(weight_query, "weight_query", ndim=2)
    wk = _checks.finite_array(weight_key, "weight_key", ndim=2)
    v = _checks.finite_array(v, "v", ndim=1)
    A = v.shape[0]
    _checks.check_shape(wq, "weight_query", (A, Hq), f"for v of size {A} and query size {Hq}")
    _checks.check_shape(wk, "weight_key", (A, Hk), f"for v of size {A} and key size {Hk}")
    m = _mask_array(mask, (N, S))
    hid = np.tanh((q @ wq.T)[:, :, None, :] + (k @ wk.T)[:, None, :, :])   # (N, T, S, A)
    scores = hid @ v                                                     # (N, T, S)
    weights = masked_softmax(scores, np.broadcast_to(m[:, None, :], scores.shape))
    context = weights @ k                                                # (N, T, Hk)
    cache = (q, k, wq, wk, v, hid, weights, squeeze)
    if squeeze:
        return context[:, 0], weights[:, 0], cache
    return context, weights, cache


def additive_attention_backward(dcontext, cache, dweights=None):
    r"""Gradients of additive attention.

    Parameters
    ----------
    dcontext : ndarray, the shape of ``context``
        :math:`\partial L / \partial c`.
    cache : tuple
        From :func:`additive_attention_forward`.
    dweights : ndarray, the shape of ``weights``, optional
        :math:`\partial L / \partial \alpha` when the loss also uses the weights directly.

    Returns
    -------
    dquery, dkeys, dweight_query, dweight_key, dv : ndarray
        In the order of the forward's inputs (the mask has no gradient).

    Notes
    -----
    With :math:`g_{ti} = \partial L/\partial \alpha_{ti} = dc_t^\top h_i` (plus ``dweights``),
    the softmax gives :math:`\partial L/\partial e_{ti} = \alpha_{ti}(g_{ti} - \sum_j
    \alpha_{tj} g_{tj})`; then through :math:`e = v^\top \tanh(\cdot)`:
    :math:`\delta_{ti} = (\partial L/\partial e_{ti})\, v \odot (1 - \tanh^2)`,
    :math:`\partial L/\partial v = \sum_{t,i} (\partial L/\partial e_{ti}) \tanh(\cdot)`,
    :math:`\partial L/\partial q_t = W_q^\top \sum_i \delta_{ti}`, and each key gets both its
    share of the average, :math:`\sum_t \alpha_{ti}\, dc_t`, and :math:`W_k^\top \sum_t
    \delta_{ti}`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> q, keys = rng.normal(size=(2, 3)), rng.normal(size=(2, 4, 5))
    >>> ctx, w, cache = additive_attention_forward(q, keys, rng.normal(size=(6, 3)),
    ...                                            rng.normal(size=(6, 5)), rng.normal(size=6))
    >>> [g.shape for g in additive_attention_backward(np.ones_like(ctx), cache)]
    [(2, 3), (2, 4, 5), (6, 3), (6, 5), (6,)]
    """
    q, k, wq, wk, v, hid, weights, squeeze = cache
    dc = np.asarray(dcontext, dtype=np.float64)
    dc = dc[:, None, :] if squeeze else dc                               # (N, T, Hk)
    dw = dc @ k.transpose(0, 2, 1)                                       # (N, T, S)
    if dweights is not None:
        dw = dw + (np.asarray(dweights)[:, None, :] if squeeze else np.asarray(dweights))
    dkeys = weights.transpose(0, 2, 1) @ dc                              # (N, S, Hk)
    dscores = _softmax_backward(dw, weights)                             # (N, T, S)
    dv = np.einsum("ntsa,nts->a", hid, dscores)
    dpre = dscores[..., None] * v * (1.0 - hid ** 2)                     # (N, T, S, A)
    dq_proj, dk_proj = dpre.sum(axis=2), dpre.sum(axis=1)                # (N,T,A), (N,S,A)
    dweight_query = np.einsum("nta,ntq->aq", dq_proj, q)
    dweight_key = np.einsum("nsa,nsk->ak", dk_proj, k)
    dquery = dq_proj @ wq                                                # (N, T, Hq)
    dkeys = dkeys + dk_proj @ wk
    return (dquery[:, 0] if squeeze else dquery), dkeys, dweight_query, dweight_key, dv


def additive_attention(query, keys, weight_query, weight_key, v, mask=None):
    r"""Additive (Bahdanau) attention: ``(context, weights)`` of
    :func:`additive_attention_forward`, without the cache.

    Examples
    --------
    >>> keys = np.array([[[2.0], [4.0]]])
    >>> ctx, w = additive_attention(np.zeros((1, 1)), keys, np.zeros((1, 1)), np.ones((1, 1)),
    ...                             np.zeros(1), mask=np.array([[True, False]]))
    >>> ctx, w                                           # the padded key gets no weight
    (array([[2.]]), array([[1., 0.]]))
    """
    context, weights, _ = additive_attention_forward(query, keys, weight_query, weight_key, v,
                                                     mask)
    return context, weights


def multiplicative_attention_forward(query, keys, weight=None, mask=None):
    r"""Multiplicative (Luong) attention, with a cache for the backward pass.

    Parameters
    ----------
    query : array_like of shape (N, Hq) or (N, T, Hq)
    keys : array_like of shape (N, S, Hk)
    weight : array_like of shape (Hq, Hk), optional
        Luong's "general" score :math:`q^\top W h`; without it the "dot" score
        :math:`q^\top h` (then Hq must equal Hk).
    mask : array_like of bool, shape (N, S), optional

    Returns
    -------
    context : ndarray of shape (N, Hk) or (N, T, Hk)
    weights : ndarray of shape (N, S) or (N, T, S)
    cache : tuple

    Raises
    ------
    ValueError
        On shapes that do not fit together, or an all-False mask row.

    Notes
    -----
    .. math::

        e_{ti} = q_t^\top W h_i, \quad \alpha_{ti} = \operatorname{softmax}_i(e_{ti}), \quad
        c_t = \sum_i \alpha_{ti} h_i .

    One matrix product scores every (step, position) pair, which is why it is cheaper than the
    additive score (no hidden layer of size A for every pair).

    References
    ----------
    M.-T. Luong, H. Pham, C. D. Manning, "Effective approaches to attention-based neural
    machine translation", EMNLP 2015.

    See Also
    --------
    dlbook.nlp.attention_torch.multiplicative_attention : the PyTorch twin.
    :ref:`ch-attention` : the chapter.

    Examples
    --------
    The dot score picks the key most aligned with the query:

    >>> keys = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    >>> ctx, w, _ = multiplicative_attention_forward(np.array([[3.0, 0.0]]), keys)
    >>> w.round(4)                                   # softmax of the scores 3 and 0
    array([[0.9526, 0.0474]])
    """
    q, k, squeeze = _checks.attention_query_keys(query, keys)
    N, T, Hq = q.shape
    _, S, Hk = k.shape
    if weight is None:
        if Hq != Hk:
            raise ValueError(f"the dot score needs query and key sizes to agree, got {Hq} and "
                             f"{Hk}; pass a weight of shape ({Hq}, {Hk})")
        w = None
        proj = q
    else:
        w = _checks.finite_array(weight, "weight", ndim=2)
        _checks.check_shape(w, "weight", (Hq, Hk), "(query size, key size)")
        proj = q @ w                                                     # (N, T, Hk)
    m = _mask_array(mask, (N, S))
    scores = proj @ k.transpose(0, 2, 1)                                 # (N, T, S)
    weights = masked_softmax(scores, np.broadcast_to(m[:, None, :], scores.shape))
    context = weights @ k                                                # (N, T, Hk)
    cache = (q, k, w, proj, weights, squeeze)
    if squeeze:
        return context[:, 0], weights[:, 0], cache
    return context, weights, cache


def multiplicative_attention_backward(dcontext, cache, dweights=None):
    r"""Gradients of multiplicative attention.

    Parameters
    ----------
    dcontext : ndarray, the shape of ``context``
    cache : tuple
        From :func:`multiplicative_attention_forward`.
    dweights : ndarray, the shape of ``weights``, optional

    Returns
    -------
    dquery, dkeys, dweight : ndarray
        ``dweight`` is ``None`` for the dot score (no weight).

    Notes
    -----
    With :math:`\partial L/\partial e_{ti}` from the softmax as in
    :func:`additive_attention_backward` and :math:`p_t = W^\top q_t`:
    :math:`\partial L/\partial p_t = \sum_i (\partial L/\partial e_{ti}) h_i`,
    :math:`\partial L/\partial q_t = W\, \partial L/\partial p_t`,
    :math:`\partial L/\partial W = \sum_t q_t (\partial L/\partial p_t)^\top`, and key
    :math:`h_i` gets :math:`\sum_t \alpha_{ti}\, dc_t + (\partial L/\partial e_{ti})\, p_t`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ctx, w, cache = multiplicative_attention_forward(rng.normal(size=(2, 3)),
    ...                                                  rng.normal(size=(2, 4, 5)),
    ...                                                  rng.normal(size=(3, 5)))
    >>> [g.shape for g in multiplicative_attention_backward(np.ones_like(ctx), cache)]
    [(2, 3), (2, 4, 5), (3, 5)]
    """
    q, k, w, proj, weights, squeeze = cache
    dc = np.asarray(dcontext, dtype=np.float64)
    dc = dc[:, None, :] if squeeze else dc                               # (N, T, Hk)
    dw = dc @ k.transpose(0, 2, 1)                                       # (N, T, S)
    if dweights is not None:
        dw = dw + (np.asarray(dweights)[:, None, :] if squeeze else np.asarray(dweights))
    dscores = _softmax_backward(dw, weights)                             # (N, T, S)
    dkeys = weights.transpose(0, 2, 1) @ dc + dscores.transpose(0, 2, 1) @ proj
    dproj = dscores @ k                                                  # (N, T, Hk)
    if w is None:
        dquery, dweight = dproj, None
    else:
        dquery = dproj @ w.T
        dweight = np.einsum("ntq,ntk->qk", q, dproj)
    return (dquery[:, 0] if squeeze else dquery), dkeys, dweight


def multiplicative_attention(query, keys, weight=None, mask=None):
    r"""Multiplicative (Luong) attention: ``(context, weights)`` of
    :func:`multiplicative_attention_forward`, without the cache.

    Examples
    --------
    One query per decoder step, shape (N, T, H): each step gets its own weights.

    >>> keys = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    >>> queries = np.array([[[9.0, 0.0], [0.0, 9.0]]])
    >>> ctx, w = multiplicative_attention(queries, keys)
    >>> w.round(3)
    array([[[1., 0.],
            [0., 1.]]])
    """
    context, weights, _ = multiplicative_attention_forward(query, keys, weight, mask)
    return context, weights
