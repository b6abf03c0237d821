r"""Text preprocessing: tokenization, case folding, stop words, vocabulary, one-hot, bag of words.

Everything here is plain Python and NumPy.  A document becomes a list of tokens
(:func:`tokenize`), tokens become integer ids through a :class:`Vocabulary` built with a
``min_count`` and an unknown token, and ids become vectors: one-hot rows (:func:`one_hot`) or
count vectors (:func:`bag_of_words`).  :func:`ngrams` and :func:`ngram_counts` give the n-gram
view that BLEU (:mod:`dlbook.nlp.bleu`) also uses.

Framework-free code: there is no ``_torch`` twin.

See Also
--------
:ref:`ch-text-preprocessing` : the chapter.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from dlbook._checks import boolean, check_ndim, positive_int, token_list

__all__ = ["TOKEN_PATTERNS", "STOP_WORDS", "tokenize", "remove_stop_words", "ngrams",
           "corpus_ngram_counts", "Vocabulary", "one_hot", "bag_of_words"]

#: Regular expressions for :func:`tokenize`.  ``"words"``: runs of letters, digits and inner
#: apostrophes ("don't" stays whole, "U.S." splits); ``"words+punct"``: the same plus every
#: punctuation mark as its own token; ``"whitespace"``: split on spaces only.
TOKEN_PATTERNS = {
    "words": r"[A-Za-z0-9]+(?:'[A-Za-z]+)?",
    "words+punct": r"[A-Za-z0-9]+(?:'[A-Za-z]+)?|[^\sA-Za-z0-9]",
    "whitespace": r"\S+",
}

#: A short English stop-word list of the usual kind (articles, pronouns, auxiliaries and
#: negations).  It contains "not", "no" and "n't" forms on purpose: chapter 3.1 shows what
#: removing them does to sentiment.
STOP_WORDS = frozenset("""
a an the and or but if of at by for with about to from in on into over under again then once
here there when where why how all any both each few more most other some such only own same so
than too very can will just should now i me my we our you your he him his she her it its they
them their what which who whom this that these those am is are was were be been being have has
had having do does did doing not no nor don't doesn't didn't isn't aren't wasn't weren't won't
can't couldn't shouldn't
""".split())


def tokenize(text: str, lowercase: bool = True, pattern: str = "words") -> list[str]:
    r"""Split a text into tokens with a regular expression.

    Parameters
    ----------
    text : str
        The raw text.
    lowercase : bool, default True
        Case folding: "The" and "the" become one token.  Loses the difference between
        "Apple" the company and "apple" the fruit, and between "US" and "us".
    pattern : str, default "words"
        A key of :data:`TOKEN_PATTERNS` or a regular expression of your own.

    Returns
    -------
    list of str

    Raises
    ------
    TypeError
        If ``text`` is not a string.

    Examples
    --------
    >>> tokenize("I don't like the U.S. price of $3.50!")
    ['i', "don't", 'like', 'the', 'u', 's', 'price', 'of', '3', '50']
    >>> tokenize("Not bad.", lowercase=False, pattern="words+punct")
    ['Not', 'bad', '.']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    regex = TOKEN_PATTERNS.get(pattern, pattern)
    if lowercase:
        text = text.lower()
    return re.findall(regex, text)


def remove_stop_words(tokens: Sequence[str], stop_words: Iterable[str] = STOP_WORDS,
                      keep: Iterable[str] = ()) -> list[str]:
    """Drop the tokens found in ``stop_words`` except those listed in ``keep``.

    Examples
    --------
    >>> remove_stop_words("the crust is not good".split())
    ['crust', 'good']
    >>> remove_stop_words("the crust is not good".split(), keep={"not"})
    ['crust', 'not', 'good']
    """
    drop = set(stop_words) - set(keep)
    return [t for t in tokens if t not in drop]


def ngrams(tokens: Sequence, n: int) -> list[tuple]:
    """The n-grams of a token sequence, in order (``len(tokens) - n + 1`` of them).

    Examples
    --------
    >>> ngrams(["not", "bad", "at", "all"], 2)
    [('not', 'bad'), ('bad', 'at'), ('at', 'all')]
    """
    n = positive_int(n, "n")
    tokens = token_list(tokens, "tokens")
    return list(zip(*[tokens[i:] for i in range(n)]))


def corpus_ngram_counts(docs: Iterable[Sequence], n: int) -> Counter:
    """Count n-grams over many token lists (a corpus).

    Examples
    --------
    >>> corpus_ngram_counts([["a", "b", "a", "b"], ["a", "b"]], 2).most_common(2)
    [(('a', 'b'), 3), (('b', 'a'), 1)]
    """
    counts = Counter()
    for doc in docs:
        counts.update(ngrams(doc, n))
    return counts


