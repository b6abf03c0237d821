r"""Activation functions and their derivatives in NumPy (chapter :ref:`ch-activations`).

Conventions used by every function below:

* Element-wise activations come in pairs: ``name(x, ...)`` is the value :math:`f(x)` and
  ``name_grad(x, ...)`` the derivative :math:`f'(x)`, so a backward pass is
  ``dout * name_grad(x)``.  ``x`` is an array_like of any shape; the result has its shape.
* Functions of several inputs or of a random draw have forward/backward pairs:
  :func:`prelu`/:func:`prelu_backward`, :func:`rrelu_forward`/:func:`rrelu_backward`.
* At a kink the derivative is the left-hand piece's (``x <= 0``), as in PyTorch's autograd:
  ``relu_grad(0) == 0``, ``leaky_relu_grad(0) == negative_slope``, ``elu_grad(0) == alpha``.
* Integer and boolean inputs become float64; no input is modified; nothing overflows or warns
  for any finite float64 input.

Activations of a whole group of inputs have modules of their own: :mod:`dlbook.nn.softmax`
(softmax, its Jacobian and backward pass) and :mod:`dlbook.nn.maxout`.

See Also
--------
dlbook.nn.activations_torch : the same functions written with torch tensors.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "SELU_ALPHA", "SELU_SCALE", "sigmoid", "sigmoid_grad", "tanh", "tanh_grad",
    "relu", "relu_grad", "leaky_relu", "leaky_relu_grad", "prelu", "prelu_backward",
    "rrelu", "rrelu_forward", "rrelu_backward", "elu", "elu_grad", "selu", "selu_grad",
    "softplus", "softplus_grad", "hard_sigmoid", "hard_sigmoid_grad",
]

#: SELU's constants (Klambauer et al., 2017), the values torch and Keras use.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _array(x, name: str = "x") -> np.ndarray:
    """``x`` as a real floating array (integers and booleans become float64)."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    return arr if arr.dtype.kind == "f" else arr.astype(np.float64)


