"""Loading the Chinese texts."""

import pytest

from dlbook.data import chinese_texts as ct

needs_texts = pytest.mark.skipif(not ct.chinese_texts_available(), reason="run `make data`")


@needs_texts
def test_collections_and_scripts():
    poems = ct.load_chinese_texts("tang300")
    assert len(poems) > 300 and {p.collection for p in poems} == {"tang300"}
    by_title = {p.title: p for p in poems}
    assert "月夜憶舍弟" in by_title                      # Traditional title (月夜忆舍弟)
    assert "憶" in by_title["月夜憶舍弟"].text or "弟" in by_title["月夜憶舍弟"].text
    assert sum(p.text != p.simplified for p in poems) > 250  # converted, not copied
    assert len(ct.load_chinese_texts()) > len(poems)


def test_unknown_collection():
    with pytest.raises(ValueError, match="collection"):
        ct.load_chinese_texts("tang301")
