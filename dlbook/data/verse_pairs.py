r"""Spanish–English verse pairs for the translation chapters, split by whole books.

The pairs come from ``make data`` (:mod:`dlbook.data.build_bible_pairs`): the Reina-Valera 1909
and the World English Bible aligned verse by verse.  Whole books are held out, so no test verse
has its neighbours (often near-repeats) in the training set:

- validation: Ruth, Philippians;
- test: John, James;
- training: the other 62 books.

Chapters :ref:`ch-attention` (recurrent networks with attention) and :ref:`ch-transformer`
train on the same split, so their scores can be compared.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass

from dlbook import _checks
from dlbook.data.build_bible_pairs import TEST_BOOKS, VALID_BOOKS
from dlbook.data.corpora import data_dir

__all__ = ["VersePair", "verse_pairs_available", "load_verse_pairs", "pairs_manifest"]


@dataclass(frozen=True)
class VersePair:
    """One verse in both languages. ``book`` is its OSIS name (``"John"``)."""

    book: str
    chapter: int
    verse: int
    spanish: str
    english: str


def _paths():
    folder = data_dir() / "bible_es_en"
    return folder / "pairs.tsv.gz", folder / "MANIFEST.json"


def verse_pairs_available() -> bool:
    """Whether ``make data`` has built the pairs on this machine.

    Examples
    --------
    >>> verse_pairs_available() in (True, False)
    True
    """
    return _paths()[0].exists()


def pairs_manifest() -> dict:
    """The manifest ``make data`` wrote: counts, sources, held-out books, SHA-256.

    Raises
    ------
    FileNotFoundError
        If the pairs have not been built.

    Examples
    --------
    >>> try:
    ...     books = pairs_manifest()["test_books"]
    ... except FileNotFoundError:
    ...     books = ["John", "Jas"]
    >>> books
    ['John', 'Jas']
    """
    _, manifest = _paths()
    if not manifest.exists():
        raise FileNotFoundError(f"{manifest} does not exist: run `make data`")
    return json.loads(manifest.read_text(encoding="utf-8"))


def load_verse_pairs(split: str = "all", max_words: int | None = None) -> list[VersePair]:
    r"""The verse pairs of one split: ``"train"``, ``"valid"``, ``"test"`` or ``"all"``.

    Parameters
    ----------
    split : {"all", "train", "valid", "test"}
    max_words : int, optional
        Keep only pairs whose Spanish and English verses both have at most this many
        whitespace-separated words (short verses train fast on a CPU).

    Raises
    ------
    ValueError
        For an unknown split or a ``max_words`` below 1.
    FileNotFoundError
        If ``make data`` has not built the pairs (the message says how to).

    Examples
    --------
    >>> try:
    ...     test = load_verse_pairs("test", max_words=8)
    ... except FileNotFoundError:
    ...     test = [VersePair("John", 11, 35, "Y lloró Jesús.", "Jesus wept.")]
    >>> {p.book for p in test} <= {"John", "Jas"}
    True
    """
    _checks.one_of(split, "split", ("all", "train", "valid", "test"))
    if max_words is not None:
        max_words = _checks.positive_int(max_words, "max_words")
    text, _ = _paths()
    if not text.exists():
        raise FileNotFoundError(f"{text} does not exist: run `make data` (it installs Debian's "
                                "sword-text-sparv and sword-text-web and aligns the verses)")
    held_out = set(VALID_BOOKS) | set(TEST_BOOKS)
    keep = {"valid": set(VALID_BOOKS), "test": set(TEST_BOOKS)}.get(split)
    pairs = []
    with gzip.open(text, "rt", encoding="utf-8") as fh:
        for line in fh:
            book, chapter, verse, es, en = line.rstrip("\n").split("\t")
            if split == "train" and book in held_out or keep is not None and book not in keep:
                continue
            if max_words is not None and max(len(es.split()), len(en.split())) > max_words:
                continue
            pairs.append(VersePair(book, int(chapter), int(verse), es, en))
    return pairs
