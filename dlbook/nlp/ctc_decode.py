r"""Decoding CTC outputs: best-path decoding and prefix beam search.

A CTC network gives, for every frame, log-probabilities over the labels and the blank.  The
probability of a transcript :math:`y` sums over all alignments that collapse to it.
*Best-path* (greedy) decoding collapses the single most probable alignment
(:func:`dlbook.nlp.ctc.ctc_greedy_decode`); it can miss the most probable transcript, whose
probability is spread over many alignments.  *Prefix beam search* keeps the ``beam_width``
most probable transcript prefixes and, for each, the probability of all alignments so far that
collapse to it, split by whether they end in a blank or not (a repeated label after a blank is
a new label; without one it merges).

See Also
--------
dlbook.nlp.ctc : the collapse map, the CTC loss and best-path decoding.
:ref:`ch-speech` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook import _checks

__all__ = ["ctc_prefix_beam_search", "ctc_label_log_probs"]


def _check_log_probs(log_probs, blank):
    lp = _checks.real_array(log_probs, "log_probs", ndim=2)
    if lp.shape[0] < 1 or lp.shape[1] < 2:
        raise ValueError(f"log_probs must have shape (T, C) with T >= 1 and C >= 2, got "
                         f"{lp.shape}")
    if np.any(np.isnan(lp)) or np.any(lp == np.inf):
        raise ValueError("log_probs must not contain NaN or +inf")
    _checks.int_value(blank, "blank", low=0, high=lp.shape[1] - 1)
    return lp.astype(np.float64)


def _prefix_search(lp, beam_width, blank):
    """Prefix beam search; returns {prefix: (log p_blank, log p_nonblank)} after the last frame."""
    T, C = lp.shape
    beams = {(): (0.0, -np.inf)}          # prefix -> (ends in blank, ends in a label)
    for t in range(T):
        nxt = {}

        def add(prefix, b, nb):
            if b == -np.inf and nb == -np.inf:
                return                                              # impossible: not kept
            ob, onb = nxt.get(prefix, (-np.inf, -np.inf))
            nxt[prefix] = (np.logaddexp(ob, b), np.logaddexp(onb, nb))

        for prefix, (pb, pnb) in beams.items():
            total = np.logaddexp(pb, pnb)
            add(prefix, total + lp[t, blank], -np.inf)              # a blank: same prefix
            last = prefix[-1] if prefix else None
            for c in range(C):
                if c == blank:
                    continue
                if c == last:
                    add(prefix, -np.inf, pnb + lp[t, c])            # repeat merges
                    add(prefix + (c,), -np.inf, pb + lp[t, c])      # after a blank: new label
                else:
                    add(prefix + (c,), -np.inf, total + lp[t, c])
        ranked = sorted(nxt.items(), key=lambda kv: -np.logaddexp(*kv[1]))
        beams = dict(ranked[:beam_width])
    return beams


def ctc_prefix_beam_search(log_probs, beam_width: int = 8, blank: int = 0):
    r"""The most probable transcripts of a CTC output by prefix beam search.

    Parameters
    ----------
    log_probs : array_like of shape (T, C)
        Per-frame log-probabilities (a ``log_softmax`` output).
    beam_width : int, default 8
        Prefixes kept after each frame.  With at least as many as there are distinct
        transcripts of up to :math:`T` labels nothing is pruned and the probabilities are exact.
    blank : int, default 0

    Returns
    -------
    list of (list of int, float)
        Transcripts (blank-free label lists) with their log-probability
        :math:`\log p(y \mid x) = \log \sum_{\pi:\,\mathcal{B}(\pi) = y} \prod_t p_t(\pi_t)`,
        most probable first.

    Raises
    ------
    ValueError
        On a wrong shape, NaN or +inf, a blank outside ``[0, C)``, or ``beam_width < 1``.

    Notes
    -----
    For each prefix :math:`\ell` two numbers are kept: :math:`p_b(\ell)`, the probability of the
    alignments so far that collapse to :math:`\ell` and end in a blank, and :math:`p_{nb}(\ell)`
    for those ending in a label.  At frame :math:`t`, with :math:`p = p_t`:

    - a blank keeps the prefix:
      :math:`p_b'(\ell) \mathrel{+}= (p_b + p_{nb})(\ell)\, p(\text{blank})`;
    - the prefix's last label :math:`c` again merges: :math:`p_{nb}'(\ell) \mathrel{+}=
      p_{nb}(\ell)\, p(c)`, but after a blank it is a new label:
      :math:`p_{nb}'(\ell c) \mathrel{+}= p_b(\ell)\, p(c)`;
    - any other label :math:`c` extends: :math:`p_{nb}'(\ell c) \mathrel{+}= (p_b + p_{nb})(\ell)\,
      p(c)`.

    All in log space.  Cost :math:`O(T \cdot k \cdot C)` for beam width :math:`k`.

    References
    ----------
    A. Y. Hannun, A. L. Maas, D. Jurafsky, A. Y. Ng, "First-pass large vocabulary continuous
    speech recognition using bi-directional recurrent DNNs", arXiv:1408.2873, 2014.

    See Also
    --------
    dlbook.nlp.ctc.ctc_greedy_decode : best-path decoding.
    :ref:`ch-speech` : the chapter.

    Examples
    --------
    Two frames over {blank, a}: "a" gathers (a, a), (a, -) and (-, a); the empty transcript
    only (-, -).  Best path says "" (0.36 > each single path of "a"), the sum says "a":

    >>> lp = np.log([[0.6, 0.4], [0.6, 0.4]])
    >>> [(y, round(float(np.exp(s)), 2)) for y, s in ctc_prefix_beam_search(lp)]
    [([1], 0.64), ([], 0.36)]
    """
    lp = _check_log_probs(log_probs, blank)
    beam_width = _checks.positive_int(beam_width, "beam_width")
    beams = _prefix_search(lp, beam_width, blank)
    ranked = sorted(((list(p), float(np.logaddexp(b, nb))) for p, (b, nb) in beams.items()),
                    key=lambda ys: -ys[1])
    return ranked


def ctc_label_log_probs(log_probs, blank: int = 0) -> dict:
    r"""Every transcript's exact :math:`\log p(y \mid x)` by enumerating all :math:`C^T`
    alignments: an oracle for tests and small examples (tiny ``T`` and ``C`` only).

    Returns
    -------
    dict
        ``tuple(labels) -> log-probability`` for every transcript some alignment gives.

    Raises
    ------
    ValueError
        If :math:`C^T` exceeds one million alignments.

    Examples
    --------
    >>> lp = np.log([[0.6, 0.4], [0.6, 0.4]])
    >>> {y: round(float(np.exp(s)), 2) for y, s in ctc_label_log_probs(lp).items()}
    {(): 0.36, (1,): 0.64}
    """
    lp = _check_log_probs(log_probs, blank)
    T, C = lp.shape
    if C ** T > 1_000_000:
        raise ValueError(f"{C}^{T} alignments are too many to enumerate")
    paths = np.indices((C,) * T).reshape(T, -1).T                       # (C^T, T)
    scores = lp[np.arange(T), paths].sum(axis=1)                        # (C^T,)
    keep = np.ones(paths.shape, dtype=bool)
    keep[:, 1:] = paths[:, 1:] != paths[:, :-1]
    keep &= paths != blank
    out = {}
    for path, k, s in zip(paths, keep, scores):
        y = tuple(path[k].tolist())
        out[y] = np.logaddexp(out.get(y, -np.inf), s)
    return {y: float(s) for y, s in out.items()}
