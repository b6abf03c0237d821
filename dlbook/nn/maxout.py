r"""Maxout in NumPy: the maximum over groups of ``k`` linear pieces (chapter :ref:`ch-activations`).

A maxout unit is not an element-wise function: it takes ``k`` pre-activations and keeps the
largest, so besides the function :func:`maxout` it comes as a chain-rule pair,
:func:`maxout_forward` and :func:`maxout_backward`. :class:`Maxout` is the layer of Goodfellow
et al. (2013): ``k`` affine maps of the input, then the maximum per unit. Integer and boolean
inputs become float64; no input is modified.

See Also
--------
dlbook.nn.maxout_torch : the same with torch tensors (autograd does the backward pass).
dlbook.nn.activations : the element-wise activations.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import check_shape, generator, positive_int, real_array
from dlbook.nn.linear import linear_backward, linear_forward
from dlbook.nn.module import Layer

__all__ = ["maxout", "maxout_forward", "maxout_backward", "Maxout"]


def _maxout_groups(z, k) -> np.ndarray:
    z, k = real_array(z, "z", min_ndim=1), positive_int(k, "k")
    if z.shape[-1] % k:
        raise ValueError(f"the last axis of z (shape {z.shape}) must be a multiple of k={k}")
    return z.reshape(*z.shape[:-1], z.shape[-1] // k, k)  # (..., C, k)


def maxout(z, k):
    r"""Maxout over ``k`` pieces: :math:`h_c = \max_j z_{c,j}` (Goodfellow et al., 2013).

    Parameters
    ----------
    z : array_like of shape (..., C*k)
        Pre-activations :math:`z_{c,j} = w_{c,j}^\top x + b_{c,j}` of ``k`` linear pieces per
        unit, unit by unit: unit ``c`` owns ``z[..., c*k:(c+1)*k]``.
    k : int
        Number of pieces per unit; a maxout layer has ``k`` times the weights of a dense layer.

    Returns
    -------
    ndarray of shape (..., C)

    Raises
    ------
    ValueError
        If ``k`` is not a positive integer or does not divide the last axis.

    See Also
    --------
    dlbook.nn.maxout_torch.maxout, maxout_forward, :ref:`ch-activations`

    Examples
    --------
    >>> maxout([1.0, 5.0, 2.0, -1.0], k=2)
    array([5., 2.])
    """
    return _maxout_groups(z, k).max(axis=-1)


def maxout_forward(z, k):
    r"""Maxout as a chain-rule step: returns ``(h, cache)``; the cache records the winners.

    Examples
    --------
    >>> h, cache = maxout_forward([1.0, 5.0, 2.0, -1.0], k=2)
    >>> h
    array([5., 2.])
    """
    groups = _maxout_groups(z, k)  # (..., C, k)
    winners = np.arange(groups.shape[-1]) == groups.argmax(axis=-1)[..., None]  # (..., C, k)
    return groups.max(axis=-1), (winners, np.shape(z))


def maxout_backward(dout, cache):
    r"""Gradient of maxout: each upstream value ``dout[..., c]`` goes to the winning piece.

    ``dout`` has shape (..., C), the result ``dz`` the shape (..., C*k) of ``z``. On a tie the
    first maximal piece takes the whole gradient.

    .. math:: \frac{\partial L}{\partial z_{c,j}} = g_c\,[\,j = \arg\max_i z_{c,i}\,]

    Examples
    --------
    >>> _, cache = maxout_forward([1.0, 5.0, 2.0, -1.0], k=2)
    >>> maxout_backward([10.0, 20.0], cache)
    array([ 0., 10., 20.,  0.])
    """
    winners, z_shape = cache
    dout = real_array(dout, "dout")
    check_shape(dout, "dout", winners.shape[:-1], "(..., C)")
    return (winners * dout[..., None]).reshape(z_shape)


class Maxout(Layer):
    r"""A maxout layer: ``k`` affine maps of the input, then the maximum per unit.

    .. math:: h_c(x) = \max_{j=1..k} \left(W_{ck+j}\, x + b_{ck+j}\right)

    Parameters
    ----------
    in_features, out_features : int
    k : int, default 2
        Pieces per unit; the layer holds ``k * out_features * (in_features + 1)`` parameters,
        ``k`` times a dense layer's.
    rng : numpy.random.Generator or int, optional
        Source of the initial weights.

    Attributes
    ----------
    params : dict of ndarray
        ``params["weight"]`` of shape (out_features * k, in_features), whose row ``c * k + j``
        is piece ``j`` of unit ``c``, and ``params["bias"]`` of shape (out_features * k,).

    Notes
    -----
    Initialised as a ``Linear(in_features, out_features * k)`` is, uniform in
    :math:`[-1/\sqrt{\text{in}}, 1/\sqrt{\text{in}})`; forward is :func:`linear_forward`
    then :func:`maxout_forward`, backward the two backward passes in reverse.

    See Also
    --------
    dlbook.nn.maxout_torch.Maxout, :ref:`ch-activations`

    Examples
    --------
    >>> layer = Maxout(4, 3, k=2, rng=0)
    >>> layer.num_parameters()   # 2 * 3 * (4 + 1)
    30
    >>> layer.params["weight"][...] = 0.0; layer.params["bias"][...] = [1, 5, 2, -1, 0, 0]
    >>> layer.forward(np.zeros((1, 4)))   # max(1, 5), max(2, -1), max(0, 0)
    array([[5., 2., 0.]])
    >>> _ = layer.backward(np.ones((1, 3)))
    >>> layer.grads["bias"]   # the winning pieces get the gradient
    array([0., 1., 1., 0., 1., 0.])
    """

    def __init__(self, in_features: int, out_features: int, k: int = 2, rng=None):
        super().__init__()
        self.in_features = positive_int(in_features, "in_features")
        self.out_features = positive_int(out_features, "out_features")
        self.k = positive_int(k, "k")
        rng, bound = generator(rng), 1.0 / np.sqrt(self.in_features)
        rows = self.out_features * self.k
        self.params["weight"] = rng.uniform(-bound, bound, size=(rows, self.in_features))
        self.params["bias"] = rng.uniform(-bound, bound, size=rows)
        self.grads.update({name: np.zeros_like(p) for name, p in self.params.items()})

    def forward(self, x):
        z, linear_cache = linear_forward(x, self.params["weight"], self.params["bias"])
        h, maxout_cache = maxout_forward(z, self.k)
        self._cache = (linear_cache, maxout_cache)
        return h

    def backward(self, dout):
        linear_cache, maxout_cache = self._check_cache()
        dx, dw, db = linear_backward(maxout_backward(dout, maxout_cache), linear_cache)
        self.grads["weight"][...] = dw
        self.grads["bias"][...] = db
        return dx

    def num_parameters(self) -> int:
        """Number of weights and biases: k * out * (in + 1)."""
        return sum(p.size for p in self.params.values())

    def __repr__(self) -> str:
        return (f"Maxout(in_features={self.in_features}, out_features={self.out_features}, "
                f"k={self.k})")
