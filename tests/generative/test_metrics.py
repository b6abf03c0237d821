"""Fréchet distance against the formula with scipy's sqrtm; mode and k-NN precision/recall."""

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.generative.metrics import (
    frechet_distance,
    gaussian_statistics,
    knn_precision_recall,
    mode_statistics,
    sqrtm_psd,
)


def random_cov(rng, d, rank=None):
    a = rng.standard_normal((d, rank or d + 3))
    return a @ a.T / (rank or d + 3)


def scipy_frechet(mu1, s1, mu2, s2):
    root = scipy.linalg.sqrtm(s1 @ s2)
    root = root.real if np.iscomplexobj(root) else root
    diff = mu1 - mu2
    return diff @ diff + np.trace(s1) + np.trace(s2) - 2 * np.trace(root)


@pytest.mark.parametrize("seed, d", [(0, 2), (1, 5), (2, 16), (3, 32)])
def test_frechet_matches_scipy_sqrtm_formula(seed, d):
    rng = np.random.default_rng(seed)
    mu1, mu2 = rng.standard_normal(d), rng.standard_normal(d)
    s1, s2 = random_cov(rng, d), random_cov(rng, d)
    ours, ref = frechet_distance(mu1, s1, mu2, s2), scipy_frechet(mu1, s1, mu2, s2)
    assert ours == pytest.approx(ref, rel=1e-8), (ours, ref)


def test_frechet_of_features_matches_scipy():
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal((400, 10)), 0.5 + 1.3 * rng.standard_normal((300, 10))
    (m1, s1), (m2, s2) = gaussian_statistics(a), gaussian_statistics(b)
    assert frechet_distance(m1, s1, m2, s2) == pytest.approx(scipy_frechet(m1, s1, m2, s2),
                                                             rel=1e-8)


def test_frechet_closed_forms():
    # equal Gaussians: 0; commuting (diagonal) covariances: sum (sqrt a - sqrt b)^2
    rng = np.random.default_rng(1)
    s = random_cov(rng, 4)
    assert frechet_distance(np.ones(4), s, np.ones(4), s) == pytest.approx(0.0, abs=1e-10)
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 4.0, 1.0])
    expected = 2.0**2 * 3 + ((np.sqrt(a) - np.sqrt(b)) ** 2).sum()
    got = frechet_distance(np.zeros(3), np.diag(a), 2 * np.ones(3), np.diag(b))
    assert got == pytest.approx(expected, rel=1e-12)


def test_frechet_handles_singular_covariances():
    rng = np.random.default_rng(2)
    s1, s2 = random_cov(rng, 8, rank=3), random_cov(rng, 8, rank=2)
    d = frechet_distance(np.zeros(8), s1, np.zeros(8), s2)
    assert np.isfinite(d) and d >= 0
    # symmetric in its arguments
    assert d == pytest.approx(frechet_distance(np.zeros(8), s2, np.zeros(8), s1), rel=1e-8)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 6))
def test_frechet_is_nonnegative_and_symmetric(seed, d):
    rng = np.random.default_rng(seed)
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    s1, s2 = random_cov(rng, d), random_cov(rng, d)
    d12, d21 = frechet_distance(mu1, s1, mu2, s2), frechet_distance(mu2, s2, mu1, s1)
    assert d12 >= 0 and d12 == pytest.approx(d21, rel=1e-8, abs=1e-10)


def test_sqrtm_psd_matches_scipy():
    s = random_cov(np.random.default_rng(3), 6)
    np.testing.assert_allclose(sqrtm_psd(s), scipy.linalg.sqrtm(s).real, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(sqrtm_psd(s) @ sqrtm_psd(s), s, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("bad, match", [
    (np.ones((2, 3)), r"square .*\(2, 3\)"),
    (np.array([[1.0, 0.5], [0.0, 1.0]]), r"not symmetric"),
])
def test_frechet_rejects_bad_covariances(bad, match):
    with pytest.raises(ValueError, match=match):
        frechet_distance(np.zeros(2), bad, np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match=match):
        frechet_distance(np.zeros(2), np.eye(2), np.zeros(2), bad)


def test_frechet_rejects_mismatched_sizes():
    with pytest.raises(ValueError, match=r"sigma2 must have shape \(2, 2\).*\(3, 3\)"):
        frechet_distance(np.zeros(2), np.eye(2), np.zeros(2), np.eye(3))
    with pytest.raises(ValueError, match="mu2"):
        frechet_distance(np.zeros(2), np.eye(2), np.zeros(3), np.eye(2))
    with pytest.raises(ValueError, match="positive semi-definite"):
        sqrtm_psd(-np.eye(2))


def test_mode_statistics_counts_by_hand():
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    samples = np.array([[0.1, 0.0], [0.0, -0.2], [10.0, 0.05], [5.0, 5.0]])
    s = mode_statistics(samples, centers, std=0.1, n_std=3, min_fraction=0.25)
    assert s.counts.tolist() == [2, 1, 0]
    assert s.high_quality == 0.75 and s.modes_recovered == 2 and s.recall == pytest.approx(2 / 3)
    s = mode_statistics(samples, centers, std=0.1, min_fraction=0.5)
    assert s.modes_recovered == 1
    with pytest.raises(ValueError, match="dimension"):
        mode_statistics(np.zeros((3, 3)), centers, std=0.1)


def test_knn_precision_recall_sees_missing_modes():
    rng = np.random.default_rng(0)
    real = np.concatenate([rng.normal(-5, 1, (200, 2)), rng.normal(5, 1, (200, 2))])
    half = rng.normal(-5, 1, (400, 2))                      # one of the two modes only
    p, r = knn_precision_recall(real, half, k=3)
    assert p > 0.9 and 0.35 < r < 0.65, (p, r)
    far = rng.normal(50, 1, (100, 2))
    assert knn_precision_recall(real, far, k=3) == (0.0, 0.0)
    with pytest.raises(ValueError, match="k must be smaller"):
        knn_precision_recall(real, far[:3], k=3)
