"""The BMES tagging HMM: its arrays are a proper HMM, BMES tags convert both ways, and Viterbi
decoding with dlbook.nlp.hmm gives jieba's own tags wherever jieba's arithmetic is exact."""

from __future__ import annotations

import random
import re

import jieba.finalseg as finalseg
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlbook.data.chinese_texts import chinese_texts_available, load_chinese_texts
from dlbook.nlp.hmm import check_hmm
from dlbook.nlp.segment_hmm import (
    TAGS,
    hmm_cut,
    hmm_tags,
    jieba_hmm,
    tags_to_words,
    words_to_tags,
)


def jieba_tags(text):
    log_p, tags = finalseg.viterbi(text, "BMES", finalseg.start_P, finalseg.trans_P,
                                   finalseg.emit_P)
    return log_p, "".join(tags)


def test_model_is_a_proper_hmm():
    m = jieba_hmm()
    check_hmm(m.start, m.trans, m.emit)               # rows sum to 1, no negative entry
    assert m.start[TAGS.index("M")] == 0 and m.start[TAGS.index("E")] == 0
    B, M, E, S = (TAGS.index(t) for t in TAGS)
    impossible = [(B, B), (B, S), (M, B), (M, S), (E, M), (E, E), (S, M), (S, E)]
    assert all(m.trans[a, b] == 0 for a, b in impossible)


def test_rescaling_keeps_jiebas_emission_ratios():
    """Every emission is jieba's divided by one constant: the ratios between states agree."""
    m = jieba_hmm()
    for ch in "的一是不了人我在有他这":
        col = m.emit[:4, m.chars[ch]]
        want = np.exp([finalseg.emit_P[t].get(ch, -np.inf) for t in TAGS])
        seen = want > 0
        ratio = col[seen] / want[seen]
        np.testing.assert_allclose(ratio, ratio[0], rtol=1e-12)


@given(st.lists(st.text(alphabet="天地玄黃宇宙洪荒", min_size=1, max_size=5), max_size=8))
def test_tags_round_trip(words):
    text = "".join(words)
    tags = words_to_tags(words)
    assert len(tags) == len(text)
    assert tags_to_words(text, tags) == words


@given(st.text(alphabet="BMES", min_size=1, max_size=12))
def test_any_tag_string_keeps_every_character(tags):
    text = "天地玄黃宇宙洪荒日月盈昃辰宿"[:len(tags)]
    assert "".join(tags_to_words(text, tags)) == text


@pytest.mark.parametrize("text", ["杭研", "他来到了网易杭研大厦", "小明硕士毕业于中国科学院计算所",
                                  "韩冰是一个好人", "曈曈", "芃芃黍苗"])
def test_tags_are_valid_and_end_a_word(text):
    tags = hmm_tags(text)
    assert tags[-1] in "ES" and tags[0] in "BS"
    assert not re.search(r"B[BS]|M[BS]|[ES][ME]", tags), tags


def test_equals_jieba_where_its_arithmetic_is_exact():
    """jieba marks impossible events with -3.14e100; once a path holds one, adding ordinary log
    probabilities no longer changes its score and jieba's ranking is a tie-break. Everywhere
    else the two decoders must agree exactly."""
    if chinese_texts_available():
        texts = [f for e in load_chinese_texts() for f in (e.text, e.simplified)]
    else:
        texts = ["他来到了网易杭研大厦。小明硕士毕业于中国科学院计算所"]
    blocks = [b for t in texts for b in re.findall("[\u4E00-\u9FD5]+", t)]
    blocks = random.Random(1).sample(blocks, min(2000, len(blocks)))
    compared = 0
    for block in blocks:
        log_p, theirs = jieba_tags(block)
        if log_p < -1e99:
            continue
        compared += 1
        assert hmm_tags(block) == theirs, block
    assert compared >= min(1500, len(blocks))


def test_hmm_cut_equals_jieba_finalseg():
    for text in ["小明硕士毕业于中国科学院计算所", "李小福是创新办主任也是云计算方面的专家",
                 "GDP增长3.5%，iPhone15发布", "韩冰是一个好人"]:
        assert hmm_cut(text) == list(finalseg.cut(text))


def test_unknown_characters_are_decided_by_transitions():
    m = jieba_hmm()
    unknown = m.emit.shape[1] - 3
    np.testing.assert_allclose(m.emit[:4, unknown], m.emit[0, unknown])
    assert "媕" not in m.chars and "撝" not in m.chars
    tags = hmm_tags("徒媕撝")
    assert len(tags) == 3 and tags[-1] in "ES"
    assert "".join(hmm_cut("徒媕撝")) == "徒媕撝"


def test_bad_input():
    with pytest.raises(ValueError, match="non-empty"):
        hmm_tags("")
    with pytest.raises(ValueError, match="tags must be one of"):
        tags_to_words("天地", "BX")
    with pytest.raises(ValueError, match="non-empty strings"):
        words_to_tags(["天", ""])
