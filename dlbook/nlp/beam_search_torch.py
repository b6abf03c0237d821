r"""Batched beam search in PyTorch: many inputs decoded at once, on the model's device.

The search is the one of :func:`dlbook.nlp.beam_search.beam_search` (same ranking, same
``eos`` handling, same length normalization).  What the tensor version adds is a batch: each of
the ``batch_size`` inputs owns ``beam_width`` slots of one ``(batch_size * beam_width, t)``
tensor of prefixes, a finished or empty slot holds a score of :math:`-\infty`, and one call of
the model per step serves every open prefix of every input.

See Also
--------
dlbook.nlp.beam_search : the NumPy reference (one input, prefixes as lists).
:ref:`ch-beam-search` : the chapter.
"""

from __future__ import annotations

import torch

from dlbook.nlp.beam_search import _check_alpha, _check_int, sequence_score

__all__ = ["beam_search"]


def beam_search(step_fn, bos, eos, beam_width, max_len, alpha=0.7, batch_size=1,
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
        Beams kept per input (>= 1; 1 is greedy decoding).
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
    list of list of (list of int, float)
        For each input, its finished sequences best first, exactly as
        :func:`dlbook.nlp.beam_search.beam_search` returns them for that input alone.

    Raises
    ------
    ValueError
        If ``beam_width``, ``max_len`` or ``batch_size`` is below 1, or ``step_fn`` returns
        a wrong shape.

    See Also
    --------
    dlbook.nlp.beam_search.beam_search, :ref:`ch-beam-search`

    Examples
    --------
    Two inputs; the model prefers token 0 for input 0 and ``eos`` (2) for input 1.

    >>> table = torch.log(torch.tensor([[0.6, 0.1, 0.3], [0.2, 0.1, 0.7]]))
    >>> step = lambda prefixes, rows: table[rows]
    >>> out = beam_search(step, bos=3, eos=2, beam_width=2, max_len=2, alpha=0.0, batch_size=2)
    >>> out[0][0][0], out[1][0][0]                        # 0.36 for [0, 0]; 0.7 for [eos]
    ([0, 0], [2])
    """
    _check_int("beam_width", beam_width, 1)
    _check_int("max_len", max_len, 1)
    _check_int("batch_size", batch_size, 1)
    _check_alpha(alpha)
    device = torch.device("cpu") if device is None else torch.device(device)
    B, K = batch_size, beam_width
    seqs = torch.full((B * K, 1), bos, dtype=torch.long, device=device)   # (B*K, t)
    score = None                                                           # (B, K) after step 1
    finished = [[] for _ in range(B)]
    for t in range(max_len):
        if score is None:                       # first step: one open prefix per input
            idx = torch.arange(B, device=device) * K
            base = torch.full((B, K), -torch.inf, dtype=torch.float64, device=device)
            base[:, 0] = 0.0
        else:
            base = score
            idx = torch.isfinite(base).view(-1).nonzero().squeeze(1)           # open slots
        lp = step_fn(seqs[idx], idx // K)                                      # (M, V)
        if lp.ndim != 2 or lp.shape[0] != idx.numel():
            raise ValueError(f"step_fn returned shape {tuple(lp.shape)} for {idx.numel()} "
                             f"prefixes; expected ({idx.numel()}, V)")
        V = lp.shape[1]
        full = torch.full((B * K, V), -torch.inf, dtype=base.dtype, device=device)
        full[idx] = lp.to(base.dtype)
        cand = (base.view(-1, 1) + full).view(B, K * V)                        # (B, K*V)
        top, pos = torch.topk(cand, K, dim=1)                                  # sorted
        slot, tok = pos // V, pos % V                                          # (B, K)
        src = (torch.arange(B, device=device)[:, None] * K + slot).view(-1)
        seqs = torch.cat([seqs[src], tok.view(-1, 1)], dim=1)                  # (B*K, t+1)
        done = (tok == eos) & torch.isfinite(top)
        for b, k in done.nonzero().tolist():
            finished[b].append((seqs[b * K + k, 1:].tolist(), float(top[b, k])))
        score = top.masked_fill(done, -torch.inf)
        if not torch.isfinite(score).any():
            break
    for b, k in torch.isfinite(score).nonzero().tolist():                     # hit max_len
        finished[b].append((seqs[b * K + k, 1:].tolist(), float(score[b, k])))
    out = []
    for fin in finished:
        ranked = [(toks, sequence_score(s, len(toks), alpha)) for toks, s in fin]
        ranked.sort(key=lambda ts: -ts[1])
        out.append(ranked)
    return out
