r"""Activation layers: thin classes around the activation functions (chapter :ref:`ch-activations`).

Each class wraps the pure functions of :mod:`dlbook.nn.activations`,
:mod:`dlbook.nn.parametric_relu` and :mod:`dlbook.nn.softmax` and follows the layer protocol of
:mod:`dlbook.nn.module` (``forward``/``backward``, ``params``/``grads``, ``train``/``eval``), so
they stack in a :class:`dlbook.nn.module.Sequential` next to :class:`dlbook.nn.linear.Linear`.
The maxout layer, which holds its own affine pieces, is :class:`dlbook.nn.maxout.Maxout`.

Names, constructor arguments and defaults are torch's (``torch.nn.ReLU``, ``torch.nn.PReLU``,
...), except that no layer has torch's ``inplace`` flag (nothing here modifies its input) and
:class:`Softplus` has no ``threshold`` (see there).

There is no ``activation_layers_torch`` twin: the ``torch.nn`` classes are the PyTorch
counterparts, with the same ``state_dict`` keys (``PReLU``'s ``weight``).
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import generator, int_value, positive_int, real_array, real_value, same_shape
from dlbook.nn import activations as act
from dlbook.nn.module import Layer
from dlbook.nn.parametric_relu import prelu_backward, prelu_forward, rrelu_backward, rrelu_forward
from dlbook.nn.softmax import softmax_backward, softmax_forward

__all__ = ["ReLU", "Sigmoid", "Tanh", "LeakyReLU", "ELU", "SELU", "Softplus", "Hardsigmoid",
           "PReLU", "RReLU", "Softmax"]


class _Elementwise(Layer):
    """An activation layer: out = f(x), dx = dout * f'(x); no parameters."""

    def _f(self, x):  # pragma: no cover
        raise NotImplementedError

    def _df(self, x):  # pragma: no cover
        raise NotImplementedError

    def forward(self, x):
        x = real_array(x, "x")
        self._cache = x
        return self._f(x)

    def backward(self, dout):
        x = self._check_cache()
        dout = real_array(dout, "dout")
        same_shape(dout, x, "dout", "the layer's input")
        return dout * self._df(x)


class ReLU(_Elementwise):
    r"""ReLU layer: :math:`\max(0, x)` forward, :math:`\text{dout}\cdot[x > 0]` backward.

    See Also
    --------
    dlbook.nn.activations.relu, torch.nn.ReLU, :ref:`ch-activations`

    Examples
    --------
    >>> layer = ReLU()
    >>> layer.forward(np.array([[-1.0, 2.0]]))
    array([[0., 2.]])
    >>> layer.backward(np.array([[5.0, 5.0]]))
    array([[0., 5.]])
    """

    _f = staticmethod(act.relu)
    _df = staticmethod(act.relu_derivative)


class Sigmoid(_Elementwise):
    r"""Sigmoid layer: :math:`\sigma(x)` forward, :math:`\text{dout}\cdot\sigma(x)(1-\sigma(x))`
    backward.

    See Also
    --------
    dlbook.nn.activations.sigmoid, torch.nn.Sigmoid, :ref:`ch-backprop`

    Examples
    --------
    >>> layer = Sigmoid()
    >>> layer.forward(np.array([0.0]))
    array([0.5])
    >>> layer.backward(np.array([1.0]))   # 0.5 * (1 - 0.5)
    array([0.25])
    """

    _f = staticmethod(act.sigmoid)
    _df = staticmethod(act.sigmoid_derivative)


class Tanh(_Elementwise):
    r"""Tanh layer: :math:`\tanh x` forward, :math:`\text{dout}\cdot(1-\tanh^2 x)` backward.

    See Also
    --------
    dlbook.nn.activations.tanh, torch.nn.Tanh, :ref:`ch-activations`

    Examples
    --------
    >>> layer = Tanh()
    >>> layer.forward(np.array([0.0, np.log(2.0)]))   # (2 - 1/2) / (2 + 1/2) = 0.6
    array([0. , 0.6])
    >>> layer.backward(np.array([1.0, 1.0]))   # 1 - 0.6**2 = 0.64
    array([1.  , 0.64])
    """

    _f = staticmethod(act.tanh)
    _df = staticmethod(act.tanh_derivative)


