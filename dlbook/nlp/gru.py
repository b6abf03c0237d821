r"""The gated recurrent unit (GRU) in NumPy: one step, the forward pass and backpropagation
through time, in torch's layout and gate order.

``weight_ih`` (3H, D) and ``weight_hh`` (3H, H) stack the reset gate :math:`r`, the update
gate :math:`z` and the candidate :math:`n`, in that order, as ``torch.nn.GRU`` does; the biases
are (3H,). One step is

.. math::

    r_t &= \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}) \\
    z_t &= \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}) \\
    n_t &= \tanh\bigl(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})\bigr) \\
    h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}

(written for one column vector; the code works on a batch of rows, :math:`x W^\top`). Note
where the reset gate acts: on :math:`W_{hn} h_{t-1} + b_{hn}`, after the product, as in torch
and in Cho et al.'s paper; some texts put it before (:math:`W_{hn}(r_t \odot h_{t-1})`), a
different model.

See Also
--------
dlbook.nlp.gru_torch : the torch twin (autograd replaces :func:`gru_backward`).
:ref:`ch-lstm` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook import _checks

__all__ = ["gru_cell", "gru", "gru_forward", "gru_backward"]


def _sigmoid(a):
    return 0.5 * (np.tanh(0.5 * a) + 1)                    # = 1 / (1 + e^-a), never overflows


def gru_cell(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    r"""One GRU step, as ``torch.nn.GRUCell``.

    Parameters
    ----------
    x : array_like of shape (N, D)
    h : array_like of shape (N, H)
    weight_ih : array_like of shape (3H, D)
        :math:`W_{ir}, W_{iz}, W_{in}` stacked.
    weight_hh : array_like of shape (3H, H)
        :math:`W_{hr}, W_{hz}, W_{hn}` stacked.
    bias_ih, bias_hh : array_like of shape (3H,)

    Returns
    -------
    ndarray of shape (N, H)
        :math:`h_t` (see the module's equations).

    Raises
    ------
    ValueError
        For mismatched shapes (the message names them).

    See Also
    --------
    gru, dlbook.nlp.gru_torch.gru_cell, :ref:`ch-lstm`

    Examples
    --------
    With zero weights and biases, :math:`r = z = 1/2` and :math:`n = 0`, so the step halves
    the state:

    >>> gru_cell(np.zeros((1, 1)), [[0.8]], np.zeros((3, 1)), np.zeros((3, 1)), np.zeros(3),
    ...          np.zeros(3))
    array([[0.4]])
    """
    x = _checks.real_array(x, "x", ndim=2)
    out, _, _ = gru_forward(x[None], h, weight_ih, weight_hh, bias_ih, bias_hh)
    return out[0]


def gru(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    r"""A GRU layer over a whole sequence, as ``torch.nn.GRU`` (one layer, one direction).

    Parameters
    ----------
    x : array_like of shape (T, N, D)
    h0 : array_like of shape (N, H)
    weight_ih, weight_hh, bias_ih, bias_hh
        As in :func:`gru_cell`.

    Returns
    -------
    out : ndarray of shape (T, N, H)
    h_n : ndarray of shape (N, H)

    Raises
    ------
    ValueError
        For mismatched shapes.

    See Also
    --------
    gru_forward, dlbook.nlp.gru_torch.gru, :ref:`ch-lstm`

    Examples
    --------
    Zero weights: every step halves the state.

    >>> out, h_n = gru(np.zeros((3, 1, 1)), [[0.8]], np.zeros((3, 1)), np.zeros((3, 1)),
    ...                np.zeros(3), np.zeros(3))
    >>> out.ravel()
    array([0.4, 0.2, 0.1])
    """
    out, h_n, _ = gru_forward(x, h0, weight_ih, weight_hh, bias_ih, bias_hh)
    return out, h_n


def gru_forward(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    r"""Forward pass of a GRU layer, keeping what :func:`gru_backward` needs.

    Parameters
    ----------
    x : array_like of shape (T, N, D)
    h0 : array_like of shape (N, H)
    weight_ih : array_like of shape (3H, D)
    weight_hh : array_like of shape (3H, H)
    bias_ih, bias_hh : array_like of shape (3H,)

    Returns
    -------
    out : ndarray of shape (T, N, H)
    h_n : ndarray of shape (N, H)
    cache : tuple
        Inputs, weights, states and gate values of every step.

    Raises
    ------
    ValueError
        If ``x`` is not 3-D or a size disagrees (D with ``weight_ih``, H with ``h0``).

    See Also
    --------
    gru_backward, gru, :ref:`ch-lstm`

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> w_ih, w_hh, b = rng.normal(size=(12, 3)), rng.normal(size=(12, 4)), np.zeros(12)
    >>> out, h_n, cache = gru_forward(rng.normal(size=(5, 2, 3)), np.zeros((2, 4)),
    ...                               w_ih, w_hh, b, b)
    >>> out.shape, bool(np.all(np.abs(out) < 1))
    ((5, 2, 4), True)
    """
    x, h0, w_ih, w_hh, b_ih, b_hh = _checks.common_real_arrays(
        ("x", x), ("h0", h0), ("weight_ih", weight_ih), ("weight_hh", weight_hh),
        ("bias_ih", bias_ih), ("bias_hh", bias_hh))
    T, N, D, H = _checks.recurrent_shapes(x, h0, w_ih, w_hh, b_ih, b_hh, gates=3)
    gi = x @ w_ih.T + b_ih                                 # (T, N, 3H): input parts of r, z, n
    dtype = gi.dtype
    h = np.empty((T + 1, N, H), dtype)
    h[0] = h0
    r, z, n, hn = (np.empty((T, N, H), dtype) for _ in range(4))
    for t in range(T):
        gh = h[t] @ w_hh.T + b_hh                          # (N, 3H): hidden parts of r, z, n
        r[t] = _sigmoid(gi[t, :, :H] + gh[:, :H])
        z[t] = _sigmoid(gi[t, :, H:2 * H] + gh[:, H:2 * H])
        hn[t] = gh[:, 2 * H:]                              # W_hn h_{t-1} + b_hn, before r
        n[t] = np.tanh(gi[t, :, 2 * H:] + r[t] * hn[t])
        h[t + 1] = n[t] + z[t] * (h[t] - n[t])             # (1 - z) n + z h_{t-1}
    return h[1:], h[T], (x, h, w_ih, w_hh, r, z, n, hn)


def gru_backward(dout, dh_n, cache):
    r"""Backpropagation through time for :func:`gru_forward`.

    Parameters
    ----------
    dout : array_like of shape (T, N, H), or None
        :math:`\partial L/\partial h_t` from the outputs (None: zero).
    dh_n : array_like of shape (N, H), or None
        :math:`\partial L/\partial h_T` through ``h_n`` (None: zero).
    cache : tuple
        From :func:`gru_forward`.

    Returns
    -------
    dx : ndarray of shape (T, N, D)
    dh0 : ndarray of shape (N, H)
    dweight_ih : ndarray of shape (3H, D)
    dweight_hh : ndarray of shape (3H, H)
    dbias_ih, dbias_hh : ndarray of shape (3H,)

    Raises
    ------
    ValueError
        If ``dout`` or ``dh_n`` has the wrong shape.

    Notes
    -----
    With :math:`g` the gradient on :math:`h_t` and :math:`\bar h = W_{hn} h_{t-1} + b_{hn}`,
    one step back is

    .. math::

        \delta_n &= g \odot (1 - z) \odot (1 - n^2), &
        \delta_z &= g \odot (h_{t-1} - n) \odot z (1 - z), &
        \delta_r &= \delta_n \odot \bar h \odot r (1 - r),

    the pre-activations of the input side get :math:`(\delta_r, \delta_z, \delta_n)` and those
    of the hidden side :math:`(\delta_r, \delta_z, r \odot \delta_n)`, and

    .. math:: g_{t-1} = \texttt{dout}_{t-1} + g \odot z + (\delta_r, \delta_z,
              r\odot\delta_n)\, W_{hh}.

    Weight and bias gradients are sums over time, one matrix product each.

    See Also
    --------
    gru_forward, dlbook.nlp.gru_torch.gru, :ref:`ch-lstm`

    Examples
    --------
    Zero weights: :math:`h_1 = h_0/2`, so :math:`\partial h_1/\partial h_0 = 1/2`:

    >>> zero3 = np.zeros((3, 1))
    >>> out, h_n, cache = gru_forward(np.zeros((1, 1, 1)), [[0.8]], zero3, zero3,
    ...                               np.zeros(3), np.zeros(3))
    >>> gru_backward(None, np.ones((1, 1)), cache)[1]
    array([[0.5]])
    """
    x, h, w_ih, w_hh, r, z, n, hn = cache
    T, N, D = x.shape
    H = h.shape[2]
    dout = np.zeros((T, N, H), h.dtype) if dout is None else _checks.real_array(dout, "dout")
    dh = np.zeros((N, H), h.dtype) if dh_n is None else _checks.real_array(dh_n, "dh_n")
    _checks.check_shape(dout, "dout", (T, N, H), "(T, N, H)")
    _checks.check_shape(dh, "dh_n", (N, H), "(N, H)")
    dtype = np.result_type(h, dout, dh)
    dgi = np.empty((T, N, 3 * H), dtype)                   # gradients on the input side
    dgh = np.empty((T, N, 3 * H), dtype)                   # ... and on the hidden side
    for t in range(T - 1, -1, -1):
        dh = dh + dout[t]
        d_n = dh * (1 - z[t]) * (1 - n[t] * n[t])
        d_z = dh * (h[t] - n[t]) * z[t] * (1 - z[t])
        d_r = d_n * hn[t] * r[t] * (1 - r[t])
        dgi[t, :, :H], dgi[t, :, H:2 * H], dgi[t, :, 2 * H:] = d_r, d_z, d_n
        dgh[t, :, :H], dgh[t, :, H:2 * H], dgh[t, :, 2 * H:] = d_r, d_z, r[t] * d_n
        dh = dh * z[t] + dgh[t] @ w_hh                     # on to h_{t-1}
    dx = dgi @ w_ih                                        # (T, N, D)
    flat_i, flat_h = dgi.reshape(T * N, 3 * H), dgh.reshape(T * N, 3 * H)
    dweight_ih = flat_i.T @ x.reshape(T * N, D)
    dweight_hh = flat_h.T @ h[:-1].reshape(T * N, H)
    return dx, dh, dweight_ih, dweight_hh, flat_i.sum(axis=0), flat_h.sum(axis=0)
