r"""Training and measuring language models on a stream of token ids: random windows for
training, perplexity on held-out text, and an LSTM language model to compare a GPT with.

Every model here maps ids (B, T) to next-token logits (B, T, V), so the same loop trains
:class:`dlbook.transformer.gpt_torch.GPT` and :class:`LSTMLanguageModel`, and
:func:`evaluate_nll` scores both on exactly the same predictions.

See Also
--------
dlbook.nlp.ngram_lm.NGramLM : the n-gram baseline.
:ref:`ch-language-models` : the chapter.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from dlbook import _checks

__all__ = ["LSTMLanguageModel", "get_batch", "TrainingLog", "train_language_model",
           "evaluate_nll"]


class LSTMLanguageModel(nn.Module):
    r"""An embedding, a stacked LSTM and a linear layer to the vocabulary.

    Parameters
    ----------
    vocab_size, n_embd, hidden_size : int
    num_layers : int, default 1
    dropout : float, default 0.0
        Between the LSTM layers and before the output layer.

    Examples
    --------
    >>> model = LSTMLanguageModel(vocab_size=10, n_embd=4, hidden_size=8)
    >>> tuple(model(torch.zeros(2, 5, dtype=torch.long)).shape)
    (2, 5, 10)
    """

    def __init__(self, vocab_size: int, n_embd: int, hidden_size: int, num_layers: int = 1,
                 dropout: float = 0.0):
        super().__init__()
        self.emb = nn.Embedding(_checks.positive_int(vocab_size, "vocab_size"),
                                _checks.positive_int(n_embd, "n_embd"))
        self.lstm = nn.LSTM(n_embd, _checks.positive_int(hidden_size, "hidden_size"),
                            _checks.positive_int(num_layers, "num_layers"), batch_first=True,
                            dropout=dropout if num_layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, idx):
        """Logits (B, T, V) for ids (B, T); each window starts from a zero state."""
        out, _ = self.lstm(self.emb(idx))                                      # (B, T, H)
        return self.head(self.drop(out))


def _check_stream(data, name="data"):
    if not isinstance(data, torch.Tensor) or data.dtype != torch.long or data.dim() != 1:
        raise TypeError(f"{name} must be a 1-D torch.long tensor of token ids, got "
                        f"{type(data).__name__}"
                        + (f" {data.dtype} of shape {tuple(data.shape)}"
                           if isinstance(data, torch.Tensor) else ""))


def get_batch(data, block_size: int, batch_size: int, generator=None):
    r"""``batch_size`` random windows of ``block_size`` tokens and the same windows shifted by
    one (the targets).

    Parameters
    ----------
    data : LongTensor of shape (M,)
        A stream of token ids, :math:`M > \text{block\_size}`.
    block_size, batch_size : int
    generator : torch.Generator, optional

    Returns
    -------
    x, y : LongTensor of shape (batch_size, block_size)
        ``y[b, t] = data[s_b + t + 1]`` is the token after ``x[b, t] = data[s_b + t]``.

    Raises
    ------
    ValueError
        If the stream is not longer than ``block_size``.

    Examples
    --------
    >>> x, y = get_batch(torch.arange(10), block_size=4, batch_size=2,
    ...                  generator=torch.Generator().manual_seed(0))
    >>> bool(torch.equal(x + 1, y))
    True
    """
    _check_stream(data)
    block_size = _checks.positive_int(block_size, "block_size")
    batch_size = _checks.positive_int(batch_size, "batch_size")
    if data.numel() <= block_size:
        raise ValueError(f"data has {data.numel()} tokens, not more than block_size="
                         f"{block_size}")
    starts = torch.randint(0, data.numel() - block_size, (batch_size,), generator=generator)
    offsets = torch.arange(block_size)
    x = data[starts[:, None] + offsets]                                         # (B, T)
    y = data[starts[:, None] + offsets + 1]
    return x, y


@dataclass(frozen=True)
class TrainingLog:
    """What :func:`train_language_model` did: the loss of every step, the tokens it read and the
    CPU seconds it took."""

    losses: list
    tokens_seen: int
    cpu_seconds: float


def train_language_model(model, data, steps: int, block_size: int, batch_size: int,
                         lr: float = 3e-3, weight_decay: float = 0.0, warmup: int = 0,
                         seed: int = 0, device=None) -> TrainingLog:
    r"""Train with AdamW on random windows of ``data``; the learning rate warms up linearly for
    ``warmup`` steps, then decays by a cosine to 10 % of ``lr``.

    Parameters
    ----------
    model : nn.Module
        Maps ids (B, T) to logits (B, T, V).
    data : LongTensor of shape (M,)
    steps, block_size, batch_size : int
    lr, weight_decay : float
    warmup : int, default 0
    seed : int
        Seeds the windows drawn.
    device : torch.device, optional
        Defaults to the model's device.

    Returns
    -------
    TrainingLog

    Notes
    -----
    The loss is the mean cross-entropy :math:`-\frac{1}{BT}\sum \log p(y_{b,t} \mid
    x_{b,\le t})` in nats; gradients are clipped to norm 1.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> model = LSTMLanguageModel(5, 8, 16)
    >>> log = train_language_model(model, torch.arange(200) % 5, steps=60, block_size=8,
    ...                            batch_size=8, lr=1e-2)
    >>> log.losses[-1] < 0.2 < log.losses[0]          # "0 1 2 3 4 0 1 ..." is learned
    True
    """
    _check_stream(data)
    steps = _checks.positive_int(steps, "steps")
    warmup = _checks.int_value(warmup, "warmup", low=0)
    lr = _checks.positive_real(lr, "lr")
    device = device or next(model.parameters()).device
    gen = torch.Generator().manual_seed(_checks.int_value(seed, "seed", low=0))
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)

    def rate(step):
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, steps - warmup)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, rate)
    model.train()
    losses, start = [], time.process_time()
    for _ in range(steps):
        x, y = get_batch(data, block_size, batch_size, gen)
        x, y = x.to(device), y.to(device)
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        losses.append(loss.item())
    model.eval()
    return TrainingLog(losses, steps * batch_size * block_size, time.process_time() - start)


@torch.no_grad()
def evaluate_nll(model, data, block_size: int, batch_size: int = 32, device=None) -> float:
    r"""Mean negative log-likelihood (nats per token) of ``data[1:]`` given what precedes it, in
    consecutive windows of ``block_size`` tokens; ``exp`` of it is the perplexity.

    Every token after the first is predicted exactly once, from the tokens before it in its
    window (so from up to ``block_size - 1`` tokens of context, fewer at a window's start).

    Examples
    --------
    A model whose logits are all equal gives every token probability 1/V, so the NLL is
    :math:`\log V`:

    >>> class Flat(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = nn.Parameter(torch.zeros(1))
    ...     def forward(self, idx):
    ...         return torch.zeros(*idx.shape, 7) + 0 * self.w
    >>> nll = evaluate_nll(Flat(), torch.arange(100) % 7, block_size=10)
    >>> round(nll, 6), round(math.log(7), 6)
    (1.94591, 1.94591)
    """
    _check_stream(data)
    block_size = _checks.positive_int(block_size, "block_size")
    device = device or next(model.parameters()).device
    model.eval()
    x_all, y_all = data[:-1], data[1:]
    total, count = 0.0, 0
    n = x_all.numel()
    starts = list(range(0, n, block_size))
    for i in range(0, len(starts), batch_size):
        rows = starts[i:i + batch_size]
        full = [s for s in rows if s + block_size <= n]
        groups = [full] + [[s] for s in rows if s + block_size > n]
        for group in groups:
            if not group:
                continue
            length = min(block_size, n - group[0])
            x = torch.stack([x_all[s:s + length] for s in group]).to(device)
            y = torch.stack([y_all[s:s + length] for s in group]).to(device)
            logits = model(x)
            total += F.cross_entropy(logits.flatten(0, 1).float(), y.flatten(),
                                     reduction="sum").item()
            count += y.numel()
    return total / count
