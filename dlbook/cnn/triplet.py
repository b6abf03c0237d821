r"""Triplet losses and distances for face verification, in NumPy (forward and backward).

Two losses share this module because they are easy to confuse:

* :func:`triplet_loss_forward` is the loss of FaceNet and of the course notes, on **squared**
  Euclidean distances,

  .. math:: \ell = \max\bigl(\lVert a-p\rVert_2^2 - \lVert a-n\rVert_2^2 + \alpha,\ 0\bigr);

* :func:`triplet_margin_loss_forward` is what ``torch.nn.TripletMarginLoss`` computes:
  **non-squared** :math:`p`-norm distances with a small ``eps`` added to the difference, and an
  optional "distance swap",

  .. math:: \ell = \max\bigl(d(a,p) - d(a,n) + \text{margin},\ 0\bigr),\qquad
            d(x,y) = \lVert x - y + \varepsilon\rVert_p .

The two are not the same function: the same margin means different things on squared and on
plain distances. Both reduce with ``"mean"`` (over the :math:`N` triplets), ``"sum"`` or ``"none"``.

Each loss is a plain function (its value) and a ``_forward``/``_backward`` pair.

See Also
--------
dlbook.cnn.triplet_torch : the PyTorch twins.
dlbook.cnn.siamese_torch : triplet mining and a small siamese embedding network.
:ref:`ch-faces-style` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import boolean, check_shape, one_of, real_array, real_value, same_shape

__all__ = [
    "pairwise_distances",
    "triplet_loss", "triplet_loss_forward", "triplet_loss_backward",
    "triplet_margin_loss", "triplet_margin_loss_forward", "triplet_margin_loss_backward",
    "verification_accuracy",
]

_REDUCTIONS = ("mean", "sum", "none")


# --------------------------------------------------------------------------- validation
def _embeddings(anchor, positive, negative):
    """The three (N, D) embeddings as arrays of one float dtype, checked to share a shape."""
    a, p, n = (real_array(v, name, ndim=2) for name, v in
               (("anchor", anchor), ("positive", positive), ("negative", negative)))
    same_shape(a, p, "anchor", "positive")
    same_shape(a, n, "anchor", "negative")
    dtype = np.result_type(a, p, n)
    return a.astype(dtype, copy=False), p.astype(dtype, copy=False), n.astype(dtype, copy=False)


def _reduce(per, reduction):
    if reduction == "none":
        return per
    return float(per.sum() / (per.shape[0] if reduction == "mean" else 1))


def _dper(dout, n, reduction):
    """Upstream gradient per triplet, shape (N,), for each reduction."""
    if reduction == "none":
        dout = real_array(dout, "dout")
        check_shape(dout, "dout", (n,), "(N,) with reduction='none'")
        return dout
    return np.full(n, float(dout) / (n if reduction == "mean" else 1))


# --------------------------------------------------------------------------- distances
def pairwise_distances(x, y=None, squared=False):
    r"""Euclidean distances between every row of ``x`` and every row of ``y``.

    Parameters
    ----------
    x : ndarray of shape (N, D)
    y : ndarray of shape (M, D), optional
        Defaults to ``x``.
    squared : bool
        Return :math:`\lVert x_i - y_j\rVert^2` instead of the distance.

    Returns
    -------
    ndarray of shape (N, M)

    Notes
    -----
    Computed as :math:`\lVert x_i\rVert^2 + \lVert y_j\rVert^2 - 2x_i^\top y_j` (one matrix
    product), clipped at 0 because rounding can make it slightly negative.

    See Also
    --------
    dlbook.cnn.triplet_torch.pairwise_distances, :ref:`ch-faces-style`

    Examples
    --------
    >>> pairwise_distances(np.array([[0., 0.], [3., 4.]]))
    array([[0., 5.],
           [5., 0.]])
    """
    x = real_array(x, "x", ndim=2)
    y = x if y is None else real_array(y, "y", ndim=2)
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"x and y must have shapes (N, D) and (M, D), got {x.shape} and {y.shape}")
    sq = (x * x).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2.0 * x @ y.T   # (N, M)
    sq = np.maximum(sq, 0.0)
    return sq if squared else np.sqrt(sq)


# --------------------------------------------------------------------------- squared (FaceNet)
def triplet_loss(anchor, positive, negative, margin=0.2, reduction="mean"):
    r"""Squared-distance triplet loss :math:`\max(\lVert a-p\rVert^2-\lVert a-n\rVert^2+\alpha,0)`.

    The value of :func:`triplet_loss_forward` without the cache: a float, or an array (N,) for
    ``reduction="none"``.

    See Also
    --------
    triplet_loss_forward, dlbook.cnn.triplet_torch.triplet_loss, :ref:`ch-faces-style`

    Examples
    --------
    >>> a, p, n = np.zeros((1, 2)), np.array([[0., 2.]]), np.array([[1., 0.]])
    >>> round(triplet_loss(a, p, n), 6)   # 4 - 1 + 0.2
    3.2
    """
    return triplet_loss_forward(anchor, positive, negative, margin, reduction)[0]


def triplet_loss_forward(anchor, positive, negative, margin=0.2, reduction="mean"):
    r"""Triplet loss on squared Euclidean distances (FaceNet, the course notes).

    Parameters
    ----------
    anchor, positive, negative : ndarray of shape (N, D)
        Embeddings :math:`f(A), f(P), f(N)`; row :math:`i` of each forms one triplet.
    margin : float
        :math:`\alpha \ge 0`.
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    loss : float, or ndarray of shape (N,) if ``reduction="none"``
    cache : tuple
        What :func:`triplet_loss_backward` needs.

    Notes
    -----
    .. math::
        \ell_i = \max\bigl(\lVert a_i-p_i\rVert_2^2 - \lVert a_i-n_i\rVert_2^2 + \alpha,\ 0\bigr)

    References
    ----------
    Schroff, Kalenichenko and Philbin, "FaceNet: A unified embedding for face recognition and
    clustering", CVPR 2015, eq. (1).

    See Also
    --------
    triplet_margin_loss_forward : torch's non-squared form.
    dlbook.cnn.triplet_torch.triplet_loss, :ref:`ch-faces-style`

    Examples
    --------
    Distances 1 (to the positive) and 2 (to the negative), so 1 - 4 + 0.2 < 0 gives 0; swap
    them and 4 - 1 + 0.2 = 3.2:

    >>> a, p, n = np.zeros((1, 2)), np.array([[1., 0.]]), np.array([[0., 2.]])
    >>> triplet_loss_forward(a, p, n)[0], round(triplet_loss_forward(a, n, p)[0], 6)
    (0.0, 3.2)
    """
    a, p, n = _embeddings(anchor, positive, negative)
    margin = real_value(margin, "margin", low=0.0)
    one_of(reduction, "reduction", _REDUCTIONS)
    d_ap = ((a - p) ** 2).sum(1)                      # (N,)
    d_an = ((a - n) ** 2).sum(1)                      # (N,)
    z = d_ap - d_an + margin
    per = np.maximum(z, 0.0)
    return _reduce(per, reduction), (a, p, n, z > 0, reduction)


def triplet_loss_backward(dout, cache):
    r"""Gradients of :func:`triplet_loss_forward` with respect to the three embeddings.

    Notes
    -----
    Where the hinge is active (:math:`\ell_i>0`), with upstream gradient :math:`g_i`:

    .. math::
        \frac{\partial \ell_i}{\partial a_i} = 2g_i(n_i - p_i),\quad
        \frac{\partial \ell_i}{\partial p_i} = 2g_i(p_i - a_i),\quad
        \frac{\partial \ell_i}{\partial n_i} = 2g_i(a_i - n_i);

    elsewhere all three are zero.

    Returns
    -------
    da, dp, dn : ndarray of shape (N, D)

    See Also
    --------
    triplet_loss_forward, :ref:`ch-faces-style`

    Examples
    --------
    >>> a, p, n = np.zeros((1, 2)), np.array([[0., 2.]]), np.array([[1., 0.]])
    >>> _, cache = triplet_loss_forward(a, p, n)
    >>> [g.tolist() for g in triplet_loss_backward(1.0, cache)]
    [[[2.0, -4.0]], [[0.0, 4.0]], [[-2.0, 0.0]]]
    """
    a, p, n, active, reduction = cache
    g = (_dper(dout, a.shape[0], reduction) * active)[:, None]   # (N, 1)
    return 2 * g * (n - p), 2 * g * (p - a), 2 * g * (a - n)


# --------------------------------------------------------------------------- torch's form
def _pdist_grad(diff, d, p):
    r"""Gradient of :math:`\lVert v\rVert_p` at ``diff`` (rows), given the norms ``d``."""
    if p == 1:
        return np.sign(diff)
    safe = np.where(d > 0, d, 1.0)[:, None]
    return np.sign(diff) * (np.abs(diff) / safe) ** (p - 1) * (d > 0)[:, None]


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False,
                        reduction="mean"):
    r"""``torch.nn.TripletMarginLoss``'s formula on non-squared distances (a float or (N,)).

    The value of :func:`triplet_margin_loss_forward` without the cache.

    See Also
    --------
    triplet_margin_loss_forward, dlbook.cnn.triplet_torch.triplet_margin_loss

    Examples
    --------
    >>> a, p, n = np.zeros((1, 2)), np.array([[1., 0.]]), np.array([[0., 2.]])
    >>> triplet_margin_loss(a, p, n, margin=1.5, eps=0.0)   # 1 - 2 + 1.5
    0.5
    """
    return triplet_margin_loss_forward(anchor, positive, negative, margin, p, eps, swap,
                                       reduction)[0]


def triplet_margin_loss_forward(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6,
                                swap=False, reduction="mean"):
    r"""The triplet loss as ``torch.nn.TripletMarginLoss`` computes it (non-squared distances).

    Parameters
    ----------
    anchor, positive, negative : ndarray of shape (N, D)
    margin : float
        Positive margin (torch's default 1.0; torch rejects 0).
    p : float
        Norm order, ``p >= 1`` (torch's default 2).
    eps : float
        Added to every difference before the norm, as ``torch.nn.functional.pairwise_distance``
        does (default 1e-6), so the norm is never taken at exactly 0.
    swap : bool
        Use :math:`\min(d(a,n), d(p,n))` as the negative distance ("distance swap",
        Balntas et al. 2016).
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    loss : float, or ndarray of shape (N,)
    cache : tuple

    Notes
    -----
    .. math::
        d(x, y) = \Bigl(\sum_j \lvert x_j - y_j + \varepsilon\rvert^p\Bigr)^{1/p},\qquad
        \ell_i = \max\bigl(d(a_i,p_i) - d^-_i + \text{margin},\ 0\bigr),

    with :math:`d^-_i = d(a_i, n_i)`, or :math:`\min(d(a_i,n_i), d(p_i,n_i))` if ``swap``.

    See Also
    --------
    triplet_loss_forward : the squared form of the course notes.
    dlbook.cnn.triplet_torch.triplet_margin_loss, :ref:`ch-faces-style`

    Examples
    --------
    With ``eps=0``: distances 1 and 2, so 1 - 2 + 1.5 = 0.5.

    >>> a, p, n = np.zeros((1, 2)), np.array([[1., 0.]]), np.array([[0., 2.]])
    >>> triplet_margin_loss_forward(a, p, n, margin=1.5, eps=0.0)[0]
    0.5
    """
    a, pos, neg = _embeddings(anchor, positive, negative)
    # torch.nn.TripletMarginLoss rejects a margin of 0
    margin = real_value(margin, "margin", low=0.0, low_open=True)
    p, eps = real_value(p, "p", low=1.0), real_value(eps, "eps", low=0.0)
    swap = boolean(swap, "swap")
    one_of(reduction, "reduction", _REDUCTIONS)
    diffs = {"ap": a - pos + eps, "an": a - neg + eps, "pn": pos - neg + eps}   # each (N, D)
    dist = {k: (np.abs(v) ** p).sum(1) ** (1.0 / p) for k, v in diffs.items()}  # each (N,)
    use_pn = (dist["pn"] < dist["an"]) if swap else np.zeros(a.shape[0], bool)
    d_neg = np.where(use_pn, dist["pn"], dist["an"])
    z = dist["ap"] - d_neg + margin
    per = np.maximum(z, 0.0)
    return _reduce(per, reduction), (diffs, dist, use_pn, z >= 0, p, reduction)


def triplet_margin_loss_backward(dout, cache):
    r"""Gradients of :func:`triplet_margin_loss_forward` with respect to the three inputs.

    Notes
    -----
    With :math:`v = x - y + \varepsilon` and :math:`d = \lVert v\rVert_p`,
    :math:`\partial d/\partial x = \operatorname{sign}(v)\,(\lvert v\rvert/d)^{p-1}` and
    :math:`\partial d/\partial y = -\partial d/\partial x`. The hinge passes the gradient where
    :math:`z \ge 0` (torch's ``clamp_min`` convention at the kink); the swapped pair gets the
    negative-distance gradient where it was the smaller one.

    Returns
    -------
    da, dp, dn : ndarray of shape (N, D)

    See Also
    --------
    triplet_margin_loss_forward, :ref:`ch-faces-style`

    Examples
    --------
    >>> a, p, n = np.zeros((1, 2)), np.array([[1., 0.]]), np.array([[0., 2.]])
    >>> _, cache = triplet_margin_loss_forward(a, p, n, margin=1.5, eps=0.0)
    >>> [g.tolist() for g in triplet_margin_loss_backward(1.0, cache)]
    [[[-1.0, 1.0]], [[1.0, 0.0]], [[0.0, -1.0]]]
    """
    diffs, dist, use_pn, active, p, reduction = cache
    n_rows = diffs["ap"].shape[0]
    g = _dper(dout, n_rows, reduction) * active                      # (N,)
    g_ap = _pdist_grad(diffs["ap"], dist["ap"], p) * g[:, None]          # d/da of +d(a,p)
    g_an = _pdist_grad(diffs["an"], dist["an"], p) * (g * ~use_pn)[:, None]
    g_pn = _pdist_grad(diffs["pn"], dist["pn"], p) * (g * use_pn)[:, None]
    da = g_ap - g_an
    dp = -g_ap - g_pn
    dn = g_an + g_pn
    return da, dp, dn


# --------------------------------------------------------------------------- verification
def verification_accuracy(distances, same, threshold):
    r"""Accuracy of the rule "same identity iff :math:`d < \tau`" on labelled pairs.

    Parameters
    ----------
    distances : ndarray of shape (M,)
        :math:`d(\text{img}_1, \text{img}_2)` for :math:`M` pairs.
    same : ndarray of bool, shape (M,)
        Whether each pair shows the same identity.
    threshold : float
        :math:`\tau`.

    Returns
    -------
    float
        :math:`\frac1M\sum_m [\,(d_m < \tau) = \text{same}_m\,]`.

    See Also
    --------
    :ref:`ch-faces-style`

    Examples
    --------
    >>> verification_accuracy(np.array([0.1, 0.9, 0.4]), np.array([True, False, False]), 0.5)
    0.6666666666666666
    """
    d = real_array(distances, "distances", ndim=1)
    s = np.asarray(same)
    if s.dtype != bool:
        raise TypeError(f"same must hold booleans, got dtype {s.dtype}")
    same_shape(d, s, "distances", "same")
    return float(np.mean((d < real_value(threshold, "threshold")) == s))
