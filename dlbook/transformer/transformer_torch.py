r"""The encoder–decoder transformer for translation, with layer norm after (post-LN, as in the
original paper) or before (pre-LN) each sub-layer.

An encoder layer is self-attention, then a position-wise feed-forward net (two linear layers
with a ReLU between), each wrapped in a residual connection and a layer norm. A decoder layer
adds, between the two, *cross-attention*: queries from the decoder, keys and values from the
encoder's output. The decoder's self-attention is causal, so position :math:`t` predicts the
next word from words :math:`\le t` only, as at generation time.

The layers name their parts as ``torch.nn.TransformerEncoderLayer`` and
``torch.nn.TransformerDecoderLayer`` do (``self_attn``, ``multihead_attn``, ``linear1``,
``linear2``, ``norm1`` ...), so a state dict copies across and the tests hold the two equal.

See Also
--------
dlbook.transformer.attention : attention in NumPy.
dlbook.transformer.translation_torch : training on the verse task, greedy and beam decoding.
:ref:`ch-transformer` : the chapter.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from dlbook import _checks
from dlbook.transformer.positional_torch import sinusoidal_encoding

__all__ = ["EncoderLayer", "DecoderLayer", "Seq2SeqTransformer", "noam_rate"]


class EncoderLayer(nn.Module):
    r"""Self-attention and a feed-forward net, each with a residual path and a layer norm.

    Post-LN (``norm_first=False``): :math:`x \leftarrow \mathrm{LN}(x + \mathrm{SA}(x))`, then
    :math:`x \leftarrow \mathrm{LN}(x + \mathrm{FF}(x))`. Pre-LN: :math:`x \leftarrow x +
    \mathrm{SA}(\mathrm{LN}(x))`, then :math:`x \leftarrow x + \mathrm{FF}(\mathrm{LN}(x))`.

    Examples
    --------
    >>> layer = EncoderLayer(d_model=8, nhead=2, dim_feedforward=16)
    >>> tuple(layer(torch.zeros(3, 5, 8)).shape)
    (3, 5, 8)
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int, dropout: float = 0.1,
                 norm_first: bool = False):
        super().__init__()
        self.norm_first = norm_first
        self.self_attn = nn.MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=True)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)

    def _sa(self, x, key_padding_mask):
        out, _ = self.self_attn(x, x, x, key_padding_mask=key_padding_mask, need_weights=False)
        return self.dropout1(out)

    def _ff(self, x):
        return self.dropout2(self.linear2(self.dropout(torch.relu(self.linear1(x)))))

    def forward(self, x, key_padding_mask=None):
        """``x`` (N, S, E) -> (N, S, E); ``key_padding_mask`` (N, S) is True at padding."""
        if self.norm_first:
            x = x + self._sa(self.norm1(x), key_padding_mask)
            return x + self._ff(self.norm2(x))
        x = self.norm1(x + self._sa(x, key_padding_mask))
        return self.norm2(x + self._ff(x))


