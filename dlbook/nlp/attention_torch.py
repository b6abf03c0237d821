r"""Additive (Bahdanau) and multiplicative (Luong) attention on torch tensors (any device).

The same functions as :mod:`dlbook.nlp.attention`, differentiated by autograd; the
encoder–decoders of :mod:`dlbook.nlp.attention_seq2seq_torch` call them.

See Also
--------
dlbook.nlp.attention : the NumPy reference, with the formulas and hand-written gradients.
:ref:`ch-attention` : the chapter.
"""

from __future__ import annotations

import torch

from dlbook import _checks

__all__ = ["masked_softmax", "additive_attention", "multiplicative_attention"]

# NumPy names this twin leaves out, and why (tests/test_house.py checks the list).
__twin_omits__ = {
    "additive_attention_forward": "autograd keeps the cache; additive_attention is the forward",
    "additive_attention_backward": "autograd differentiates additive_attention",
    "multiplicative_attention_forward": "autograd keeps the cache; multiplicative_attention is "
                                        "the forward",
    "multiplicative_attention_backward": "autograd differentiates multiplicative_attention",
}


def _mask_tensor(mask, shape, device):
    if mask is None:
        return torch.ones(shape, dtype=torch.bool, device=device)
    m = torch.as_tensor(mask, device=device)
    if m.dtype != torch.bool:
        raise TypeError(f"mask must be a boolean tensor, got dtype {m.dtype}")
    _checks.check_shape(m, "mask", shape)
    if not bool(m.any(dim=-1).all()):
        raise ValueError("every row of mask needs at least one True (a position to attend to)")
    return m


def masked_softmax(scores, mask=None):
    r"""Softmax over the last axis with masked-out positions given probability exactly 0.

    Examples
    --------
    >>> masked_softmax(torch.tensor([[0.0, 0.0, 5.0]]), torch.tensor([[True, True, False]]))
    tensor([[0.5000, 0.5000, 0.0000]])
    """
    e = _checks.real_tensor(scores, "scores", min_ndim=1)
    m = _mask_tensor(mask, tuple(e.shape), e.device)
    return torch.softmax(e.masked_fill(~m, float("-inf")), dim=-1)


def additive_attention(query, keys, weight_query, weight_key, v, mask=None):
    r"""Additive attention :math:`e_{ti} = v^\top \tanh(W_q q_t + W_k h_i)`; returns
    ``(context, weights)`` with the shapes of :func:`dlbook.nlp.attention.additive_attention`.

    Examples
    --------
    >>> keys = torch.tensor([[[2.0], [4.0]]])
    >>> ctx, w = additive_attention(torch.zeros(1, 1), keys, torch.zeros(1, 1),
    ...                             torch.ones(1, 1), torch.zeros(1),
    ...                             mask=torch.tensor([[True, False]]))
    >>> ctx, w
    (tensor([[2.]]), tensor([[1., 0.]]))
    """
    q, k, squeeze = _checks.attention_query_keys(query, keys, tensor=True)
    N, T, Hq = q.shape
    _, S, Hk = k.shape
    v = _checks.real_tensor(v, "v", ndim=1)
    A = v.shape[0]
    _checks.check_shape(weight_query, "weight_query", (A, Hq),
                        f"for v of size {A} and query size {Hq}")
    _checks.check_shape(weight_key, "weight_key", (A, Hk), f"for v of size {A} and key size {Hk}")
    m = _mask_tensor(mask, (N, S), k.device)
    hid = torch.tanh((q @ weight_query.T)[:, :, None, :]
                     + (k @ weight_key.T)[:, None, :, :])                # (N, T, S, A)
    scores = hid @ v                                                     # (N, T, S)
    weights = torch.softmax(scores.masked_fill(~m[:, None, :], float("-inf")), dim=-1)
    context = weights @ k                                                # (N, T, Hk)
    return (context[:, 0], weights[:, 0]) if squeeze else (context, weights)


def multiplicative_attention(query, keys, weight=None, mask=None):
    r"""Multiplicative attention :math:`e_{ti} = q_t^\top W h_i` (``weight=None``: the dot
    score); returns ``(context, weights)``.

    Examples
    --------
    >>> keys = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]])
    >>> ctx, w = multiplicative_attention(torch.tensor([[3.0, 0.0]]), keys)
    >>> w.round(decimals=4)
    tensor([[0.9526, 0.0474]])
    """
    q, k, squeeze = _checks.attention_query_keys(query, keys, tensor=True)
    N, T, Hq = q.shape
    _, S, Hk = k.shape
    if weight is None:
        if Hq != Hk:
            raise ValueError(f"the dot score needs query and key sizes to agree, got {Hq} and "
                             f"{Hk}; pass a weight of shape ({Hq}, {Hk})")
        proj = q
    else:
        _checks.check_shape(weight, "weight", (Hq, Hk), "(query size, key size)")
        proj = q @ weight                                                # (N, T, Hk)
    m = _mask_tensor(mask, (N, S), k.device)
    scores = proj @ k.transpose(1, 2)                                    # (N, T, S)
    weights = torch.softmax(scores.masked_fill(~m[:, None, :], float("-inf")), dim=-1)
    context = weights @ k
    return (context[:, 0], weights[:, 0]) if squeeze else (context, weights)
