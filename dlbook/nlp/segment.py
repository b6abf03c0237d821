r"""Chinese word segmentation with a dictionary: maximum matching, and the maximum-probability
path through the word graph (jieba's algorithm, reproduced token for token).

Chinese is written without spaces, so a sentence must be cut into words before a word-level
model can read it. Three dictionary methods, from the simplest:

* **forward maximum matching** (:func:`forward_max_match`): from the left, take the longest
  dictionary word that starts here; **backward maximum matching** (:func:`backward_max_match`)
  does the same from the right.
* **the maximum-probability path** (:func:`cut`): every dictionary word inside the sentence is
  an edge of a directed acyclic graph over the character positions (:func:`word_dag`); with
  word probabilities :math:`P(w) = \mathrm{freq}(w)/\sum \mathrm{freq}` the best segmentation
  maximizes :math:`\sum_k \log P(w_k)`, found by dynamic programming from the end of the
  sentence (:func:`max_prob_route`).

The dictionary is jieba's own (``dict.txt``, 349,046 words with counts), read by
:func:`load_dictionary` exactly as jieba reads it, so ``cut(text)`` equals
``list(jieba.cut(text, HMM=False))``. With ``hmm=True`` runs of characters the dictionary does
not know are handed to the BMES hidden Markov model of :mod:`dlbook.nlp.segment_hmm`, as
jieba's HMM mode does.

Framework-free code: there is no ``_torch`` twin.

See Also
--------
dlbook.nlp.segment_hmm : the HMM for words outside the dictionary.
:ref:`ch-segmentation` : the chapter.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import re
from dataclasses import dataclass
from pathlib import Path

from dlbook import _checks

__all__ = ["WordDictionary", "jieba_dictionary_path", "load_dictionary", "split_sentences",
           "forward_max_match", "backward_max_match", "word_dag", "max_prob_route", "cut"]

# What jieba cuts with the dictionary: runs of CJK ideographs, Latin letters, digits and +#&._%-
# (its re_han_default); everything else is passed through a character at a time, white space
# included.
_HAN_BLOCK = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)")
_SPACE = re.compile(r"(\r\n|\s)")
_LATIN = re.compile("[a-zA-Z0-9]")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?])|\n")


@dataclass(frozen=True)
class WordDictionary:
    """Word counts with every prefix of a word present (count 0 if the prefix is no word), so a
    scan can stop as soon as a string is no prefix of any word; ``total`` is the sum of counts
    and ``max_len`` the longest word's length."""

    freq: dict
    total: int
    max_len: int


def jieba_dictionary_path() -> Path:
    """The path of jieba's main dictionary ``dict.txt`` (found without importing jieba).

    Raises
    ------
    FileNotFoundError
        If jieba is not installed.

    Examples
    --------
    >>> jieba_dictionary_path().name
    'dict.txt'
    """
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("jieba is not installed: pip install jieba")
    return Path(spec.origin).parent / "dict.txt"


@functools.lru_cache(maxsize=4)
def _load(path: str) -> WordDictionary:
    freq, total, max_len = {}, 0, 0
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            parts = line.strip().split(" ")
            if len(parts) < 2:
                raise ValueError(f"{path}: line {number} is not 'word count [tag]': {line!r}")
            word, count = parts[0], int(parts[1])
            freq[word] = count                # a repeated word keeps its last count ...
            total += count                    # ... but both counts enter the total, as in jieba
            max_len = max(max_len, len(word))
            for end in range(1, len(word)):
                freq.setdefault(word[:end], 0)
    return WordDictionary(freq, total, max_len)


def load_dictionary(path=None) -> WordDictionary:
    """Read a dictionary of lines ``word count [part-of-speech]`` (jieba's format).

    Parameters
    ----------
    path : path-like, optional
        Default: jieba's own ``dict.txt``. Each file is read once per process.

    Returns
    -------
    WordDictionary

    Raises
    ------
    ValueError
        For a line without a count.

    Examples
    --------
    >>> d = load_dictionary()
    >>> d.freq["北京"] > 0, d.freq["清华大"], d.max_len >= 4   # a prefix of 清华大学, no word
    (True, 0, True)
    """
    return _load(str(jieba_dictionary_path() if path is None else Path(path)))


