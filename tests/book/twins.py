"""The twin check: every page of book/ exists in both languages with identical code cells.

The same rule as the project's shared ``tools/book_twins.py`` (which the team's before-stop hook
runs), kept here so that ``make test`` enforces it without anything outside the repository.
Code-cell options and tags count: they are part of the execution cache key, so a tag on one twin
only would make the build execute that page twice.
"""

from __future__ import annotations

import re
from pathlib import Path

BOOK = Path(__file__).resolve().parents[2] / "book"
LANGUAGE_DIRS = ("en", "zh-TW")
FENCE = re.compile(r"^(`{3,}|~{3,})\s*\{code-cell\}")


def code_cells(text: str) -> list[str]:
    """Return each ``{code-cell}`` block of a MyST page as written, options included."""
    cells, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        match = FENCE.match(lines[i].strip())
        if not match:
            i += 1
            continue
        fence, body, i = match.group(1), [], i + 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i].rstrip())
            i += 1
        cells.append("\n".join(body).strip())
        i += 1
    return cells


def pages(lang: str) -> set[Path]:
    root = BOOK / lang
    return {p.relative_to(root) for p in root.rglob("*.md")}


def twin_problems(book: Path = BOOK) -> list[str]:
    """Describe every page without a twin, and every twin pair whose code cells differ."""
    a, b = LANGUAGE_DIRS
    in_a = {p.relative_to(book / a) for p in (book / a).rglob("*.md")}
    in_b = {p.relative_to(book / b) for p in (book / b).rglob("*.md")}
    problems = [f"{rel}: only in {a if rel in in_a else b}/" for rel in sorted(in_a ^ in_b)]
    for rel in sorted(in_a & in_b):
        ca = code_cells((book / a / rel).read_text(encoding="utf-8"))
        cb = code_cells((book / b / rel).read_text(encoding="utf-8"))
        if ca != cb:
            k = next((i for i, (x, y) in enumerate(zip(ca, cb)) if x != y), min(len(ca), len(cb)))
            problems.append(
                f"{rel}: code cells differ ({len(ca)} in {a}/, {len(cb)} in {b}/; "
                f"first difference at cell {k + 1})"
            )
    return problems
