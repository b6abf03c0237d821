r"""Entropy, KL divergence and the cross-entropy losses, with their gradients (NumPy reference).

Binary cross-entropy of probabilities or of logits, categorical cross-entropy of probability
rows or of integer labels, and softmax cross-entropy from logits (the stable default), with the
entropy and KL divergence that explain them. The conventions, and the input checks, are those
of :mod:`dlbook.nn.losses`; binary losses average over every element, row-wise ones over the
``N`` rows. The sparse and logit forms document their own shapes.

See Also
--------
dlbook.nn.cross_entropy_torch : the PyTorch twin, same names.
dlbook.nn.losses : regression, margin, cost/profit and Dice losses.
:ref:`ch-losses` : the chapter that derives and plots these losses.
"""

from __future__ import annotations

import numpy as np

from dlbook.nn.losses import _as_real, _in_range, _pair

__all__ = [
    "entropy", "kl_divergence",
    "binary_cross_entropy", "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_grad",
    "categorical_cross_entropy", "categorical_cross_entropy_grad",
    "sparse_categorical_cross_entropy", "sparse_categorical_cross_entropy_grad",
    "cross_entropy_with_logits", "cross_entropy_with_logits_grad",
]


# --------------------------------------------------------------------- validation helpers
def _rows_sum_to_one(name, a):
    """Check that each row of an (N, C) array is a probability distribution."""
    if a.ndim != 2:
        raise ValueError(f"{name} must have shape (N, C), got {a.shape}")
    _in_range(name, a, 0.0, 1.0)
    tol = 1e-6 if a.dtype == np.float64 else 1e-4
    sums = a.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > tol)
    if bad.size:
        raise ValueError(f"each row of {name} must sum to 1, but row {bad[0]} sums to "
                         f"{sums[bad[0]]:.6g}")


def _check_eps(eps):
    if not 0.0 < eps < 0.5:
        raise ValueError(f"eps must lie in (0, 0.5), got {eps}")


# --------------------------------------------------------------------- information theory
def entropy(p):
    r"""Entropy of each row of ``p`` (natural log), averaged over the ``N`` rows.

    Parameters
    ----------
    p : array_like of shape (N, C)
        Rows are probability distributions.

    Notes
    -----
    .. math:: H = -\frac{1}{N}\sum_{n}\sum_{c} p_{nc}\ln p_{nc}, \qquad 0 \ln 0 := 0.

    See Also
    --------
    dlbook.nn.cross_entropy_torch.entropy, :ref:`ch-losses`

    Examples
    --------
    >>> round(entropy([[0.5, 0.5]]), 6)  # ln 2
    0.693147
    >>> entropy([[0.0, 1.0]])  # a one-hot label carries no uncertainty
    0.0
    """
    p = _as_real("p", p)
    _rows_sum_to_one("p", p)
    logp = np.log(np.where(p > 0, p, 1.0))  # 0 ln 0 = 0
    return float(0.0 - np.sum(p * logp) / p.shape[0])  # 0.0 - x: never prints -0.0


def kl_divergence(p, q):
    r"""Kullback-Leibler divergence :math:`D_{KL}(P\,\|\,Q)` of row distributions, mean over rows.

    Parameters
    ----------
    p : array_like of shape (N, C)
        Target distribution (the labels); rows sum to 1.
    q : array_like of shape (N, C)
        Model distribution (the predictions); rows sum to 1.

    Returns
    -------
    float
        ``inf`` where ``q`` is 0 but ``p`` is not.

    Notes
    -----
    .. math::
        D_{KL} = \frac{1}{N}\sum_n\sum_c p_{nc}\ln\frac{p_{nc}}{q_{nc}}
               = \underbrace{-\frac{1}{N}\sum_{n,c} p_{nc}\ln q_{nc}}_{\text{cross-entropy}}
                 - \underbrace{\Bigl(-\frac{1}{N}\sum_{n,c} p_{nc}\ln p_{nc}\Bigr)}_{\text{entropy } H(P)}

    Its gradient with respect to ``q`` is that of the cross-entropy, since :math:`H(P)` does not
    depend on ``q``.

    See Also
    --------
    dlbook.nn.cross_entropy_torch.kl_divergence, :ref:`ch-losses`

    Examples
    --------
    >>> round(kl_divergence([[1.0, 0.0]], [[0.5, 0.5]]), 6)  # ln 2
    0.693147
    """
    p, q = _pair(p, q)
    _rows_sum_to_one("p", p)
    _rows_sum_to_one("q", q)
    with np.errstate(divide="ignore"):
        terms = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1.0)) - np.log(q)), 0.0)
    return float(np.sum(terms) / p.shape[0])


