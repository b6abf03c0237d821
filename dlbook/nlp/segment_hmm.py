r"""Word segmentation as tagging: a hidden Markov model over the tags B, M, E, S, decoded with
the Viterbi algorithm of :mod:`dlbook.nlp.hmm`.

Each character gets a tag: **B** begins a word, **M** is inside one, **E** ends it, **S** is a
word of one character. 研究生命 cut as 研究 / 生命 is B E B E. The tags are the hidden states
of an HMM whose observations are the characters; the most probable tag sequence gives a
segmentation even for words no dictionary lists (names, new words), because the model has
learned which characters tend to begin, continue or end words.

The probabilities used here are the ones jieba ships (``jieba/finalseg/prob_*.py``: start,
transition and emission log probabilities estimated from a segmented corpus), turned into the
row-stochastic arrays :func:`dlbook.nlp.hmm.viterbi` takes. Three details make the model a
proper HMM with the same best paths as jieba's own decoder:

* jieba's emission tables are not normalized (each state's row sums to between 1.15 and 1.35).
  Dividing every emission probability by one constant :math:`Z` (the largest row sum) lowers
  the score of every tag path of a text of :math:`T` characters by the same :math:`T \log Z`,
  so the ranking of paths is unchanged; an extra symbol that is never observed takes what is
  left of each row;
* a character seen in some states but not in others (曈 only ever ended a word) gets a floor
  probability :math:`10^{-100}` in the others, instead of 0: a text like 曈曈, which no
  valid tag sequence explains with the seen emissions, still gets the path with the fewest
  unseen emissions. jieba does the same with a log probability of
  :math:`-3.14\times10^{100}`, but adding ordinary log probabilities to that number no longer
  changes it in floating point, so jieba cannot rank those paths and falls back on its
  tie-breaking order; :math:`\log 10^{-100} \approx -230` keeps the sums exact;
* a character the model never saw gets the same emission probability in every state, so that
  only the transitions decide its tag (jieba again uses its huge negative constant);
* a word must be finished at the end of the text (the last tag is E or S): an extra state
  ``END`` that emits only an end-of-text symbol is reachable from E and S with a probability
  :math:`\epsilon = 10^{-300}` (the other transitions of E and S shrink by :math:`1-\epsilon`,
  which rounds to 1), so every finished path pays the same :math:`\log\epsilon` once and
  unfinished paths are impossible.

Framework-free code: there is no ``_torch`` twin.

See Also
--------
dlbook.nlp.segment : dictionary segmentation, which calls :func:`hmm_cut` with ``hmm=True``.
:ref:`ch-segmentation` : the chapter.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import numpy as np

from dlbook.nlp.hmm import viterbi

__all__ = ["TAGS", "BmesHMM", "jieba_hmm", "words_to_tags", "tags_to_words", "hmm_tags",
           "hmm_cut"]

#: The hidden states, in the order of the arrays' rows (the fifth, END, closes the text).
TAGS = "BMES"
_EPS = 1e-300
_HAN = re.compile("([\u4E00-\u9FD5]+)")
_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")


@dataclass(frozen=True)
class BmesHMM:
    """The arrays of the tagging HMM: ``start`` (5,), ``trans`` (5, 5), ``emit`` (5, V + 3) over
    the states B, M, E, S, END; ``chars`` maps a character to its column. Column V is every
    unknown character, column V + 1 the end-of-text symbol, column V + 2 the never-observed
    symbol that makes each row sum to 1."""

    start: np.ndarray
    trans: np.ndarray
    emit: np.ndarray
    chars: dict


@functools.lru_cache(maxsize=1)
def jieba_hmm() -> BmesHMM:
    r"""jieba's BMES model as a proper HMM for :func:`dlbook.nlp.hmm.viterbi`.

    Returns
    -------
    BmesHMM

    Notes
    -----
    jieba stores :math:`\log` probabilities with :math:`-3.14\times10^{100}` for impossible
    events; here they are probabilities with 0, and the emission rows are rescaled and
    completed as the module's docstring explains, with the unknown-character column and the
    END state.

    Examples
    --------
    >>> m = jieba_hmm()
    >>> m.start.round(3)[:4]        # a text starts with B or S, never inside a word
    array([0.769, 0.   , 0.   , 0.231])
    >>> m.trans.round(3)[0, :4]     # after B comes M or E
    array([0. , 0.4, 0.6, 0. ])
    """
    from jieba.finalseg.prob_emit import P as emit_log
    from jieba.finalseg.prob_start import P as start_log
    from jieba.finalseg.prob_trans import P as trans_log

    def prob(log_p):
        return math.exp(log_p) if log_p > -1e99 else 0.0   # -3.14e100 means impossible

    chars = sorted({ch for table in emit_log.values() for ch in table})
    index = {ch: k for k, ch in enumerate(chars)}
    V = len(chars)
    start = np.zeros(5)
    trans = np.zeros((5, 5))
    emit = np.zeros((5, V + 3))
    for s, tag in enumerate(TAGS):
        start[s] = prob(start_log[tag])
        for nxt, log_p in trans_log[tag].items():
            trans[s, TAGS.index(nxt)] = prob(log_p)
        for ch, log_p in emit_log[tag].items():
            emit[s, index[ch]] = prob(log_p)
    start /= start.sum()                                    # these sum to 1 within 1e-15
    trans[:4] /= trans[:4].sum(axis=1, keepdims=True)
    emit[:4, :V] = np.maximum(emit[:4, :V], 1e-100)         # seen, but not in this state
    emit[:4] /= emit[:4].sum(axis=1).max() * (1 + 1e-6)     # one constant for every state
    emit[:4, V] = 1e-7                                      # unknown: the same in every state
    emit[:4, V + 2] = 1 - emit[:4].sum(axis=1)              # never observed: the rest
    for tag in "ES":                                        # a finished word may end the text
        s = TAGS.index(tag)
        trans[s, :4] *= 1 - _EPS
        trans[s, 4] = _EPS
    trans[4, 4] = 1.0
    emit[4, V + 1] = 1.0                                    # END emits only end-of-text
    return BmesHMM(start, trans, emit, index)


def words_to_tags(words) -> str:
    """The BMES tags of a segmented text, one per character.

    Examples
    --------
    >>> words_to_tags(["研究", "生命", "的", "起源"])
    'BEBESBE'
    >>> words_to_tags(["中華民國"])
    'BMME'
    """
    tags = []
    for w in words:
        if not isinstance(w, str) or not w:
            raise ValueError(f"words must be non-empty strings, got {w!r}")
        tags.append("S" if len(w) == 1 else "B" + "M" * (len(w) - 2) + "E")
    return "".join(tags)


def tags_to_words(text: str, tags: str) -> list[str]:
    """Cut ``text`` where its BMES tags say: after every E and S.

    A word left unfinished (a B or S where a word is still open, or the text ending on B or M)
    is closed where the next one begins, so the words always join back to ``text``.

    Raises
    ------
    ValueError
        If ``tags`` is not as long as ``text`` or holds a letter other than B, M, E, S.

    Examples
    --------
    >>> tags_to_words("研究生命的起源", "BEBESBE")
    ['研究', '生命', '的', '起源']
    >>> tags_to_words("研究生", "BBM")
    ['研', '究生']
    """
    if len(tags) != len(text) or set(tags) - set(TAGS):
        raise ValueError(f"tags must be one of B, M, E, S per character: {len(text)} "
                         f"characters, got {tags!r}")
    words, begin = [], 0
    for k, tag in enumerate(tags):
        if tag in "BS" and begin < k:          # an unfinished word before this one
            words.append(text[begin:k])
            begin = k
        if tag in "ES":
            words.append(text[begin:k + 1])
            begin = k + 1
    if begin < len(text):
        words.append(text[begin:])
    return words


def hmm_tags(text: str, model: BmesHMM | None = None) -> str:
    r"""The most probable BMES tags of a run of Chinese characters (Viterbi decoding).

    Parameters
    ----------
    text : str
        At least one character.
    model : BmesHMM, optional
        Default :func:`jieba_hmm`.

    Returns
    -------
    str
        One tag per character, :math:`\arg\max_z P(z, x)` over tag sequences that end with E
        or S.

    Raises
    ------
    ValueError
        For an empty text.

    See Also
    --------
    dlbook.nlp.hmm.viterbi : the decoder.

    Examples
    --------
    >>> hmm_tags("杭研")      # a two-character name jieba's dictionary lacks
    'BE'
    """
    if not isinstance(text, str) or not text:
        raise ValueError(f"text must be a non-empty str, got {text!r}")
    model = jieba_hmm() if model is None else model
    unknown = model.emit.shape[1] - 3
    obs = np.array([model.chars.get(ch, unknown) for ch in text] + [unknown + 1])  # + the end
    # Only the columns of the symbols in this text matter; the rest of each row is lumped into
    # one column that is never observed, so the small HMM has exactly the same path scores.
    symbols, obs = np.unique(obs, return_inverse=True)
    emit = model.emit[:, symbols]
    emit = np.concatenate([emit, 1 - emit.sum(axis=1, keepdims=True)], axis=1)
    path, _ = viterbi(obs, model.start, model.trans, np.maximum(emit, 0))
    return "".join(TAGS[s] for s in path[:-1])


def hmm_cut(text: str, model: BmesHMM | None = None) -> list[str]:
    """Segment with the HMM alone, as jieba's ``finalseg.cut``: runs of ideographs are tagged
    and cut; Latin letters and numbers (``3.5%``) stay whole, and so does each run of other
    characters between them.

    Examples
    --------
    Without a dictionary, from tag statistics alone:

    >>> hmm_cut("小明硕士毕业于中国科学院计算所")
    ['小明', '硕士', '毕业于', '中国', '科学院', '计算', '所']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    out = []
    for block in _HAN.split(text):
        if _HAN.match(block):
            out += tags_to_words(block, hmm_tags(block, model))
        else:
            out += [piece for piece in _SKIP.split(block) if piece]
    return out
