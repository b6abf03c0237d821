r"""Sinusoidal encodings and rotary position embeddings on torch tensors (any device); see
:mod:`dlbook.transformer.positional` for the definitions, which these functions follow exactly.

See Also
--------
dlbook.transformer.positional : the NumPy reference. :ref:`ch-self-attention` : the chapter.
"""

from __future__ import annotations

import torch

from dlbook import _checks

__all__ = ["sinusoidal_encoding", "rotary_embedding"]


def sinusoidal_encoding(max_len, d_model):
    r"""Sine at even, cosine at odd columns, base 10000: a tensor of shape (max_len, d_model)
    in torch's default floating dtype.

    Examples
    --------
    >>> sinusoidal_encoding(2, 4)[1].round(decimals=4)
    tensor([0.8415, 0.5403, 0.0100, 1.0000])
    """
    max_len = _checks.positive_int(max_len, "max_len")
    d_model = _checks.positive_int(d_model, "d_model")
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]                  # (max_len, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)
    angles = pos / 10000.0 ** (two_i / d_model)                                # (max_len, d/2)
    pe = torch.empty(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angles)
    pe[:, 1::2] = torch.cos(angles[:, : d_model // 2])
    return pe.to(torch.get_default_dtype())


def rotary_embedding(x, positions=None, base=10000.0):
    r"""Rotate feature pairs :math:`(2i, 2i+1)` of ``x`` (..., T, D) by :math:`p\,
    \text{base}^{-2i/D}` at position :math:`p`; differentiable, on ``x``'s device and dtype.

    Examples
    --------
    >>> rotary_embedding(torch.tensor([[1.0, 0.0], [1.0, 0.0]])).round(decimals=4)
    tensor([[1.0000, 0.0000],
            [0.5403, 0.8415]])
    """
    x = _checks.real_tensor(x, "x", min_ndim=2)
    T, D = x.shape[-2:]
    if D % 2:
        raise ValueError(f"rotary_embedding needs an even feature size D, got x of shape "
                         f"{tuple(x.shape)}")
    base = _checks.positive_real(base, "base")
    if positions is None:
        pos = torch.arange(T, dtype=torch.float64, device=x.device)
    else:
        pos = torch.as_tensor(positions, dtype=torch.float64, device=x.device)
        if tuple(pos.shape) != (T,):
            raise ValueError(f"positions must have shape (T,) = ({T},), got {tuple(pos.shape)}")
    omega = base ** (-torch.arange(0, D, 2, dtype=torch.float64, device=x.device) / D)
    theta = pos[:, None] * omega                                               # (T, D/2)
    cos, sin = torch.cos(theta).to(x.dtype), torch.sin(theta).to(x.dtype)
    even, odd = x[..., 0::2], x[..., 1::2]                                     # (..., T, D/2)
    return torch.stack([even * cos - odd * sin, even * sin + odd * cos], dim=-1).flatten(-2)