class LeakyReLU(_Elementwise):
    r"""Leaky ReLU layer: :math:`x` for :math:`x>0`, else :math:`\alpha x` (fixed :math:`\alpha`).

    Parameters
    ----------
    negative_slope : float, default 0.01
        :math:`\alpha`, torch's name and default.

    See Also
    --------
    dlbook.nn.activations.leaky_relu, torch.nn.LeakyReLU, :ref:`ch-activations`

    Examples
    --------
    >>> layer = LeakyReLU(0.1)
    >>> layer.forward(np.array([-2.0, 3.0]))
    array([-0.2,  3. ])
    >>> layer.backward(np.array([1.0, 1.0]))
    array([0.1, 1. ])
    """

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        act.leaky_relu(0.0, negative_slope)  # validates the slope with a clear error
        self.negative_slope = float(negative_slope)

    def _f(self, x):
        return act.leaky_relu(x, self.negative_slope)

    def _df(self, x):
        return act.leaky_relu_derivative(x, self.negative_slope)

    def __repr__(self) -> str:
        return f"LeakyReLU(negative_slope={self.negative_slope})"


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
        self.alpha = real_value(alpha, "alpha")

    def _f(self, x):
        return act.elu(x, self.alpha)

    def _df(self, x):
        return act.elu_derivative(x, self.alpha)

    def __repr__(self) -> str:
        return f"ELU(alpha={self.alpha})"


class SELU(_Elementwise):
    r"""SELU layer: :math:`\lambda x` for :math:`x > 0`, else :math:`\lambda\alpha(e^x - 1)`.

    :math:`\alpha \approx 1.6733` and :math:`\lambda \approx 1.0507` are fixed
    (``dlbook.nn.activations.SELU_ALPHA`` and ``SELU_SCALE``); backward multiplies ``dout`` by
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

    _f = staticmethod(act.selu)
    _df = staticmethod(act.selu_derivative)


class Softplus(_Elementwise):
    r"""Softplus layer: :math:`\frac{1}{\beta}\log(1 + e^{\beta x})`, backward
    :math:`\text{dout}\cdot\sigma(\beta x)`.

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
    ``torch.nn.Softplus`` also takes ``threshold=20`` (it returns :math:`x` where
    :math:`\beta x > 20`); this layer computes the exact softplus everywhere, which differs from
    torch's by less than :math:`2.1\times 10^{-9}/\beta` there.

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
        self.beta = real_value(beta, "beta", low=0.0, low_open=True)

    def _f(self, x):
        return act.softplus(x, self.beta)

    def _df(self, x):
        return act.softplus_derivative(x, self.beta)

    def __repr__(self) -> str:
        return f"Softplus(beta={self.beta})"


class Hardsigmoid(_Elementwise):
    r"""Hard sigmoid layer, torch's definition :math:`\mathrm{relu6}(x + 3)/6 =
    \operatorname{clip}(x/6 + 1/2, 0, 1)`.

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

    _f = staticmethod(act.hard_sigmoid)  # slope 1/6 by default: torch's definition
    _df = staticmethod(act.hard_sigmoid_derivative)


class PReLU(Layer):
    r"""Parametric ReLU layer: :math:`x` for :math:`x > 0`, else :math:`a_c x` with learned
    :math:`a`.

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
    Backward (:func:`dlbook.nn.parametric_relu.prelu_backward`):

    .. math:: \frac{\partial L}{\partial x} = g\,(1_{x>0} + a_c 1_{x\le0}),\qquad
              \frac{\partial L}{\partial a_c} = \sum_{\text{all axes but 1}} g\,x\,1_{x\le 0}

    (summed over every element when ``num_parameters == 1``).

    See Also
    --------
    dlbook.nn.parametric_relu.prelu, torch.nn.PReLU, :ref:`ch-activations`

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
        self.num_parameters = positive_int(num_parameters, "num_parameters")
        init = real_value(init, "init")
        self.params["weight"] = np.full(self.num_parameters, init)
        self.grads["weight"] = np.zeros(self.num_parameters)

    def forward(self, x):
        out, self._cache = prelu_forward(x, self.params["weight"])  # checks the channel count
        return out

    def backward(self, dout):
        dx, dw = prelu_backward(dout, self._check_cache())
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
    dlbook.nn.parametric_relu.rrelu_forward, torch.nn.RReLU, :ref:`ch-activations`

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
        rrelu_forward(0.0, lower, upper)  # checks lower and upper with a clear error
        self.lower, self.upper = float(lower), float(upper)
        self.rng = generator(rng)
        self.slopes = None

    def forward(self, x):
        out, self.slopes = rrelu_forward(x, self.lower, self.upper, self.training, self.rng)
        self._cache = self.slopes
        return out

    def backward(self, dout):
        return rrelu_backward(dout, self._check_cache())

    def __repr__(self) -> str:
        return f"RReLU(lower={self.lower}, upper={self.upper})"


class Softmax(Layer):
    r"""Softmax layer along ``dim``; backward is the Jacobian-vector product :math:`y \odot (g -
    \langle g, y\rangle)`.

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
        self.dim = int_value(dim, "dim")

    def forward(self, x):
        y, self._cache = softmax_forward(x, self.dim)
        return y

    def backward(self, dout):
        return softmax_backward(dout, self._check_cache())

    def __repr__(self) -> str:
        return f"Softmax(dim={self.dim})"
