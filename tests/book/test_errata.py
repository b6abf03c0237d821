"""Every erratum box in a chapter has its entry in the errata appendix, in both languages."""

import re

import pytest

from tests.book.twins import BOOK, LANGUAGE_DIRS

BOX = "```{admonition} 勘誤 / Erratum"


def boxes_per_label(lang: str) -> dict[str, int]:
    counts = {}
    for page in (BOOK / lang).rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        label = re.search(r"^\((ch-[\w-]+)\)=", text, flags=re.M)
        n = text.count(BOX)
        if n:
            assert label, f"{page} has erratum boxes but no chapter label"
            counts[label.group(1)] = n
    return counts


def entries_per_label(lang: str) -> dict[str, int]:
    text = (BOOK / lang / "errata.md").read_text(encoding="utf-8")
    counts = {}
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        label = re.search(r"\{ref\}`(ch-[\w-]+)`", section.splitlines()[0])
        assert label, f"errata section without a chapter link: {section.splitlines()[0]}"
        counts[label.group(1)] = len(re.findall(r"^- ", section, flags=re.M))
    return counts


@pytest.mark.parametrize("lang", LANGUAGE_DIRS)
def test_every_erratum_box_is_listed_in_the_appendix(lang):
    boxes, entries = boxes_per_label(lang), entries_per_label(lang)
    assert set(boxes) == set(entries), (
        f"chapters with boxes but no section: {sorted(set(boxes) - set(entries))}; "
        f"sections without boxes: {sorted(set(entries) - set(boxes))}"
    )
    differ = {k: (boxes[k], entries[k]) for k in boxes if boxes[k] != entries[k]}
    assert not differ, f"(boxes in chapter, entries in appendix) differ: {differ}"
