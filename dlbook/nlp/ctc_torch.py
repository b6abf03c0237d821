r"""CTC in PyTorch, differentiable by autograd: the twin of :mod:`dlbook.nlp.ctc`.

The same names with the same meaning, on tensors and on any device. :func:`ctc_loss` has
``torch.nn.functional.ctc_loss``'s layout and advances every sequence of the batch and every
position of the blank-extended targets in one tensor operation per frame, the form that suits a
GPU; autograd through it gives the true gradient with respect to ``log_probs`` (which PyTorch's
built-in ``ctc_loss`` does not: see the chapter).

See Also
--------
dlbook.nlp.ctc : the NumPy reference with the explicit forward-backward gradient.
:ref:`ch-dp-elsewhere` : the chapter.
"""

from __future__ import annotations

import torch

from dlbook._checks import check_ndim, int_value, one_of

__all__ = ["ctc_collapse", "ctc_extend", "ctc_min_frames", "ctc_alpha", "ctc_beta", "ctc_nll",
           "ctc_loss", "ctc_greedy_decode"]

# NumPy names this twin leaves out, and why (tests/test_house.py checks the list).
__twin_omits__ = {"ctc_nll_grad": "autograd differentiates ctc_nll"}

# Unreachable lattice positions hold this instead of -inf.  With -inf, autograd through
# logsumexp of all-(-inf) inputs computes exp(-inf - (-inf)) = nan and the NaN spreads into the
# real gradient; a huge finite value contributes exp(-1e30 - x) = 0 exactly and keeps gradients
# finite.  Float32 can hold it too (max ~3.4e38).
_NEG = -1e30


def _label_tensor(name, seq, blank, C=None, *, allow_blank, device=None):
    """A 1-D int64 tensor of class indices in [0, C), without the blank unless allowed."""
    a = torch.as_tensor(seq, device=device)
    if a.dim() != 1:
        raise ValueError(f"{name} must be 1-D, got shape {tuple(a.shape)}")
    if a.numel() == 0:
        return a.long()
    if a.is_floating_point() or a.is_complex() or a.dtype == torch.bool:
        raise TypeError(f"{name} must hold integer class indices, got dtype {a.dtype}")
    if a.min() < 0 or (C is not None and a.max() >= C):
        bound = f"in [0, {C})" if C is not None else "non-negative"
        raise ValueError(f"{name} indices must be {bound}, got min {a.min()}, max {a.max()}")
    if not allow_blank and (a == blank).any():
        raise ValueError(f"{name} must not contain the blank index {blank}: {a.tolist()}")
    return a.long()


def _log_prob_tensor(log_probs, ndim):
    if not torch.is_tensor(log_probs) or not log_probs.is_floating_point():
        raise TypeError("log_probs must be a floating-point tensor")
    check_ndim(log_probs, "log_probs", ndim=ndim)
    if torch.isnan(log_probs).any() or (log_probs == float("inf")).any():
        raise ValueError("log_probs must not contain NaN or +inf")
    return log_probs


def ctc_collapse(path, blank=0) -> list[int]:
    r"""The collapse map :math:`\mathcal{B}`: merge runs (``unique_consecutive``), drop blanks.

    Examples
    --------
    >>> ctc_collapse(torch.tensor([1, 1, 0, 1, 2, 2, 0]))
    [1, 1, 2]
    """
    blank = int_value(blank, "blank", low=0)
    runs = torch.unique_consecutive(_label_tensor("path", path, blank, allow_blank=True))
    return runs[runs != blank].tolist()


def ctc_extend(target, blank=0) -> torch.Tensor:
    r"""Blank-extended labels :math:`y' = (b, y_1, b, \dots, y_U, b)`, shape (2U + 1,).

    Examples
    --------
    >>> ctc_extend(torch.tensor([3, 3, 5])).tolist()
    [0, 3, 0, 3, 0, 5, 0]
    """
    blank = int_value(blank, "blank", low=0)
    y = _label_tensor("target", target, blank, allow_blank=False)
    ext = torch.full((2 * y.numel() + 1,), blank, dtype=torch.long, device=y.device)
    ext[1::2] = y
    return ext


