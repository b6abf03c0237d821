r"""Dropout inside an LSTM: one mask per sequence (Gal & Ghahramani) or a new mask every step.

Ordinary dropout between layers draws a new mask for every example. Inside a recurrent layer
the same choice would draw a new mask at every *time step* on the state carried from step to
step, and the noise accumulates over the sequence. Gal & Ghahramani (2016) draw **one mask per
sequence** instead, for the inputs and for the recurrent state, and keep it for all T steps;
Keras's ``recurrent_dropout`` does the same. Both variants here drop the inputs :math:`x_t` and
the previous state :math:`h_{t-1}` where they enter the gates,

.. math::

    (a_i, a_f, a_g, a_o) = (x_t \odot m^x_t) W_{ih}^\top + b_{ih}
    + (h_{t-1} \odot m^h_t) W_{hh}^\top + b_{hh},

with :math:`m_t` of zeros and :math:`1/(1-p)` (inverted dropout: the expected input is
unchanged), and :math:`m_t = m` for every :math:`t` in ``"sequence"`` mode. The cell state
itself is never dropped. At evaluation time (``model.eval()``) no mask is used.

This module is torch-only: it trains models on the page, and its LSTM arithmetic is that of
:mod:`dlbook.nlp.lstm_torch` (the tests check they agree without masks).

References
----------
Y. Gal and Z. Ghahramani, "A theoretically grounded application of dropout in recurrent neural
networks", NeurIPS 2016.

See Also
--------
:ref:`ch-lstm` : the chapter.
"""

from __future__ import annotations

import math

import torch

from dlbook import _checks

__all__ = ["MODES", "recurrent_masks", "lstm_with_masks", "DropoutLSTM"]

#: ``"sequence"``: one mask per sequence (Gal & Ghahramani); ``"step"``: a new mask every step.
MODES = ("sequence", "step")


def recurrent_masks(T: int, N: int, size: int, p: float, mode: str = "sequence", *,
                    generator=None, device=None, dtype=None):
    r"""Dropout masks for T steps of N sequences: zeros and :math:`1/(1-p)`.

    Parameters
    ----------
    T, N, size : int
        Steps, sequences, and the width of what is dropped (D or H).
    p : float in [0, 1)
        Probability of dropping a unit.
    mode : {"sequence", "step"}
        One mask per sequence repeated over time, or a new mask at every step.
    generator : torch.Generator, optional
    device, dtype : optional
        Of the masks (default: torch's defaults).

    Returns
    -------
    Tensor of shape (T, N, size)

    Raises
    ------
    ValueError
        For ``p`` outside [0, 1) or an unknown ``mode``.

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> m = recurrent_masks(3, 1, 4, 0.5, "sequence", generator=g)
    >>> bool((m[0] == m[1]).all() and (m[1] == m[2]).all()), sorted(set(m.flatten().tolist()))
    (True, [0.0, 2.0])
    """
    T, N, size = (_checks.positive_int(v, name) for v, name in ((T, "T"), (N, "N"),
                                                                 (size, "size")))
    p = _checks.probability(p, "p", high_open=True)
    mode = _checks.one_of(mode, "mode", MODES)
    steps = 1 if mode == "sequence" else T
    keep = torch.rand(steps, N, size, generator=generator, device=device, dtype=dtype) >= p
    masks = keep.to(dtype or torch.get_default_dtype()) / (1 - p)
    return masks.expand(T, N, size).clone() if mode == "sequence" else masks


