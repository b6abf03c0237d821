"""Chinese texts from fortunes-zh: parsing, line joining, conversion to Traditional."""

import pytest

from dlbook.data import build_chinese as bc


def test_join_lines_glues_chinese_without_a_space():
    assert bc.join_lines("很難\n避免") == "很難避免"
    assert bc.join_lines("Debian\nproject") == "Debian project"
    assert bc.join_lines("甲\n\n乙") == "甲\n乙"


def test_parse_poems_and_sayings(tmp_path):
    (tmp_path / "tang300").write_text(
        "\x1b[32m《登鸛雀樓》\x1b[m\n\x1b[33m作者：王之涣\x1b[m\n白日依山尽，黄河入海流。\n%\n",
        encoding="utf-8")
    assert bc.parse_poems(tmp_path / "tang300") == [
        {"title": "登鸛雀樓", "author": "王之涣", "text": "白日依山尽，黄河入海流。"}]
    (tmp_path / "chinese").write_text("第一行\n第二行\n\n    -- 某人\n%\n", encoding="utf-8")
    assert bc.parse_sayings(tmp_path / "chinese") == [
        {"title": "", "author": "某人", "text": "第一行第二行"}]


def test_poems_keep_their_words_and_modern_text_gets_taiwan_vocabulary(tmp_path):
    pytest.importorskip("opencc")
    (tmp_path / "tang300").write_text("《题》\n作者：某\n信息长\n%\n", encoding="utf-8")
    (tmp_path / "chinese").write_text("软件信息\n%\n", encoding="utf-8")
    items = {e["collection"]: e for e in bc.entries(tmp_path)}
    assert items["tang300"]["text"] == "信息長"      # s2tw: characters only
    assert items["sayings"]["text"] == "軟體資訊"    # s2twp: Taiwan words
    assert items["sayings"]["simplified"] == "软件信息"


def test_build_refuses_without_the_package(tmp_path):
    with pytest.raises(RuntimeError, match="fortunes-zh"):
        bc.build(tmp_path / "out", root=tmp_path)
