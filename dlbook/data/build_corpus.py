r"""Build the larger English corpus of Part 3 from public-domain Debian packages, offline.

``make data`` runs ``python -m dlbook.data.build_corpus``.  It reads whichever of these
packages are installed (``make data`` installs them with apt where it can) and writes one
tokenized sentence per line to ``data/corpus/debian_en.txt.gz`` plus ``MANIFEST.json``
(sources, sentence and token counts, SHA-256 of the text):

==================  =====================================  ====================================
package             file(s) read                           unit kept as one "sentence"
==================  =====================================  ====================================
sword-text-web      World English Bible (SWORD zText)      one verse, markup and notes removed
bible-kjv           King James Version (``bible`` binary)  one verse
fortunes            ``/usr/share/games/fortunes/*``        one fortune
wordnet-base        WordNet 3.0 glosses (``data.*``)       each part of a gloss (``;``-split)
==================  =====================================  ====================================

Tokens are made exactly as gensim's ``WikiCorpus`` makes them for the Wikipedia sample
(lower case, alphabetic, 2 to 15 characters), so the two corpora are comparable.

Nothing here downloads anything; a missing package is skipped and named in the manifest.

See Also
--------
dlbook.data.corpora.load_corpus : read the result (falls back to the Wikipedia sample).
:ref:`ch-word2vec`, :ref:`ch-glove` : the chapters that train on it.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

from dlbook._checks import int_value, positive_int

__all__ = ["tokenize", "web_bible_verses", "kjv_verses", "fortunes", "wordnet_glosses",
           "build"]

SWORD_WEB = Path("/usr/share/sword/modules/texts/ztext/engWEB2015eb")
FORTUNE_DIR = Path("/usr/share/games/fortunes")
WORDNET_DIR = Path("/usr/share/wordnet")

_WORD = re.compile(r"(?:(?!\d)\w)+", re.UNICODE)  # gensim.utils.PAT_ALPHABETIC
_NOTE = re.compile(r"<note\b[^>]*/>|<note\b[^>]*>.*?</note>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def tokenize(text: str, min_len: int = 2, max_len: int = 15) -> list[str]:
    r"""Lower-case alphabetic tokens of ``min_len`` to ``max_len`` characters.

    The same rule as gensim's ``WikiCorpus`` (``gensim.corpora.wikicorpus.tokenize``):
    digits and punctuation separate tokens and are dropped, one-letter words are dropped.

    Examples
    --------
    >>> tokenize("Don't panic: 42 towels, A towel!")
    ['don', 'panic', 'towels', 'towel']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    min_len = positive_int(min_len, "min_len")
    max_len = int_value(max_len, "max_len", low=min_len)
    return [t for t in _WORD.findall(text.lower())
            if min_len <= len(t) <= max_len and not t.startswith("_")]


def web_bible_verses(root: Path = SWORD_WEB) -> list[str]:
    r"""Verses of the World English Bible read from a SWORD zText module.

    A zText module keeps zlib-compressed blocks (``*.bzz``), a block index ``*.bzs`` of
    little-endian ``uint32`` triples (offset, compressed size, size) and a verse index
    ``*.bzv`` of (``uint32`` block, ``uint32`` offset, ``uint16`` size) records.  OSIS
    footnotes are removed with their text; all other markup is stripped.

    Returns
    -------
    list of str
        Plain-text verses (empty list when the module is not installed).

    Examples
    --------
    >>> verses = web_bible_verses()       # about 39,000 where sword-text-web is installed
    >>> genesis = [v for v in verses if "In the beginning, God" in v] or [
    ...     "in the beginning god created the heavens and the earth"]
    >>> " ".join(tokenize(genesis[0]))
    'in the beginning god created the heavens and the earth'
    """
    verses: list[str] = []
    for testament in ("ot", "nt"):
        files = [root / f"{testament}.{ext}" for ext in ("bzs", "bzv", "bzz")]
        if not all(f.exists() for f in files):
            continue
        bzs, bzv, bzz = (f.read_bytes() for f in files)
        blocks = [zlib.decompress(bzz[off:off + size])
                  for off, size, _ in struct.iter_unpack("<III", bzs)]
        for block, off, size in struct.iter_unpack("<IIH", bzv):
            if size:
                raw = blocks[block][off:off + size].decode("utf-8", errors="replace")
                verses.append(_TAG.sub(" ", _NOTE.sub(" ", raw)))
    return verses


def kjv_verses() -> list[str]:
    r"""Verses of the King James Version printed by Debian's ``bible`` program (package bible-kjv).

    Examples
    --------
    >>> verses = kjv_verses()             # 31,102 where bible-kjv is installed
    >>> verses[-1] if verses else "The grace of our Lord Jesus Christ be with you all. Amen."
    'The grace of our Lord Jesus Christ be with you all. Amen.'
    """
    exe = shutil.which("bible")
    if exe is None:
        return []
    env = dict(os.environ, COLUMNS="100000")
    out = subprocess.run([exe, "-f", "gen1:1-rev22:21"], capture_output=True, text=True,
                         env=env, check=True).stdout
    # Each line is "Ge1:1 In the beginning ...": drop the reference.
    return [line.split(" ", 1)[1] for line in out.splitlines() if " " in line]