def lstm_with_masks(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh, input_mask=None,
                    hidden_mask=None):
    r"""An LSTM layer (torch's gate order i, f, g, o) with dropout masks on :math:`x_t` and
    :math:`h_{t-1}` where they enter the gates.

    Parameters
    ----------
    x : Tensor of shape (T, N, D)
    h0, c0 : Tensor of shape (N, H)
    weight_ih, weight_hh, bias_ih, bias_hh
        As :func:`dlbook.nlp.lstm_torch.lstm`.
    input_mask : Tensor of shape (T, N, D), optional
    hidden_mask : Tensor of shape (T, N, H), optional
        From :func:`recurrent_masks`; None means no dropout there.

    Returns
    -------
    out : Tensor of shape (T, N, H)
    h_n, c_n : Tensor of shape (N, H)

    Raises
    ------
    ValueError
        For mismatched shapes.

    Examples
    --------
    Without masks this is the plain LSTM:

    >>> from dlbook.nlp.lstm_torch import lstm
    >>> g = torch.Generator().manual_seed(0)
    >>> w = [torch.randn(8, 3, generator=g), torch.randn(8, 2, generator=g), torch.zeros(8),
    ...      torch.zeros(8)]
    >>> x, h0 = torch.randn(4, 1, 3, generator=g), torch.zeros(1, 2)
    >>> torch.allclose(lstm_with_masks(x, h0, h0, *w)[0], lstm(x, h0, h0, *w)[0])
    True
    """
    T, N, D, H = _checks.recurrent_shapes(x, h0, weight_ih, weight_hh, bias_ih, bias_hh,
                                          gates=4, c0=c0)
    if input_mask is not None:
        _checks.check_shape(input_mask, "input_mask", (T, N, D), "(T, N, D)")
        x = x * input_mask
    if hidden_mask is not None:
        _checks.check_shape(hidden_mask, "hidden_mask", (T, N, H), "(T, N, H)")
    xw = x @ weight_ih.T + bias_ih                          # (T, N, 4H)
    h, c, outputs = h0, c0, []
    for t in range(T):
        h_in = h if hidden_mask is None else h * hidden_mask[t]
        i, f, g, o = (xw[t] + h_in @ weight_hh.T + bias_hh).chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        outputs.append(h)
    return torch.stack(outputs), h, c


class DropoutLSTM(torch.nn.Module):
    r"""One LSTM layer with input and recurrent dropout, per sequence or per step.

    Parameters
    ----------
    input_size, hidden_size : int
    dropout : float in [0, 1), default 0
        On the inputs :math:`x_t`.
    recurrent_dropout : float in [0, 1), default 0
        On the state :math:`h_{t-1}` entering the gates.
    mode : {"sequence", "step"}, default "sequence"

    Notes
    -----
    The parameters are named and initialized as ``torch.nn.LSTM``'s
    (:math:`U(-1/\sqrt H, 1/\sqrt H)`), so weights copy across. ``forward(x, state=None)``
    takes time-major ``x`` (T, N, D) and returns ``out, (h_n, c_n)`` with ``h_n`` and ``c_n``
    of shape (N, H).

    Examples
    --------
    >>> layer = DropoutLSTM(3, 5, recurrent_dropout=0.25, mode="sequence")
    >>> out, (h_n, c_n) = layer(torch.randn(7, 2, 3))
    >>> out.shape, h_n.shape
    (torch.Size([7, 2, 5]), torch.Size([2, 5]))
    """

    def __init__(self, input_size: int, hidden_size: int, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, mode: str = "sequence"):
        super().__init__()
        D = _checks.positive_int(input_size, "input_size")
        H = _checks.positive_int(hidden_size, "hidden_size")
        self.dropout = _checks.probability(dropout, "dropout", high_open=True)
        self.recurrent_dropout = _checks.probability(recurrent_dropout, "recurrent_dropout",
                                                     high_open=True)
        self.mode = _checks.one_of(mode, "mode", MODES)
        k = 1 / math.sqrt(H)
        self.weight_ih = torch.nn.Parameter(torch.empty(4 * H, D).uniform_(-k, k))
        self.weight_hh = torch.nn.Parameter(torch.empty(4 * H, H).uniform_(-k, k))
        self.bias_ih = torch.nn.Parameter(torch.empty(4 * H).uniform_(-k, k))
        self.bias_hh = torch.nn.Parameter(torch.empty(4 * H).uniform_(-k, k))
        self.hidden_size = H

    def forward(self, x, state=None):
        """Run the layer; masks are drawn only in training mode.

        Examples
        --------
        >>> layer = DropoutLSTM(2, 3, dropout=0.5).eval()
        >>> x = torch.randn(4, 1, 2)
        >>> torch.equal(layer(x)[0], layer(x)[0])      # no dropout at evaluation
        True
        """
        T, N, D = x.shape
        H = self.hidden_size
        if state is None:
            zeros = x.new_zeros(N, H)
            state = (zeros, zeros)
        masks = {"input_mask": None, "hidden_mask": None}
        if self.training:
            if self.dropout > 0:
                masks["input_mask"] = recurrent_masks(T, N, D, self.dropout, self.mode,
                                                      device=x.device, dtype=x.dtype)
            if self.recurrent_dropout > 0:
                masks["hidden_mask"] = recurrent_masks(T, N, H, self.recurrent_dropout,
                                                       self.mode, device=x.device,
                                                       dtype=x.dtype)
        out, h_n, c_n = lstm_with_masks(x, *state, self.weight_ih, self.weight_hh,
                                        self.bias_ih, self.bias_hh, **masks)
        return out, (h_n, c_n)
