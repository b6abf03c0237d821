"""The language-modelling data: the neural stream predicts exactly the tokens the n-gram model
predicts, and the n-gram perplexity is the one NGramLM computes."""

import math

import pytest
import torch

from dlbook.nlp.ngram_lm import NGramLM
from dlbook.transformer.examples.lm_data import (
    LMData,
    chinese_lm_data,
    english_lm_data,
    ngram_perplexity,
)


def test_stream_predicts_the_same_tokens_as_the_ngram_model():
    d = LMData([[1, 2], [3, 3, 3]], [[1], [2, 3]], 5, 4, list, str, 3)
    stream = d.stream("test")
    assert stream.tolist() == [4, 1, 4, 2, 3, 4]
    assert stream.numel() - 1 == d.predicted_tokens("test") == 5


def test_ngram_perplexity_is_ngramlm_on_the_splits():
    d = LMData([[1, 2, 3], [2, 3, 1]] * 10, [[1, 2], [3]], 5, 4, list, str, 3)
    lm = NGramLM(order=2).fit(d.train)
    expected = math.exp(-sum(lm.log_prob(s) for s in d.test) / d.predicted_tokens())
    assert ngram_perplexity(d, order=2) == pytest.approx(expected)


def test_english_and_chinese_data():
    en = english_lm_data(n_train=500, n_test=50, vocab_size=300, seed=1)
    assert en.vocab_size == 301 and all(max(s, default=0) < 300 for s in en.train)
    assert isinstance(en.stream("train"), torch.Tensor)
    zh = chinese_lm_data(n_train=200, n_test=20)
    assert zh.eos == zh.vocab_size - 1
    assert all(0 <= i < zh.eos for s in zh.test for i in s)
    assert zh.test_characters == sum(map(len, (zh.decode(s) for s in zh.test)))
    assert en.decode(en.encode("the lord said")) == "the lord said"
    with pytest.raises(ValueError, match="asked for"):
        chinese_lm_data(n_train=10_000, n_test=10)