def _number(value, name: str, low: float | None = None, strict: bool = False) -> float:
    """Check that a hyper-parameter is a finite real number (at least / above ``low``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise TypeError(f"{name} must be a finite real number, got {value!r}")
    if low is not None and (value <= low if strict else value < low):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {low}, got {value!r}")
    return float(value)


def _same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{name_a} has shape {a.shape} but {name_b} has {b.shape}")


# -- Sigmoid and tanh ----------------------------------------------------------------------------
def sigmoid(x):
    r"""Logistic sigmoid :math:`\sigma(x) = 1/(1 + e^{-x})`, computed without overflow.

    Notes
    -----
    With :math:`z = e^{-|x|} \in (0, 1]`, :math:`\sigma(x) = 1/(1+z)` for :math:`x \ge 0` and
    :math:`z/(1+z)` for :math:`x < 0`: no exponential of a large positive number is taken.
    The range is :math:`(0, 1)`, but float64 rounds :math:`\sigma(x)` to 1 for
    :math:`x > 36.7`.

    See Also
    --------
    dlbook.nn.activations_torch.sigmoid, sigmoid_grad, :ref:`ch-activations`

    Examples
    --------
    >>> sigmoid([0.0, np.log(3.0), -1000.0])
    array([0.5 , 0.75, 0.  ])
    """
    x = _array(x)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def sigmoid_grad(x):
    r"""Derivative :math:`\sigma'(x) = \sigma(x)(1 - \sigma(x)) = z/(1+z)^2`, :math:`z=e^{-|x|}`.

    The second form is computed: :math:`\sigma(1-\sigma)` loses its relative accuracy once
    :math:`\sigma` rounds near 1 (:math:`x > 20` or so). The maximum is :math:`1/4` at 0.

    Examples
    --------
    >>> sigmoid_grad([0.0, np.log(3.0)])   # 1/2 * 1/2 and 3/4 * 1/4
    array([0.25  , 0.1875])
    """
    z = np.exp(-np.abs(_array(x)))
    return z / (1.0 + z) ** 2


def tanh(x):
    r"""Hyperbolic tangent :math:`\tanh x = (e^x - e^{-x})/(e^x + e^{-x}) = 2\sigma(2x) - 1`.

    Range :math:`(-1, 1)`. Evaluated by ``np.tanh``: the quotient of exponentials overflows to
    ``inf/inf`` for :math:`|x| > 710`.

    See Also
    --------
    dlbook.nn.activations_torch.tanh, tanh_grad, :ref:`ch-activations`

    Examples
    --------
    >>> tanh([0.0, np.log(2.0)])   # (2 - 1/2) / (2 + 1/2)
    array([0. , 0.6])
    """
    return np.tanh(_array(x))


def tanh_grad(x):
    r"""Derivative :math:`1 - \tanh^2 x = 4z/(1+z)^2` with :math:`z = e^{-2|x|}` (computed).

    The first form cancels catastrophically for :math:`|x| > 10`; the maximum is 1 at 0.

    Examples
    --------
    >>> tanh_grad([0.0, np.log(2.0)])   # 1 - 0.6**2
    array([1.  , 0.64])
    """
    z = np.exp(-2.0 * np.abs(_array(x)))
    return 4.0 * z / (1.0 + z) ** 2


# -- The ReLU family -----------------------------------------------------------------------------
def relu(x):
    r"""Rectified linear unit :math:`\max(0, x)`.

    See Also
    --------
    dlbook.nn.activations_torch.relu, relu_grad, :ref:`ch-activations`

    Examples
    --------
    >>> relu([-2.0, 0.0, 3.0])
    array([0., 0., 3.])
    """
    x = _array(x)
    return np.where(x > 0, x, 0.0).astype(x.dtype)


def relu_grad(x):
    r"""Derivative of ReLU: 1 for :math:`x > 0`, else 0.

    Examples
    --------
    >>> relu_grad([-2.0, 0.0, 3.0])
    array([0., 0., 1.])
    """
    x = _array(x)
    return (x > 0).astype(x.dtype)


def leaky_relu(x, negative_slope=0.01):
    r"""Leaky ReLU: :math:`x` for :math:`x > 0`, :math:`\alpha x` otherwise (fixed :math:`\alpha`).

    For :math:`0 \le \alpha \le 1` this is :math:`\max(\alpha x, x)`. It *multiplies* by
    :math:`\alpha` (torch's default 0.01; Keras' ``LeakyReLU`` defaults to 0.3); Xu et al.
    (2015) write it as :math:`x/a`, dividing by :math:`a = 1/\alpha` (their :math:`a = 100`).

    See Also
    --------
    dlbook.nn.activations_torch.leaky_relu, leaky_relu_grad, prelu, :ref:`ch-activations`

    Examples
    --------
    >>> leaky_relu([-2.0, 3.0])
    array([-0.02,  3.  ])
    """
    alpha = _number(negative_slope, "negative_slope")
    x = _array(x)
    return np.where(x > 0, x, alpha * x)


def leaky_relu_grad(x, negative_slope=0.01):
    r"""Derivative of Leaky ReLU: 1 for :math:`x > 0`, :math:`\alpha` for :math:`x \le 0`.

    Examples
    --------
    >>> leaky_relu_grad([-2.0, 0.0, 3.0], negative_slope=0.1)
    array([0.1, 0.1, 1. ])
    """
    alpha = _number(negative_slope, "negative_slope")
    x = _array(x)
    return np.where(x > 0, 1.0, alpha).astype(x.dtype)


def _prelu_weight(x: np.ndarray, weight) -> tuple[np.ndarray, np.ndarray]:
    """Validate PReLU's weight; return it as (1,) or (C,) and as a view broadcasting on axis 1."""
    w = _array(weight, "weight").reshape(-1) if np.ndim(weight) == 0 else _array(weight, "weight")
    channels = x.shape[1] if x.ndim >= 2 else 1
    if w.ndim != 1 or w.shape[0] not in (1, channels):
        raise ValueError(f"weight must have shape (1,) or ({channels},) for x of shape "
                         f"{x.shape} (channels on axis 1), got {w.shape}")
    shape = [1] * x.ndim
    if x.ndim >= 2:
        shape[1] = w.shape[0]
    return w, w.reshape(shape)


def prelu(x, weight):
    r"""Parametric ReLU: :math:`x` for :math:`x > 0`, :math:`a_c x` otherwise, :math:`a` learned.

    Parameters
    ----------
    x : array_like of shape (N, C, ...), or any shape if ``weight`` has one element
    weight : array_like of shape (1,) or (C,)
        One slope for all channels or one per channel (axis 1), torch's convention
        (``nn.PReLU`` starts at 0.25).

    Raises
    ------
    ValueError
        If ``weight`` has neither 1 nor ``x.shape[1]`` elements.

    See Also
    --------
    dlbook.nn.activations_torch.prelu, prelu_backward, :ref:`ch-activations`

    Examples
    --------
    >>> prelu([[-4.0, -4.0], [2.0, 2.0]], weight=[0.25, 0.5])
    array([[-1., -2.],
           [ 2.,  2.]])
    """
    x = _array(x)
    _, a = _prelu_weight(x, weight)
    return np.where(x > 0, x, a * x)


