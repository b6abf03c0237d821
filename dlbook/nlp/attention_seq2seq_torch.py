r"""GRU encoder–decoders for translation, with additive, multiplicative or no attention.

The encoder is a bidirectional GRU over the source words; its states :math:`h_i` (forward and
backward halves concatenated, size :math:`2H`) are the keys of the attention.  The decoder is a
GRU of size :math:`H` whose first state is :math:`\tanh(W_b [\overrightarrow{h}_S;
\overleftarrow{h}_1])`.  Three decoders share everything else:

- ``"none"``: the decoder sees the source only through its first state (the classic
  encoder–decoder, the baseline);
- ``"additive"`` (Bahdanau): at step :math:`t` the previous decoder state scores every source
  position, the context :math:`c_t` joins the word embedding as the GRU's input, and the output
  layer reads :math:`[s_t; c_t; e(y_{t-1})]`;
- ``"multiplicative"`` (Luong, "general" score, without input feeding): the GRU runs first and
  the new state :math:`s_t` scores the positions; the output layer reads
  :math:`\tilde h_t = \tanh(W_c [c_t; s_t])`.  Because the attention does not feed back into the
  GRU, teacher-forced training runs every decoder step in one call.

The vocabulary protocol of the translation task (shared with the transformer of Part 4): words
seen at least twice in the training split of each language, plus ``<unk>`` (id 0), ``<pad>``,
``<bos>`` and ``<eos>``.

See Also
--------
dlbook.nlp.attention_torch : the attention functions these models call.
dlbook.data.verse_pairs.verse_task : the Spanish→English task.
:ref:`ch-attention` : the chapter.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from dlbook import _checks
from dlbook.nlp.attention_torch import additive_attention, multiplicative_attention
from dlbook.nlp.beam_search import beam_search, greedy_search
from dlbook.nlp.text import Vocabulary

__all__ = ["UNK", "PAD", "BOS", "EOS", "SPECIALS", "build_vocabularies", "encode_pairs",
           "pad_ids", "AttentionSeq2Seq", "train_translator", "make_step_fn", "translate",
           "attention_map"]

UNK = 0
PAD = 1
BOS = 2
EOS = 3
SPECIALS = ("<pad>", "<bos>", "<eos>")
ATTENTIONS = ("none", "additive", "multiplicative")


def build_vocabularies(pairs, min_count: int = 2):
    r"""Source and target :class:`~dlbook.nlp.text.Vocabulary` of the training pairs.

    Ids: ``<unk>`` 0, ``<pad>`` 1, ``<bos>`` 2, ``<eos>`` 3, then words by falling count.

    Examples
    --------
    >>> src, tgt = build_vocabularies([(["y", "dijo"], ["and", "said"]),
    ...                                (["y", "vio"], ["and", "saw"])])
    >>> src.index_to_token, tgt.encode(["and", "saw"])
    (['<unk>', '<pad>', '<bos>', '<eos>', 'y'], [4, 0])
    """
    min_count = _checks.positive_int(min_count, "min_count")
    src = Vocabulary([s for s, _ in pairs], min_count=min_count, specials=SPECIALS)
    tgt = Vocabulary([t for _, t in pairs], min_count=min_count, specials=SPECIALS)
    return src, tgt


def encode_pairs(pairs, src_vocab, tgt_vocab):
    r"""Id lists: sources as they are, targets followed by ``EOS``.

    Examples
    --------
    >>> src, tgt = build_vocabularies([(["y"], ["and"]), (["y"], ["and"])])
    >>> encode_pairs([(["y", "luz"], ["and", "light"])], src, tgt)
    ([[4, 0]], [[4, 0, 3]])
    """
    return ([src_vocab.encode(s) for s, _ in pairs],
            [tgt_vocab.encode(t) + [EOS] for _, t in pairs])


def pad_ids(seqs, device=None):
    """Right-pad id lists with ``PAD`` into a LongTensor (N, T_max); also their lengths (N,).

    Examples
    --------
    >>> x, n = pad_ids([[5, 6, 7], [8]])
    >>> x.tolist(), n.tolist()
    ([[5, 6, 7], [8, 1, 1]], [3, 1])
    """
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.long)
    if len(seqs) == 0 or (lengths == 0).any():
        raise ValueError("pad_ids needs at least one sequence and no empty sequence")
    out = torch.full((len(seqs), int(lengths.max())), PAD, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, :len(s)] = torch.as_tensor(s, dtype=torch.long)
    return out.to(device), lengths.to(device)


class AttentionSeq2Seq(nn.Module):
    r"""Bidirectional-GRU encoder, GRU decoder, with ``attention`` in {"none", "additive",
    "multiplicative"}.

    Parameters
    ----------
    n_src, n_tgt : int
        Vocabulary sizes.
    emb : int, default 64
        Embedding size (both languages).
    hidden : int, default 128
        Decoder size :math:`H`; each encoder direction also has :math:`H` units.
    attention : {"none", "additive", "multiplicative"}
    attn_size : int, default 64
        Hidden size :math:`A` of the additive score.
    dropout : float, default 0.2
        Dropout on the embeddings and before the output layer.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> m = AttentionSeq2Seq(20, 30, emb=8, hidden=16, attention="additive").eval()
    >>> src, n = pad_ids([[5, 6, 7], [8, 9]])
    >>> logits, weights = m.teacher_forced(src, n, torch.tensor([[BOS, 4], [BOS, 5]]))
    >>> logits.shape, weights.shape, weights[1, :, 2].tolist()     # padding gets no weight
    (torch.Size([2, 2, 30]), torch.Size([2, 2, 3]), [0.0, 0.0])
    """

    def __init__(self, n_src, n_tgt, emb=64, hidden=128, attention="additive", attn_size=64,
                 dropout=0.2):
        super().__init__()
        self.attention = _checks.one_of(attention, "attention", ATTENTIONS)
        H = hidden
        self.src_emb = nn.Embedding(n_src, emb, padding_idx=PAD)
        self.tgt_emb = nn.Embedding(n_tgt, emb, padding_idx=PAD)
        self.encoder = nn.GRU(emb, H, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(2 * H, H)
        self.drop = nn.Dropout(dropout)
        if attention == "additive":
            self.cell = nn.GRUCell(emb + 2 * H, H)
            self.weight_query = nn.Parameter(torch.randn(attn_size, H) / H ** 0.5)
            self.weight_key = nn.Parameter(torch.randn(attn_size, 2 * H) / (2 * H) ** 0.5)
            self.v = nn.Parameter(torch.randn(attn_size) / attn_size ** 0.5)
            self.combine = nn.Linear(H + 2 * H + emb, H)
        else:
            self.decoder = nn.GRU(emb, H, batch_first=True)
            if attention == "multiplicative":
                self.weight = nn.Parameter(torch.randn(H, 2 * H) / H)
                self.combine = nn.Linear(2 * H + H, H)
            else:
                self.combine = nn.Linear(H, H)
        self.out = nn.Linear(H, n_tgt)

    def encode(self, src, src_len):
        """Keys (N, S, 2H), mask (N, S) of real positions, first decoder state (N, H)."""
        packed = pack_padded_sequence(self.drop(self.src_emb(src)), src_len.cpu(),
                                      batch_first=True, enforce_sorted=False)
        out, h = self.encoder(packed)
        keys, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        mask = torch.arange(src.shape[1], device=src.device)[None, :] < src_len[:, None]
        state = torch.tanh(self.bridge(torch.cat([h[0], h[1]], dim=-1)))
        return keys, mask, state

    def _additive_step(self, y_emb, state, keys, mask):
        ctx, w = additive_attention(state, keys, self.weight_query, self.weight_key, self.v,
                                    mask)
        state = self.cell(torch.cat([y_emb, ctx], dim=-1), state)
        feat = torch.tanh(self.combine(torch.cat([state, ctx, y_emb], dim=-1)))
        return self.out(self.drop(feat)), state, w

    def teacher_forced(self, src, src_len, tgt_in):
        """Logits (N, T, n_tgt) for decoder inputs ``tgt_in`` (N, T), and the attention
        weights (N, T, S) (``None`` without attention)."""
        keys, mask, state = self.encode(src, src_len)
        y = self.drop(self.tgt_emb(tgt_in))                                  # (N, T, emb)
        if self.attention == "additive":
            logits, weights = [], []
            for t in range(y.shape[1]):
                lg, state, w = self._additive_step(y[:, t], state, keys, mask)
                logits.append(lg)
                weights.append(w)
            return torch.stack(logits, 1), torch.stack(weights, 1)
        out, _ = self.decoder(y, state[None])                                 # (N, T, H)
        if self.attention == "multiplicative":
            ctx, weights = multiplicative_attention(out, keys, self.weight, mask)
            feat = torch.tanh(self.combine(torch.cat([ctx, out], dim=-1)))
            return self.out(self.drop(feat)), weights
        return self.out(self.drop(torch.tanh(self.combine(out)))), None

    def forward(self, src, src_len, tgt_in):
        """Teacher-forced logits (N, T, n_tgt)."""
        return self.teacher_forced(src, src_len, tgt_in)[0]

    def step(self, tokens, state, keys, mask):
        """One decoder step: log-probabilities (M, n_tgt) of the next word after ``tokens``
        (M,), the new state (M, H) and the attention weights (M, S) (``None`` without)."""
        y = self.tgt_emb(tokens)
        if self.attention == "additive":
            logits, state, w = self._additive_step(y, state, keys, mask)
            return torch.log_softmax(logits, -1), state, w
        out, h = self.decoder(y[:, None], state[None])
        s = out[:, 0]
        if self.attention == "multiplicative":
            ctx, w = multiplicative_attention(s, keys, self.weight, mask)
            feat = torch.tanh(self.combine(torch.cat([ctx, s], dim=-1)))
        else:
            feat, w = torch.tanh(self.combine(s)), None
        return torch.log_softmax(self.out(feat), -1), h[0], w


def train_translator(model, src, tgt, epochs=10, batch_size=64, lr=2e-3, seed=0, clip=1.0,
                     device=None):
    """Train with teacher forcing, Adam, cross-entropy over the target words and gradient
    clipping; batches hold sentences of similar length (less padding).

    Returns
    -------
    list of float
        The mean training loss (per target word) of each epoch.  The model is left in eval mode.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> m = AttentionSeq2Seq(8, 8, emb=4, hidden=8, attention="multiplicative")
    >>> src, tgt = [[4, 5], [6, 7, 5]] * 4, [[5, 4, EOS], [7, 6, 5, EOS]] * 4
    >>> losses = train_translator(m, src, tgt, epochs=30, batch_size=4, lr=2e-2)
    >>> losses[-1] < 0.5 * losses[0], m.training
    (True, False)
    """
    if len(src) != len(tgt) or len(src) == 0:
        raise ValueError(f"src and tgt must be non-empty and aligned, got {len(src)} and "
                         f"{len(tgt)}")
    epochs = _checks.positive_int(epochs, "epochs")
    batch_size = _checks.positive_int(batch_size, "batch_size")
    device = torch.device("cpu") if device is None else torch.device(device)
    model.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    lengths = np.array([len(t) for t in tgt])
    losses = []
    for _ in range(epochs):
        model.train()
        # Shuffle, then sort chunks of 20 batches by length: similar lengths share a batch.
        order = rng.permutation(len(src))
        chunk = 20 * batch_size
        order = np.concatenate([c[np.argsort(lengths[c], kind="stable")]
                                for c in np.array_split(order, max(1, len(order) // chunk))])
        batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
        total, words = 0.0, 0
        for b in rng.permutation(len(batches)):
            idx = batches[b]
            x, n = pad_ids([src[j] for j in idx], device)
            y_out, _ = pad_ids([tgt[j] for j in idx], device)
            y_in, _ = pad_ids([[BOS] + tgt[j][:-1] for j in idx], device)
            logits = model(x, n, y_in)                                       # (B, T, V)
            loss = nn.functional.cross_entropy(logits.transpose(1, 2), y_out,
                                               ignore_index=PAD, reduction="sum")
            count = int((y_out != PAD).sum())
            opt.zero_grad()
            (loss / count).backward()
            nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            total, words = total + loss.item(), words + count
        losses.append(total / words)
    model.eval()
    return losses


def make_step_fn(model, src_ids, device=None):
    r"""The ``step_fn(prefixes)`` of :func:`dlbook.nlp.beam_search.beam_search` for one source.

    The source is encoded once.  Each prefix's decoder state is remembered, so a call runs one
    decoder step for each prefix (from its parent's state) instead of re-reading the prefix.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> m = AttentionSeq2Seq(10, 12, emb=4, hidden=8, attention="additive").eval()
    >>> step = make_step_fn(m, [4, 5, 6])
    >>> lp = step([[BOS], [BOS]])
    >>> lp.shape, bool(np.allclose(np.exp(lp).sum(1), 1))
    ((2, 12), True)
    >>> step([[BOS, 7], [BOS, 8]]).shape
    (2, 12)
    """
    device = torch.device("cpu") if device is None else torch.device(device)
    x, n = pad_ids([src_ids], device)
    with torch.no_grad():
        keys, mask, state = model.encode(x, n)
    states = {(): state[0]}

    @torch.no_grad()
    def step(prefixes):
        parents = torch.stack([states[tuple(p[:-1])] for p in prefixes])         # (M, H)
        tokens = torch.tensor([p[-1] for p in prefixes], device=device)
        M = len(prefixes)
        logp, new, _ = model.step(tokens, parents, keys.expand(M, -1, -1),
                                  mask.expand(M, -1))
        for p, s in zip(prefixes, new):
            states[tuple(p)] = s
        return logp.double().cpu().numpy()

    return step


def translate(model, sources, beam_width=None, max_len=40, device=None):
    r"""Translate id lists: greedy decoding (``beam_width=None``) or beam search.

    Beam search is :func:`dlbook.nlp.beam_search.beam_search` with its default length
    normalization; greedy is :func:`dlbook.nlp.beam_search.greedy_search`.

    Returns
    -------
    list of list of int
        The output ids of each source, without ``EOS``.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> m = AttentionSeq2Seq(10, 12, emb=4, hidden=8).eval()
    >>> out = translate(m, [[4, 5], [6]], max_len=5)
    >>> len(out), all(len(o) <= 5 and EOS not in o for o in out)
    (2, True)
    """
    max_len = _checks.positive_int(max_len, "max_len")
    if beam_width is not None:
        beam_width = _checks.positive_int(beam_width, "beam_width")
    model.eval()
    outputs = []
    for src in sources:
        step = make_step_fn(model, src, device)
        if beam_width is None:
            toks, _ = greedy_search(step, BOS, EOS, max_len)
        else:
            toks = beam_search(step, BOS, EOS, beam_width, max_len)[0][0]
        outputs.append([t for t in toks if t != EOS])
    return outputs


@torch.no_grad()
def attention_map(model, src_ids, out_ids, device=None):
    r"""Attention weights (len(out_ids) + 1, len(src_ids)) while the model reads its own
    output ``out_ids`` followed by ``EOS``: row :math:`t` is where it looked to write word
    :math:`t`.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> m = AttentionSeq2Seq(10, 12, emb=4, hidden=8, attention="multiplicative").eval()
    >>> w = attention_map(m, [4, 5, 6], [7, 8])
    >>> w.shape, bool(np.allclose(w.sum(1), 1))
    ((3, 3), True)
    """
    if model.attention == "none":
        raise ValueError("a model without attention has no attention map")
    device = torch.device("cpu") if device is None else torch.device(device)
    model.eval()
    x, n = pad_ids([src_ids], device)
    y_in, _ = pad_ids([[BOS] + list(out_ids)], device)
    _, weights = model.teacher_forced(x, n, y_in)
    return weights[0].double().cpu().numpy()
