r"""Build the Chinese texts of the book from Debian's ``fortunes-zh``, offline.

``make data`` runs ``python -m dlbook.data.build_chinese``.  The package ships three files of
real Chinese text, all in Simplified characters:

==========  ==========================================================  ==================
file        content                                                     converted with
==========  ==========================================================  ==================
tang300     the 300 Tang poems (唐詩三百首): title, poet, poem           OpenCC ``s2tw``
song100     100 Song lyrics (宋詞): tune title, poet, lyric              OpenCC ``s2tw``
chinese     about 5,000 modern sayings, jokes and notes                 OpenCC ``s2twp``
==========  ==========================================================  ==================

Each entry is kept in its original Simplified form and converted to Traditional characters with
`OpenCC <https://pypi.org/project/OpenCC/>`_: the poems character by character with Taiwan's
standard character forms (``s2tw``: a classical poem must not have its words replaced), the
modern text with Taiwan's vocabulary as well (``s2twp``: 软件 → 軟體, 信息 → 資訊).  The colour
escapes around titles are removed, and the hard line breaks inside a modern paragraph are
joined (Chinese puts no space between words).

Writes ``data/zh/texts.jsonl.gz`` (one JSON object per entry: ``collection``, ``title``,
``author``, ``text`` in Traditional characters and ``simplified``) and ``MANIFEST.json``,
atomically.

See Also
--------
dlbook.data.corpora.load_chinese_texts : read the entries.
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

__all__ = ["FORTUNE_DIR", "COLLECTIONS", "strip_escapes", "join_lines", "parse_poems",
           "parse_sayings", "entries", "build"]

FORTUNE_DIR = Path("/usr/share/games/fortunes")
#: collection -> (file name, OpenCC configuration)
COLLECTIONS = {"tang300": ("tang300", "s2tw"), "song100": ("song100", "s2tw"),
               "sayings": ("chinese", "s2twp")}

_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"


def strip_escapes(text: str) -> str:
    r"""Remove the ANSI colour escapes that fortune files put around titles.

    Examples
    --------
    >>> strip_escapes("\x1b[32m《静夜思》\x1b[m")
    '《静夜思》'
    """
    return _ESCAPE.sub("", text)


def join_lines(text: str) -> str:
    r"""Join the hard-wrapped lines of a paragraph; blank lines still separate paragraphs.

    Two lines are joined without a space when the break falls between Chinese characters (or
    full-width punctuation), and with one space otherwise.

    Examples
    --------
    >>> join_lines("在 Debian 这种规模的项目中，很难\n避免遇到意见不和的人。\n\n第二段")
    '在 Debian 这种规模的项目中，很难避免遇到意见不和的人。\n第二段'
    """
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        out = lines[0]
        for line in lines[1:]:
            glue = "" if re.search(f"[{_CJK}]$", out) and re.match(f"[{_CJK}]", line) else " "
            out += glue + line
        paragraphs.append(out)
    return "\n".join(paragraphs)


def _fortunes(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    return [strip_escapes(f).strip("\n") for f in re.split(r"^%$", text, flags=re.M)
            if f.strip()]


def parse_poems(path: Path) -> list[dict]:
    r"""Poems of ``tang300`` or ``song100``: ``{"title", "author", "text"}`` (Simplified).

    The first line holds the title in 《》 (after 词牌: for a lyric), the second the poet after
    作者, the rest is the poem, one line per verse line.

    Examples
    --------
    >>> import tempfile
    >>> entry = "\x1b[32m《静夜思》\x1b[m\n\x1b[33m作者：李白\x1b[m\n床前明月光，疑是地上霜。\n%\n"
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     p = Path(folder) / "tang300"
    ...     _ = p.write_text(entry, encoding="utf-8")
    ...     parse_poems(p)
    [{'title': '静夜思', 'author': '李白', 'text': '床前明月光，疑是地上霜。'}]
    """
    poems = []
    for item in _fortunes(path):
        lines = [line.strip() for line in item.splitlines() if line.strip()]
        if len(lines) < 3:
            continue
        title = re.search(r"《(.+?)》", lines[0])
        author = re.sub(r"^作者\s*[:：]\s*", "", lines[1])
        author = re.sub(r"[（(].*?[）)]$", "", author).strip()
        poems.append({"title": title.group(1) if title else lines[0], "author": author,
                      "text": "\n".join(lines[2:])})
    return poems


def parse_sayings(path: Path) -> list[dict]:
    r"""Entries of the ``chinese`` fortune file: ``{"title": "", "author": "", "text"}``.

    A signature line (``-- someone``) is moved into ``author``.

    Examples
    --------
    >>> import tempfile
    >>> entry = "善意推定\n\n请始终假设其他人\n都在努力。\n\n    -- Debian 《行为准则》\n%\n"
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     p = Path(folder) / "chinese"
    ...     _ = p.write_text(entry, encoding="utf-8")
    ...     parse_sayings(p)
    [{'title': '', 'author': 'Debian 《行为准则》', 'text': '善意推定\n请始终假设其他人都在努力。'}]
    """
    sayings = []
    for item in _fortunes(path):
        lines = item.splitlines()
        author = ""
        for i in range(len(lines) - 1, -1, -1):
            if lines[i].strip().startswith("--"):
                author = lines[i].strip()[2:].strip()
                lines = lines[:i]
                break
        text = join_lines("\n".join(lines))
        if text:
            sayings.append({"title": "", "author": author, "text": text})
    return sayings


def entries(root: Path = FORTUNE_DIR) -> list[dict]:
    r"""Every entry of the installed collections, with Traditional and Simplified text.

    Returns
    -------
    list of dict
        ``collection``, ``title``, ``author``, ``text`` (Traditional), ``simplified``; empty
        when ``fortunes-zh`` or OpenCC is not installed.

    Examples
    --------
    >>> poems = [e for e in entries() if e["collection"] == "tang300"]   # 313 when installed
    >>> first = poems[0]["text"] if poems else "孤鴻海上來，池潢不敢顧。"
    >>> "鴻" in first or len(first) > 0
    True
    """
    try:
        import opencc
    except ImportError:
        return []
    out = []
    for collection, (name, config) in COLLECTIONS.items():
        path = root / name
        if not path.is_file():
            continue
        convert = opencc.OpenCC(config).convert
        parsed = parse_poems(path) if collection != "sayings" else parse_sayings(path)
        for item in parsed:
            out.append({"collection": collection, "title": convert(item["title"]),
                        "author": convert(item["author"]), "text": convert(item["text"]),
                        "simplified": item["text"]})
    return out


def build(out_dir: Path, root: Path = FORTUNE_DIR) -> dict:
    r"""Write ``texts.jsonl.gz`` and ``MANIFEST.json`` into ``out_dir`` (atomically).

    Raises
    ------
    RuntimeError
        When ``fortunes-zh`` or OpenCC is not installed (nothing is written then).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     try:
    ...         manifest = build(folder)
    ...     except RuntimeError:
    ...         manifest = {"entries": 1, "characters": 1}
    >>> manifest["characters"] >= manifest["entries"] > 0
    True
    """
    items = entries(root)
    if not items:
        raise RuntimeError("Debian's fortunes-zh (or PyPI's OpenCC) is not installed")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=out_dir, suffix=".tmp")
    os.close(fd)
    try:
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=6) as fh:
            for item in items:
                line = json.dumps(item, ensure_ascii=False) + "\n"
                fh.write(line)
                digest.update(line.encode())
        os.chmod(tmp, 0o644)
        os.replace(tmp, out_dir / "texts.jsonl.gz")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    import opencc

    counts = {c: sum(1 for i in items if i["collection"] == c) for c in COLLECTIONS}
    manifest = {"source": "Debian fortunes-zh", "collections": counts, "entries": len(items),
                "characters": sum(len(i["text"]) for i in items),
                "opencc": {c: cfg for c, (_, cfg) in COLLECTIONS.items()},
                "opencc_version": getattr(opencc, "__version__", "unknown"),
                "sha256": digest.hexdigest()}
    tmp_manifest = out_dir / "MANIFEST.json.tmp"
    tmp_manifest.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    os.replace(tmp_manifest, out_dir / "MANIFEST.json")
    return manifest


def _main(argv=None) -> int:
    r"""Command line: ``python -m dlbook.data.build_chinese [--out DIR]``."""
    from dlbook.data.corpora import data_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=data_dir() / "zh")
    args = parser.parse_args(argv)
    try:
        manifest = build(args.out)
    except RuntimeError as err:
        print(f"build_chinese: {err}; the Chinese-text pages will say so")
        return 0
    parts = ", ".join(f"{n} {c}" for c, n in manifest["collections"].items())
    print(f"  {manifest['entries']:,} Chinese texts ({parts}), {manifest['characters']:,} "
          f"characters -> {args.out / 'texts.jsonl.gz'}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())
