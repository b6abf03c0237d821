r"""Weight initializers in NumPy, with the names, fan conventions and gains of ``torch.nn.init``.

Every function takes the *shape* of the array to create and returns a new array (torch's
versions, ending in ``_``, fill a tensor in place).  A weight of shape ``(out, in, *k)`` has

.. math::

    \text{fan\_in} = \text{in}\cdot\prod k, \qquad \text{fan\_out} = \text{out}\cdot\prod k,

so a dense layer's weight (out_features, in_features) has fan_in = in_features.

* :func:`xavier_normal`, :func:`xavier_uniform` (Glorot):
  :math:`\sigma = g\sqrt{2/(\text{fan\_in}+\text{fan\_out})}`;
* :func:`kaiming_normal`, :func:`kaiming_uniform` (He): :math:`\sigma = g/\sqrt{\text{fan}}`;
* :func:`lecun_normal`, :func:`lecun_uniform`: :math:`\sigma = 1/\sqrt{\text{fan\_in}}`.

A uniform distribution on :math:`[-a, a]` has standard deviation :math:`a/\sqrt 3`, so each
uniform variant uses the bound :math:`a = \sqrt 3\,\sigma`.  There is no ``init_torch`` twin:
``torch.nn.init`` is the PyTorch side, and the tests compare the two distributions.

See Also
--------
torch.nn.init : the PyTorch functions of the same names.
:ref:`ch-training` : the chapter (the variance argument and a 10-layer experiment).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from dlbook._checks import generator, one_of, positive_real, real_value

__all__ = [
    "calculate_fan_in_and_fan_out", "calculate_gain", "zeros", "ones", "normal", "uniform",
    "trunc_normal", "orthogonal", "xavier_uniform", "xavier_normal", "kaiming_uniform",
    "kaiming_normal", "lecun_uniform", "lecun_normal",
]


def _shape(shape) -> tuple[int, ...]:
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (int(shape),)
    try:
        shape = tuple(shape)
    except TypeError:
        raise TypeError(f"shape must be an int or a tuple of ints, got {shape!r}") from None
    for s in shape:
        if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 0:
            raise ValueError(f"shape must hold non-negative ints, got {shape!r}")
    return tuple(int(s) for s in shape)


#: The nonlinearities :func:`calculate_gain` knows (torch's names).
NONLINEARITIES = ("linear", "conv1d", "conv2d", "conv3d", "sigmoid", "tanh", "relu",
                  "leaky_relu", "selu")


def calculate_fan_in_and_fan_out(shape) -> tuple[int, int]:
    r"""Fan-in and fan-out of a weight of shape ``(out, in, *kernel)``, torch's convention.

    Parameters
    ----------
    shape : tuple of int, at least 2 entries
        (out_features, in_features) for a dense layer, (out_channels, in_channels, kh, kw) for
        a convolution.

    Returns
    -------
    fan_in, fan_out : int
        :math:`\text{in}\cdot r` and :math:`\text{out}\cdot r` with :math:`r` the product of
        the kernel sizes (1 for a dense layer).

    Raises
    ------
    ValueError
        If the shape has fewer than 2 dimensions (torch refuses these too).

    See Also
    --------
    torch.nn.init._calculate_fan_in_and_fan_out : the same rule.
    :ref:`ch-training`

    Examples
    --------
    >>> calculate_fan_in_and_fan_out((10, 784))          # dense: 784 inputs, 10 outputs
    (784, 10)
    >>> calculate_fan_in_and_fan_out((16, 3, 5, 5))      # conv: 3*25 in, 16*25 out
    (75, 400)
    """
    shape = _shape(shape)
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out need a shape with at least 2 dimensions, got {shape}")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def calculate_gain(nonlinearity: str, param=None) -> float:
    r"""The gain torch recommends for a nonlinearity (multiplies the standard deviation).

    Parameters
    ----------
    nonlinearity : str
        One of "linear", "conv1d", "conv2d", "conv3d", "sigmoid", "tanh", "relu", "leaky_relu",
        "selu".
    param : float, optional
        Negative slope for "leaky_relu" (default 0.01).

    Returns
    -------
    float
        1 for linear, convolution and sigmoid; 5/3 for tanh; :math:`\sqrt 2` for ReLU;
        :math:`\sqrt{2/(1+a^2)}` for leaky ReLU with slope :math:`a`; 3/4 for SELU.

    Raises
    ------
    ValueError
        For an unknown nonlinearity.
    TypeError
        For a slope that is not a real number.

    See Also
    --------
    torch.nn.init.calculate_gain
    :ref:`ch-training`

    Examples
    --------
    >>> round(calculate_gain("relu") ** 2, 12), calculate_gain("leaky_relu", 1.0)
    (2.0, 1.0)
    >>> calculate_gain("tanh")
    1.6666666666666667
    """
    one_of(nonlinearity, "nonlinearity", NONLINEARITIES)
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = real_value(0.01 if param is None else param, "param")
        return math.sqrt(2.0 / (1 + slope**2))
    return 3.0 / 4  # selu


def zeros(shape) -> np.ndarray:
    """An array of zeros (``torch.nn.init.zeros_``); every unit of a layer then computes the same.

    Examples
    --------
    >>> zeros((2, 3)).sum()
    np.float64(0.0)
    """
    return np.zeros(_shape(shape))


def ones(shape) -> np.ndarray:
    """An array of ones (``torch.nn.init.ones_``); as symmetric as :func:`zeros`.

    Examples
    --------
    >>> ones((2, 3)).sum()
    np.float64(6.0)
    """
    return np.ones(_shape(shape))


def normal(shape, mean=0.0, std=1.0, rng=None) -> np.ndarray:
    r"""Samples of :math:`\mathcal N(\text{mean}, \text{std}^2)` (``torch.nn.init.normal_``).

    Parameters
    ----------
    shape : tuple of int
    mean, std : float
    rng : numpy.random.Generator or int, optional

    Examples
    --------
    >>> w = normal((1000, 1000), std=0.01, rng=0)
    >>> round(float(w.std()), 4)
    0.01
    """
    return generator(rng).normal(mean, positive_real(std, "std"), size=_shape(shape))


def uniform(shape, a=0.0, b=1.0, rng=None) -> np.ndarray:
    r"""Samples of :math:`U[a, b)` (``torch.nn.init.uniform_``).

    Raises
    ------
    ValueError
        If ``a > b``.

    Examples
    --------
    >>> w = uniform((3,), -1.0, 1.0, rng=0)
    >>> bool(np.all((w >= -1) & (w < 1)))
    True
    """
    if not a <= b:
        raise ValueError(f"uniform needs a <= b, got a={a!r}, b={b!r}")
    return generator(rng).uniform(a, b, size=_shape(shape))


def trunc_normal(shape, mean=0.0, std=1.0, a=-2.0, b=2.0, rng=None) -> np.ndarray:
    r"""Samples of :math:`\mathcal N(\text{mean}, \text{std}^2)` conditioned on :math:`[a, b]`.

    As ``torch.nn.init.trunc_normal_``, ``a`` and ``b`` are absolute bounds, not multiples of
    ``std``.  Values outside are redrawn (rejection sampling, one vectorized round at a time).

    Notes
    -----
    With :math:`\alpha = (a-\mu)/\sigma`, :math:`\beta = (b-\mu)/\sigma`, :math:`\phi` and
    :math:`\Phi` the standard normal density and distribution function and
    :math:`Z = \Phi(\beta) - \Phi(\alpha)`, the variance shrinks to

    .. math::

        \sigma^2\left[1 + \frac{\alpha\phi(\alpha) - \beta\phi(\beta)}{Z}
        - \left(\frac{\phi(\alpha) - \phi(\beta)}{Z}\right)^2\right],

    about :math:`0.774\,\sigma^2` for the default :math:`\pm 2\sigma` (standard deviation
    :math:`0.880\,\sigma`).  Keras's ``*_normal`` initializers divide by 0.8796 to undo this.

    Raises
    ------
    ValueError
        If ``a >= b`` or the interval holds less than 0.01 % of the distribution's mass.

    Examples
    --------
    >>> w = trunc_normal((100_000,), rng=0)
    >>> float(w.min()) >= -2, float(w.max()) <= 2, round(float(w.std()), 2)
    (True, True, 0.88)
    """
    std = positive_real(std, "std")
    if not a < b:
        raise ValueError(f"trunc_normal needs a < b, got a={a!r}, b={b!r}")
    cdf = lambda t: 0.5 * (1 + math.erf((t - mean) / (std * math.sqrt(2))))  # noqa: E731
    if cdf(b) - cdf(a) < 1e-4:
        raise ValueError(f"[{a}, {b}] holds almost none of N({mean}, {std}^2): pick bounds near "
                         "the mean")
    gen = generator(rng)
    out = gen.normal(mean, std, size=_shape(shape))
    bad = (out < a) | (out > b)
    while bad.any():  # each round redraws only the rejected entries
        out[bad] = gen.normal(mean, std, size=int(bad.sum()))
        bad = (out < a) | (out > b)
    return out


def orthogonal(shape, gain=1.0, rng=None) -> np.ndarray:
    r"""A (semi-)orthogonal matrix from the QR decomposition of a Gaussian one (torch's method).

    The array is viewed as (rows, cols) = (shape[0], prod(shape[1:])).  With rows <= cols its
    rows are orthonormal (:math:`WW^\top = g^2 I`); otherwise its columns are
    (:math:`W^\top W = g^2 I`).  The signs of R's diagonal are folded into Q so that the result is
    uniformly distributed over orthogonal matrices.

    Raises
    ------
    ValueError
        If the shape has fewer than 2 dimensions.

    See Also
    --------
    torch.nn.init.orthogonal_
    :ref:`ch-training`

    Examples
    --------
    >>> q = orthogonal((3, 3), rng=0)
    >>> np.allclose(q @ q.T, np.eye(3))
    True
    """
    shape = _shape(shape)
    if len(shape) < 2:
        raise ValueError(f"orthogonal needs at least 2 dimensions, got shape {shape}")
    rows, cols = shape[0], math.prod(shape[1:])
    flat = generator(rng).normal(size=(rows, cols))
    if rows < cols:
        flat = flat.T  # (cols, rows): QR of a tall matrix
    q, r = np.linalg.qr(flat)  # q: (max, min) with orthonormal columns
    q = q * np.sign(np.diag(r))  # make the decomposition unique (uniform over the group)
    if rows < cols:
        q = q.T
    return gain * q.reshape(shape)


def _std_xavier(shape, gain):
    fan_in, fan_out = calculate_fan_in_and_fan_out(shape)
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def _std_kaiming(shape, a, mode, nonlinearity):
    one_of(mode, "mode", ("fan_in", "fan_out"))
    fan_in, fan_out = calculate_fan_in_and_fan_out(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def xavier_uniform(shape, gain=1.0, rng=None) -> np.ndarray:
    r"""Glorot/Xavier uniform: :math:`U[-a, a]`, :math:`a =
    g\sqrt{6/(\text{fan\_in}+\text{fan\_out})}`.

    Keras's default kernel initializer (``glorot_uniform``).

    See Also
    --------
    torch.nn.init.xavier_uniform_
    :ref:`ch-training`

    Examples
    --------
    >>> w = xavier_uniform((100, 200), rng=0)        # bound sqrt(6 / 300) = 0.1414
    >>> bool(np.abs(w).max() <= np.sqrt(6 / 300))
    True
    """
    bound = math.sqrt(3.0) * _std_xavier(shape, gain)
    return generator(rng).uniform(-bound, bound, size=_shape(shape))


def xavier_normal(shape, gain=1.0, rng=None) -> np.ndarray:
    r"""Glorot/Xavier normal: :math:`\mathcal N(0, \sigma^2)`, :math:`\sigma =
    g\sqrt{2/(\text{fan\_in}+\text{fan\_out})}`.

    See Also
    --------
    torch.nn.init.xavier_normal_
    :ref:`ch-training`

    Examples
    --------
    >>> w = xavier_normal((500, 300), rng=0)          # sigma = sqrt(2 / 800) = 0.05
    >>> round(float(w.std()), 3)
    0.05
    """
    return generator(rng).normal(0.0, _std_xavier(shape, gain), size=_shape(shape))


def kaiming_uniform(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", rng=None) -> np.ndarray:
    r"""He/Kaiming uniform: :math:`U[-b, b]`, :math:`b = \sqrt 3\, g/\sqrt{\text{fan}}`.

    With torch's defaults (leaky ReLU with slope ``a`` = 0, i.e. ReLU) the gain is
    :math:`\sqrt 2` and :math:`b = \sqrt{6/\text{fan\_in}}`.

    Raises
    ------
    ValueError
        For a mode other than "fan_in"/"fan_out" or an unknown nonlinearity.

    See Also
    --------
    torch.nn.init.kaiming_uniform_
    :ref:`ch-training`

    Examples
    --------
    >>> w = kaiming_uniform((256, 6), rng=0)          # bound sqrt(6 / 6) = 1
    >>> bool(np.abs(w).max() <= 1.0)
    True
    """
    bound = math.sqrt(3.0) * _std_kaiming(shape, a, mode, nonlinearity)
    return generator(rng).uniform(-bound, bound, size=_shape(shape))


def kaiming_normal(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", rng=None) -> np.ndarray:
    r"""He/Kaiming normal: :math:`\mathcal N(0, \sigma^2)`, :math:`\sigma = g/\sqrt{\text{fan}}`.

    See Also
    --------
    torch.nn.init.kaiming_normal_
    :ref:`ch-training`

    Examples
    --------
    >>> w = kaiming_normal((400, 200), rng=0)         # sigma = sqrt(2 / 200) = 0.1
    >>> round(float(w.std()), 3)
    0.1
    """
    return generator(rng).normal(
        0.0, _std_kaiming(shape, a, mode, nonlinearity), size=_shape(shape)
    )


def lecun_uniform(shape, rng=None) -> np.ndarray:
    r"""LeCun uniform: :math:`U[-b, b]` with :math:`b = \sqrt{3/\text{fan\_in}}` (variance
    1/fan_in).

    torch has no function of this name; it is ``kaiming_uniform_(w, nonlinearity="linear")``.

    Examples
    --------
    >>> w = lecun_uniform((10, 3), rng=0)             # bound sqrt(3 / 3) = 1
    >>> bool(np.abs(w).max() <= 1.0)
    True
    """
    return kaiming_uniform(shape, mode="fan_in", nonlinearity="linear", rng=rng)


def lecun_normal(shape, rng=None) -> np.ndarray:
    r"""LeCun normal: :math:`\mathcal N(0, 1/\text{fan\_in})`, torch's ``kaiming_normal_(w,
    nonlinearity="linear")``.

    Keras's ``lecun_normal`` draws from a truncated normal rescaled to the same variance.

    Examples
    --------
    >>> w = lecun_normal((1000, 100), rng=0)          # sigma = 1 / sqrt(100) = 0.1
    >>> round(float(w.std()), 3)
    0.1
    """
    return kaiming_normal(shape, mode="fan_in", nonlinearity="linear", rng=rng)
