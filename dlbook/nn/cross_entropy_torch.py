r"""Entropy, KL divergence and the cross-entropy losses in PyTorch: the twins of
:mod:`dlbook.nn.cross_entropy`, with the same names.

As in :mod:`dlbook.nn.losses_torch`, each loss is written out
in tensor operations rather than delegated to ``torch.nn.functional``, so that autograd
differentiates exactly the formula in its docstring and the tests can use
``torch.nn.functional`` as an independent peer. Losses return a 0-dim tensor that supports
``.backward()``; each ``<name>_grad`` returns the closed-form gradient with respect to the
prediction without autograd. Reductions, validation and error messages are those of the NumPy
module. Inputs may live on any device, as long as both are on the same one.

See Also
--------
dlbook.nn.cross_entropy : the NumPy reference with the full derivations.
:ref:`ch-losses` : the chapter.
"""

from __future__ import annotations

import torch

from dlbook._checks import (
    distribution_rows,
    finite_tensor_pair,
    positive_int,
    probability,
    real_tensor,
    real_value,
)

__all__ = [
    "entropy", "kl_divergence",
    "categorical_cross_entropy", "categorical_cross_entropy_grad",
    "sparse_categorical_cross_entropy", "sparse_categorical_cross_entropy_grad",
    "cross_entropy_with_logits", "cross_entropy_with_logits_grad", "smooth_labels",
]


#: Integer dtypes that hold class indices.
_INTEGER_DTYPES = (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)


# --------------------------------------------------------------------- information theory
def entropy(p):
    r"""Mean row entropy :math:`-\frac{1}{N}\sum_{n,c}p_{nc}\ln p_{nc}` (``xlogy``: 0 ln 0 = 0).

    See Also
    --------
    dlbook.nn.cross_entropy.entropy, :ref:`ch-losses`

    Examples
    --------
    >>> round(float(entropy(torch.tensor([[0.5, 0.5]]))), 4)  # ln 2
    0.6931
    """
    p = real_tensor(p, "p")
    distribution_rows(p, "p")
    return -torch.special.xlogy(p, p).sum() / p.shape[0]


def kl_divergence(p, q):
    r"""Mean row KL divergence :math:`\frac{1}{N}\sum_{n,c}p_{nc}\ln(p_{nc}/q_{nc})`.

    See Also
    --------
    dlbook.nn.cross_entropy.kl_divergence, :ref:`ch-losses`

    Examples
    --------
    >>> round(float(kl_divergence(torch.tensor([[1., 0.]]), torch.tensor([[0.5, 0.5]]))), 4)
    0.6931
    """
    p, q = finite_tensor_pair(p, q, "p", "q")
    distribution_rows(p, "p")
    distribution_rows(q, "q")
    return (torch.special.xlogy(p, p) - torch.special.xlogy(p, q)).sum() / p.shape[0]


# --------------------------------------------------------------------- categorical cross-entropy
def categorical_cross_entropy(y_true, y_pred, eps=1e-7):
    r"""Categorical cross-entropy of (N, C) probability rows:
    :math:`-\frac{1}{N}\sum_{n,c}y_{nc}\ln\max(\hat y_{nc},\varepsilon)`.

    See Also
    --------
    dlbook.nn.cross_entropy.categorical_cross_entropy, :ref:`ch-losses`

    Examples
    --------
    >>> y = torch.tensor([[0., 1., 0.]])
    >>> round(float(categorical_cross_entropy(y, torch.tensor([[0.2, 0.7, 0.1]]))), 4)  # -ln 0.7
    0.3567
    """
    real_value(eps, "eps", low=0.0, high=0.5, low_open=True, high_open=True)
    t, p = finite_tensor_pair(y_true, y_pred)
    distribution_rows(t, "y_true")
    distribution_rows(p, "y_pred")
    return -(t * torch.log(p.clamp(min=eps))).sum() / p.shape[0]


def categorical_cross_entropy_grad(y_true, y_pred, eps=1e-7):
    r"""Closed-form gradient of :func:`categorical_cross_entropy`: :math:`-y/(N\hat y)`.

    See Also
    --------
    dlbook.nn.cross_entropy.categorical_cross_entropy_grad, :ref:`ch-losses`

    Examples
    --------
    >>> categorical_cross_entropy_grad(torch.tensor([[0., 1.]]), torch.tensor([[0.5, 0.5]]))
    tensor([[ 0., -2.]])
    """
    real_value(eps, "eps", low=0.0, high=0.5, low_open=True, high_open=True)
    t, p = finite_tensor_pair(y_true, y_pred)
    distribution_rows(t, "y_true")
    distribution_rows(p, "y_pred")
    return (0.0 - t / p.clamp(min=eps)) * (p >= eps) / p.shape[0]


def _sparse_pair(y_true, y_pred):
    t = torch.as_tensor(y_true)
    if t.dtype not in _INTEGER_DTYPES:
        raise TypeError(
            f"sparse labels y_true must be integers (class indices), got dtype {t.dtype}"
        )
    p = real_tensor(y_pred, "y_pred")
    if p.dim() != 2 or t.shape != (p.shape[0],):
        raise ValueError(
            f"y_true has shape {tuple(t.shape)} but y_pred has {tuple(p.shape)}; sparse "
            "labels need y_pred of shape (N, C) and y_true of shape (N,)"
        )
    if t.device != p.device:
        raise ValueError(f"y_true is on {t.device} but y_pred is on {p.device}")
    if int(t.min()) < 0 or int(t.max()) >= p.shape[1]:
        raise ValueError(f"class indices must lie in [0, {p.shape[1] - 1}], got values from "
                         f"{int(t.min())} to {int(t.max())}")
    return t.long(), p


