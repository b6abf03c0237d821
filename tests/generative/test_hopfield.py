"""Hopfield networks: Hebb's rule by loops, energy never rising, recall, capacity, modern update."""

import numpy as np
import pytest
import torch

from dlbook.generative.hopfield import (
    Hopfield,
    hebbian_weights,
    hopfield_energy,
    hopfield_recall,
    modern_hopfield_update,
    retrieval_overlaps,
)


def test_hebbian_weights_by_loops():
    rng = np.random.default_rng(0)
    xi = rng.choice([-1, 1], size=(3, 7))
    w = hebbian_weights(xi)
    for i in range(7):
        for j in range(7):
            expected = 0.0 if i == j else sum(xi[m, i] * xi[m, j] for m in range(3)) / 7
            assert w[i, j] == pytest.approx(expected, abs=1e-15)


def test_energy_by_loops():
    rng = np.random.default_rng(1)
    w = hebbian_weights(rng.choice([-1, 1], size=(2, 5)))
    s = rng.choice([-1, 1], size=5)
    expected = -0.5 * sum(w[i, j] * s[i] * s[j] for i in range(5) for j in range(5))
    assert hopfield_energy(s, w) == pytest.approx(expected, abs=1e-14)
    batch = rng.choice([-1, 1], size=(4, 5))
    np.testing.assert_allclose(hopfield_energy(batch, w), [hopfield_energy(b, w) for b in batch])


@pytest.mark.parametrize("seed", range(5))
def test_energy_never_increases_and_the_record_is_exact(seed):
    rng = np.random.default_rng(seed)
    N, P = 60, 12
    w = hebbian_weights(rng.choice([-1, 1], size=(P, N)))
    start = rng.choice([-1, 1], size=(3, N))
    r = hopfield_recall(start, w, max_sweeps=50, rng=seed)
    assert np.all(np.diff(r.energies, axis=0) <= 1e-12)
    np.testing.assert_allclose(r.energies[-1], hopfield_energy(r.state, w), atol=1e-10)
    assert r.converged
    # a fixed point: every unit agrees with the sign of its input (or the input is 0)
    h = r.state @ w
    assert np.all(h * r.state >= -1e-12)


def test_each_row_of_a_batch_evolves_as_it_would_alone():
    rng = np.random.default_rng(3)
    w = hebbian_weights(rng.choice([-1, 1], size=(5, 40)))
    start = rng.choice([-1, 1], size=(4, 40))
    together = hopfield_recall(start, w).state
    alone = np.array([hopfield_recall(s, w).state for s in start])
    np.testing.assert_array_equal(together, alone)


def test_recall_from_corrupted_patterns():
    rng = np.random.default_rng(4)
    net = Hopfield(100)
    patterns = rng.choice([-1, 1], size=(5, 100))
    net.store(patterns)
    for p in patterns:
        noisy = p.copy()
        noisy[rng.choice(100, 15, replace=False)] *= -1
        np.testing.assert_array_equal(net.recall(noisy, rng=0), p)
        assert net.energy(p) < net.energy(noisy)


def test_capacity_transition_near_0_138():
    # low load: recall is nearly perfect; well above 0.138 N it breaks down
    low = np.concatenate([retrieval_overlaps(200, 10, rng=s) for s in range(3)])    # 0.05 N
    high = np.concatenate([retrieval_overlaps(200, 50, rng=s) for s in range(3)])   # 0.25 N
    assert low.mean() > 0.99
    assert high.mean() < 0.6


def test_modern_update_is_softmax_attention():
    rng = np.random.default_rng(5)
    X, q = rng.normal(size=(6, 4)), rng.normal(size=(3, 4))
    beta = 2.5
    ref = torch.nn.functional.scaled_dot_product_attention(
        torch.tensor(q)[None], torch.tensor(X)[None], torch.tensor(X)[None], scale=beta)[0]
    np.testing.assert_allclose(modern_hopfield_update(q, X, beta), ref.numpy(), rtol=1e-12)
    # with a large beta one update retrieves the stored pattern nearest to a noisy query
    noisy = X[2] + 0.1 * rng.normal(size=4)
    np.testing.assert_allclose(modern_hopfield_update(noisy, X, beta=200.0), X[2], atol=1e-6)


@pytest.mark.parametrize("bad, match", [
    ([[1, 0, 1, 1]], r"only -1 and \+1.*\(1, 4\)"),
    ([[1, -1, 1]], r"4 units.*\(1, 3\)"),
    (np.ones((2, 2, 4)), r"shape \(N,\) or \(B, N\).*\(2, 2, 4\)"),
])
def test_bad_patterns_are_refused(bad, match):
    net = Hopfield(4)
    with pytest.raises(ValueError, match=match):
        net.store(bad)
    with pytest.raises(ValueError):
        net.recall(np.array(bad, dtype=float).reshape(-1)[:3])


def test_store_accumulates():
    net = Hopfield(4)
    net.store([1, -1, 1, -1])
    net.store([[1, 1, -1, -1]])
    np.testing.assert_allclose(net.weight, hebbian_weights([[1, -1, 1, -1], [1, 1, -1, -1]]))
    assert "patterns stored=2" in repr(net)
