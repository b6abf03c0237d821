r"""BLEU: modified n-gram precision with clipping, brevity penalty, smoothing.

Counting and scoring are separate.  :func:`dlbook.nlp.bleu_counts.bleu_stats` and
:func:`dlbook.nlp.bleu_counts.corpus_stats` reduce sentences to integer *sufficient statistics*
(clipped matches and totals per n-gram order, hypothesis length, closest reference length);
:func:`bleu_from_stats` turns statistics into a score.  Corpus BLEU sums the statistics of all
sentences before scoring, which is why it is not the average of sentence BLEU scores.

Unsmoothed, :func:`corpus_bleu` equals ``sacrebleu.corpus_bleu(..., tokenize="none",
smooth_method="none", force=True).score / 100`` on any input.  The smoothing options are
Chen & Cherry's methods 1-3 as sacrebleu and nltk implement them:

- ``smooth=None``: no smoothing; a zero :math:`p_n` makes BLEU 0 (sacrebleu ``none``).
- ``"floor"``: a zero :math:`p_n` becomes :math:`\epsilon / t_n`, ``smooth_value`` =
  :math:`\epsilon` (default 0.1) (sacrebleu ``floor``, nltk ``method1``).
- ``"add-k"``: :math:`p_n = (m_n + k)/(t_n + k)` for every :math:`n \ge 2`, ``smooth_value`` =
  :math:`k` (default 1) (sacrebleu ``add-k``, nltk ``method2`` with k = 1).
- ``"exp"``: the j-th order without a match gets :math:`1 / (2^{j} t_n)` (sacrebleu ``exp``,
  nltk ``method3``).

``"nltk1"``, ``"nltk2"``, ``"nltk3"`` are aliases of ``"floor"``, ``"add-k"``, ``"exp"``.

Framework-free code: there is no ``_torch`` twin.

See Also
--------
:ref:`ch-bleu` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import boolean, one_of, positive_int, positive_real
from dlbook.nlp.bleu_counts import BleuStats, bleu_stats, corpus_stats

__all__ = [
    "brevity_penalty",
    "modified_precisions",
    "bleu_from_stats",
    "corpus_bleu",
    "sentence_bleu",
]

SMOOTH_DEFAULTS = {"floor": 0.1, "add-k": 1.0, "exp": None}
SMOOTH_ALIASES = {"none": None, "nltk1": "floor", "nltk2": "add-k", "nltk3": "exp"}


def brevity_penalty(hyp_len, ref_len):
    r"""Brevity penalty :math:`BP = 1` if :math:`c \ge r`, else :math:`e^{1 - r/c}` (0 if c = 0).

    Parameters
    ----------
    hyp_len, ref_len : int or ndarray
        Hypothesis length(s) :math:`c` and reference length(s) :math:`r`.

    Returns
    -------
    float or ndarray
        Same shape as the broadcast inputs.

    Examples
    --------
    >>> round(float(brevity_penalty(8, 10)), 4)   # exp(1 - 10/8) = exp(-0.25)
    0.7788
    >>> float(brevity_penalty(12, 10)), float(brevity_penalty(0, 3))
    (1.0, 0.0)
    """
    c = np.asarray(hyp_len, dtype=float)
    r = np.asarray(ref_len, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        bp = np.where(c >= r, 1.0, np.exp(1.0 - r / np.where(c > 0, c, 1.0)))
    bp = np.where((c == 0) & (r > 0), 0.0, bp)
    return bp[()] if bp.ndim == 0 else bp


def _resolve_smooth(smooth, smooth_value):
    """The smoothing method (aliases resolved) and its value, checked."""
    one_of(smooth, "smooth", (None, *SMOOTH_DEFAULTS, *SMOOTH_ALIASES))
    key = SMOOTH_ALIASES.get(smooth, smooth) if isinstance(smooth, str) else smooth
    if key is None or key == "exp":
        return key, None
    value = SMOOTH_DEFAULTS[key] if smooth_value is None else positive_real(smooth_value,
                                                                            "smooth_value")
    return key, value


def modified_precisions(stats: BleuStats, smooth=None, smooth_value=None) -> np.ndarray:
    r"""The (smoothed) modified precisions :math:`p_n = m_n / t_n`.

    Parameters
    ----------
    stats : BleuStats
        Statistics of one sentence, of a corpus (summed) or of N sentences (one row each).
    smooth : {None, "floor", "add-k", "exp", "nltk1", "nltk2", "nltk3"}
        See the module docstring.
    smooth_value : float, optional
        :math:`\epsilon` for ``"floor"`` (default 0.1), :math:`k` for ``"add-k"`` (default 1).

    Returns
    -------
    ndarray of shape (max_n,) or (N, max_n)
        0 where :math:`t_n = 0` (the hypothesis has no n-grams of that order).

    Examples
    --------
    >>> s = bleu_stats("a b c".split(), ["a b d".split()], max_n=3)
    >>> modified_precisions(s).tolist()              # 2/3, 1/2, 0/1
    [0.6666666666666666, 0.5, 0.0]
    >>> modified_precisions(s, "exp").tolist()       # 0/1 -> 1/(2 * 1)
    [0.6666666666666666, 0.5, 0.5]
    """
    key, value = _resolve_smooth(smooth, smooth_value)
    m = np.asarray(stats.matches, dtype=float)
    t = np.asarray(stats.totals, dtype=float)
    if key == "add-k":
        m = m.copy()
        t = t.copy()
        m[..., 1:] += value
        t[..., 1:] += value
    has = t > 0
    safe_t = np.where(has, t, 1.0)
    zero = has & (m == 0)
    p = np.where(has, m / safe_t, 0.0)
    if key == "floor":
        p = np.where(zero, value / safe_t, p)
    elif key == "exp":
        j = np.cumsum(zero, axis=-1)                 # j-th order without a match
        p = np.where(zero, 1.0 / (2.0 ** j * safe_t), p)
    return p


def bleu_from_stats(stats: BleuStats, smooth=None, smooth_value=None,
                    effective_order: bool = False):
    r"""BLEU from sufficient statistics.

    Parameters
    ----------
    stats : BleuStats
        One sentence's or a summed corpus's statistics (one score), or N rows (N scores).
    smooth, smooth_value
        See :func:`modified_precisions`.
    effective_order : bool, default False
        Average only over the orders the hypothesis has n-grams for (sacrebleu's option for
        sentence BLEU, on by default in ``sacrebleu.sentence_bleu``).

    Returns
    -------
    float or ndarray of shape (N,)
        In [0, 1].

    Notes
    -----
    .. math:: \mathrm{BLEU} = BP \cdot \exp\Bigl(\frac{1}{N}\sum_{n=1}^{N} \log p_n\Bigr),

    a geometric mean of the precisions; any :math:`p_n = 0` makes BLEU 0.  With no unigram match
    at all BLEU is 0 whatever the smoothing (as in sacrebleu and nltk).

    Examples
    --------
    >>> s = bleu_stats("a b c d".split(), ["a b c e".split()], max_n=2)
    >>> round(float(bleu_from_stats(s)), 6)          # sqrt(3/4 * 2/3)
    0.707107
    """
    effective_order = boolean(effective_order, "effective_order")
    p = modified_precisions(stats, smooth, smooth_value)
    max_n = p.shape[-1]
    key, value = _resolve_smooth(smooth, smooth_value)
    t = np.asarray(stats.totals, dtype=float)
    if key == "add-k":
        t = t + np.r_[0.0, np.full(max_n - 1, value)]
    if effective_order:
        n_eff = np.maximum(np.sum(np.cumprod(t > 0, axis=-1), axis=-1), 1)
    else:
        n_eff = np.full(p.shape[:-1], max_n)
    used = np.arange(max_n) < np.asarray(n_eff)[..., None]
    with np.errstate(divide="ignore"):
        logp = np.log(p)
    mean_log = np.sum(np.where(used, logp, 0.0), axis=-1) / n_eff
    any_match = np.asarray(stats.matches).sum(axis=-1) > 0
    score = np.where(any_match, brevity_penalty(stats.hyp_len, stats.ref_len)
                     * np.exp(mean_log), 0.0)
    return float(score) if score.ndim == 0 else score


def corpus_bleu(hypotheses, references, max_n: int = 4, smooth=None, smooth_value=None,
                effective_order: bool = False) -> float:
    r"""Corpus-level BLEU of tokenized hypotheses against one or more references each.

    Parameters
    ----------
    hypotheses : list of sequence of str
        N tokenized hypotheses.
    references : list of list of sequence of str
        Aligned with ``hypotheses``; item i is a list of one or more token lists.
    max_n : int, default 4
    smooth, smooth_value, effective_order
        See :func:`modified_precisions` and :func:`bleu_from_stats`.

    Returns
    -------
    float
        BLEU in [0, 1] computed from the statistics summed over the corpus.

    Raises
    ------
    ValueError
        If the lists are not aligned, a reference set is empty, or ``smooth`` is unknown.
    TypeError
        If a hypothesis or reference is a string rather than a token list.

    See Also
    --------
    sentence_bleu, :ref:`ch-bleu`

    Examples
    --------
    >>> hyp = "the cat sat on the mat".split()
    >>> corpus_bleu([hyp], [[hyp]])
    1.0
    >>> corpus_bleu([[]], [[hyp]])
    0.0
    """
    max_n = positive_int(max_n, "max_n")
    stats = corpus_stats(hypotheses, references, max_n).sum()
    if len(hypotheses) == 0:
        return 0.0
    return bleu_from_stats(stats, smooth, smooth_value, effective_order)


def sentence_bleu(hypothesis, references, max_n: int = 4, smooth=None, smooth_value=None,
                  effective_order: bool = False) -> float:
    r"""BLEU of a single hypothesis: :func:`corpus_bleu` of a one-sentence corpus.

    Parameters
    ----------
    hypothesis : sequence of str
    references : list of sequence of str
        One or more tokenized references.
    max_n, smooth, smooth_value, effective_order
        As in :func:`corpus_bleu`.  sacrebleu's ``sentence_bleu`` uses
        ``effective_order=True`` by default; nltk's does not.

    Returns
    -------
    float

    Examples
    --------
    >>> h = "the cat is on mat".split()
    >>> r = ["the cat is on the mat".split()]
    >>> round(sentence_bleu(h, r), 4)               # BP = exp(1 - 6/5), p = 1, 3/4, 2/3, 1/2
    0.5789
    """
    return bleu_from_stats(bleu_stats(hypothesis, references, max_n), smooth, smooth_value,
                           effective_order)