def ctc_min_frames(target) -> int:
    r"""Fewest frames any alignment of ``target`` needs: :math:`U` plus the adjacent repeats.

    Examples
    --------
    >>> ctc_min_frames(torch.tensor([8, 5, 12, 12, 15]))  # h e l l o
    6
    """
    y = _label_tensor("target", target, -1, allow_blank=True)
    return int(y.numel() + (y[1:] == y[:-1]).sum().item())


def _lattice(log_probs, target, blank):
    """Checked inputs, the emissions (T, S) along y' and the skip mask (S,)."""
    lp = _log_prob_tensor(log_probs, 2)
    T, C = lp.shape
    if T < 1 or C < 2:
        raise ValueError(f"log_probs must have shape (T, C) with T >= 1 and C >= 2, got "
                         f"{tuple(lp.shape)}")
    blank = int_value(blank, "blank", low=0, high=C - 1)
    y = _label_tensor("target", target, blank, C, allow_blank=False, device=lp.device)
    ext = ctc_extend(y, blank)  # (S,)
    skip = torch.zeros_like(ext, dtype=torch.bool)
    skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    return lp[:, ext], skip  # (T, S), (S,)


def ctc_alpha(log_probs, target, blank=0) -> torch.Tensor:
    r"""The forward variables :math:`\log\alpha_t(s)` of one sequence, shape (T, 2U + 1).

    The recursion of :func:`dlbook.nlp.ctc.ctc_alpha` (``-inf`` where no prefix can be), one
    tensor update per frame.

    Examples
    --------
    >>> la = ctc_alpha(torch.full((2, 2), 0.5, dtype=torch.float64).log(), torch.tensor([1]))
    >>> la.exp().round(decimals=2)
    tensor([[0.5000, 0.5000, 0.0000],
            [0.2500, 0.5000, 0.2500]], dtype=torch.float64)
    """
    emit, skip = _lattice(log_probs, target, blank)
    T, S = emit.shape
    neg = emit.new_full((S,), _NEG)
    rows = [torch.where(torch.arange(S, device=emit.device) < 2, emit[0], neg)]
    for t in range(1, T):
        prev = rows[-1]
        prev1 = torch.cat([neg[:1], prev[:-1]])  # alpha[s-1]
        prev2 = torch.where(skip, torch.cat([neg[:2], prev[:-2]]), neg)  # alpha[s-2]
        rows.append(torch.logsumexp(torch.stack([prev, prev1, prev2]), dim=0) + emit[t])
    log_alpha = torch.stack(rows)
    return log_alpha.masked_fill(log_alpha <= _NEG / 2, float("-inf"))


def ctc_beta(log_probs, target, blank=0) -> torch.Tensor:
    r"""The backward variables :math:`\log\beta_t(s)` of one sequence, shape (T, 2U + 1).

    The recursion of :func:`dlbook.nlp.ctc.ctc_beta`: frame :math:`t` itself excluded.

    Examples
    --------
    >>> lb = ctc_beta(torch.full((2, 2), 0.5, dtype=torch.float64).log(), torch.tensor([1]))
    >>> lb.exp().round(decimals=2)
    tensor([[0.5000, 1.0000, 0.5000],
            [0.0000, 1.0000, 1.0000]], dtype=torch.float64)
    """
    emit, skip = _lattice(log_probs, target, blank)
    T, S = emit.shape
    neg = emit.new_full((S,), _NEG)
    rows = [torch.where(torch.arange(S, device=emit.device) >= S - 2, torch.zeros_like(neg), neg)]
    jump_ok = torch.zeros_like(skip)
    jump_ok[:-2] = skip[2:]  # (S,): may a path go from s straight to s+2?
    for t in range(T - 2, -1, -1):
        nxt = emit[t + 1] + rows[-1]  # (S,)
        next1 = torch.cat([nxt[1:], neg[:1]])  # to s+1
        next2 = torch.where(jump_ok, torch.cat([nxt[2:], neg[:2]]), neg)  # to s+2
        rows.append(torch.logsumexp(torch.stack([nxt, next1, next2]), dim=0))
    log_beta = torch.stack(rows[::-1])
    return log_beta.masked_fill(log_beta <= _NEG / 2, float("-inf"))


