"""Verse alignment of the Spanish and English Bibles."""

import gzip
import hashlib
import json

import pytest

from dlbook.data import build_bible_pairs as bp

PAIRS = bp.verse_pairs(books=["Ruth", "John", "Ps"])
needs_bibles = pytest.mark.skipif(not PAIRS, reason="sword-text-sparv/-web not installed")


def test_clean_osis_removes_notes_and_keeps_words_apart():
    assert bp.clean_osis("God<note>Or, gods</note>created") == "God created"
    assert bp.clean_osis('<w lemma="a">Y</w> <w>lloró</w> Jesús .') == "Y lloró Jesús."
    assert bp.clean_osis("<milestone/>") == ""


@needs_bibles
def test_known_verses_are_aligned():
    by_ref = {p[:3]: p[3:] for p in PAIRS}
    assert by_ref[("John", 11, 35)] == ("Y lloró Jesús.", "Jesus wept.")
    es, en = by_ref[("Ruth", 1, 16)]
    assert "Dios" in es and "God" in en
    assert len({p[:3] for p in PAIRS}) == len(PAIRS), "a reference appears twice"


@needs_bibles
def test_psalm_titles_do_not_shift_the_numbering():
    # Psalm 23:1 is the shepherd verse in both Bibles, whatever each does with titles.
    es, en = {p[:3]: p[3:] for p in PAIRS}[("Ps", 23, 1)]
    assert "pastor" in es.lower() and "shepherd" in en.lower()


@needs_bibles
def test_build_writes_a_manifest_that_matches_the_text(tmp_path):
    manifest = bp.build(tmp_path, books=["Ruth"])
    raw = gzip.open(tmp_path / "pairs.tsv.gz", "rb").read()
    assert hashlib.sha256(raw).hexdigest() == manifest["sha256"]
    assert manifest["pairs"] == raw.count(b"\n") == 85
    assert json.loads((tmp_path / "MANIFEST.json").read_text()) == manifest
    assert not list(tmp_path.glob("*.tmp"))


def test_build_refuses_without_the_bibles(tmp_path):
    with pytest.raises(RuntimeError, match="sword-text-sparv"):
        bp.build(tmp_path / "out", root=tmp_path)
    assert not (tmp_path / "out").exists()
