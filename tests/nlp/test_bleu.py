"""BLEU scoring against sacrebleu and nltk, smoothing, and bad input (counting is tested in
test_bleu_counts.py)."""

import math
import warnings
from itertools import product

import numpy as np
import pytest
import sacrebleu
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nltk.translate import bleu_score as nltk_bleu

from dlbook.nlp.bleu import (
    bleu_from_stats,
    brevity_penalty,
    corpus_bleu,
    modified_precisions,
    sentence_bleu,
)
from dlbook.nlp.bleu_counts import bleu_stats, corpus_stats

WORDS = list("abcde")
tokens = st.lists(st.sampled_from(WORDS), min_size=0, max_size=9)


@st.composite
def corpora(draw, min_hyp_len=0):
    """A random corpus: N hypotheses, each with K references (K shared, as sacrebleu needs)."""
    n = draw(st.integers(1, 6))
    k = draw(st.integers(1, 3))
    hyps = [draw(st.lists(st.sampled_from(WORDS), min_size=min_hyp_len, max_size=9))
            for _ in range(n)]
    refs = [[draw(tokens) for _ in range(k)] for _ in range(n)]
    return hyps, refs


def sacre(hyps, refs, smooth="none", value=None, effective_order=False):
    k = len(refs[0])
    streams = [[" ".join(r[j]) for r in refs] for j in range(k)]
    return sacrebleu.corpus_bleu([" ".join(h) for h in hyps], streams, tokenize="none",
                                 smooth_method=smooth, smooth_value=value, force=True,
                                 use_effective_order=effective_order).score / 100