def prelu_backward(dout, x, weight):
    r"""Gradients of PReLU: returns ``(dx, dweight)``, ``dweight`` shaped like ``weight``.

    .. math:: \frac{\partial L}{\partial x} = g\,(1_{x>0} + a_c 1_{x\le0}),\qquad
              \frac{\partial L}{\partial a_c} = \sum_{\text{all but axis 1}} g\,x\,1_{x\le 0}

    Examples
    --------
    >>> prelu_backward([1.0, 1.0], [-3.0, 2.0], weight=[0.25])
    (array([0.25, 1.  ]), array([-3.]))
    """
    x, dout = _array(x), _array(dout, "dout")
    _same_shape(dout, x, "dout", "x")
    w, a = _prelu_weight(x, weight)
    neg = x <= 0
    dx = np.where(neg, a * dout, dout)
    contrib = np.where(neg, dout * x, 0.0)
    if w.shape[0] == 1:
        return dx, np.array([contrib.sum()])
    return dx, contrib.sum(axis=tuple(i for i in range(x.ndim) if i != 1))


def rrelu_forward(x, lower=1 / 8, upper=1 / 3, training=False, rng=None):
    r"""Randomized leaky ReLU as torch defines it; returns ``(out, slopes)``.

    Parameters
    ----------
    lower, upper : float, defaults 1/8 and 1/3 (torch's), :math:`0 \le l \le u`
    training : bool, default False
        True: each element :math:`x \le 0` gets its own slope :math:`a \sim U(l, u)`.
        False: every slope is the mean :math:`(l + u)/2`, which makes it a Leaky ReLU.
    rng : numpy.random.Generator, optional
        Source of the random slopes (a fresh, unseeded one if None).

    Returns
    -------
    out : ndarray, :math:`x` for :math:`x > 0` and :math:`a x` otherwise
    slopes : ndarray, the local derivative (1 where :math:`x > 0`); the cache for
        :func:`rrelu_backward`

    Notes
    -----
    Xu et al. (2015) write :math:`x/a'` with :math:`a' \sim U(3, 8)` and test with
    :math:`x/5.5`, a slope of 0.18; torch's evaluation slope :math:`(1/8 + 1/3)/2 = 0.229`
    is a different number.

    See Also
    --------
    dlbook.nn.activations_torch.rrelu, rrelu, :ref:`ch-activations`

    Examples
    --------
    >>> out, slopes = rrelu_forward([-48.0, 5.0])   # slope (1/8 + 1/3) / 2 = 11/48
    >>> out
    array([-11.,   5.])
    """
    lo, hi = _number(lower, "lower", 0.0), _number(upper, "upper", 0.0)
    if lo > hi:
        raise ValueError(f"lower must be <= upper, got lower={lower!r}, upper={upper!r}")
    x = _array(x)
    if training:
        rng = np.random.default_rng() if rng is None else rng
        a = rng.uniform(lo, hi, size=x.shape)
    else:
        a = 0.5 * (lo + hi)
    slopes = np.where(x > 0, 1.0, a).astype(x.dtype)
    return x * slopes, slopes


def rrelu(x, lower=1 / 8, upper=1 / 3, training=False, rng=None):
    r"""Randomized leaky ReLU, the output of :func:`rrelu_forward` only.

    Examples
    --------
    >>> rrelu([-48.0, 5.0], training=False)
    array([-11.,   5.])
    """
    return rrelu_forward(x, lower, upper, training, rng)[0]


def rrelu_backward(dout, slopes):
    r"""Backward pass of RReLU: :math:`\partial L/\partial x = g \odot \text{slopes}`.

    Examples
    --------
    >>> rrelu_backward([2.0, 2.0], slopes=[0.25, 1.0])
    array([0.5, 2. ])
    """
    dout, slopes = _array(dout, "dout"), _array(slopes, "slopes")
    _same_shape(dout, slopes, "dout", "slopes")
    return dout * slopes


# -- Exponential units, softplus, hard sigmoid ---------------------------------------------------
def elu(x, alpha=1.0):
    r"""Exponential linear unit: :math:`x` for :math:`x > 0`, :math:`\alpha(e^x - 1)` otherwise.

    Range :math:`(-\alpha, \infty)`; ``expm1`` keeps full accuracy near 0.

    See Also
    --------
    dlbook.nn.activations_torch.elu, elu_grad, selu, :ref:`ch-activations`

    Examples
    --------
    >>> elu([np.log(0.5), 2.0])   # e^{ln 0.5} - 1
    array([-0.5,  2. ])
    """
    alpha = _number(alpha, "alpha")
    x = _array(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def elu_grad(x, alpha=1.0):
    r"""Derivative of ELU: 1 for :math:`x > 0`, :math:`\alpha e^x` for :math:`x \le 0`.

    Continuous at 0 only for :math:`\alpha = 1`.

    Examples
    --------
    >>> elu_grad([np.log(0.5), 0.0, 2.0], alpha=2.0)
    array([1., 2., 1.])
    """
    alpha = _number(alpha, "alpha")
    x = _array(x)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0))).astype(x.dtype)


