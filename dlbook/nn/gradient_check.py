r"""Gradient checking: compare a backward pass with two-sided finite differences.

Chapter :ref:`ch-backprop` explains the method; the tests in ``tests/nn/test_gradient_check.py``
use these functions on every backward pass of :mod:`dlbook.nn`.

For a scalar function :math:`f(\theta)` the two-sided (central) difference

.. math::

    \frac{\partial f}{\partial \theta_i} \approx
    \frac{f(\theta + \varepsilon e_i) - f(\theta - \varepsilon e_i)}{2\varepsilon}

has error :math:`O(\varepsilon^2)`, against :math:`O(\varepsilon)` for the one-sided
:math:`(f(\theta + \varepsilon e_i) - f(\theta))/\varepsilon`. The check reports, for each
parameter array, the relative error

.. math::

    \frac{\lVert g_\text{num} - g \rVert_2}{\lVert g_\text{num} \rVert_2 + \lVert g \rVert_2}

and the rule of thumb (float64): about :math:`10^{-7}` or below is fine, :math:`10^{-5}` deserves
a second look, :math:`10^{-3}` or more means the backward pass is wrong.

There is no torch twin: ``torch.autograd.gradcheck`` does the same job for torch functions.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import positive_real, real_array, real_value, same_shape

__all__ = ["numerical_gradient", "relative_error", "gradient_errors", "gradient_check", "verdict"]

#: Relative-error thresholds of the rule of thumb: (upper bound, verdict).
THRESHOLDS = ((1e-7, "fine"), (1e-3, "look again"), (np.inf, "wrong"))


def _perturbable(p, i) -> np.ndarray:
    """A float64 ndarray that the finite differences can perturb in place."""
    if not isinstance(p, np.ndarray):
        raise TypeError(f"params[{i}] must be a NumPy array (it is perturbed in place), got "
                        f"{type(p).__name__}")
    if p.dtype != np.float64:
        raise TypeError(f"params[{i}] has dtype {p.dtype}: gradient checking needs float64 "
                        "(in float32 the finite differences drown in rounding error)")
    return p


def numerical_gradient(f, param, eps=1e-6):
    r"""Two-sided finite-difference gradient of ``f()`` with respect to the array ``param``.

    Parameters
    ----------
    f : callable
        Takes no arguments and returns a scalar; it must read ``param``'s *current* values
        (typically a closure over the arrays of a model).
    param : ndarray of float64, any shape
        The array to differentiate by. Each entry is moved by :math:`\pm\varepsilon` in place
        and restored exactly afterwards (also if ``f`` raises).
    eps : float, default 1e-6
        The step :math:`\varepsilon`.

    Returns
    -------
    ndarray, same shape as ``param``
        :math:`(f(\theta + \varepsilon e_i) - f(\theta - \varepsilon e_i)) / (2\varepsilon)`
        for every entry :math:`i`.

    Raises
    ------
    TypeError
        If ``param`` is not a float64 ndarray, or ``f`` does not return a real scalar.
    ValueError
        If ``eps`` is not positive.

    Notes
    -----
    This costs two evaluations of ``f`` per entry, which is why it is a check and not a way to
    train. The loop over entries is unavoidable: ``f`` is a black box, each entry needs its own
    pair of evaluations.

    See Also
    --------
    gradient_check, torch.autograd.gradcheck, :ref:`ch-backprop`

    Examples
    --------
    The gradient of :math:`\sum_i \theta_i^3` is :math:`3\theta_i^2`, here 3 and 12:

    >>> theta = np.array([1.0, 2.0])
    >>> numerical_gradient(lambda: np.sum(theta ** 3), theta).round(6)
    array([ 3., 12.])
    """
    eps = positive_real(eps, "eps")
    param = _perturbable(param, 0)
    grad = np.empty_like(param)
    flat, gflat = param.reshape(-1), grad.reshape(-1)  # views: writing flat writes param
    if not np.shares_memory(flat, param):
        raise TypeError("param must be a contiguous array so that it can be perturbed in place")

    def value():
        v = f()
        if not np.ndim(v) == 0 or not np.isrealobj(v):
            raise TypeError(f"f() must return a real scalar, got {v!r}")
        return float(v)

    for i in range(flat.size):
        old = flat[i]
        try:
            flat[i] = old + eps
            f_plus = value()
            flat[i] = old - eps
            f_minus = value()
        finally:
            flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def relative_error(a, b):
    r"""Relative error :math:`\lVert a-b \rVert_2 / (\lVert a \rVert_2 + \lVert b \rVert_2)`; 0 if
    both are 0.

    Parameters
    ----------
    a, b : array_like of the same shape

    Raises
    ------
    ValueError
        If the shapes differ.

    See Also
    --------
    gradient_check, :ref:`ch-backprop`

    Examples
    --------
    >>> relative_error([3.0, 4.0], [3.0, 4.0])
    0.0
    >>> relative_error([1.0, 0.0], [-1.0, 0.0])   # opposite signs: the largest possible value
    1.0
    >>> relative_error([0.0], [0.0])
    0.0
    """
    a, b = real_array(a, "a").astype(float), real_array(b, "b").astype(float)
    same_shape(a, b, "a", "b")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def gradient_errors(f, params, grads, eps=1e-6):
    r"""Relative error of each analytic gradient against the two-sided difference.

    Parameters
    ----------
    f : callable
        ``f()`` returns the scalar loss computed from the current values of ``params``.
    params : list of ndarray (float64)
        The parameter arrays (perturbed in place and restored).
    grads : list of array_like
        Analytic gradients :math:`\partial f/\partial \theta`, one per parameter, same shapes.
    eps : float, default 1e-6

    Returns
    -------
    list of float
        :func:`relative_error` of ``grads[k]`` against :func:`numerical_gradient` of ``params[k]``.

    Raises
    ------
    ValueError
        If the lists differ in length or a gradient's shape differs from its parameter's.
    TypeError
        If a parameter is not a float64 ndarray.

    See Also
    --------
    gradient_check : the largest of these errors.
    :ref:`ch-backprop` : the chapter.

    Examples
    --------
    :math:`f = w^\top x + b` has :math:`\partial f/\partial w = x`, :math:`\partial f/\partial b =
    1`;
    a wrong bias gradient of 2 gives :math:`|2-1|/(2+1) = 1/3`:

    >>> w, b, x = np.array([0.5, -1.0]), np.array([0.2]), np.array([3.0, 4.0])
    >>> f = lambda: float(w @ x + b[0])
    >>> [round(e, 6) for e in gradient_errors(f, [w, b], [x, np.array([2.0])])]
    [0.0, 0.333333]
    """
    params, grads = list(params), list(grads)
    if len(params) != len(grads):
        raise ValueError(f"got {len(params)} parameters but {len(grads)} gradients")
    errors = []
    for k, (p, g) in enumerate(zip(params, grads)):
        _perturbable(p, k)
        g = real_array(g, f"grads[{k}]")
        same_shape(g, p, f"grads[{k}]", f"params[{k}]")
        errors.append(relative_error(numerical_gradient(f, p, eps), g))
    return errors


def gradient_check(f, params, grads, eps=1e-6):
    r"""Largest relative error over all parameters (see :func:`gradient_errors`).

    Returns
    -------
    float
        :math:`\max_k \lVert g^{(k)}_\text{num} - g^{(k)} \rVert / (\lVert g^{(k)}_\text{num}\rVert
        + \lVert g^{(k)} \rVert)`. Read it with :func:`verdict`.

    See Also
    --------
    gradient_errors, verdict, :ref:`ch-backprop`

    Examples
    --------
    :math:`f = \sum \tanh(\theta)` has gradient :math:`1 - \tanh^2\theta`:

    >>> theta = np.array([0.3, -1.2, 2.0])
    >>> err = gradient_check(lambda: np.tanh(theta).sum(), [theta], [1 - np.tanh(theta) ** 2])
    >>> err < 1e-9, verdict(err)
    (True, 'fine')
    """
    return max(gradient_errors(f, params, grads, eps))


def verdict(error):
    r"""Read a relative error by the rule of thumb: ``"fine"`` (:math:`\le 10^{-7}`),
    ``"look again"`` (up to :math:`10^{-3}`), ``"wrong"`` (above).

    Examples
    --------
    >>> verdict(3e-10), verdict(1e-5), verdict(0.02)
    ('fine', 'look again', 'wrong')
    """
    error = real_value(error, "error", low=0.0)
    return next(label for bound, label in THRESHOLDS if error <= bound)
