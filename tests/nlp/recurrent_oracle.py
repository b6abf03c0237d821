"""The oracle of the recurrent tests: torch.nn.RNN / GRU / LSTM (one layer, one direction) in
float64 with random weights and biases, its outputs, and every gradient by autograd.

The scalar the gradients belong to is L = <out, dout> + <h_n, dh_n> (+ <c_n, dc_n>), so the
gradients of L are exactly what a backward pass given (dout, dh_n, dc_n) must return.
"""

from __future__ import annotations

import numpy as np
import torch

GATES = {"rnn": 1, "gru": 3, "lstm": 4}
#: Shapes (T, N, D, H) of the cross-checks: T = 1 and N = 1 among them.
SHAPES = [(1, 1, 1, 1), (1, 3, 4, 5), (6, 1, 3, 2), (7, 4, 5, 3), (12, 2, 1, 6), (3, 5, 8, 8)]
TOL = 1e-10


def torch_layer(kind, D, H, seed, nonlinearity="tanh"):
    """A float64 torch.nn layer whose weights and biases are all random (none zero)."""
    torch.manual_seed(seed)
    if kind == "rnn":
        layer = torch.nn.RNN(D, H, nonlinearity=nonlinearity)
    else:
        layer = {"gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[kind](D, H)
    layer = layer.double()
    with torch.no_grad():
        for p in layer.parameters():
            p.copy_(torch.randn_like(p) * 0.7)
    return layer


def weights(layer):
    """weight_ih, weight_hh, bias_ih, bias_hh of layer 0 as NumPy arrays."""
    return [getattr(layer, f"{name}_l0").detach().numpy().copy()
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]


def case(kind, T, N, D, H, seed):
    """Random inputs, initial states and upstream gradients for one cross-check."""
    rng = np.random.default_rng(seed)
    arrays = {"x": rng.normal(size=(T, N, D)), "h0": rng.normal(size=(N, H)),
              "dout": rng.normal(size=(T, N, H)), "dh_n": rng.normal(size=(N, H))}
    if kind == "lstm":
        arrays["c0"] = rng.normal(size=(N, H))
        arrays["dc_n"] = rng.normal(size=(N, H))
    return arrays


def reference(kind, layer, arrays):
    """torch.nn's outputs and autograd's gradients, as NumPy arrays.

    Returns a dict with out, h_n (c_n) and dx, dh0 (dc0), dweight_ih, dweight_hh, dbias_ih,
    dbias_hh.
    """
    x = torch.tensor(arrays["x"], requires_grad=True)
    h0 = torch.tensor(arrays["h0"])[None].requires_grad_()
    if kind == "lstm":
        c0 = torch.tensor(arrays["c0"])[None].requires_grad_()
        out, (h_n, c_n) = layer(x, (h0, c0))
        loss = (c_n[0] * torch.tensor(arrays["dc_n"])).sum()
    else:
        out, h_n = layer(x, h0)
        loss = 0
    loss = loss + (out * torch.tensor(arrays["dout"])).sum() \
        + (h_n[0] * torch.tensor(arrays["dh_n"])).sum()
    layer.zero_grad()
    loss.backward()
    result = {"out": out.detach().numpy(), "h_n": h_n[0].detach().numpy(),
              "dx": x.grad.numpy(), "dh0": h0.grad[0].numpy()}
    if kind == "lstm":
        result["c_n"] = c_n[0].detach().numpy()
        result["dc0"] = c0.grad[0].numpy()
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        result[f"d{name}"] = getattr(layer, f"{name}_l0").grad.numpy().copy()
    return result


def assert_close(got, want, what):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, torch.nn has {want.shape}"
    err = float(np.max(np.abs(got - want))) if got.size else 0.0
    scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
    assert err <= TOL * scale, f"{what}: largest difference from torch.nn {err:.2e}"
