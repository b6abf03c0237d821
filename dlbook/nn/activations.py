r"""Element-wise activation functions and their derivatives in NumPy (chapter
:ref:`ch-activations`).

Conventions used by every function below:

* ``name(x, ...)`` is the value :math:`f(x)` and ``name_derivative(x, ...)`` the derivative
  :math:`f'(x)`, so a backward pass is ``dout * name_derivative(x)``.  ``x`` is an array_like
  of any shape; the result has its shape.
* At a kink the derivative is the left-hand piece's (``x <= 0``), as in PyTorch's autograd:
  ``relu_derivative(0) == 0``, ``leaky_relu_derivative(0) == negative_slope``,
  ``elu_derivative(0) == alpha``.
* Integer and boolean inputs become float64; no input is modified; nothing overflows or warns
  for any finite float64 input.

The ReLUs whose slope is learned or drawn at random (PReLU, RReLU) have a forward/backward pair
each and live in :mod:`dlbook.nn.parametric_relu`; activations of a whole group of inputs have
modules of their own: :mod:`dlbook.nn.softmax` and :mod:`dlbook.nn.maxout`.

See Also
--------
dlbook.nn.activations_torch : the same functions written with torch tensors.
dlbook.nn.activation_layers : the layer classes built on them.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import real_array, real_value

__all__ = [
    "sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu", "relu_derivative",
    "leaky_relu", "leaky_relu_derivative", "elu", "elu_derivative", "selu", "selu_derivative",
    "softplus", "softplus_derivative", "hard_sigmoid", "hard_sigmoid_derivative",
]

#: SELU's constants (Klambauer et al., 2017), the values torch and Keras use (the torch twin
#: reads them from here).
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


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
    dlbook.nn.activations_torch.sigmoid, sigmoid_derivative, :ref:`ch-activations`

    Examples
    --------
    >>> sigmoid([0.0, np.log(3.0), -1000.0])
    array([0.5 , 0.75, 0.  ])
    """
    x = real_array(x, "x")
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def sigmoid_derivative(x):
    r"""Derivative :math:`\sigma'(x) = \sigma(x)(1 - \sigma(x)) = z/(1+z)^2`, :math:`z=e^{-|x|}`.

    The second form is computed: :math:`\sigma(1-\sigma)` loses its relative accuracy once
    :math:`\sigma` rounds near 1 (:math:`x > 20` or so). The maximum is :math:`1/4` at 0.

    Examples
    --------
    >>> sigmoid_derivative([0.0, np.log(3.0)])   # 1/2 * 1/2 and 3/4 * 1/4
    array([0.25  , 0.1875])
    """
    z = np.exp(-np.abs(real_array(x, "x")))
    return z / (1.0 + z) ** 2


def tanh(x):
    r"""Hyperbolic tangent :math:`\tanh x = (e^x - e^{-x})/(e^x + e^{-x}) = 2\sigma(2x) - 1`.

    Range :math:`(-1, 1)`. Evaluated by ``np.tanh``: the quotient of exponentials overflows to
    ``inf/inf`` for :math:`|x| > 710`.

    See Also
    --------
    dlbook.nn.activations_torch.tanh, tanh_derivative, :ref:`ch-activations`

    Examples
    --------
    >>> tanh([0.0, np.log(2.0)])   # (2 - 1/2) / (2 + 1/2)
    array([0. , 0.6])
    """
    return np.tanh(real_array(x, "x"))


def tanh_derivative(x):
    r"""Derivative :math:`1 - \tanh^2 x = 4z/(1+z)^2` with :math:`z = e^{-2|x|}` (computed).

    The first form cancels catastrophically for :math:`|x| > 10`; the maximum is 1 at 0.

    Examples
    --------
    >>> tanh_derivative([0.0, np.log(2.0)])   # 1 - 0.6**2
    array([1.  , 0.64])
    """
    z = np.exp(-2.0 * np.abs(real_array(x, "x")))
    return 4.0 * z / (1.0 + z) ** 2


# -- The ReLU family -----------------------------------------------------------------------------
def relu(x):
    r"""Rectified linear unit :math:`\max(0, x)`.

    See Also
    --------
    dlbook.nn.activations_torch.relu, relu_derivative, :ref:`ch-activations`

    Examples
    --------
    >>> relu([-2.0, 0.0, 3.0])
    array([0., 0., 3.])
    """
    x = real_array(x, "x")
    return np.where(x > 0, x, 0.0).astype(x.dtype)


def relu_derivative(x):
    r"""Derivative of ReLU: 1 for :math:`x > 0`, else 0.

    Examples
    --------
    >>> relu_derivative([-2.0, 0.0, 3.0])
    array([0., 0., 1.])
    """
    x = real_array(x, "x")
    return (x > 0).astype(x.dtype)


def leaky_relu(x, negative_slope=0.01):
    r"""Leaky ReLU: :math:`x` for :math:`x > 0`, :math:`\alpha x` otherwise (fixed :math:`\alpha`).

    For :math:`0 \le \alpha \le 1` this is :math:`\max(\alpha x, x)`. It *multiplies* by
    :math:`\alpha` (torch's default 0.01; Keras' ``LeakyReLU`` defaults to 0.3); Xu et al.
    (2015) write it as :math:`x/a`, dividing by :math:`a = 1/\alpha` (their :math:`a = 100`).

    See Also
    --------
    dlbook.nn.activations_torch.leaky_relu, leaky_relu_derivative, dlbook.nn.parametric_relu.prelu,
    :ref:`ch-activations`

    Examples
    --------
    >>> leaky_relu([-2.0, 3.0])
    array([-0.02,  3.  ])
    """
    alpha = real_value(negative_slope, "negative_slope")
    x = real_array(x, "x")
    return np.where(x > 0, x, alpha * x)


