"""RBM: exact enumeration against brute force over joint states, the exact gradient against a
numerical gradient, CD-k tending to it, the pseudo-likelihood against scikit-learn."""

import itertools

import numpy as np
import pytest
from sklearn.neural_network import BernoulliRBM

from dlbook.generative.rbm import (
    RBM,
    hidden_probabilities,
    rbm_cd_gradient,
    rbm_free_energy,
    rbm_log_likelihood_gradient,
    rbm_log_partition,
    rbm_pcd_gradient,
    rbm_pseudo_log_likelihood,
    visible_probabilities,
)


def random_rbm(seed, D, H, scale=1.0):
    rng = np.random.default_rng(seed)
    return rng.normal(0, scale, (D, H)), rng.normal(0, scale, D), rng.normal(0, scale, H)


def brute_force_log_z(W, bv, bh):
    D, H = W.shape
    terms = []
    for bits in itertools.product([0, 1], repeat=D + H):
        v, h = np.array(bits[:D], float), np.array(bits[D:], float)
        terms.append(v @ bv + h @ bh + v @ W @ h)               # -E(v, h)
    terms = np.array(terms)
    return terms.max() + np.log(np.exp(terms - terms.max()).sum())


@pytest.mark.parametrize("D, H", [(3, 4), (5, 2), (4, 4)])   # enumerates the smaller layer
def test_log_partition_against_joint_enumeration(D, H):
    W, bv, bh = random_rbm(D * 10 + H, D, H)
    assert rbm_log_partition(W, bv, bh) == pytest.approx(brute_force_log_z(W, bv, bh), rel=1e-12)


def test_free_energy_marginalizes_the_hidden_units():
    W, bv, bh = random_rbm(1, 3, 3)
    v = np.array([[1.0, 0.0, 1.0]])
    total = sum(np.exp(v[0] @ bv + np.array(h) @ bh + v[0] @ W @ np.array(h))
                for h in itertools.product([0, 1], repeat=3))
    assert rbm_free_energy(v, W, bv, bh)[0] == pytest.approx(-np.log(total), rel=1e-13)


def mean_log_likelihood(v, W, bv, bh):
    return float((-rbm_free_energy(v, W, bv, bh)).mean() - rbm_log_partition(W, bv, bh))


@pytest.mark.parametrize("D, H", [(4, 3), (3, 5)])
def test_exact_gradient_against_numerical_gradient(D, H):
    W, bv, bh = random_rbm(2, D, H, scale=0.7)
    v = (np.random.default_rng(3).random((6, D)) < 0.5).astype(float)
    dW, dbv, dbh = rbm_log_likelihood_gradient(v, W, bv, bh)
    eps = 1e-6
    for arr, grad in ((W, dW), (bv, dbv), (bh, dbh)):
        num = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + eps
            plus = mean_log_likelihood(v, W, bv, bh)
            arr[idx] = old - eps
            minus = mean_log_likelihood(v, W, bv, bh)
            arr[idx] = old
            num[idx] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(grad, num, rtol=1e-6, atol=1e-8)


def test_cd_with_a_long_chain_estimates_the_exact_gradient():
    W, bv, bh = random_rbm(4, 4, 3, scale=0.5)
    v = (np.random.default_rng(5).random((2000, 4)) < 0.5).astype(float)
    exact = rbm_log_likelihood_gradient(v, W, bv, bh)
    cd = rbm_cd_gradient(v, W, bv, bh, k=50, rng=0)
    for e, c in zip(exact, cd):
        assert np.abs(e - c).max() < 0.03, (e, c)


def test_cd1_is_biased_but_points_uphill():
    W, bv, bh = random_rbm(6, 5, 3, scale=1.0)
    v = (np.random.default_rng(7).random((500, 5)) < 0.3).astype(float)
    exact = np.concatenate([g.ravel() for g in rbm_log_likelihood_gradient(v, W, bv, bh)])
    cd1 = np.concatenate([g.ravel() for g in rbm_cd_gradient(v, W, bv, bh, k=1, rng=0)])
    assert exact @ cd1 > 0


def test_pcd_returns_advanced_chains():
    W, bv, bh = random_rbm(8, 4, 3)
    chains = np.zeros((6, 4))
    grads, new = rbm_pcd_gradient(np.ones((2, 4)), chains, W, bv, bh, k=3, rng=0)
    assert new.shape == (6, 4) and set(np.unique(new)) <= {0.0, 1.0}
    assert [g.shape for g in grads] == [(4, 3), (4,), (3,)]
    np.testing.assert_array_equal(chains, 0)                     # input untouched


