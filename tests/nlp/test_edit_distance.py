"""Edit distance: the vectorized table against a cell-by-cell loop and a memoized recursion,
metric properties, the backtracked alignment, the word error rate and input validation."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nlp.edit_distance import (
    edit_alignment,
    edit_distance,
    edit_distance_recursive,
    edit_distance_table,
    format_alignment,
    word_error_rate,
)

words = st.text(alphabet="abcd", max_size=9)
costs = st.sampled_from([0.5, 1, 1.5, 2, 3])


def loop_table(s, t, sub=1, ins=1, dele=1):
    """The textbook double loop, one cell at a time (independent of the running-minimum trick)."""
    m, n = len(s), len(t)
    D = [[0.0] * (n + 1) for _ in range(m + 1)]
    for i in range(m + 1):
        D[i][0] = i * dele
    for j in range(n + 1):
        D[0][j] = j * ins
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            D[i][j] = min(D[i - 1][j] + dele, D[i][j - 1] + ins,
                          D[i - 1][j - 1] + (0 if s[i - 1] == t[j - 1] else sub))
    return np.array(D)


@pytest.mark.parametrize("s, t, kwargs, expected", [
    ("kitten", "sitting", {}, 3),
    ("intention", "execution", {}, 5),
    ("intention", "execution", {"sub_cost": 2}, 8),
    ("", "abc", {}, 3),
    ("abc", "", {"del_cost": 2}, 6),
    ("flaw", "lawn", {}, 2),
    ("same", "same", {"sub_cost": 5}, 0),
])
def test_known_distances(s, t, kwargs, expected):
    got = edit_distance(s, t, **kwargs)
    assert got == expected, f"d({s!r}, {t!r}, {kwargs}) = {got}, expected {expected}"


@settings(max_examples=150, deadline=None)
@given(words, words, costs, costs, costs)
def test_table_matches_cell_by_cell_loop(s, t, sub, ins, dele):
    got = edit_distance_table(s, t, sub_cost=sub, ins_cost=ins, del_cost=dele)
    want = loop_table(s, t, sub, ins, dele)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12,
                               err_msg=f"tables differ for {s!r} -> {t!r}")


@settings(max_examples=100, deadline=None)
@given(words, words, costs, costs, costs)
def test_matches_memoized_recursion(s, t, sub, ins, dele):
    d, _ = edit_distance_recursive(s, t, sub_cost=sub, ins_cost=ins, del_cost=dele)
    assert edit_distance(s, t, sub_cost=sub, ins_cost=ins, del_cost=dele) == pytest.approx(d)


@settings(max_examples=150, deadline=None)
@given(words, words, words)
def test_metric_properties_unit_costs(a, b, c):
    dab, dba = edit_distance(a, b), edit_distance(b, a)
    assert dab == dba, f"not symmetric: d({a!r},{b!r})={dab}, d({b!r},{a!r})={dba}"
    assert (dab == 0) == (a == b), f"identity fails for {a!r}, {b!r}: {dab}"
    assert edit_distance(a, c) <= dab + edit_distance(b, c), "triangle inequality fails"
    assert abs(len(a) - len(b)) <= dab <= max(len(a), len(b))


@settings(max_examples=100, deadline=None)
@given(words, words, costs)
def test_symmetric_when_insert_equals_delete(a, b, sub):
    assert edit_distance(a, b, sub_cost=sub, ins_cost=1.5, del_cost=1.5) == pytest.approx(
        edit_distance(b, a, sub_cost=sub, ins_cost=1.5, del_cost=1.5))


def _alignment_cost(ops, sub, ins, dele):
    return sum({"match": 0, "sub": sub, "ins": ins, "del": dele}[op] for op, _, _ in ops)


@settings(max_examples=150, deadline=None)
@given(words, words, costs, costs, costs)
def test_alignment_cost_equals_distance_and_spells_both(s, t, sub, ins, dele):
    ops = edit_alignment(s, t, sub_cost=sub, ins_cost=ins, del_cost=dele)
    d = edit_distance(s, t, sub_cost=sub, ins_cost=ins, del_cost=dele)
    assert _alignment_cost(ops, sub, ins, dele) == pytest.approx(d), ops
    assert "".join(a for _, a, _ in ops if a is not None) == s
    assert "".join(b for _, _, b in ops if b is not None) == t
    for op, a, b in ops:
        assert (op == "match") == (a is not None and a == b)


def test_intention_execution_alignment_textbook():
    ops = edit_alignment("intention", "execution", sub_cost=2)
    kinds = [op for op, _, _ in ops]
    assert kinds.count("del") == 1 and kinds.count("ins") == 1 and kinds.count("sub") == 3
    lines = format_alignment(ops).splitlines()
    assert len(lines) == 3 and lines[0].replace(" ", "").replace("*", "") == "intention"
    assert lines[2].replace(" ", "").replace("*", "") == "execution"


def test_word_level_tokens():
    ref = "the cat sat on the mat".split()
    hyp = "the cat sit on mat".split()
    assert edit_distance(ref, hyp) == 2  # one substitution, one deletion
    assert word_error_rate(ref, hyp) == pytest.approx(2 / 6)
    assert word_error_rate("a b", "a b c d e") == pytest.approx(3 / 2)  # WER can exceed 1
    assert edit_distance(np.array([1, 2, 3]), np.array([1, 3])) == 1


def naive_calls(m, n):
    """N(i, j) = 1 + N(i-1, j) + N(i, j-1) + N(i-1, j-1), 1 on the border."""
    @lru_cache(maxsize=None)
    def N(i, j):
        return 1 if i == 0 or j == 0 else 1 + N(i - 1, j) + N(i, j - 1) + N(i - 1, j - 1)
    return N(m, n)


@pytest.mark.parametrize("s, t", [("ab", "b"), ("kitten", "sitting"), ("abc", "abc"), ("", "xy")])
def test_call_counts(s, t):
    d_naive, calls_naive = edit_distance_recursive(s, t, memo=False)
    d_memo, calls_memo = edit_distance_recursive(s, t, memo=True)
    assert d_naive == d_memo == edit_distance(s, t)
    assert calls_naive == naive_calls(len(s), len(t))
    if s and t:
        assert calls_memo == (len(s) + 1) * (len(t) + 1)


def test_integer_costs_give_int_float_costs_give_float():
    assert isinstance(edit_distance("ab", "ba"), int)
    assert isinstance(edit_distance("ab", "ba", sub_cost=0.5), float)
    assert edit_distance("ab", "ba", sub_cost=0.5) == 1.0


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"sub_cost": -1}, ValueError, "sub_cost"),
    ({"ins_cost": float("nan")}, ValueError, "ins_cost"),
    ({"del_cost": True}, TypeError, "del_cost"),
    ({"sub_cost": "1"}, TypeError, "sub_cost"),
])
def test_bad_costs(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        edit_distance("ab", "ba", **kwargs)


def test_bad_inputs():
    with pytest.raises(TypeError, match="source"):
        edit_distance(12, "ab")
    with pytest.raises(TypeError, match="target"):
        edit_distance("ab", np.zeros((2, 2)))
    with pytest.raises(ValueError, match="exponential"):
        edit_distance_recursive("a" * 11, "b" * 10, memo=False)
    with pytest.raises(ValueError, match="reference"):
        word_error_rate("", "a b")
    with pytest.raises(ValueError, match="unknown operation"):
        format_alignment([("swap", "a", "b")])


def test_inputs_not_modified():
    a, b = ["x", "y"], ["y"]
    edit_alignment(a, b)
    assert a == ["x", "y"] and b == ["y"]
