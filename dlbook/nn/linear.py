r"""A dense (fully connected) layer: forward and backward as pure functions, and a thin class.

The layer uses PyTorch's layout, so weights copy straight to and from ``torch.nn.Linear``:
``w`` has shape (out_features, in_features) and

.. math::

    \text{out} = x W^\top + b .

There is no ``linear_torch`` twin: PyTorch's ``torch.nn.Linear`` uses the same weight layout,
and ``torch.nn.functional.linear(x, w, b)`` computes exactly :func:`linear_forward`.

See Also
--------
:ref:`ch-perceptron` : the chapter that builds this layer out of perceptrons.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import check_shape, generator, positive_int, real_array
from dlbook.nn.module import Layer

__all__ = ["linear_forward", "linear_backward", "Linear"]


def linear_forward(x, w, b=None):
    r"""Forward pass of a dense layer, :math:`xW^\top + b`.

    Parameters
    ----------
    x : array_like of shape (N, in_features)
        A batch of N input vectors, one per row.
    w : array_like of shape (out_features, in_features)
        Weights, one row per output unit (PyTorch's layout).
    b : array_like of shape (out_features,), optional
        Biases; None for a layer without bias.

    Returns
    -------
    out : ndarray of shape (N, out_features)
        :math:`\text{out}_{nj} = \sum_k x_{nk} W_{jk} + b_j`.
    cache : tuple
        What :func:`linear_backward` needs: ``(x, w, has_bias)``.

    Raises
    ------
    ValueError
        If ``x`` is not 2-D, or the shapes of ``x``, ``w`` and ``b`` do not fit together.
    TypeError
        If an input is not real-valued.

    Notes
    -----
    .. math::

        \text{out} = x W^\top + \mathbf{1}_N b^\top

    Row j of W holds the weights of output unit j: each output is one perceptron's
    :math:`z_j = b_j + w_j^\top x` computed for the whole batch at once.  Keras stores the
    transposed kernel, shape (in_features, out_features), and computes :math:`xK + b`.

    See Also
    --------
    linear_backward : the gradients.
    torch.nn.functional.linear : the PyTorch twin (same argument order and layout).
    :ref:`ch-perceptron` : the chapter.

    Examples
    --------
    Two outputs from three inputs: (1*1 + 2*0 + 3*(-1) + 0.5, 1*2 + 2*1 + 3*0 - 1) = (-1.5, 3).

    >>> out, _ = linear_forward([[1.0, 2.0, 3.0]], [[1, 0, -1], [2, 1, 0]], [0.5, -1.0])
    >>> out
    array([[-1.5,  3. ]])
    """
    x = real_array(x, "x")
    w = real_array(w, "w")
    check_shape(x, "x", (None, None), "(N, in_features)")
    if w.ndim != 2 or w.shape[1] != x.shape[1]:
        raise ValueError(
            f"w has shape {w.shape} but x has shape {x.shape}: "
            f"w must have shape (out_features, {x.shape[1]})"
        )
    out = x @ w.T  # (N, out_features)
    if b is not None:
        b = real_array(b, "b")
        check_shape(b, "b", (w.shape[0],), "(out_features,)")
        out = out + b  # broadcast over the batch
    return out, (x, w, b is not None)


def linear_backward(dout, cache):
    r"""Backward pass of a dense layer: gradients of a scalar loss L through :math:`xW^\top + b`.

    Parameters
    ----------
    dout : array_like of shape (N, out_features)
        :math:`\partial L / \partial\, \text{out}`.
    cache : tuple
        The cache returned by :func:`linear_forward`.

    Returns
    -------
    dx : ndarray of shape (N, in_features)
        :math:`\partial L / \partial x = \text{dout}\, W`.
    dw : ndarray of shape (out_features, in_features)
        :math:`\partial L / \partial W = \text{dout}^\top x`.
    db : ndarray of shape (out_features,) or None
        :math:`\partial L / \partial b = \sum_n \text{dout}_{n,:}`; None for a layer without bias.

    Raises
    ------
    ValueError
        If ``dout`` does not have the forward output's shape.

    Notes
    -----
    From :math:`\text{out}_{nj} = \sum_k x_{nk} W_{jk} + b_j`:

    .. math::

        \frac{\partial L}{\partial x_{nk}} = \sum_j \text{dout}_{nj} W_{jk}, \qquad
        \frac{\partial L}{\partial W_{jk}} = \sum_n \text{dout}_{nj} x_{nk}, \qquad
        \frac{\partial L}{\partial b_j} = \sum_n \text{dout}_{nj}.

    The bias gradient sums over the batch because the same :math:`b` is added to every row.

    See Also
    --------
    linear_forward
    torch.autograd : the tests compare these gradients with autograd in float64.
    :ref:`ch-perceptron` : the chapter.

    Examples
    --------
    With L = sum(out), dout is all ones: db counts the batch, dw sums x over the batch.

    >>> out, cache = linear_forward([[1.0, 2.0], [3.0, 4.0]], [[1.0, -1.0]], [0.0])
    >>> dx, dw, db = linear_backward(np.ones_like(out), cache)
    >>> dx.tolist(), dw.tolist(), db.tolist()
    ([[1.0, -1.0], [1.0, -1.0]], [[4.0, 6.0]], [2.0])
    """
    x, w, has_bias = cache
    dout = real_array(dout, "dout")
    check_shape(dout, "dout", (x.shape[0], w.shape[0]), "(N, out_features)")
    dx = dout @ w  # (N, in_features)
    dw = dout.T @ x  # (out_features, in_features)
    db = dout.sum(axis=0) if has_bias else None  # (out_features,)
    return dx, dw, db


class Linear(Layer):
    r"""A dense layer holding its parameters and gradients; a thin wrapper of the functions above.

    It follows the layer protocol of :class:`dlbook.nn.module.Layer`: ``parameters()`` and
    ``gradients()`` return the arrays themselves, and :meth:`backward` writes the gradients
    into them in place, so an optimizer built on ``layer.parameters()`` (which updates those
    arrays in place, :mod:`dlbook.nn.optim`) trains the layer directly.

    Parameters
    ----------
    in_features, out_features : int
        Sizes of each input and output vector.
    bias : bool, default True
        Whether the layer adds a bias.
    rng : numpy.random.Generator or int, optional
        Generator (or seed) for the initial weights.

    Attributes
    ----------
    params : dict of ndarray
        ``"weight"`` of shape (out_features, in_features) and, with a bias, ``"bias"`` of shape
        (out_features,).
    grads : dict of ndarray
        Same keys, shapes and arrays for the whole life of the layer; :meth:`backward`
        overwrites their contents (it does not accumulate as PyTorch does).

    Notes
    -----
    Initialised as ``torch.nn.Linear`` is: every weight and bias uniform in
    :math:`[-1/\sqrt{\text{in}},\ 1/\sqrt{\text{in}})`.  The parameter count is
    :math:`(\text{in} + 1)\,\text{out}` with a bias, :math:`\text{in}\cdot\text{out}` without.

    See Also
    --------
    torch.nn.Linear : the PyTorch layer.
    dlbook.nn.param_count.dense_param_count : the parameter count.
    :ref:`ch-perceptron` : the chapter.

    Examples
    --------
    >>> layer = Linear(784, 10, rng=0)
    >>> layer.params["weight"].shape, layer.params["bias"].shape, layer.num_parameters()
    ((10, 784), (10,), 7850)
    >>> layer(np.zeros((5, 784))).shape
    (5, 10)
    >>> dw = layer.grads["weight"]
    >>> _ = layer.backward(np.ones((5, 10)))   # dL/db = 5 per output for L = sum(out)
    >>> layer.gradients()[0] is dw, layer.grads["bias"][:3]
    (True, array([5., 5., 5.]))
    """

    def __init__(self, in_features, out_features, bias=True, rng=None):
        super().__init__()
        self.in_features = positive_int(in_features, "in_features")
        self.out_features = positive_int(out_features, "out_features")
        rng = generator(rng)
        bound = 1.0 / np.sqrt(self.in_features)
        self.params["weight"] = rng.uniform(-bound, bound,
                                            size=(self.out_features, self.in_features))
        if bias:
            self.params["bias"] = rng.uniform(-bound, bound, size=self.out_features)
        self.grads.update({name: np.zeros_like(p) for name, p in self.params.items()})

    def forward(self, x):
        """Return ``x @ W.T + b`` for x of shape (N, in_features) and keep what backward needs."""
        out, self._cache = linear_forward(x, self.params["weight"], self.params.get("bias"))
        return out

    def backward(self, dout):
        """Write dL/dW (and dL/db) into ``grads`` in place; return dL/dx, (N, in_features)."""
        dx, dw, db = linear_backward(dout, self._check_cache())
        self.grads["weight"][...] = dw
        if db is not None:
            self.grads["bias"][...] = db
        return dx

    def num_parameters(self) -> int:
        """Number of weights and biases: (in + 1) * out with a bias, in * out without."""
        return sum(p.size for p in self.params.values())

    def __repr__(self):
        return (f"Linear(in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={'bias' in self.params})")