def test_conditionals_are_sigmoids():
    W, bv, bh = random_rbm(9, 3, 2)
    v, h = np.array([[1.0, 0.0, 1.0]]), np.array([[0.0, 1.0]])
    np.testing.assert_allclose(hidden_probabilities(v, W, bh), 1 / (1 + np.exp(-(v @ W + bh))))
    np.testing.assert_allclose(visible_probabilities(h, W, bv),
                               1 / (1 + np.exp(-(h @ W.T + bv))))


def test_pseudo_likelihood_by_explicit_flips():
    W, bv, bh = random_rbm(10, 5, 4)
    v = (np.random.default_rng(11).random((7, 5)) < 0.5).astype(float)
    f = rbm_free_energy(v, W, bv, bh)
    expected = np.zeros(7)
    for i in range(5):
        flipped = v.copy()
        flipped[:, i] = 1 - flipped[:, i]
        expected += np.log(1 / (1 + np.exp(-(rbm_free_energy(flipped, W, bv, bh) - f))))
    np.testing.assert_allclose(rbm_pseudo_log_likelihood(v, W, bv, bh), expected, rtol=1e-12)


def test_free_energy_and_pseudo_likelihood_agree_with_scikit_learn():
    rng = np.random.default_rng(12)
    X = (rng.random((50, 6)) < 0.4).astype(float)
    sk = BernoulliRBM(n_components=4, n_iter=3, random_state=0).fit(X)
    W, bv, bh = sk.components_.T, sk.intercept_visible_, sk.intercept_hidden_
    np.testing.assert_allclose(rbm_free_energy(X, W, bv, bh), sk._free_energy(X), rtol=1e-12)
    # scikit-learn flips one random bit per row (index from RandomState(random_state)) and
    # multiplies by D; reproduce its draw and compare with our per-bit terms
    idx = np.random.RandomState(0).randint(0, 6, 50)
    flipped = X.copy()
    flipped[np.arange(50), idx] = 1 - flipped[np.arange(50), idx]
    ours = 6 * np.log(1 / (1 + np.exp(-(rbm_free_energy(flipped, W, bv, bh)
                                        - rbm_free_energy(X, W, bv, bh)))))
    np.testing.assert_allclose(sk.score_samples(X), ours, rtol=1e-10)


def test_training_raises_the_pseudo_likelihood_and_the_likelihood():
    X = np.tile([[1, 1, 0, 0, 1, 0], [0, 0, 1, 1, 0, 1]], (30, 1)).astype(float)
    rbm = RBM(6, 3, seed=0)
    before = rbm.log_likelihood(X).mean()
    hist = rbm.fit(X, epochs=100, lr=0.1, method="cd", rng=0)
    assert hist[-1] > hist[0] + 3
    mass = np.exp(rbm.log_likelihood(X[:2])).sum()              # exact, by enumeration
    assert rbm.log_likelihood(X).mean() > before + 2.0 and mass > 0.7
    samples, _ = rbm.sample(400, n_steps=100, rng=1)
    hits = ((samples == X[0]).all(1) | (samples == X[1]).all(1)).mean()
    assert abs(hits - mass) < 0.1, (hits, mass)


@pytest.mark.parametrize("bad, match", [
    ([[0.5, 1, 0, 0]], r"binary.*\(1, 4\)"),
    ([[2, 1, 0, 0]], r"binary.*\(1, 4\)"),
    ([[1, 0, 0]], r"shape \(N, 4\).*\(1, 3\)"),
])
def test_non_binary_or_misshaped_visible_units_are_refused(bad, match):
    rbm = RBM(4, 3, seed=0)
    for call in (rbm.free_energy, rbm.log_likelihood_gradient_exact, rbm.cd_gradient):
        with pytest.raises(ValueError, match=match):
            call(bad)


def test_too_large_to_enumerate_names_the_size():
    with pytest.raises(ValueError, match=r"n_visible=64, n_hidden=100, so 2\*\*64 states"):
        RBM(64, 100).log_partition_exact()
    RBM(64, 20).log_partition_exact()                            # 2**20 hidden states is fine
