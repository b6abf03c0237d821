r"""The GRU written with torch operations, step by step, in torch's layout (gates r, z, n).

The same functions as :mod:`dlbook.nlp.gru` on tensors (any device), differentiated by autograd;
they compute what ``torch.nn.GRU`` computes, as a loop a reader can follow.

See Also
--------
dlbook.nlp.gru : the NumPy reference, with backpropagation through time by hand.
:ref:`ch-lstm` : the chapter.
"""

from __future__ import annotations

import torch

from dlbook import _checks

__all__ = ["gru_cell", "gru"]

# NumPy names this twin leaves out, and why (tests/test_house.py checks the list).
__twin_omits__ = {
    "gru_forward": "gru returns (out, h_n); autograd keeps what the backward pass needs",
    "gru_backward": "autograd differentiates gru (backpropagation through time)",
}


def _tensors(*named):
    tensors = [_checks.real_tensor(a, name) for name, a in named]
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    return [t.to(dtype) for t in tensors]


def gru_cell(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    r"""One GRU step, as ``torch.nn.GRUCell``; see :func:`dlbook.nlp.gru.gru_cell`.

    Examples
    --------
    >>> z3 = torch.zeros(3, 1)
    >>> gru_cell(torch.zeros(1, 1), torch.tensor([[0.8]]), z3, z3, torch.zeros(3),
    ...          torch.zeros(3))
    tensor([[0.4000]])
    """
    x = _checks.real_tensor(x, "x", ndim=2)
    out, _ = gru(x[None], h, weight_ih, weight_hh, bias_ih, bias_hh)
    return out[0]


def gru(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    r"""A GRU layer over a sequence, time-major: ``out`` (T, N, H) and ``h_n`` (N, H).

    Parameters and returns as :func:`dlbook.nlp.gru.gru`, with tensors.

    Raises
    ------
    ValueError
        For mismatched shapes (named in the message).

    Examples
    --------
    >>> z3 = torch.zeros(3, 1)
    >>> out, h_n = gru(torch.zeros(3, 1, 1), torch.tensor([[0.8]]), z3, z3, torch.zeros(3),
    ...                torch.zeros(3))
    >>> out.flatten()
    tensor([0.4000, 0.2000, 0.1000])
    """
    x, h, w_ih, w_hh, b_ih, b_hh = _tensors(("x", x), ("h0", h0), ("weight_ih", weight_ih),
                                            ("weight_hh", weight_hh), ("bias_ih", bias_ih),
                                            ("bias_hh", bias_hh))
    T, _, _, H = _checks.recurrent_shapes(x, h, w_ih, w_hh, b_ih, b_hh, gates=3)
    gi = x @ w_ih.T + b_ih                                 # (T, N, 3H)
    outputs = []
    for t in range(T):
        gh = h @ w_hh.T + b_hh                             # (N, 3H)
        r = torch.sigmoid(gi[t, :, :H] + gh[:, :H])
        z = torch.sigmoid(gi[t, :, H:2 * H] + gh[:, H:2 * H])
        n = torch.tanh(gi[t, :, 2 * H:] + r * gh[:, 2 * H:])
        h = (1 - z) * n + z * h
        outputs.append(h)
    return torch.stack(outputs), h
