"""The hand-written torch GRU (dlbook.nlp.gru_torch) against torch.nn.GRU: outputs and
every autograd gradient in float64 with the same weights copied in; the same input checks as the
NumPy reference."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlbook.nlp import gru_torch as K
from tests.nlp.recurrent_oracle import (
    GATES,
    SHAPES,
    assert_close,
    case,
    reference,
    torch_layer,
    weights,
)

STATES = ['h0']


def run_twin(arrays, w, **kwargs):
    """The twin's outputs and autograd gradients for L = <out, dout> + <h_n, dh_n> (+ c_n)."""
    x = torch.tensor(arrays["x"], requires_grad=True)
    states = [torch.tensor(arrays[s], requires_grad=True) for s in STATES]
    params = [torch.tensor(a, requires_grad=True) for a in w]
    result = K.gru(x, *states, *params, **kwargs)
    out, h_n = result[0], result[1]
    loss = (out * torch.tensor(arrays["dout"])).sum() + (h_n * torch.tensor(arrays["dh_n"])).sum()
    if len(result) == 3:
        loss = loss + (result[2] * torch.tensor(arrays["dc_n"])).sum()
    loss.backward()
    got = {"out": out.detach().numpy(), "h_n": h_n.detach().numpy(), "dx": x.grad.numpy()}
    if len(result) == 3:
        got["c_n"] = result[2].detach().numpy()
    for s, t in zip(STATES, states, strict=True):
        got["d" + s] = t.grad.numpy()
    for name, p in zip(["dweight_ih", "dweight_hh", "dbias_ih", "dbias_hh"], params, strict=True):
        got[name] = p.grad.numpy()
    return got


@pytest.mark.parametrize("shape", SHAPES, ids=[str(s) for s in SHAPES])
def test_outputs_and_gradients_equal_torch_nn(shape):
    T, N, D, H = shape
    layer = torch_layer("gru", D, H, seed=T * 100 + H)
    arrays = case("gru", T, N, D, H, seed=N * 10 + D)
    want = reference("gru", layer, arrays)
    got = run_twin(arrays, weights(layer))
    assert set(got) == set(want)
    for name in want:
        assert_close(got[name], want[name], name)


def test_cell_is_one_step_of_the_layer():
    layer = torch_layer("gru", 3, 4, seed=5)
    w = [torch.tensor(a) for a in weights(layer)]
    arrays = case("gru", 1, 2, 3, 4, seed=5)
    x, h0 = torch.tensor(arrays["x"]), torch.tensor(arrays["h0"])
    c0 = torch.tensor(arrays["c0"]) if "c0" in arrays else None
    layer_out = K.gru(x, *([h0, c0] if c0 is not None else [h0]), *w)[0]
    assert_close(K.gru_cell(x[0], h0, *w).numpy(), layer_out[0].numpy(), "cell")


def test_float32_and_the_numpy_reference():
    from dlbook.nlp import gru as reference_module

    layer = torch_layer("gru", 3, 4, seed=6)
    arrays = case("gru", 5, 2, 3, 4, seed=6)
    states = [arrays[s] for s in STATES]
    want = getattr(reference_module, "gru")(arrays["x"], *states, *weights(layer))
    got = K.gru(*[torch.tensor(a, dtype=torch.float32) for a in [arrays["x"], *states]],
               *[torch.tensor(a, dtype=torch.float32) for a in weights(layer)])
    assert got[0].dtype == torch.float32
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g.numpy(), w, atol=1e-5)


def test_bad_shapes_are_named():
    G, T, N, D, H = GATES["gru"], 4, 2, 3, 5
    states = [torch.zeros(N, H) for _ in STATES]
    weights_ = [torch.zeros(G * H, D + 1), torch.zeros(G * H, H), torch.zeros(G * H),
                torch.zeros(G * H)]
    with pytest.raises(ValueError, match=r"weight_ih must have shape"):
        K.gru(torch.zeros(T, N, D), *states, *weights_)
    weights_[0] = torch.zeros(G * H, D)
    with pytest.raises(ValueError, match=r"x must have shape \(T, N, D\)"):
        K.gru(torch.zeros(N, D), *states, *weights_)
    bad_states = [torch.zeros(N, H + 1)] + states[1:]
    with pytest.raises(ValueError, match=r"h0 must have shape \(N, H\)"):
        K.gru(torch.zeros(T, N, D), *bad_states, *weights_)


@pytest.mark.gpu
def test_on_cuda():
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    layer = torch_layer("gru", 3, 4, seed=7)
    arrays = case("gru", 5, 2, 3, 4, seed=7)
    args = [torch.tensor(arrays[k], device="cuda") for k in ["x", *STATES]]
    w = [torch.tensor(a, device="cuda") for a in weights(layer)]
    out = K.gru(*args, *w)[0]
    want = reference("gru", layer, arrays)["out"]
    assert out.device.type == "cuda"
    np.testing.assert_allclose(out.cpu().numpy(), want, atol=1e-10)