# --------------------------------------------------------------------- binary cross-entropy
def binary_cross_entropy(y_true, y_pred, eps=1e-7):
    r"""Binary cross-entropy of probabilities, averaged over every element.

    Parameters
    ----------
    y_true : array_like of shape (N, ...)
        Targets in [0, 1] (usually 0 or 1).
    y_pred : array_like, same shape
        Predicted probabilities in [0, 1].
    eps : float, default 1e-7
        Floor inside each logarithm, so that a prediction of exactly 0 or 1 costs at most
        :math:`-\ln\varepsilon \approx 16.1` instead of ``inf``. 1e-7 is Keras's choice; it is
        large enough that :math:`1-\varepsilon` still differs from 1 in float32 (which matters
        for the ``clip(p, eps, 1 - eps)`` form Keras uses).

    Notes
    -----
    .. math::
        L = -\frac{1}{M}\sum_i \bigl[y_i \ln\max(\hat y_i, \varepsilon)
            + (1-y_i)\ln\max(1-\hat y_i, \varepsilon)\bigr]

    Prefer :func:`binary_cross_entropy_with_logits`: it needs no :math:`\varepsilon`.

    See Also
    --------
    dlbook.nn.cross_entropy_torch.binary_cross_entropy, :ref:`ch-losses`

    Examples
    --------
    >>> round(binary_cross_entropy([1, 0], [0.9, 0.2]), 5)  # (-ln 0.9 - ln 0.8) / 2
    0.16425
    """
    _check_eps(eps)
    t, p = _pair(y_true, y_pred)
    _in_range("y_true", t, 0.0, 1.0)
    _in_range("y_pred", p, 0.0, 1.0)
    terms = t * np.log(np.maximum(p, eps)) + (1 - t) * np.log(np.maximum(1 - p, eps))
    return float(0.0 - np.mean(terms))  # 0.0 - x: a perfect prediction gives 0.0, not -0.0


def binary_cross_entropy_grad(y_true, y_pred, eps=1e-7):
    r"""Gradient of :func:`binary_cross_entropy` with respect to ``y_pred``.

    .. math::
        \frac{\partial L}{\partial \hat y_i} = \frac{1}{M}\Bigl[-\frac{y_i}{\hat y_i}\,
        [\hat y_i \ge \varepsilon] + \frac{1-y_i}{1-\hat y_i}\,[1-\hat y_i \ge \varepsilon]\Bigr]

    Where the floor is active the term is constant, so its gradient is 0: a clipped loss gives
    no signal for a prediction stuck at exactly 0 or 1.

    See Also
    --------
    dlbook.nn.cross_entropy_torch.binary_cross_entropy_grad, :ref:`ch-losses`

    Examples
    --------
    >>> binary_cross_entropy_grad([1, 0], [0.9, 0.2])  # [-1/0.9, 1/0.8] / 2
    array([-0.55555556,  0.625     ])
    """
    _check_eps(eps)
    t, p = _pair(y_true, y_pred)
    _in_range("y_true", t, 0.0, 1.0)
    _in_range("y_pred", p, 0.0, 1.0)
    g = (-t / np.maximum(p, eps) * (p >= eps)
         + (1 - t) / np.maximum(1 - p, eps) * (1 - p >= eps))
    return g / p.size


def _sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))  # 1 / (1 + e^{-z}), accurate in both tails


def binary_cross_entropy_with_logits(y_true, logits):
    r"""Binary cross-entropy computed from logits :math:`z` (the stable default), mean over elements.

    Parameters
    ----------
    y_true : array_like of shape (N, ...)
        Targets in [0, 1].
    logits : array_like, same shape
        Real scores; the probability is :math:`\sigma(z)`.

    Notes
    -----
    With :math:`-\ln\sigma(z) = \ln(1+e^{-z})` and :math:`-\ln(1-\sigma(z)) = \ln(1+e^{z})`:

    .. math:: L = \frac{1}{M}\sum_i \bigl[\ln(1 + e^{z_i}) - y_i z_i\bigr]

    where :math:`\ln(1+e^{z})` is evaluated as ``logaddexp(0, z)`` =
    :math:`\max(z,0) + \ln(1+e^{-|z|})`, which never overflows.

    See Also
    --------
    dlbook.nn.cross_entropy_torch.binary_cross_entropy_with_logits, :ref:`ch-losses`

    Examples
    --------
    >>> round(binary_cross_entropy_with_logits([1, 0], [0.0, 0.0]), 6)  # ln 2
    0.693147
    >>> binary_cross_entropy_with_logits([1.0], [-1000.0])  # finite: 1000
    1000.0
    """
    t, z = _pair(y_true, logits)
    _in_range("y_true", t, 0.0, 1.0)
    return float(np.mean(np.logaddexp(0.0, z) - t * z))


