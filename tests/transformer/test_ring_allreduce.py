"""The ring all-reduce gives every worker the sum, sends 2(p-1)/p of a vector per worker, and
only ever talks to the next worker in the ring."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.transformer.ring_allreduce import ring_allreduce


@settings(max_examples=40, deadline=None)
@given(p=st.integers(1, 9), n=st.integers(1, 40), seed=st.integers(0, 2**31 - 1))
def test_every_worker_gets_the_sum(p, n, seed):
    rng = np.random.default_rng(seed)
    arrays = [rng.normal(size=(n,)) for _ in range(p)]
    result = ring_allreduce(arrays)
    total = np.sum(arrays, axis=0)
    for out in result.outputs:
        np.testing.assert_allclose(out, total, rtol=1e-12, atol=1e-12)
    assert len(result.messages) == 2 * (p - 1)
    for step in result.messages:
        assert all(j == (i + 1) % p for i, j, _ in step)              # neighbours only


@pytest.mark.parametrize("p, n", [(2, 10), (4, 1000), (8, 800), (16, 1600)])
def test_traffic_is_two_times_p_minus_one_over_p(p, n):
    result = ring_allreduce([np.ones(n)] * p)
    assert np.all(result.elements_sent == 2 * (p - 1) * n // p)
    assert np.all(result.elements_sent < 2 * n)


def test_shapes_are_kept_and_checked():
    out = ring_allreduce([np.ones((2, 3)), 2 * np.ones((2, 3))]).outputs[1]
    assert out.shape == (2, 3) and np.all(out == 3)
    with pytest.raises(ValueError, match=r"arrays\[0\] has shape \(2,\) but arrays\[1\] has"):
        ring_allreduce([np.ones(2), np.ones(3)])
    with pytest.raises(ValueError, match="at least one array"):
        ring_allreduce([])
