r"""Positional information for attention, which by itself ignores order: sinusoidal encodings
and rotary position embeddings (RoPE), in NumPy.

Attention treats its keys as a set: permute the tokens and the outputs are permuted the same
way. A transformer therefore tells each token where it is. Three ways are common:

- **sinusoidal encodings** (the original transformer), added to the token embeddings:
  :func:`sinusoidal_encoding`;
- **learned** position embeddings (BERT, GPT-2): a trainable table with one row per position,
  an ``nn.Embedding(block_size, n_embd)`` in :class:`dlbook.transformer.gpt_torch.GPT`;
- **rotary** embeddings (RoFormer, LLaMA): queries and keys are rotated by an angle
  proportional to their position, so their dot product depends only on the *difference* of
  positions: :func:`rotary_embedding`.

See Also
--------
dlbook.transformer.positional_torch : the PyTorch twin.
:ref:`ch-self-attention` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook import _checks

__all__ = ["sinusoidal_encoding", "rotary_embedding"]


def sinusoidal_encoding(max_len, d_model):
    r"""The sinusoidal position encodings of the original transformer.

    Parameters
    ----------
    max_len : int
        Number of positions :math:`0, \dots, \text{max\_len} - 1`.
    d_model : int
        Width of the encoding (the model's embedding size).

    Returns
    -------
    ndarray of shape (max_len, d_model), float64

    Raises
    ------
    TypeError, ValueError
        If ``max_len`` or ``d_model`` is not a positive integer.

    Notes
    -----
    Sine at the even columns, cosine at the odd ones, base 10000:

    .. math::

        PE_{p,\,2i} = \sin\!\big(p / 10000^{2i/d}\big), \qquad
        PE_{p,\,2i+1} = \cos\!\big(p / 10000^{2i/d}\big).

    Column pair :math:`i` turns with wavelength :math:`2\pi\cdot 10000^{2i/d}`, from
    :math:`2\pi` to about :math:`2\pi\cdot 10^4`; for a fixed offset :math:`k`,
    :math:`PE_{p+k}` is a rotation of :math:`PE_p` (the same rotation for every :math:`p`).

    References
    ----------
    A. Vaswani et al., "Attention Is All You Need", NeurIPS 2017, section 3.5.

    See Also
    --------
    dlbook.transformer.positional_torch.sinusoidal_encoding, :ref:`ch-self-attention`

    Examples
    --------
    Position 0 is (0, 1, 0, 1, ...); position 1 starts with sin 1 and cos 1:

    >>> pe = sinusoidal_encoding(2, 4)
    >>> pe.round(4)
    array([[0.    , 1.    , 0.    , 1.    ],
           [0.8415, 0.5403, 0.01  , 1.    ]])
    """
    max_len = _checks.positive_int(max_len, "max_len")
    d_model = _checks.positive_int(d_model, "d_model")
    pos = np.arange(max_len, dtype=np.float64)[:, None]                 # (max_len, 1)
    two_i = np.arange(0, d_model, 2, dtype=np.float64)                  # (ceil(d/2),)
    angles = pos / 10000.0 ** (two_i / d_model)                         # (max_len, ceil(d/2))
    pe = np.empty((max_len, d_model))
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles[:, : d_model // 2])
    return pe


def rotary_embedding(x, positions=None, base=10000.0):
    r"""Rotate feature pairs of ``x`` by angles proportional to their positions (RoPE).

    Parameters
    ----------
    x : array_like of shape (..., T, D)
        Queries or keys (of one head); :math:`D` must be even.
    positions : array_like of int of shape (T,), optional
        The position of each of the :math:`T` rows; default :math:`0, \dots, T - 1`. Pass
        ``np.arange(start, start + T)`` for tokens that follow ``start`` cached ones.
    base : float, default 10000.0

    Returns
    -------
    ndarray, shape and dtype of ``x``

    Raises
    ------
    ValueError
        If :math:`D` is odd or ``positions`` does not have shape (T,).

    Notes
    -----
    Features :math:`(2i, 2i+1)` of the row at position :math:`p` are rotated by
    :math:`\theta = p\,\omega_i` with :math:`\omega_i = \text{base}^{-2i/D}`:

    .. math::

        \begin{pmatrix} x'_{2i} \\ x'_{2i+1} \end{pmatrix} =
        \begin{pmatrix} \cos\theta & -\sin\theta \\ \sin\theta & \cos\theta \end{pmatrix}
        \begin{pmatrix} x_{2i} \\ x_{2i+1} \end{pmatrix}.

    Rotations preserve lengths, and :math:`R_m q \cdot R_n k = q \cdot R_{n-m} k`: the score
    of a rotated query and key depends on their positions only through :math:`n - m`. (Some
    libraries pair feature :math:`i` with :math:`i + D/2` instead of :math:`2i` with
    :math:`2i+1`: the same idea with the features in another order.)

    References
    ----------
    J. Su et al., "RoFormer: Enhanced Transformer with Rotary Position Embedding",
    arXiv:2104.09864, 2021.

    See Also
    --------
    dlbook.transformer.positional_torch.rotary_embedding, :ref:`ch-self-attention`

    Examples
    --------
    With :math:`D = 2` the single pair turns by :math:`p` radians at position :math:`p`:

    >>> x = np.array([[1.0, 0.0], [1.0, 0.0]])
    >>> rotary_embedding(x).round(4)                 # positions 0 and 1
    array([[1.    , 0.    ],
           [0.5403, 0.8415]])
    """
    x = _checks.real_array(x, "x", min_ndim=2)
    T, D = x.shape[-2:]
    if D % 2:
        raise ValueError(f"rotary_embedding needs an even feature size D, got x of shape "
                         f"{x.shape}")
    base = _checks.positive_real(base, "base")
    if positions is None:
        pos = np.arange(T, dtype=np.float64)
    else:
        pos = np.asarray(positions, dtype=np.float64)
        if pos.shape != (T,):
            raise ValueError(f"positions must have shape (T,) = ({T},), got {pos.shape}")
    omega = base ** (-np.arange(0, D, 2, dtype=np.float64) / D)         # (D/2,)
    theta = pos[:, None] * omega                                         # (T, D/2)
    cos, sin = np.cos(theta).astype(x.dtype), np.sin(theta).astype(x.dtype)
    even, odd = x[..., 0::2], x[..., 1::2]                               # (..., T, D/2)
    out = np.empty_like(x)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out
