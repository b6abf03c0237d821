r"""Two neural text classifiers over word ids, and their training loop: chapter
:ref:`ch-lstm`'s comparison with a bag-of-words logistic regression.

Both embed the words (``nn.Embedding``, id 0 for padding) and end in a linear layer over the
classes; they differ in how they read the sequence:

* :class:`CNNClassifier`: a 1-D convolution over windows of ``kernel_size`` consecutive words,
  ReLU, then the maximum of each filter over all positions (a filter that fires anywhere
  counts);
* :class:`LSTMClassifier`: an LSTM reads the words in order and its last state (the input is
  padded on the left, so the last step is a word) feeds the classifier; with
  ``bidirectional=True`` a second LSTM reads from the end and both last states are joined.

Torch-only code: it trains models on the page.

See Also
--------
dlbook.nlp.examples.source_attribution : the data. :ref:`ch-lstm` : the chapter.
"""

from __future__ import annotations

import numpy as np
import torch

from dlbook import _checks

__all__ = ["CNNClassifier", "LSTMClassifier", "train_classifier", "predict"]


class CNNClassifier(torch.nn.Module):
    """Embedding, one 1-D convolution with ReLU, max over time, linear layer.

    Examples
    --------
    >>> model = CNNClassifier(vocab_size=10, n_classes=3)
    >>> model(torch.zeros(4, 7, dtype=torch.long)).shape
    torch.Size([4, 3])
    """

    def __init__(self, vocab_size: int, n_classes: int, embed_dim: int = 32,
                 channels: int = 64, kernel_size: int = 3):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.conv = torch.nn.Conv1d(embed_dim, channels, kernel_size, padding=kernel_size // 2)
        self.out = torch.nn.Linear(channels, n_classes)

    def forward(self, ids):
        h = torch.relu(self.conv(self.embed(ids).transpose(1, 2)))   # (N, channels, L)
        return self.out(h.max(dim=2).values)


class LSTMClassifier(torch.nn.Module):
    """Embedding, an LSTM (one or two directions), linear layer on the last state(s).

    Examples
    --------
    >>> model = LSTMClassifier(vocab_size=10, n_classes=3, bidirectional=True)
    >>> model(torch.zeros(4, 7, dtype=torch.long)).shape
    torch.Size([4, 3])
    """

    def __init__(self, vocab_size: int, n_classes: int, embed_dim: int = 32,
                 hidden_size: int = 64, bidirectional: bool = False):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = torch.nn.LSTM(embed_dim, hidden_size, bidirectional=bidirectional)
        self.out = torch.nn.Linear(hidden_size * (2 if bidirectional else 1), n_classes)

    def forward(self, ids):
        _, (h_n, _) = self.lstm(self.embed(ids).transpose(0, 1))   # h_n: (directions, N, H)
        return self.out(torch.cat(list(h_n), dim=1))


def train_classifier(model, ids, labels, *, epochs: int = 3, batch_size: int = 64,
                     lr: float = 3e-3, seed: int = 0):
    """Train with Adam and cross-entropy on shuffled mini-batches; returns the losses.

    Examples
    --------
    >>> ids = torch.tensor([[1, 1], [2, 2]] * 20)
    >>> labels = torch.tensor([0, 1] * 20)
    >>> model = CNNClassifier(3, 2, embed_dim=4, channels=4)
    >>> losses = train_classifier(model, ids, labels, epochs=20, batch_size=8, lr=0.05)
    >>> bool(losses[-1] < 0.1)
    True
    """
    epochs = _checks.positive_int(epochs, "epochs")
    batch_size = _checks.positive_int(batch_size, "batch_size")
    ids, labels = torch.as_tensor(ids), torch.as_tensor(labels)
    generator = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(ids), generator=generator)
        for start in range(0, len(ids), batch_size):
            batch = order[start:start + batch_size]
            loss = torch.nn.functional.cross_entropy(model(ids[batch]), labels[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses


@torch.no_grad()
def predict(model, ids, batch_size: int = 1024) -> np.ndarray:
    """The most probable class of each row of ``ids``, in evaluation mode.

    Examples
    --------
    >>> model = CNNClassifier(3, 2)
    >>> predict(model, torch.zeros(5, 4, dtype=torch.long)).shape
    (5,)
    """
    model.eval()
    ids = torch.as_tensor(ids)
    return torch.cat([model(ids[k:k + batch_size]).argmax(dim=1)
                      for k in range(0, len(ids), batch_size)]).numpy()