def leaky_relu_derivative(x, negative_slope=0.01):
    r"""Derivative of Leaky ReLU: 1 for :math:`x > 0`, :math:`\alpha` for :math:`x \le 0`.

    Examples
    --------
    >>> leaky_relu_derivative([-2.0, 0.0, 3.0], negative_slope=0.1)
    array([0.1, 0.1, 1. ])
    """
    alpha = real_value(negative_slope, "negative_slope")
    x = real_array(x, "x")
    return np.where(x > 0, 1.0, alpha).astype(x.dtype)


# -- Exponential units, softplus, hard sigmoid ---------------------------------------------------
def elu(x, alpha=1.0):
    r"""Exponential linear unit: :math:`x` for :math:`x > 0`, :math:`\alpha(e^x - 1)` otherwise.

    Range :math:`(-\alpha, \infty)`; ``expm1`` keeps full accuracy near 0.

    See Also
    --------
    dlbook.nn.activations_torch.elu, elu_derivative, selu, :ref:`ch-activations`

    Examples
    --------
    >>> elu([np.log(0.5), 2.0])   # e^{ln 0.5} - 1
    array([-0.5,  2. ])
    """
    alpha = real_value(alpha, "alpha")
    x = real_array(x, "x")
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def elu_derivative(x, alpha=1.0):
    r"""Derivative of ELU: 1 for :math:`x > 0`, :math:`\alpha e^x` for :math:`x \le 0`.

    Continuous at 0 only for :math:`\alpha = 1`.

    Examples
    --------
    >>> elu_derivative([np.log(0.5), 0.0, 2.0], alpha=2.0)
    array([1., 2., 1.])
    """
    alpha = real_value(alpha, "alpha")
    x = real_array(x, "x")
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
    dlbook.nn.activations_torch.selu, selu_derivative, :ref:`ch-activations`

    Examples
    --------
    >>> selu([1.0, -np.inf])   # lambda and -lambda * alpha
    array([ 1.05070099, -1.75809934])
    """
    return SELU_SCALE * elu(x, SELU_ALPHA)


def selu_derivative(x):
    r"""Derivative of SELU: :math:`\lambda` for :math:`x > 0`, :math:`\lambda\alpha e^x` else.

    Examples
    --------
    >>> selu_derivative([1.0, 0.0])
    array([1.05070099, 1.75809934])
    """
    return SELU_SCALE * elu_derivative(x, SELU_ALPHA)


def softplus(x, beta=1.0):
    r"""Softplus :math:`\frac{1}{\beta}\log(1 + e^{\beta x})`, a smooth ReLU (:math:`\beta > 0`).

    Computed as :math:`\max(x, 0) + \frac{1}{\beta}\operatorname{log1p}(e^{-\beta|x|})`, exact
    for every float. torch's ``softplus`` returns :math:`x` itself where :math:`\beta x > 20`
    (its ``threshold``), a difference below :math:`2.1\times 10^{-9}/\beta`.

    See Also
    --------
    dlbook.nn.activations_torch.softplus, softplus_derivative, :ref:`ch-activations`

    Examples
    --------
    >>> softplus([0.0, np.log(3.0)])   # log 2, log 4
    array([0.69314718, 1.38629436])
    >>> softplus([1000.0])
    array([1000.])
    """
    beta = real_value(beta, "beta", low=0.0, low_open=True)
    x = real_array(x, "x")
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(beta * x))) / beta


def softplus_derivative(x, beta=1.0):
    r"""Derivative of softplus: :math:`\sigma(\beta x)`.

    Examples
    --------
    >>> softplus_derivative([0.0])
    array([0.5])
    """
    beta = real_value(beta, "beta", low=0.0, low_open=True)
    return sigmoid(beta * real_array(x, "x"))


def hard_sigmoid(x, slope=1 / 6):
    r"""Piecewise-linear sigmoid :math:`\operatorname{clip}(s x + 1/2,\ 0,\ 1)`.

    Two definitions are in use; they differ in the slope :math:`s`:

    * ``slope=1/6`` (default): torch's ``hardsigmoid`` :math:`\mathrm{relu6}(x + 3)/6`, also
      Keras 3's ``hard_sigmoid``; flat beyond :math:`|x| = 3`.
    * ``slope=0.2``: the older Keras 2 / TensorFlow ``hard_sigmoid``
      :math:`\operatorname{clip}(0.2x + 0.5, 0, 1)`; flat beyond :math:`|x| = 2.5`.

    See Also
    --------
    dlbook.nn.activations_torch.hard_sigmoid, hard_sigmoid_derivative, :ref:`ch-activations`

    Examples
    --------
    >>> hard_sigmoid([-4.0, 0.0, 1.5, 4.0])
    array([0.  , 0.5 , 0.75, 1.  ])
    >>> hard_sigmoid([1.5], slope=0.2)
    array([0.8])
    """
    s = real_value(slope, "slope", low=0.0, low_open=True)
    return np.clip(s * real_array(x, "x") + 0.5, 0.0, 1.0)


def hard_sigmoid_derivative(x, slope=1 / 6):
    r"""Derivative of :func:`hard_sigmoid`: :math:`s` where :math:`0 < sx + 1/2 < 1`, else 0.

    Examples
    --------
    >>> hard_sigmoid_derivative([-3.0, 0.0, 3.0], slope=0.25)
    array([0.  , 0.25, 0.  ])
    """
    s = real_value(slope, "slope", low=0.0, low_open=True)
    x = real_array(x, "x")
    u = s * x + 0.5
    return np.where((u > 0) & (u < 1), s, 0.0).astype(x.dtype)
