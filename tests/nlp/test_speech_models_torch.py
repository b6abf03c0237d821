"""The speech networks: shapes and lengths, and training that learns separable toy data."""

import numpy as np
import pytest
import torch

from dlbook.nlp.ctc import ctc_greedy_decode
from dlbook.nlp.speech_models_torch import (
    CTCRecognizer,
    TriggerDetector,
    pad_frames,
    train_ctc,
    train_trigger,
)


@pytest.mark.parametrize("stride", [1, 2, 3, 4])
def test_output_lengths_match_the_convolution(stride):
    m = CTCRecognizer(5, 4, hidden=6, stride=stride)
    for T in (1, 7, 30, 31):
        lp, n = m(torch.zeros(1, T, 5), torch.tensor([T]))
        assert lp.shape[0] == n.item() == (T - 1) // stride + 1
        np.testing.assert_allclose(lp.exp().sum(-1).detach().numpy(), 1.0, rtol=1e-5)


def test_padding_does_not_change_a_clip():
    torch.manual_seed(0)
    m = CTCRecognizer(3, 4, hidden=5).double().eval()
    a = np.random.default_rng(0).normal(size=(9, 3)).astype(np.float32).astype(np.float64)
    lp1, _ = m(torch.tensor(a)[None], torch.tensor([9]))
    x, n = pad_frames([np.zeros((15, 3)), a])
    lp2, n2 = m(x.double(), n)
    np.testing.assert_allclose(lp1[:, 0].detach().numpy(), lp2[:n2[1], 1].detach().numpy(),
                               rtol=1e-10)


def test_ctc_training_learns_which_word_was_said():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    feats, targets = [], []
    for _ in range(60):                  # word k = a burst in feature k, between silences
        words = rng.integers(1, 4, size=2).tolist()
        x = rng.normal(scale=0.1, size=(24, 3))
        for j, w in enumerate(words):
            x[4 + 10 * j:10 + 10 * j, w - 1] += 2.0
        feats.append(x)
        targets.append(words)
    m = CTCRecognizer(3, 4, hidden=16, stride=2)
    losses = train_ctc(m, feats, targets, epochs=40, batch_size=20, lr=1e-2)
    assert losses[-1] < 0.2 * losses[0]
    x, n = pad_frames(feats[:20])
    with torch.no_grad():
        lp, out_len = m(x, n)
    right = sum(ctc_greedy_decode(lp[:out_len[i], i].numpy()) == targets[i] for i in range(20))
    assert right >= 16


def test_trigger_detector_shapes_and_learning():
    torch.manual_seed(0)
    m = TriggerDetector(2, hidden=8)
    assert m(torch.zeros(3, 301, 2)).shape == (3, 75)
    rng = np.random.default_rng(0)
    x = rng.normal(scale=0.1, size=(64, 40, 2))
    y = np.zeros((64, 10))
    for i in range(64):                  # a burst in channel 0 ends at frame 4k: label after
        k = rng.integers(2, 7)
        x[i, 4 * k - 8:4 * k, 0] += 2.0
        y[i, k:k + 2] = 1
    losses = train_trigger(m, x, y, epochs=40, batch_size=16, lr=1e-2, pos_weight=3.0)
    assert losses[-1] < 0.5 * losses[0]
    with pytest.raises(ValueError, match="clips"):
        train_trigger(m, x, y[:3])
