r"""Character-level text generation: an LSTM language model and a sampling loop.

The model reads characters one at a time and predicts the next one; to generate, it is fed
its own samples.  How each next character is drawn from the predicted distribution is the
job of :mod:`dlbook.nlp.sampling_torch` (temperature, top-k, top-p).  The same code trains on
English (about 100 distinct characters) and on classical Chinese poems (a few thousand).

See Also
--------
dlbook.nlp.sampling_torch : temperature, top-k and top-p sampling.
:ref:`ch-attention` : the chapter.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from dlbook import _checks
from dlbook.nlp.sampling_torch import sample_next

__all__ = ["CharVocab", "CharLSTM", "train_char_lm", "char_lm_loss", "generate"]


class CharVocab:
    """Characters of a text, by falling count; ``encode``/``decode`` between text and ids.

    Examples
    --------
    >>> v = CharVocab("abracadabra")
    >>> v.chars[:3], v.encode("cab"), v.decode([0, 1])
    (['a', 'b', 'r'], [3, 0, 1], 'ab')
    """

    def __init__(self, text: str):
        if not isinstance(text, str) or not text:
            raise ValueError("CharVocab needs a non-empty string")
        counts = {}
        for ch in text:
            counts[ch] = counts.get(ch, 0) + 1
        self.chars = sorted(counts, key=lambda c: (-counts[c], c))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self):
        return len(self.chars)

    def encode(self, text: str) -> list[int]:
        """Ids of the characters (a KeyError names a character not in the vocabulary)."""
        return [self.index[c] for c in text]

    def decode(self, ids) -> str:
        """The text of a sequence of ids."""
        return "".join(self.chars[int(i)] for i in ids)


class CharLSTM(nn.Module):
    r"""Embedding → LSTM → linear: next-character logits for every position.

    Examples
    --------
    >>> m = CharLSTM(vocab_size=30, emb=8, hidden=16)
    >>> logits, state = m(torch.zeros(2, 5, dtype=torch.long))
    >>> logits.shape, state[0].shape
    (torch.Size([2, 5, 30]), torch.Size([1, 2, 16]))
    """

    def __init__(self, vocab_size, emb=64, hidden=256):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, emb)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab_size)

    def forward(self, x, state=None):
        """Logits (N, T, V) for ids (N, T), and the LSTM state after the last step."""
        h, state = self.lstm(self.emb(x), state)
        return self.out(h), state


def _windows(ids, starts, seq_len):
    idx = starts[:, None] + np.arange(seq_len + 1)                         # (B, L + 1)
    chunk = torch.as_tensor(ids[idx], dtype=torch.long)
    return chunk[:, :-1], chunk[:, 1:]


def train_char_lm(model, ids, steps=300, seq_len=64, batch_size=32, lr=3e-3, seed=0,
                  device=None):
    r"""Train on random windows of ``ids`` (next-character cross-entropy, Adam, clipping).

    Returns
    -------
    list of float
        The loss (nats per character) of every step; the model is left in eval mode.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> v = CharVocab("abcabcabc")
    >>> m = CharLSTM(len(v), emb=4, hidden=16)
    >>> losses = train_char_lm(m, np.array(v.encode("abc" * 50)), steps=60, seq_len=8,
    ...                        batch_size=8, lr=1e-2)
    >>> losses[-1] < 0.1 < losses[0]
    True
    """
    ids = np.asarray(ids)
    steps = _checks.positive_int(steps, "steps")
    if ids.ndim != 1 or ids.shape[0] <= seq_len + 1:
        raise ValueError(f"ids must be 1-D and longer than seq_len + 1 = {seq_len + 1}, got "
                         f"shape {ids.shape}")
    device = torch.device("cpu") if device is None else torch.device(device)
    model.to(device).train()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(steps):
        x, y = _windows(ids, rng.integers(0, len(ids) - seq_len - 1, batch_size), seq_len)
        logits, _ = model(x.to(device))
        loss = nn.functional.cross_entropy(logits.transpose(1, 2), y.to(device))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
    model.eval()
    return losses


@torch.no_grad()
def char_lm_loss(model, ids, seq_len=128, device=None) -> float:
    r"""Mean next-character cross-entropy (nats) over consecutive windows of ``ids``.

    Examples
    --------
    >>> m = CharLSTM(5, emb=4, hidden=8)
    >>> _ = m.out.weight.data.zero_(), m.out.bias.data.zero_()        # uniform predictions
    >>> round(char_lm_loss(m, np.arange(40) % 5, seq_len=8), 6) == round(float(np.log(5)), 6)
    True
    """
    ids = np.asarray(ids)
    device = torch.device("cpu") if device is None else torch.device(device)
    n = (len(ids) - 1) // seq_len
    if n < 1:
        raise ValueError(f"ids needs more than seq_len + 1 = {seq_len + 1} characters")
    x, y = _windows(ids, np.arange(n) * seq_len, seq_len)
    logits, _ = model(x.to(device))
    return float(nn.functional.cross_entropy(logits.transpose(1, 2), y.to(device)))


@torch.no_grad()
def generate(model, prompt_ids, n_chars, temperature=1.0, top_k=None, top_p=None, seed=0,
             device=None) -> list[int]:
    r"""Sample ``n_chars`` ids after ``prompt_ids``, one at a time, each fed back in.

    Each next id is drawn by :func:`dlbook.nlp.sampling_torch.sample_next` from the last
    logits (temperature, then top-k, then top-p).

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> m = CharLSTM(6, emb=4, hidden=8).eval()
    >>> out = generate(m, [1, 2], 5, temperature=0.5, seed=1)
    >>> len(out), all(0 <= i < 6 for i in out)
    (5, True)
    """
    n_chars = _checks.positive_int(n_chars, "n_chars")
    if len(prompt_ids) == 0:
        raise ValueError("generate needs a prompt of at least one character")
    device = torch.device("cpu") if device is None else torch.device(device)
    model.eval()
    gen = torch.Generator(device=device).manual_seed(seed)
    logits, state = model(torch.tensor([list(prompt_ids)], device=device))
    out = []
    for _ in range(n_chars):
        nxt = sample_next(logits[0, -1].double(), temperature, top_k, top_p, rng=gen)
        out.append(nxt)
        logits, state = model(torch.tensor([[nxt]], device=device), state)
    return out