def selu(x):
    r"""Scaled ELU :math:`\lambda\,\mathrm{elu}_\alpha(x)`, ``SELU_SCALE`` :math:`\lambda`,
    ``SELU_ALPHA`` :math:`\alpha`.

    .. math:: \mathrm{selu}(x) = \lambda \begin{cases} x & x > 0 \\ \alpha(e^x - 1) & x\le 0
              \end{cases},\qquad \alpha \approx 1.6733,\ \lambda \approx 1.0507

    The constants make (mean 0, variance 1) a fixed point: for :math:`x \sim N(0, 1)`,
    :math:`\mathrm{selu}(x)` again has mean 0 and variance 1 (Klambauer et al., 2017).

    See Also
    --------
    dlbook.nn.activations_torch.selu, selu_grad, :ref:`ch-activations`

    Examples
    --------
    >>> selu([1.0, -np.inf])   # lambda and -lambda * alpha
    array([ 1.05070099, -1.75809934])
    """
    return SELU_SCALE * elu(x, SELU_ALPHA)


def selu_grad(x):
    r"""Derivative of SELU: :math:`\lambda` for :math:`x > 0`, :math:`\lambda\alpha e^x` else.

    Examples
    --------
    >>> selu_grad([1.0, 0.0])
    array([1.05070099, 1.75809934])
    """
    return SELU_SCALE * elu_grad(x, SELU_ALPHA)


def softplus(x, beta=1.0):
    r"""Softplus :math:`\frac{1}{\beta}\log(1 + e^{\beta x})`, a smooth ReLU (:math:`\beta > 0`).

    Computed as :math:`\max(x, 0) + \frac{1}{\beta}\operatorname{log1p}(e^{-\beta|x|})`, exact
    for every float. torch's ``softplus`` returns :math:`x` itself where :math:`\beta x > 20`
    (its ``threshold``), a difference below :math:`2.1\times 10^{-9}/\beta`.

    See Also
    --------
    dlbook.nn.activations_torch.softplus, softplus_grad, :ref:`ch-activations`

    Examples
    --------
    >>> softplus([0.0, np.log(3.0)])   # log 2, log 4
    array([0.69314718, 1.38629436])
    >>> softplus([1000.0])
    array([1000.])
    """
    beta = _number(beta, "beta", 0.0, strict=True)
    x = _array(x)
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(beta * x))) / beta


def softplus_grad(x, beta=1.0):
    r"""Derivative of softplus: :math:`\sigma(\beta x)`.

    Examples
    --------
    >>> softplus_grad([0.0])
    array([0.5])
    """
    beta = _number(beta, "beta", 0.0, strict=True)
    return sigmoid(beta * _array(x))


def hard_sigmoid(x, slope=1 / 6):
    r"""Piecewise-linear sigmoid :math:`\operatorname{clip}(s x + 1/2,\ 0,\ 1)`.

    Two definitions are in use; they differ in the slope :math:`s`:

    * ``slope=1/6`` (default): torch's ``hardsigmoid`` :math:`\mathrm{relu6}(x + 3)/6`, also
      Keras 3's ``hard_sigmoid``; flat beyond :math:`|x| = 3`.
    * ``slope=0.2``: the older Keras 2 / TensorFlow ``hard_sigmoid``
      :math:`\operatorname{clip}(0.2x + 0.5, 0, 1)`; flat beyond :math:`|x| = 2.5`.

    See Also
    --------
    dlbook.nn.activations_torch.hard_sigmoid, hard_sigmoid_grad, :ref:`ch-activations`

    Examples
    --------
    >>> hard_sigmoid([-4.0, 0.0, 1.5, 4.0])
    array([0.  , 0.5 , 0.75, 1.  ])
    >>> hard_sigmoid([1.5], slope=0.2)
    array([0.8])
    """
    s = _number(slope, "slope", 0.0, strict=True)
    return np.clip(s * _array(x) + 0.5, 0.0, 1.0)


def hard_sigmoid_grad(x, slope=1 / 6):
    r"""Derivative of :func:`hard_sigmoid`: :math:`s` where :math:`0 < sx + 1/2 < 1`, else 0.

    Examples
    --------
    >>> hard_sigmoid_grad([-3.0, 0.0, 3.0], slope=0.25)
    array([0.  , 0.25, 0.  ])
    """
    s = _number(slope, "slope", 0.0, strict=True)
    x = _array(x)
    u = s * x + 0.5
    return np.where((u > 0) & (u < 1), s, 0.0).astype(x.dtype)
