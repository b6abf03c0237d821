#!/usr/bin/env python3
"""Join Chinese paragraph lines that were hard-wrapped (see tests/book/test_zh_prose.py).

Usage: .venv/bin/python tools/unwrap_zh.py book/zh-TW/some/page.md [...]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.book.test_zh_prose import wrapped_lines  # noqa: E402


def unwrap(text: str) -> str:
    lines = text.splitlines()
    for number in reversed(wrapped_lines(text)):  # 1-based index of the line to join
        i = number - 1
        lines[i] = lines[i].rstrip() + lines[i + 1].lstrip()
        del lines[i + 1]
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        path = Path(name)
        text = path.read_text(encoding="utf-8")
        fixed = unwrap(text)
        while fixed != text:
            text, fixed = fixed, unwrap(fixed)
        path.write_text(fixed, encoding="utf-8")
