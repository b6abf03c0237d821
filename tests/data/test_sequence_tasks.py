"""The adding problem: exactly two markers, one per half, the target is their values' sum, and
the constant answer 1 has the stated mean squared error."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlbook.data.sequence_tasks import ADDING_BASELINE_MSE, adding_problem


@given(st.integers(1, 20), st.integers(2, 60), st.integers(0, 10_000))
def test_markers_and_targets(n, T, seed):
    x, y = adding_problem(n, T, np.random.default_rng(seed), dtype=np.float64)
    assert x.shape == (T, n, 2) and y.shape == (n,)
    markers = x[:, :, 1]
    assert np.all(markers.sum(axis=0) == 2)
    first = markers.argmax(axis=0)
    second = T - 1 - markers[::-1].argmax(axis=0)
    assert np.all(first < T // 2) and np.all(second >= T // 2)
    np.testing.assert_allclose(y, x[first, np.arange(n), 0] + x[second, np.arange(n), 0])
    assert np.all((x[:, :, 0] >= 0) & (x[:, :, 0] < 1))


def test_constant_answer_has_the_baseline_error():
    _, y = adding_problem(200_000, 10, np.random.default_rng(0), dtype=np.float64)
    assert np.mean((y - 1.0) ** 2) == pytest.approx(ADDING_BASELINE_MSE, rel=0.01)


def test_bad_arguments():
    with pytest.raises(ValueError, match="T must be >= 2"):
        adding_problem(3, 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="n must be >= 1"):
        adding_problem(0, 5, np.random.default_rng(0))
