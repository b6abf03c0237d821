"""Dictionary segmentation: maximum matching by hand-checked examples, the maximum-probability
route against brute-force enumeration of every path, and ``cut`` against jieba itself, token for
token, on hand-made edge cases and on thousands of real sentences (Traditional and Simplified)."""

from __future__ import annotations

import logging
import math
import random

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.data.chinese_texts import chinese_texts_available, load_chinese_texts
from dlbook.nlp.segment import (
    WordDictionary,
    backward_max_match,
    cut,
    forward_max_match,
    load_dictionary,
    max_prob_route,
    split_sentences,
    word_dag,
)

jieba.setLogLevel(logging.WARNING)
WORDS = {"研究", "研究生", "生命", "命", "的", "起源", "結婚", "和尚", "尚未", "和", "未"}
EDGE_CASES = [
    "", " ", "我来到北京清华大学", "我來到北京清華大學", "研究生命的起源",
    "他说：“3D打印和C++都在2024年10.5%增长”", "iPhone 15 Pro Max和Python3.11",
    "AT&T與c#的區別\r\n下一行\t縮排", "中華民國112年，台北市信義區",
    "😀表情符號和ｆｕｌｌ ｗｉｄｔｈ",
    "结婚的和尚未结婚的", "---__%%..##", "一二三四五六七八九十百千萬億",
    "㐀㐁 CJK擴展A區的字", "長長長長長長長長長長長長長長長長長長", "a b  c   d",
]

# jieba with its shipped dictionary only (another test or conf.py may load a user
# dictionary into the global jieba; a fresh Tokenizer is not affected).
JIEBA = jieba.Tokenizer()


def test_forward_and_backward_maximum_matching():
    assert forward_max_match("研究生命的起源", WORDS) == ["研究生", "命", "的", "起源"]
    assert backward_max_match("研究生命的起源", WORDS) == ["研究", "生命", "的", "起源"]
    # both directions make their own mistake on 結婚的和尚未結婚的
    assert forward_max_match("結婚的和尚未結婚的", WORDS) == [
        "結婚", "的", "和尚", "未", "結婚", "的"]
    assert backward_max_match("結婚的和尚未結婚的", WORDS) == [
        "結婚", "的", "和", "尚未", "結婚", "的"]
    assert forward_max_match("研究生命", WORDS, max_len=2) == ["研究", "生命"]


@given(st.text(alphabet="研究生命的起源和尚未結婚xyz", max_size=30))
@settings(max_examples=200, deadline=None)
def test_matching_keeps_every_character(text):
    for method in (forward_max_match, backward_max_match):
        words = method(text, WORDS)
        assert "".join(words) == text
        assert all(w in WORDS or len(w) == 1 for w in words)


def _all_paths(dag, k=0):
    """Every segmentation the word graph allows from position k: brute force."""
    if k == len(dag):
        yield []
        return
    for end in dag[k]:
        for rest in _all_paths(dag, end + 1):
            yield [(k, end)] + rest


@pytest.mark.parametrize("text", ["研究生命的起源", "北京大学生前来应聘", "结婚的和尚未结婚的",
                                  "南京市长江大桥", "他说的确实在理", "乒乓球拍卖完了"])
def test_route_is_the_best_of_all_paths(text):
    d = load_dictionary()
    dag = word_dag(text, d)
    route = max_prob_route(text, dag, d)

    def score(path):
        return sum(math.log(d.freq.get(text[a:b + 1]) or 1) - math.log(d.total) for a, b in path)

    paths = list(_all_paths(dag))
    assert len(paths) > 1
    best = max(score(p) for p in paths)
    assert route[0][0] == pytest.approx(best, rel=1e-12)
    ours, k = [], 0
    while k < len(text):
        ours.append((k, route[k][1]))
        k = route[k][1] + 1
    assert score(ours) == pytest.approx(best, rel=1e-12)


def test_dag_lists_exactly_the_words():
    d = load_dictionary()
    text = "南京市长江大桥"
    dag = word_dag(text, d)
    for k, ends in enumerate(dag):
        words = [i for i in range(k, len(text)) if d.freq.get(text[k:i + 1], 0) > 0]
        assert ends == (words or [k]), (k, ends, words)


def test_small_dictionary():
    # log(5/10) + log(3/10) beats log(1/10) * 2 + log(3/10)
    d = WordDictionary({"ab": 5, "a": 1, "b": 1, "c": 3}, total=10, max_len=2)
    assert cut("abc", dictionary=d) == ["ab", "c"]
    # single Latin letters and digits found one by one are joined again
    d = WordDictionary({"a": 1, "b": 1, "c": 1, "北": 1}, total=4, max_len=1)
    assert cut("ab北c", dictionary=d) == ["ab", "北", "c"]
    # 北京 (5/7) beats 北 + 京 (1/7 * 1/7)
    d = WordDictionary({"北京": 5, "北": 1, "京": 1}, total=7, max_len=2)
    assert cut("北京", dictionary=d) == ["北京"]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_cut_equals_jieba_on_edge_cases(text):
    assert cut(text) == list(JIEBA.cut(text, HMM=False))
    assert "".join(cut(text, hmm=True)) == text


@pytest.mark.parametrize("script", ["text", "simplified"])
def test_cut_equals_jieba_on_real_sentences(script):
    if not chinese_texts_available():
        pytest.skip("the Chinese texts are not built: make data")
    sentences = [s for e in load_chinese_texts() for s in split_sentences(getattr(e, script))]
    sample = random.Random(0).sample(sentences, 3000)
    differ = [s for s in sample if cut(s) != list(JIEBA.cut(s, HMM=False))]
    assert not differ, f"{len(differ)} of 3000 sentences differ, e.g. {differ[:3]}"


@pytest.mark.parametrize("text", [
    "他来到了网易杭研大厦", "小明硕士毕业于中国科学院计算所，后在日本京都大学深造",
    "李小福是创新办主任也是云计算方面的专家", "我不喜欢日本和服", "雷猴回归人间",
    "工信处女干事每月经过下属科室都要亲口交代24口交换机等技术性器件的安装工作",
])
def test_hmm_mode_equals_jieba_on_modern_sentences(text):
    assert cut(text, hmm=True) == list(JIEBA.cut(text, HMM=True))


def test_sentences():
    assert split_sentences("第一句。第二句！第三句？\n\n第四；") == [
        "第一句。", "第二句！", "第三句？", "第四；"]


def test_type_errors():
    with pytest.raises(TypeError, match="text must be a str"):
        cut(["北京"])
    with pytest.raises(TypeError, match="hmm must be True or False"):
        cut("北京", hmm=1)
    with pytest.raises(ValueError, match="max_len must be >= 1"):
        forward_max_match("北京", WORDS, max_len=0)


def test_all_words_are_dictionary_words_or_single_characters():
    d = load_dictionary()
    for text in EDGE_CASES:
        for w in cut(text):
            assert d.freq.get(w, 0) > 0 or len(w) == 1 or w.isascii(), (text, w)