def binary_cross_entropy_with_logits_grad(y_true, logits):
    r"""Gradient of :func:`binary_cross_entropy_with_logits`: :math:`(\sigma(z_i) - y_i)/M`.

    See Also
    --------
    dlbook.nn.cross_entropy_torch.binary_cross_entropy_with_logits_grad, :ref:`ch-losses`

    Examples
    --------
    >>> binary_cross_entropy_with_logits_grad([1, 0], [0.0, 0.0])  # [0.5 - 1, 0.5 - 0] / 2
    array([-0.25,  0.25])
    """
    t, z = _pair(y_true, logits)
    _in_range("y_true", t, 0.0, 1.0)
    return (_sigmoid(z) - t) / z.size


# --------------------------------------------------------------------- categorical cross-entropy
def categorical_cross_entropy(y_true, y_pred, eps=1e-7):
    r"""Categorical cross-entropy of probability rows, summed over classes, mean over the N rows.

    Parameters
    ----------
    y_true : array_like of shape (N, C)
        One-hot (or soft) labels; each row sums to 1.
    y_pred : array_like of shape (N, C)
        Predicted probabilities; each row sums to 1 (it is not renormalised).
    eps : float, default 1e-7
        Floor inside the logarithm (see :func:`binary_cross_entropy`).

    Notes
    -----
    .. math:: L = -\frac{1}{N}\sum_{n=1}^{N}\sum_{c=1}^{C} y_{nc}\ln\max(\hat y_{nc}, \varepsilon)

    See Also
    --------
    dlbook.nn.cross_entropy_torch.categorical_cross_entropy, :ref:`ch-losses`

    Examples
    --------
    >>> round(categorical_cross_entropy([[0, 1, 0]], [[0.2, 0.7, 0.1]]), 4)  # -ln 0.7
    0.3567
    """
    _check_eps(eps)
    t, p = _pair(y_true, y_pred)
    _rows_sum_to_one("y_true", t)
    _rows_sum_to_one("y_pred", p)
    return float(0.0 - np.sum(t * np.log(np.maximum(p, eps))) / p.shape[0])


def categorical_cross_entropy_grad(y_true, y_pred, eps=1e-7):
    r"""Gradient of :func:`categorical_cross_entropy`:
    :math:`-\frac{1}{N}\, y_{nc}/\hat y_{nc}\,[\hat y_{nc}\ge\varepsilon]`.

    See Also
    --------
    dlbook.nn.cross_entropy_torch.categorical_cross_entropy_grad, :ref:`ch-losses`

    Examples
    --------
    >>> categorical_cross_entropy_grad([[0, 1, 0]], [[0.2, 0.7, 0.1]])  # -1/0.7 at the true class
    array([[ 0.        , -1.42857143,  0.        ]])
    """
    _check_eps(eps)
    t, p = _pair(y_true, y_pred)
    _rows_sum_to_one("y_true", t)
    _rows_sum_to_one("y_pred", p)
    return (0.0 - t / np.maximum(p, eps)) * (p >= eps) / p.shape[0]  # 0.0 - x avoids -0.


def _sparse_pair(y_true, y_pred):
    t = np.asarray(y_true)
    if t.dtype.kind not in "iu":
        raise TypeError(f"sparse labels y_true must be integers (class indices), got dtype {t.dtype}")
    p = _as_real("y_pred", y_pred)
    if p.ndim != 2 or t.shape != (p.shape[0],):
        raise ValueError(f"y_true has shape {t.shape} but y_pred has {p.shape}; sparse labels need "
                         f"y_pred of shape (N, C) and y_true of shape (N,)")
    if t.min() < 0 or t.max() >= p.shape[1]:
        raise ValueError(f"class indices must lie in [0, {p.shape[1] - 1}], got values from "
                         f"{t.min()} to {t.max()}")
    return t, p


