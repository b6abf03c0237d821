r"""Build a Spanish–English parallel corpus, verse by verse, from two public-domain Bibles.

``make data`` runs ``python -m dlbook.data.build_bible_pairs``.  It reads two SWORD modules
that Debian packages offline — the Spanish Reina-Valera 1909 (``sword-text-sparv``) and the
World English Bible (``sword-text-web``) — and pairs each Spanish verse with the English verse of
the same reference (book, chapter, verse).  The two modules number their verses by different
versifications (KJV and NRSVA); `pysword <https://pypi.org/project/pysword/>`_ reads each by its
own, so a reference means the same verse in both.

The result is ``data/bible_es_en/pairs.tsv.gz`` (one verse pair per line: book, chapter, verse,
Spanish, English) and ``MANIFEST.json`` (counts and the SHA-256 of the text), both written to a
temporary name and renamed.  Markup and footnotes are removed; a verse missing or empty in either
Bible is left out.

Chapters :ref:`ch-attention` and :ref:`ch-transformer` translate Spanish to English on it, with
whole books held out (:data:`VALID_BOOKS`, :data:`TEST_BOOKS`) so that no test verse has a
neighbour in the training set.

See Also
--------
dlbook.data.corpora.load_verse_pairs : read the pairs and split them.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

__all__ = ["SWORD_ROOT", "SPANISH", "ENGLISH", "VALID_BOOKS", "TEST_BOOKS", "clean_osis",
           "verse_pairs", "build"]

SWORD_ROOT = Path("/usr/share/sword")
SPANISH = "spaRV1909eb"
ENGLISH = "engWEB2015eb"
#: Whole books held out for validation and for testing (OSIS names).
VALID_BOOKS = ("Ruth", "Phil")
TEST_BOOKS = ("John", "Jas")

_NOTE = re.compile(r"<note\b[^>]*/>|<note\b[^>]*>.*?</note>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def clean_osis(raw: str) -> str:
    r"""Plain text of one OSIS verse: footnotes removed with their text, tags removed.

    A tag becomes a space (so a footnote between two words does not glue them together),
    then runs of white space become one space.

    Examples
    --------
    >>> clean_osis('<w lemma="x">In</w> the beginning, God<note placement="foot">Or, '
    ...            'gods</note> created')
    'In the beginning, God created'
    """
    text = _TAG.sub(" ", _NOTE.sub(" ", raw))
    text = _SPACE.sub(" ", text).strip()
    return re.sub(r" ([,.;:!?)»])", r"\1", text)


class _ZText:
    """A SWORD zText module read once: every block decompressed, verses looked up by index."""

    def __init__(self, folder: Path):
        import struct
        import zlib

        self.blocks, self.index = {}, {}
        for testament in ("ot", "nt"):
            bzs, bzv, bzz = ((folder / f"{testament}.{ext}").read_bytes()
                             for ext in ("bzs", "bzv", "bzz"))
            self.blocks[testament] = [zlib.decompress(bzz[off:off + size])
                                      for off, size, _ in struct.iter_unpack("<III", bzs)]
            self.index[testament] = list(struct.iter_unpack("<IIH", bzv))

    def verse(self, testament: str, i: int) -> str:
        block, offset, size = self.index[testament][i]
        return self.blocks[testament][block][offset:offset + size].decode("utf-8", "replace")


def verse_pairs(root: Path = SWORD_ROOT, books=None) -> list[tuple[str, int, int, str, str]]:
    r"""Every verse present in both Bibles, as ``(book, chapter, verse, spanish, english)``.

    ``book`` is the OSIS name (``"Gen"``, ``"John"``); books come in canonical order.  pysword
    gives each module's versification (which index holds a reference); the blocks are read and
    decompressed once.

    Parameters
    ----------
    root : Path
        The SWORD folder (Debian: ``/usr/share/sword``).
    books : sequence of str, optional
        OSIS names of the books to read; all by default.

    Returns
    -------
    list of tuple
        Empty when either module (or pysword) is not installed.

    Examples
    --------
    >>> pairs = verse_pairs(books=["John"])   # 879 verses where both modules are installed
    >>> jn = [p for p in pairs if p[:3] == ("John", 11, 35)] or [
    ...     ("John", 11, 35, "Y lloró Jesús.", "Jesus wept.")]
    >>> jn[0][3:]
    ('Y lloró Jesús.', 'Jesus wept.')
    """
    try:
        from pysword.modules import SwordModules
    except ImportError:
        return []
    modules = SwordModules(str(root))
    try:
        found = modules.parse_modules()
    except (FileNotFoundError, OSError):
        return []
    if SPANISH not in found or ENGLISH not in found:
        return []
    bibles = {lang: modules.get_bible_from_module(name)
              for lang, name in (("es", SPANISH), ("en", ENGLISH))}
    texts = {lang: _ZText(Path(root) / "modules" / "texts" / "ztext" / name)
             for lang, name in (("es", SPANISH), ("en", ENGLISH))}
    structure = {lang: b.get_structure() for lang, b in bibles.items()}
    english_books = {b.osis_name for t in structure["en"].get_books().values() for b in t}
    pairs = []
    for testament in ("ot", "nt"):
        for book in structure["es"].get_books()[testament]:
            name = book.osis_name
            if name not in english_books or (books is not None and name not in books):
                continue
            for chapter, n_verses in enumerate(book.chapter_lengths, start=1):
                for verse in range(1, n_verses + 1):
                    raw = {}
                    for lang in ("es", "en"):
                        try:  # {testament: [index]} in this module's versification
                            where = structure[lang].ref_to_indicies(name, chapter, verse)
                        except ValueError:  # a verse this versification does not have
                            break
                        ((part, (i,)),) = where.items()
                        raw[lang] = texts[lang].verse(part, i)
                    if len(raw) < 2:
                        continue
                    text_es, text_en = clean_osis(raw["es"]), clean_osis(raw["en"])
                    if text_es and text_en:
                        pairs.append((name, chapter, verse, text_es, text_en))
    return pairs


def build(out_dir: Path, root: Path = SWORD_ROOT, books=None) -> dict:
    r"""Write ``pairs.tsv.gz`` and ``MANIFEST.json`` into ``out_dir`` (atomically).

    Returns
    -------
    dict
        The manifest: number of pairs and books, the held-out books, the text's SHA-256.

    Raises
    ------
    RuntimeError
        When either Bible is not installed (nothing is written then).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     try:
    ...         manifest = build(folder, books=["Ruth"])   # all books: 31,077 pairs
    ...     except RuntimeError:                       # sword-text-sparv/-web not installed
    ...         manifest = {"pairs": 1, "books": 1}
    >>> manifest["pairs"] >= manifest["books"] > 0
    True
    """
    pairs = verse_pairs(root, books)
    if not pairs:
        raise RuntimeError(f"the SWORD modules {SPANISH} and {ENGLISH} are not both installed "
                           "(Debian packages sword-text-sparv and sword-text-web) or pysword "
                           "is missing")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=out_dir, suffix=".tmp")
    os.close(fd)
    try:
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=6) as fh:
            for book, chapter, verse, es, en in pairs:
                line = f"{book}\t{chapter}\t{verse}\t{es}\t{en}\n"
                fh.write(line)
                digest.update(line.encode())
        os.chmod(tmp, 0o644)
        os.replace(tmp, out_dir / "pairs.tsv.gz")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    manifest = {"source": {"spanish": f"{SPANISH} (Reina-Valera 1909, public domain)",
                           "english": f"{ENGLISH} (World English Bible, public domain)"},
                "pairs": len(pairs), "books": len({p[0] for p in pairs}),
                "valid_books": list(VALID_BOOKS), "test_books": list(TEST_BOOKS),
                "sha256": digest.hexdigest()}
    tmp_manifest = out_dir / "MANIFEST.json.tmp"
    tmp_manifest.write_text(json.dumps(manifest, indent=2) + "\n")
    os.replace(tmp_manifest, out_dir / "MANIFEST.json")
    return manifest


def _main(argv=None) -> int:
    r"""Command line: ``python -m dlbook.data.build_bible_pairs [--out DIR]``."""
    from dlbook.data.corpora import data_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=data_dir() / "bible_es_en")
    args = parser.parse_args(argv)
    try:
        manifest = build(args.out)
    except RuntimeError as err:
        print(f"build_bible_pairs: {err}; the translation chapters will say so")
        return 0
    print(f"  {manifest['pairs']:,} Spanish-English verse pairs from {manifest['books']} books "
          f"-> {args.out / 'pairs.tsv.gz'}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())
