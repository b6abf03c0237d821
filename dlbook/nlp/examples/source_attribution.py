r"""A labelled text-classification task that works offline: which source does a sentence come
from? Chapter :ref:`ch-lstm`'s classification example.

The four labels are the four public-domain sources of Part 3's English corpus, read raw by
:mod:`dlbook.data.build_corpus` from Debian packages:

===========  ======================================================
label        source
===========  ======================================================
``WEB``      a verse of the World English Bible (modern English)
``KJV``      a verse of the King James Version (1611 English)
``fortune``  a fortune cookie of the ``fortunes`` package
``gloss``    a definition (gloss) from WordNet 3.0
===========  ======================================================

The two Bibles translate the same verses, so telling them apart is a question of style
("thou hast" against "you have"), while fortunes and glosses differ in subject and form. Each
text is tokenized as the corpus is (lower case, alphabetic words of 2 to 15 letters) and cut to
its first ``max_len`` words; texts under 3 words are left out; the same number of texts is drawn
from each source, then shuffled and split.

Framework-free code: the models that classify it are in
:mod:`dlbook.nlp.examples.text_classifiers_torch`.

See Also
--------
:ref:`ch-lstm` : the chapter.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from dlbook import _checks

__all__ = ["LABELS", "SourceTexts", "load_source_attribution", "build_index", "encode",
           "bag_of_words"]

LABELS = ("WEB", "KJV", "fortune", "gloss")


@dataclass(frozen=True)
class SourceTexts:
    """Token lists and integer labels (indices into :data:`LABELS`) of both splits."""

    train_tokens: list
    train_labels: np.ndarray
    test_tokens: list
    test_labels: np.ndarray


def load_source_attribution(n_per_class: int = 2500, test_fraction: float = 0.2,
                            max_len: int = 40, seed: int = 0) -> SourceTexts:
    """Draw ``n_per_class`` texts from each source and split them into training and test sets.

    Raises
    ------
    FileNotFoundError
        If a source package is missing (``make data`` installs them).

    Examples
    --------
    >>> try:
    ...     data = load_source_attribution(n_per_class=20)
    ...     n = len(data.train_tokens) + len(data.test_tokens)
    ... except FileNotFoundError:       # the Debian packages are not installed
    ...     n = 80
    >>> n
    80
    """
    from dlbook.data import build_corpus

    n = _checks.positive_int(n_per_class, "n_per_class")
    test_fraction = _checks.probability(test_fraction, "test_fraction", low_open=True,
                                        high_open=True)
    max_len = _checks.positive_int(max_len, "max_len")
    rng = np.random.default_rng(seed)
    readers = [build_corpus.web_bible_verses, build_corpus.kjv_verses, build_corpus.fortunes,
               build_corpus.wordnet_glosses]
    texts, labels = [], []
    for label, read in enumerate(readers):
        tokens = [t[:max_len] for t in map(build_corpus.tokenize, read()) if len(t) >= 3]
        if len(tokens) < n:
            raise FileNotFoundError(f"only {len(tokens)} texts for {LABELS[label]}: is its "
                                    "Debian package installed? (make data)")
        for k in rng.choice(len(tokens), n, replace=False):
            texts.append(tokens[k])
            labels.append(label)
    order = rng.permutation(len(texts))
    n_test = int(round(test_fraction * len(texts)))
    test, train = order[:n_test], order[n_test:]
    labels = np.array(labels, dtype=np.int64)
    return SourceTexts([texts[k] for k in train], labels[train], [texts[k] for k in test],
                       labels[test])


def build_index(token_lists, min_count: int = 2) -> dict:
    """Word → id for the words seen at least ``min_count`` times; ids start at 1 (0 pads and
    stands for every unknown word).

    Examples
    --------
    >>> build_index([["a", "b", "a"], ["b", "c"]])
    {'a': 1, 'b': 2}
    """
    counts = Counter(w for tokens in token_lists for w in tokens)
    words = [w for w, c in counts.most_common() if c >= min_count]
    return {w: k + 1 for k, w in enumerate(words)}


def encode(token_lists, index: dict, length: int) -> np.ndarray:
    """Id arrays of shape (n, length), padded with 0 on the *left*, so the last step of a
    recurrent network is always a real word.

    Examples
    --------
    >>> encode([["a", "b"], ["b", "zzz", "a", "b"]], {"a": 1, "b": 2}, 3)
    array([[0, 1, 2],
           [0, 1, 2]])
    """
    length = _checks.positive_int(length, "length")
    out = np.zeros((len(token_lists), length), dtype=np.int64)
    for i, tokens in enumerate(token_lists):
        ids = [index.get(w, 0) for w in tokens][-length:]
        if ids:
            out[i, length - len(ids):] = ids
    return out


def bag_of_words(token_lists, index: dict):
    """Word counts as a sparse matrix of shape (n, len(index) + 1) (column 0: unknown words).

    Examples
    --------
    >>> bag_of_words([["a", "b", "a"]], {"a": 1, "b": 2}).toarray()
    array([[0., 2., 1.]])
    """
    from scipy.sparse import csr_matrix

    rows, cols = [], []
    for i, tokens in enumerate(token_lists):
        for w in tokens:
            rows.append(i)
            cols.append(index.get(w, 0))
    data = np.ones(len(rows))
    return csr_matrix((data, (rows, cols)), shape=(len(token_lists), len(index) + 1))
