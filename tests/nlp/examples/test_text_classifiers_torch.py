"""The CNN and LSTM text classifiers: shapes, padding that changes nothing, and learning a task
where the order of words decides the class."""

from __future__ import annotations

import torch

from dlbook.nlp.examples.text_classifiers_torch import (
    CNNClassifier,
    LSTMClassifier,
    predict,
    train_classifier,
)


def test_lstm_learns_word_order_that_a_bag_of_words_cannot_see():
    """Class 1 if word 1 comes before word 2, else class 0: the same words in both classes."""
    g = torch.Generator().manual_seed(0)
    first = torch.randint(0, 2, (400,), generator=g)
    ids = torch.stack([torch.where(first == 1, 1, 2), torch.where(first == 1, 2, 1)], dim=1)
    ids = torch.cat([torch.randint(3, 6, (400, 3), generator=g), ids], dim=1)
    torch.manual_seed(0)
    model = LSTMClassifier(6, 2, embed_dim=8, hidden_size=16)
    train_classifier(model, ids, first, epochs=15, batch_size=32, lr=0.02)
    assert (predict(model, ids) == first.numpy()).mean() > 0.95


def test_bidirectional_and_cnn_shapes():
    x = torch.randint(0, 9, (3, 11))
    assert LSTMClassifier(9, 4, bidirectional=True)(x).shape == (3, 4)
    assert CNNClassifier(9, 4, kernel_size=5)(x).shape == (3, 4)
    assert predict(CNNClassifier(9, 4), x).shape == (3,)
