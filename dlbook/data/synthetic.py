r"""Two-dimensional toy data sets in the style of TensorFlow Playground (chapter
:ref:`ch-playground`).

Four classification sets (two Gaussian blobs, circles, XOR, a two-armed spiral) and one
regression set (a tilted plane), drawn the way the Playground draws them: points lie in
:math:`[-6, 6]^2`, and ``noise`` (the Playground's slider, 0 to 0.5) blurs the labels or the
points. Labels are integers 0/1 here (the Playground shows them as -1/+1; the training helper
:mod:`dlbook.nn.examples.playground_torch` maps 0 to -1 and 1 to +1 as the Playground does).

Every generator takes a NumPy ``Generator`` (or an int seed), so a data set is reproducible.
:func:`playground_features` builds the Playground's seven input features
:math:`x_1, x_2, x_1^2, x_2^2, x_1x_2, \sin x_1, \sin x_2`.

See Also
--------
dlbook.nn.examples.playground_torch : trains small PyTorch MLPs on these sets.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import check_shape, generator, int_value, one_of, real_array, real_value

__all__ = [
    "two_gaussians", "circles", "xor", "spiral", "regression_plane",
    "DATASETS", "CLASSIFICATION", "make_dataset", "FEATURES", "playground_features",
]


# -- argument checks ------------------------------------------------------------------------------
def _n(n_samples, even: bool) -> int:
    """At least two points; an even number when half go to each class."""
    n_samples = int_value(n_samples, "n_samples", low=2)
    if even and n_samples % 2:
        raise ValueError(f"n_samples must be even (half the points per class), got {n_samples}")
    return n_samples


# -- generators -----------------------------------------------------------------------------------
def two_gaussians(n_samples: int = 500, noise: float = 0.0, rng=None):
    r"""Two Gaussian blobs, centred at :math:`(2, 2)` (label 1) and :math:`(-2, -2)` (label 0).

    Parameters
    ----------
    n_samples : int
        Even number of points; half belong to each class.
    noise : float
        Sets the variance of each coordinate, :math:`\sigma^2 = 0.5 + 7\,\mathrm{noise}`
        (the Playground maps its slider 0 to 0.5 onto a variance of 0.5 to 4).
    rng : numpy.random.Generator, int or None

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
    y : ndarray of shape (n_samples,), int64
        The first half of the points are label 1, the second half label 0.

    Raises
    ------
    TypeError, ValueError
        For a bad ``n_samples`` (not an even int >= 2), ``noise`` (negative) or ``rng``.

    Notes
    -----
    .. math:: x \sim \mathcal N\!\big(\pm(2, 2),\ \sigma^2 I\big).

    With :math:`\sigma^2 = 0.5` the blobs' centres are :math:`4\sqrt2/\sqrt{0.5} = 8` standard
    deviations apart, so a straight line separates them almost surely.

    See Also
    --------
    :ref:`ch-playground` : the chapter.

    Examples
    --------
    >>> X, y = two_gaussians(1000, rng=0)
    >>> X.shape, int(y.sum())
    ((1000, 2), 500)
    >>> bool(np.allclose(X[y == 1].mean(axis=0), [2, 2], atol=0.1))
    True
    """
    n, rng, noise = _n(n_samples, even=True), generator(rng), real_value(noise, "noise", low=0.0)
    variance = 0.5 + 7.0 * noise
    centres = np.repeat([[2.0, 2.0], [-2.0, -2.0]], n // 2, axis=0)  # (n, 2)
    X = centres + np.sqrt(variance) * rng.standard_normal((n, 2))
    y = np.repeat([1, 0], n // 2).astype(np.int64)
    return X, y


def circles(n_samples: int = 500, noise: float = 0.0, rng=None):
    r"""A disc of radius 2.5 (label 1) inside a ring from radius 3.5 to 5 (label 0).

    Parameters
    ----------
    n_samples : int
        Even number of points; half are drawn in the disc, half in the ring.
    noise : float
        A point's label is decided by its position *shifted* by
        :math:`\mathrm{noise}\cdot U(-5, 5)^2`, so a noisy set has labels on the wrong side;
        the point itself is not moved.
    rng : numpy.random.Generator, int or None

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
    y : ndarray of shape (n_samples,), int64

    Raises
    ------
    TypeError, ValueError
        For a bad ``n_samples``, ``noise`` or ``rng``.

    Notes
    -----
    Radius :math:`r \sim U(0, 2.5)` or :math:`U(3.5, 5)` and angle :math:`\phi \sim U(0, 2\pi)`,
    :math:`x = (r\sin\phi, r\cos\phi)`, label :math:`[\lVert x + \delta\rVert < 2.5]`. Radii are
    uniform, not areas, so the disc's centre is denser than its rim (as in the Playground).
    No line separates the classes; :math:`x_1^2 + x_2^2` does.

    See Also
    --------
    :ref:`ch-playground` : the chapter.

    Examples
    --------
    >>> X, y = circles(400, rng=1)
    >>> r = np.hypot(X[:, 0], X[:, 1])
    >>> bool(np.all((r < 2.5) == (y == 1))), bool(r.max() <= 5)
    (True, True)
    """
    n, rng, noise = _n(n_samples, even=True), generator(rng), real_value(noise, "noise", low=0.0)
    radius = 5.0
    r = np.concatenate(
        [rng.uniform(0, 0.5 * radius, n // 2), rng.uniform(0.7 * radius, radius, n // 2)]
    )
    phi = rng.uniform(0, 2 * np.pi, n)
    X = np.stack([r * np.sin(phi), r * np.cos(phi)], axis=1)  # (n, 2)
    shifted = X + noise * rng.uniform(-radius, radius, (n, 2))
    y = (np.hypot(shifted[:, 0], shifted[:, 1]) < 0.5 * radius).astype(np.int64)
    return X, y


def xor(n_samples: int = 500, noise: float = 0.0, rng=None):
    r"""XOR: label 1 in the first and third quadrants, 0 in the second and fourth.

    Parameters
    ----------
    n_samples : int
        Number of points (any int >= 2; the classes are balanced only on average).
    noise : float
        The label is read at the point shifted by :math:`\mathrm{noise}\cdot U(-5, 5)^2`.
    rng : numpy.random.Generator, int or None

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
    y : ndarray of shape (n_samples,), int64

    Raises
    ------
    TypeError, ValueError
        For a bad ``n_samples``, ``noise`` or ``rng``.

    Notes
    -----
    Each coordinate is :math:`u \sim U(-5, 5)` pushed 0.3 away from zero
    (:math:`u + 0.3\,\mathrm{sign}(u)`), which leaves a gap of 0.6 along both axes. The label is
    :math:`[x_1 x_2 \ge 0]`: the single feature :math:`x_1x_2` separates the classes, no line
    in :math:`(x_1, x_2)` does.

    See Also
    --------
    :ref:`ch-playground` : the chapter.

    Examples
    --------
    >>> X, y = xor(300, rng=2)
    >>> bool(np.all(y == (X[:, 0] * X[:, 1] >= 0))), bool(np.abs(X).min() >= 0.3)
    (True, True)
    """
    n, rng, noise = _n(n_samples, even=False), generator(rng), real_value(noise, "noise", low=0.0)
    u = rng.uniform(-5, 5, (n, 2))
    X = u + 0.3 * np.where(u > 0, 1.0, -1.0)  # (n, 2), |x| >= 0.3
    shifted = X + noise * rng.uniform(-5, 5, (n, 2))
    y = (shifted[:, 0] * shifted[:, 1] >= 0).astype(np.int64)
    return X, y


def spiral(n_samples: int = 500, noise: float = 0.0, rng=None):
    r"""Two interleaved spiral arms of 1.75 turns each; arm 1 is label 1, arm 2 (rotated by
    :math:`\pi`) label 0.

    Parameters
    ----------
    n_samples : int
        Even number of points; half on each arm.
    noise : float
        Each coordinate is jittered by :math:`\mathrm{noise}\cdot U(-1, 1)`.
    rng : numpy.random.Generator, int or None

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
    y : ndarray of shape (n_samples,), int64

    Raises
    ------
    TypeError, ValueError
        For a bad ``n_samples``, ``noise`` or ``rng``.

    Notes
    -----
    With :math:`m = n/2` points per arm and :math:`i = 0, \dots, m-1`,

    .. math::
        r_i = 5\,\frac{i}{m}, \qquad t_i = 1.75 \cdot 2\pi\,\frac{i}{m} + \delta, \qquad
        x_i = (r_i \sin t_i,\ r_i \cos t_i),

    with :math:`\delta = 0` for label 1 and :math:`\delta = \pi` for label 0, so the second arm
    is the first one reflected through the origin. Without noise the set is deterministic.

    See Also
    --------
    :ref:`ch-playground` : the chapter.

    Examples
    --------
    >>> X, y = spiral(4, rng=0)   # m = 2: radii 0 and 2.5, angles 0 and 1.75*pi (+ pi)
    >>> X.round(3) + 0.0   # (+ 0.0 turns -0.0 into 0.0)
    array([[ 0.   ,  0.   ],
           [-1.768,  1.768],
           [ 0.   ,  0.   ],
           [ 1.768, -1.768]])
    >>> y
    array([1, 1, 0, 0])
    """
    n, rng, noise = _n(n_samples, even=True), generator(rng), real_value(noise, "noise", low=0.0)
    m = n // 2
    i = np.tile(np.arange(m), 2)  # (n,)
    delta = np.repeat([0.0, np.pi], m)  # (n,)
    r = 5.0 * i / m
    t = 1.75 * 2 * np.pi * i / m + delta
    X = np.stack([r * np.sin(t), r * np.cos(t)], axis=1) + noise * rng.uniform(-1, 1, (n, 2))
    y = np.repeat([1, 0], m).astype(np.int64)
    return X, y


def regression_plane(n_samples: int = 500, noise: float = 0.0, rng=None):
    r"""Regression on a tilted plane: target :math:`(x_1 + x_2)/10` on :math:`[-6, 6]^2`.

    Parameters
    ----------
    n_samples : int
        Number of points (any int >= 2).
    noise : float
        The target is computed at the point shifted by :math:`\mathrm{noise}\cdot U(-6, 6)^2`.
    rng : numpy.random.Generator, int or None

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
        Uniform on :math:`[-6, 6]^2`.
    y : ndarray of shape (n_samples,), float64
        Targets in :math:`[-1.2, 1.2]` without noise.

    Raises
    ------
    TypeError, ValueError
        For a bad ``n_samples``, ``noise`` or ``rng``.

    Notes
    -----
    .. math:: y = \frac{(x_1 + \delta_1) + (x_2 + \delta_2)}{10}, \qquad
              \delta \sim \mathrm{noise}\cdot U(-6, 6)^2.

    The Playground calls it "plane"; its contours are the diagonals :math:`x_1 + x_2 = c`.

    See Also
    --------
    :ref:`ch-playground` : the chapter.

    Examples
    --------
    >>> X, y = regression_plane(5, rng=3)
    >>> bool(np.allclose(y, X.sum(axis=1) / 10))
    True
    """
    n, rng, noise = _n(n_samples, even=False), generator(rng), real_value(noise, "noise", low=0.0)
    X = rng.uniform(-6, 6, (n, 2))
    shifted = X + noise * rng.uniform(-6, 6, (n, 2))
    y = shifted.sum(axis=1) / 10.0
    return X, y


DATASETS = {
    "gaussians": two_gaussians,
    "circles": circles,
    "xor": xor,
    "spiral": spiral,
    "plane": regression_plane,
}
CLASSIFICATION = ("gaussians", "circles", "xor", "spiral")


def make_dataset(name: str, n_samples: int = 500, noise: float = 0.0, rng=None):
    """Draw one of the sets in :data:`DATASETS` by name.

    Parameters
    ----------
    name : {"gaussians", "circles", "xor", "spiral", "plane"}
    n_samples, noise, rng
        Passed on to the generator.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
        int64 labels 0/1 for the four classification sets, float64 targets for ``"plane"``.

    Raises
    ------
    ValueError
        If ``name`` is not a known set.

    See Also
    --------
    :ref:`ch-playground` : the chapter.

    Examples
    --------
    >>> X, y = make_dataset("xor", 10, rng=0)
    >>> X.shape, y.dtype
    ((10, 2), dtype('int64'))
    """
    return DATASETS[one_of(name, "name", DATASETS)](n_samples, noise, rng)


# -- the Playground's input features --------------------------------------------------------------
FEATURES = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}


def playground_features(X, names=("x1", "x2")):
    r"""Build the Playground's input features from the two coordinates.

    Parameters
    ----------
    X : array_like of shape (N, 2)
        Points :math:`(x_1, x_2)`.
    names : sequence of str
        Any non-empty selection, without repeats, of ``"x1"``, ``"x2"``, ``"x1^2"``, ``"x2^2"``,
        ``"x1*x2"``, ``"sin(x1)"``, ``"sin(x2)"``, in the order wanted.

    Returns
    -------
    ndarray of shape (N, len(names)), float64
        Column :math:`j` is feature ``names[j]``. The features are not rescaled (as in the
        Playground, :math:`x_1^2` reaches 36 on :math:`[-6, 6]^2`).

    Raises
    ------
    ValueError
        If ``X`` is not of shape (N, 2), or ``names`` is empty, repeats a name or has an
        unknown one.
    TypeError
        If ``names`` is a single string instead of a sequence of them.

    See Also
    --------
    :ref:`ch-playground` : the chapter.

    Examples
    --------
    >>> playground_features([[2.0, -3.0]], ["x1^2", "x2^2", "x1*x2"])
    array([[ 4.,  9., -6.]])
    """
    X = real_array(X, "X").astype(np.float64, copy=False)
    check_shape(X, "X", (None, 2), "(N, 2)")
    if isinstance(names, str):
        raise TypeError(f"names must be a sequence of feature names, not the string {names!r}")
    names = list(names)
    if not names:
        raise ValueError("names must contain at least one feature")
    for n in names:
        one_of(n, "every feature name", FEATURES)
    if len(set(names)) != len(names):
        raise ValueError(f"features must not repeat, got {names}")
    x1, x2 = X[:, 0], X[:, 1]
    return np.stack([FEATURES[n](x1, x2) for n in names], axis=1)  # (N, F)
