r"""A linear autoencoder in NumPy, its gradient, and the tools to compare it with PCA: the
principal subspace and the principal angles between two subspaces.

A linear autoencoder with a :math:`k`-unit bottleneck encodes :math:`h = W_e x` and decodes
:math:`\hat x = W_d h`. Trained on centred data to minimize the squared error, its decoder spans
the same subspace as the top :math:`k` principal components (Baldi & Hornik, 1989), although its
weights need not be orthonormal nor equal to the components themselves. The principal angles
between the two subspaces measure how close they are.

See Also
--------
:ref:`ch-autoencoders` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import finite_array, positive_int, positive_real

__all__ = ["linear_autoencoder_value_and_grad", "fit_linear_autoencoder", "pca_components",
           "principal_angles"]


def _weights(x, w_enc, w_dec):
    x = finite_array(x, "x", ndim=2).astype(np.float64)
    we = finite_array(w_enc, "w_enc", ndim=2).astype(np.float64)
    wd = finite_array(w_dec, "w_dec", ndim=2).astype(np.float64)
    k, D = we.shape
    if x.shape[1] != D or wd.shape != (D, k):
        raise ValueError(f"x {x.shape}, w_enc {we.shape} and w_dec {wd.shape} do not fit: "
                         f"expected x (N, D), w_enc (k, D), w_dec (D, k)")
    return x, we, wd


def linear_autoencoder_value_and_grad(x, w_enc, w_dec):
    r"""The mean squared reconstruction error of a linear autoencoder and its gradient.

    Parameters
    ----------
    x : array_like of shape (N, D)
    w_enc : array_like of shape (k, D)
        Encoder weight, laid out as ``torch.nn.Linear(D, k).weight``.
    w_dec : array_like of shape (D, k)
        Decoder weight, as ``torch.nn.Linear(k, D).weight``.

    Returns
    -------
    loss : float
    grads : tuple (d_w_enc, d_w_dec)
        Shaped as the weights.

    Notes
    -----
    With :math:`H = X W_e^\top` (N, k), :math:`\hat X = H W_d^\top` and :math:`R = \hat X - X`,

    .. math::

        L = \frac1N \sum_n \lVert \hat x_n - x_n \rVert^2, \qquad
        \frac{\partial L}{\partial W_d} = \frac2N R^\top H, \qquad
        \frac{\partial L}{\partial W_e} = \frac2N (R W_d)^\top X .

    See Also
    --------
    fit_linear_autoencoder, :ref:`ch-autoencoders`

    Examples
    --------
    One point (1, 0), a bottleneck of 1 and identity-like weights reconstruct it exactly:

    >>> loss, (g_enc, g_dec) = linear_autoencoder_value_and_grad([[1.0, 0.0]], [[1.0, 0.0]],
    ...                                                          [[1.0], [0.0]])
    >>> loss, g_enc, g_dec
    (0.0, array([[0., 0.]]), array([[0.],
           [0.]]))
    """
    x, we, wd = _weights(x, w_enc, w_dec)
    N = len(x)
    h = x @ we.T                                                   # (N, k)
    r = h @ wd.T - x                                               # (N, D)
    loss = float((r**2).sum() / N)
    return loss, (2.0 / N * (r @ wd).T @ x, 2.0 / N * r.T @ h)


def fit_linear_autoencoder(x, k: int, lr: float = 0.05, steps: int = 2000, rng=None):
    r"""Full-batch gradient descent on :func:`linear_autoencoder_value_and_grad`.

    Parameters
    ----------
    x : array_like of shape (N, D)
        Centre it first (subtract the column means) to compare with PCA.
    k : int
        Bottleneck width.
    lr : float, default 0.05
    steps : int, default 2000
    rng : numpy.random.Generator or int, optional
        Initial weights :math:`\mathcal N(0, 0.1^2)`.

    Returns
    -------
    w_enc : ndarray of shape (k, D)
    w_dec : ndarray of shape (D, k)
    history : ndarray of shape (steps,)
        The loss before each step.

    Raises
    ------
    FloatingPointError
        If the loss diverges (``lr`` too large for the data's scale).

    Examples
    --------
    Points on a line through the origin: a 1-unit bottleneck learns the line.

    >>> t = np.linspace(-1, 1, 21)[:, None]
    >>> x = t @ np.array([[0.6, 0.8]])
    >>> w_enc, w_dec, hist = fit_linear_autoencoder(x, 1, lr=0.5, steps=500, rng=0)
    >>> bool(hist[-1] < 1e-10)
    True
    """
    x = finite_array(x, "x", ndim=2).astype(np.float64)
    k, steps = positive_int(k, "k"), positive_int(steps, "steps")
    lr = positive_real(lr, "lr")
    rng = np.random.default_rng(rng)
    D = x.shape[1]
    we, wd = rng.normal(0, 0.1, (k, D)), rng.normal(0, 0.1, (D, k))
    history = np.empty(steps)
    for s in range(steps):
        history[s], (ge, gd) = linear_autoencoder_value_and_grad(x, we, wd)
        if not np.isfinite(history[s]) or history[s] > 1e6 * max(history[0], 1e-12):
            raise FloatingPointError(f"the loss diverged at step {s} ({history[s]:.3g}) with "
                                     f"lr={lr}: use a smaller lr")
        we, wd = we - lr * ge, wd - lr * gd
    return we, wd, history


def pca_components(x, k: int) -> np.ndarray:
    r"""The top ``k`` principal directions of ``x`` (after centring), as the rows of a (k, D)
    matrix with orthonormal rows.

    Notes
    -----
    From the SVD :math:`X - \bar x = U S V^\top`: the first ``k`` rows of :math:`V^\top`,
    the eigenvectors of the covariance with the largest eigenvalues.

    Examples
    --------
    >>> pca_components([[0.0, 0.0], [2.0, 0.0], [4.0, 0.1]], 1).round(3)
    array([[1.   , 0.025]])
    """
    x = finite_array(x, "x", ndim=2).astype(np.float64)
    k = positive_int(k, "k")
    if k > min(x.shape):
        raise ValueError(f"k must be at most min(N, D) = {min(x.shape)} for x {x.shape}, got {k}")
    _, _, vt = np.linalg.svd(x - x.mean(0), full_matrices=False)
    v = vt[:k]
    return v * np.sign(v[np.arange(k), np.abs(v).argmax(1)])[:, None]   # a fixed sign per row


def principal_angles(a, b) -> np.ndarray:
    r"""The principal angles (radians, ascending) between the column spaces of ``a`` and ``b``.

    Parameters
    ----------
    a : array_like of shape (D, k)
    b : array_like of shape (D, l)
        Any bases (not necessarily orthonormal) of full column rank.

    Returns
    -------
    angles : ndarray of shape (min(k, l),)
        0 for a direction the two spaces share, :math:`\pi/2` for one orthogonal to the other.

    Notes
    -----
    With orthonormal bases :math:`Q_a, Q_b` (QR decompositions), the cosines of the angles are
    the singular values of :math:`Q_a^\top Q_b` (Björck & Golub, 1973). For small angles the
    arccosine of a number near 1 loses half the digits, so those angles are taken from their
    sines instead: the singular values of :math:`(I - Q_a Q_a^\top) Q_b`. Equal subspaces give
    all angles 0, whatever bases describe them. ``scipy.linalg.subspace_angles`` computes the
    same angles (in descending order); a test holds the two together.

    Examples
    --------
    The x-axis against the line y = x: 45 degrees.

    >>> np.degrees(principal_angles([[1.0], [0.0]], [[1.0], [1.0]])).round(6)
    array([45.])
    """
    a = finite_array(a, "a", ndim=2).astype(np.float64)
    b = finite_array(b, "b", ndim=2).astype(np.float64)
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"a has shape {a.shape} but b has {b.shape}: the ambient dimension "
                         f"differs")
    if a.shape[1] < b.shape[1]:
        a, b = b, a                                                # b has the fewer columns
    qa, _ = np.linalg.qr(a)
    qb, _ = np.linalg.qr(b)
    cos = np.linalg.svd(qa.T @ qb, compute_uv=False)              # descending
    sin = np.linalg.svd(qb - qa @ (qa.T @ qb), compute_uv=False)[::-1]   # ascending
    angles = np.where(cos**2 >= 0.5, np.arcsin(np.clip(sin, 0.0, 1.0)),
                      np.arccos(np.clip(cos, -1.0, 1.0)))
    return np.sort(angles)
