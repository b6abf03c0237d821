"""Parameter counts (dlbook.nn.param_count): the dense formula against torch's numel, the course's
totals 7,850 and 316,810, and the table in both languages."""

import pytest
from torch import nn

from dlbook.nn.param_count import Row, Summary, dense_param_count, dense_summary

COURSE_MLP = [784, 300, 200, 100, 10]


def numel(module):
    return sum(p.numel() for p in module.parameters())


# -- the dense formula and the course's numbers --------------------------------------------------
@pytest.mark.parametrize("n_in, n_out", [(1, 1), (784, 10), (3, 7), (300, 200)])
@pytest.mark.parametrize("bias", [True, False])
def test_dense_param_count_matches_torch(n_in, n_out, bias):
    assert dense_param_count(n_in, n_out, bias) == numel(nn.Linear(n_in, n_out, bias=bias))


def test_course_totals():
    # Keras prints 7,850 for 784 -> 10 and 316,810 for 784-300-200-100-10 (course notes 001).
    by_formula = sum((a + 1) * b for a, b in zip(COURSE_MLP[:-1], COURSE_MLP[1:]))
    assert by_formula == 316_810
    assert dense_summary(COURSE_MLP).total == by_formula
    assert dense_summary([784, 10]).total == (784 + 1) * 10 == 7_850
    rows = dense_summary(COURSE_MLP).rows
    assert [r.params for r in rows] == [785 * 300, 301 * 200, 201 * 100, 101 * 10]
    assert [r.name for r in rows] == ["dense", "dense_1", "dense_2", "dense_3"]
    assert [r.output_shape for r in rows] == [(None, 300), (None, 200), (None, 100), (None, 10)]


def test_numpy_summary_without_bias_and_table():
    s = dense_summary([5, 4, 3], bias=False)
    assert s.total == 5 * 4 + 4 * 3 and s.trainable == s.total and s.non_trainable == 0
    text = str(s)
    assert "Total params: 32" in text and "dense_1 (Dense)" in text and "(None, 3)" in text
    zh = s.table().zh
    assert "參數總數：32" in zh and "dense_1 (Dense)" in zh


def test_table_columns_line_up_in_both_languages():
    from dlbook.bilingual import display_width

    s = Summary(rows=[Row("dense", "Dense", (None, 3), 9)], total=9, trainable=9,
                non_trainable=0, buffers=2)
    for text in (s.table().en, s.table().zh):
        header, rule = text.splitlines()[:2]
        assert display_width(header) == len(rule)
    assert "Buffers" in s.table().en and "緩衝區" in s.table().zh


@pytest.mark.parametrize(
    "sizes, error, match",
    [
        ([784], ValueError, "at least one layer size"),
        ([784, 0], ValueError, r"layer_sizes\[1\] must be >= 1, got 0"),
        ([784, 10.5], TypeError, r"layer_sizes\[1\] must be an int"),
        ("784", TypeError, "must be a sequence of ints"),
        (784, TypeError, "must be a sequence of ints"),
    ],
)
def test_numpy_summary_rejects_bad_sizes(sizes, error, match):
    with pytest.raises(error, match=match):
        dense_summary(sizes)


def test_dense_param_count_rejects_bad_sizes():
    with pytest.raises(ValueError, match="n_in must be >= 1"):
        dense_param_count(0, 3)
    with pytest.raises(TypeError, match="n_out must be an int"):
        dense_param_count(3, True)
    with pytest.raises(TypeError, match="bias must be True or False"):
        dense_param_count(3, 4, bias=1)
