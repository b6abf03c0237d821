"""Training windows, the NLL every model is scored with (checked by hand and against a
token-by-token computation), and the LSTM language model."""

import math

import pytest
import torch
import torch.nn.functional as F

from dlbook.transformer.gpt_torch import GPT
from dlbook.transformer.language_model_torch import (
    LSTMLanguageModel,
    evaluate_nll,
    get_batch,
    train_language_model,
)


def test_batches_are_windows_and_their_shifted_targets():
    data = torch.arange(1000) * 3
    x, y = get_batch(data, 16, 8, torch.Generator().manual_seed(1))
    assert x.shape == y.shape == (8, 16)
    assert torch.equal(y, x + 3) and torch.equal(x[:, 1:], x[:, :-1] + 3)
    assert int(y.max()) <= int(data.max())


@pytest.mark.parametrize("n, block", [(50, 7), (64, 8), (9, 20)])
def test_nll_predicts_every_token_once_from_its_window(n, block):
    torch.manual_seed(0)
    model = GPT(11, 32, 1, 1, 8).eval()
    data = torch.randint(0, 11, (n,), generator=torch.Generator().manual_seed(n))
    expected, count = 0.0, 0
    for s in range(0, n - 1, block):                       # windows of data[:-1]
        x = data[s:min(s + block, n - 1)]
        y = data[s + 1:s + 1 + x.numel()]
        logp = F.log_softmax(model(x[None])[0], dim=-1)
        expected -= logp[torch.arange(x.numel()), y].sum().item()
        count += x.numel()
    assert count == n - 1
    assert evaluate_nll(model, data, block, batch_size=3) == pytest.approx(expected / count,
                                                                          rel=1e-6)


def test_training_learns_a_deterministic_sequence_to_near_zero_loss():
    torch.manual_seed(0)
    data = torch.tensor([0, 1, 2, 3, 4, 5] * 100)
    gpt = GPT(6, 16, 1, 2, 16)
    log = train_language_model(gpt, data, steps=80, block_size=12, batch_size=8, lr=1e-2,
                               warmup=5)
    assert log.losses[0] > 1.5 and log.losses[-1] < 0.1
    assert log.tokens_seen == 80 * 8 * 12 and log.cpu_seconds > 0
    assert evaluate_nll(gpt, data[:100], 12) < 0.5                  # a window's first guess
    assert not gpt.training


def test_lstm_forward_shapes_and_flat_start():
    torch.manual_seed(1)
    lstm = LSTMLanguageModel(30, 8, 16, num_layers=2, dropout=0.1).eval()
    out = lstm(torch.randint(0, 30, (4, 9)))
    assert out.shape == (4, 9, 30)
    nll = evaluate_nll(lstm, torch.randint(0, 30, (200,)), 16)
    assert abs(nll - math.log(30)) < 0.5               # an untrained model is near uniform


def test_bad_input():
    with pytest.raises(TypeError, match="1-D torch.long"):
        get_batch(torch.zeros(10), 4, 2)
    with pytest.raises(ValueError, match="data has 4 tokens, not more than block_size=4"):
        get_batch(torch.arange(4), 4, 2)
    with pytest.raises(ValueError, match="steps must be >= 1"):
        train_language_model(LSTMLanguageModel(3, 2, 2), torch.arange(9) % 3, 0, 2, 2)
