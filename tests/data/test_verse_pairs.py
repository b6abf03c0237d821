"""The translation split holds out whole books."""

import pytest

from dlbook.data import verse_pairs as vp

needs_pairs = pytest.mark.skipif(not vp.verse_pairs_available(), reason="run `make data`")


@needs_pairs
def test_splits_partition_the_pairs_by_book():
    parts = {s: vp.load_verse_pairs(s) for s in ("train", "valid", "test")}
    everything = vp.load_verse_pairs("all")
    assert sum(map(len, parts.values())) == len(everything) == vp.pairs_manifest()["pairs"]
    books = {s: {p.book for p in ps} for s, ps in parts.items()}
    assert books["valid"] == {"Ruth", "Phil"} and books["test"] == {"John", "Jas"}
    assert not books["train"] & (books["valid"] | books["test"])


@needs_pairs
def test_max_words_filters_both_sides():
    short = vp.load_verse_pairs("train", max_words=6)
    assert short and all(len(p.spanish.split()) <= 6 and len(p.english.split()) <= 6
                         for p in short)


def test_bad_arguments():
    with pytest.raises(ValueError, match="split"):
        vp.load_verse_pairs("dev")
    with pytest.raises(ValueError, match="max_words"):
        vp.load_verse_pairs("train", max_words=0)
