r"""The two small speech networks of the speech chapter, and their training loops.

- :class:`CTCRecognizer`: log-mel frames → a 1-D convolution with a stride (2: half as many
  frames) → a bidirectional GRU → per-frame log-probabilities over the blank and the words,
  trained with the CTC loss of Part 7's forward algorithm (:func:`dlbook.nlp.ctc_torch.ctc_loss`).
- :class:`TriggerDetector`: log-mel frames → a 1-D convolution with stride 4 → a one-directional
  GRU (a detector must not wait for the future) → one logit per output frame, "the trigger word
  just ended", trained with binary cross-entropy.

Features are ``(N, T, n_mels)`` batches, zero-padded at the end, with their lengths.

See Also
--------
dlbook.nlp.audio : the log-mel features.  :ref:`ch-speech` : the chapter.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from dlbook import _checks
from dlbook.nlp.ctc_torch import ctc_loss

__all__ = ["pad_frames", "CTCRecognizer", "train_ctc", "TriggerDetector", "train_trigger"]


def pad_frames(feats, device=None):
    r"""Zero-pad feature arrays (T_i, F) into a float32 tensor (N, T_max, F) and lengths (N,).

    Examples
    --------
    >>> x, n = pad_frames([np.ones((3, 2)), np.ones((1, 2))])
    >>> x.shape, n.tolist(), x[1, 1:].abs().sum().item()
    (torch.Size([2, 3, 2]), [3, 1], 0.0)
    """
    if len(feats) == 0:
        raise ValueError("pad_frames needs at least one feature array")
    lengths = torch.tensor([f.shape[0] for f in feats], dtype=torch.long)
    out = torch.zeros(len(feats), int(lengths.max()), feats[0].shape[1])
    for i, f in enumerate(feats):
        out[i, :f.shape[0]] = torch.as_tensor(np.asarray(f), dtype=torch.float32)
    return out.to(device), lengths.to(device)


class CTCRecognizer(nn.Module):
    r"""Conv1d (with a stride) + bidirectional GRU + linear: log-probabilities (T', N, n_classes).

    Parameters
    ----------
    n_mels : int
        Features per frame.
    n_classes : int
        Words plus the blank (index 0).
    hidden : int, default 96
        GRU size per direction (and convolution channels).
    stride : int, default 2
        Stride of the convolution (kernel ``2 * stride + 1``): one output frame per ``stride``
        input frames.

    Examples
    --------
    >>> m = CTCRecognizer(n_mels=40, n_classes=11, hidden=16)
    >>> x, n = pad_frames([np.zeros((50, 40)), np.zeros((31, 40))])
    >>> lp, out_len = m(x, n)
    >>> lp.shape, out_len.tolist()
    (torch.Size([25, 2, 11]), [25, 16])
    """

    def __init__(self, n_mels, n_classes, hidden=96, stride=2):
        super().__init__()
        self.stride = _checks.positive_int(stride, "stride")
        self.conv = nn.Conv1d(n_mels, hidden, kernel_size=2 * stride + 1, stride=stride,
                              padding=stride)
        self.gru = nn.GRU(hidden, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, n_classes)

    def output_lengths(self, lengths):
        """Frames after the convolution: (T - 1) // stride + 1."""
        return (lengths - 1) // self.stride + 1

    def forward(self, x, lengths):
        """Log-probabilities (T', N, C) and output lengths (N,) for features (N, T, F)."""
        h = torch.relu(self.conv(x.transpose(1, 2))).transpose(1, 2)       # (N, T', hidden)
        out_len = self.output_lengths(lengths)
        packed = pack_padded_sequence(h, out_len.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = self.gru(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=h.shape[1])
        return torch.log_softmax(self.out(out), dim=-1).transpose(0, 1), out_len


def train_ctc(model, feats, targets, epochs=10, batch_size=32, lr=3e-3, seed=0, device=None):
    r"""Train a :class:`CTCRecognizer` with Adam on the CTC loss (mean over the batch of the
    loss per target word, as ``reduction="mean"``).

    Parameters
    ----------
    feats : list of ndarray (T_i, F)
    targets : list of list of int
        Word ids (1..C-1), never the blank.

    Returns
    -------
    list of float
        The mean loss of each epoch; the model is left in eval mode.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> m = CTCRecognizer(4, 3, hidden=8)
    >>> rng = np.random.default_rng(0)
    >>> feats = [rng.normal(size=(12, 4)) + k for k in (0, 2) for _ in range(8)]
    >>> losses = train_ctc(m, feats, [[1]] * 8 + [[2, 2]] * 8, epochs=15, batch_size=8)
    >>> losses[-1] < losses[0] / 2
    True
    """
    if len(feats) != len(targets) or not feats:
        raise ValueError(f"feats and targets must be non-empty and aligned, got {len(feats)} "
                         f"and {len(targets)}")
    epochs = _checks.positive_int(epochs, "epochs")
    device = torch.device("cpu") if device is None else torch.device(device)
    model.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        model.train()
        order = rng.permutation(len(feats))
        total = 0.0
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            x, n = pad_frames([feats[j] for j in idx], device)
            tl = torch.tensor([len(targets[j]) for j in idx], device=device)
            y = torch.zeros(len(idx), int(tl.max()), dtype=torch.long, device=device)
            for r, j in enumerate(idx):
                y[r, :len(targets[j])] = torch.tensor(targets[j])
            log_probs, out_len = model(x, n)
            loss = ctc_loss(log_probs, y, out_len, tl, reduction="mean")
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            total += loss.item() * len(idx)
        losses.append(total / len(feats))
    model.eval()
    return losses


class TriggerDetector(nn.Module):
    r"""Conv1d (stride 4) + GRU + linear: one logit per output frame, shape (N, T').

    Examples
    --------
    >>> m = TriggerDetector(n_mels=40, hidden=16)
    >>> m(torch.zeros(2, 300, 40)).shape
    torch.Size([2, 75])
    """

    def __init__(self, n_mels, hidden=64):
        super().__init__()
        self.conv = nn.Conv1d(n_mels, hidden, kernel_size=8, stride=4, padding=2)
        self.norm = nn.BatchNorm1d(hidden)
        self.gru = nn.GRU(hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        """Logits (N, T') for features (N, T, F); T' = T // 4."""
        h = torch.relu(self.norm(self.conv(x.transpose(1, 2)))).transpose(1, 2)
        out, _ = self.gru(h)
        return self.out(out)[..., 0]


def train_trigger(model, x, y, epochs=10, batch_size=32, lr=3e-3, pos_weight=1.0, seed=0,
                  device=None):
    r"""Train a :class:`TriggerDetector` with Adam on binary cross-entropy from logits.

    Parameters
    ----------
    x : ndarray (N, T, F)
    y : ndarray (N, T') of 0/1 frame labels
    pos_weight : float
        Weight of the positive frames (they are few).

    Returns
    -------
    list of float
        The mean loss of each epoch; the model is left in eval mode.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> m = TriggerDetector(4, hidden=8)
    >>> x = np.random.default_rng(0).normal(size=(16, 40, 4))
    >>> y = np.zeros((16, 10)); y[:, 5:] = 1
    >>> losses = train_trigger(m, x, y, epochs=20, batch_size=8)
    >>> losses[-1] < losses[0]
    True
    """
    epochs = _checks.positive_int(epochs, "epochs")
    device = torch.device("cpu") if device is None else torch.device(device)
    model.to(device)
    xt = torch.as_tensor(np.asarray(x), dtype=torch.float32)
    yt = torch.as_tensor(np.asarray(y), dtype=torch.float32)
    if xt.shape[0] != yt.shape[0]:
        raise ValueError(f"x has {xt.shape[0]} clips but y has {yt.shape[0]}")
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    weight = torch.tensor(float(pos_weight), device=device)
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        model.train()
        order = rng.permutation(len(xt))
        total = 0.0
        for i in range(0, len(order), batch_size):
            idx = torch.as_tensor(order[i:i + batch_size])
            logits = model(xt[idx].to(device))
            loss = nn.functional.binary_cross_entropy_with_logits(
                logits, yt[idx].to(device), pos_weight=weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        losses.append(total / len(xt))
    model.eval()
    return losses
