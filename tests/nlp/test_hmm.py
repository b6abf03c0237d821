"""HMM: Viterbi, the forward and backward recursions and posteriors against brute-force
enumeration of all state paths (products of probabilities computed directly, not in log
space), on random HMMs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nlp.hmm import (
    check_hmm,
    hmm_backward_log_beta,
    hmm_forward_log_alpha,
    hmm_log_likelihood,
    joint_log_prob,
    posterior,
    sample,
    viterbi,
)


def random_hmm(rng, K, V, sparse=False):
    def rows(shape):
        p = rng.random(shape) + 0.05
        if sparse:  # some impossible transitions/emissions, keeping every row non-zero
            p = np.where(rng.random(shape) < 0.3, 0.0, p)
            p[..., 0] += 0.1
        return p / p.sum(axis=-1, keepdims=True)
    return rows(K), rows((K, K)), rows((K, V))


def enumerate_paths(obs, start, trans, emit):
    """All K**T paths with P(x, z) as a plain product (no logs, no dynamic programming)."""
    K, T = len(start), len(obs)
    paths = np.array(list(itertools.product(range(K), repeat=T)))  # (K**T, T)
    p = start[paths[:, 0]] * emit[paths[:, 0], obs[0]]
    for t in range(1, T):
        p = p * trans[paths[:, t - 1], paths[:, t]] * emit[paths[:, t], obs[t]]
    return paths, p


hmm_case = st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 6),
                     st.integers(0, 2**31 - 1), st.booleans())


@settings(max_examples=120, deadline=None)
@given(hmm_case)
def test_against_brute_force(case):
    K, V, T, seed, sparse = case
    rng = np.random.default_rng(seed)
    start, trans, emit = random_hmm(rng, K, V, sparse)
    obs = rng.integers(0, V, size=T)
    paths, p = enumerate_paths(obs, start, trans, emit)
    total = p.sum()

    ll = hmm_log_likelihood(obs, start, trans, emit)
    np.testing.assert_allclose(np.exp(ll), total, rtol=1e-10, atol=1e-300,
                               err_msg="forward likelihood != sum over all paths")
    path, lp = viterbi(obs, start, trans, emit)
    if total == 0:  # an impossible sequence: no best path, no posterior
        assert lp == -np.inf
    else:
        check_best_path_and_posterior(obs, start, trans, emit, paths, p, path, lp)


def check_best_path_and_posterior(obs, start, trans, emit, paths, p, path, lp):
    K, T, total = len(start), len(obs), p.sum()
    best = p.max()
    assert np.exp(lp) == pytest.approx(best, rel=1e-10), "Viterbi score != best path product"
    # the returned path must itself reach the best score (ties may pick another best path)
    own = p[np.ravel_multi_index(path, (K,) * T)]  # product() enumerates in C order
    assert own == pytest.approx(best, rel=1e-10), f"path {path} is not a best path"
    assert joint_log_prob(obs, path, start, trans, emit) == pytest.approx(lp, rel=1e-10)

    gamma = posterior(obs, start, trans, emit)
    want = np.stack([np.bincount(paths[:, t], weights=p, minlength=K) for t in range(T)]) / total
    np.testing.assert_allclose(gamma, want, rtol=1e-9, atol=1e-12,
                               err_msg="posterior marginals differ from enumeration")


@settings(max_examples=60, deadline=None)
@given(hmm_case)
def test_alpha_beta_give_likelihood_at_every_step(case):
    K, V, T, seed, _ = case
    rng = np.random.default_rng(seed)
    start, trans, emit = random_hmm(rng, K, V)
    obs = rng.integers(0, V, size=T)
    la = hmm_forward_log_alpha(obs, start, trans, emit)
    lb = hmm_backward_log_beta(obs, start, trans, emit)
    ll = hmm_log_likelihood(obs, start, trans, emit)
    per_step = np.log(np.exp(la + lb).sum(axis=1))
    np.testing.assert_allclose(per_step, ll, rtol=1e-10, atol=1e-12)


def test_healthy_fever_by_hand():
    """Wikipedia's Viterbi example, computed by hand: .6*.5=.3; .3*.7*.4=.084; .084*.3*.6."""
    start, trans = [0.6, 0.4], [[0.7, 0.3], [0.4, 0.6]]
    emit = [[0.5, 0.4, 0.1], [0.1, 0.3, 0.6]]
    path, lp = viterbi([0, 1, 2], start, trans, emit)
    assert path.tolist() == [0, 0, 1]
    assert np.exp(lp) == pytest.approx(0.3 * 0.7 * 0.4 * 0.3 * 0.6)


