r"""Connectionist temporal classification (CTC) in NumPy: the collapse map, the alpha and beta
recursions, the negative log-likelihood of one sequence with its gradient, and the batched loss.

A network emits, at each of :math:`T` frames, log-probabilities over :math:`C` classes, one of
which is the *blank*.  An alignment :math:`\pi \in \{0..C-1\}^T` is read by the collapse map
:math:`\mathcal{B}` (merge repeated symbols, then drop blanks), and the CTC likelihood of a
target :math:`y` sums over every alignment that collapses to it:
:math:`p(y \mid x) = \sum_{\pi:\,\mathcal{B}(\pi) = y} \prod_t p_t(\pi_t)`.  Dynamic
programming over the blank-extended target makes that sum :math:`O(T\,U)` instead of
:math:`O(C^T)`.

One sequence at a time: :func:`ctc_alpha`, :func:`ctc_beta`, :func:`ctc_nll` and its gradient
:func:`ctc_nll_grad`. A batch, in the layout of ``torch.nn.functional.ctc_loss``:
:func:`ctc_loss`.

See Also
--------
dlbook.nlp.ctc_torch : the same names in PyTorch (batched and differentiable).
:ref:`ch-dp-elsewhere` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import int_value, one_of, real_array

__all__ = ["ctc_collapse", "ctc_extend", "ctc_min_frames", "ctc_alpha", "ctc_beta", "ctc_nll",
           "ctc_nll_grad", "ctc_loss", "ctc_greedy_decode"]


def _check_labels(name, seq, blank, C=None, *, allow_blank):
    """A 1-D int64 array of class indices in [0, C), without the blank unless allowed."""
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


def _sequence(log_probs, target, blank):
    """Checked (T, C) float64 log-probabilities, the target as int64 and the blank as int."""
    lp = real_array(log_probs, "log_probs", ndim=2).astype(np.float64)
    if lp.shape[0] < 1 or lp.shape[1] < 2:
        raise ValueError(f"log_probs must have shape (T, C) with T >= 1 and C >= 2, got "
                         f"{lp.shape}")
    if np.any(np.isnan(lp)) or np.any(lp == np.inf):
        raise ValueError("log_probs must not contain NaN or +inf")
    blank = int_value(blank, "blank", low=0, high=lp.shape[1] - 1)
    return lp, _check_labels("target", target, blank, lp.shape[1], allow_blank=False), blank


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
    dlbook.nlp.ctc_torch.ctc_collapse : the twin. Chapter :ref:`ch-dp-elsewhere`.

    Examples
    --------
    >>> ctc_collapse([1, 1, 0, 1, 2, 2, 0])
    [1, 1, 2]
    """
    blank = int_value(blank, "blank", low=0)
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

    Examples
    --------
    >>> ctc_extend([3, 3, 5]).tolist()
    [0, 3, 0, 3, 0, 5, 0]
    """
    blank = int_value(blank, "blank", low=0)
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


def ctc_alpha(log_probs, target, blank=0) -> np.ndarray:
    r"""The CTC forward variables :math:`\log\alpha_t(s)` over the blank-extended target.

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
        Log of the summed probability of all prefixes :math:`\pi_{1..t}` that end at position
        :math:`s` of :math:`y'` (frame :math:`t` included); ``-inf`` where none can.

    Raises
    ------
    ValueError, TypeError
        On wrong shapes, NaN, labels out of range or equal to the blank.

    Notes
    -----
    With :math:`y'` from :func:`ctc_extend`, :math:`\log\alpha_1(0) = \log p_1(b)`,
    :math:`\log\alpha_1(1) = \log p_1(y_1)`, and

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
    ctc_beta, ctc_nll, dlbook.nlp.ctc_torch.ctc_alpha. Chapter :ref:`ch-dp-elsewhere`.

    Examples
    --------
    Two frames, uniform over {blank, a}: the alignments of "a" are (a, a), (a, -), (-, a).

    >>> np.exp(ctc_alpha(np.log(np.full((2, 2), 0.5)), [1])).round(2)
    array([[0.5 , 0.5 , 0.  ],
           [0.25, 0.5 , 0.25]])
    """
    lp, y, blank = _sequence(log_probs, target, blank)
    ext = ctc_extend(y, blank)  # (S,)
    T, S = lp.shape[0], ext.shape[0]
    skip = _skip_allowed(ext, blank)  # (S,)
    emit = lp[:, ext]  # (T, S): log p_t(y'_s)
    log_alpha = np.full((T, S), -np.inf)
    log_alpha[0, :2] = emit[0, :2]  # start on the first blank or the first label
    for t in range(1, T):
        prev = log_alpha[t - 1]
        stay_or_step = prev.copy()
        stay_or_step[1:] = np.logaddexp(prev[1:], prev[:-1])  # from s or s-1
        jump = np.full(S, -np.inf)
        jump[2:] = np.where(skip[2:], prev[:-2], -np.inf)  # from s-2 where allowed
        log_alpha[t] = np.logaddexp(stay_or_step, jump) + emit[t]
    return log_alpha


def ctc_beta(log_probs, target, blank=0) -> np.ndarray:
    r"""The CTC backward variables :math:`\log\beta_t(s)` (frame :math:`t` itself excluded).

    Parameters
    ----------
    log_probs, target, blank
        As in :func:`ctc_alpha`.

    Returns
    -------
    log_beta : ndarray of shape (T, 2U + 1)
        Log of the summed probability of all suffixes :math:`\pi_{t+1..T}` that, starting from
        position :math:`s` at frame :math:`t`, finish at one of the last two positions.

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
    ctc_alpha, ctc_nll_grad, dlbook.nlp.ctc_torch.ctc_beta. Chapter :ref:`ch-dp-elsewhere`.

    Examples
    --------
    >>> np.exp(ctc_beta(np.log(np.full((2, 2), 0.5)), [1])).round(2)
    array([[0.5, 1. , 0.5],
           [0. , 1. , 1. ]])
    """
    lp, y, blank = _sequence(log_probs, target, blank)
    ext = ctc_extend(y, blank)
    T, S = lp.shape[0], ext.shape[0]
    skip = _skip_allowed(ext, blank)
    emit = lp[:, ext]  # (T, S)
    log_beta = np.full((T, S), -np.inf)
    log_beta[-1, -2:] = 0.0  # finish on the last label or the final blank
    for t in range(T - 2, -1, -1):
        nxt = emit[t + 1] + log_beta[t + 1]  # (S,)
        stay_or_step = nxt.copy()
        stay_or_step[:-1] = np.logaddexp(nxt[:-1], nxt[1:])  # to s or s+1
        jump = np.full(S, -np.inf)
        jump[:-2] = np.where(skip[2:], nxt[2:], -np.inf)  # to s+2 where allowed
        log_beta[t] = np.logaddexp(stay_or_step, jump)
    return log_beta


def _log_likelihood(log_alpha) -> float:
    """log p(y|x) from the last row of alpha: finish on the last label or the final blank."""
    return float(np.logaddexp.reduce(log_alpha[-1, -2:]))


def ctc_nll(log_probs, target, blank=0) -> float:
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
        :math:`T` is below :func:`ctc_min_frames` (no alignment exists).

    See Also
    --------
    ctc_loss : a batch. dlbook.nlp.ctc_torch.ctc_nll : the twin. Chapter :ref:`ch-dp-elsewhere`.

    Examples
    --------
    >>> round(ctc_nll(np.log(np.full((2, 2), 0.5)), [1]), 4)  # -log(3/4)
    0.2877
    """
    return -_log_likelihood(ctc_alpha(log_probs, target, blank))