def ctc_nll(log_probs, target, blank=0) -> torch.Tensor:
    r"""CTC negative log-likelihood :math:`-\log p(y \mid x)` of one sequence, a 0-d tensor.

    ``inf`` when no alignment exists; differentiable otherwise.

    Examples
    --------
    >>> lp = torch.full((2, 2), 0.5, dtype=torch.float64).log()
    >>> round(ctc_nll(lp, torch.tensor([1])).item(), 4)  # -log(3/4)
    0.2877
    """
    la = ctc_alpha(log_probs, target, blank)
    return -torch.logsumexp(la[-1, -2:], dim=0)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="none"):
    r"""CTC negative log-likelihood for a batch, vectorized over sequences and lattice positions.

    Parameters
    ----------
    log_probs : Tensor of shape (T, N, C)
        Per-frame log-probabilities (time first, as ``torch.nn.functional.ctc_loss``).
    targets : Tensor of int, shape (N, U_max)
        Padded target labels; entries past ``target_lengths[n]`` are ignored.
    input_lengths : Tensor or sequence of int, shape (N,)
        Frames used by each sequence, in ``[1, T]``.
    target_lengths : Tensor or sequence of int, shape (N,)
        Labels in each target, in ``[0, U_max]``.
    blank : int, default 0
    reduction : {"none", "sum", "mean"}, default "none"
        ``"mean"`` divides each loss by its target length (at least 1) and then averages over
        the batch, as PyTorch does.

    Returns
    -------
    Tensor
        Shape (N,) for ``"none"``, a scalar otherwise; ``inf`` for a sequence that has fewer
        frames than its target needs.

    Raises
    ------
    ValueError
        On wrong shapes, lengths out of range, labels out of range or equal to the blank, or an
        unknown reduction.
    TypeError
        If ``log_probs`` is not a floating-point tensor or ``targets`` not an integer tensor.

    Notes
    -----
    The recursion of :func:`ctc_alpha` with the batch as a leading dimension: for every frame,

    .. math::

        \log\alpha_t[n, s] = \operatorname{logsumexp}\bigl(\log\alpha_{t-1}[n, s],\,
        \log\alpha_{t-1}[n, s-1],\, \text{skip}[n, s]\,\log\alpha_{t-1}[n, s-2]\bigr)
        + \log p_t[n, y'_{n,s}].

    Position :math:`s` depends only on positions :math:`\le s`, so the padding past
    :math:`2U_n` never contaminates the lattice of sequence :math:`n`.  The loss of sequence
    :math:`n` is read at its own last frame ``input_lengths[n] - 1``.

    See Also
    --------
    dlbook.nlp.ctc.ctc_loss : the NumPy twin, one sequence at a time.
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> lp = torch.full((2, 1, 2), 0.5, dtype=torch.float64).log()
    >>> ctc_loss(lp, torch.tensor([[1]]), [2], [1])  # -log(3/4)
    tensor([0.2877], dtype=torch.float64)
    """
    _log_prob_tensor(log_probs, 3)
    T, N, C = log_probs.shape
    device = log_probs.device
    targets = torch.as_tensor(targets, device=device)
    if targets.is_floating_point() or targets.dtype == torch.bool:
        raise TypeError(f"targets must hold integer labels, got dtype {targets.dtype}")
    if targets.dim() != 2 or targets.shape[0] != N:
        raise ValueError(f"targets must have shape ({N}, U_max), got {tuple(targets.shape)}")
    input_lengths = torch.as_tensor(input_lengths, device=device).long()
    target_lengths = torch.as_tensor(target_lengths, device=device).long()
    if input_lengths.shape != (N,) or target_lengths.shape != (N,):
        raise ValueError(f"input_lengths and target_lengths must have shape ({N},), got "
                         f"{tuple(input_lengths.shape)} and {tuple(target_lengths.shape)}")
    U_max = targets.shape[1]
    if input_lengths.min() < 1 or input_lengths.max() > T:
        raise ValueError(f"input_lengths must lie in [1, {T}], got {input_lengths.tolist()}")
    if target_lengths.min() < 0 or target_lengths.max() > U_max:
        raise ValueError(f"target_lengths must lie in [0, {U_max}], got "
                         f"{target_lengths.tolist()}")
    blank = int_value(blank, "blank", low=0, high=C - 1)
    one_of(reduction, "reduction", ("none", "sum", "mean"))

    valid = torch.arange(U_max, device=device)[None, :] < target_lengths[:, None]  # (N, U_max)
    labels = torch.where(valid, targets.long(), blank)  # padding -> blank, a safe index
    bad = valid & ((labels < 0) | (labels >= C) | (labels == blank))
    if bad.any():
        raise ValueError(f"targets must lie in [0, {C}) and differ from the blank {blank}")

    S = 2 * U_max + 1
    ext = torch.full((N, S), blank, dtype=torch.long, device=device)
    ext[:, 1::2] = labels  # (N, S): b y1 b y2 ... b
    skip = torch.zeros((N, S), dtype=torch.bool, device=device)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    emit = log_probs.gather(2, ext[None].expand(T, N, S))  # (T, N, S): log p_t[n, y'_s]

    neg = log_probs.new_full((N, S), _NEG)
    start = torch.arange(S, device=device)[None, :] < 2  # (1, S): positions 0 and 1
    alpha = torch.where(start, emit[0], neg)  # (N, S)
    last_pos = 2 * target_lengths  # (N,) index of the final blank
    final = log_probs.new_full((N,), _NEG)
    for t in range(T):
        if t > 0:
            prev1 = torch.cat([neg[:, :1], alpha[:, :-1]], dim=1)  # alpha[s-1]
            prev2 = torch.cat([neg[:, :2], alpha[:, :-2]], dim=1)  # alpha[s-2]
            prev2 = torch.where(skip, prev2, neg)
            alpha = torch.logsumexp(torch.stack([alpha, prev1, prev2]), dim=0) + emit[t]
        end_blank = alpha.gather(1, last_pos[:, None])[:, 0]
        end_label = alpha.gather(1, (last_pos - 1).clamp(min=0)[:, None])[:, 0]
        end_label = torch.where(target_lengths > 0, end_label, neg[:, 0])
        ends = torch.logsumexp(torch.stack([end_blank, end_label]), dim=0)
        final = torch.where(input_lengths - 1 == t, ends, final)  # (N,)
    loss = -final
    # a loss near 1e30 means no alignment exists: report it as inf, as PyTorch does
    loss = torch.where(final <= _NEG / 2, torch.full_like(loss, float("inf")), loss)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return (loss / target_lengths.clamp(min=1).to(loss.dtype)).mean()


def ctc_greedy_decode(log_probs, blank=0) -> list[int]:
    r"""Best-path decoding of one sequence (T, C): the argmax of each frame, then the collapse.

    Examples
    --------
    >>> ctc_greedy_decode(torch.tensor([[0.1, 0.9], [0.6, 0.4], [0.2, 0.8]]).log())
    [1, 1]
    """
    lp = _log_prob_tensor(log_probs, 2)
    if lp.shape[0] < 1 or lp.shape[1] < 2:
        raise ValueError(f"log_probs must have shape (T, C) with T >= 1 and C >= 2, got "
                         f"{tuple(lp.shape)}")
    blank = int_value(blank, "blank", low=0, high=lp.shape[1] - 1)
    return ctc_collapse(lp.argmax(dim=1), blank)