def sparse_categorical_cross_entropy(y_true, y_pred, eps=1e-7):
    r"""Categorical cross-entropy with integer labels: the one-hot sum reduces to one term per row.

    Parameters
    ----------
    y_true : array_like of int, shape (N,)
        Class indices in [0, C).
    y_pred : array_like of shape (N, C)
        Predicted probabilities; each row sums to 1.
    eps : float, default 1e-7
        Floor inside the logarithm.

    Notes
    -----
    .. math:: L = -\frac{1}{N}\sum_{n=1}^{N}\ln\max(\hat y_{n, y_n}, \varepsilon)

    No one-hot matrix is built: the true class's probability is picked by indexing.

    See Also
    --------
    dlbook.nn.cross_entropy_torch.sparse_categorical_cross_entropy, :ref:`ch-losses`

    Examples
    --------
    >>> round(sparse_categorical_cross_entropy([1], [[0.2, 0.7, 0.1]]), 4)  # -ln 0.7
    0.3567
    """
    _check_eps(eps)
    t, p = _sparse_pair(y_true, y_pred)
    _rows_sum_to_one("y_pred", p)
    picked = p[np.arange(p.shape[0]), t]  # (N,)
    return float(0.0 - np.mean(np.log(np.maximum(picked, eps))))


def sparse_categorical_cross_entropy_grad(y_true, y_pred, eps=1e-7):
    r"""Gradient of :func:`sparse_categorical_cross_entropy`: :math:`-1/(N\hat y_{n,y_n})` at each
    true class (0 where the floor is active), 0 elsewhere.

    See Also
    --------
    dlbook.nn.cross_entropy_torch.sparse_categorical_cross_entropy_grad, :ref:`ch-losses`

    Examples
    --------
    >>> sparse_categorical_cross_entropy_grad([1], [[0.2, 0.5, 0.3]])  # -1/0.5 at class 1
    array([[ 0., -2.,  0.]])
    """
    _check_eps(eps)
    t, p = _sparse_pair(y_true, y_pred)
    _rows_sum_to_one("y_pred", p)
    rows = np.arange(p.shape[0])
    picked = p[rows, t]
    g = np.zeros_like(p)
    g[rows, t] = -1.0 / np.maximum(picked, eps) * (picked >= eps) / p.shape[0]
    return g


def _log_softmax(z):
    m = z.max(axis=1, keepdims=True)  # (N, 1): subtracting it keeps exp() <= 1
    return z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))


def _targets_for_logits(y_true, logits):
    """Return (N, C) float targets: one-hot from integer labels, or validated distributions."""
    t = np.asarray(y_true)
    if t.dtype.kind in "iu":
        t, z = _sparse_pair(t, logits)
        return np.eye(z.shape[1], dtype=z.dtype)[t], z  # (N, C) one-hot
    t, z = _pair(t, logits)
    _rows_sum_to_one("y_true", t)
    return t, z


def cross_entropy_with_logits(y_true, logits):
    r"""Softmax cross-entropy from logits via log-sum-exp (the stable default), mean over N rows.

    Parameters
    ----------
    y_true : array_like of int, shape (N,), or of float, shape (N, C)
        Class indices, or target distributions (one-hot or soft) whose rows sum to 1.
    logits : array_like of shape (N, C)
        Unnormalised scores :math:`z`.

    Notes
    -----
    .. math::
        \ln\operatorname{softmax}(z)_c = z_c - m - \ln\sum_k e^{z_k - m},\quad m=\max_k z_k,
        \qquad L = -\frac{1}{N}\sum_{n,c} y_{nc}\ln\operatorname{softmax}(z_n)_c

    Equals ``torch.nn.functional.cross_entropy`` (mean reduction).

    See Also
    --------
    dlbook.nn.cross_entropy_torch.cross_entropy_with_logits, :ref:`ch-losses`

    Examples
    --------
    >>> round(cross_entropy_with_logits([0], [[0.0, 0.0, 0.0]]), 6)  # ln 3
    1.098612
    >>> cross_entropy_with_logits([0], [[0.0, 1000.0]])  # no overflow
    1000.0
    """
    t, z = _targets_for_logits(y_true, logits)
    return float(0.0 - np.sum(t * _log_softmax(z)) / z.shape[0])


def cross_entropy_with_logits_grad(y_true, logits):
    r"""Gradient of :func:`cross_entropy_with_logits`:
    :math:`\frac{1}{N}\bigl(\operatorname{softmax}(z_n)\sum_c y_{nc} - y_n\bigr)`,
    i.e. :math:`(\operatorname{softmax}(z) - y)/N` for rows that sum to 1.

    See Also
    --------
    dlbook.nn.cross_entropy_torch.cross_entropy_with_logits_grad, :ref:`ch-losses`

    Examples
    --------
    >>> cross_entropy_with_logits_grad([0], [[0.0, 0.0, 0.0]])  # [1/3 - 1, 1/3, 1/3]
    array([[-0.66666667,  0.33333333,  0.33333333]])
    """
    t, z = _targets_for_logits(y_true, logits)
    softmax = np.exp(_log_softmax(z))
    return (softmax * t.sum(axis=1, keepdims=True) - t) / z.shape[0]
