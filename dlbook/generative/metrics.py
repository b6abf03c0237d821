r"""Measuring generative models: the Fréchet distance, precision and recall of modes and of
nearest neighbours.

A generator is judged by comparing a set of its samples with a set of real ones. Three views:

- :func:`frechet_distance` fits a Gaussian to each set of *features* (the activations of a
  classifier's last hidden layer) and measures the distance between the two Gaussians. With the
  Inception network's features this is the FID of Heusel et al. (2017); the book uses a digits
  classifier it trains itself.
- :func:`mode_statistics` is for toy data whose modes are known (the ring of Gaussians): which
  fraction of the samples lands near a mode (*precision*, quality), and how many modes get samples
  (*recall*, coverage).
- :func:`knn_precision_recall` does the same without known modes (Kynkäänniemi et al., 2019):
  a sample is realistic if it falls inside the k-NN ball of some real point, a real point is
  covered if it falls inside the k-NN ball of some sample.

See Also
--------
:ref:`ch-measuring-generative` : the chapter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlbook._checks import finite_array, positive_int, positive_real, probability

__all__ = ["sqrtm_psd", "gaussian_statistics", "frechet_distance", "ModeStatistics",
           "mode_statistics", "knn_precision_recall"]


def _covariance(sigma, name: str) -> np.ndarray:
    """A finite, square, symmetric matrix (to rounding), as float64."""
    s = finite_array(sigma, name).astype(np.float64)
    if s.ndim != 2 or s.shape[0] != s.shape[1]:
        raise ValueError(f"{name} must be a square (D, D) covariance matrix, got shape {s.shape}")
    scale = max(float(np.abs(s).max()), 1e-300)
    asym = float(np.abs(s - s.T).max())
    if asym > 1e-8 * scale:
        raise ValueError(f"{name} of shape {s.shape} is not symmetric: max |S - S^T| = {asym:.3g}")
    return (s + s.T) / 2


def sqrtm_psd(a) -> np.ndarray:
    r"""The square root of a symmetric positive semi-definite matrix, by its eigendecomposition.

    Parameters
    ----------
    a : array_like of shape (D, D)
        Symmetric, positive semi-definite (eigenvalues that rounding makes slightly negative are
        set to 0).

    Returns
    -------
    root : ndarray of shape (D, D)
        The symmetric PSD matrix :math:`R` with :math:`R R = A`.

    Raises
    ------
    ValueError
        If ``a`` is not square or not symmetric (the message shows its shape), or has an
        eigenvalue below :math:`-10^{-8}\lVert A\rVert`.

    Notes
    -----
    With :math:`A = Q \Lambda Q^\top` (``numpy.linalg.eigh``),

    .. math:: A^{1/2} = Q \, \Lambda^{1/2} Q^\top .

    ``scipy.linalg.sqrtm`` computes the same matrix by a Schur decomposition and works for any
    square matrix; this form is only for the symmetric PSD case, where it is exact to rounding and
    never returns a complex result.

    See Also
    --------
    frechet_distance, :ref:`ch-measuring-generative`

    Examples
    --------
    >>> sqrtm_psd([[4.0, 0.0], [0.0, 9.0]])
    array([[2., 0.],
           [0., 3.]])
    """
    a = _covariance(a, "a")
    lam, q = np.linalg.eigh(a)
    tol = 1e-8 * max(float(np.abs(lam).max()), 1e-300)
    if lam.min() < -tol:
        raise ValueError(f"a of shape {a.shape} is not positive semi-definite: smallest "
                         f"eigenvalue {lam.min():.3g}")
    return (q * np.sqrt(np.clip(lam, 0.0, None))) @ q.T


def gaussian_statistics(features) -> tuple[np.ndarray, np.ndarray]:
    r"""The mean and covariance of a set of feature vectors, as FID fits them.

    Parameters
    ----------
    features : array_like of shape (N, D), N >= 2

    Returns
    -------
    mu : ndarray of shape (D,)
    sigma : ndarray of shape (D, D)
        The unbiased sample covariance :math:`\frac{1}{N-1}\sum_n (f_n - \mu)(f_n - \mu)^\top`.

    Examples
    --------
    >>> mu, sigma = gaussian_statistics([[0.0, 1.0], [2.0, 1.0]])
    >>> mu, sigma
    (array([1., 1.]), array([[2., 0.],
           [0., 0.]]))
    """
    f = finite_array(features, "features", ndim=2)
    if f.shape[0] < 2:
        raise ValueError(f"features needs at least 2 rows for a covariance, got shape {f.shape}")
    f = f.astype(np.float64)
    return f.mean(axis=0), np.cov(f, rowvar=False).reshape(f.shape[1], f.shape[1])


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    r"""The Fréchet (2-Wasserstein) distance between two Gaussians, squared, as FID reports it.

    Parameters
    ----------
    mu1, mu2 : array_like of shape (D,)
        Means.
    sigma1, sigma2 : array_like of shape (D, D)
        Covariances: square, symmetric, positive semi-definite.

    Returns
    -------
    d2 : float
        :math:`\ge 0`; 0 exactly when the two Gaussians are equal.

    Raises
    ------
    ValueError
        If a mean is not a vector of length D, or a covariance is not square, not symmetric or of
        the wrong size (the message shows the offending shape).

    Notes
    -----
    .. math::

        d^2 = \lVert \mu_1 - \mu_2 \rVert^2
              + \operatorname{tr}\!\big(\Sigma_1 + \Sigma_2 - 2 (\Sigma_1 \Sigma_2)^{1/2}\big).

    :math:`\Sigma_1\Sigma_2` is not symmetric, but it is similar to the symmetric PSD matrix
    :math:`M = \Sigma_1^{1/2} \Sigma_2 \Sigma_1^{1/2}`, so
    :math:`\operatorname{tr}(\Sigma_1\Sigma_2)^{1/2} = \sum_i \sqrt{\lambda_i(M)}`; this is the
    form computed (no complex rounding residue, no failure on singular covariances). A test holds
    it to the formula evaluated with ``scipy.linalg.sqrtm`` to :math:`10^{-8}` relative.

    References
    ----------
    Dowson & Landau (1982), *The Fréchet distance between multivariate normal distributions*;
    Heusel et al. (2017), *GANs trained by a two time-scale update rule converge to a local Nash
    equilibrium* (FID).

    See Also
    --------
    gaussian_statistics, sqrtm_psd, :ref:`ch-measuring-generative`

    Examples
    --------
    Two 1-D Gaussians N(0, 1) and N(3, 4): :math:`3^2 + 1 + 4 - 2\sqrt{4} = 10`.

    >>> frechet_distance([0.0], [[1.0]], [3.0], [[4.0]])
    10.0
    """
    m1 = finite_array(mu1, "mu1", ndim=1).astype(np.float64)
    m2 = finite_array(mu2, "mu2", ndim=1).astype(np.float64)
    s1, s2 = _covariance(sigma1, "sigma1"), _covariance(sigma2, "sigma2")
    D = m1.shape[0]
    for name, arr, shape in (("mu2", m2, (D,)), ("sigma1", s1, (D, D)), ("sigma2", s2, (D, D))):
        if arr.shape != shape:
            raise ValueError(f"{name} must have shape {shape} to match mu1 of shape {m1.shape}, "
                             f"got {arr.shape}")
    root1 = sqrtm_psd(s1)
    lam = np.linalg.eigvalsh((root1 @ s2 @ root1 + (root1 @ s2 @ root1).T) / 2)
    trace_sqrt = float(np.sqrt(np.clip(lam, 0.0, None)).sum())
    diff = m1 - m2
    d2 = float(diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * trace_sqrt)
    return max(d2, 0.0)


@dataclass(frozen=True)
class ModeStatistics:
    r"""How samples spread over known modes (see :func:`mode_statistics`).

    Attributes
    ----------
    counts : ndarray of int, shape (K,)
        High-quality samples nearest to each mode.
    high_quality : float
        Fraction of all samples within ``n_std`` standard deviations of their nearest mode
        (precision).
    modes_recovered : int
        Modes holding at least ``min_fraction`` of all samples.
    recall : float
        ``modes_recovered / K``.
    """

    counts: np.ndarray
    high_quality: float
    modes_recovered: int
    recall: float


def mode_statistics(samples, centers, std, n_std: float = 3.0,
                    min_fraction: float = 0.01) -> ModeStatistics:
    r"""Precision and recall of modes for samples of a mixture whose modes are known.

    Parameters
    ----------
    samples : array_like of shape (N, D)
        Generated points.
    centers : array_like of shape (K, D)
        The modes of the real distribution.
    std : float
        The standard deviation of each (isotropic) mode.
    n_std : float, default 3
        A sample within ``n_std * std`` of its nearest mode is *high quality*.
    min_fraction : float, default 0.01
        A mode counts as recovered if at least this fraction of all N samples are high-quality
        samples nearest to it.

    Returns
    -------
    ModeStatistics

    Notes
    -----
    The measure of the unrolled-GAN and VEEGAN papers (Metz et al., 2017; Srivastava et al.,
    2017). Precision punishes samples between modes, recall punishes modes that get nothing.

    See Also
    --------
    knn_precision_recall, :ref:`ch-measuring-generative`, :ref:`ch-gans`

    Examples
    --------
    Two modes at -1 and +1 (std 0.1); three samples near -1, one between the modes:

    >>> s = mode_statistics([[-1.0], [-0.95], [-1.1], [0.0]], [[-1.0], [1.0]], std=0.1)
    >>> s.counts.tolist(), s.high_quality, s.modes_recovered
    ([3, 0], 0.75, 1)
    """
    x = finite_array(samples, "samples", ndim=2)
    c = finite_array(centers, "centers", ndim=2)
    if x.shape[1] != c.shape[1]:
        raise ValueError(f"samples have shape {x.shape} but centers have {c.shape}: "
                         f"the point dimension differs")
    std, n_std = positive_real(std, "std"), positive_real(n_std, "n_std")
    min_fraction = probability(min_fraction, "min_fraction")
    d2 = ((x[:, None, :] - c[None, :, :]) ** 2).sum(-1)          # (N, K)
    nearest = d2.argmin(axis=1)
    good = np.sqrt(d2[np.arange(len(x)), nearest]) <= n_std * std
    counts = np.bincount(nearest[good], minlength=len(c))
    recovered = int((counts >= min_fraction * len(x)).sum()) if len(x) else 0
    return ModeStatistics(counts=counts, high_quality=float(good.mean()) if len(x) else 0.0,
                          modes_recovered=recovered, recall=recovered / len(c))


def _kth_neighbour_radius(a: np.ndarray, k: int) -> np.ndarray:
    d2 = ((a[:, None, :] - a[None, :, :]) ** 2).sum(-1)
    return np.sqrt(np.sort(d2, axis=1)[:, k])                    # column 0 is the point itself


def _covered(points: np.ndarray, centers: np.ndarray, radii: np.ndarray) -> np.ndarray:
    d = np.sqrt(((points[:, None, :] - centers[None, :, :]) ** 2).sum(-1))
    return (d <= radii[None, :]).any(axis=1)


def knn_precision_recall(real, fake, k: int = 3) -> tuple[float, float]:
    r"""Precision and recall of a set of samples by k-nearest-neighbour balls.

    Parameters
    ----------
    real : array_like of shape (N, D)
        Features of real data.
    fake : array_like of shape (M, D)
        Features of generated data.
    k : int, default 3
        Each point's ball reaches its k-th nearest neighbour in its own set (k < N and k < M).

    Returns
    -------
    precision : float
        Fraction of ``fake`` inside at least one ball of a real point: how realistic the samples
        are.
    recall : float
        Fraction of ``real`` inside at least one ball of a fake point: how much of the real data
        the samples cover.

    Notes
    -----
    With :math:`r_k(a)` the distance from :math:`a` to its k-th nearest neighbour in its set,

    .. math::

        \text{precision} = \frac1M \sum_{j} \mathbb 1\big[\exists i:
            \lVert \tilde x_j - x_i\rVert \le r_k(x_i)\big], \qquad
        \text{recall} = \frac1N \sum_{i} \mathbb 1\big[\exists j:
            \lVert x_i - \tilde x_j\rVert \le r_k(\tilde x_j)\big].

    All pairwise distances are formed, so memory grows as :math:`N M`: meant for a few
    thousand points.

    References
    ----------
    Kynkäänniemi et al. (2019), *Improved precision and recall metric for assessing generative
    models*.

    See Also
    --------
    mode_statistics, :ref:`ch-measuring-generative`

    Examples
    --------
    Samples that sit on the real points have precision and recall 1; samples far away have 0:

    >>> real = [[0.0], [1.0], [2.0], [3.0]]
    >>> knn_precision_recall(real, real, k=1)
    (1.0, 1.0)
    >>> knn_precision_recall(real, [[10.0], [11.0], [12.0]], k=1)
    (0.0, 0.0)
    """
    r = finite_array(real, "real", ndim=2)
    f = finite_array(fake, "fake", ndim=2)
    if r.shape[1] != f.shape[1]:
        raise ValueError(f"real has shape {r.shape} but fake has {f.shape}: "
                         f"the feature dimension differs")
    k = positive_int(k, "k")
    if k >= len(r) or k >= len(f):
        raise ValueError(f"k must be smaller than both set sizes, got k={k} for real "
                         f"{r.shape} and fake {f.shape}")
    precision = float(_covered(f, r, _kth_neighbour_radius(r, k)).mean())
    recall = float(_covered(r, f, _kth_neighbour_radius(f, k)).mean())
    return precision, recall
