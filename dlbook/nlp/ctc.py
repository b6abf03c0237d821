r"""Connectionist temporal classification (CTC): the collapse map, the forward-backward algorithm,
the loss and its gradient, for one sequence in NumPy.

A network emits, at each of :math:`T` frames, log-probabilities over :math:`C` classes, one of
which is the *blank*.  An alignment :math:`\pi \in \{0..C-1\}^T` is read by the collapse map
:math:`\mathcal{B}` (merge repeated symbols, then drop blanks), and the CTC likelihood of a
target :math:`y` sums over every alignment that collapses to it:
:math:`p(y \mid x) = \sum_{\pi:\,\mathcal{B}(\pi) = y} \prod_t p_t(\pi_t)`.  Dynamic
programming over the blank-extended target makes that sum :math:`O(T\,U)` instead of
:math:`O(C^T)`.

See Also
--------
dlbook.nlp.ctc_torch : a batched, differentiable PyTorch version with ``F.ctc_loss``'s layout.
:ref:`ch-dp-elsewhere` : the chapter.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ctc_collapse",
    "ctc_extend",
    "ctc_min_frames",
    "ctc_forward",
    "ctc_backward",
    "ctc_loss",
    "ctc_loss_grad",
    "ctc_greedy_decode",
]


def _check_blank(blank, C=None):
    if isinstance(blank, bool) or not isinstance(blank, (int, np.integer)):
        raise TypeError(f"blank must be an int, got {type(blank).__name__}")
    if blank < 0 or (C is not None and blank >= C):
        raise ValueError(f"blank must lie in [0, {C}), got {blank}" if C is not None
                         else f"blank must be non-negative, got {blank}")


def _check_labels(name, seq, blank, C=None, *, allow_blank):
    a = np.asarray(seq)
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {a.shape}")
    if a.size == 0:
        return a.astype(np.int64)
    if a.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class indices, got dtype {a.dtype}")
    if a.min() < 0 or (C is not None and a.max() >= C):
        bound = f"in [0, {C})" if C is not None else "non-negative"
        raise ValueError(f"{name} indices must be {bound}, got min {a.min()}, max {a.max()}")
    if not allow_blank and np.any(a == blank):
        raise ValueError(f"{name} must not contain the blank index {blank}: {a.tolist()}")
    return a.astype(np.int64)


def _check_inputs(log_probs, target, blank):
    lp = np.asarray(log_probs, dtype=np.float64)
    if lp.ndim != 2 or lp.shape[0] < 1 or lp.shape[1] < 2:
        raise ValueError(f"log_probs must have shape (T, C) with T >= 1 and C >= 2, got "
                         f"{lp.shape}")
    if np.any(np.isnan(lp)) or np.any(lp == np.inf):
        raise ValueError("log_probs must not contain NaN or +inf")
    _check_blank(blank, lp.shape[1])
    y = _check_labels("target", target, blank, lp.shape[1], allow_blank=False)
    return lp, y


def ctc_collapse(path, blank=0) -> list[int]:
    r"""The CTC collapse map :math:`\mathcal{B}`: merge runs of the same symbol, drop blanks.

    Parameters
    ----------
    path : array_like of int, shape (T,)
        One class index per frame.
    blank : int, default 0

    Returns
    -------
    list of int
        The label sequence the alignment stands for.

    Raises
    ------
    ValueError, TypeError
        If ``path`` is not 1-D integers, holds a negative index, or ``blank`` is invalid.

    Notes
    -----
    Frame :math:`t` is kept when :math:`\pi_t \ne \pi_{t-1}` and :math:`\pi_t \ne` blank.
    A blank between two equal symbols keeps them apart: ``a - a`` gives ``aa``, ``a a``
    gives ``a``.

    See Also
    --------
    ctc_extend
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> ctc_collapse([1, 1, 0, 1, 2, 2, 0])
    [1, 1, 2]
    """
    _check_blank(blank)
    p = _check_labels("path", path, blank, allow_blank=True)
    keep = np.ones(p.shape, dtype=bool)
    keep[1:] = p[1:] != p[:-1]  # first frame of each run
    return p[keep & (p != blank)].tolist()


def ctc_extend(target, blank=0) -> np.ndarray:
    r"""Blank-extended label sequence :math:`y' = (b, y_1, b, y_2, \dots, y_U, b)`.

    Parameters
    ----------
    target : array_like of int, shape (U,)
        Labels, none equal to ``blank``.
    blank : int, default 0

    Returns
    -------
    ndarray of int64, shape (2U + 1,)
        Even positions hold the blank, odd positions the labels.

    Raises
    ------
    ValueError, TypeError
        If ``target`` is not 1-D integers or contains the blank.

    See Also
    --------
    ctc_forward
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> ctc_extend([3, 3, 5]).tolist()
    [0, 3, 0, 3, 0, 5, 0]
    """
    _check_blank(blank)
    y = _check_labels("target", target, blank, allow_blank=False)
    ext = np.full(2 * y.shape[0] + 1, blank, dtype=np.int64)
    ext[1::2] = y
    return ext


def ctc_min_frames(target) -> int:
    r"""Fewest frames :math:`T` for which some alignment collapses to ``target``.

    Parameters
    ----------
    target : array_like of int, shape (U,)

    Returns
    -------
    int
        :math:`U + r`, where :math:`r` counts adjacent equal labels (each pair needs a blank
        frame between them).  Not :math:`2U + 1`: that is the length of the extended sequence.

    Raises
    ------
    ValueError, TypeError
        If ``target`` is not 1-D integers.

    See Also
    --------
    ctc_extend
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> ctc_min_frames([8, 5, 12, 12, 15])  # h e l l o: five letters, one repeat
    6
    """
    y = _check_labels("target", target, -1, allow_blank=True)
    return int(y.shape[0] + np.count_nonzero(y[1:] == y[:-1]))


def _skip_allowed(ext, blank):
    """(S,) bool: may a path jump from position s-2 straight to s (skipping a blank)?"""
    skip = np.zeros(ext.shape, dtype=bool)
    skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    return skip


def ctc_forward(log_probs, target, blank=0) -> np.ndarray:
    r"""CTC forward variables :math:`\log\alpha_t(s)` over the blank-extended target.

    Parameters
    ----------
    log_probs : array_like of shape (T, C)
        Per-frame log-probabilities (normally a ``log_softmax`` output).
    target : array_like of int, shape (U,)
        Labels in ``[0, C)``, without the blank.
    blank : int, default 0

    Returns
    -------
    log_alpha : ndarray of shape (T, 2U + 1)
        :math:`\log\alpha_t(s)`: log of the summed probability of all prefixes
        :math:`\pi_{1..t}` that end at position :math:`s` of :math:`y'` (the probability of
        frame :math:`t` included).  ``-inf`` where no prefix can be.

    Raises
    ------
    ValueError, TypeError
        On wrong shapes, NaN, labels out of range or equal to the blank.

    Notes
    -----
    With :math:`y'` from :func:`ctc_extend` and :math:`S = 2U + 1`,
    :math:`\log\alpha_1(0) = \log p_1(b)`, :math:`\log\alpha_1(1) = \log p_1(y_1)`, and

    .. math::

        \log\alpha_t(s) = \operatorname{logsumexp}\bigl(\log\alpha_{t-1}(s),\,
        \log\alpha_{t-1}(s-1),\, [\text{skip}_s]\,\log\alpha_{t-1}(s-2)\bigr)
        + \log p_t(y'_s),

    where the skip from :math:`s-2` is allowed only when :math:`y'_s \ne b` and
    :math:`y'_s \ne y'_{s-2}` (a repeated label must pass through the blank between).  Each
    frame is one vectorized update over all :math:`s`.

    References
    ----------
    A. Graves, S. Fernández, F. Gomez, J. Schmidhuber, "Connectionist temporal classification:
    labelling unsegmented sequence data with recurrent neural networks", ICML 2006.

    See Also
    --------
    ctc_loss, ctc_backward
    dlbook.nlp.ctc_torch.ctc_loss : batched PyTorch version.
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    Two frames, uniform over {blank, a}: the alignments of "a" are (a, a), (a, -), (-, a).

    >>> la = ctc_forward(np.log(np.full((2, 2), 0.5)), [1])
    >>> np.exp(la).round(2)
    array([[0.5 , 0.5 , 0.  ],
           [0.25, 0.5 , 0.25]])
    """
    lp, y = _check_inputs(log_probs, target, blank)
    T = lp.shape[0]
    ext = ctc_extend(y, blank)  # (S,)
    S = ext.shape[0]
    skip = _skip_allowed(ext, blank)  # (S,)
    emit = lp[:, ext]  # (T, S): log p_t(y'_s)
    log_alpha = np.full((T, S), -np.inf)
    log_alpha[0, 0] = emit[0, 0]
    if S > 1:
        log_alpha[0, 1] = emit[0, 1]
    for t in range(1, T):
        prev = log_alpha[t - 1]
        stay_or_step = prev.copy()
        stay_or_step[1:] = np.logaddexp(prev[1:], prev[:-1])  # from s or s-1
        jump = np.full(S, -np.inf)
        jump[2:] = np.where(skip[2:], prev[:-2], -np.inf)  # from s-2 where allowed
        log_alpha[t] = np.logaddexp(stay_or_step, jump) + emit[t]
    return log_alpha


def ctc_backward(log_probs, target, blank=0) -> np.ndarray:
    r"""CTC backward variables :math:`\log\beta_t(s)` (frame :math:`t` itself excluded).

    Parameters
    ----------
    log_probs, target, blank
        As in :func:`ctc_forward`.

    Returns
    -------
    log_beta : ndarray of shape (T, 2U + 1)
        Log of the summed probability of all suffixes :math:`\pi_{t+1..T}` that, starting from
        position :math:`s` at frame :math:`t`, finish at one of the last two positions.

    Raises
    ------
    ValueError, TypeError
        As :func:`ctc_forward`.

    Notes
    -----
    :math:`\log\beta_T(s) = 0` for :math:`s \in \{S-1, S-2\}`, ``-inf`` otherwise, and

    .. math::

        \log\beta_t(s) = \operatorname{logsumexp}_{s' \in \{s,\,s+1,\,s+2\}}
        \bigl(\log p_{t+1}(y'_{s'}) + \log\beta_{t+1}(s')\bigr),

    with :math:`s+2` only where the forward skip into :math:`s+2` is allowed.  Because frame
    :math:`t` is in :math:`\alpha` but not in :math:`\beta`,
    :math:`\sum_s \alpha_t(s)\beta_t(s) = p(y \mid x)` for every :math:`t`.

    See Also
    --------
    ctc_forward, ctc_loss_grad
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> lb = ctc_backward(np.log(np.full((2, 2), 0.5)), [1])
    >>> np.exp(lb).round(2)
    array([[0.5, 1. , 0.5],
           [0. , 1. , 1. ]])
    """
    lp, y = _check_inputs(log_probs, target, blank)
    T = lp.shape[0]
    ext = ctc_extend(y, blank)
    S = ext.shape[0]
    skip = _skip_allowed(ext, blank)
    emit = lp[:, ext]  # (T, S)
    log_beta = np.full((T, S), -np.inf)
    log_beta[-1, -1] = 0.0
    if S > 1:
        log_beta[-1, -2] = 0.0
    for t in range(T - 2, -1, -1):
        nxt = emit[t + 1] + log_beta[t + 1]  # (S,)
        stay_or_step = nxt.copy()
        stay_or_step[:-1] = np.logaddexp(nxt[:-1], nxt[1:])  # to s or s+1
        jump = np.full(S, -np.inf)
        jump[:-2] = np.where(skip[2:], nxt[2:], -np.inf)  # to s+2 where allowed
        log_beta[t] = np.logaddexp(stay_or_step, jump)
    return log_beta


def ctc_loss(log_probs, target, blank=0) -> float:
    r"""CTC negative log-likelihood :math:`-\log p(y \mid x)` of one sequence.

    Parameters
    ----------
    log_probs : array_like of shape (T, C)
    target : array_like of int, shape (U,)
    blank : int, default 0

    Returns
    -------
    float
        :math:`-\operatorname{logsumexp}(\log\alpha_T(S-1), \log\alpha_T(S-2))`; ``inf`` when
        :math:`T` is below :func:`ctc_min_frames` (no alignment exists).  Equals
        ``torch.nn.functional.ctc_loss(..., reduction="none")``.

    Raises
    ------
    ValueError, TypeError
        As :func:`ctc_forward`.

    See Also
    --------
    dlbook.nlp.ctc_torch.ctc_loss : the batched PyTorch twin.
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> round(ctc_loss(np.log(np.full((2, 2), 0.5)), [1]), 4)  # -log(3/4)
    0.2877
    """
    log_alpha = ctc_forward(log_probs, target, blank)
    ends = log_alpha[-1, -2:] if log_alpha.shape[1] > 1 else log_alpha[-1, -1:]
    return float(-np.logaddexp.reduce(ends))


def ctc_loss_grad(log_probs, target, blank=0) -> np.ndarray:
    r"""Gradient of :func:`ctc_loss` with respect to ``log_probs``, by forward-backward.

    Parameters
    ----------
    log_probs, target, blank
        As in :func:`ctc_loss`.

    Returns
    -------
    grad : ndarray of shape (T, C)
        :math:`\partial(-\log p)/\partial \log p_t(k) = -\gamma_t(k)`, minus the posterior
        probability that frame :math:`t` emits class :math:`k`.  Each row sums to :math:`-1`.

    Raises
    ------
    ValueError
        If the loss is infinite (the target cannot be aligned), or as :func:`ctc_forward`.

    Notes
    -----
    :math:`\gamma_t(k) = \sum_{s:\,y'_s = k} \exp\bigl(\log\alpha_t(s) + \log\beta_t(s)
    + \log p(y\mid x)^{-1}\bigr)`.  Here ``log_probs`` are free inputs.  PyTorch's
    ``F.ctc_loss`` instead returns :math:`p_t(k) - \gamma_t(k)`, the gradient with respect to
    the logits *through* a ``log_softmax`` (pytorch/pytorch#52241); the two agree once chained
    through ``log_softmax``.

    See Also
    --------
    ctc_forward, ctc_backward
    dlbook.nlp.ctc_torch.ctc_loss : autograd gives the same gradient.
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> ctc_loss_grad(np.log(np.full((2, 2), 0.5)), [1]).round(4)  # (a,a), (a,-), (-,a)
    array([[-0.3333, -0.6667],
           [-0.3333, -0.6667]])
    """
    lp, y = _check_inputs(log_probs, target, blank)
    log_alpha = ctc_forward(lp, y, blank)
    log_beta = ctc_backward(lp, y, blank)
    ends = log_alpha[-1, -2:] if log_alpha.shape[1] > 1 else log_alpha[-1, -1:]
    log_p = np.logaddexp.reduce(ends)
    if not np.isfinite(log_p):
        raise ValueError(f"target of length {y.shape[0]} needs at least {ctc_min_frames(y)} "
                         f"frames, got T={lp.shape[0]}: the loss is infinite")
    occ = np.exp(log_alpha + log_beta - log_p)  # (T, S): posterior of being at s at frame t
    ext = ctc_extend(y, blank)
    onehot = ext[:, None] == np.arange(lp.shape[1])[None, :]  # (S, C)
    return -(occ @ onehot)  # (T, C)


def ctc_greedy_decode(log_probs, blank=0) -> list[int]:
    r"""Best-path decoding: the most likely class per frame, then the collapse map.

    Parameters
    ----------
    log_probs : array_like of shape (T, C)
    blank : int, default 0

    Returns
    -------
    list of int
        :math:`\mathcal{B}(\arg\max_k \log p_t(k))_{t=1..T}`.  Fast, but not always the most
        probable labelling, which sums over alignments.

    Raises
    ------
    ValueError, TypeError
        As :func:`ctc_forward`.

    See Also
    --------
    ctc_collapse
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> ctc_greedy_decode(np.log([[0.1, 0.9], [0.6, 0.4], [0.2, 0.8]]))
    [1, 1]
    """
    lp, _ = _check_inputs(log_probs, [], blank)
    return ctc_collapse(np.argmax(lp, axis=1), blank)
