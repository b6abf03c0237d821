r"""Layer classes for the rest of chapter :ref:`ch-activations`'s activations.

Each class is a thin wrapper around the pure functions of :mod:`dlbook.nn.activations`,
:mod:`dlbook.nn.softmax` and :mod:`dlbook.nn.maxout`, following the layer protocol of
:mod:`dlbook.nn.module` (``forward``/``backward``, ``params``/``grads``, ``train``/``eval``), so
they stack in a :class:`dlbook.nn.module.Sequential` next to
:class:`dlbook.nn.linear.Linear`. ReLU, Sigmoid, Tanh and LeakyReLU live in
:mod:`dlbook.nn.module` itself.

Names, constructor arguments and defaults are torch's (``torch.nn.ELU``, ``torch.nn.PReLU``,
...), except that no layer has torch's ``inplace`` flag (nothing here modifies its input) and
:class:`Softplus` has no ``threshold`` (see there). :class:`Maxout` has no ``torch.nn``
counterpart.

There is no ``activation_layers_torch`` twin: the ``torch.nn`` classes are the PyTorch
counterparts, with the same ``state_dict`` keys (``PReLU``'s ``weight``).
"""

from __future__ import annotations

import numbers

import numpy as np

from dlbook.nn import activations as act
from dlbook.nn.maxout import maxout, maxout_backward
from dlbook.nn.module import Layer, _Elementwise
from dlbook.nn.softmax import softmax, softmax_backward