def sparse_categorical_cross_entropy(y_true, y_pred, eps=1e-7):
    r"""Cross-entropy with integer labels (N,) and probabilities (N, C):
    :math:`-\frac{1}{N}\sum_n\ln\max(\hat y_{n,y_n},\varepsilon)`, picked with ``gather``.

    See Also
    --------
    dlbook.nn.cross_entropy.sparse_categorical_cross_entropy, :ref:`ch-losses`

    Examples
    --------
    >>> p = torch.tensor([[0.2, 0.7, 0.1]])
    >>> round(float(sparse_categorical_cross_entropy(torch.tensor([1]), p)), 4)  # -ln 0.7
    0.3567
    """
    real_value(eps, "eps", low=0.0, high=0.5, low_open=True, high_open=True)
    t, p = _sparse_pair(y_true, y_pred)
    distribution_rows(p, "y_pred")
    picked = p.gather(1, t[:, None]).squeeze(1)  # (N,)
    return -torch.log(picked.clamp(min=eps)).mean()


def sparse_categorical_cross_entropy_grad(y_true, y_pred, eps=1e-7):
    r"""Closed-form gradient of :func:`sparse_categorical_cross_entropy`.

    See Also
    --------
    dlbook.nn.cross_entropy.sparse_categorical_cross_entropy_grad, :ref:`ch-losses`

    Examples
    --------
    >>> sparse_categorical_cross_entropy_grad(torch.tensor([1]), torch.tensor([[0.5, 0.5]]))
    tensor([[ 0., -2.]])
    """
    real_value(eps, "eps", low=0.0, high=0.5, low_open=True, high_open=True)
    t, p = _sparse_pair(y_true, y_pred)
    distribution_rows(p, "y_pred")
    picked = p.gather(1, t[:, None])  # (N, 1)
    g = -1.0 / picked.clamp(min=eps) * (picked >= eps) / p.shape[0]
    return torch.zeros_like(p).scatter(1, t[:, None], g)


def _targets_for_logits(y_true, logits, label_smoothing):
    eps = probability(label_smoothing, "label_smoothing")
    t = torch.as_tensor(y_true)
    if t.dtype in _INTEGER_DTYPES:
        t, z = _sparse_pair(t, logits)
        t = torch.nn.functional.one_hot(t, z.shape[1]).to(z.dtype)  # (N, C)
    else:
        t, z = finite_tensor_pair(t, logits, "y_true", "logits")
        distribution_rows(t, "y_true")
    return (1.0 - eps) * t + eps / z.shape[1], z


def smooth_labels(y_true, num_classes, label_smoothing):
    r"""Targets with label smoothing, :math:`(1 - \varepsilon)\,y + \varepsilon / C`, shape (N, C).

    See Also
    --------
    dlbook.nn.cross_entropy.smooth_labels, :ref:`ch-losses`

    Examples
    --------
    >>> smooth_labels(torch.tensor([2]), num_classes=4, label_smoothing=0.1)
    tensor([[0.0250, 0.0250, 0.9250, 0.0250]])
    """
    num_classes = positive_int(num_classes, "num_classes")
    t = torch.as_tensor(y_true)
    dtype = t.dtype if t.is_floating_point() else torch.get_default_dtype()
    logits = torch.zeros(len(t), num_classes, dtype=dtype, device=t.device)
    return _targets_for_logits(t, logits, label_smoothing)[0]


def cross_entropy_with_logits(y_true, logits, label_smoothing=0.0):
    r"""Softmax cross-entropy from (N, C) logits with ``logsumexp``; labels are (N,) class indices
    or (N, C) distributions: :math:`-\frac{1}{N}\sum_{n,c}y_{nc}(z_{nc} - \ln\sum_k e^{z_{nk}})`,
    the targets smoothed by ``label_smoothing`` first (:func:`smooth_labels`).

    See Also
    --------
    dlbook.nn.cross_entropy.cross_entropy_with_logits, :ref:`ch-losses`

    Examples
    --------
    >>> float(cross_entropy_with_logits(torch.tensor([0]), torch.tensor([[0., 1000.]])))
    1000.0
    """
    t, z = _targets_for_logits(y_true, logits, label_smoothing)
    log_softmax = z - torch.logsumexp(z, dim=1, keepdim=True)  # (N, C)
    return -(t * log_softmax).sum() / z.shape[0]


def cross_entropy_with_logits_grad(y_true, logits, label_smoothing=0.0):
    r"""Closed-form gradient of :func:`cross_entropy_with_logits`:
    :math:`(\operatorname{softmax}(z)\sum_c y_c - y)/N`.

    See Also
    --------
    dlbook.nn.cross_entropy.cross_entropy_with_logits_grad, :ref:`ch-losses`

    Examples
    --------
    >>> cross_entropy_with_logits_grad(torch.tensor([0]), torch.tensor([[0., 0.]]))
    tensor([[-0.5000,  0.5000]])
    """
    t, z = _targets_for_logits(y_true, logits, label_smoothing)
    return (torch.softmax(z, dim=1) * t.sum(dim=1, keepdim=True) - t) / z.shape[0]
