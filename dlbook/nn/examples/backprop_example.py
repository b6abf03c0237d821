r"""The course's hand-worked backpropagation example: a 2-2-2 sigmoid network, no biases.

Chapter :ref:`ch-backprop` fills its table from :func:`worked_example`; a chapter fixture, not
library code. The network is

.. math::

    h = \sigma(W_h x), \qquad o = \sigma(W_o h), \qquad
    E = \tfrac12 \sum_k (o_k - y_k)^2

with the course's numbers: :math:`x = (0.5, 0.3)`, :math:`y = (0.23, -0.07)` and the weights
below, stored in PyTorch's layout (row :math:`j` of a weight matrix holds the weights *into*
unit :math:`j`). The course names the weights :math:`w_1 \dots w_8`:

=========  ==========================  ==========================
matrix     row 0                       row 1
=========  ==========================  ==========================
``W_h``    H1: w1 = 0.2 (from x1),     H2: w2 = -0.4 (from x1),
           w3 = 0.5 (from x2)          w4 = 0.6 (from x2)
``W_o``    O1: w5 = 0.1 (from H1),     O2: w6 = -0.5 (from H1),
           w7 = -0.3 (from H2)         w8 = 0.8 (from H2)
=========  ==========================  ==========================

The functions take a batch (N rows) so that the same code serves the vectorised derivation;
the loss sums over the batch as well (no mean), as the course's single-example ``Error`` does.
The backward pass is split the way the chapter explains it: :func:`squared_error_grad` gives
:math:`\partial E/\partial o`, :func:`sigmoid_net_deltas` the deltas
:math:`\partial E/\partial z` of both layers, and :func:`sigmoid_net_backward` the gradients.

There is no torch twin: the tests compare every number with ``torch.autograd`` in float64.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from dlbook._checks import check_shape, finite_pair, real_array, real_value, same_shape
from dlbook.bilingual import Text, table, tr
from dlbook.nn.activations import sigmoid

__all__ = [
    "COURSE_X", "COURSE_Y", "COURSE_W_HIDDEN", "COURSE_W_OUTPUT", "COURSE_NAMES_HIDDEN",
    "COURSE_NAMES_OUTPUT", "sigmoid_net_forward", "squared_error", "squared_error_grad",
    "sigmoid_net_deltas", "sigmoid_net_backward", "course_hidden_gradient", "Row",
    "worked_example", "format_table",
]

COURSE_X = np.array([[0.5, 0.3]])  # (1, 2): one example
COURSE_Y = np.array([[0.23, -0.07]])  # (1, 2)
COURSE_W_HIDDEN = np.array([[0.2, 0.5], [-0.4, 0.6]])  # (2 hidden, 2 inputs)
COURSE_W_OUTPUT = np.array([[0.1, -0.3], [-0.5, 0.8]])  # (2 outputs, 2 hidden)
COURSE_NAMES_HIDDEN = np.array([["w1", "w3"], ["w2", "w4"]])
COURSE_NAMES_OUTPUT = np.array([["w5", "w7"], ["w6", "w8"]])


def _network(x, w_hidden, w_output):
    """The three arrays as float64, with shapes (N, n_in), (n_hidden, n_in), (n_out, n_hidden)."""
    x, w_hidden, w_output = (real_array(a, name).astype(np.float64) for a, name in
                             ((x, "x"), (w_hidden, "w_hidden"), (w_output, "w_output")))
    check_shape(x, "x", (None, None), "(N, n_in)")
    check_shape(w_hidden, "w_hidden", (None, x.shape[1]), "(n_hidden, n_in)")
    check_shape(w_output, "w_output", (None, w_hidden.shape[0]), "(n_out, n_hidden)")
    return x, w_hidden, w_output


def sigmoid_net_forward(x, w_hidden, w_output):
    r"""Forward pass :math:`h = \sigma(x W_h^\top)`, :math:`o = \sigma(h W_o^\top)` (no biases).

    Parameters
    ----------
    x : array_like of shape (N, n_in)
    w_hidden : array_like of shape (n_hidden, n_in)
    w_output : array_like of shape (n_out, n_hidden)

    Returns
    -------
    o : ndarray of shape (N, n_out)
    cache : dict
        ``x``, ``w_hidden``, ``w_output``, the pre-activations ``z_hidden``, ``z_output`` and
        the activations ``h``, ``o``.

    Raises
    ------
    ValueError
        If the shapes do not fit together.

    See Also
    --------
    sigmoid_net_backward, :ref:`ch-backprop`

    Examples
    --------
    The course's forward numbers 0.56, 0.50, 0.48, 0.53:

    >>> o, cache = sigmoid_net_forward(COURSE_X, COURSE_W_HIDDEN, COURSE_W_OUTPUT)
    >>> cache["h"].round(2), o.round(2)
    (array([[0.56, 0.5 ]]), array([[0.48, 0.53]]))
    """
    x, w_hidden, w_output = _network(x, w_hidden, w_output)
    z_hidden = x @ w_hidden.T  # (N, n_hidden)
    h = sigmoid(z_hidden)
    z_output = h @ w_output.T  # (N, n_out)
    o = sigmoid(z_output)
    cache = dict(x=x, w_hidden=w_hidden, w_output=w_output, z_hidden=z_hidden, h=h,
                 z_output=z_output, o=o)
    return o, cache


def squared_error(y, o):
    r""":math:`E = \frac12 \sum_{n,k} (o_{nk} - y_{nk})^2` (a sum, not a mean).

    Examples
    --------
    >>> squared_error([[0.0, 1.0]], [[1.0, 3.0]])   # (1 + 4) / 2
    2.5
    """
    y, o = finite_pair(y, o, "y", "o")
    return float(0.5 * np.sum((o - y) ** 2))


def squared_error_grad(y, o):
    r"""Gradient of :func:`squared_error` with respect to the outputs: :math:`o - y`.

    Examples
    --------
    >>> squared_error_grad([[0.0, 1.0]], [[1.0, 3.0]])
    array([[1., 2.]])
    """
    y, o = finite_pair(y, o, "y", "o")
    return o - y


def sigmoid_net_deltas(dout, cache):
    r"""The deltas :math:`\delta = \partial E/\partial z` of both layers, output layer first.

    Parameters
    ----------
    dout : array_like of shape (N, n_out)
        :math:`\partial E/\partial o` (:func:`squared_error_grad` for the course's loss).
    cache : dict
        From :func:`sigmoid_net_forward`.

    Returns
    -------
    delta_hidden : ndarray of shape (N, n_hidden)
        :math:`\delta^h = (\delta^o W_o)\odot h\odot(1-h)`.
    delta_output : ndarray of shape (N, n_out)
        :math:`\delta^o = \partial E/\partial o \odot o\odot(1 - o)`.

    Notes
    -----
    Element by element:

    .. math::

        \delta^o_k = \frac{\partial E}{\partial o_k}\, o_k (1 - o_k), \qquad
        \delta^h_j = \Bigl(\sum_k \delta^o_k (W_o)_{kj}\Bigr) h_j (1 - h_j) .

    Hidden unit :math:`j` feeds every output :math:`k`, so its delta sums over the outputs
    :math:`\delta^o_k` times the weight :math:`(W_o)_{kj}` that carried it.

    See Also
    --------
    sigmoid_net_backward, :ref:`ch-backprop`

    Examples
    --------
    >>> o, cache = sigmoid_net_forward(COURSE_X, COURSE_W_HIDDEN, COURSE_W_OUTPUT)
    >>> delta_hidden, delta_output = sigmoid_net_deltas(squared_error_grad(COURSE_Y, o), cache)
    >>> delta_output.round(2)   # about (0.48 - 0.23) * 0.48 * 0.52, (0.53 + 0.07) * 0.53 * 0.47
    array([[0.06, 0.15]])
    """
    o, h, w_output = cache["o"], cache["h"], cache["w_output"]
    dout = real_array(dout, "dout")
    same_shape(dout, o, "dout", "the network's output")
    delta_output = dout * o * (1.0 - o)  # (N, n_out)
    delta_hidden = (delta_output @ w_output) * h * (1.0 - h)  # (N, n_hidden): sum over k
    return delta_hidden, delta_output


def sigmoid_net_backward(dout, cache):
    r"""The chain-rule step of the whole network: gradients of :math:`E` from
    :math:`\partial E/\partial o`.

    Parameters
    ----------
    dout : array_like of shape (N, n_out)
        :math:`\partial E/\partial o`.
    cache : dict
        From :func:`sigmoid_net_forward`.

    Returns
    -------
    dx : ndarray of shape (N, n_in)
        :math:`\delta^h W_h`.
    dw_hidden : ndarray of shape (n_hidden, n_in)
        :math:`(\delta^h)^\top x`: :math:`\partial E/\partial (W_h)_{ji} = \delta^h_j x_i`.
    dw_output : ndarray of shape (n_out, n_hidden)
        :math:`(\delta^o)^\top h`: :math:`\partial E/\partial (W_o)_{kj} = \delta^o_k h_j`.

    Raises
    ------
    ValueError
        If ``dout`` does not have the output's shape.

    See Also
    --------
    sigmoid_net_deltas, course_hidden_gradient : the course's (incorrect) hidden-layer rule.
    :ref:`ch-backprop`

    Examples
    --------
    >>> o, cache = sigmoid_net_forward(COURSE_X, COURSE_W_HIDDEN, COURSE_W_OUTPUT)
    >>> dx, dw_hidden, dw_output = sigmoid_net_backward(squared_error_grad(COURSE_Y, o), cache)
    >>> dw_hidden[0, 0].round(4)   # w1: negative, not the course's +0.01
    np.float64(-0.0084)
    """
    delta_hidden, delta_output = sigmoid_net_deltas(dout, cache)
    dx = delta_hidden @ cache["w_hidden"]  # (N, n_in)
    dw_hidden = delta_hidden.T @ cache["x"]  # (n_hidden, n_in)
    dw_output = delta_output.T @ cache["h"]  # (n_out, n_hidden)
    return dx, dw_hidden, dw_output


def course_hidden_gradient(cache, dw_output):
    r"""The course notes' hidden-layer "gradient": output *weight gradients* added up. Wrong.

    The notes compute :math:`\partial E/\partial w_1 = (\partial E/\partial w_5 +
    \partial E/\partial w_6)\, h_1(1-h_1)\, x_1`, i.e.

    .. math::

        g_{ji} = \Bigl(\sum_k \frac{\partial E}{\partial (W_o)_{kj}}\Bigr) h_j (1-h_j) x_i
              = \Bigl(\sum_k \delta^o_k\, h_j\Bigr) h_j (1-h_j) x_i ,

    which uses :math:`h_j` where the chain rule has the weight :math:`(W_o)_{kj}`: compare
    :func:`sigmoid_net_backward`. Kept only so the book can show both numbers.

    Parameters
    ----------
    cache : dict
        From :func:`sigmoid_net_forward` (one example, N = 1).
    dw_output : ndarray of shape (n_out, n_hidden)
        The output layer's weight gradients.

    Returns
    -------
    ndarray of shape (n_hidden, n_in)

    Examples
    --------
    The notes' (0.03 + 0.08) * 0.56 * (1 - 0.56) * 0.5 = 0.01 (0.0146 unrounded):

    >>> o, cache = sigmoid_net_forward(COURSE_X, COURSE_W_HIDDEN, COURSE_W_OUTPUT)
    >>> _, _, dw_output = sigmoid_net_backward(squared_error_grad(COURSE_Y, o), cache)
    >>> course_hidden_gradient(cache, dw_output)[0, 0].round(4)
    np.float64(0.0146)
    """
    x, h = cache["x"], cache["h"]
    if x.shape[0] != 1:
        raise ValueError(f"the course's rule is for one example; got a batch of {x.shape[0]}")
    summed = np.asarray(dw_output).sum(axis=0)  # (n_hidden,): column sums over outputs
    return (summed * h[0] * (1.0 - h[0]))[:, None] * x[0][None, :]  # (n_hidden, n_in)


class Row(NamedTuple):
    """One line of the worked-example table: ``(stage, name, formula, value)``.

    Examples
    --------
    >>> r = Row("forward", "H1", "sigmoid(H1 in)", 0.5)   # sigmoid(0) = 1/2
    >>> r.name, r.value
    ('H1', 0.5)
    >>> stage, name, formula, value = r   # a tuple: it unpacks in field order
    >>> stage
    'forward'
    """

    stage: str
    name: str
    formula: str
    value: float


def worked_example(lr=0.5, x=COURSE_X, y=COURSE_Y, w_hidden=COURSE_W_HIDDEN,
                   w_output=COURSE_W_OUTPUT):
    r"""Every number of the course's example: forward values, deltas, gradients, updates.

    Parameters
    ----------
    lr : float, default 0.5
        The learning rate :math:`\eta` of the update :math:`w \leftarrow w - \eta\,\partial
        E/\partial w`.
        The notes stop before the update and give none; 0.5 is this book's choice.
    x, y, w_hidden, w_output : array_like
        Default to the course's numbers (one example, 2-2-2).

    Returns
    -------
    list of Row
        ``(stage, name, formula, value)`` with stages ``"forward"``, ``"backward"``,
        ``"course"`` (the notes' hidden-layer numbers, computed their way) and ``"update"``.

    See Also
    --------
    format_table, sigmoid_net_backward, :ref:`ch-backprop`

    Examples
    --------
    >>> rows = worked_example()
    >>> [(r.name, round(r.value, 2)) for r in rows if r.stage == "forward"][-1]
    ('E', 0.21)
    >>> next(r for r in rows if r.name == "w5 new").value.round(4)   # 0.1 - 0.5 * 0.0346
    np.float64(0.0827)
    """
    lr = real_value(lr, "lr", low=0.0)
    o, c = sigmoid_net_forward(x, w_hidden, w_output)
    if c["x"].shape[0] != 1:
        raise ValueError(f"the worked example is for one example; got a batch of "
                         f"{c['x'].shape[0]}")
    dE_do = squared_error_grad(y, o)
    delta_hidden, delta_output = sigmoid_net_deltas(dE_do, c)
    _, dw_hidden, dw_output = sigmoid_net_backward(dE_do, c)
    g = dict(dE_do=dE_do, delta_output=delta_output, delta_hidden=delta_hidden,
             grad_w_output=dw_output, grad_w_hidden=dw_hidden)
    wrong = course_hidden_gradient(c, dw_output)
    y = np.asarray(y, dtype=np.float64)
    n_in, n_hid, n_out = c["x"].shape[1], c["h"].shape[1], o.shape[1]
    names_h = COURSE_NAMES_HIDDEN if (n_hid, n_in) == (2, 2) else np.array(
        [[f"Wh[{j},{i}]" for i in range(n_in)] for j in range(n_hid)])
    names_o = COURSE_NAMES_OUTPUT if (n_out, n_hid) == (2, 2) else np.array(
        [[f"Wo[{k},{j}]" for j in range(n_hid)] for k in range(n_out)])
    rows = []
    for j in range(n_hid):
        terms = " + ".join(f"{names_h[j, i]}*x{i + 1}" for i in range(n_in))
        rows.append(Row("forward", f"H{j + 1} in", terms, c["z_hidden"][0, j]))
        rows.append(Row("forward", f"H{j + 1}", f"sigmoid(H{j + 1} in)", c["h"][0, j]))
    for k in range(n_out):
        terms = " + ".join(f"{names_o[k, j]}*H{j + 1}" for j in range(n_hid))
        rows.append(Row("forward", f"O{k + 1} in", terms, c["z_output"][0, k]))
        rows.append(Row("forward", f"O{k + 1}", f"sigmoid(O{k + 1} in)", o[0, k]))
    rows.append(Row("forward", "E", "1/2 * sum_k (Ok - yk)^2", squared_error(y, o)))
    for k in range(n_out):
        rows.append(Row("backward", f"dE/dO{k + 1}", f"O{k + 1} - y{k + 1}", g["dE_do"][0, k]))
        rows.append(Row("backward", f"delta O{k + 1}", f"dE/dO{k + 1} * O{k + 1}(1 - O{k + 1})",
                        g["delta_output"][0, k]))
    for k in range(n_out):
        for j in range(n_hid):
            rows.append(Row("backward", f"dE/d{names_o[k, j]}", f"delta O{k + 1} * H{j + 1}",
                            g["grad_w_output"][k, j]))
    for j in range(n_hid):
        terms = " + ".join(f"delta O{k + 1}*{names_o[k, j]}" for k in range(n_out))
        rows.append(Row("backward", f"delta H{j + 1}", f"({terms}) * H{j + 1}(1 - H{j + 1})",
                        g["delta_hidden"][0, j]))
    for j in range(n_hid):
        for i in range(n_in):
            rows.append(Row("backward", f"dE/d{names_h[j, i]}", f"delta H{j + 1} * x{i + 1}",
                            g["grad_w_hidden"][j, i]))
    for j in range(n_hid):
        summed = " + ".join(f"dE/d{names_o[k, j]}" for k in range(n_out))
        for i in range(n_in):
            rows.append(Row("course", f"dE/d{names_h[j, i]} (notes)",
                            f"({summed}) * H{j + 1}(1 - H{j + 1}) * x{i + 1}", wrong[j, i]))
    for names, w, grad in ((names_h, c["w_hidden"], g["grad_w_hidden"]),
                           (names_o, c["w_output"], g["grad_w_output"])):
        order = sorted(np.ndindex(w.shape),
                       key=lambda t: int(names[t][1:]) if names[t][1:].isdigit() else 0)
        for idx in order:
            rows.append(Row("update", f"{names[idx]} new",
                            f"{w[idx]:g} - {lr:g} * dE/d{names[idx]}", w[idx] - lr * grad[idx]))
    return rows


#: The stages of the table in both languages.
_STAGES = {"forward": ("forward", "前向"), "backward": ("backward", "反向"),
           "course": ("notes", "筆記做法"), "update": ("update", "更新")}


def format_table(rows, digits=4) -> Text:
    """Render rows of :func:`worked_example` as an aligned table in English and in Chinese.

    ``print`` shows the current language; :func:`dlbook.bilingual.say` prints both.

    Examples
    --------
    >>> print(format_table([Row("forward", "E", "1/2 * sum", 0.20971)], digits=3))
    stage    quantity  formula    value
    forward  E         1/2 * sum  0.210
    """
    headers = [tr("stage", "階段"), tr("quantity", "量"), tr("formula", "公式"), tr("value", "值")]
    cells = [[Text(*_STAGES[r.stage]), _quantity(r.name), r.formula, f"{r.value:.{digits}f}"]
             for r in rows]
    return table(cells, headers, align="lllr")


def _quantity(name):
    """The name of a row in both languages: ``"dE/dw1 (notes)"`` is ``"dE/dw1（筆記）"``."""
    if name.endswith(" (notes)"):
        return Text(name, name.removesuffix(" (notes)") + "（筆記）")
    if name.endswith(" new"):
        return Text(name, name.removesuffix(" new") + " 新值")
    return name
