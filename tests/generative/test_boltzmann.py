"""The tiny Boltzmann machine: enumeration against brute force, Gibbs sampling, learning rule."""

import itertools

import numpy as np
import pytest

from dlbook.generative.boltzmann import (
    all_states,
    boltzmann_energy,
    boltzmann_gibbs,
    boltzmann_learning_gradient,
    boltzmann_log_partition,
    boltzmann_probabilities,
    visible_marginal,
)


def random_bm(seed, n):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(n, n))
    w = (w + w.T) / 2
    np.fill_diagonal(w, 0.0)
    return w, rng.normal(size=n)


def test_partition_function_by_itertools():
    w, b = random_bm(0, 4)
    total = 0.0
    for bits in itertools.product([0, 1], repeat=4):
        s = np.array(bits, dtype=float)
        total += np.exp(0.5 * s @ w @ s + b @ s)
    assert boltzmann_log_partition(w, b) == pytest.approx(np.log(total), rel=1e-13)
    assert boltzmann_probabilities(w, b).sum() == pytest.approx(1.0, abs=1e-13)


def test_gibbs_sampling_matches_enumeration():
    w, b = random_bm(1, 3)
    samples = boltzmann_gibbs(np.zeros((20_000, 3)), w, b, n_sweeps=30, rng=0)
    codes = (samples * [1, 2, 4]).sum(1).astype(int)
    freq = np.bincount(codes, minlength=8) / len(codes)
    p = boltzmann_probabilities(w, b)
    assert np.abs(freq - p).max() < 4 * np.sqrt(p * (1 - p) / len(codes)).max() + 1e-3


def log_likelihood(data, w, b, nv):
    p = visible_marginal(w, b, nv)
    codes = (data * (1 << np.arange(nv))).sum(1).astype(int)
    return np.log(p[codes]).mean()


def test_learning_gradient_matches_numerical_gradient():
    w, b = random_bm(2, 5)
    data = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0], [1, 0, 1]], dtype=float)
    dw, db = boltzmann_learning_gradient(data, w, b)
    h = 1e-6
    for i, j in [(0, 1), (0, 4), (2, 3), (3, 4)]:
        wp, wm = w.copy(), w.copy()
        wp[i, j] += h
        wp[j, i] += h
        wm[i, j] -= h
        wm[j, i] -= h
        num = (log_likelihood(data, wp, b, 3) - log_likelihood(data, wm, b, 3)) / (2 * h)
        # W_ij and W_ji move together: the energy changes by -h s_i s_j (1/2 of it twice)
        assert dw[i, j] == pytest.approx(num, rel=1e-6, abs=1e-9)
        assert dw[j, i] == dw[i, j]
    for i in range(5):
        bp, bm = b.copy(), b.copy()
        bp[i] += h
        bm[i] -= h
        num = (log_likelihood(data, w, bp, 3) - log_likelihood(data, w, bm, 3)) / (2 * h)
        assert db[i] == pytest.approx(num, rel=1e-6, abs=1e-9)


def test_errors():
    with pytest.raises(ValueError, match="symmetric"):
        boltzmann_energy(np.zeros((1, 2)), [[0.0, 1.0], [0.0, 0.0]], [0.0, 0.0])
    with pytest.raises(ValueError, match="binary"):
        boltzmann_energy([[0.5, 1.0]], np.zeros((2, 2)), [0.0, 0.0])
    with pytest.raises(ValueError):
        all_states(21)
