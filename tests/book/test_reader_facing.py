"""What every page owes its reader: it speaks about deep learning and the reader's machine (not
about how the book is made), its code fits the code box, and each chapter ends with a summary
and exercises with folded solutions."""

from __future__ import annotations

import re

import pytest

from tests.book.twins import BOOK, code_cells

PAGES = sorted(BOOK.rglob("*.md"))
IDS = [str(p.relative_to(BOOK)) for p in PAGES]
#: The widest code line the page's code box shows without a horizontal scroll bar.
CODE_LINE_LIMIT = 90

# Words about the making of the book (its planning, its authors' tools and machines).
PROCESS_WORDS = [
    r"FACTS\.md", r"STYLE\.md", r"BOOK_MAP", r"CONTRIBUTING\.md", r"shared/",
    r"\bissue'?s\b", r"\bthe issue (set|asks|asked|wants|required|requires)\b", r"\bsessions?\b",
    r"\b(was|were|is|are) lent\b", r"\bgoals? (we were|set for us)\b", r"\bour brief\b",
    r"\bthis machine\b.{0,40}\b(cannot|does not|doesn't) import\b",
    r"(?<![A-Za-z])issues?(?![A-Za-z])", r"工作階段", r"借用的", r"這台機器上.{0,20}無法匯入",
]


def process_words(text: str) -> list[str]:
    found = []
    for pattern in PROCESS_WORDS:
        for match in re.finditer(pattern, text, flags=re.I):
            context = text[max(0, match.start() - 30): match.end() + 30].replace("\n", " ")
            found.append(f"'{match.group(0)}' in '…{context}…'")
    return found


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_pages_do_not_speak_of_how_the_book_is_made(page):
    if page.name == "glossary.md":
        pytest.skip("the glossary lists terms, not prose")
    found = process_words(page.read_text(encoding="utf-8"))
    assert not found, f"{page.name}: " + "; ".join(found[:6])


def test_process_word_detector():
    assert process_words("The issue set the goal of staying within 3x")
    assert process_words("no GPU was lent to the session that wrote this")
    assert process_words("本頁達成 issue 設定的目標")
    assert process_words("a chapter about attention") == []
    assert process_words("a crop of a stained tissue slide") == []
    assert process_words("the vanishing gradient is the problem here") == []


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_code_lines_fit_the_code_box(page):
    long = [(i + 1, len(line)) for cell in code_cells(page.read_text(encoding="utf-8"))
            for i, line in enumerate(cell.splitlines()) if len(line) > CODE_LINE_LIMIT]
    assert not long, (f"{page.name}: code lines over {CODE_LINE_LIMIT} characters "
                      f"(line in cell, length): {long[:8]}")


CHAPTERS = [p for p in PAGES if p.parent.name.startswith("part")]
HEADINGS = {"en": ("## Summary", "## Exercises"), "zh-TW": ("## 重點整理", "## 習題")}


@pytest.mark.parametrize("page", CHAPTERS, ids=[str(p.relative_to(BOOK)) for p in CHAPTERS])
def test_chapter_ends_with_summary_and_exercises(page):
    lang = page.relative_to(BOOK).parts[0]
    text = page.read_text(encoding="utf-8")
    if text.lstrip().startswith("(") and "redirect" in text[:400].lower():
        pytest.skip("a redirect page")
    summary, exercises = HEADINGS[lang]
    lines = [line.strip() for line in text.splitlines()]
    assert summary in lines, f"{page.name}: no '{summary}' section"
    assert exercises in lines, f"{page.name}: no '{exercises}' section"
    assert lines.index(summary) < lines.index(exercises), \
        f"{page.name}: the summary comes before the exercises"
    questions, solved = exercise_numbers(text[text.index(exercises) + len(exercises):])
    assert len(questions) >= 2, f"{page.name}: fewer than two exercises"
    unsolved = [q for q in questions if q not in solved]
    assert not unsolved, f"{page.name}: exercises without a folded solution: {unsolved}"


def exercise_numbers(section: str) -> tuple[list[int], set[int]]:
    """The numbers of the exercises of a section, and of those that have a folded solution.

    A question is a line ``N. …`` or ``**N.** …`` outside a fenced block. A folded solution is
    an admonition (which solves the questions ``**N.**`` it names, or else the question before
    it) or a code cell tagged ``hide-input`` (which solves the question before it).
    """
    questions, solved, current = [], set(), None
    lines, i = section.split("\n"), 0
    while i < len(lines):
        line = lines[i]
        fence = re.match(r"^\s*(`{3,}|~{3,})(.*)$", line)
        if fence:
            marker, body, i = fence.group(1), [], i + 1
            while i < len(lines) and lines[i].strip() != marker:
                body.append(lines[i])
                i += 1
            text = "\n".join(body)
            if "{admonition}" in fence.group(2):
                named = {int(n) for n in re.findall(r"\*\*(\d+)\.\*\*", text)}
                solved |= named or ({current} if current else set())
            elif "{code-cell}" in fence.group(2) and ":tags: [hide-input]" in text and current:
                solved.add(current)
        else:
            match = re.match(r"^\s*(?:\*\*)?(\d+)\.(?:\*\*)?\s", line)
            if match:
                current = int(match.group(1))
                questions.append(current)
        i += 1
    return questions, solved


def test_exercise_parser():
    qs, solved = exercise_numbers("1. a\n\n```{admonition} S\nx\n```\n2. b\n")
    assert qs == [1, 2] and solved == {1}
    qs, solved = exercise_numbers("1. a\n2. b\n\n````{admonition} S\n**1.** x\n\n**2.** y\n````\n")
    assert qs == [1, 2] and solved == {1, 2}