class Vocabulary:
    r"""A token <-> id mapping with a frequency cut-off and an unknown token.

    Parameters
    ----------
    docs : iterable of sequence of str
        Tokenized documents to count.
    min_count : int, default 1
        Tokens seen fewer times are left out and later map to ``unk``.
    unk : str, default "<unk>"
        The unknown token; it gets id 0.
    specials : sequence of str, default ()
        Extra reserved tokens (e.g. "<pad>", "<bos>"), ids 1, 2, ... after ``unk``.

    Attributes
    ----------
    index_to_token : list of str
        Id -> token: ``unk``, the specials, then tokens by falling count (ties alphabetical).
    token_to_index : dict
        Token -> id.
    counts : Counter
        Every token's count, including those below ``min_count``.

    Raises
    ------
    ValueError
        If ``min_count < 1`` or no token reaches ``min_count``.
    TypeError
        If a document is a string rather than a list of tokens.

    Examples
    --------
    >>> v = Vocabulary([["the", "cat"], ["the", "dog"]], min_count=2)
    >>> v.index_to_token, v.encode(["the", "cow"]), len(v)
    (['<unk>', 'the'], [1, 0], 2)
    """

    def __init__(self, docs, min_count=1, unk="<unk>", specials=()):
        min_count = positive_int(min_count, "min_count")
        self.counts = Counter()
        for i, doc in enumerate(docs):
            self.counts.update(token_list(doc, f"docs[{i}]"))
        kept = sorted((t for t, c in self.counts.items() if c >= min_count),
                      key=lambda t: (-self.counts[t], t))
        if not kept:
            raise ValueError(f"no token occurs at least min_count={min_count} times "
                             f"({len(self.counts)} distinct tokens): the vocabulary is empty")
        reserved = [unk, *specials]
        self.unk = unk
        self.min_count = min_count
        self.index_to_token = reserved + [t for t in kept if t not in reserved]
        self.token_to_index = {t: i for i, t in enumerate(self.index_to_token)}

    def __len__(self):
        return len(self.index_to_token)

    def __contains__(self, token):
        return token in self.token_to_index

    def encode(self, tokens: Sequence[str]) -> list[int]:
        """Token ids; unknown tokens map to 0 (``unk``)."""
        get = self.token_to_index.get
        return [get(t, 0) for t in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Tokens of ids; raises IndexError naming an id outside the vocabulary."""
        out = []
        for i in ids:
            if not 0 <= int(i) < len(self):
                raise IndexError(f"id {i} is outside the vocabulary of size {len(self)}")
            out.append(self.index_to_token[int(i)])
        return out


def one_hot(ids, num_classes: int) -> np.ndarray:
    r"""One-hot rows: ``out[i, ids[i]] = 1``.

    Parameters
    ----------
    ids : array_like of int, shape (N,)
    num_classes : int
        Vocabulary size V.

    Returns
    -------
    ndarray of shape (N, V), float64

    Notes
    -----
    For an embedding matrix :math:`E` of shape (V, d), ``one_hot(ids, V) @ E`` equals ``E[ids]``:
    multiplying by a one-hot vector is a row lookup.

    Examples
    --------
    >>> one_hot([2, 0], 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    ids = np.asarray(ids)
    num_classes = positive_int(num_classes, "num_classes")
    if ids.size and not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(f"ids must hold integers, got dtype {ids.dtype}")
    check_ndim(ids, "ids", ndim=1)
    if ids.size and (ids.min() < 0 or ids.max() >= num_classes):
        raise ValueError(f"ids must lie in [0, {num_classes}), got min {ids.min()} and max "
                         f"{ids.max()}")
    out = np.zeros((ids.size, num_classes))
    out[np.arange(ids.size), ids] = 1.0
    return out


def bag_of_words(docs_ids, num_classes: int, binary: bool = False) -> np.ndarray:
    r"""Document-term count matrix.

    Parameters
    ----------
    docs_ids : sequence of sequence of int
        N documents as id lists (from :meth:`Vocabulary.encode`).
    num_classes : int
        Vocabulary size V.
    binary : bool, default False
        1 for presence instead of counts.

    Returns
    -------
    ndarray of shape (N, V), int64
        ``X[i, j]`` = how often token j occurs in document i; the sum of the document's one-hot
        rows.  Word order is lost.

    Examples
    --------
    >>> bag_of_words([[1, 2, 1], []], 3)
    array([[0, 2, 1],
           [0, 0, 0]])
    """
    num_classes = positive_int(num_classes, "num_classes")
    binary = boolean(binary, "binary")
    lengths = np.array([len(d) for d in docs_ids], dtype=np.int64)         # (N,)
    flat = np.fromiter((i for d in docs_ids for i in d), dtype=np.int64,
                       count=int(lengths.sum()))
    if flat.size and (flat.min() < 0 or flat.max() >= num_classes):
        raise ValueError(f"ids must lie in [0, {num_classes}), got min {flat.min()} and max "
                         f"{flat.max()}")
    rows = np.repeat(np.arange(lengths.size), lengths)
    X = np.bincount(rows * num_classes + flat, minlength=lengths.size * num_classes)
    X = X.reshape(lengths.size, num_classes)
    return (X > 0).astype(np.int64) if binary else X
