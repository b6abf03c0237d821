r"""Temperature, top-k and top-p sampling on torch tensors (any device); see
:mod:`dlbook.nlp.sampling` for the definitions, which these functions follow exactly.

See Also
--------
dlbook.nlp.sampling : the NumPy reference. :ref:`ch-beam-search` : the chapter.
"""

from __future__ import annotations

import torch

from dlbook import _checks

__all__ = ["apply_temperature", "top_k_filter", "top_p_filter", "sampling_distribution",
           "sample_next"]


def apply_temperature(logits, temperature: float):
    r"""Divide logits by the temperature :math:`T > 0`.

    Examples
    --------
    >>> apply_temperature(torch.tensor([2.0, 0.0]), 0.5)
    tensor([4., 0.])
    """
    z = _checks.real_tensor(logits, "logits", min_ndim=1)
    return z / _checks.positive_real(temperature, "temperature")


def top_k_filter(logits, k: int):
    r"""Keep the ``k`` largest logits (ties with the k-th kept too); the rest become -inf.

    Examples
    --------
    >>> top_k_filter(torch.tensor([1.0, 3.0, 2.0, 3.0]), 2)
    tensor([-inf, 3., -inf, 3.])
    """
    z = _checks.real_tensor(logits, "logits", min_ndim=1)
    k = _checks.positive_int(k, "k")
    if k >= z.shape[-1]:
        return z.clone()
    kth = torch.topk(z, k, dim=-1).values[..., -1:]                   # (..., 1)
    return torch.where(z >= kth, z, torch.full_like(z, float("-inf")))


def top_p_filter(logits, p: float):
    r"""Keep the smallest set of most probable tokens that holds probability ``p`` (ties kept).

    Examples
    --------
    >>> z = torch.log(torch.tensor([0.5, 0.3, 0.2]))
    >>> torch.isfinite(top_p_filter(z, 0.7))
    tensor([ True,  True, False])
    """
    z = _checks.real_tensor(logits, "logits", min_ndim=1)
    p = _checks.probability(p, "p", low_open=True)
    probs = torch.softmax(z, dim=-1)
    sorted_probs, order = torch.sort(probs, dim=-1, descending=True, stable=True)
    before = torch.cumsum(sorted_probs, dim=-1) - sorted_probs         # mass strictly ahead
    keep = torch.zeros_like(probs, dtype=torch.bool).scatter(-1, order, before < p)
    inf = torch.full_like(probs, float("inf"))
    threshold = torch.where(keep, probs, inf).min(dim=-1, keepdim=True).values
    keep |= probs >= threshold
    return torch.where(keep, z, torch.full_like(z, float("-inf")))


def sampling_distribution(logits, temperature: float = 1.0, top_k: int | None = None,
                          top_p: float | None = None):
    r"""The probabilities a sampler draws from: temperature, then top-k, then top-p, softmax.

    Examples
    --------
    >>> z = torch.log(torch.tensor([0.5, 0.3, 0.2], dtype=torch.float64))
    >>> sampling_distribution(z, top_k=2)
    tensor([0.6250, 0.3750, 0.0000], dtype=torch.float64)
    """
    z = apply_temperature(logits, temperature)
    if top_k is not None:
        z = top_k_filter(z, top_k)
    if top_p is not None:
        z = top_p_filter(z, top_p)
    return torch.softmax(z, dim=-1)


def sample_next(logits, temperature: float = 1.0, top_k: int | None = None,
                top_p: float | None = None, rng=None):
    r"""Draw the next token; ``rng`` is a ``torch.Generator`` or an int seed (on the logits'
    device). Returns an int for logits of shape (V,), a tensor of shape (N,) for (N, V).

    Examples
    --------
    >>> sample_next(torch.tensor([0.1, 2.0, 0.3]), top_k=1, rng=0)
    1
    """
    probs = sampling_distribution(logits, temperature, top_k, top_p)
    if probs.dim() > 2:
        raise ValueError(f"logits must have shape (V,) or (N, V), got {tuple(probs.shape)}")
    if isinstance(rng, int):
        rng = torch.Generator(device=probs.device).manual_seed(rng)
    rows = probs.reshape(-1, probs.shape[-1])                          # (N, V)
    tokens = torch.multinomial(rows, 1, generator=rng).squeeze(-1)     # (N,)
    return int(tokens[0]) if probs.dim() == 1 else tokens
