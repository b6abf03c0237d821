r"""Batched beam search in PyTorch: many inputs decoded at once, on the model's device.

The search is the one of :func:`dlbook.nlp.beam_search.beam_search` (same ranking, same
``eos`` handling and stopping rule, same length normalization), run for a whole batch of inputs
with one call of the model per step.  Each of the ``batch_size`` inputs owns ``beam_width``
slots of one ``(batch_size * beam_width, t)`` tensor of prefixes; an empty slot, or every slot
of an input that is done, holds a score of :math:`-\infty` and is not extended.

This module has no NumPy twin: the NumPy decoder handles one input with prefixes as lists, and
this one a batch of inputs with a different ``step_fn``.

See Also
--------
dlbook.nlp.beam_search : the NumPy reference (one input, prefixes as lists).
:ref:`ch-beam-search` : the chapter.
"""

from __future__ import annotations

import torch

from dlbook._checks import int_value, positive_int, real_value
from dlbook.nlp.beam_search import rank_hypotheses

__all__ = ["batched_beam_search"]


def batched_beam_search(step_fn, bos, eos, beam_width, max_len, alpha=0.7, *, batch_size=1,
                        device=None):
    r"""Beam search over a batch of inputs.

    Parameters
    ----------
    step_fn : callable
        ``step_fn(prefixes, rows) -> Tensor of shape (M, V)``: next-token log-probabilities.
        ``prefixes`` is a LongTensor of shape (M, t) (every row starts with ``bos``; all rows
        have the same length t at a given step) and ``rows`` a LongTensor of shape (M,) saying
        which input of the batch each prefix belongs to.  Both are on ``device``.
    bos, eos : int
    beam_width : int
        Live beams per input (>= 1; 1 is greedy decoding).
    max_len : int
        At most this many generated tokens (``eos`` included).
    alpha : float, default 0.7
        Length-normalization exponent.
    batch_size : int, default 1
        Number of inputs.
    device : torch.device or str, optional
        Where the prefixes live (the model's device); CPU by default.

    Returns
    -------
    list of list of dlbook.nlp.beam_search.Hypothesis
        For each input, exactly what :func:`dlbook.nlp.beam_search.beam_search` returns for that
        input alone: finished hypotheses best first, then the ones cut off at ``max_len``.

    Raises
    ------
    ValueError
        If ``beam_width``, ``max_len`` or ``batch_size`` is below 1, or ``step_fn`` returns
        a wrong shape.

    Notes
    -----
    Per step and per input, the :math:`kV` candidates are sorted (stably, so ties break as in
    the NumPy version); ``eos`` candidates among the first :math:`k` are finished, and the first
    :math:`k` candidates without ``eos`` fill the slots.  An input with :math:`k` finished
    sequences is done: its slots are set to :math:`-\infty`.

    See Also
    --------
    dlbook.nlp.beam_search.beam_search, :ref:`ch-beam-search`

    Examples
    --------
    Two inputs, a model that ignores the prefix: for input 0, P = (0.6, 0.1, 0.3) for tokens
    0, 1 and ``eos`` (2); for input 1, (0.2, 0.1, 0.7).  Input 0 finishes ``[eos]`` (0.3) at
    the first step and ``[0, eos]`` (0.18) at the second; input 1 finishes ``[eos]`` (0.7) and
    ``[0, eos]`` (0.14).

    >>> table = torch.log(torch.tensor([[0.6, 0.1, 0.3], [0.2, 0.1, 0.7]]))
    >>> step = lambda prefixes, rows: table[rows]
    >>> out = batched_beam_search(step, bos=3, eos=2, beam_width=2, max_len=2, alpha=0.0,
    ...                           batch_size=2)
    >>> [h.tokens for h in out[0]], [round(float(torch.tensor(h.score).exp()), 2) for h in out[1]]
    ([[2], [0, 2]], [0.7, 0.14])
    """
    K = positive_int(beam_width, "beam_width")
    max_len = positive_int(max_len, "max_len")
    B = positive_int(batch_size, "batch_size")
    alpha = real_value(alpha, "alpha")
    bos, eos = int_value(bos, "bos"), int_value(eos, "eos")
    device = torch.device("cpu") if device is None else torch.device(device)
    seqs = torch.full((B * K, 1), bos, dtype=torch.long, device=device)   # (B*K, t)
    score = torch.full((B, K), -torch.inf, dtype=torch.float64, device=device)
    score[:, 0] = 0.0                          # one live prefix per input at the start
    finished = [[] for _ in range(B)]
    rank = torch.arange(2 * K, device=device)
    for _ in range(max_len):
        idx = torch.isfinite(score).view(-1).nonzero().squeeze(1)            # live slots
        lp = step_fn(seqs[idx], idx // K)                                     # (M, V)
        if lp.ndim != 2 or lp.shape[0] != idx.numel():
            raise ValueError(f"step_fn returned shape {tuple(lp.shape)} for {idx.numel()} "
                             f"prefixes; expected ({idx.numel()}, V)")
        V = lp.shape[1]
        full = torch.full((B * K, V), -torch.inf, dtype=score.dtype, device=device)
        full[idx] = lp.to(score.dtype)
        cand = (score.view(-1, 1) + full).view(B, K * V)                     # (B, K*V)
        top, pos = torch.sort(cand, dim=1, descending=True, stable=True)
        top, pos = top[:, :2 * K], pos[:, :2 * K]                 # (B, C), K <= C <= 2K
        slot, tok = pos // V, pos % V
        ok = torch.isfinite(top)
        done = (tok == eos) & ok & (rank[:top.shape[1]] < K)                  # finished now
        keep = ~(tok == eos) & ok                                             # may stay live
        # the first K candidates without eos fill the slots (stable: in rank order)
        pick = torch.sort((~keep).to(torch.int8), dim=1, stable=True).indices[:, :K]
        src = torch.arange(B, device=device)[:, None] * K + slot
        for b, c in done.nonzero().tolist():
            toks = seqs[src[b, c], 1:].tolist() + [eos]
            finished[b].append((toks, float(top[b, c])))
        new_score = torch.where(keep.gather(1, pick), top.gather(1, pick),
                                torch.full_like(top[:, :1], -torch.inf))
        n_done = torch.tensor([len(f) >= K for f in finished], device=device)
        score = new_score.masked_fill(n_done[:, None], -torch.inf)
        seqs = torch.cat([seqs[src.gather(1, pick).view(-1)],
                          tok.gather(1, pick).view(-1, 1)], dim=1)            # (B*K, t+1)
        if not torch.isfinite(score).any():
            break
    out = []
    for b in range(B):
        live = [] if len(finished[b]) >= K else \
            [(seqs[b * K + k, 1:].tolist(), float(score[b, k]))
             for k in range(K) if torch.isfinite(score[b, k])]
        out.append(rank_hypotheses(finished[b], live, K, alpha))
    return out
