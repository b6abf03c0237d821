r"""Entropy, KL divergence and the cross-entropy losses in PyTorch: the twins of
:mod:`dlbook.nn.cross_entropy`, with the same names.

As in :mod:`dlbook.nn.losses_torch` (whose input checks they share), each loss is written out
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

from dlbook.nn.losses_torch import _INTS, _as_real, _in_range, _pair

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
    if a.dim() != 2:
        raise ValueError(f"{name} must have shape (N, C), got {tuple(a.shape)}")
    _in_range(name, a, 0.0, 1.0)
    tol = 1e-6 if a.dtype == torch.float64 else 1e-4
    sums = a.detach().sum(dim=1)
    bad = torch.nonzero((sums - 1.0).abs() > tol).flatten()
    if bad.numel():
        k = int(bad[0])
        raise ValueError(f"each row of {name} must sum to 1, but row {k} sums to {float(sums[k]):.6g}")


def _check_eps(eps):
    if not 0.0 < eps < 0.5:
        raise ValueError(f"eps must lie in (0, 0.5), got {eps}")


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
    p = _as_real("p", p)
    p = p if p.is_floating_point() else p.to(torch.get_default_dtype())
    _rows_sum_to_one("p", p)
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
    p, q = _pair(p, q)
    _rows_sum_to_one("p", p)
    _rows_sum_to_one("q", q)
    return (torch.special.xlogy(p, p) - torch.special.xlogy(p, q)).sum() / p.shape[0]


# --------------------------------------------------------------------- binary cross-entropy
def binary_cross_entropy(y_true, y_pred, eps=1e-7):
    r"""Binary cross-entropy of probabilities with the floor ``eps`` inside each log, mean over
    elements: :math:`-\frac{1}{M}\sum_i[y_i\ln\max(\hat y_i,\varepsilon)+(1-y_i)\ln\max(1-\hat y_i,\varepsilon)]`.

    See Also
    --------
    dlbook.nn.cross_entropy.binary_cross_entropy, :ref:`ch-losses`

    Examples
    --------
    >>> round(float(binary_cross_entropy(torch.tensor([1., 0.]), torch.tensor([0.9, 0.2]))), 4)
    0.1643
    """
    _check_eps(eps)
    t, p = _pair(y_true, y_pred)
    _in_range("y_true", t, 0.0, 1.0)
    _in_range("y_pred", p, 0.0, 1.0)
    return -(t * torch.log(p.clamp(min=eps)) + (1 - t) * torch.log((1 - p).clamp(min=eps))).mean()


def binary_cross_entropy_grad(y_true, y_pred, eps=1e-7):
    r"""Closed-form gradient of :func:`binary_cross_entropy` (0 where the floor is active).

    See Also
    --------
    dlbook.nn.cross_entropy.binary_cross_entropy_grad, :ref:`ch-losses`

    Examples
    --------
    >>> binary_cross_entropy_grad(torch.tensor([1., 0.]), torch.tensor([0.5, 0.5]))  # [-2, 2] / 2
    tensor([-1.,  1.])
    """
    _check_eps(eps)
    t, p = _pair(y_true, y_pred)
    _in_range("y_true", t, 0.0, 1.0)
    _in_range("y_pred", p, 0.0, 1.0)
    g = (-t / p.clamp(min=eps) * (p >= eps)
         + (1 - t) / (1 - p).clamp(min=eps) * (1 - p >= eps))
    return g / p.numel()


def binary_cross_entropy_with_logits(y_true, logits):
    r"""Binary cross-entropy from logits: :math:`\frac{1}{M}\sum_i[\ln(1+e^{z_i}) - y_i z_i]`,
    with :math:`\ln(1+e^{z})` as ``logaddexp(0, z)`` (no overflow, no :math:`\varepsilon`).

    See Also
    --------
    dlbook.nn.cross_entropy.binary_cross_entropy_with_logits, :ref:`ch-losses`

    Examples
    --------
    >>> float(binary_cross_entropy_with_logits(torch.tensor([1.]), torch.tensor([-1000.])))
    1000.0
    """
    t, z = _pair(y_true, logits)
    _in_range("y_true", t, 0.0, 1.0)
    return (torch.logaddexp(torch.zeros_like(z), z) - t * z).mean()


def binary_cross_entropy_with_logits_grad(y_true, logits):
    r"""Closed-form gradient of :func:`binary_cross_entropy_with_logits`: :math:`(\sigma(z)-y)/M`.

    See Also
    --------
    dlbook.nn.cross_entropy.binary_cross_entropy_with_logits_grad, :ref:`ch-losses`

    Examples
    --------
    >>> binary_cross_entropy_with_logits_grad(torch.tensor([1., 0.]), torch.tensor([0., 0.]))
    tensor([-0.2500,  0.2500])
    """
    t, z = _pair(y_true, logits)
    _in_range("y_true", t, 0.0, 1.0)
    return (torch.sigmoid(z) - t) / z.numel()


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
    _check_eps(eps)
    t, p = _pair(y_true, y_pred)
    _rows_sum_to_one("y_true", t)
    _rows_sum_to_one("y_pred", p)
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
    _check_eps(eps)
    t, p = _pair(y_true, y_pred)
    _rows_sum_to_one("y_true", t)
    _rows_sum_to_one("y_pred", p)
    return (0.0 - t / p.clamp(min=eps)) * (p >= eps) / p.shape[0]


def _sparse_pair(y_true, y_pred):
    t = torch.as_tensor(y_true)
    if t.dtype not in _INTS:
        raise TypeError(f"sparse labels y_true must be integers (class indices), got dtype {t.dtype}")
    p = _as_real("y_pred", y_pred)
    p = p if p.is_floating_point() else p.to(torch.get_default_dtype())
    if p.dim() != 2 or t.shape != (p.shape[0],):
        raise ValueError(f"y_true has shape {tuple(t.shape)} but y_pred has {tuple(p.shape)}; sparse "
                         "labels need y_pred of shape (N, C) and y_true of shape (N,)")
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
    _check_eps(eps)
    t, p = _sparse_pair(y_true, y_pred)
    _rows_sum_to_one("y_pred", p)
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
    _check_eps(eps)
    t, p = _sparse_pair(y_true, y_pred)
    _rows_sum_to_one("y_pred", p)
    picked = p.gather(1, t[:, None])  # (N, 1)
    g = -1.0 / picked.clamp(min=eps) * (picked >= eps) / p.shape[0]
    return torch.zeros_like(p).scatter(1, t[:, None], g)


def _targets_for_logits(y_true, logits):
    t = torch.as_tensor(y_true)
    if t.dtype in _INTS:
        t, z = _sparse_pair(t, logits)
        return torch.nn.functional.one_hot(t, z.shape[1]).to(z.dtype), z  # (N, C)
    t, z = _pair(t, logits)
    _rows_sum_to_one("y_true", t)
    return t, z


def cross_entropy_with_logits(y_true, logits):
    r"""Softmax cross-entropy from (N, C) logits with ``logsumexp``; labels are (N,) class indices
    or (N, C) distributions: :math:`-\frac{1}{N}\sum_{n,c}y_{nc}(z_{nc} - \ln\sum_k e^{z_{nk}})`.

    See Also
    --------
    dlbook.nn.cross_entropy.cross_entropy_with_logits, :ref:`ch-losses`

    Examples
    --------
    >>> float(cross_entropy_with_logits(torch.tensor([0]), torch.tensor([[0., 1000.]])))
    1000.0
    """
    t, z = _targets_for_logits(y_true, logits)
    log_softmax = z - torch.logsumexp(z, dim=1, keepdim=True)  # (N, C)
    return -(t * log_softmax).sum() / z.shape[0]


def cross_entropy_with_logits_grad(y_true, logits):
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
    t, z = _targets_for_logits(y_true, logits)
    return (torch.softmax(z, dim=1) * t.sum(dim=1, keepdim=True) - t) / z.shape[0]
