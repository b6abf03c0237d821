"""The encoder and decoder layers equal torch.nn.TransformerEncoderLayer/DecoderLayer (post-LN
and pre-LN) in float64; the model is causal on the target side and blind to source padding."""

import math

import pytest
import torch

from dlbook.transformer.transformer_torch import (
    DecoderLayer,
    EncoderLayer,
    Seq2SeqTransformer,
    noam_rate,
)


def _randomize(module, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=p.dtype) * 0.5)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_equals_torch(norm_first):
    ref = torch.nn.TransformerEncoderLayer(12, 3, 20, dropout=0.0, batch_first=True,
                                           norm_first=norm_first, dtype=torch.float64).eval()
    _randomize(ref, 1)
    mine = EncoderLayer(12, 3, 20, dropout=0.0, norm_first=norm_first).double().eval()
    mine.load_state_dict(ref.state_dict())                       # same names, strict
    x = torch.randn(4, 6, 12, dtype=torch.float64)
    pad = torch.zeros(4, 6, dtype=torch.bool)
    pad[1, 4:] = True
    torch.testing.assert_close(mine(x, pad), ref(x, src_key_padding_mask=pad),
                               rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_equals_torch(norm_first):
    ref = torch.nn.TransformerDecoderLayer(12, 3, 20, dropout=0.0, batch_first=True,
                                           norm_first=norm_first, dtype=torch.float64).eval()
    _randomize(ref, 2)
    mine = DecoderLayer(12, 3, 20, dropout=0.0, norm_first=norm_first).double().eval()
    mine.load_state_dict(ref.state_dict())
    x, mem = torch.randn(3, 5, 12, dtype=torch.float64), torch.randn(3, 7, 12, dtype=torch.float64)
    mem_pad = torch.zeros(3, 7, dtype=torch.bool)
    mem_pad[0, 5:] = True
    causal = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64)
    expected = ref(x, mem, tgt_mask=causal, memory_key_padding_mask=mem_pad)
    out, weights = mine(x, mem, memory_key_padding_mask=mem_pad, need_weights=True)
    torch.testing.assert_close(out, expected, rtol=1e-10, atol=1e-10)
    assert weights.shape == (3, 3, 5, 7)
    assert torch.all(weights[0, :, :, 5:] == 0)                  # padding gets no attention
    torch.testing.assert_close(weights.sum(-1), torch.ones(3, 3, 5, dtype=torch.float64))


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return Seq2SeqTransformer(30, 25, d_model=16, nhead=2, num_encoder_layers=2,
                              num_decoder_layers=2, dim_feedforward=32, dropout=0.0,
                              norm_first=True).double().eval()


def test_decoder_is_causal(model):
    src = torch.randint(4, 30, (2, 6))
    tgt = torch.randint(4, 25, (2, 8))
    changed = tgt.clone()
    changed[:, 5:] = 4
    torch.testing.assert_close(model(src, tgt)[:, :5], model(src, changed)[:, :5],
                               rtol=0, atol=1e-12)


def test_source_padding_changes_nothing(model):
    src = torch.randint(4, 30, (1, 6))
    tgt = torch.randint(4, 25, (1, 4))
    padded = torch.cat([src, torch.ones(1, 3, dtype=torch.long)], dim=1)       # pad id 1
    torch.testing.assert_close(model(src, tgt), model(padded, tgt), rtol=1e-10, atol=1e-10)


def test_noam_rate_warms_up_then_decays_as_inverse_square_root():
    d, w = 64, 100
    rates = [noam_rate(s, d, w) for s in range(1, 1001)]
    assert max(rates) == rates[w - 1] == pytest.approx(1 / math.sqrt(d * w))
    assert rates[49] == pytest.approx(rates[99] / 2)                           # linear
    assert rates[399] == pytest.approx(rates[99] / 2)                          # 1/sqrt(step)


def test_bad_input():
    with pytest.raises(ValueError, match="d_model=10 must be divisible by nhead=4"):
        Seq2SeqTransformer(5, 5, d_model=10, nhead=4)
    m = Seq2SeqTransformer(5, 5, d_model=8, nhead=2, max_len=4)
    with pytest.raises(ValueError, match="longer than max_len=4"):
        m(torch.zeros(1, 5, dtype=torch.long), torch.zeros(1, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="step must be >= 1"):
        noam_rate(0, 8, 4)
