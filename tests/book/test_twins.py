"""Both language trees hold the same pages with identical code cells."""

from pathlib import Path

import pytest

from tests.book.twins import BOOK, code_cells, twin_problems


def test_every_page_has_an_identical_twin():
    problems = twin_problems()
    assert not problems, "twin check failed:\n" + "\n".join(problems)


def test_book_has_pages_in_both_languages():
    assert len(list((BOOK / "en").rglob("*.md"))) >= 5


def _write(root: Path, lang: str, name: str, text: str) -> None:
    (root / lang).mkdir(parents=True, exist_ok=True)
    (root / lang / name).write_text(text, encoding="utf-8")


CELL = "```{code-cell} ipython3\n%s\n```\n"


@pytest.mark.parametrize(
    "en_text, zh_text, expected",
    [
        ("# A\n" + CELL % "x = 1", "# 甲\n" + CELL % "x = 1", None),
        ("# A\n" + CELL % "x = 1", "# 甲\n" + CELL % "x = 2", "first difference at cell 1"),
        ("# A\n" + CELL % ":tags: [hide-input]\nx = 1", "# 甲\n" + CELL % "x = 1",
         "code cells differ"),
        ("# A\n" + CELL % "x = 1" + CELL % "y = 2", "# 甲\n" + CELL % "x = 1",
         "2 in en/, 1 in zh-TW/"),
    ],
)
def test_twin_check_detects_differences(tmp_path, en_text, zh_text, expected):
    _write(tmp_path, "en", "p.md", en_text)
    _write(tmp_path, "zh-TW", "p.md", zh_text)
    problems = twin_problems(tmp_path)
    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 1 and expected in problems[0], problems


def test_twin_check_detects_a_missing_page(tmp_path):
    _write(tmp_path, "en", "p.md", "# A\n")
    _write(tmp_path, "zh-TW", "q.md", "# 乙\n")
    assert twin_problems(tmp_path) == ["p.md: only in en/", "q.md: only in zh-TW/"]


def test_code_cells_keep_prose_out():
    text = "Prose\n" + CELL % "a = 1" + "more prose ```not a cell```\n"
    assert code_cells(text) == ["a = 1"]
