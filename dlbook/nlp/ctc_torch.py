r"""Batched CTC loss in PyTorch, differentiable by autograd, with ``F.ctc_loss``'s layout.

The NumPy reference (:mod:`dlbook.nlp.ctc`) runs one sequence at a time.  Here one update per
frame covers the whole batch and every position of the blank-extended targets at once, the form
that suits a GPU; autograd through it gives the true gradient with respect to ``log_probs``
(which PyTorch's built-in ``ctc_loss`` does not: see the chapter).

See Also
--------
dlbook.nlp.ctc : the NumPy reference with the explicit forward-backward gradient.
:ref:`ch-dp-elsewhere` : the chapter.
"""

from __future__ import annotations

import torch

__all__ = ["ctc_loss"]

# Unreachable lattice positions hold this instead of -inf.  With -inf, autograd through
# logsumexp of all-(-inf) inputs computes exp(-inf - (-inf)) = nan and the NaN spreads into the
# real gradient; a huge finite value contributes exp(-1e30 - x) = 0 exactly and keeps gradients
# finite.  Float32 can hold it too (max ~3.4e38).
_NEG = -1e30


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
    The same recursion as :func:`dlbook.nlp.ctc.ctc_forward`, with the batch as a leading
    dimension: for every frame :math:`t`,

    .. math::

        \log\alpha_t[n, s] = \operatorname{logsumexp}\bigl(\log\alpha_{t-1}[n, s],\,
        \log\alpha_{t-1}[n, s-1],\, \text{skip}[n, s]\,\log\alpha_{t-1}[n, s-2]\bigr)
        + \log p_t[n, y'_{n,s}].

    Position :math:`s` depends only on positions :math:`\le s`, so the padding past
    :math:`2U_n` never contaminates the lattice of sequence :math:`n`.  The loss of sequence
    :math:`n` is read at its own last frame ``input_lengths[n] - 1``.

    See Also
    --------
    dlbook.nlp.ctc.ctc_loss : the one-sequence NumPy reference.
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> lp = torch.full((2, 1, 2), 0.5, dtype=torch.float64).log()
    >>> ctc_loss(lp, torch.tensor([[1]]), [2], [1])  # -log(3/4)
    tensor([0.2877], dtype=torch.float64)
    """
    if not torch.is_tensor(log_probs) or not log_probs.is_floating_point():
        raise TypeError("log_probs must be a floating-point tensor")
    if log_probs.dim() != 3:
        raise ValueError(f"log_probs must have shape (T, N, C), got {tuple(log_probs.shape)}")
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
    if not 0 <= blank < C:
        raise ValueError(f"blank must lie in [0, {C}), got {blank}")
    if reduction not in ("none", "sum", "mean"):
        raise ValueError(f"reduction must be 'none', 'sum' or 'mean', got {reduction!r}")

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