def nltk_corpus(hyps, refs, smoothing=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return nltk_bleu.corpus_bleu(refs, hyps, smoothing_function=smoothing)


SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(corpora())
def test_unsmoothed_equals_sacrebleu(data):
    hyps, refs = data
    ours, theirs = corpus_bleu(hyps, refs), sacre(hyps, refs)
    assert math.isclose(ours, theirs, rel_tol=0, abs_tol=1e-12), (hyps, refs, ours, theirs)


@SETTINGS
@given(corpora(), st.sampled_from([("floor", 0.1), ("floor", 0.3), ("add-k", 1), ("add-k", 2),
                                   ("exp", None)]))
def test_smoothing_equals_sacrebleu(data, smooth):
    hyps, refs = data
    name, value = smooth
    ours = corpus_bleu(hyps, refs, smooth=name, smooth_value=value)
    theirs = sacre(hyps, refs, name, value)
    assert math.isclose(ours, theirs, rel_tol=0, abs_tol=1e-12), (name, value, ours, theirs)


@SETTINGS
@given(corpora(), st.booleans())
def test_effective_order_equals_sacrebleu(data, smooth_exp):
    hyps, refs = data
    smooth = "exp" if smooth_exp else None
    ours = corpus_bleu(hyps, refs, smooth=smooth, effective_order=True)
    theirs = sacre(hyps, refs, smooth or "none", effective_order=True)
    assert math.isclose(ours, theirs, rel_tol=0, abs_tol=1e-12), (ours, theirs)


SF = nltk_bleu.SmoothingFunction()


@SETTINGS
@given(corpora(min_hyp_len=4),
       st.sampled_from([(None, SF.method0), ("nltk1", SF.method1), ("nltk2", SF.method2),
                        ("nltk3", SF.method3)]))
def test_equals_nltk_when_hypotheses_have_max_n_tokens(data, pair):
    hyps, refs = data
    ours_name, method = pair
    ours = corpus_bleu(hyps, refs, smooth=ours_name)
    theirs = nltk_corpus(hyps, refs, method)
    if ours_name is None and ours == 0.0:
        # an order with no match: we (and sacrebleu) give 0, nltk a tiny positive number
        assert theirs < 1e-70   # nltk puts sys.float_info.min in for a zero precision
    else:
        assert math.isclose(ours, theirs, rel_tol=0, abs_tol=1e-12), (ours_name, ours, theirs)


def test_nltk_short_hypothesis_quirk():
    """nltk counts a denominator of max(1, t_n) for an order the hypothesis is too short for."""
    hyps = ["a b c d e".split(), "a b".split()]
    refs = [["a b c d e".split()], ["a b".split()]]
    ours = corpus_bleu(hyps, refs)
    # standard totals: t = (7, 5, 3, 2), matches = totals; nltk adds 1 to t_3 and t_4 for the
    # two-token sentence: p_3 = 3/4, p_4 = 2/3
    assert ours == 1.0
    assert math.isclose(sacre(hyps, refs), 1.0, abs_tol=1e-12)
    expected_nltk = math.exp((math.log(3 / 4) + math.log(2 / 3)) / 4)
    assert math.isclose(nltk_corpus(hyps, refs), expected_nltk, rel_tol=1e-12)
    s = corpus_stats(hyps, refs).sum()
    assert s.totals.tolist() == [7, 5, 3, 2]


def test_course_example_the_the_the():
    hyp = ["the"] * 7
    refs = ["the cat is on the mat".split(), "there is a cat on the mat".split()]
    p = modified_precisions(bleu_stats(hyp, refs, max_n=1))
    assert p.tolist() == [2 / 7]
    # without clipping the unigram precision would be 7/7
    assert sum(w in refs[0] for w in hyp) == 7


def test_brevity_penalty_values():
    assert brevity_penalty(10, 10) == 1.0
    assert brevity_penalty(11, 10) == 1.0
    assert math.isclose(brevity_penalty(5, 10), math.exp(-1.0), rel_tol=1e-15)
    assert brevity_penalty(0, 4) == 0.0
    np.testing.assert_allclose(brevity_penalty(np.array([5, 20]), np.array([10, 10])),
                               [math.exp(-1), 1.0])


def test_sentence_bleu_is_one_sentence_corpus_and_average_differs():
    hyps = ["a b c d e f".split(), "a b x d".split()]
    refs = [["a b c d e f".split()], ["a b c d".split()]]
    per_sentence = [sentence_bleu(h, r, smooth="exp") for h, r in zip(hyps, refs)]
    for h, r, v in zip(hyps, refs, per_sentence):
        assert v == corpus_bleu([h], [r], smooth="exp")
    assert abs(np.mean(per_sentence) - corpus_bleu(hyps, refs, smooth="exp")) > 1e-3


def test_vectorized_rows_equal_one_by_one():
    rng = np.random.default_rng(0)
    hyps = [list(rng.choice(WORDS, rng.integers(0, 9))) for _ in range(30)]
    refs = [[list(rng.choice(WORDS, rng.integers(1, 9)))] for _ in range(30)]
    rows = bleu_from_stats(corpus_stats(hyps, refs), smooth="floor")
    one = [sentence_bleu(h, r, smooth="floor") for h, r in zip(hyps, refs)]
    np.testing.assert_allclose(rows, one, rtol=0, atol=1e-15)


def test_inputs_not_modified():
    hyps = [["a", "b"]]
    refs = [[["a", "b", "c"]]]
    corpus_bleu(hyps, refs, smooth="add-k")
    assert hyps == [["a", "b"]] and refs == [[["a", "b", "c"]]]


@pytest.mark.parametrize("hyps, refs, exc, match", [
    ([["a"]], [], ValueError, "1 hypotheses but 0"),
    ([["a"]], [[]], ValueError, "at least one reference"),
    (["a b"], [[["a", "b"]]], TypeError, "split it first"),
    ([["a", "b"]], [["a", "b"]], TypeError, "list of strings"),
])
def test_bad_input(hyps, refs, exc, match):
    with pytest.raises(exc, match=match):
        corpus_bleu(hyps, refs)


def test_bleu_of_random_statistics_is_in_range():
    rng = np.random.default_rng(3)
    for _ in range(50):
        hyp = list(rng.choice(WORDS, rng.integers(0, 9)))
        refs = [list(rng.choice(WORDS, rng.integers(1, 9))) for _ in range(rng.integers(1, 4))]
        for smooth in (None, "floor", "add-k", "exp"):
            assert 0.0 <= sentence_bleu(hyp, refs, smooth=smooth) <= 1.0


def test_bad_options():
    with pytest.raises(ValueError, match="smooth must be one of"):
        corpus_bleu([["a"]], [[["a"]]], smooth="laplace")
    with pytest.raises(ValueError, match="max_n"):
        corpus_bleu([["a"]], [[["a"]]], max_n=0)
    with pytest.raises(ValueError, match="smooth_value"):
        corpus_bleu([["a"]], [[["a"]]], smooth="floor", smooth_value=-1)
    with pytest.raises(TypeError, match="effective_order"):
        corpus_bleu([["a"]], [[["a"]]], effective_order="yes")


def test_empty_hypothesis_scores_zero():
    assert corpus_bleu([[]], [[["a", "b"]]]) == 0.0
    assert sentence_bleu([], [["a"]], smooth="exp") == 0.0
    assert corpus_bleu([], []) == 0.0


def test_exhaustive_tiny_vocabulary_against_sacrebleu():
    """Every hypothesis of length <= 4 over {a, b} against two fixed references."""
    refs = ["a b a".split(), "b b a b".split()]
    hyps = [list(t) for L in range(5) for t in product("ab", repeat=L)]
    for h in hyps:
        assert math.isclose(sentence_bleu(h, refs, smooth="exp"),
                            sacre([h], [refs], "exp"), abs_tol=1e-12), h