__all__ = ["ELU", "SELU", "Softplus", "Hardsigmoid", "PReLU", "RReLU", "Softmax", "Maxout"]


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _generator(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy Generator, an int seed or None, got {rng!r}")


class ELU(_Elementwise):
    r"""ELU layer: :math:`x` for :math:`x > 0`, else :math:`\alpha(e^x - 1)`.

    Backward: :math:`\text{dout}\cdot 1` for :math:`x > 0`, :math:`\text{dout}\cdot\alpha e^x`
    for :math:`x \le 0`.

    Parameters
    ----------
    alpha : float, default 1.0
        torch's name and default.

    Raises
    ------
    TypeError
        If ``alpha`` is not a finite real number.

    See Also
    --------
    dlbook.nn.activations.elu, torch.nn.ELU, :ref:`ch-activations`

    Examples
    --------
    >>> layer = ELU(alpha=2.0)
    >>> layer.forward(np.array([np.log(0.5), 3.0]))   # 2 * (0.5 - 1)
    array([-1.,  3.])
    >>> layer.backward(np.array([1.0, 1.0]))          # 2 * 0.5
    array([1., 1.])
    """

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = act._number(alpha, "alpha")

    def _f(self, x):
        return act.elu(x, self.alpha)

    def _df(self, x):
        return act.elu_grad(x, self.alpha)

    def __repr__(self) -> str:
        return f"ELU(alpha={self.alpha})"


class SELU(_Elementwise):
    r"""SELU layer: :math:`\lambda x` for :math:`x > 0`, else :math:`\lambda\alpha(e^x - 1)`.

    :math:`\alpha \approx 1.6733` and :math:`\lambda \approx 1.0507` are fixed
    (``activations.SELU_ALPHA``, ``activations.SELU_SCALE``); backward multiplies ``dout`` by
    :math:`\lambda` or :math:`\lambda\alpha e^x`.

    See Also
    --------
    dlbook.nn.activations.selu, torch.nn.SELU, :ref:`ch-activations`

    Examples
    --------
    >>> layer = SELU()
    >>> layer.forward(np.array([1.0, 0.0]))    # lambda, 0
    array([1.05070099, 0.        ])
    >>> layer.backward(np.array([1.0, 1.0]))   # lambda, lambda * alpha
    array([1.05070099, 1.75809934])
    """

    def _f(self, x):
        return act.selu(x)

    def _df(self, x):
        return act.selu_grad(x)


class Softplus(_Elementwise):
    r"""Softplus layer: :math:`\frac{1}{\beta}\log(1 + e^{\beta x})`, backward :math:`\text{dout}\cdot\sigma(\beta x)`.

    Parameters
    ----------
    beta : float, default 1.0
        Must be > 0; torch's name and default.

    Raises
    ------
    ValueError, TypeError
        If ``beta`` is not a positive finite number.

    Notes
    -----
    ``torch.nn.Softplus`` also takes ``threshold=20`` and returns :math:`x` itself where
    :math:`\beta x > 20`. :func:`dlbook.nn.activations.softplus` has no such switch: it computes
    the exact, overflow-free :math:`\max(x,0) + \frac{1}{\beta}\operatorname{log1p}(e^{-\beta|x|})`
    everywhere, so this layer has no ``threshold`` either. The two differ by less than
    :math:`2.1\times 10^{-9}/\beta` in value and in slope where :math:`\beta x > 20`.

    See Also
    --------
    dlbook.nn.activations.softplus, torch.nn.Softplus, :ref:`ch-activations`

    Examples
    --------
    >>> layer = Softplus(beta=2.0)
    >>> layer.forward(np.array([0.0, np.log(3.0) / 2]))   # log(2)/2, log(1 + 3)/2 = log 2
    array([0.34657359, 0.69314718])
    >>> layer.backward(np.array([1.0, 1.0]))              # sigma(0), sigma(log 3) = 3/4
    array([0.5 , 0.75])
    """

    def __init__(self, beta: float = 1.0):
        super().__init__()
        self.beta = act._number(beta, "beta", 0.0, strict=True)

    def _f(self, x):
        return act.softplus(x, self.beta)

    def _df(self, x):
        return act.softplus_grad(x, self.beta)

    def __repr__(self) -> str:
        return f"Softplus(beta={self.beta})"


class Hardsigmoid(_Elementwise):
    r"""Hard sigmoid layer, torch's definition :math:`\mathrm{relu6}(x + 3)/6 = \operatorname{clip}(x/6 + 1/2, 0, 1)`.

    Backward: :math:`\text{dout}/6` for :math:`-3 < x < 3`, else 0. (The older Keras 2 slope
    0.2 is available as ``activations.hard_sigmoid(x, slope=0.2)``, not as this layer.)

    See Also
    --------
    dlbook.nn.activations.hard_sigmoid, torch.nn.Hardsigmoid, :ref:`ch-activations`

    Examples
    --------
    >>> layer = Hardsigmoid()
    >>> layer.forward(np.array([-4.0, 0.0, 1.5, 4.0]))   # 1.5/6 + 0.5 = 0.75
    array([0.  , 0.5 , 0.75, 1.  ])
    >>> layer.backward(np.full(4, 6.0))                  # 6 * 1/6 inside (-3, 3)
    array([0., 1., 1., 0.])
    """

    def _f(self, x):
        return act.hard_sigmoid(x, 1 / 6)

    def _df(self, x):
        return act.hard_sigmoid_grad(x, 1 / 6)


class PReLU(Layer):
    r"""Parametric ReLU layer: :math:`x` for :math:`x > 0`, else :math:`a_c x` with learned :math:`a`.

    Parameters
    ----------
    num_parameters : int, default 1
        1 (one slope shared by all channels) or the number of channels :math:`C` of the input
        (channels on axis 1, as in torch: ``(N, C)`` or ``(N, C, H, W)``).
    init : float, default 0.25
        Initial value of every slope (torch's default).

    Attributes
    ----------
    params["weight"], grads["weight"] : ndarray of shape (num_parameters,)
        The slopes :math:`a` and :math:`\partial L/\partial a`; torch's name ``weight``.

    Raises
    ------
    ValueError
        If ``num_parameters`` is not a positive integer, or (in :meth:`forward`) it is neither 1
        nor ``x.shape[1]``.
    TypeError
        If ``init`` is not a finite real number.

    Notes
    -----
    Backward (:func:`dlbook.nn.activations.prelu_backward`):

    .. math:: \frac{\partial L}{\partial x} = g\,(1_{x>0} + a_c 1_{x\le0}),\qquad
              \frac{\partial L}{\partial a_c} = \sum_{\text{all axes but 1}} g\,x\,1_{x\le 0}

    (summed over every element when ``num_parameters == 1``).

    See Also
    --------
    dlbook.nn.activations.prelu, torch.nn.PReLU, :ref:`ch-activations`

    Examples
    --------
    >>> layer = PReLU(num_parameters=2)
    >>> layer.forward(np.array([[-4.0, -8.0], [2.0, 2.0]]))   # 0.25 * -4, 0.25 * -8
    array([[-1., -2.],
           [ 2.,  2.]])
    >>> layer.backward(np.ones((2, 2)))
    array([[0.25, 0.25],
           [1.  , 1.  ]])
    >>> layer.grads["weight"]   # the negative inputs of each channel
    array([-4., -8.])
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25):
        super().__init__()
        self.num_parameters = _positive_int(num_parameters, "num_parameters")
        init = act._number(init, "init")
        self.params["weight"] = np.full(self.num_parameters, init)
        self.grads["weight"] = np.zeros(self.num_parameters)

    def forward(self, x):
        x = act._array(x)
        out = act.prelu(x, self.params["weight"])  # validates the channel count
        self._cache = x
        return out

    def backward(self, dout):
        x = self._check_cache()
        dx, dw = act.prelu_backward(dout, x, self.params["weight"])
        self.grads["weight"][...] = dw
        return dx

    def __repr__(self) -> str:
        return f"PReLU(num_parameters={self.num_parameters})"


class RReLU(Layer):
    r"""Randomized leaky ReLU layer: :math:`x` for :math:`x > 0`, else :math:`a x`.

    In training mode every element gets its own slope :math:`a \sim U(\text{lower},
    \text{upper})`, drawn anew at each :meth:`forward`; in evaluation mode every slope is the
    mean :math:`(\text{lower} + \text{upper})/2`. :meth:`backward` multiplies ``dout`` by the
    slopes of the last forward pass (1 where :math:`x > 0`).

    Parameters
    ----------
    lower, upper : float, defaults 1/8 and 1/3
        torch's names and defaults; :math:`0 \le \text{lower} \le \text{upper}`.
    rng : numpy.random.Generator or int, optional
        Source of the training-mode slopes (a seed makes them reproducible).

    Attributes
    ----------
    slopes : ndarray or None
        The local derivative of the last forward pass, shape of its input.

    Raises
    ------
    ValueError, TypeError
        If ``lower``/``upper`` are not finite, negative, or ``lower > upper``; if ``rng`` is not
        a Generator, an int or None.

    See Also
    --------
    dlbook.nn.activations.rrelu_forward, torch.nn.RReLU, :ref:`ch-activations`

    Examples
    --------
    >>> layer = RReLU(rng=0).eval()
    >>> layer.forward(np.array([-48.0, 5.0]))   # slope (1/8 + 1/3)/2 = 11/48
    array([-11.,   5.])
    >>> layer.backward(np.array([48.0, 1.0]))
    array([11.,  1.])
    >>> out = layer.train().forward(-np.ones(1000))
    >>> bool(np.all((-out >= 1 / 8) & (-out <= 1 / 3))), bool(np.ptp(out) > 0.1)
    (True, True)
    """

    def __init__(self, lower: float = 1 / 8, upper: float = 1 / 3, rng=None):
        super().__init__()
        act.rrelu_forward(0.0, lower, upper)  # validates lower and upper with a clear error
        self.lower, self.upper = float(lower), float(upper)
        self.rng = _generator(rng)
        self.slopes = None

    def forward(self, x):
        out, self.slopes = act.rrelu_forward(x, self.lower, self.upper, self.training, self.rng)
        self._cache = self.slopes
        return out

    def backward(self, dout):
        return act.rrelu_backward(dout, self._check_cache())

    def __repr__(self) -> str:
        return f"RReLU(lower={self.lower}, upper={self.upper})"


class Softmax(Layer):
    r"""Softmax layer along ``dim``; backward is the Jacobian-vector product :math:`y \odot (g - \langle g, y\rangle)`.

    Parameters
    ----------
    dim : int, default -1
        The axis that sums to 1. (``torch.nn.Softmax`` defaults to ``dim=None``, a deprecated
        guess of the axis; pass ``dim`` explicitly there.)

    Raises
    ------
    TypeError
        If ``dim`` is not an int; ``forward`` raises ValueError if it is out of range.

    Notes
    -----
    Forward is :func:`dlbook.nn.softmax.softmax` (max subtracted, no overflow); backward is
    :func:`dlbook.nn.softmax.softmax_backward` from the stored output :math:`y`,
    :math:`O(K)` work per row instead of forming the :math:`K\times K` Jacobian.

    See Also
    --------
    dlbook.nn.softmax.softmax, torch.nn.Softmax, :ref:`ch-activations`

    Examples
    --------
    >>> layer = Softmax(dim=-1)
    >>> layer.forward(np.array([[0.0, np.log(3.0)]]))
    array([[0.25, 0.75]])
    >>> layer.backward(np.array([[1.0, 0.0]]))   # 0.25*(1-0.25), 0.75*(0-0.25)
    array([[ 0.1875, -0.1875]])
    """

    def __init__(self, dim: int = -1):
        super().__init__()
        if isinstance(dim, bool) or not isinstance(dim, numbers.Integral):
            raise TypeError(f"dim must be an int, got {dim!r}")
        self.dim = int(dim)

    def forward(self, x):
        y = softmax(x, axis=self.dim)
        self._cache = y
        return y

    def backward(self, dout):
        return softmax_backward(dout, self._check_cache(), axis=self.dim)

    def __repr__(self) -> str:
        return f"Softmax(dim={self.dim})"


class Maxout(Layer):
    r"""Maxout over groups of ``k`` pieces: (..., C*k) in, (..., C) out; no parameters.

    Put it after a :class:`dlbook.nn.linear.Linear` with ``k`` times the units:
    ``Sequential(Linear(d, C * k), Maxout(k))`` is a maxout layer of :math:`C` units,
    :math:`h_c = \max_j (W_{c,j} x + b_{c,j})`, with unit ``c`` owning outputs
    ``c*k .. c*k + k - 1`` of the Linear layer.

    Parameters
    ----------
    k : int, default 2
        Pieces per unit (the name of :func:`dlbook.nn.maxout.maxout`'s argument).

    Raises
    ------
    ValueError
        If ``k`` is not a positive integer, or (in :meth:`forward`) does not divide the last axis.

    Notes
    -----
    Backward routes each ``dout[..., c]`` to the winning piece (the first one on a tie),
    :func:`dlbook.nn.maxout.maxout_backward`. ``torch.nn`` has no Maxout;
    :class:`dlbook.nn.maxout_torch.Maxout` is a torch module that contains its Linear layer
    (``Maxout(in_features, out_features, k)``), so it is not a drop-in twin of this class.

    See Also
    --------
    dlbook.nn.maxout.maxout, dlbook.nn.maxout_torch.Maxout, :ref:`ch-activations`

    Examples
    --------
    >>> layer = Maxout(k=2)
    >>> layer.forward(np.array([[1.0, 5.0, 2.0, -1.0]]))   # max(1, 5), max(2, -1)
    array([[5., 2.]])
    >>> layer.backward(np.array([[10.0, 20.0]]))
    array([[ 0., 10., 20.,  0.]])
    """

    def __init__(self, k: int = 2):
        super().__init__()
        self.k = _positive_int(k, "k")

    def forward(self, x):
        z = act._array(x)
        out = maxout(z, self.k)  # validates the shape
        self._cache = z
        return out

    def backward(self, dout):
        return maxout_backward(dout, self._check_cache(), self.k)

    def __repr__(self) -> str:
        return f"Maxout(k={self.k})"
