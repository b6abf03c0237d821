"""The replay buffer keeps the newest transitions, wraps around, and samples uniformly."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from dlbook.rl.replay import Batch, ReplayBuffer, ring_indices, sample_indices


def _fill(buf: ReplayBuffer, ids) -> None:
    """Add transitions whose every field encodes the transition id."""
    for i in ids:
        buf.add([i, -i], action=i % 3, reward=float(i), next_obs=[i + 1, -i - 1],
                terminated=(i % 7 == 0))


@settings(max_examples=60, deadline=None)
@given(capacity=st.integers(1, 12), n=st.integers(0, 40))
def test_holds_exactly_the_newest_transitions(capacity, n):
    buf = ReplayBuffer(capacity, (2,))
    _fill(buf, range(n))
    assert len(buf) == min(n, capacity), f"size {len(buf)} after {n} adds, capacity {capacity}"
    assert buf.position == n % capacity
    # transition k steps old sits in slot (position - 1 - k) mod C
    for k in range(len(buf)):
        slot = (buf.position - 1 - k) % capacity
        i = n - 1 - k
        assert buf.obs[slot].tolist() == [i, -i], f"slot {slot} holds {buf.obs[slot]}, want id {i}"
        assert buf.rewards[slot] == i and buf.actions[slot] == i % 3
        assert buf.next_obs[slot].tolist() == [i + 1, -i - 1]
        assert buf.terminated[slot] == (i % 7 == 0)


@settings(max_examples=40, deadline=None)
@given(capacity=st.integers(1, 10), chunks=st.lists(st.integers(0, 25), max_size=6))
def test_add_batch_equals_one_by_one(capacity, chunks):
    a, b = ReplayBuffer(capacity, (2,)), ReplayBuffer(capacity, (2,))
    start = 0
    for size in chunks:
        ids = np.arange(start, start + size)
        _fill(a, ids)
        b.add_batch(np.stack([ids, -ids], 1).reshape(size, 2), ids % 3, ids.astype(float),
                    np.stack([ids + 1, -ids - 1], 1).reshape(size, 2), ids % 7 == 0)
        start += size
    assert (len(a), a.position) == (len(b), b.position)
    for name in ("obs", "actions", "rewards", "next_obs", "terminated"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_ring_indices_wrap():
    assert ring_indices(3, 4, 5).tolist() == [3, 4, 0, 1]
    assert ring_indices(0, 0, 5).tolist() == []


def test_sampling_is_uniform_over_filled_slots():
    buf = ReplayBuffer(16, (2,), seed=1)
    _fill(buf, range(10))  # 10 of 16 slots filled
    ids = np.concatenate([buf.sample(500).obs[:, 0] for _ in range(200)]).astype(int)
    assert ids.min() >= 0 and ids.max() <= 9, "sampled an empty slot"
    counts = np.bincount(ids, minlength=10)
    chi2 = stats.chisquare(counts)
    assert chi2.pvalue > 1e-4, f"counts {counts} are not uniform (p={chi2.pvalue:.2g})"


def test_sampling_after_wrap_covers_all_and_only_newest():
    buf = ReplayBuffer(8, (2,), seed=0)
    _fill(buf, range(20))  # ids 12..19 remain
    ids = np.concatenate([buf.sample(256).obs[:, 0] for _ in range(100)]).astype(int)
    assert set(ids.tolist()) == set(range(12, 20))
    assert stats.chisquare(np.bincount(ids - 12, minlength=8)).pvalue > 1e-4


def test_sampled_rows_stay_together_and_are_copies():
    buf = ReplayBuffer(5, (2,), seed=3)
    _fill(buf, range(9))
    batch = buf.sample(64)
    assert isinstance(batch, Batch)
    i = batch.obs[:, 0].astype(int)
    np.testing.assert_array_equal(batch.obs[:, 1], -i)
    np.testing.assert_array_equal(batch.actions, i % 3)
    np.testing.assert_array_equal(batch.rewards, i)
    np.testing.assert_array_equal(batch.next_obs[:, 0], i + 1)
    np.testing.assert_array_equal(batch.terminated, i % 7 == 0)
    batch.obs[:] = 999.0
    assert (buf.obs != 999.0).all(), "sample must return copies"


def test_same_seed_same_samples():
    a, b = ReplayBuffer(10, (2,), seed=7), ReplayBuffer(10, (2,), seed=7)
    _fill(a, range(10))
    _fill(b, range(10))
    np.testing.assert_array_equal(a.sample(32).obs, b.sample(32).obs)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: ReplayBuffer(0, (2,)), ValueError, "capacity"),
        (lambda: ReplayBuffer(2.5, (2,)), TypeError, "capacity"),
        (lambda: ReplayBuffer(3, (0,)), ValueError, "obs_shape"),
        (lambda: ReplayBuffer(3, (2,)).sample(1), ValueError, "empty"),
        (lambda: ReplayBuffer(3, (2,)).add([1, 2, 3], 0, 0.0, [1, 2], False), ValueError,
         r"obs has shape \(1, 3\)"),
        (lambda: ReplayBuffer(3, (2,)).add([1, 2], 0.5, 0.0, [1, 2], False), TypeError, "integers"),
        (lambda: ReplayBuffer(3, (2,)).add([1, 2], 0, 0.0, [1, 2], 1), TypeError, "boolean"),
        (lambda: ReplayBuffer(3, (2,)).add_batch(np.zeros((2, 2)), [0], [0.0, 0.0],
                                                 np.zeros((2, 2)), [False, False]),
         ValueError, "actions has shape"),
        (lambda: ring_indices(5, 1, 5), ValueError, "position"),
        (lambda: sample_indices(np.random.default_rng(), 3, 0), ValueError, "batch_size"),
        (lambda: sample_indices(0, 3, 1), TypeError, "Generator"),
    ],
)
def test_bad_input_is_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()
