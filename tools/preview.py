#!/usr/bin/env python3
"""Build a preview site of a few pages only, in one language, without touching _build/.

Usage: .venv/bin/python tools/preview.py OUTDIR book/en/part1/activations.md [more pages...]

The pages are executed as the build executes them (tools/execute_pages.py, into _build's
execution caches, so a later `make book` reuses the runs), then copied into a temporary source
tree with a small index and built with the book's conf.py. Warnings are printed, not fatal:
references to pages outside the preview (the glossary, the errata) are unresolved here.
Open OUTDIR/html/<page>.html, or screenshot it with headless chromium.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    out = Path(sys.argv[1]).resolve()
    pages = [Path(p).resolve() for p in sys.argv[2:]]
    lang_dir = pages[0].relative_to(ROOT / "book").parts[0]
    language = {"en": "en", "zh-TW": "zh_TW"}[lang_dir]
    src = out / "src"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    names = []
    for page in pages:
        rel = page.relative_to(ROOT / "book" / lang_dir)
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(page, src / rel)
        names.append(rel.with_suffix("").as_posix())
    toctree = "\n".join(names)
    index = f"# Preview\n\n```{{toctree}}\n{toctree}\n```\n"
    (src / "index.md").write_text(index, encoding="utf-8")
    status = subprocess.call([sys.executable, str(ROOT / "tools" / "execute_pages.py"), *names])
    if status:
        return status
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(ROOT),
           "-D", f"language={language}", "-d", str(out / "doctrees"), str(src),
           str(out / "html"), "-q"]
    return subprocess.call(cmd, env=dict(os.environ))


if __name__ == "__main__":
    sys.exit(main())
