r"""Small loss surfaces for watching optimizers move (chapters :ref:`ch-gradient-descent` and
:ref:`ch-optimizers`), each with its gradient and Hessian written out by hand.

Conventions used by every function below:

* Two-dimensional surfaces take points ``p`` of shape ``(..., 2)`` (the last axis is
  :math:`(x, y)`), so a whole grid is evaluated at once:
  ``rosenbrock(np.stack([X, Y], axis=-1))``.  ``f`` returns shape ``(...)``, ``f_grad``
  returns ``(..., 2)`` and ``f_hessian`` returns ``(..., 2, 2)``.
* The one-dimensional :func:`quartic` takes ``x`` of any shape and returns that shape.
* Integer input becomes float64; no input is modified.

Numerical optimization calls such surfaces "test functions"; this module is named after the
landscapes instead, so that nothing here looks like a test module to pytest or to a reader.

See Also
--------
dlbook.nn.optim, dlbook.nn.optim_adam : the optimizers that walk on these surfaces.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import real_array

__all__ = [
    "BEALE_C", "rosenbrock", "rosenbrock_grad", "rosenbrock_hessian",
    "beale", "beale_grad", "beale_hessian",
    "saddle", "saddle_grad", "saddle_hessian",
    "double_well", "double_well_grad", "double_well_hessian",
    "quartic", "quartic_grad", "quartic_hessian",
]

#: The constants of Beale's function, :math:`c_i` for :math:`i = 1, 2, 3`.
BEALE_C = np.array([1.5, 2.25, 2.625])


def _points(p) -> tuple[np.ndarray, np.ndarray]:
    """Split ``p`` of shape (..., 2) into float arrays x and y of shape (...)."""
    arr = real_array(p, "p", min_ndim=1).astype(np.float64, copy=False)
    if arr.shape[-1] != 2:
        raise ValueError(f"p must have shape (..., 2) (points (x, y)), got shape {arr.shape}")
    return arr[..., 0], arr[..., 1]


def _hessian(hxx, hxy, hyy) -> np.ndarray:
    """Stack the three distinct entries into symmetric 2x2 matrices, shape (..., 2, 2)."""
    hxx, hxy, hyy = np.broadcast_arrays(hxx, hxy, hyy)
    return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)


# -- Rosenbrock --------------------------------------------------------------------------------
def rosenbrock(p, a: float = 1.0, b: float = 100.0):
    r"""Rosenbrock's banana valley :math:`f(x, y) = (a - x)^2 + b\,(y - x^2)^2`.

    The minimum is :math:`f(a, a^2) = 0`, at the end of a long, curved, flat-bottomed valley:
    the gradient across the valley is large, along it tiny.

    Parameters
    ----------
    p : array_like of shape (..., 2)
        Points :math:`(x, y)`.
    a, b : float
        The valley's shape (1 and 100, the classic choice).

    Returns
    -------
    ndarray of shape (...)

    See Also
    --------
    rosenbrock_grad, rosenbrock_hessian, :ref:`ch-optimizers`

    Examples
    --------
    >>> rosenbrock([[1.0, 1.0], [0.0, 0.0], [-1.0, 1.0]])
    array([0., 1., 4.])
    """
    x, y = _points(p)
    return (a - x) ** 2 + b * (y - x**2) ** 2


def rosenbrock_grad(p, a: float = 1.0, b: float = 100.0):
    r"""Gradient of :func:`rosenbrock`, shape (..., 2).

    Notes
    -----
    .. math::
        \partial_x f = -2(a - x) - 4bx\,(y - x^2), \qquad \partial_y f = 2b\,(y - x^2).

    See Also
    --------
    rosenbrock, rosenbrock_hessian, :ref:`ch-optimizers`

    Examples
    --------
    >>> rosenbrock_grad([0.0, 1.0])   # (-2 - 0, 2 * 100 * 1)
    array([ -2., 200.])
    """
    x, y = _points(p)
    r = y - x**2
    return np.stack([-2.0 * (a - x) - 4.0 * b * x * r, 2.0 * b * r], axis=-1)


def rosenbrock_hessian(p, a: float = 1.0, b: float = 100.0):
    r"""Hessian of :func:`rosenbrock`, shape (..., 2, 2).

    Notes
    -----
    .. math::
        \partial_{xx} f = 2 - 4b\,y + 12b\,x^2, \qquad \partial_{xy} f = -4b\,x, \qquad
        \partial_{yy} f = 2b.

    See Also
    --------
    rosenbrock, rosenbrock_grad, :ref:`ch-optimizers`

    Examples
    --------
    >>> rosenbrock_hessian([1.0, 1.0])   # at the minimum: both eigenvalues positive
    array([[ 802., -400.],
           [-400.,  200.]])
    """
    x, y = _points(p)
    return _hessian(2.0 - 4.0 * b * y + 12.0 * b * x**2, -4.0 * b * x, 2.0 * b + 0.0 * x)


# -- Beale -------------------------------------------------------------------------------------
def beale(p):
    r"""Beale's function :math:`f(x, y) = \sum_{i=1}^{3} \bigl(c_i - x + x y^i\bigr)^2` with
    :math:`c = (1.5, 2.25, 2.625)`.

    The minimum is :math:`f(3, 0.5) = 0`; the surface has steep walls where :math:`|y| > 1`
    and a flat plateau around :math:`x = 0`.

    Parameters
    ----------
    p : array_like of shape (..., 2)

    Returns
    -------
    ndarray of shape (...)

    See Also
    --------
    beale_grad, beale_hessian, :ref:`ch-optimizers`

    Examples
    --------
    >>> beale([[3.0, 0.5], [0.0, 0.0]])   # 0 at the minimum; 1.5**2 + 2.25**2 + 2.625**2
    array([ 0.      , 14.203125])
    """
    x, y = _points(p)
    i = np.arange(1, 4)
    r = BEALE_C - x[..., None] * (1.0 - y[..., None] ** i)  # (..., 3)
    return np.sum(r**2, axis=-1)


def beale_grad(p):
    r"""Gradient of :func:`beale`, shape (..., 2).

    Notes
    -----
    With :math:`r_i = c_i - x(1 - y^i)`:

    .. math::
        \partial_x f = \sum_i 2 r_i\,(y^i - 1), \qquad
        \partial_y f = \sum_i 2 r_i\, i\,x\,y^{i-1}.

    See Also
    --------
    beale, beale_hessian, :ref:`ch-optimizers`

    Examples
    --------
    >>> beale_grad([3.0, 0.5])
    array([0., 0.])
    """
    x, y = _points(p)
    i = np.arange(1, 4)
    yi = y[..., None] ** i  # (..., 3)
    r = BEALE_C - x[..., None] * (1.0 - yi)
    dx = np.sum(2.0 * r * (yi - 1.0), axis=-1)
    dy = np.sum(2.0 * r * i * x[..., None] * y[..., None] ** (i - 1), axis=-1)
    return np.stack([dx, dy], axis=-1)


def beale_hessian(p):
    r"""Hessian of :func:`beale`, shape (..., 2, 2).

    Notes
    -----
    With :math:`r_i` as in :func:`beale_grad`, :math:`u_i = y^i - 1 = \partial_x r_i` and
    :math:`w_i = i x y^{i-1} = \partial_y r_i`:

    .. math::
        \partial_{xx} f = \sum_i 2u_i^2, \qquad
        \partial_{xy} f = \sum_i 2\bigl(u_i w_i + r_i\, i\, y^{i-1}\bigr), \qquad
        \partial_{yy} f = \sum_i 2\bigl(w_i^2 + r_i\, i(i-1)\,x\,y^{i-2}\bigr).

    See Also
    --------
    beale, beale_grad, :ref:`ch-optimizers`

    Examples
    --------
    >>> np.linalg.eigvalsh(beale_hessian([3.0, 0.5])) > 0   # a minimum
    array([ True,  True])
    """
    x, y = _points(p)
    i = np.arange(1, 4)
    xe, ye = x[..., None], y[..., None]
    u = ye**i - 1.0
    r = BEALE_C + xe * u
    w = i * xe * ye ** (i - 1)
    # i * (i - 1) * y**(i - 2): written without negative powers so that y = 0 is safe
    d2 = np.stack([np.zeros_like(y), 2.0 * np.ones_like(y), 6.0 * y], axis=-1)
    hxx = np.sum(2.0 * u**2, axis=-1)
    hxy = np.sum(2.0 * (u * w + r * i * ye ** (i - 1)), axis=-1)
    hyy = np.sum(2.0 * (w**2 + r * xe * d2), axis=-1)
    return _hessian(hxx, hxy, hyy)


# -- Saddle and double well --------------------------------------------------------------------
def saddle(p):
    r"""The saddle :math:`f(x, y) = x^2 - y^2`: a minimum along :math:`x`, a maximum along
    :math:`y`, zero gradient at the origin, and no lower bound.

    Parameters
    ----------
    p : array_like of shape (..., 2)

    Returns
    -------
    ndarray of shape (...)

    See Also
    --------
    saddle_grad, saddle_hessian, :ref:`ch-gradient-descent`

    Examples
    --------
    >>> saddle([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    array([ 0.,  1., -1.])
    """
    x, y = _points(p)
    return x**2 - y**2


def saddle_grad(p):
    r"""Gradient of :func:`saddle`: :math:`(2x, -2y)`, shape (..., 2).

    See Also
    --------
    saddle, saddle_hessian, :ref:`ch-gradient-descent`

    Examples
    --------
    >>> saddle_grad([1.0, 3.0])
    array([ 2., -6.])
    """
    x, y = _points(p)
    return np.stack([2.0 * x, -2.0 * y], axis=-1)


def saddle_hessian(p):
    r"""Hessian of :func:`saddle`: :math:`\operatorname{diag}(2, -2)` everywhere, shape (..., 2, 2).

    See Also
    --------
    saddle, saddle_grad, :ref:`ch-gradient-descent`

    Examples
    --------
    >>> np.linalg.eigvalsh(saddle_hessian([0.0, 0.0]))   # one negative, one positive
    array([-2.,  2.])
    """
    x, _ = _points(p)
    return _hessian(2.0 + 0.0 * x, 0.0 * x, -2.0 + 0.0 * x)


def double_well(p):
    r"""Two minima and a saddle between them: :math:`f(x, y) = x^2 + (y^2 - 1)^2`.

    Minima :math:`f(0, \pm 1) = 0`; saddle point :math:`f(0, 0) = 1` with Hessian
    :math:`\operatorname{diag}(2, -4)`.  Unlike :func:`saddle`, it is bounded below, so a run
    that leaves the saddle ends in a minimum.

    Parameters
    ----------
    p : array_like of shape (..., 2)

    Returns
    -------
    ndarray of shape (...)

    See Also
    --------
    double_well_grad, double_well_hessian, :ref:`ch-gradient-descent`

    Examples
    --------
    >>> double_well([[0.0, 1.0], [0.0, 0.0], [1.0, 0.0]])
    array([0., 1., 2.])
    """
    x, y = _points(p)
    return x**2 + (y**2 - 1.0) ** 2


def double_well_grad(p):
    r"""Gradient of :func:`double_well`: :math:`(2x,\; 4y(y^2 - 1))`, shape (..., 2).

    See Also
    --------
    double_well, double_well_hessian, :ref:`ch-gradient-descent`

    Examples
    --------
    >>> double_well_grad([1.0, 2.0])   # (2, 4 * 2 * 3)
    array([ 2., 24.])
    """
    x, y = _points(p)
    return np.stack([2.0 * x, 4.0 * y * (y**2 - 1.0)], axis=-1)


def double_well_hessian(p):
    r"""Hessian of :func:`double_well`: :math:`\operatorname{diag}(2,\; 12y^2 - 4)`, shape (..., 2,
    2).

    See Also
    --------
    double_well, double_well_grad, :ref:`ch-gradient-descent`

    Examples
    --------
    >>> double_well_hessian([[0.0, 0.0], [0.0, 1.0]])   # saddle, then minimum
    array([[[ 2.,  0.],
            [ 0., -4.]],
    <BLANKLINE>
           [[ 2.,  0.],
            [ 0.,  8.]]])
    """
    x, y = _points(p)
    return _hessian(2.0 + 0.0 * x, 0.0 * x, 12.0 * y**2 - 4.0)


# -- A one-dimensional loss with two minima ------------------------------------------------------
def quartic(x):
    r"""A one-dimensional loss with a local and a global minimum: :math:`f(x) = x^4 - 3x^2 + x`.

    The global minimum lies near :math:`x = -1.30`, a local one near :math:`x = 1.13`, and a
    local maximum near :math:`x = 0.17` separates them.

    Parameters
    ----------
    x : array_like of any shape

    Returns
    -------
    ndarray of the same shape

    See Also
    --------
    quartic_grad, quartic_hessian, :ref:`ch-gradient-descent`

    Examples
    --------
    >>> quartic([0.0, 1.0, -1.0])   # 0;  1 - 3 + 1;  1 - 3 - 1
    array([ 0., -1., -3.])
    """
    x = real_array(x, "x").astype(np.float64, copy=False)
    return x**4 - 3.0 * x**2 + x


def quartic_grad(x):
    r"""Derivative of :func:`quartic`: :math:`f'(x) = 4x^3 - 6x + 1`.

    See Also
    --------
    quartic, quartic_hessian, :ref:`ch-gradient-descent`

    Examples
    --------
    >>> quartic_grad([0.0, 1.0])
    array([ 1., -1.])
    """
    x = real_array(x, "x").astype(np.float64, copy=False)
    return 4.0 * x**3 - 6.0 * x + 1.0


def quartic_hessian(x):
    r"""Second derivative of :func:`quartic`: :math:`f''(x) = 12x^2 - 6`.

    See Also
    --------
    quartic, quartic_grad, :ref:`ch-gradient-descent`

    Examples
    --------
    >>> quartic_hessian([0.0, 1.0])
    array([-6.,  6.])
    """
    x = real_array(x, "x").astype(np.float64, copy=False)
    return 12.0 * x**2 - 6.0
