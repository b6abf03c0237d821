r"""Entropy, KL divergence and the multi-class cross-entropy losses, with their gradients (NumPy
reference).

Categorical cross-entropy of probability rows or of integer labels, and softmax cross-entropy
from logits (the stable default, with torch's label smoothing), with the entropy and KL
divergence that explain them. The conventions are those of :mod:`dlbook.nn.losses`; the losses
average over the ``N`` rows. The two-class losses are in :mod:`dlbook.nn.binary_cross_entropy`.

See Also
--------
dlbook.nn.cross_entropy_torch : the PyTorch twin, same names.
dlbook.nn.binary_cross_entropy : the two-class losses.
dlbook.nn.losses : regression, margin, cost/profit and Dice losses.
:ref:`ch-losses` : the chapter that derives and plots these losses.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import (
    distribution_rows,
    finite_array,
    finite_pair,
    positive_int,
    probability,
    real_value,
)

__all__ = [
    "entropy", "kl_divergence",
    "categorical_cross_entropy", "categorical_cross_entropy_grad",
    "sparse_categorical_cross_entropy", "sparse_categorical_cross_entropy_grad",
    "cross_entropy_with_logits", "cross_entropy_with_logits_grad", "smooth_labels",
]


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
    p = finite_array(p, "p", min_ndim=1, nonempty=True)
    distribution_rows(p, "p")
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
                 - \underbrace{\Bigl(-\frac{1}{N}\sum_{n,c} p_{nc}\ln p_{nc}\Bigr)}_{
                   \text{entropy } H(P)}

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
    p, q = finite_pair(p, q, "p", "q")
    distribution_rows(p, "p")
    distribution_rows(q, "q")
    with np.errstate(divide="ignore"):
        terms = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1.0)) - np.log(q)), 0.0)
    return float(np.sum(terms) / p.shape[0])


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
    real_value(eps, "eps", low=0.0, high=0.5, low_open=True, high_open=True)
    t, p = finite_pair(y_true, y_pred)
    distribution_rows(t, "y_true")
    distribution_rows(p, "y_pred")
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
    real_value(eps, "eps", low=0.0, high=0.5, low_open=True, high_open=True)
    t, p = finite_pair(y_true, y_pred)
    distribution_rows(t, "y_true")
    distribution_rows(p, "y_pred")
    return (0.0 - t / np.maximum(p, eps)) * (p >= eps) / p.shape[0]  # 0.0 - x avoids -0.


def _sparse_pair(y_true, y_pred):
    t = np.asarray(y_true)
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"sparse labels y_true must be integers (class indices), got dtype {t.dtype}"
        )
    p = finite_array(y_pred, "y_pred", min_ndim=1, nonempty=True)
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
    real_value(eps, "eps", low=0.0, high=0.5, low_open=True, high_open=True)
    t, p = _sparse_pair(y_true, y_pred)
    distribution_rows(p, "y_pred")
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
    real_value(eps, "eps", low=0.0, high=0.5, low_open=True, high_open=True)
    t, p = _sparse_pair(y_true, y_pred)
    distribution_rows(p, "y_pred")
    rows = np.arange(p.shape[0])
    picked = p[rows, t]
    g = np.zeros_like(p)
    g[rows, t] = -1.0 / np.maximum(picked, eps) * (picked >= eps) / p.shape[0]
    return g


def _log_softmax(z):
    m = z.max(axis=1, keepdims=True)  # (N, 1): subtracting it keeps exp() <= 1
    return z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))


def _targets_for_logits(y_true, logits, label_smoothing):
    """Return (N, C) float targets: one-hot from integer labels, or validated distributions,
    mixed with the uniform distribution by ``label_smoothing``."""
    eps = probability(label_smoothing, "label_smoothing")
    t = np.asarray(y_true)
    if t.dtype.kind in "iu":
        t, z = _sparse_pair(t, logits)
        t = np.eye(z.shape[1], dtype=z.dtype)[t]  # (N, C) one-hot
    else:
        t, z = finite_pair(t, logits, "y_true", "logits")
        distribution_rows(t, "y_true")
    return (1.0 - eps) * t + eps / z.shape[1], z


def smooth_labels(y_true, num_classes, label_smoothing):
    r"""Targets with label smoothing: :math:`(1 - \varepsilon)\,y + \varepsilon / C`.

    Parameters
    ----------
    y_true : array_like of int, shape (N,), or of float, shape (N, C)
        Class indices or target distributions.
    num_classes : int
        :math:`C`.
    label_smoothing : float in [0, 1]
        :math:`\varepsilon`: the share of each target spread evenly over all classes.

    Returns
    -------
    ndarray of shape (N, C)
        Rows that still sum to 1; the true class keeps :math:`1 - \varepsilon + \varepsilon/C`.

    See Also
    --------
    cross_entropy_with_logits : takes ``label_smoothing`` itself, as torch's does.
    :ref:`ch-losses`

    Examples
    --------
    >>> smooth_labels([2], num_classes=4, label_smoothing=0.1)   # 0.1 / 4 = 0.025 each
    array([[0.025, 0.025, 0.925, 0.025]])
    """
    num_classes = positive_int(num_classes, "num_classes")
    t, _ = _targets_for_logits(y_true, np.zeros((len(y_true), num_classes)), label_smoothing)
    return t


def cross_entropy_with_logits(y_true, logits, label_smoothing=0.0):
    r"""Softmax cross-entropy from logits via log-sum-exp (the stable default), mean over N rows.

    Parameters
    ----------
    y_true : array_like of int, shape (N,), or of float, shape (N, C)
        Class indices, or target distributions (one-hot or soft) whose rows sum to 1.
    logits : array_like of shape (N, C)
        Unnormalised scores :math:`z`.
    label_smoothing : float in [0, 1], default 0
        :math:`\varepsilon`: the targets become :math:`(1-\varepsilon)y + \varepsilon/C`
        (:func:`smooth_labels`), torch's argument.

    Notes
    -----
    .. math::
        \ln\operatorname{softmax}(z)_c = z_c - m - \ln\sum_k e^{z_k - m},\quad m=\max_k z_k,
        \qquad L = -\frac{1}{N}\sum_{n,c} y_{nc}\ln\operatorname{softmax}(z_n)_c

    Equals ``torch.nn.functional.cross_entropy`` (mean reduction), ``label_smoothing``
    included.

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
    t, z = _targets_for_logits(y_true, logits, label_smoothing)
    return float(0.0 - np.sum(t * _log_softmax(z)) / z.shape[0])


def cross_entropy_with_logits_grad(y_true, logits, label_smoothing=0.0):
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
    t, z = _targets_for_logits(y_true, logits, label_smoothing)
    softmax = np.exp(_log_softmax(z))
    return (softmax * t.sum(axis=1, keepdims=True) - t) / z.shape[0]
