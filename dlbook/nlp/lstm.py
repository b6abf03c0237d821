r"""Long short-term memory (LSTM) in NumPy: one step, the forward pass and backpropagation
through time, in torch's layout and gate order.

``weight_ih`` (4H, D) and ``weight_hh`` (4H, H) stack the input gate :math:`i`, the forget gate
:math:`f`, the candidate :math:`g` and the output gate :math:`o`, in that order, as
``torch.nn.LSTM`` does; the biases are (4H,). One step is

.. math::

    (a_i, a_f, a_g, a_o) &= x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh} \\
    i_t = \sigma(a_i), \quad f_t &= \sigma(a_f), \quad g_t = \tanh(a_g), \quad
    o_t = \sigma(a_o) \\
    c_t &= f_t \odot c_{t-1} + i_t \odot g_t \\
    h_t &= o_t \odot \tanh(c_t).

The cell state :math:`c` is updated by a product with :math:`f_t` and a sum, never squashed by a
weight matrix: with :math:`f_t \approx 1` a value (and its gradient) passes many steps intact.

See Also
--------
dlbook.nlp.lstm_torch : the torch twin (autograd replaces :func:`lstm_backward`).
:ref:`ch-lstm` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook import _checks

__all__ = ["lstm_cell", "lstm", "lstm_forward", "lstm_backward"]


def _sigmoid(a):
    return 0.5 * (np.tanh(0.5 * a) + 1)                    # = 1 / (1 + e^-a), never overflows


def lstm_cell(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh):
    r"""One LSTM step, as ``torch.nn.LSTMCell``.

    Parameters
    ----------
    x : array_like of shape (N, D)
    h, c : array_like of shape (N, H)
        The previous hidden and cell states.
    weight_ih : array_like of shape (4H, D)
        :math:`W_{ii}, W_{if}, W_{ig}, W_{io}` stacked.
    weight_hh : array_like of shape (4H, H)
    bias_ih, bias_hh : array_like of shape (4H,)

    Returns
    -------
    h, c : ndarray of shape (N, H)
        :math:`h_t` and :math:`c_t` (see the module's equations).

    Raises
    ------
    ValueError
        For mismatched shapes (the message names them).

    See Also
    --------
    lstm, dlbook.nlp.lstm_torch.lstm_cell, :ref:`ch-lstm`

    Examples
    --------
    Zero weights and biases: every gate is :math:`\sigma(0) = 1/2` and :math:`g = 0`, so
    :math:`c_1 = c_0/2` and :math:`h_1 = \tanh(c_1)/2`:

    >>> z = np.zeros((4, 1))
    >>> h, c = lstm_cell(np.zeros((1, 1)), [[0.0]], [[2.0]], z, z, np.zeros(4), np.zeros(4))
    >>> c, h.round(4)
    (array([[1.]]), array([[0.3808]]))
    """
    x = _checks.real_array(x, "x", ndim=2)
    out, _, c_n, _ = lstm_forward(x[None], h, c, weight_ih, weight_hh, bias_ih, bias_hh)
    return out[0], c_n


def lstm(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh):
    r"""An LSTM layer over a whole sequence, as ``torch.nn.LSTM`` (one layer, one direction).

    Parameters
    ----------
    x : array_like of shape (T, N, D)
    h0, c0 : array_like of shape (N, H)
    weight_ih, weight_hh, bias_ih, bias_hh
        As in :func:`lstm_cell`.

    Returns
    -------
    out : ndarray of shape (T, N, H)
        :math:`h_1, \dots, h_T`.
    h_n, c_n : ndarray of shape (N, H)
        The last hidden and cell states.

    Raises
    ------
    ValueError
        For mismatched shapes.

    See Also
    --------
    lstm_forward, dlbook.nlp.lstm_torch.lstm, :ref:`ch-lstm`

    Examples
    --------
    A forget gate held open (:math:`b_f = 10`, so :math:`f \approx 1`) and an input gate held
    shut (:math:`b_i = -10`) keep the cell state for many steps:

    >>> z, b = np.zeros((4, 1)), np.array([-10.0, 10.0, 0.0, 0.0])
    >>> out, h_n, c_n = lstm(np.zeros((50, 1, 1)), [[0.0]], [[1.0]], z, z, b, np.zeros(4))
    >>> round(float(c_n[0, 0]), 3)      # sigmoid(10) ** 50
    0.998
    """
    out, h_n, c_n, _ = lstm_forward(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh)
    return out, h_n, c_n


def lstm_forward(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh):
    r"""Forward pass of an LSTM layer, keeping what :func:`lstm_backward` needs.

    Parameters
    ----------
    x : array_like of shape (T, N, D)
    h0, c0 : array_like of shape (N, H)
    weight_ih : array_like of shape (4H, D)
    weight_hh : array_like of shape (4H, H)
    bias_ih, bias_hh : array_like of shape (4H,)

    Returns
    -------
    out : ndarray of shape (T, N, H)
    h_n, c_n : ndarray of shape (N, H)
    cache : tuple
        Inputs, weights, states and gate values of every step.

    Raises
    ------
    ValueError
        If ``x`` is not 3-D or a size disagrees (D with ``weight_ih``, H with ``h0`` or ``c0``).

    Notes
    -----
    The input side of all four gates for all steps is one product, :math:`X W_{ih}^\top +
    b_{ih} + b_{hh}` of shape (T, N, 4H); each step adds :math:`h_{t-1} W_{hh}^\top` and applies
    the gate functions to the four blocks of columns.

    See Also
    --------
    lstm_backward, lstm, :ref:`ch-lstm`

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> w_ih, w_hh, b = rng.normal(size=(16, 3)), rng.normal(size=(16, 4)), np.zeros(16)
    >>> x, h0 = rng.normal(size=(5, 2, 3)), np.zeros((2, 4))
    >>> out, h_n, c_n, cache = lstm_forward(x, h0, h0, w_ih, w_hh, b, b)
    >>> out.shape, c_n.shape
    ((5, 2, 4), (2, 4))
    """
    x, h0, c0, w_ih, w_hh, b_ih, b_hh = _checks.common_real_arrays(
        ("x", x), ("h0", h0), ("c0", c0), ("weight_ih", weight_ih), ("weight_hh", weight_hh),
        ("bias_ih", bias_ih), ("bias_hh", bias_hh))
    T, N, D, H = _checks.recurrent_shapes(x, h0, w_ih, w_hh, b_ih, b_hh, gates=4, c0=c0)
    xw = x @ w_ih.T + (b_ih + b_hh)                        # (T, N, 4H): input side of the gates
    dtype = xw.dtype
    w_hh_t = np.ascontiguousarray(w_hh.T)                  # (H, 4H), read once per step
    # sigma(a) = (tanh(a/2) + 1)/2, so one tanh serves all four gates: with s = 1/2 on the
    # sigmoid blocks and 1 on g's block, gate = s * tanh(s * a) + (1 - s) * [sigmoid block]
    scale = np.full(4 * H, 0.5, dtype)
    scale[2 * H:3 * H] = 1.0
    shift = np.where(scale == 1.0, 0.0, 0.5).astype(dtype)
    h = np.empty((T + 1, N, H), dtype)                     # h[0] = h0, h[t] = h_t
    c = np.empty((T + 1, N, H), dtype)
    h[0], c[0] = h0, c0
    gates = np.empty((T, N, 4 * H), dtype)                 # i, f, g, o after their functions
    tanh_c = np.empty((T, N, H), dtype)
    for t in range(T):
        a = xw[t] + h[t] @ w_hh_t                          # (N, 4H)
        gates[t] = np.tanh(a * scale) * scale + shift
        i, f, g, o = (gates[t, :, k * H:(k + 1) * H] for k in range(4))
        c[t + 1] = f * c[t] + i * g
        tanh_c[t] = np.tanh(c[t + 1])
        h[t + 1] = o * tanh_c[t]
    return h[1:], h[T], c[T], (x, h, c, w_ih, w_hh, gates, tanh_c)


def lstm_backward(dout, dh_n, dc_n, cache):
    r"""Backpropagation through time for :func:`lstm_forward`.

    Parameters
    ----------
    dout : array_like of shape (T, N, H), or None
        :math:`\partial L/\partial h_t` from the outputs (None: zero).
    dh_n, dc_n : array_like of shape (N, H), or None
        Gradients on the last hidden and cell states (None: zero).
    cache : tuple
        From :func:`lstm_forward`.

    Returns
    -------
    dx : ndarray of shape (T, N, D)
    dh0, dc0 : ndarray of shape (N, H)
    dweight_ih : ndarray of shape (4H, D)
    dweight_hh : ndarray of shape (4H, H)
    dbias_ih, dbias_hh : ndarray of shape (4H,)

    Raises
    ------
    ValueError
        If a gradient has the wrong shape.

    Notes
    -----
    With :math:`g_h` and :math:`g_c` the gradients arriving at :math:`h_t` and :math:`c_t`, one
    step back is

    .. math::

        \bar g_c &= g_c + g_h \odot o \odot (1 - \tanh^2 c_t), \\
        \delta_i &= \bar g_c \odot g \odot i(1-i), \quad
        \delta_f = \bar g_c \odot c_{t-1} \odot f(1-f), \\
        \delta_g &= \bar g_c \odot i \odot (1-g^2), \quad
        \delta_o = g_h \odot \tanh c_t \odot o(1-o), \\
        g_c &\leftarrow \bar g_c \odot f, \qquad
        g_h \leftarrow \texttt{dout}_{t-1} + (\delta_i, \delta_f, \delta_g, \delta_o)\,W_{hh}.

    The cell's gradient goes back through :math:`\odot f` only: no weight matrix, no squashing
    derivative. Weight and bias gradients are sums over time, one matrix product each.

    See Also
    --------
    lstm_forward, dlbook.nlp.lstm_torch.lstm, :ref:`ch-lstm`

    Examples
    --------
    Zero weights: :math:`c_1 = c_0/2`, so :math:`\partial c_1/\partial c_0 = f = 1/2`:

    >>> z = np.zeros((4, 1))
    >>> out, h_n, c_n, cache = lstm_forward(np.zeros((1, 1, 1)), [[0.0]], [[2.0]], z, z,
    ...                                     np.zeros(4), np.zeros(4))
    >>> lstm_backward(None, None, np.ones((1, 1)), cache)[2]
    array([[0.5]])
    """
    x, h, c, w_ih, w_hh, gates, tanh_c = cache
    T, N, D = x.shape
    H = h.shape[2]
    dout = np.zeros((T, N, H), h.dtype) if dout is None else _checks.real_array(dout, "dout")
    dh = np.zeros((N, H), h.dtype) if dh_n is None else _checks.real_array(dh_n, "dh_n")
    dc = np.zeros((N, H), h.dtype) if dc_n is None else _checks.real_array(dc_n, "dc_n")
    _checks.check_shape(dout, "dout", (T, N, H), "(T, N, H)")
    _checks.check_shape(dh, "dh_n", (N, H), "(N, H)")
    _checks.check_shape(dc, "dc_n", (N, H), "(N, H)")
    # Everything that does not depend on the incoming gradients, for all steps at once:
    # dc_t gets dh_t * o (1 - tanh^2 c_t), and the gate pre-activations get
    # (dc g i(1-i), dc c_{t-1} f(1-f), dc i (1-g^2), dh tanh(c_t) o(1-o)).
    i, f, g, o = (gates[:, :, k * H:(k + 1) * H] for k in range(4))     # each (T, N, H)
    h_to_c = o * (1 - tanh_c * tanh_c)
    local = np.empty((T, N, 4, H), gates.dtype)
    local[:, :, 0] = g * i * (1 - i)
    local[:, :, 1] = c[:-1] * f * (1 - f)
    local[:, :, 2] = i * (1 - g * g)
    local[:, :, 3] = tanh_c * o * (1 - o)
    da = np.empty((T, N, 4, H), np.result_type(h, dout, dh, dc))
    for t in range(T - 1, -1, -1):
        dh = dh + dout[t]
        dc = dc + dh * h_to_c[t]
        np.multiply(dc[:, None, :], local[t, :, :3], out=da[t, :, :3])   # i, f, g
        np.multiply(dh, local[t, :, 3], out=da[t, :, 3])                # o
        dc = dc * f[t]                                     # on to c_{t-1}
        dh = da[t].reshape(N, 4 * H) @ w_hh                # on to h_{t-1}
    da = da.reshape(T, N, 4 * H)
    flat = da.reshape(T * N, 4 * H)
    dx = da @ w_ih                                         # (T, N, D)
    dweight_ih = flat.T @ x.reshape(T * N, D)
    dweight_hh = flat.T @ h[:-1].reshape(T * N, H)
    dbias = flat.sum(axis=0)
    return dx, dh, dc, dweight_ih, dweight_hh, dbias, dbias.copy()
