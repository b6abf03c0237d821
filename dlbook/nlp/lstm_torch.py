r"""The LSTM written with torch operations, step by step, in torch's layout (gates i, f, g, o).

The same functions as :mod:`dlbook.nlp.lstm` on tensors (any device), differentiated by
autograd; they compute what ``torch.nn.LSTM`` computes, as a loop a reader can follow.

See Also
--------
dlbook.nlp.lstm : the NumPy reference, with backpropagation through time by hand.
:ref:`ch-lstm` : the chapter.
"""

from __future__ import annotations

import torch

from dlbook import _checks

__all__ = ["lstm_cell", "lstm"]

# NumPy names this twin leaves out, and why (tests/test_house.py checks the list).
__twin_omits__ = {
    "lstm_forward": "lstm returns (out, h_n, c_n); autograd keeps what the backward pass needs",
    "lstm_backward": "autograd differentiates lstm (backpropagation through time)",
}


def _tensors(*named):
    tensors = [_checks.real_tensor(a, name) for name, a in named]
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    return [t.to(dtype) for t in tensors]


def lstm_cell(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh):
    r"""One LSTM step, as ``torch.nn.LSTMCell``: returns ``(h, c)``; see
    :func:`dlbook.nlp.lstm.lstm_cell`.

    Examples
    --------
    >>> z = torch.zeros(4, 1)
    >>> h, c = lstm_cell(torch.zeros(1, 1), torch.zeros(1, 1), torch.tensor([[2.0]]), z, z,
    ...                  torch.zeros(4), torch.zeros(4))
    >>> c, h
    (tensor([[1.]]), tensor([[0.3808]]))
    """
    x = _checks.real_tensor(x, "x", ndim=2)
    out, _, c_n = lstm(x[None], h, c, weight_ih, weight_hh, bias_ih, bias_hh)
    return out[0], c_n


def lstm(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh):
    r"""An LSTM layer over a sequence, time-major: ``out`` (T, N, H), ``h_n`` and ``c_n`` (N, H).

    Parameters and returns as :func:`dlbook.nlp.lstm.lstm`, with tensors.

    Raises
    ------
    ValueError
        For mismatched shapes (named in the message).

    Examples
    --------
    >>> z, b = torch.zeros(4, 1), torch.tensor([-10.0, 10.0, 0.0, 0.0])
    >>> out, h_n, c_n = lstm(torch.zeros(50, 1, 1), torch.zeros(1, 1), torch.ones(1, 1), z, z,
    ...                      b, torch.zeros(4))
    >>> round(c_n.item(), 3)
    0.998
    """
    x, h, c, w_ih, w_hh, b_ih, b_hh = _tensors(
        ("x", x), ("h0", h0), ("c0", c0), ("weight_ih", weight_ih), ("weight_hh", weight_hh),
        ("bias_ih", bias_ih), ("bias_hh", bias_hh))
    T = _checks.recurrent_shapes(x, h, w_ih, w_hh, b_ih, b_hh, gates=4, c0=c)[0]
    xw = x @ w_ih.T + b_ih                                 # (T, N, 4H)
    outputs = []
    for t in range(T):
        i, f, g, o = (xw[t] + h @ w_hh.T + b_hh).chunk(4, dim=1)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c = f * c + i * g
        h = o * torch.tanh(c)
        outputs.append(h)
    return torch.stack(outputs), h, c
