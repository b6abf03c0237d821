r"""Debiasing word embeddings (Bolukbasi et al., 2016): bias direction, neutralize, equalize.

1. The bias direction :math:`g` is the main axis along which definitional pairs
   (he/she, man/woman, ...) differ: the first principal component of the centred pairs, or
   simply the mean of their differences.
2. *Neutralize* removes the component along :math:`g` from words that should carry no gender
   (doctor, nurse, ...).
3. *Equalize* moves each pair that *should* differ by gender (grandfather/grandmother) so that
   the two differ only along :math:`g`: afterwards every neutralized word is equally far from
   both.

Framework-free code: there is no ``_torch`` twin.

See Also
--------
:ref:`ch-using-embeddings` : the chapter, with before/after projections.

References
----------
T. Bolukbasi, K.-W. Chang, J. Zou, V. Saligrama, A. Kalai, "Man is to Computer Programmer as
Woman is to Homemaker? Debiasing Word Embeddings", NeurIPS 2016.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import finite_array, one_of

__all__ = ["bias_direction", "project", "neutralize", "equalize"]


def _as_vectors(name, a, d=None):
    """One vector (d,) or a stack (N, d) of finite float64 numbers, of width d if given."""
    a = finite_array(a, name, min_ndim=1).astype(np.float64, copy=False)
    if a.ndim > 2 or (d is not None and a.shape[-1] != d):
        want = f"(..., {d})" if d is not None else "(d,) or (N, d)"
        raise ValueError(f"{name} must have shape {want}, got {a.shape}")
    return a


def _unit_direction(g):
    g = _as_vectors("g", g)
    if g.ndim != 1:
        raise ValueError(f"g must be one direction of shape (d,), got {g.shape}")
    norm = np.linalg.norm(g)
    if norm == 0:
        raise ValueError("the bias direction g is the zero vector")
    return g / norm


def bias_direction(a, b, method: str = "pca") -> tuple[np.ndarray, np.ndarray]:
    r"""Unit bias direction from definitional pairs :math:`(a_k, b_k)`, e.g. (he, she).

    Parameters
    ----------
    a, b : ndarray of shape (P, d)
        Vectors of the first and second word of each pair (he, man, ... / she, woman, ...).
    method : {"pca", "mean"}, default "pca"
        ``"pca"``: first principal component of the pairs centred on their midpoints
        (Bolukbasi et al.). ``"mean"``: the normalized mean difference.

    Returns
    -------
    g : ndarray of shape (d,)
        Unit vector, oriented so that :math:`\frac1P \sum_k (a_k - b_k)^\top g > 0`.
    explained : ndarray of shape (min(2P, d),)
        Fraction of the centred pairs' variance along each principal axis (``"pca"``); for
        ``"mean"``, the single fraction of the differences' squared length along ``g``.

    Raises
    ------
    ValueError
        If the shapes differ, ``method`` is unknown, or every pair is identical.

    Notes
    -----
    Centring a pair on its midpoint :math:`\mu_k = (a_k + b_k)/2` leaves
    :math:`\pm (a_k - b_k)/2`; the rows :math:`\pm (a_k - b_k)/2` are stacked into a
    :math:`(2P, d)` matrix :math:`D` whose first right singular vector is :math:`g`.

    See Also
    --------
    :ref:`ch-using-embeddings` : the chapter.

    Examples
    --------
    >>> g, ratio = bias_direction([[1.0, 2.0], [3.0, 1.0]], [[-1.0, 2.0], [1.0, 1.0]])
    >>> g.tolist(), ratio.round(3).tolist()
    ([1.0, 0.0], [1.0, 0.0])
    """
    one_of(method, "method", ("pca", "mean"))
    a, b = _as_vectors("a", a), _as_vectors("b", b)
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError(f"a and b must both be (P, d), got {a.shape} and {b.shape}")
    half = (a - b) / 2.0  # (P, d): each centred pair is +half and -half
    if not np.any(half):
        raise ValueError("every pair is made of two identical vectors: no direction to find")
    if method == "pca":
        D = np.concatenate([half, -half])  # (2P, d), already zero-mean
        _, s, vt = np.linalg.svd(D, full_matrices=False)
        g = vt[0]
        explained = s**2 / np.sum(s**2)
    else:  # "mean"
        m = half.mean(axis=0)
        g = m / np.linalg.norm(m)
        explained = np.array([np.sum((half @ g) ** 2) / np.sum(half**2)])
    if np.mean(half @ g) < 0:
        g = -g
    return g, explained


def project(e, g) -> np.ndarray:
    r"""Component of :math:`e` along :math:`g`: :math:`\frac{e^\top g}{\lVert g\rVert^2} g`.

    Parameters
    ----------
    e : ndarray of shape (d,) or (N, d)
    g : ndarray of shape (d,)

    Returns
    -------
    ndarray, same shape as ``e``

    Examples
    --------
    >>> project([3.0, 4.0], [2.0, 0.0]).tolist()
    [3.0, 0.0]
    """
    g = _unit_direction(g)
    e = _as_vectors("e", e, g.size)
    return (e @ g)[..., None] * g


def neutralize(e, g) -> np.ndarray:
    r"""Remove the bias component: :math:`e - \frac{e^\top g}{\lVert g\rVert^2} g`.

    Parameters
    ----------
    e : ndarray of shape (d,) or (N, d)
        Vectors of words that should be neutral (doctor, babysitter, ...).
    g : ndarray of shape (d,)
        Bias direction (need not be unit length).

    Returns
    -------
    ndarray, same shape as ``e``
        Orthogonal to :math:`g`.  A new array; ``e`` is not modified.

    See Also
    --------
    :ref:`ch-using-embeddings` : the chapter.

    Examples
    --------
    >>> neutralize([3.0, 4.0], [2.0, 0.0]).tolist()
    [0.0, 4.0]
    """
    e = _as_vectors("e", e)
    return e - project(e, g)


def equalize(e1, e2, g) -> tuple[np.ndarray, np.ndarray]:
    r"""Make a pair differ only along the bias direction (Bolukbasi et al.'s equalize).

    Parameters
    ----------
    e1, e2 : ndarray of shape (d,)
        The pair (grandfather, grandmother).  They are scaled to unit length first, as the
        method assumes.
    g : ndarray of shape (d,)
        Bias direction.

    Returns
    -------
    f1, f2 : ndarray of shape (d,)
        Unit vectors with the same component orthogonal to :math:`g`; so any vector
        orthogonal to :math:`g` (a neutralized word) has the same dot product with both.

    Raises
    ------
    ValueError
        For a zero vector, a zero ``g`` or shapes that differ.

    Notes
    -----
    With :math:`\hat g = g / \lVert g \rVert`, unit :math:`e_1, e_2`,
    :math:`\mu = (e_1 + e_2)/2`, :math:`\mu_B = (\mu^\top \hat g)\hat g`,
    :math:`\mu_\perp = \mu - \mu_B` and :math:`e_{k,B} = (e_k^\top \hat g)\hat g`:

    .. math::

        f_k = \mu_\perp + \sqrt{1 - \lVert \mu_\perp \rVert^2}\;
              \frac{e_{k,B} - \mu_B}{\lVert e_{k,B} - \mu_B \rVert}.

    (A widely copied variant divides by :math:`\lVert e_k - \mu \rVert` instead; it keeps the
    equal distances but not the unit length.)

    See Also
    --------
    :ref:`ch-using-embeddings` : the chapter.

    Examples
    --------
    >>> f1, f2 = equalize([0.6, 0.8], [0.0, 1.0], [1.0, 0.0])
    >>> f1.round(4).tolist(), f2.round(4).tolist()
    ([0.4359, 0.9], [-0.4359, 0.9])
    """
    gh = _unit_direction(g)
    e1, e2 = _as_vectors("e1", e1, gh.size), _as_vectors("e2", e2, gh.size)
    if e1.ndim != 1 or e2.ndim != 1:
        raise ValueError(f"e1 and e2 must be single vectors (d,), got {e1.shape} and {e2.shape}")
    n1, n2 = np.linalg.norm(e1), np.linalg.norm(e2)
    if n1 == 0 or n2 == 0:
        raise ValueError("cannot equalize a zero vector")
    e1, e2 = e1 / n1, e2 / n2
    mu = (e1 + e2) / 2.0
    mu_b = (mu @ gh) * gh
    mu_perp = mu - mu_b
    scale = np.sqrt(max(0.0, 1.0 - mu_perp @ mu_perp))
    out = []
    for e in (e1, e2):
        diff = (e @ gh) * gh - mu_b  # (d,) along g
        norm = np.linalg.norm(diff)
        if norm == 0:
            raise ValueError("the two words have the same component along g: nothing to equalize")
        out.append(mu_perp + scale * diff / norm)
    return out[0], out[1]
