r"""Toy distributions whose density and modes are known, for watching generative models learn:
a 1-D Gaussian mixture and the 2-D ring of Gaussians.

The ring (eight small Gaussians on a circle) is the standard test of *mode collapse*: a
generator that produces only some of the eight modes is easy to see and to count
(:func:`dlbook.generative.metrics.mode_statistics`).

See Also
--------
:ref:`ch-gans`, :ref:`ch-diffusion` : the chapters that use them.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import finite_array, positive_int, positive_real

__all__ = ["ring_centers", "ring_of_gaussians", "mixture_1d", "mixture_1d_density"]


def ring_centers(n_modes: int = 8, radius: float = 2.0) -> np.ndarray:
    r"""The centres of the ring's modes: ``n_modes`` points evenly spaced on a circle.

    Returns
    -------
    centers : ndarray of shape (n_modes, 2)
        :math:`r(\cos 2\pi k/K, \sin 2\pi k/K)`, :math:`k = 0..K-1`.

    Examples
    --------
    >>> ring_centers(4, 1.0).round(12) + 0.0
    array([[ 1.,  0.],
           [ 0.,  1.],
           [-1.,  0.],
           [ 0., -1.]])
    """
    K, r = positive_int(n_modes, "n_modes"), positive_real(radius, "radius")
    angle = 2 * np.pi * np.arange(K) / K
    return r * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def ring_of_gaussians(n_samples: int, n_modes: int = 8, radius: float = 2.0, std: float = 0.05,
                      rng=None) -> tuple[np.ndarray, np.ndarray]:
    r"""Samples of an equal-weight mixture of isotropic Gaussians centred on a ring.

    Parameters
    ----------
    n_samples : int
    n_modes : int, default 8
    radius : float, default 2
    std : float, default 0.05
        Standard deviation of each mode.
    rng : numpy.random.Generator or int, optional

    Returns
    -------
    x : ndarray of shape (n_samples, 2)
    mode : ndarray of int, shape (n_samples,)
        Which mode each sample came from.

    Examples
    --------
    >>> x, mode = ring_of_gaussians(1000, rng=0)
    >>> x.shape, bool(np.bincount(mode).min() > 90)
    ((1000, 2), True)
    """
    n, std = positive_int(n_samples, "n_samples"), positive_real(std, "std")
    rng = np.random.default_rng(rng)
    centers = ring_centers(n_modes, radius)
    mode = rng.integers(0, len(centers), n)
    return centers[mode] + std * rng.standard_normal((n, 2)), mode


def _mixture(means, stds, weights):
    m = finite_array(means, "means", ndim=1, nonempty=True)
    s = finite_array(stds, "stds", ndim=1)
    w = finite_array(weights, "weights", ndim=1)
    if s.shape != m.shape or w.shape != m.shape:
        raise ValueError(f"means {m.shape}, stds {s.shape} and weights {w.shape} must have the "
                         f"same shape")
    if s.min() <= 0 or w.min() < 0 or not np.isclose(w.sum(), 1.0):
        raise ValueError("stds must be positive and weights non-negative, summing to 1; got "
                         f"stds {s.tolist()}, weights {w.tolist()}")
    return m, s, w


def mixture_1d(n_samples: int, means=(-2.0, 2.0), stds=(0.5, 0.5), weights=(0.5, 0.5),
               rng=None) -> np.ndarray:
    r"""Samples of a 1-D Gaussian mixture :math:`\sum_k w_k \mathcal N(\mu_k, s_k^2)`.

    Returns
    -------
    x : ndarray of shape (n_samples,)

    Examples
    --------
    >>> x = mixture_1d(10_000, rng=0)
    >>> bool(abs(x.mean()) < 0.1), bool((x > 0).mean() > 0.45)
    (True, True)
    """
    m, s, w = _mixture(means, stds, weights)
    n = positive_int(n_samples, "n_samples")
    rng = np.random.default_rng(rng)
    k = rng.choice(len(m), size=n, p=w)
    return m[k] + s[k] * rng.standard_normal(n)


def mixture_1d_density(x, means=(-2.0, 2.0), stds=(0.5, 0.5), weights=(0.5, 0.5)) -> np.ndarray:
    r"""The density of :func:`mixture_1d` at ``x``.

    Examples
    --------
    >>> mixture_1d_density([0.0], means=[0.0], stds=[1.0], weights=[1.0]).round(6)
    array([0.398942])
    """
    m, s, w = _mixture(means, stds, weights)
    x = finite_array(x, "x")[..., None]
    return (w * np.exp(-0.5 * ((x - m) / s) ** 2) / (s * np.sqrt(2 * np.pi))).sum(-1)
