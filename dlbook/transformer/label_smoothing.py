r"""Label smoothing: cross-entropy against a target that keeps :math:`1 - \varepsilon` on the
right class and spreads :math:`\varepsilon` over all :math:`K` classes.

.. math::

    q_k = (1 - \varepsilon)\,[k = y] + \frac{\varepsilon}{K}, \qquad
    \ell = -\sum_k q_k \log p_k
         = (1 - \varepsilon)\,(-\log p_y) + \varepsilon \Big(-\frac1K \sum_k \log p_k\Big).

The model is no longer pushed to make :math:`p_y \to 1` (the loss is smallest at
:math:`p = q`); the original transformer used :math:`\varepsilon = 0.1`, which raised its
perplexity but improved BLEU. This is ``torch.nn.functional.cross_entropy(...,
label_smoothing=eps)``, which the tests hold it to.

See Also
--------
:ref:`ch-transformer` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook import _checks

__all__ = ["label_smoothing_cross_entropy"]


def label_smoothing_cross_entropy(logits, target, smoothing, ignore_index=None):
    r"""Mean label-smoothed cross-entropy of ``logits`` (N, K) for class ids ``target`` (N,).

    Parameters
    ----------
    logits : array_like of shape (N, K)
    target : array_like of int, shape (N,)
    smoothing : float in [0, 1]
        :math:`\varepsilon`; 0 is the plain cross-entropy.
    ignore_index : int, optional
        Rows whose target is this id (padding) are left out of the mean.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the shapes do not fit, a target is out of range, or every row is ignored.

    Examples
    --------
    Two classes with equal logits: :math:`-\log p = \log 2` whatever the target, smoothed or
    not. With :math:`p = (0.8, 0.2)` and :math:`\varepsilon = 0.1`,
    :math:`q = (0.95, 0.05)`:

    >>> round(label_smoothing_cross_entropy([[0.0, 0.0]], [0], 0.1), 6)
    0.693147
    >>> z = np.log([[0.8, 0.2]])
    >>> round(label_smoothing_cross_entropy(z, [0], 0.1), 6)     # -(0.95 ln .8 + .05 ln .2)
    0.292458
    """
    z = _checks.real_array(logits, "logits", ndim=2)
    y = np.asarray(target)
    if y.dtype.kind not in "iu":
        raise TypeError(f"target must hold integer class ids, got dtype {y.dtype}")
    N, K = z.shape
    _checks.check_shape(y, "target", (N,), "(N,)")
    eps = _checks.probability(smoothing, "smoothing")
    keep = np.ones(N, dtype=bool) if ignore_index is None else y != ignore_index
    if not keep.any():
        raise ValueError("every target equals ignore_index: nothing to average")
    z, y = z[keep], y[keep]
    if y.min() < 0 or y.max() >= K:
        raise ValueError(f"target ids must lie in [0, {K}), got {y.min()}..{y.max()}")
    top = z.max(axis=1, keepdims=True)
    logp = z - top - np.log(np.exp(z - top).sum(axis=1, keepdims=True))      # (n, K)
    nll = -logp[np.arange(y.size), y]
    uniform = -logp.mean(axis=1)
    return float(np.mean((1 - eps) * nll + eps * uniform))
