"""BLEU's counting: the Counter version against a slow oracle, the vectorized corpus counter
against the Counter version, and bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nlp.bleu_counts import BleuStats, bleu_stats, corpus_stats, ngram_counts

WORDS = list("abcde")
tokens = st.lists(st.sampled_from(WORDS), min_size=0, max_size=9)


def slow_clipped_matches(hyp, refs, n):
    """Obviously-correct counting: for each distinct n-gram, count occurrences by scanning."""
    grams = [tuple(hyp[i:i + n]) for i in range(len(hyp) - n + 1)]
    total = 0
    for g in set(grams):
        in_hyp = sum(1 for x in grams if x == g)
        in_refs = max(sum(1 for i in range(len(r) - n + 1) if tuple(r[i:i + n]) == g)
                      for r in refs)
        total += min(in_hyp, in_refs)
    return total


@settings(max_examples=200, deadline=None)
@given(tokens, st.lists(tokens, min_size=1, max_size=3), st.integers(1, 5))
def test_counts_against_slow_oracle(hyp, refs, max_n):
    s = bleu_stats(hyp, refs, max_n)
    for n in range(1, max_n + 1):
        assert s.matches[n - 1] == slow_clipped_matches(hyp, refs, n), n
        assert s.totals[n - 1] == max(0, len(hyp) - n + 1), n
    assert int(s.hyp_len) == len(hyp)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(tokens, st.lists(tokens, min_size=1, max_size=3)), min_size=1,
                max_size=6), st.integers(1, 5))
def test_vectorized_corpus_stats_equal_sentence_stats(pairs, max_n):
    """The vectorized corpus counter agrees with the per-sentence Counter version, row by row,
    with a different number of references per sentence."""
    hyps = [h for h, _ in pairs]
    refs = [r for _, r in pairs]
    rows = corpus_stats(hyps, refs, max_n)
    for i, (h, r) in enumerate(pairs):
        one = bleu_stats(h, r, max_n)
        assert rows.matches[i].tolist() == one.matches.tolist(), (i, h, r)
        assert rows.totals[i].tolist() == one.totals.tolist(), (i, h, r)
        assert (int(rows.hyp_len[i]), int(rows.ref_len[i])) == (int(one.hyp_len),
                                                                 int(one.ref_len))


def test_course_example_seven_the():
    s = bleu_stats(["the"] * 7, ["the cat is on the mat".split(),
                                 "there is a cat on the mat".split()], max_n=2)
    assert s.matches.tolist() == [2, 0] and s.totals.tolist() == [7, 6]


def test_closest_reference_length_prefers_shorter_on_tie():
    s = bleu_stats("a b c d".split(), ["a b c".split(), "a b c d e".split()])
    assert int(s.ref_len) == 3
    rows = corpus_stats(["a b c d".split()], [["a b c d e".split(), "a b c".split()]])
    assert rows.ref_len.tolist() == [3]


def test_sum_gives_corpus_statistics():
    rows = corpus_stats([["a", "b"], ["c"]], [[["a", "b"]], [["c", "d"]]], max_n=2)
    total = rows.sum()
    assert isinstance(total, BleuStats)
    assert total.matches.tolist() == [3, 1] and total.totals.tolist() == [3, 1]
    assert int(total.hyp_len) == 3 and int(total.ref_len) == 4
    assert corpus_stats([], [], max_n=3).matches.shape == (0, 3)


def test_ngram_counts():
    assert ngram_counts("a b a b".split(), 2) == {("a", "b"): 2, ("b", "a"): 1}
    assert ngram_counts(["a"], 2) == {}
    with pytest.raises(ValueError, match="n must be"):
        ngram_counts(["a"], 0)


@pytest.mark.parametrize("hyps, refs, exc, match", [
    ([["a"]], [], ValueError, "1 hypotheses but 0"),
    ([["a"]], [[]], ValueError, "at least one reference"),
    (["a b"], [[["a", "b"]]], TypeError, "split it first"),
    ([["a", "b"]], [["a", "b"]], TypeError, "list of strings"),
    ("a b", [[["a"]]], TypeError, "hypotheses must be"),
])
def test_bad_input(hyps, refs, exc, match):
    with pytest.raises(exc, match=match):
        corpus_stats(hyps, refs)


def test_bad_max_n():
    with pytest.raises(ValueError, match="max_n"):
        bleu_stats(["a"], [["a"]], max_n=0)
    with pytest.raises(TypeError, match="max_n"):
        corpus_stats([["a"]], [[["a"]]], max_n=2.0)
    assert np.all(bleu_stats([], [["a"]]).totals == 0)