def split_sentences(text: str) -> list[str]:
    r"""Split a text after every 。！？；!? and at line breaks; blank pieces are dropped.

    Examples
    --------
    >>> split_sentences("床前明月光，疑是地上霜。舉頭望明月，低頭思故鄉。\n")
    ['床前明月光，疑是地上霜。', '舉頭望明月，低頭思故鄉。']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def _words(dictionary):
    """Membership test and longest word length for a WordDictionary or a set of words."""
    if isinstance(dictionary, WordDictionary):
        freq = dictionary.freq
        return (lambda w: freq.get(w, 0) > 0), dictionary.max_len
    words = set(dictionary)
    return words.__contains__, max((len(w) for w in words), default=1)


def forward_max_match(text: str, dictionary, max_len: int | None = None) -> list[str]:
    r"""Forward maximum matching: from the left, always take the longest known word.

    Parameters
    ----------
    text : str
    dictionary : WordDictionary or collection of str
        The known words (in a :class:`WordDictionary`, those with a count above 0).
    max_len : int, optional
        The longest word tried; default the dictionary's longest word.

    Returns
    -------
    list of str
        Words that join to ``text``; a character no word starts with stands alone.

    Examples
    --------
    The classic trap: forward matching takes 研究生 (graduate student) first.

    >>> words = {"研究", "研究生", "生命", "命", "的", "起源"}
    >>> forward_max_match("研究生命的起源", words)
    ['研究生', '命', '的', '起源']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    known, longest = _words(dictionary)
    longest = longest if max_len is None else _checks.positive_int(max_len, "max_len")
    out, i = [], 0
    while i < len(text):
        for size in range(min(longest, len(text) - i), 0, -1):
            if size == 1 or known(text[i:i + size]):
                out.append(text[i:i + size])
                i += size
                break
    return out


def backward_max_match(text: str, dictionary, max_len: int | None = None) -> list[str]:
    r"""Backward maximum matching: from the right, always take the longest known word.

    Parameters and returns as :func:`forward_max_match`.

    Examples
    --------
    >>> words = {"研究", "研究生", "生命", "命", "的", "起源"}
    >>> backward_max_match("研究生命的起源", words)
    ['研究', '生命', '的', '起源']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    known, longest = _words(dictionary)
    longest = longest if max_len is None else _checks.positive_int(max_len, "max_len")
    out, j = [], len(text)
    while j > 0:
        for size in range(min(longest, j), 0, -1):
            if size == 1 or known(text[j - size:j]):
                out.append(text[j - size:j])
                j -= size
                break
    return out[::-1]


def word_dag(text: str, dictionary: WordDictionary) -> list[list[int]]:
    r"""The word graph of a sentence: for each start position, the end positions of the words
    that start there.

    Parameters
    ----------
    text : str
    dictionary : WordDictionary

    Returns
    -------
    list of list of int
        ``dag[k]`` lists each ``i >= k`` such that ``text[k:i+1]`` is a word (count > 0), in
        increasing order; ``[k]`` alone if none is (the character stands alone). The scan
        from ``k`` stops at the first string that is no prefix of a word.

    Examples
    --------
    >>> dag = word_dag("北京大学", load_dictionary())
    >>> dag    # 北, 北京, 北京大学 start at 0; 京 at 1; 大, 大学 at 2; 学 at 3
    [[0, 1, 3], [1], [2, 3], [3]]
    """
    freq, n, dag = dictionary.freq, len(text), []
    for k in range(n):
        ends, i, fragment = [], k, text[k]
        while i < n and fragment in freq:
            if freq[fragment]:
                ends.append(i)
            i += 1
            fragment = text[k:i + 1]
        dag.append(ends or [k])
    return dag


def max_prob_route(text: str, dag: list[list[int]], dictionary: WordDictionary):
    r"""The most probable path through the word graph, by dynamic programming from the end.

    Parameters
    ----------
    text : str
    dag : list of list of int
        From :func:`word_dag`.
    dictionary : WordDictionary

    Returns
    -------
    list of (float, int)
        ``route[k] = (best, end)`` for ``k = 0..n`` : the largest log probability of any
        segmentation of ``text[k:]`` and the end of its first word; ``route[n] = (0.0, 0)``.

    Notes
    -----
    With :math:`\log P(w) = \log \mathrm{freq}(w) - \log \mathrm{total}` (a character unknown
    to the dictionary counts as frequency 1),

    .. math::

        R(n) = 0, \qquad R(k) = \max_{i \in \mathrm{dag}(k)} \bigl(\log P(\text{text}[k..i])
        + R(i + 1)\bigr),

    ties going to the larger :math:`i` (the longer word), as in jieba. Each position is solved
    once: :math:`O(n L)` for words of at most :math:`L` characters, against the exponentially
    many segmentations a search would try.

    See Also
    --------
    cut, :ref:`ch-dp-elsewhere` (dynamic programming in the book)

    Examples
    --------
    >>> d = load_dictionary()
    >>> route = max_prob_route("北京大学", word_dag("北京大学", d), d)
    >>> route[0][1]    # the best first word ends at 3: 北京大学 is one word
    3
    """
    n, freq = len(text), dictionary.freq
    log_total = math.log(dictionary.total)
    route = [(0.0, 0)] * (n + 1)
    for k in range(n - 1, -1, -1):
        route[k] = max((math.log(freq.get(text[k:i + 1]) or 1) - log_total + route[i + 1][0], i)
                       for i in dag[k])
    return route


def _cut_block(block: str, dictionary: WordDictionary, hmm: bool):
    """One run of ideographs and Latin letters: the best route, then jieba's post-processing."""
    route = max_prob_route(block, word_dag(block, dictionary), dictionary)
    words, k = [], 0
    while k < len(block):
        end = route[k][1] + 1
        words.append(block[k:end])
        k = end
    if not hmm:
        # single Latin letters and digits next to each other form one token ("3", "D" -> "3D")
        out, latin = [], ""
        for w in words:
            if len(w) == 1 and _LATIN.match(w):
                latin += w
                continue
            if latin:
                out.append(latin)
                latin = ""
            out.append(w)
        return out + ([latin] if latin else [])
    from dlbook.nlp.segment_hmm import hmm_cut

    # runs of single characters: the HMM decides, unless the run is itself a known word
    out, run = [], ""
    for w in words + [None]:
        if w is not None and len(w) == 1:
            run += w
            continue
        if len(run) == 1:
            out.append(run)
        elif run:
            out += list(run) if dictionary.freq.get(run) else hmm_cut(run)
        run = ""
        if w is not None:
            out.append(w)
    return out


