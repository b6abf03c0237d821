r"""A decoder-only transformer language model (GPT) with a key–value cache for generation.

The model reads token ids and predicts, at every position, the next token. Each block is
pre-LN (as GPT-2): ``x + attention(layer_norm(x))`` then ``x + mlp(layer_norm(x))``, with causal
self-attention so that position :math:`t` sees positions :math:`\le t` only. Positions are
learned (a table of ``block_size`` rows); the output layer shares its weight with the token
embedding.

Generation feeds the model its own output one token at a time. Without a cache every step runs
the whole prefix again; the keys and values of earlier positions never change, though (a
position sees only positions before it), so :class:`KVCache` keeps them and each step computes
only the new token's query, key and value. The logits are the same up to rounding.

See Also
--------
dlbook.transformer.attention : attention in NumPy, forward and backward.
dlbook.transformer.language_model_torch : training and evaluating language models.
:ref:`ch-language-models` : the chapter.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from dlbook import _checks
from dlbook.nlp.sampling_torch import sampling_distribution

__all__ = ["KVCache", "CausalSelfAttention", "Block", "GPT"]


class KVCache:
    r"""Keys and values of the positions a :class:`GPT` has already read, per layer.

    Buffers of shape (B, n_head, block_size, head_size) are allocated on first use; ``length``
    counts the positions stored.

    Examples
    --------
    >>> cache = KVCache(n_layer=2)
    >>> cache.length, len(cache.keys)
    (0, 2)
    """

    def __init__(self, n_layer: int):
        n_layer = _checks.positive_int(n_layer, "n_layer")
        self.keys: list = [None] * n_layer
        self.values: list = [None] * n_layer
        self.length = 0

    def store(self, layer: int, k, v, block_size: int):
        r"""Write the new keys/values ``k``, ``v`` (B, H, T, D) after the stored ones and return
        all of them, (B, H, length + T, D). The caller advances :attr:`length` once per forward.

        Examples
        --------
        >>> cache = KVCache(1)
        >>> k, v = cache.store(0, torch.ones(1, 2, 3, 4), torch.zeros(1, 2, 3, 4), block_size=8)
        >>> tuple(k.shape), cache.keys[0].shape[2]
        ((1, 2, 3, 4), 8)
        """
        B, H, T, D = k.shape
        if self.keys[layer] is None:
            self.keys[layer] = k.new_zeros(B, H, block_size, D)
            self.values[layer] = v.new_zeros(B, H, block_size, D)
        start = self.length
        self.keys[layer][:, :, start:start + T] = k
        self.values[layer][:, :, start:start + T] = v
        return self.keys[layer][:, :, :start + T], self.values[layer][:, :, :start + T]


class CausalSelfAttention(nn.Module):
    r"""Multi-head causal self-attention: one projection to queries, keys and values, then
    ``torch.nn.functional.scaled_dot_product_attention``, then an output projection.

    Examples
    --------
    >>> attn = CausalSelfAttention(n_embd=8, n_head=2)
    >>> tuple(attn(torch.zeros(3, 5, 8)).shape)
    (3, 5, 8)
    """

    def __init__(self, n_embd: int, n_head: int, dropout: float = 0.0):
        super().__init__()
        if n_embd % n_head:
            raise ValueError(f"n_embd={n_embd} must be divisible by n_head={n_head}")
        self.n_head = n_head
        self.dropout = dropout
        self.qkv = nn.Linear(n_embd, 3 * n_embd)
        self.proj = nn.Linear(n_embd, n_embd)
        self.resid_drop = nn.Dropout(dropout)

    def forward(self, x, cache: KVCache | None = None, layer: int = 0, block_size: int = 0):
        """``x`` (B, T, C) -> (B, T, C); with a ``cache``, attend to the stored positions too."""
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)                                  # (B, T, C) each
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
                   for t in (q, k, v))                                         # (B, H, T, D)
        past = 0
        if cache is not None:
            past = cache.length
            k, v = cache.store(layer, k, v, block_size)                        # (B, H, S, D)
        drop = self.dropout if self.training else 0.0
        if past == 0:
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=drop, is_causal=True)
        else:                    # new queries are the last T of S positions: see keys j <= i + past
            allowed = torch.ones(T, past + T, dtype=torch.bool, device=x.device).tril(past)
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed, dropout_p=drop)
        y = y.transpose(1, 2).reshape(B, T, C)                                 # (B, T, C)
        return self.resid_drop(self.proj(y))


class Block(nn.Module):
    r"""A pre-LN transformer block: ``x + attn(ln_1(x))``, then ``x + mlp(ln_2(x))``.

    Examples
    --------
    >>> tuple(Block(8, 2)(torch.zeros(1, 4, 8)).shape)
    (1, 4, 8)
    """

    def __init__(self, n_embd: int, n_head: int, dropout: float = 0.0):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head, dropout)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(),
                                 nn.Linear(4 * n_embd, n_embd), nn.Dropout(dropout))

    def forward(self, x, cache: KVCache | None = None, layer: int = 0, block_size: int = 0):
        """``x`` (B, T, C) -> (B, T, C)."""
        x = x + self.attn(self.ln_1(x), cache, layer, block_size)
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    r"""A GPT language model.

    Parameters
    ----------
    vocab_size : int
        Number of token ids.
    block_size : int
        The longest context the model reads (the size of the position table).
    n_layer, n_head, n_embd : int
        Blocks, heads per block and the width of the model (``n_head`` divides ``n_embd``).
    dropout : float, default 0.0

    Raises
    ------
    ValueError
        If ``n_embd`` is not divisible by ``n_head``, or a size is not positive.

    Notes
    -----
    ``forward(idx)`` maps ids (B, T) to logits (B, T, vocab_size):
    :math:`h_0 = E_{\text{tok}}[\text{idx}] + E_{\text{pos}}[0..T-1]`, then the blocks, a final
    layer norm, and :math:`h E_{\text{tok}}^\top` (the output weight is the token embedding).
    Parameters: :math:`V C + T_{\max} C + L(12C^2 + 13C) + 2C` for vocabulary :math:`V`, width
    :math:`C`, ``block_size`` :math:`T_{\max}` and :math:`L` layers.

    References
    ----------
    A. Radford et al., "Language Models are Unsupervised Multitask Learners" (GPT-2), 2019.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> model = GPT(vocab_size=10, block_size=8, n_layer=1, n_head=2, n_embd=8)
    >>> tuple(model(torch.zeros(2, 5, dtype=torch.long)).shape)
    (2, 5, 10)
    >>> model.num_params() == 10*8 + 8*8 + 1*(12*8*8 + 13*8) + 2*8
    True
    >>> tuple(model.generate(torch.zeros(1, 3, dtype=torch.long), 4).shape)
    (1, 7)
    """

    def __init__(self, vocab_size: int, block_size: int, n_layer: int, n_head: int,
                 n_embd: int, dropout: float = 0.0):
        super().__init__()
        self.vocab_size = _checks.positive_int(vocab_size, "vocab_size")
        self.block_size = _checks.positive_int(block_size, "block_size")
        self.n_layer = _checks.positive_int(n_layer, "n_layer")
        n_head = _checks.positive_int(n_head, "n_head")
        n_embd = _checks.positive_int(n_embd, "n_embd")
        dropout = _checks.probability(dropout, "dropout", high_open=True)
        if n_embd % n_head:
            raise ValueError(f"n_embd={n_embd} must be divisible by n_head={n_head}")
        self.tok_emb = nn.Embedding(vocab_size, n_embd)
        self.pos_emb = nn.Embedding(block_size, n_embd)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(Block(n_embd, n_head, dropout) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(n_embd)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def num_params(self) -> int:
        """Number of parameters (the shared embedding counted once).

        Examples
        --------
        >>> GPT(5, 4, 1, 1, 4).num_params()        # 5*4 + 4*4 + (12*4*4 + 13*4) + 2*4
        288
        """
        return sum(p.numel() for p in self.parameters())

    def _check_idx(self, idx, past: int):
        if not isinstance(idx, torch.Tensor) or idx.dtype != torch.long or idx.dim() != 2:
            raise TypeError(f"idx must be a 2-D tensor of token ids (torch.long), got "
                            f"{type(idx).__name__} "
                            + (f"{idx.dtype} of shape {tuple(idx.shape)}"
                               if isinstance(idx, torch.Tensor) else ""))
        T = idx.shape[1]
        if T == 0:
            raise ValueError("idx must hold at least one token per row, got shape "
                             f"{tuple(idx.shape)}")
        if past + T > self.block_size:
            raise ValueError(f"the sequence has {past + T} positions ({past} cached + {T} new) "
                             f"but block_size is {self.block_size}")
        lo, hi = int(idx.min()), int(idx.max())
        if lo < 0 or hi >= self.vocab_size:
            raise ValueError(f"token ids must lie in [0, {self.vocab_size}), got ids from {lo} "
                             f"to {hi}")

    def forward(self, idx, kv_cache: KVCache | None = None):
        r"""Logits (B, T, vocab_size) of the next token at every position of ``idx`` (B, T).

        With a ``kv_cache``, ``idx`` holds the tokens that follow the ``kv_cache.length`` cached
        ones; their keys and values are added to the cache.

        Raises
        ------
        TypeError
            If ``idx`` is not a 2-D ``torch.long`` tensor.
        ValueError
            If the positions (cached + new) exceed ``block_size`` or an id is out of range.

        Examples
        --------
        >>> model = GPT(6, 8, 1, 1, 4).eval()
        >>> idx = torch.tensor([[1, 2, 3]])
        >>> cache = KVCache(1)
        >>> step = torch.cat([model(idx[:, :2], cache), model(idx[:, 2:], cache)], dim=1)
        >>> torch.allclose(step, model(idx), atol=1e-6)
        True
        """
        past = 0 if kv_cache is None else kv_cache.length
        x = self.embed(idx, past)                                               # (B, T, C)
        for i, block in enumerate(self.blocks):
            x = block(x, kv_cache, i, self.block_size)
        if kv_cache is not None:
            kv_cache.length += idx.shape[1]
        return self.logits(x)                                                   # (B, T, V)

    def embed(self, idx, past: int = 0):
        r"""Token plus position embeddings (B, T, C) of ids (B, T) at positions
        ``past, ..., past + T - 1``, after checking the ids (errors as :meth:`forward`).

        Examples
        --------
        >>> model = GPT(6, 8, 1, 1, 4)
        >>> x = model.embed(torch.tensor([[5]]), past=2)
        >>> torch.equal(x[0, 0], model.tok_emb.weight[5] + model.pos_emb.weight[2])
        True
        """
        self._check_idx(idx, past)
        pos = torch.arange(past, past + idx.shape[1], device=idx.device)
        return self.drop(self.tok_emb(idx) + self.pos_emb(pos))

    def logits(self, x):
        r"""Next-token logits (B, T, V) from the last block's output ``x`` (B, T, C): the final
        layer norm, then the transposed token embedding.

        Examples
        --------
        >>> model = GPT(6, 8, 1, 1, 4)
        >>> tuple(model.logits(torch.zeros(2, 3, 4)).shape)
        (2, 3, 6)
        """
        return self.ln_f(x) @ self.tok_emb.weight.T

    @torch.no_grad()
    def generate(self, idx, max_new_tokens: int, temperature: float = 1.0, top_k=None,
                 top_p=None, use_cache: bool = True, generator=None):
        r"""Extend ``idx`` (B, T) by ``max_new_tokens`` tokens drawn from the model.

        Parameters
        ----------
        idx : LongTensor of shape (B, T)
            The prompt, :math:`1 \le T \le` ``block_size``.
        max_new_tokens : int
        temperature : float, default 1.0
            Divides the logits; **0 means greedy decoding** (the most probable token).
        top_k, top_p : optional
            Keep the ``top_k`` most probable tokens, or the smallest set holding probability
            ``top_p``, as :func:`dlbook.nlp.sampling_torch.sampling_distribution`.
        use_cache : bool, default True
            Keep keys and values between steps (:class:`KVCache`) instead of recomputing the
            whole context. Once the sequence is longer than ``block_size`` the context window
            slides, every position moves, and the cache is rebuilt from the window at each
            step, so the two modes stay equal.
        generator : torch.Generator, optional
            For reproducible sampling.

        Returns
        -------
        LongTensor of shape (B, T + max_new_tokens)

        Raises
        ------
        ValueError
            If the prompt is longer than ``block_size`` (or empty), or an argument is invalid.

        Notes
        -----
        The model is put in evaluation mode (no dropout) while it generates and put back after.

        Examples
        --------
        >>> _ = torch.manual_seed(1)
        >>> model = GPT(vocab_size=7, block_size=16, n_layer=2, n_head=2, n_embd=8)
        >>> prompt = torch.tensor([[1, 2, 3]])
        >>> a = model.generate(prompt, 10, temperature=0.0, use_cache=True)
        >>> b = model.generate(prompt, 10, temperature=0.0, use_cache=False)
        >>> torch.equal(a, b)
        True
        >>> model.generate(torch.zeros(1, 17, dtype=torch.long), 1)
        Traceback (most recent call last):
            ...
        ValueError: the prompt has 17 tokens but block_size is 16
        """
        max_new_tokens = _checks.int_value(max_new_tokens, "max_new_tokens", low=0)
        temperature = _checks.real_value(temperature, "temperature", low=0.0)
        use_cache = _checks.boolean(use_cache, "use_cache")
        if isinstance(idx, torch.Tensor) and idx.dim() == 2 and idx.shape[1] > self.block_size:
            raise ValueError(f"the prompt has {idx.shape[1]} tokens but block_size is "
                             f"{self.block_size}")
        self._check_idx(idx, 0)
        was_training = self.training
        self.eval()
        try:
            cache = None
            for step in range(max_new_tokens):
                window = idx[:, -self.block_size:]
                if not use_cache:
                    logits = self(window)[:, -1]
                elif cache is None or cache.length >= self.block_size:
                    cache = KVCache(self.n_layer)                   # (re)fill from the window
                    logits = self(window, cache)[:, -1]
                else:
                    logits = self(idx[:, -1:], cache)[:, -1]        # only the newest token
                if temperature == 0.0:
                    nxt = logits.argmax(dim=-1, keepdim=True)       # (B, 1)
                else:
                    probs = sampling_distribution(logits, temperature, top_k, top_p)
                    nxt = torch.multinomial(probs, 1, generator=generator)
                idx = torch.cat([idx, nxt], dim=1)
        finally:
            self.train(was_training)
        return idx
