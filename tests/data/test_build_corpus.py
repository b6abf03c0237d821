"""The Debian corpus builder: its tokenizer against gensim's, the SWORD, fortune and WordNet
readers on hand-made files, and the atomic build."""

import gzip
import json
import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.data import build_corpus as bc


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcXYZé 'ß-_.,;:!?0123456789\n\tΩ")), max_size=80))
def test_tokenize_matches_gensims_wiki_tokenizer(text):
    from gensim.corpora.wikicorpus import tokenize as gensim_tokenize

    assert bc.tokenize(text) == gensim_tokenize(text)


def _write_ztext(root, verses_per_block):
    """A minimal SWORD zText module: blocks of verses, block index and verse index."""
    root.mkdir(parents=True)
    bzs, bzv, bzz = b"", b"", b""
    bzv += struct.pack("<IIH", 0, 0, 0)  # an empty entry (module headings), skipped
    for block, verses in enumerate(verses_per_block):
        raw = "".join(verses).encode()
        comp = zlib.compress(raw)
        bzs += struct.pack("<III", len(bzz), len(comp), len(raw))
        bzz += comp
        offset = 0
        for verse in verses:
            size = len(verse.encode())
            bzv += struct.pack("<IIH", block, offset, size)
            offset += size
    for ext, data in (("bzs", bzs), ("bzv", bzv), ("bzz", bzz)):
        (root / f"ot.{ext}").write_bytes(data)


def test_ztext_reader_decodes_verses_and_drops_notes(tmp_path):
    _write_ztext(tmp_path / "web", [
        ['<w lemma="x">In</w> the beginning<note type="x">a footnote</note>.',
         "God <title>Heading</title>said"],
        ["“Let there be light”<note n='b'/>"],
    ])
    verses = bc.web_bible_verses(tmp_path / "web")
    assert [bc.tokenize(v) for v in verses] == [
        ["in", "the", "beginning"], ["god", "heading", "said"], ["let", "there", "be", "light"]]


def test_fortunes_and_wordnet_readers(tmp_path):
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "wisdom").write_text("First fortune.\n%\nSecond\nfortune.\n%\n")
    (tmp_path / "f" / "wisdom.dat").write_bytes(b"\x00binary index")
    assert [bc.tokenize(f) for f in bc.fortunes(tmp_path / "f")] == [
        ["first", "fortune"], ["second", "fortune"]]
    (tmp_path / "wn").mkdir()
    (tmp_path / "wn" / "data.noun").write_text(
        "  1 This software and database is being provided | licence text\n"
        "00001740 03 n 01 entity 0 003 ~ 00001930 n 0000 | that which is perceived; "
        '"an entity of its own"  \n')
    assert bc.wordnet_glosses(tmp_path / "wn") == ["that which is perceived",
                                                   "an entity of its own"]


def test_build_writes_corpus_and_manifest_atomically(tmp_path, monkeypatch):
    monkeypatch.setattr(bc, "SOURCES", {
        "a": ("Source A", lambda: ["One two three.", "x", "Four five"]),
        "b": ("Source B", lambda: []),
    })
    manifest = bc.build(tmp_path / "out")
    with gzip.open(tmp_path / "out" / "debian_en.txt.gz", "rt") as fh:
        lines = fh.read().splitlines()
    assert lines == ["one two three", "four five"]  # "x" has no token of two letters
    assert manifest["sources"]["a"] == {"title": "Source A", "sentences": 2, "tokens": 5}
    assert manifest["sources"]["b"]["tokens"] == 0
    on_disk = json.loads((tmp_path / "out" / "MANIFEST.json").read_text())
    assert on_disk == manifest and len(on_disk["sha256"]) == 64
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["MANIFEST.json",
                                                                   "debian_en.txt.gz"]


def test_build_with_no_source_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(bc, "SOURCES", {"a": ("A", lambda: [])})
    with pytest.raises(RuntimeError, match="none of the Debian text packages"):
        bc.build(tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_tokenize_checks_its_arguments():
    assert bc.tokenize("ab abc abcd", min_len=3, max_len=3) == ["abc"]
    with pytest.raises(TypeError, match="text must be a str"):
        bc.tokenize(["ab"])
    with pytest.raises(ValueError, match="max_len"):
        bc.tokenize("ab", min_len=3, max_len=2)
