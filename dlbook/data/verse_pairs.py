r"""Spanish–English verse pairs for the translation chapters, split by whole books.

The pairs come from ``make data`` (:mod:`dlbook.data.build_bible_pairs`): the Reina-Valera 1909
and the World English Bible aligned verse by verse.  Whole books are held out, so no test verse
has its neighbours (often near-repeats) in the training set:

- validation: Ruth, Philippians;
- test: John, James;
- training: the other 62 books.

Chapters :ref:`ch-attention` (recurrent networks with attention) and :ref:`ch-transformer`
train on the same task, :func:`verse_task`: verses of at most :data:`TASK_MAX_WORDS` words on
both sides, lower-cased and split into words and punctuation by :func:`tokenize_verse`, so their
BLEU scores (on these tokens) can be compared.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass

from dlbook import _checks
from dlbook.data.build_bible_pairs import TEST_BOOKS, VALID_BOOKS
from dlbook.data.corpora import data_dir

__all__ = ["VersePair", "TASK_MAX_WORDS", "verse_pairs_available", "load_verse_pairs",
           "pairs_manifest", "tokenize_verse", "verse_task"]

#: The longest verse (in words, on either side) of the translation task of Parts 3 and 4.
TASK_MAX_WORDS = 16


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


_TOKEN = re.compile(r"\w+|[^\w\s]")


def tokenize_verse(text: str) -> list[str]:
    r"""Lower-case words and punctuation marks of a verse, the tokens the translation task uses.

    Examples
    --------
    >>> tokenize_verse("Y lloró Jesús.")
    ['y', 'lloró', 'jesús', '.']
    >>> tokenize_verse("God’s Spirit")
    ['god', '’', 's', 'spirit']
    """
    return _TOKEN.findall(text.lower())


def verse_task(split: str, max_words: int = TASK_MAX_WORDS) -> list[tuple[list[str], list[str]]]:
    r"""The Spanish→English translation task: ``(spanish_tokens, english_tokens)`` per verse.

    Parameters
    ----------
    split : {"train", "valid", "test"}
        6,914 / 40 / 259 pairs with the default ``max_words`` (whole books held out).
    max_words : int
        Keep verses of at most this many words on both sides.

    Examples
    --------
    >>> try:
    ...     pairs = verse_task("test")
    ... except FileNotFoundError:
    ...     pairs = [(["y", "lloró", "jesús", "."], ["jesus", "wept", "."])]
    >>> (["y", "lloró", "jesús", "."], ["jesus", "wept", "."]) in pairs
    True
    """
    _checks.one_of(split, "split", ("train", "valid", "test"))
    return [(tokenize_verse(p.spanish), tokenize_verse(p.english))
            for p in load_verse_pairs(split, max_words)]