def test_long_sequence_does_not_underflow():
    rng = np.random.default_rng(1)
    start, trans, emit = random_hmm(rng, 3, 5)
    z, x = sample(rng, 5000, start, trans, emit)
    ll = hmm_log_likelihood(x, start, trans, emit)
    path, lp = viterbi(x, start, trans, emit)
    assert np.isfinite(ll) and np.isfinite(lp) and lp <= ll
    assert ll < -1000  # the probability itself would underflow float64 (~1e-308)


def test_sample_frequencies():
    """Empirical transition and emission frequencies approach the parameters."""
    start, trans = [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]]
    emit = [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]
    z, x = sample(np.random.default_rng(0), 20000, start, trans, emit)
    counts = np.zeros((2, 2))
    np.add.at(counts, (z[:-1], z[1:]), 1)
    np.testing.assert_allclose(counts / counts.sum(1, keepdims=True), trans, atol=0.02)
    em = np.zeros((2, 3))
    np.add.at(em, (z, x), 1)
    np.testing.assert_allclose(em / em.sum(1, keepdims=True), emit, atol=0.02)


def test_viterbi_beats_posterior_decoding_on_joint_probability():
    rng = np.random.default_rng(3)
    start, trans, emit = random_hmm(rng, 3, 4)
    z, x = sample(rng, 200, start, trans, emit)
    path, lp = viterbi(x, start, trans, emit)
    marg = posterior(x, start, trans, emit).argmax(axis=1)
    assert lp >= joint_log_prob(x, marg, start, trans, emit)


@pytest.mark.parametrize("args, exc, match", [
    (([0.5, 0.5], [[1.0, 0.0]], [[1.0], [1.0]], [0]), ValueError, "trans must have shape"),
    (([0.5, 0.5], [[1, 0], [0, 1]], [[1.0]], [0]), ValueError, "emit must have shape"),
    (([0.6, 0.6], [[1, 0], [0, 1]], [[1.0], [1.0]], [0]), ValueError, "start rows must sum"),
    (([0.5, 0.5], [[1.5, -0.5], [0, 1]], [[1.0], [1.0]], [0]), ValueError, "non-negative"),
    (([0.5, 0.5], [[1, 0], [0, 1]], [[1.0], [1.0]], [1]), ValueError, r"\[0, 1\)"),
    (([0.5, 0.5], [[1, 0], [0, 1]], [[1.0], [1.0]], []), ValueError, "non-empty"),
    (([0.5, 0.5], [[1, 0], [0, 1]], [[1.0], [1.0]], [0.0]), TypeError, "integer"),
])
def test_validation(args, exc, match):
    start, trans, emit, obs = args
    with pytest.raises(exc, match=match):
        viterbi(obs, start, trans, emit)
    with pytest.raises(exc, match=match):
        hmm_forward_log_alpha(obs, start, trans, emit)


def test_posterior_of_impossible_sequence_raises():
    with pytest.raises(ValueError, match="probability 0"):
        posterior([1], [1.0, 0.0], [[1, 0], [0, 1]], [[1.0, 0.0], [0.0, 1.0]])


def test_joint_log_prob_validation():
    args = ([0.5, 0.5], [[1, 0], [0, 1]], [[1.0], [1.0]])
    with pytest.raises(ValueError, match="states has shape"):
        joint_log_prob([0, 0], [0], *args)
    with pytest.raises(ValueError, match="states must be integers"):
        joint_log_prob([0], [2], *args)
    with pytest.raises(ValueError, match="T must be >= 1"):
        sample(np.random.default_rng(0), 0, *args)


def test_check_hmm_returns_float_arrays():
    s, A, B, x = check_hmm([1, 0], [[1, 0], [0, 1]], [[1], [1]], np.array([0], dtype=np.uint8))
    assert s.dtype == A.dtype == B.dtype == np.float64 and x.dtype == np.int64
