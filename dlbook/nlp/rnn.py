r"""The Elman recurrent layer in NumPy: one step, the unrolled forward pass, and backpropagation
through time (BPTT), in torch's layout.

Input is time-major, ``x`` of shape (T, N, D) (T steps, a batch of N, D features), the hidden
state ``h`` has shape (N, H), and the weights are stored as ``torch.nn.RNN`` stores them:
``weight_ih`` (H, D), ``weight_hh`` (H, H), ``bias_ih`` and ``bias_hh`` (H,). One step is

.. math::

    h_t = \phi\bigl(x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh}\bigr),
    \qquad \phi \in \{\tanh, \operatorname{ReLU}\},

and the layer applies it for :math:`t = 1, \dots, T` with the same weights at every step.

See Also
--------
dlbook.nlp.rnn_torch : the torch twin (autograd replaces :func:`rnn_backward`).
:ref:`ch-rnn` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook import _checks

__all__ = ["NONLINEARITIES", "rnn_cell", "rnn", "rnn_forward", "rnn_backward"]

#: The nonlinearities ``torch.nn.RNN`` offers.
NONLINEARITIES = ("tanh", "relu")


def _activate(a, nonlinearity):
    return np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)


def rnn_cell(x, h, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity="tanh"):
    r"""One step of an Elman network, as ``torch.nn.RNNCell``.

    Parameters
    ----------
    x : array_like of shape (N, D)
        The input at this step.
    h : array_like of shape (N, H)
        The previous hidden state :math:`h_{t-1}`.
    weight_ih : array_like of shape (H, D)
    weight_hh : array_like of shape (H, H)
    bias_ih, bias_hh : array_like of shape (H,)
    nonlinearity : {"tanh", "relu"}, default "tanh"

    Returns
    -------
    ndarray of shape (N, H)
        :math:`h_t = \phi(x W_{ih}^\top + b_{ih} + h W_{hh}^\top + b_{hh})`.

    Raises
    ------
    ValueError
        For mismatched shapes (the message names them) or an unknown ``nonlinearity``.

    See Also
    --------
    rnn : the cell applied along a whole sequence.
    dlbook.nlp.rnn_torch.rnn_cell : the torch twin.
    :ref:`ch-rnn`

    Examples
    --------
    With zero weights the new state is :math:`\tanh(b_{ih} + b_{hh})`:

    >>> h = rnn_cell(np.ones((1, 2)), np.zeros((1, 1)), np.zeros((1, 2)), np.zeros((1, 1)),
    ...              [0.5], [0.5])
    >>> h.round(4)    # tanh(1)
    array([[0.7616]])
    """
    x = _checks.real_array(x, "x", ndim=2)
    out, _, _ = rnn_forward(x[None], h, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity)
    return out[0]


def rnn(x, h0, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity="tanh"):
    r"""An Elman recurrent layer over a whole sequence, as ``torch.nn.RNN`` (one layer).

    Parameters
    ----------
    x : array_like of shape (T, N, D)
        The inputs, time-major.
    h0 : array_like of shape (N, H)
        The initial hidden state.
    weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity
        As in :func:`rnn_cell`.

    Returns
    -------
    out : ndarray of shape (T, N, H)
        :math:`h_1, \dots, h_T`.
    h_n : ndarray of shape (N, H)
        :math:`h_T`, the last state (equal to ``out[-1]``).

    Raises
    ------
    ValueError
        As :func:`rnn_forward`.

    See Also
    --------
    rnn_forward : the same, with the cache that :func:`rnn_backward` needs.
    dlbook.nlp.rnn_torch.rnn : the torch twin.
    :ref:`ch-rnn`

    Examples
    --------
    One unit that keeps half of its state: :math:`h_t = \tanh(x_t + 0.5\,h_{t-1})`.

    >>> out, h_n = rnn([[[1.0]], [[0.0]], [[0.0]]], [[0.0]], [[1.0]], [[0.5]], [0.0], [0.0])
    >>> out.ravel().round(4)   # tanh(1), tanh(0.5 tanh 1), ...
    array([0.7616, 0.3634, 0.1797])
    """
    out, h_n, _ = rnn_forward(x, h0, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity)
    return out, h_n


def rnn_forward(x, h0, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity="tanh"):
    r"""Forward pass of an Elman layer, keeping what backpropagation through time needs.

    Parameters
    ----------
    x : array_like of shape (T, N, D)
    h0 : array_like of shape (N, H)
    weight_ih : array_like of shape (H, D)
    weight_hh : array_like of shape (H, H)
    bias_ih, bias_hh : array_like of shape (H,)
    nonlinearity : {"tanh", "relu"}, default "tanh"

    Returns
    -------
    out : ndarray of shape (T, N, H)
    h_n : ndarray of shape (N, H)
    cache : tuple
        The inputs, weights and every hidden state, for :func:`rnn_backward`.

    Raises
    ------
    ValueError
        If ``x`` is not 3-D, a size disagrees (D with ``weight_ih``, H with ``h0``), or
        ``nonlinearity`` is unknown.

    Notes
    -----
    The input projections of all steps are one matrix product, :math:`X W_{ih}^\top + b_{ih}
    + b_{hh}` of shape (T, N, H); only the recurrence :math:`h_t = \phi(a_t)` with
    :math:`a_t = (XW_{ih}^\top)_t + b + h_{t-1}W_{hh}^\top` has to run step by step.

    See Also
    --------
    rnn_backward, rnn
    :ref:`ch-rnn`

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x, h0 = rng.normal(size=(4, 2, 3)), np.zeros((2, 5))
    >>> w_ih, w_hh, b = rng.normal(size=(5, 3)), rng.normal(size=(5, 5)), np.zeros(5)
    >>> out, h_n, cache = rnn_forward(x, h0, w_ih, w_hh, b, b)
    >>> out.shape, h_n.shape, bool(np.all(out[-1] == h_n))
    ((4, 2, 5), (2, 5), True)
    """
    nonlinearity = _checks.one_of(nonlinearity, "nonlinearity", NONLINEARITIES)
    x, h0, w_ih, w_hh, b_ih, b_hh = _checks.common_real_arrays(
        ("x", x), ("h0", h0), ("weight_ih", weight_ih), ("weight_hh", weight_hh),
        ("bias_ih", bias_ih), ("bias_hh", bias_hh))
    T, N, D, H = _checks.recurrent_shapes(x, h0, w_ih, w_hh, b_ih, b_hh, gates=1)
    xw = x @ w_ih.T + (b_ih + b_hh)                        # (T, N, H): all input projections
    h = np.empty((T + 1, N, H), dtype=xw.dtype)            # h[0] = h0, h[t] = h_t
    h[0] = h0
    for t in range(T):
        h[t + 1] = _activate(xw[t] + h[t] @ w_hh.T, nonlinearity)
    return h[1:], h[T], (x, h, w_ih, w_hh, nonlinearity)


def rnn_backward(dout, dh_n, cache):
    r"""Backpropagation through time for :func:`rnn_forward`.

    Parameters
    ----------
    dout : array_like of shape (T, N, H), or None
        :math:`\partial L/\partial h_t` from the layer's outputs (None: zero, as for a
        many-to-one model that reads only the last state).
    dh_n : array_like of shape (N, H), or None
        :math:`\partial L/\partial h_T` through ``h_n`` (None: zero).
    cache : tuple
        From :func:`rnn_forward`.

    Returns
    -------
    dx : ndarray of shape (T, N, D)
    dh0 : ndarray of shape (N, H)
    dweight_ih : ndarray of shape (H, D)
    dweight_hh : ndarray of shape (H, H)
    dbias_ih, dbias_hh : ndarray of shape (H,)

    Raises
    ------
    ValueError
        If ``dout`` or ``dh_n`` has the wrong shape.

    Notes
    -----
    Going backwards from :math:`g_T = \partial L/\partial h_T` (``dh_n`` plus ``dout[T-1]``),
    each step turns the gradient on :math:`h_t` into one on the pre-activation and passes it
    one step further back:

    .. math::

        \delta_t = g_t \odot \phi'(a_t), \qquad
        g_{t-1} = \texttt{dout}_{t-1} + \delta_t W_{hh},

    with :math:`\phi'(a) = 1 - h_t^2` for tanh and :math:`[h_t > 0]` for ReLU. The weights are
    shared by all steps, so their gradients are sums over time (one matrix product each):

    .. math::

        \frac{\partial L}{\partial W_{ih}} = \sum_t \delta_t^\top x_t, \quad
        \frac{\partial L}{\partial W_{hh}} = \sum_t \delta_t^\top h_{t-1}, \quad
        \frac{\partial L}{\partial b_{ih}} = \frac{\partial L}{\partial b_{hh}}
        = \sum_{t,n} \delta_{t,n}, \quad
        \frac{\partial L}{\partial x_t} = \delta_t W_{ih},

    and :math:`\partial L/\partial h_0 = g_0`. Only the recurrence over :math:`t` is a loop.

    See Also
    --------
    rnn_forward
    dlbook.nlp.rnn_torch.rnn : the torch twin, differentiated by autograd.
    :ref:`ch-rnn`

    Examples
    --------
    For one step, one unit and zero weights, :math:`h_1 = \tanh(b_{ih} + b_{hh})` and
    :math:`\partial h_1/\partial b_{ih} = 1 - h_1^2`:

    >>> z = np.zeros((1, 1))
    >>> out, h_n, cache = rnn_forward(np.zeros((1, 1, 1)), z, z, z, [0.5], [0.5])
    >>> grads = rnn_backward(None, np.ones((1, 1)), cache)
    >>> round(float(grads[4][0]), 4), round(1 - float(np.tanh(1.0)) ** 2, 4)
    (0.42, 0.42)
    """
    x, h, w_ih, w_hh, nonlinearity = cache
    T, N, D = x.shape
    H = h.shape[2]
    dout = np.zeros((T, N, H), h.dtype) if dout is None else _checks.real_array(dout, "dout")
    dh = np.zeros((N, H), h.dtype) if dh_n is None else _checks.real_array(dh_n, "dh_n")
    _checks.check_shape(dout, "dout", (T, N, H), "(T, N, H)")
    _checks.check_shape(dh, "dh_n", (N, H), "(N, H)")
    if nonlinearity == "tanh":
        slope = 1 - h[1:] * h[1:]                          # (T, N, H): tanh'(a_t) = 1 - h_t^2
    else:
        slope = (h[1:] > 0).astype(h.dtype)                # ReLU'(a_t), 0 at a_t <= 0 as torch
    delta = np.empty((T, N, H), dtype=np.result_type(h, dout, dh))
    for t in range(T - 1, -1, -1):
        dh = dh + dout[t]
        delta[t] = dh * slope[t]
        dh = delta[t] @ w_hh                               # on to h_{t-1}
    flat = delta.reshape(T * N, H)
    dx = delta @ w_ih                                       # (T, N, D)
    dweight_ih = flat.T @ x.reshape(T * N, D)
    dweight_hh = flat.T @ h[:-1].reshape(T * N, H)
    dbias = flat.sum(axis=0)
    return dx, dh, dweight_ih, dweight_hh, dbias, dbias.copy()
