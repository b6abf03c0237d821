"""Recurrent dropout: the masks (one per sequence or one per step, inverted scaling), the LSTM
with masks against torch.nn.LSTM and against the masks applied by hand, and the module's
training and evaluation modes."""

from __future__ import annotations

import pytest
import torch

from dlbook.nlp.lstm_torch import lstm
from dlbook.nlp.recurrent_dropout_torch import DropoutLSTM, lstm_with_masks, recurrent_masks


def test_sequence_masks_repeat_and_step_masks_change():
    g = torch.Generator().manual_seed(0)
    seq = recurrent_masks(20, 8, 16, 0.3, "sequence", generator=g)
    step = recurrent_masks(20, 8, 16, 0.3, "step", generator=g)
    assert torch.equal(seq, seq[:1].expand_as(seq))
    assert not torch.equal(step[0], step[1])
    for m in (seq, step):
        values = m.unique().tolist()
        assert len(values) == 2 and values[0] == 0.0
        assert values[1] == pytest.approx(1 / 0.7, rel=1e-6)


def test_masks_keep_the_expected_value():
    g = torch.Generator().manual_seed(1)
    m = recurrent_masks(50, 200, 64, 0.4, "step", generator=g, dtype=torch.float64)
    assert m.mean().item() == pytest.approx(1.0, abs=0.01)
    assert (m == 0).double().mean().item() == pytest.approx(0.4, abs=0.01)


def test_no_masks_is_torch_lstm():
    torch.manual_seed(0)
    ref = torch.nn.LSTM(3, 5).double()
    layer = DropoutLSTM(3, 5, dropout=0.5, recurrent_dropout=0.5).double().eval()
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(layer, name).copy_(getattr(ref, f"{name}_l0"))
    x = torch.randn(9, 4, 3, dtype=torch.float64)
    out, (h_n, c_n) = layer(x)
    want, (h_want, c_want) = ref(x)
    torch.testing.assert_close(out, want, rtol=0, atol=1e-12)
    torch.testing.assert_close(c_n, c_want[0], rtol=0, atol=1e-12)


def test_masks_act_where_the_docstring_says():
    """Dropping x_t and h_{t-1} at the gates, by hand, step by step with lstm_torch."""
    g = torch.Generator().manual_seed(2)
    T, N, D, H = 5, 3, 4, 6
    w = [torch.randn(4 * H, D, generator=g, dtype=torch.float64),
         torch.randn(4 * H, H, generator=g, dtype=torch.float64),
         torch.randn(4 * H, generator=g, dtype=torch.float64),
         torch.randn(4 * H, generator=g, dtype=torch.float64)]
    x = torch.randn(T, N, D, generator=g, dtype=torch.float64)
    h0 = torch.randn(N, H, generator=g, dtype=torch.float64)
    c0 = torch.randn(N, H, generator=g, dtype=torch.float64)
    mx = recurrent_masks(T, N, D, 0.5, "step", generator=g, dtype=torch.float64)
    mh = recurrent_masks(T, N, H, 0.5, "step", generator=g, dtype=torch.float64)
    out, h_n, c_n = lstm_with_masks(x, h0, c0, *w, input_mask=mx, hidden_mask=mh)
    h, c = h0, c0
    for t in range(T):
        # feeding h * m through weight_hh equals one plain LSTM step from state (h * m, c)
        _, h_new, c_new = lstm((x[t] * mx[t])[None], h * mh[t], c, *w)
        h, c = h_new, c_new
        torch.testing.assert_close(out[t], h, rtol=0, atol=1e-12)
    torch.testing.assert_close(c_n, c, rtol=0, atol=1e-12)


def test_training_mode_draws_masks_and_gradients_flow():
    torch.manual_seed(3)
    layer = DropoutLSTM(2, 4, recurrent_dropout=0.5, mode="step")
    x = torch.randn(6, 3, 2)
    a, b = layer(x)[0], layer(x)[0]
    assert not torch.equal(a, b)
    a.sum().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in layer.parameters())
    layer.eval()
    assert torch.equal(layer(x)[0], layer(x)[0])


@pytest.mark.parametrize("kwargs, message", [
    ({"recurrent_dropout": 1.0}, "recurrent_dropout must be < 1"),
    ({"dropout": -0.1}, "dropout must be >= 0"),
    ({"mode": "time"}, "mode must be one of 'sequence', 'step'"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DropoutLSTM(2, 3, **kwargs)


def test_bad_mask_shape():
    w = [torch.zeros(8, 3), torch.zeros(8, 2), torch.zeros(8), torch.zeros(8)]
    with pytest.raises(ValueError, match=r"hidden_mask must have shape \(T, N, H\)"):
        lstm_with_masks(torch.zeros(4, 1, 3), torch.zeros(1, 2), torch.zeros(1, 2), *w,
                        hidden_mask=torch.ones(4, 1, 3))


@pytest.mark.gpu
def test_on_cuda():
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    layer = DropoutLSTM(2, 3, recurrent_dropout=0.2).cuda()
    out, _ = layer(torch.randn(5, 2, 2, device="cuda"))
    assert out.device.type == "cuda"