def cut(text: str, hmm: bool = False, dictionary: WordDictionary | None = None) -> list[str]:
    r"""Segment Chinese text into words: jieba's algorithm, token for token.

    Parameters
    ----------
    text : str
    hmm : bool, default False
        Hand runs of single characters that are not a word to the BMES hidden Markov model of
        :func:`dlbook.nlp.segment_hmm.hmm_cut` (jieba's ``HMM=True``); False uses the
        dictionary alone.
    dictionary : WordDictionary, optional
        Default: jieba's (:func:`load_dictionary`).

    Returns
    -------
    list of str
        The words, which join back to ``text``. With ``hmm=False`` this equals
        ``list(jieba.cut(text, HMM=False))``.

    Raises
    ------
    TypeError
        If ``text`` is not a str.

    Notes
    -----
    The text is split into runs of ideographs, Latin letters, digits and ``+#&._%-``; each run
    is cut along the maximum-probability route of :func:`max_prob_route` (consecutive single
    Latin letters or digits are joined again), and every other character, white space
    included, is a token of its own.

    See Also
    --------
    forward_max_match, backward_max_match, word_dag, max_prob_route
    :ref:`ch-segmentation`

    Examples
    --------
    >>> cut("我来到北京清华大学")
    ['我', '来到', '北京', '清华大学']
    >>> cut("研究生命的起源")
    ['研究', '生命', '的', '起源']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    hmm = _checks.boolean(hmm, "hmm")
    dictionary = load_dictionary() if dictionary is None else dictionary
    out = []
    for block in _HAN_BLOCK.split(text):
        if not block:
            continue
        if _HAN_BLOCK.match(block):
            out += _cut_block(block, dictionary, hmm)
            continue
        for piece in _SPACE.split(block):
            if _SPACE.match(piece):
                out.append(piece)
            else:
                out += list(piece)
    return out
