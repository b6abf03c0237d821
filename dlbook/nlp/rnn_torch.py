r"""The Elman recurrent layer written with torch operations, step by step, in torch's layout.

The same functions as :mod:`dlbook.nlp.rnn` on tensors (any device); autograd differentiates
them, so there is no ``rnn_backward`` here. They compute what ``torch.nn.RNN`` computes, written
out as a loop a reader can follow: the tests copy the weights of an ``nn.RNN`` into them and
compare outputs and gradients.

See Also
--------
dlbook.nlp.rnn : the NumPy reference, with backpropagation through time by hand.
:ref:`ch-rnn` : the chapter.
"""

from __future__ import annotations

import torch

from dlbook import _checks

__all__ = ["NONLINEARITIES", "rnn_cell", "rnn"]

# NumPy names this twin leaves out, and why (tests/test_house.py checks the list).
__twin_omits__ = {
    "rnn_forward": "rnn returns (out, h_n); autograd keeps what the backward pass needs",
    "rnn_backward": "autograd differentiates rnn (backpropagation through time)",
}

#: The nonlinearities ``torch.nn.RNN`` offers.
NONLINEARITIES = ("tanh", "relu")


def _tensors(*named):
    tensors = [_checks.real_tensor(a, name) for name, a in named]
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    return [t.to(dtype) for t in tensors]


def rnn_cell(x, h, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity="tanh"):
    r"""One step of an Elman network: :math:`\phi(x W_{ih}^\top + b_{ih} + h W_{hh}^\top +
    b_{hh})`, as ``torch.nn.RNNCell``.

    Parameters and returns as :func:`dlbook.nlp.rnn.rnn_cell`, with tensors.

    Examples
    --------
    >>> z = torch.zeros(1, 1)
    >>> rnn_cell(torch.ones(1, 2), z, torch.zeros(1, 2), z, torch.tensor([0.5]),
    ...          torch.tensor([0.5]))
    tensor([[0.7616]])
    """
    x = _checks.real_tensor(x, "x", ndim=2)
    out, _ = rnn(x[None], h, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity)
    return out[0]


def rnn(x, h0, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity="tanh"):
    r"""An Elman layer over a sequence, time-major: ``out`` (T, N, H) and ``h_n`` (N, H).

    Parameters and returns as :func:`dlbook.nlp.rnn.rnn`, with tensors.

    Raises
    ------
    ValueError
        For mismatched shapes (named in the message) or an unknown ``nonlinearity``.

    Examples
    --------
    >>> x = torch.tensor([[[1.0]], [[0.0]], [[0.0]]])
    >>> one, half, zero = torch.ones(1, 1), torch.full((1, 1), 0.5), torch.zeros(1)
    >>> out, h_n = rnn(x, torch.zeros(1, 1), one, half, zero, zero)
    >>> out.flatten()
    tensor([0.7616, 0.3634, 0.1797])
    """
    nonlinearity = _checks.one_of(nonlinearity, "nonlinearity", NONLINEARITIES)
    x, h, w_ih, w_hh, b_ih, b_hh = _tensors(("x", x), ("h0", h0), ("weight_ih", weight_ih),
                                            ("weight_hh", weight_hh), ("bias_ih", bias_ih),
                                            ("bias_hh", bias_hh))
    T = _checks.recurrent_shapes(x, h, w_ih, w_hh, b_ih, b_hh, gates=1)[0]
    act = torch.tanh if nonlinearity == "tanh" else torch.relu
    xw = x @ w_ih.T + b_ih                                 # (T, N, H): all input projections
    outputs = []
    for t in range(T):
        h = act(xw[t] + h @ w_hh.T + b_hh)
        outputs.append(h)
    return torch.stack(outputs), h
