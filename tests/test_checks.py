"""The shared input checks: one exception policy (TypeError for the wrong kind of value,
ValueError for a wrong value or shape), messages that name the argument and the value."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from dlbook import _checks as C


@pytest.mark.parametrize("value", [True, 2.0, "3", None, [1]])
def test_int_value_refuses_non_integers_with_type_error(value):
    with pytest.raises(TypeError, match="n must be an int"):
        C.int_value(value, "n")


@given(st.integers(-50, 50), st.integers(-50, 50))
def test_int_value_range(value, low):
    if value < low:
        with pytest.raises(ValueError, match=f"n must be >= {low}, got {value}"):
            C.int_value(value, "n", low=low)
    else:
        assert C.int_value(np.int32(value), "n", low=low) == value


@pytest.mark.parametrize("value", [True, "0.1", None, 1j])
def test_real_value_type_errors(value):
    with pytest.raises(TypeError, match="lr must be a real number"):
        C.real_value(value, "lr")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_real_value_refuses_nan_and_inf(value):
    with pytest.raises(ValueError, match="lr must be finite"):
        C.real_value(value, "lr")


@pytest.mark.parametrize("value, kwargs, message", [
    (0.0, {"low": 0.0, "low_open": True}, "must be > 0.0"),
    (-0.1, {"low": 0.0}, "must be >= 0.0"),
    (1.0, {"high": 1.0, "high_open": True}, "must be < 1.0"),
    (1.5, {"high": 1.0}, "must be <= 1.0"),
])
def test_real_value_bounds(value, kwargs, message):
    with pytest.raises(ValueError, match=message):
        C.real_value(value, "x", **kwargs)


def test_probability_and_positive_helpers():
    assert C.probability(0, "p") == 0.0 and C.probability(1, "p") == 1.0
    with pytest.raises(ValueError, match="p must be > 0.0"):
        C.probability(0, "p", low_open=True)
    with pytest.raises(ValueError):
        C.positive_real(0.0, "eps")
    with pytest.raises(ValueError):
        C.positive_int(0, "k")


@pytest.mark.parametrize("value, expected", [(3, (3, 3)), ((1, 2), (1, 2)), ([4, 5], (4, 5)),
                                             (np.array([2, 3]), (2, 3))])
def test_int_pair_accepts(value, expected):
    assert C.int_pair(value, "kernel_size") == expected


@pytest.mark.parametrize("value, error", [
    ((1, 2, 3), ValueError), ((1,), ValueError), ((0, 1), ValueError), (0, ValueError),
    ((1.5, 2), TypeError), ("ab", TypeError), (2.0, TypeError), (None, TypeError),
    ((True, 1), TypeError),
])
def test_int_pair_policy(value, error):
    with pytest.raises(error, match="kernel_size"):
        C.int_pair(value, "kernel_size")


def test_one_of_names_every_choice():
    with pytest.raises(ValueError, match="'q_learning', 'sarsa'; got 'qlearning'"):
        C.one_of("qlearning", "method", ("q_learning", "sarsa"))
    with pytest.raises(ValueError):
        C.one_of([1], "method", ("a",))  # unhashable: still a ValueError, not a crash


def test_boolean():
    assert C.boolean(np.bool_(True), "flag") is True
    with pytest.raises(TypeError):
        C.boolean("yes", "flag")


def test_real_array_dtype_policy():
    assert C.real_array(np.arange(3), "x").dtype == np.float64
    x32 = np.ones(2, np.float32)
    assert C.real_array(x32, "x") is x32  # no copy of a floating array
    for bad in (np.array(["a"]), np.array([1j]), np.array([object()], dtype=object)):
        with pytest.raises(TypeError, match="x must hold real numbers"):
            C.real_array(bad, "x")


def test_real_array_shape_rules():
    with pytest.raises(ValueError, match=r"x must have 2 dimension\(s\), got shape \(3,\)"):
        C.real_array(np.ones(3), "x", ndim=2)
    with pytest.raises(ValueError, match="at least 3"):
        C.real_array(np.ones((2, 2)), "x", min_ndim=3)
    with pytest.raises(ValueError, match="must not be empty"):
        C.real_array(np.ones((0, 2)), "x", nonempty=True)
    with pytest.raises(ValueError, match="NaN"):
        C.finite_array([1.0, np.inf], "x")


def test_check_shape_and_same_shape():
    C.check_shape(np.zeros((2, 3, 4)), "x", (2, None, 4))
    with pytest.raises(ValueError, match=r"h0 must have shape \(N, H\) = \(5, 7\), got \(5, 8\)"):
        C.check_shape(np.zeros((5, 8)), "h0", (5, 7), "(N, H)")
    with pytest.raises(ValueError, match=r"must have shape \(3,\), got \(3, 1\)"):
        C.check_shape(np.zeros((3, 1)), "b", (3,))
    with pytest.raises(ValueError, match=r"a has shape \(2,\) but b has \(3,\)"):
        C.same_shape(np.zeros(2), torch.zeros(3), "a", "b")


def test_real_tensor():
    t = C.real_tensor(torch.arange(3), "x")
    assert t.dtype == torch.get_default_dtype()
    assert C.real_tensor(np.ones(2), "x").dtype == torch.float64
    with pytest.raises(ValueError, match="x must have 2 dimension"):
        C.real_tensor(torch.zeros(3), "x", ndim=2)


def test_token_list_refuses_a_string():
    assert C.token_list(np.array(["a", "b"]), "ref") == ["a", "b"]
    with pytest.raises(TypeError, match="split it first"):
        C.token_list("a b", "ref")
    with pytest.raises(TypeError):
        C.token_list(5, "ref")


    "finite_array", "real_tensor", "token_list", "generator", "value_range", "distribution_rows",
    "finite_pair", "finite_tensor_pair", "real_array_list", "recurrent_shapes",
