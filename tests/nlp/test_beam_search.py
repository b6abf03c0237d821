"""Beam search against exhaustive enumeration, greedy decoding and a hand-traced example."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nlp.beam_search import (
    Hypothesis,
    beam_search,
    exhaustive_search,
    greedy_search,
    rank_hypotheses,
)

EOS, BOS = 0, -1


def toy_model(V, seed, context=0):
    """A random conditional LM whose next-token distribution depends on the whole prefix."""
    rng = np.random.default_rng(seed)
    table = {}
    ctx_shift = rng.normal(size=V) * context

    def logp_of(prefix):
        key = tuple(prefix)
        if key not in table:
            logits = rng.normal(scale=2.0, size=V) + ctx_shift
            table[key] = logits - np.logaddexp.reduce(logits)
        return table[key]

    def step(prefixes):
        assert all(p[0] == BOS for p in prefixes)
        return np.stack([logp_of(p) for p in prefixes])

    return step


def table_step(table, default):
    """A model given as {prefix without bos: next-token probabilities}."""
    def step(prefixes):
        with np.errstate(divide="ignore"):      # a probability of 0 is log 0 = -inf
            return np.log([table.get(tuple(p[1:]), default) for p in prefixes])
    return step


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 4), st.integers(1, 4), st.integers(0, 10_000),
       st.sampled_from([0.0, 0.7, 1.0]))
def test_wide_beam_equals_exhaustive(V, max_len, seed, alpha):
    """A beam that holds every sequence prunes nothing and never stops early: it returns the
    exhaustive ranking (finished first, then the cut-off ones), scores included."""
    step = toy_model(V, seed)
    exact = exhaustive_search(step, BOS, EOS, max_len, alpha)
    beam = beam_search(step, BOS, EOS, beam_width=V ** max_len, max_len=max_len, alpha=alpha)
    assert [(h.tokens, h.finished) for h in beam] == [(h.tokens, h.finished) for h in exact]
    np.testing.assert_allclose([h.score for h in beam], [h.score for h in exact], rtol=1e-12)
    assert beam[0].finished                       # some sequence ends in eos within max_len


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 6), st.integers(1, 6), st.integers(0, 10_000))
def test_width_one_is_greedy(V, max_len, seed):
    step = toy_model(V, seed)
    toks, s = greedy_search(step, BOS, EOS, max_len)
    out = beam_search(step, BOS, EOS, beam_width=1, max_len=max_len, alpha=0.0)
    assert len(out) == 1
    assert out[0].tokens == toks and out[0].finished == (toks[-1] == EOS)
    assert math.isclose(out[0].score, s, rel_tol=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 5), st.integers(1, 5), st.integers(1, 6), st.integers(0, 10_000))
def test_output_layout(V, max_len, k, seed):
    """At most k hypotheses, finished (ending in eos, eos only last) before cut-off ones of
    exactly max_len tokens, each group sorted; scores are the normalized log-probabilities."""
    step = toy_model(V, seed)
    out = beam_search(step, BOS, EOS, k, max_len, alpha=0.7)
    assert 1 <= len(out) <= k
    flags = [h.finished for h in out]
    assert flags == sorted(flags, reverse=True)
    for h in out:
        assert EOS not in h.tokens[:-1]
        assert (h.tokens[-1] == EOS) == h.finished
        assert h.finished or len(h.tokens) == max_len
        prefix, total = [BOS], 0.0
        for t in h.tokens:
            total += step([prefix])[0][t]
            prefix = prefix + [t]
        assert math.isclose(h.score, total / len(h.tokens) ** 0.7, rel_tol=1e-12)
    for group in (True, False):
        scores = [h.score for h in out if h.finished == group]
        assert scores == sorted(scores, reverse=True)


def test_stopping_rule_traced_by_hand():
    """k = 2.  Step 1: a 0.5, <eos> 0.3, b 0.2 -> <eos> finishes (rank 2 of 2) and the beam is
    refilled to {a, b}.  Step 2: aa .25, a<eos> .15 (rank 2: finished), ab .10, ba .10 ...
    -> two finished sequences: the search stops although aa (.25) is still live."""
    step = table_step({(): [0.3, 0.5, 0.2]}, [0.3, 0.5, 0.2])
    out = beam_search(step, BOS, EOS, beam_width=2, max_len=5, alpha=0.0)
    assert [(h.tokens, h.finished) for h in out] == [([0], True), ([1, 0], True)]
    np.testing.assert_allclose([math.exp(h.score) for h in out], [0.3, 0.15])


def test_a_finished_candidate_below_rank_k_is_dropped_and_the_beam_stays_full():
    """k = 2: step 1 ranks a (.6), b (.3), <eos> (.1): <eos> is third, so nothing finishes;
    both a and b stay live (the old rule let finished sequences shrink the beam)."""
    step = table_step({(): [0.1, 0.6, 0.3], (1,): [0.9, 0.05, 0.05], (2,): [0.9, 0.05, 0.05]},
                      [1.0, 0.0, 0.0])
    out = beam_search(step, BOS, EOS, beam_width=2, max_len=3, alpha=0.0)
    assert [h.tokens for h in out] == [[1, 0], [2, 0]]
    assert all(h.finished for h in out)


def test_cut_off_hypotheses_come_after_finished_ones():
    """P(<eos> first) = 0.05 but every longer sequence never ends within max_len: the short
    finished one ranks first although the cut-off sequences have higher probability."""
    step = table_step({(): [0.05, 0.95, 0.0]}, [0.0, 1.0, 0.0])
    out = beam_search(step, BOS, EOS, beam_width=2, max_len=3, alpha=0.0)
    assert [(h.tokens, h.finished) for h in out] == [([0], True), ([1, 1, 1], False)]
    assert out[1].score > out[0].score


def test_greedy_can_be_wrong_and_beam_fixes_it():
    """P(a)=0.6 but every continuation of a is poor; P(b)=0.4 then eos with 0.9."""
    step = table_step({(): [0.0, 0.6, 0.4], (1,): [0.3, 0.35, 0.35], (2,): [0.9, 0.05, 0.05]},
                      [1.0, 1e-9, 1e-9])
    toks, s = greedy_search(step, BOS, EOS, max_len=2)
    assert toks == [1, 1] and math.isclose(math.exp(s), 0.6 * 0.35)
    best = beam_search(step, BOS, EOS, beam_width=2, max_len=2, alpha=0.0)[0]
    assert best.tokens == [2, EOS] and math.isclose(math.exp(best.score), 0.4 * 0.9)


def test_hypothesis_is_a_pair():
    h = Hypothesis([1, 2], -0.5, False)
    tokens, score = h
    assert (tokens, score) == ([1, 2], -0.5) == h and not h.finished
    assert "finished=False" in repr(h)
    import pickle
    assert pickle.loads(pickle.dumps(h)).finished is False
    out = rank_hypotheses([([3, 0], -1.0)], [([3, 3], -0.1)], k=1, alpha=0.0)
    assert [h.tokens for h in out] == [[3, 0]]


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(beam_width=0, max_len=3), ValueError, "beam_width"),
    (dict(beam_width=1.5, max_len=3), TypeError, "beam_width"),
    (dict(beam_width=2, max_len=0), ValueError, "max_len"),
    (dict(beam_width=2, max_len=2, alpha=float("nan")), ValueError, "alpha"),
])
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        beam_search(toy_model(3, 0), BOS, EOS, **kwargs)


def test_wrong_step_shape():
    with pytest.raises(ValueError, match="step_fn returned shape"):
        beam_search(lambda p: np.zeros(3), BOS, EOS, 2, 2)