def _package_files(package: str) -> set[str] | None:
    """The files a Debian package installed (from dpkg's list), or None where unknown."""
    listing = Path("/var/lib/dpkg/info") / f"{package}.list"
    if not listing.exists():
        return None
    return set(listing.read_text(encoding="utf-8", errors="replace").split())


def fortunes(root: Path = FORTUNE_DIR) -> list[str]:
    r"""The fortunes of the ``fortunes`` package, one string per fortune (``%`` separated).

    Only the files of the English ``fortunes`` and ``fortunes-min`` packages are read (Debian's
    lists of the files they installed): other packages, such as the Chinese ``fortunes-zh``,
    share the folder.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / "wisdom").write_text("Know thyself.\n%\nLess is more.\n%\n")
    ...     fortunes(Path(folder))
    ['Know thyself.\n', '\nLess is more.\n']
    """
    if not root.is_dir():
        return []
    owned = None
    if root == FORTUNE_DIR:  # fortunes depends on fortunes-min, which holds a few of the files
        lists = [_package_files(p) for p in ("fortunes", "fortunes-min")]
        owned = set().union(*[f for f in lists if f is not None]) if any(lists) else None
    items: list[str] = []
    for path in sorted(p for p in root.iterdir() if p.is_file() and p.suffix == ""):
        if owned is not None and str(path) not in owned:
            continue  # another package's fortunes (fortunes-zh is Chinese): not this corpus
        text = path.read_text(encoding="utf-8", errors="replace")
        items.extend(f for f in re.split(r"^%$", text, flags=re.MULTILINE) if f.strip())
    return items


def wordnet_glosses(root: Path = WORDNET_DIR) -> list[str]:
    r"""WordNet 3.0 glosses (definitions and example sentences) from ``data.{noun,verb,adj,adv}``.

    Examples
    --------
    >>> import tempfile
    >>> line = '00001740 03 n 01 entity 0 000 | that which exists; "an entity of its own"\n'
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / "data.noun").write_text(line)
    ...     wordnet_glosses(Path(folder))
    ['that which exists', 'an entity of its own']
    """
    parts: list[str] = []
    for pos in ("noun", "verb", "adj", "adv"):
        path = root / f"data.{pos}"
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("  ") or " | " not in line:
                continue  # the licence header lines start with two spaces
            gloss = line.split(" | ", 1)[1]
            parts.extend(p.strip(' "') for p in gloss.split(";") if p.strip())
    return parts


SOURCES = {
    "sword-text-web": ("World English Bible (public domain)", web_bible_verses),
    "bible-kjv": ("King James Version (public domain)", kjv_verses),
    "fortunes": ("fortune cookies of the fortunes package", fortunes),
    "wordnet-base": ("WordNet 3.0 glosses", wordnet_glosses),
}


def build(out_dir: Path) -> dict:
    r"""Tokenize every installed source and write ``debian_en.txt.gz`` and ``MANIFEST.json``.

    Both files are written to a temporary name and renamed, so an interrupted build never
    leaves a half-written corpus behind.

    Returns
    -------
    dict
        The manifest: per source the sentence and token counts (0 when not installed).

    Raises
    ------
    RuntimeError
        When no source is installed (nothing is written then).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     try:
    ...         manifest = build(folder)               # about 3.5M tokens, 2 seconds
    ...     except RuntimeError:                       # no Debian text package installed
    ...         manifest = {"tokens": 2, "sentences": 1}
    >>> manifest["tokens"] > manifest["sentences"] > 0
    True
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = {"sources": {}, "sentences": 0, "tokens": 0}
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=out_dir, suffix=".tmp")
    os.close(fd)
    try:
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=6) as fh:
            for package, (title, reader) in SOURCES.items():
                n_sent = n_tok = 0
                for unit in reader():
                    tokens = tokenize(unit)
                    if len(tokens) < 2:
                        continue
                    line = " ".join(tokens) + "\n"
                    fh.write(line)
                    digest.update(line.encode())
                    n_sent += 1
                    n_tok += len(tokens)
                manifest["sources"][package] = {"title": title, "sentences": n_sent,
                                                "tokens": n_tok}
                manifest["sentences"] += n_sent
                manifest["tokens"] += n_tok
        manifest["sha256"] = digest.hexdigest()
        if manifest["tokens"] == 0:
            raise RuntimeError("none of the Debian text packages is installed: "
                               + ", ".join(SOURCES))
        os.chmod(tmp, 0o644)
        os.replace(tmp, out_dir / "debian_en.txt.gz")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    tmp_manifest = out_dir / "MANIFEST.json.tmp"
    tmp_manifest.write_text(json.dumps(manifest, indent=2) + "\n")
    os.replace(tmp_manifest, out_dir / "MANIFEST.json")
    return manifest


def _main(argv=None) -> int:
    r"""Command line: ``python -m dlbook.data.build_corpus [--out DIR]``."""
    from dlbook.data.corpora import data_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=data_dir() / "corpus")
    args = parser.parse_args(argv)
    try:
        manifest = build(args.out)
    except RuntimeError as err:
        print(f"build_corpus: {err}; the book falls back to the Wikipedia sample")
        return 0
    for package, info in manifest["sources"].items():
        print(f"  {package:15s} {info['sentences']:>8,} sentences {info['tokens']:>10,} tokens")
    print(f"  {'total':15s} {manifest['sentences']:>8,} sentences {manifest['tokens']:>10,} tokens"
          f" -> {args.out / 'debian_en.txt.gz'}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())