class DecoderLayer(nn.Module):
    r"""Causal self-attention, cross-attention to the encoder's output, and a feed-forward net,
    each with a residual path and a layer norm (after or before, as in :class:`EncoderLayer`).

    Examples
    --------
    >>> layer = DecoderLayer(d_model=8, nhead=2, dim_feedforward=16)
    >>> out, w = layer(torch.zeros(3, 4, 8), torch.zeros(3, 6, 8), need_weights=True)
    >>> tuple(out.shape), tuple(w.shape)                  # weights: (N, heads, T, S)
    ((3, 4, 8), (3, 2, 4, 6))
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int, dropout: float = 0.1,
                 norm_first: bool = False):
        super().__init__()
        self.norm_first = norm_first
        self.self_attn = nn.MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=True)
        self.multihead_attn = nn.MultiheadAttention(d_model, nhead, dropout=dropout,
                                                    batch_first=True)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(d_model) for _ in range(3))
        self.dropout1, self.dropout2, self.dropout3 = (nn.Dropout(dropout) for _ in range(3))

    def _sa(self, x, causal, tgt_key_padding_mask):
        out, _ = self.self_attn(x, x, x, attn_mask=causal, key_padding_mask=tgt_key_padding_mask,
                                need_weights=False)
        return self.dropout1(out)

    def _ca(self, x, memory, memory_key_padding_mask, need_weights):
        out, w = self.multihead_attn(x, memory, memory, key_padding_mask=memory_key_padding_mask,
                                     need_weights=need_weights, average_attn_weights=False)
        return self.dropout2(out), w

    def _ff(self, x):
        return self.dropout3(self.linear2(self.dropout(torch.relu(self.linear1(x)))))

    def forward(self, x, memory, tgt_key_padding_mask=None, memory_key_padding_mask=None,
                need_weights=False):
        """``x`` (N, T, E), ``memory`` (N, S, E) -> ``(out (N, T, E), cross-attention weights
        (N, heads, T, S) or None)``; masks are True at padding."""
        T = x.shape[1]
        causal = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)   # True = masked
        if self.norm_first:
            x = x + self._sa(self.norm1(x), causal, tgt_key_padding_mask)
            ca, w = self._ca(self.norm2(x), memory, memory_key_padding_mask, need_weights)
            x = x + ca
            return x + self._ff(self.norm3(x)), w
        x = self.norm1(x + self._sa(x, causal, tgt_key_padding_mask))
        ca, w = self._ca(x, memory, memory_key_padding_mask, need_weights)
        x = self.norm2(x + ca)
        return self.norm3(x + self._ff(x)), w


class Seq2SeqTransformer(nn.Module):
    r"""An encoder–decoder transformer from source token ids to target logits.

    Parameters
    ----------
    src_vocab_size, tgt_vocab_size : int
    d_model : int, default 128
    nhead : int, default 4
    num_encoder_layers, num_decoder_layers : int, default 2
    dim_feedforward : int, default 256
    dropout : float, default 0.1
    norm_first : bool, default False
        False: post-LN (the original paper); True: pre-LN (with a final layer norm after the
        encoder and after the decoder, as GPT-2 and ``torch.nn.Transformer`` do).
    max_len : int, default 128
        Longest sequence (the size of the sinusoidal table).
    pad_idx : int, default 1
        The padding id of both vocabularies: padded positions are masked out as keys.

    Notes
    -----
    Embeddings are multiplied by :math:`\sqrt{d_{\text{model}}}` and the sinusoidal encodings
    (:func:`~dlbook.transformer.positional_torch.sinusoidal_encoding`) added, as in the paper.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> model = Seq2SeqTransformer(20, 15, d_model=16, nhead=2, dim_feedforward=32)
    >>> src, tgt = torch.randint(2, 20, (4, 7)), torch.randint(2, 15, (4, 5))
    >>> tuple(model(src, tgt).shape)
    (4, 5, 15)
    """

    def __init__(self, src_vocab_size: int, tgt_vocab_size: int, d_model: int = 128,
                 nhead: int = 4, num_encoder_layers: int = 2, num_decoder_layers: int = 2,
                 dim_feedforward: int = 256, dropout: float = 0.1, norm_first: bool = False,
                 max_len: int = 128, pad_idx: int = 1):
        super().__init__()
        d_model = _checks.positive_int(d_model, "d_model")
        nhead = _checks.positive_int(nhead, "nhead")
        if d_model % nhead:
            raise ValueError(f"d_model={d_model} must be divisible by nhead={nhead}")
        self.d_model, self.pad_idx, self.norm_first = d_model, pad_idx, norm_first
        self.src_emb = nn.Embedding(_checks.positive_int(src_vocab_size, "src_vocab_size"),
                                    d_model)
        self.tgt_emb = nn.Embedding(_checks.positive_int(tgt_vocab_size, "tgt_vocab_size"),
                                    d_model)
        self.register_buffer("pe", sinusoidal_encoding(max_len, d_model), persistent=False)
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.ModuleList(
            EncoderLayer(d_model, nhead, dim_feedforward, dropout, norm_first)
            for _ in range(_checks.positive_int(num_encoder_layers, "num_encoder_layers")))
        self.decoder = nn.ModuleList(
            DecoderLayer(d_model, nhead, dim_feedforward, dropout, norm_first)
            for _ in range(_checks.positive_int(num_decoder_layers, "num_decoder_layers")))
        self.enc_norm = nn.LayerNorm(d_model) if norm_first else nn.Identity()
        self.dec_norm = nn.LayerNorm(d_model) if norm_first else nn.Identity()
        self.out = nn.Linear(d_model, tgt_vocab_size)
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)

    def _embed(self, emb, ids):
        T = ids.shape[1]
        if T > self.pe.shape[0]:
            raise ValueError(f"a sequence of {T} tokens is longer than max_len="
                             f"{self.pe.shape[0]}")
        return self.drop(emb(ids) * math.sqrt(self.d_model) + self.pe[:T])

    def encode(self, src):
        """Encoder output (N, S, E) for source ids (N, S) (padding = ``pad_idx``)."""
        pad = src == self.pad_idx
        x = self._embed(self.src_emb, src)
        for layer in self.encoder:
            x = layer(x, pad)
        return self.enc_norm(x)

    def decoder_states(self, tgt_in, memory, src, need_weights=False):
        """The decoder's last states (N, T, E), before the output layer ``self.out``; with
        ``need_weights`` also the cross-attention weights of every layer (N, heads, T, S)."""
        x = self._embed(self.tgt_emb, tgt_in)
        weights = []
        for layer in self.decoder:
            x, w = layer(x, memory, tgt_in == self.pad_idx, src == self.pad_idx, need_weights)
            weights.append(w)
        x = self.dec_norm(x)
        return (x, weights) if need_weights else x

    def decode(self, tgt_in, memory, src, need_weights=False):
        """Logits (N, T, V) for decoder inputs (N, T) given the encoder output of ``src``; with
        ``need_weights`` also the cross-attention weights of every layer (N, heads, T, S)."""
        out = self.decoder_states(tgt_in, memory, src, need_weights)
        if need_weights:
            return self.out(out[0]), out[1]
        return self.out(out)

    def forward(self, src, tgt_in):
        """Logits (N, T, V) of the next target token at every position of ``tgt_in``."""
        return self.decode(tgt_in, self.encode(src), src)


def noam_rate(step, d_model: int, warmup: int) -> float:
    r"""The learning rate of the original transformer at ``step`` (1, 2, ...):

    .. math:: \text{lr} = d_{\text{model}}^{-1/2}\,\min\big(\text{step}^{-1/2},\;
              \text{step}\cdot\text{warmup}^{-3/2}\big),

    a linear warm-up to its peak :math:`(d_{\text{model}}\,\text{warmup})^{-1/2}` at
    ``step = warmup``, then a decay as :math:`1/\sqrt{\text{step}}`.

    Examples
    --------
    >>> round(noam_rate(4000, 512, 4000), 6)        # the paper's peak, (512 * 4000) ** -0.5
    0.000699
    >>> math.isclose(noam_rate(1000, 512, 4000), noam_rate(4000, 512, 4000) / 4)
    True
    """
    step = _checks.positive_int(step, "step")
    d_model = _checks.positive_int(d_model, "d_model")
    warmup = _checks.positive_int(warmup, "warmup")
    return d_model ** -0.5 * min(step ** -0.5, step * warmup ** -1.5)
