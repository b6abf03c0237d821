#!/usr/bin/env python3
"""Replace mainland usages in zh-TW prose by the book's Taiwan terms (code cells untouched).

Usage: .venv/bin/python tools/taiwan_terms.py book/zh-TW/part1/page.md [...]
The list of replacements is the one tests/book/test_zh_prose.py checks.
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.book.test_zh_prose import MAINLAND  # noqa: E402

FENCE = re.compile(r"(```.*?```)", re.S)


def fix(text: str) -> str:
    parts = FENCE.split(text)
    for i in range(0, len(parts), 2):  # even parts are prose, odd parts code fences
        for pattern, taiwan in MAINLAND.items():
            parts[i] = re.sub(pattern, taiwan, parts[i])
    return "".join(parts)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        path = Path(name)
        path.write_text(fix(path.read_text(encoding="utf-8")), encoding="utf-8")
