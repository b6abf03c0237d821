r"""ReLUs whose negative slope is a parameter of the call: learned (PReLU) or random (RReLU), in
NumPy (chapter :ref:`ch-activations`).

A fixed-slope activation has a derivative that depends on :math:`x` alone
(:mod:`dlbook.nn.activations`). These two need more for their backward pass: PReLU's gradient
reaches its slopes :math:`a`, and RReLU's random slopes must be the ones the forward pass drew.
So each has a chain-rule pair, ``*_forward(x, ...) -> (out, cache)`` and
``*_backward(dout, cache)``, beside the plain function ``prelu``/``rrelu`` (the value only, the
name torch gives it).

See Also
--------
dlbook.nn.parametric_relu_torch : the torch twin (autograd replaces the backward functions).
dlbook.nn.activation_layers.PReLU, dlbook.nn.activation_layers.RReLU : the layers.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import boolean, real_array, real_value, same_shape

__all__ = ["prelu", "prelu_forward", "prelu_backward", "rrelu", "rrelu_forward",
           "rrelu_backward"]


def _prelu_weight(x: np.ndarray, weight) -> tuple[np.ndarray, np.ndarray]:
    """Validate PReLU's weight; return it as (1,) or (C,) and as a view broadcasting on axis 1."""
    w = real_array(weight, "weight")
    w = w.reshape(-1) if w.ndim == 0 else w
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

    Returns
    -------
    ndarray of the shape of ``x``

    Raises
    ------
    ValueError
        If ``weight`` has neither 1 nor ``x.shape[1]`` elements.

    See Also
    --------
    dlbook.nn.parametric_relu_torch.prelu, prelu_forward, :ref:`ch-activations`

    Examples
    --------
    >>> prelu([[-4.0, -4.0], [2.0, 2.0]], weight=[0.25, 0.5])
    array([[-1., -2.],
           [ 2.,  2.]])
    """
    return prelu_forward(x, weight)[0]


def prelu_forward(x, weight):
    r"""PReLU's forward pass: returns ``(out, cache)``, the cache holding ``x`` and ``weight``.

    Examples
    --------
    >>> out, cache = prelu_forward([-3.0, 2.0], weight=[0.25])
    >>> out
    array([-0.75,  2.  ])
    """
    x = real_array(x, "x")
    w, a = _prelu_weight(x, weight)
    return np.where(x > 0, x, a * x), (x, w)


def prelu_backward(dout, cache):
    r"""PReLU's backward pass: returns ``(dx, dweight)``, ``dweight`` of the weight's shape.

    .. math:: \frac{\partial L}{\partial x} = g\,(1_{x>0} + a_c 1_{x\le0}),\qquad
              \frac{\partial L}{\partial a_c} = \sum_{\text{all but axis 1}} g\,x\,1_{x\le 0}

    Examples
    --------
    >>> _, cache = prelu_forward([-3.0, 2.0], weight=[0.25])
    >>> prelu_backward([1.0, 1.0], cache)
    (array([0.25, 1.  ]), array([-3.]))
    """
    x, w = cache
    dout = real_array(dout, "dout")
    same_shape(dout, x, "dout", "x")
    _, a = _prelu_weight(x, w)
    neg = x <= 0
    dx = np.where(neg, a * dout, dout)
    contrib = np.where(neg, dout * x, 0.0)
    if w.shape[0] == 1:
        return dx, np.array([contrib.sum()])
    return dx, contrib.sum(axis=tuple(i for i in range(x.ndim) if i != 1))


def _check_bounds(lower, upper) -> tuple[float, float]:
    lo, hi = real_value(lower, "lower", low=0.0), real_value(upper, "upper", low=0.0)
    if lo > hi:
        raise ValueError(f"lower must be <= upper, got lower={lower!r}, upper={upper!r}")
    return lo, hi


def rrelu(x, lower=1 / 8, upper=1 / 3, training=False, rng=None):
    r"""Randomized leaky ReLU: :math:`x` for :math:`x > 0`, :math:`a x` otherwise.

    In training every element :math:`x \le 0` gets its own slope :math:`a \sim U(l, u)`; in
    evaluation every slope is the mean :math:`(l + u)/2`, which makes it a Leaky ReLU.
    The value of :func:`rrelu_forward`, without the cache.

    See Also
    --------
    dlbook.nn.parametric_relu_torch.rrelu, rrelu_forward, :ref:`ch-activations`

    Examples
    --------
    >>> rrelu([-48.0, 5.0], training=False)   # slope (1/8 + 1/3) / 2 = 11/48
    array([-11.,   5.])
    """
    return rrelu_forward(x, lower, upper, training, rng)[0]


def rrelu_forward(x, lower=1 / 8, upper=1 / 3, training=False, rng=None):
    r"""Randomized leaky ReLU as torch defines it; returns ``(out, slopes)``.

    Parameters
    ----------
    lower, upper : float, defaults 1/8 and 1/3 (torch's), :math:`0 \le l \le u`
    training : bool, default False
        True: each element :math:`x \le 0` gets its own slope :math:`a \sim U(l, u)`.
        False: every slope is the mean :math:`(l + u)/2`.
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

    Examples
    --------
    >>> out, slopes = rrelu_forward([-48.0, 5.0])
    >>> out, slopes
    (array([-11.,   5.]), array([0.22916667, 1.        ]))
    """
    lo, hi = _check_bounds(lower, upper)
    x = real_array(x, "x")
    if boolean(training, "training"):
        rng = np.random.default_rng() if rng is None else rng
        a = rng.uniform(lo, hi, size=x.shape)
    else:
        a = 0.5 * (lo + hi)
    slopes = np.where(x > 0, 1.0, a).astype(x.dtype)
    return x * slopes, slopes


def rrelu_backward(dout, cache):
    r"""Backward pass of RReLU: :math:`\partial L/\partial x = g \odot \text{slopes}`.

    ``cache`` is the ``slopes`` array :func:`rrelu_forward` returned.

    Examples
    --------
    >>> rrelu_backward([2.0, 2.0], np.array([0.25, 1.0]))
    array([0.5, 2. ])
    """
    dout, slopes = real_array(dout, "dout"), real_array(cache, "cache")
    same_shape(dout, slopes, "dout", "slopes")
    return dout * slopes
