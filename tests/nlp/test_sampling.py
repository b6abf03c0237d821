"""Temperature, top-k and top-p: each filter against its definition, written as plain loops."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nlp import sampling as S

logit_rows = st.lists(st.floats(-8, 8, allow_nan=False), min_size=2, max_size=12)


def _probs(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


@given(logit_rows, st.integers(1, 14))
def test_top_k_keeps_the_k_largest_and_their_ties(row, k):
    z = np.array(row)
    kept = np.isfinite(S.top_k_filter(z, k))
    kth = sorted(row, reverse=True)[min(k, len(row)) - 1]
    expected = [v >= kth for v in row]
    assert kept.tolist() == expected


@given(logit_rows, st.floats(0.01, 1.0))
def test_top_p_keeps_tokens_whose_more_probable_mass_is_below_p(row, p):
    z = np.array(row)
    probs = _probs(z)
    kept = np.isfinite(S.top_p_filter(z, p))
    for i in range(len(row)):
        ahead = sum(probs[j] for j in range(len(row)) if probs[j] > probs[i])
        assert kept[i] == (ahead < p), (i, ahead, p)
    assert kept[np.argmax(probs)]
    assert probs[kept].sum() >= min(p, 1.0) - 1e-12


@given(logit_rows, st.floats(0.05, 5.0), st.integers(1, 5), st.floats(0.1, 1.0))
def test_distribution_is_normalised_and_zero_outside(row, t, k, p):
    probs = S.sampling_distribution(np.array(row), temperature=t, top_k=k, top_p=p)
    assert np.isclose(probs.sum(), 1.0)
    kth = sorted(row, reverse=True)[min(k, len(row)) - 1]
    assert (probs > 0).sum() <= sum(v >= kth for v in row)


def test_temperature_limits():
    z = np.log([0.6, 0.3, 0.1])
    cold = S.sampling_distribution(z, temperature=0.01)
    hot = S.sampling_distribution(z, temperature=100.0)
    assert cold[0] > 0.999 and np.allclose(hot, 1 / 3, atol=0.01)
    np.testing.assert_allclose(S.sampling_distribution(z), [0.6, 0.3, 0.1])


def test_sample_frequencies_match_the_distribution():
    z = np.log([0.5, 0.3, 0.15, 0.05])
    draws = S.sample_next(np.tile(z, (40_000, 1)), top_p=0.8, rng=1)
    freq = np.bincount(draws, minlength=4) / draws.size
    expected = S.sampling_distribution(z, top_p=0.8)         # 0.5, 0.3, 0.15 kept -> /0.95
    np.testing.assert_allclose(freq, expected, atol=0.01)
    assert freq[3] == 0.0


def test_bad_arguments():
    with pytest.raises(ValueError, match="temperature"):
        S.apply_temperature([1.0], 0.0)
    with pytest.raises(ValueError, match="k must be >= 1"):
        S.top_k_filter([1.0, 2.0], 0)
    with pytest.raises(ValueError, match="p must be > 0"):
        S.top_p_filter([1.0, 2.0], 0.0)
    with pytest.raises(ValueError, match=r"shape \(V,\) or \(N, V\)"):
        S.sample_next(np.zeros((2, 2, 3)))
    with pytest.raises(TypeError):
        S.top_k_filter([1.0], 1.5)


@settings(max_examples=25)
@given(st.integers(0, 10_000))
def test_same_seed_same_tokens(seed):
    z = np.random.default_rng(seed).normal(size=(5, 7))
    assert np.array_equal(S.sample_next(z, rng=seed), S.sample_next(z, rng=seed))
