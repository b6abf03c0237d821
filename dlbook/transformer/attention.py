r"""Scaled dot-product attention and multi-head attention in NumPy: forward and backward.

Attention reads a set of *values* through weights computed from *queries* and *keys*:

.. math::

    \operatorname{Attention}(Q, K, V) = \operatorname{softmax}\!\Big(\frac{QK^\top}{\sqrt{d_k}}
    + B\Big) V ,

where :math:`B` is 0 where a query may attend to a key and :math:`-\infty` where it may not.
Multi-head attention projects the inputs, splits the :math:`E` features into :math:`h` heads of
:math:`E/h`, attends in every head independently, concatenates the heads and projects again.

Two mask conventions meet here, and they are opposite (the chapter shows the trap):

- :func:`scaled_dot_product_attention` follows ``torch.nn.functional.scaled_dot_product_attention``:
  a boolean ``mask`` where **True means "may attend"**;
- :func:`multi_head_attention_forward` follows ``torch.nn.MultiheadAttention``: boolean
  ``key_padding_mask`` and ``attn_mask`` where **True means "masked out"** (a float mask is
  added to the scores instead).

A query that may attend to no key at all gets a zero output and zero gradients (as
``torch.nn.functional.scaled_dot_product_attention`` does; ``torch.nn.MultiheadAttention``
returns NaN there).

See Also
--------
dlbook.transformer.positional : where the positions come from.
:ref:`ch-self-attention` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook import _checks

__all__ = ["scaled_dot_product_attention", "scaled_dot_product_attention_backward",
           "multi_head_attention_forward", "multi_head_attention_backward", "causal_mask"]


def _softmax_rows(scores):
    """Softmax over the last axis; rows that are -inf everywhere give zeros (not NaN)."""
    top = np.max(scores, axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0).astype(scores.dtype)
    e = np.exp(scores - top)
    total = np.sum(e, axis=-1, keepdims=True)
    return e / np.where(total > 0, total, 1.0).astype(scores.dtype)


def _attend(q, k, v, bias):
    """The shared core: softmax(q k^T / sqrt(d) + bias) v, with its cache."""
    scale = 1.0 / float(np.sqrt(q.shape[-1]))
    scores = np.matmul(q, np.swapaxes(k, -1, -2))            # (..., L, S)
    scores *= scale
    if bias is not None:
        scores = scores + bias
    weights = _softmax_rows(scores)                           # (..., L, S)
    out = np.matmul(weights, v)                               # (..., L, Ev)
    return out, {"q": q, "k": k, "v": v, "weights": weights, "scale": scale}


def causal_mask(size, source_size=None):
    r"""The causal mask in the *functional* convention: True where query :math:`i` may attend
    to key :math:`j`.

    Parameters
    ----------
    size : int
        :math:`L`, the number of queries.
    source_size : int, optional
        :math:`S \ge L`, the number of keys (default :math:`L`). The queries are taken to be the
        *last* :math:`L` of the :math:`S` positions (new tokens after :math:`S - L` cached ones),
        so query :math:`i` sees keys :math:`j \le i + S - L`.

    Returns
    -------
    ndarray of bool, shape (L, S)

    Raises
    ------
    ValueError
        If ``source_size < size``.

    Examples
    --------
    >>> causal_mask(3).astype(int)
    array([[1, 0, 0],
           [1, 1, 0],
           [1, 1, 1]])
    >>> causal_mask(1, 3).astype(int)          # one new token after two cached ones
    array([[1, 1, 1]])
    """
    L = _checks.positive_int(size, "size")
    S = L if source_size is None else _checks.positive_int(source_size, "source_size")
    if S < L:
        raise ValueError(f"source_size must be >= size, got source_size={S} and size={L}")
    return np.tril(np.ones((L, S), dtype=bool), k=S - L)


def _check_qkv(q, k, v):
    q = _checks.real_array(q, "q", min_ndim=2)
    k = _checks.real_array(k, "k", min_ndim=2)
    v = _checks.real_array(v, "v", min_ndim=2)
    if k.shape[-1] != q.shape[-1]:
        raise ValueError(f"q and k need the same feature size E: q has shape {q.shape}, "
                         f"k has {k.shape}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v need the same source length S: k has shape {k.shape}, "
                         f"v has {v.shape}")
    if not (q.shape[:-2] == k.shape[:-2] == v.shape[:-2]):
        raise ValueError(f"q, k and v need the same leading (batch) dimensions: shapes {q.shape}, "
                         f"{k.shape}, {v.shape}")
    return q, k, v


def _broadcast_mask(mask, name, target):
    mask = np.asarray(mask)
    try:
        np.broadcast_shapes(mask.shape, target)
    except ValueError:
        raise ValueError(f"{name} of shape {mask.shape} does not broadcast to the scores' shape "
                         f"{target}") from None
    if np.broadcast_shapes(mask.shape, target) != target:
        raise ValueError(f"{name} of shape {mask.shape} would enlarge the scores' shape {target}")
    return mask


def scaled_dot_product_attention(q, k, v, mask=None):
    r"""Scaled dot-product attention, as ``torch.nn.functional.scaled_dot_product_attention``.

    Parameters
    ----------
    q : array_like of shape (..., L, E)
        Queries.
    k : array_like of shape (..., S, E)
        Keys.
    v : array_like of shape (..., S, Ev)
        Values. The leading dimensions of ``q``, ``k`` and ``v`` must be equal.
    mask : array_like of bool, broadcastable to (..., L, S), optional
        **True where the query may attend to the key** (torch's functional convention).

    Returns
    -------
    out : ndarray of shape (..., L, Ev)
    cache : dict
        ``q``, ``k``, ``v``, ``weights`` (the attention weights, shape (..., L, S)) and
        ``scale``, for :func:`scaled_dot_product_attention_backward`.

    Raises
    ------
    TypeError
        If ``mask`` is not boolean.
    ValueError
        If the shapes of ``q``, ``k``, ``v`` do not fit together, or ``mask`` does not
        broadcast to (..., L, S).

    Notes
    -----
    .. math::

        S = \frac{q k^\top}{\sqrt{E}} + B, \qquad A = \operatorname{softmax}(S), \qquad
        \text{out} = A v,

    with :math:`B_{ij} = 0` where ``mask`` is True and :math:`-\infty` where it is False; the
    softmax runs over the keys (the last axis). If the entries of :math:`q` and :math:`k` have
    mean 0 and variance 1, :math:`q\cdot k` has variance :math:`E`: dividing by :math:`\sqrt E`
    keeps the scores at unit variance, away from the flat regions of the softmax. A row with no
    allowed key gives a zero output.

    References
    ----------
    A. Vaswani et al., "Attention Is All You Need", NeurIPS 2017.

    See Also
    --------
    scaled_dot_product_attention_backward, multi_head_attention_forward, causal_mask
    :ref:`ch-self-attention`

    Examples
    --------
    One query, two keys. The query matches the first key: score :math:`2/\sqrt 2` against 0.

    >>> q = np.array([[1.0, 1.0]])
    >>> k = np.array([[1.0, 1.0], [1.0, -1.0]])
    >>> v = np.array([[10.0], [0.0]])
    >>> out, cache = scaled_dot_product_attention(q, k, v)
    >>> cache["weights"].round(4)                 # softmax([sqrt(2), 0])
    array([[0.8044, 0.1956]])
    >>> out.round(3)
    array([[8.044]])
    >>> scaled_dot_product_attention(q, k, v, mask=np.array([[False, True]]))[0]
    array([[0.]])
    """
    q, k, v = _check_qkv(q, k, v)
    bias = None
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype != bool:
            raise TypeError(f"mask must be boolean (True = may attend), got dtype {mask.dtype}")
        mask = _broadcast_mask(mask, "mask", q.shape[:-1] + (k.shape[-2],))
        dtype = np.result_type(q, k)
        bias = np.where(mask, dtype.type(0), dtype.type(-np.inf))
    return _attend(q, k, v, bias)


def scaled_dot_product_attention_backward(dout, cache):
    r"""Gradients of :func:`scaled_dot_product_attention`.

    Parameters
    ----------
    dout : array_like of shape (..., L, Ev)
        :math:`\partial L / \partial\,\text{out}`.
    cache : dict from :func:`scaled_dot_product_attention`

    Returns
    -------
    dq : ndarray of shape (..., L, E)
    dk : ndarray of shape (..., S, E)
    dv : ndarray of shape (..., S, Ev)

    Raises
    ------
    ValueError
        If ``dout`` does not have the output's shape.

    Notes
    -----
    With :math:`A` the weights and :math:`G` = ``dout``:

    .. math::

        \frac{\partial L}{\partial v} = A^\top G, \qquad
        \frac{\partial L}{\partial A} = G v^\top, \qquad
        \frac{\partial L}{\partial S} = A \odot \Big(\frac{\partial L}{\partial A}
        - \operatorname{rowsum}\big(A \odot \frac{\partial L}{\partial A}\big)\Big),

    .. math::

        \frac{\partial L}{\partial q} = \frac{1}{\sqrt E}\,\frac{\partial L}{\partial S}\,k,
        \qquad \frac{\partial L}{\partial k} = \frac{1}{\sqrt E}\,
        \Big(\frac{\partial L}{\partial S}\Big)^{\!\top} q .

    Masked entries have :math:`A = 0`, so no gradient flows through them.

    Examples
    --------
    The output is a weighted mean of the values, so its gradient with respect to ``v`` is the
    weights themselves (here with ``dout`` = 1):

    >>> q, k = np.array([[1.0, 1.0]]), np.array([[1.0, 1.0], [1.0, -1.0]])
    >>> out, cache = scaled_dot_product_attention(q, k, np.array([[10.0], [0.0]]))
    >>> dq, dk, dv = scaled_dot_product_attention_backward(np.ones((1, 1)), cache)
    >>> dv.ravel().round(4)
    array([0.8044, 0.1956])
    """
    q, k, v, weights, scale = (cache[n] for n in ("q", "k", "v", "weights", "scale"))
    dout = _checks.real_array(dout, "dout")
    expected = weights.shape[:-1] + (v.shape[-1],)
    if dout.shape != expected:
        raise ValueError(f"dout has shape {dout.shape} but the output had shape {expected}")
    dv = np.matmul(np.swapaxes(weights, -1, -2), dout)                 # (..., S, Ev)
    dweights = np.matmul(dout, np.swapaxes(v, -1, -2))                 # (..., L, S)
    dscores = weights * (dweights - np.sum(dweights * weights, axis=-1, keepdims=True))
    dscores *= scale
    dq = np.matmul(dscores, k)                                         # (..., L, E)
    dk = np.matmul(np.swapaxes(dscores, -1, -2), q)                    # (..., S, E)
    return dq, dk, dv


def _check_mha_inputs(query, key, value, num_heads, in_proj_weight, in_proj_bias,
                      out_proj_weight, out_proj_bias):
    query = _checks.real_array(query, "query", ndim=3)
    key = _checks.real_array(key, "key", ndim=3)
    value = _checks.real_array(value, "value", ndim=3)
    N, L, E = query.shape
    H = _checks.positive_int(num_heads, "num_heads")
    if E % H:
        raise ValueError(f"embed_dim E={E} (last dimension of query) must be divisible by "
                         f"num_heads={H}")
    if key.shape[0] != N or value.shape[0] != N:
        raise ValueError(f"query, key and value need the same batch size N: shapes "
                         f"{query.shape}, {key.shape}, {value.shape}")
    if key.shape[2] != E or value.shape[2] != E:
        raise ValueError(f"key and value need the feature size E={E} of query: shapes "
                         f"{key.shape}, {value.shape}")
    if key.shape[1] != value.shape[1]:
        raise ValueError(f"key and value need the same length S: shapes {key.shape}, "
                         f"{value.shape}")
    w_in = _checks.real_array(in_proj_weight, "in_proj_weight")
    _checks.check_shape(w_in, "in_proj_weight", (3 * E, E), "(3E, E)")
    w_out = _checks.real_array(out_proj_weight, "out_proj_weight")
    _checks.check_shape(w_out, "out_proj_weight", (E, E), "(E, E)")
    b_in = b_out = None
    if in_proj_bias is not None:
        b_in = _checks.real_array(in_proj_bias, "in_proj_bias")
        _checks.check_shape(b_in, "in_proj_bias", (3 * E,), "(3E,)")
    if out_proj_bias is not None:
        b_out = _checks.real_array(out_proj_bias, "out_proj_bias")
        _checks.check_shape(b_out, "out_proj_bias", (E,), "(E,)")
    return query, key, value, H, w_in, b_in, w_out, b_out


def _mha_bias(key_padding_mask, attn_mask, N, H, L, S, dtype):
    """torch's masks ("True = masked out", or floats to add) as one additive (N, H, L, S) bias."""
    def as_additive(mask, name):
        mask = np.asarray(mask)
        if mask.dtype == bool:
            return np.where(mask, dtype.type(-np.inf), dtype.type(0))
        if mask.dtype.kind not in "f":
            raise TypeError(f"{name} must be boolean (True = masked out) or floating (added to "
                            f"the scores), got dtype {mask.dtype}")
        return mask.astype(dtype, copy=False)

    bias = None
    if key_padding_mask is not None:
        kpm = np.asarray(key_padding_mask)
        if kpm.shape != (N, S):
            raise ValueError(f"key_padding_mask must have shape (N, S) = ({N}, {S}), got "
                             f"{kpm.shape}")
        bias = as_additive(kpm, "key_padding_mask")[:, None, None, :]          # (N, 1, 1, S)
    if attn_mask is not None:
        am = np.asarray(attn_mask)
        if am.shape == (L, S):
            am_bias = as_additive(am, "attn_mask")                               # (L, S)
        elif am.shape == (N * H, L, S):
            am_bias = as_additive(am, "attn_mask").reshape(N, H, L, S)
        else:
            raise ValueError(f"attn_mask must have shape (L, S) = ({L}, {S}) or "
                             f"(N*num_heads, L, S) = ({N * H}, {L}, {S}), got {am.shape}")
        bias = am_bias if bias is None else bias + am_bias
    return bias


def multi_head_attention_forward(query, key, value, num_heads, in_proj_weight, in_proj_bias,
                                 out_proj_weight, out_proj_bias, key_padding_mask=None,
                                 attn_mask=None):
    r"""Multi-head attention, as ``torch.nn.MultiheadAttention(E, num_heads, batch_first=True)``.

    Parameters
    ----------
    query : array_like of shape (N, L, E)
    key, value : array_like of shape (N, S, E)
        For self-attention pass the same array three times.
    num_heads : int
        :math:`h`; must divide :math:`E`.
    in_proj_weight : array_like of shape (3E, E)
        :math:`W^Q, W^K, W^V` stacked (torch's ``in_proj_weight``).
    in_proj_bias : array_like of shape (3E,) or None
    out_proj_weight : array_like of shape (E, E)
        :math:`W^O` (torch's ``out_proj.weight``).
    out_proj_bias : array_like of shape (E,) or None
    key_padding_mask : array_like of shape (N, S), optional
        Boolean: **True marks a key to ignore** (a padding token); or floats added to the scores.
    attn_mask : array_like of shape (L, S) or (N * num_heads, L, S), optional
        Boolean: **True marks a pair (query, key) that may not attend**; or floats added.

    Returns
    -------
    out : ndarray of shape (N, L, E)
    cache : dict
        For :func:`multi_head_attention_backward`; ``cache["weights"]`` holds each head's
        attention weights, shape (N, h, L, S).

    Raises
    ------
    ValueError
        If :math:`E` is not divisible by ``num_heads``, or a shape does not fit.
    TypeError
        If a mask is neither boolean nor floating.

    Notes
    -----
    With :math:`d = E/h` and head :math:`i` using rows :math:`[id, (i+1)d)` of each projection,

    .. math::

        \text{head}_i = \operatorname{Attention}(x_q W_i^{Q\top} + b_i^Q,\;
        x_k W_i^{K\top} + b_i^K,\; x_v W_i^{V\top} + b_i^V), \qquad
        \text{out} = [\text{head}_1, \dots, \text{head}_h]\, W^{O\top} + b^O .

    Each head attends with the scale :math:`1/\sqrt d` of its own width.

    See Also
    --------
    multi_head_attention_backward, scaled_dot_product_attention, :ref:`ch-self-attention`

    Examples
    --------
    With identity projections, no biases and one head, multi-head attention is plain
    attention of the inputs:

    >>> x = np.array([[[1.0, 0.0], [0.0, 1.0]]])                # N=1, L=2, E=2
    >>> w_in, w_out = np.vstack([np.eye(2)] * 3), np.eye(2)
    >>> out, _ = multi_head_attention_forward(x, x, x, 1, w_in, None, w_out, None)
    >>> ref, _ = scaled_dot_product_attention(x, x, x)
    >>> bool(np.allclose(out, ref))
    True
    >>> multi_head_attention_forward(x, x, x, 3, w_in, None, w_out, None)
    Traceback (most recent call last):
        ...
    ValueError: embed_dim E=2 (last dimension of query) must be divisible by num_heads=3
    """
    query, key, value, H, w_in, b_in, w_out, b_out = _check_mha_inputs(
        query, key, value, num_heads, in_proj_weight, in_proj_bias, out_proj_weight,
        out_proj_bias)
    N, L, E = query.shape
    S, D = key.shape[1], E // H
    w_q, w_k, w_v = w_in[:E], w_in[E:2 * E], w_in[2 * E:]
    q, k, v = query @ w_q.T, key @ w_k.T, value @ w_v.T                   # (N, L|S, E)
    if b_in is not None:
        q, k, v = q + b_in[:E], k + b_in[E:2 * E], v + b_in[2 * E:]
    dtype = np.result_type(q, k)
    bias = _mha_bias(key_padding_mask, attn_mask, N, H, L, S, dtype)

    def split(x):                                              # (N, T, E) -> (N, H, T, D)
        return x.reshape(x.shape[0], x.shape[1], H, D).transpose(0, 2, 1, 3)

    heads, attn_cache = _attend(split(q), split(k), split(v), bias)      # (N, H, L, D)
    concat = heads.transpose(0, 2, 1, 3).reshape(N, L, E)                 # (N, L, E)
    out = concat @ w_out.T
    if b_out is not None:
        out = out + b_out
    cache = {"query": query, "key": key, "value": value, "in_proj_weight": w_in,
             "has_in_bias": b_in is not None, "out_proj_weight": w_out,
             "has_out_bias": b_out is not None, "concat": concat, "attention": attn_cache,
             "weights": attn_cache["weights"], "num_heads": H}
    return out, cache


def multi_head_attention_backward(dout, cache):
    r"""Gradients of :func:`multi_head_attention_forward`.

    Parameters
    ----------
    dout : array_like of shape (N, L, E)
    cache : dict from :func:`multi_head_attention_forward`

    Returns
    -------
    dict
        ``"query"``, ``"key"``, ``"value"`` (shapes of the inputs), ``"in_proj_weight"`` (3E, E),
        ``"in_proj_bias"`` (3E,), ``"out_proj_weight"`` (E, E), ``"out_proj_bias"`` (E,); a bias
        that was None gets None. For self-attention (one array passed three times) its gradient
        is the sum of the three input gradients.

    Raises
    ------
    ValueError
        If ``dout`` does not have the output's shape.

    Notes
    -----
    The chain rule through the output projection, then :func:`scaled_dot_product_attention_backward`
    in every head, then the three input projections: for a projection
    :math:`y = x W^\top + b`, :math:`\partial L/\partial W = \sum G^\top x`,
    :math:`\partial L/\partial b = \sum G`, :math:`\partial L/\partial x = G W`.

    Examples
    --------
    The gradient of the output bias is the sum of ``dout`` over the batch and positions:

    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(2, 3, 4))
    >>> out, cache = multi_head_attention_forward(x, x, x, 2, rng.normal(size=(12, 4)),
    ...                                           np.zeros(12), np.eye(4), np.zeros(4))
    >>> grads = multi_head_attention_backward(np.ones_like(out), cache)
    >>> grads["out_proj_bias"]
    array([6., 6., 6., 6.])
    >>> sorted(grads)
    ['in_proj_bias', 'in_proj_weight', 'key', 'out_proj_bias', 'out_proj_weight', 'query', 'value']
    """
    query, key, value = cache["query"], cache["key"], cache["value"]
    w_in, w_out, H = cache["in_proj_weight"], cache["out_proj_weight"], cache["num_heads"]
    N, L, E = query.shape
    S, D = key.shape[1], E // H
    dout = _checks.real_array(dout, "dout")
    if dout.shape != (N, L, E):
        raise ValueError(f"dout has shape {dout.shape} but the output had shape {(N, L, E)}")
    flat = dout.reshape(-1, E)                                            # (N*L, E)
    d_w_out = flat.T @ cache["concat"].reshape(-1, E)                     # (E, E)
    d_b_out = flat.sum(axis=0) if cache["has_out_bias"] else None
    d_concat = (dout @ w_out).reshape(N, L, H, D).transpose(0, 2, 1, 3)   # (N, H, L, D)
    dq, dk, dv = scaled_dot_product_attention_backward(d_concat, cache["attention"])
    dq = dq.transpose(0, 2, 1, 3).reshape(N, L, E)                        # (N, L, E)
    dk = dk.transpose(0, 2, 1, 3).reshape(N, S, E)
    dv = dv.transpose(0, 2, 1, 3).reshape(N, S, E)
    w_q, w_k, w_v = w_in[:E], w_in[E:2 * E], w_in[2 * E:]
    d_w_in = np.concatenate([dq.reshape(-1, E).T @ query.reshape(-1, E),
                             dk.reshape(-1, E).T @ key.reshape(-1, E),
                             dv.reshape(-1, E).T @ value.reshape(-1, E)])  # (3E, E)
    d_b_in = (np.concatenate([dq.sum(axis=(0, 1)), dk.sum(axis=(0, 1)), dv.sum(axis=(0, 1))])
              if cache["has_in_bias"] else None)
    return {"query": dq @ w_q, "key": dk @ w_k, "value": dv @ w_v,
            "in_proj_weight": d_w_in, "in_proj_bias": d_b_in,
            "out_proj_weight": d_w_out, "out_proj_bias": d_b_out}
