r"""Real Chinese text that works offline: Tang poems, Song lyrics and modern sayings.

Built by ``make data`` (:mod:`dlbook.data.build_chinese`) from Debian's ``fortunes-zh``, which
ships them in Simplified characters; each entry keeps that original and a Traditional version
made with OpenCC (the poems character by character, the modern text with Taiwan vocabulary).

Chapters :ref:`ch-segmentation` (word segmentation), :ref:`ch-attention` (a character
model of Tang poems) and Part 4 (tokenization, a GPT on Chinese) read them.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass

from dlbook import _checks
from dlbook.data.build_chinese import COLLECTIONS
from dlbook.data.corpora import data_dir

__all__ = ["ChineseText", "chinese_texts_available", "load_chinese_texts"]


@dataclass(frozen=True)
class ChineseText:
    """One entry: ``collection`` (``"tang300"``, ``"song100"`` or ``"sayings"``), its title and
    author, ``text`` in Traditional characters and ``simplified``, the original."""

    collection: str
    title: str
    author: str
    text: str
    simplified: str


def _path():
    return data_dir() / "zh" / "texts.jsonl.gz"


def chinese_texts_available() -> bool:
    """Whether ``make data`` has built the Chinese texts on this machine.

    Examples
    --------
    >>> chinese_texts_available() in (True, False)
    True
    """
    return _path().exists()


def load_chinese_texts(collection: str | None = None) -> list[ChineseText]:
    r"""The entries of one collection (``"tang300"``, ``"song100"``, ``"sayings"``) or all.

    Raises
    ------
    ValueError
        For an unknown collection.
    FileNotFoundError
        If ``make data`` has not built the texts (the message says how to).

    Examples
    --------
    >>> try:
    ...     poems = load_chinese_texts("tang300")
    ... except FileNotFoundError:
    ...     poems = [ChineseText("tang300", "靜夜思", "李白", "床前明月光", "床前明月光")]
    >>> poems[0].collection
    'tang300'
    """
    if collection is not None:
        _checks.one_of(collection, "collection", tuple(COLLECTIONS))
    path = _path()
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: run `make data` (it installs Debian's "
                                "fortunes-zh and converts it with OpenCC)")
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            if collection is None or item["collection"] == collection:
                out.append(ChineseText(**item))
    return out