def ctc_nll_grad(log_probs, target, blank=0) -> np.ndarray:
    r"""Gradient of :func:`ctc_nll` with respect to ``log_probs``, by forward-backward.

    Parameters
    ----------
    log_probs, target, blank
        As in :func:`ctc_nll`.

    Returns
    -------
    grad : ndarray of shape (T, C)
        :math:`\partial(-\log p)/\partial \log p_t(k) = -\gamma_t(k)`, minus the posterior
        probability that frame :math:`t` emits class :math:`k`.  Each row sums to :math:`-1`.

    Raises
    ------
    ValueError
        If the loss is infinite (the target cannot be aligned), or as :func:`ctc_alpha`.

    Notes
    -----
    :math:`\gamma_t(k) = \sum_{s:\,y'_s = k} \exp\bigl(\log\alpha_t(s) + \log\beta_t(s)
    - \log p(y\mid x)\bigr)`, with ``log_probs`` taken as free inputs.  PyTorch's
    ``F.ctc_loss`` instead returns :math:`p_t(k) - \gamma_t(k)`, the gradient with respect to
    the logits *through* a ``log_softmax`` (pytorch/pytorch#52241); the two agree once chained
    through ``log_softmax``.

    See Also
    --------
    ctc_alpha, ctc_beta. Chapter :ref:`ch-dp-elsewhere`.

    Examples
    --------
    >>> ctc_nll_grad(np.log(np.full((2, 2), 0.5)), [1]).round(4)  # (a,a), (a,-), (-,a)
    array([[-0.3333, -0.6667],
           [-0.3333, -0.6667]])
    """
    lp, y, blank = _sequence(log_probs, target, blank)
    log_alpha, log_beta = ctc_alpha(lp, y, blank), ctc_beta(lp, y, blank)
    log_p = _log_likelihood(log_alpha)
    if not np.isfinite(log_p):
        raise ValueError(f"target of length {y.shape[0]} needs at least {ctc_min_frames(y)} "
                         f"frames, got T={lp.shape[0]}: the loss is infinite")
    occupancy = np.exp(log_alpha + log_beta - log_p)  # (T, S): P(at position s at frame t)
    onehot = ctc_extend(y, blank)[:, None] == np.arange(lp.shape[1])[None, :]  # (S, C)
    return -(occupancy @ onehot)  # (T, C)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="none"):
    r"""CTC loss of a batch in ``torch.nn.functional.ctc_loss``'s layout, one sequence at a time.

    Parameters
    ----------
    log_probs : array_like of shape (T, N, C)
        Per-frame log-probabilities, time first.
    targets : array_like of int, shape (N, U_max)
        Padded target labels; entries past ``target_lengths[n]`` are ignored.
    input_lengths, target_lengths : array_like of int, shape (N,)
        Frames used by each sequence, in ``[1, T]``; labels in each target, in ``[0, U_max]``.
    blank : int, default 0
    reduction : {"none", "sum", "mean"}, default "none"
        ``"mean"`` divides each loss by its target length (at least 1), then averages over the
        batch, as PyTorch does.

    Returns
    -------
    ndarray of shape (N,) for ``"none"``, else float
        :func:`ctc_nll` of ``log_probs[:input_lengths[n], n]`` and
        ``targets[n, :target_lengths[n]]``; ``inf`` where no alignment exists.

    Raises
    ------
    ValueError
        On wrong shapes, lengths out of range, invalid labels or an unknown reduction.

    See Also
    --------
    dlbook.nlp.ctc_torch.ctc_loss : the twin, all sequences at once. :ref:`ch-dp-elsewhere`.

    Examples
    --------
    >>> lp = np.log(np.full((2, 2, 2), 0.5))              # two sequences of two frames
    >>> ctc_loss(lp, [[1], [1]], [2, 1], [1, 1]).round(4)  # -log(3/4) and -log(1/2)
    array([0.2877, 0.6931])
    """
    lp = real_array(log_probs, "log_probs", ndim=3)
    T, N, _ = lp.shape
    targets = np.asarray(targets)
    if targets.ndim != 2 or targets.shape[0] != N:
        raise ValueError(f"targets must have shape ({N}, U_max), got {targets.shape}")
    il, tl = np.asarray(input_lengths), np.asarray(target_lengths)
    if il.shape != (N,) or tl.shape != (N,):
        raise ValueError(f"input_lengths and target_lengths must have shape ({N},), got "
                         f"{il.shape} and {tl.shape}")
    if il.min() < 1 or il.max() > T:
        raise ValueError(f"input_lengths must lie in [1, {T}], got {il.tolist()}")
    if tl.min() < 0 or tl.max() > targets.shape[1]:
        raise ValueError(f"target_lengths must lie in [0, {targets.shape[1]}], got {tl.tolist()}")
    one_of(reduction, "reduction", ("none", "sum", "mean"))
    losses = np.array([ctc_nll(lp[:il[n], n], targets[n, :tl[n]], blank) for n in range(N)])
    if reduction == "none":
        return losses
    if reduction == "sum":
        return float(losses.sum())
    return float(np.mean(losses / np.maximum(tl, 1)))


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

    See Also
    --------
    ctc_collapse, dlbook.nlp.ctc_torch.ctc_greedy_decode. Chapter :ref:`ch-dp-elsewhere`.

    Examples
    --------
    >>> ctc_greedy_decode(np.log([[0.1, 0.9], [0.6, 0.4], [0.2, 0.8]]))
    [1, 1]
    """
    lp, _, blank = _sequence(log_probs, [], blank)
    return ctc_collapse(np.argmax(lp, axis=1), blank)
