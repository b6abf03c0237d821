"""Toy distributions: the ring's modes and spread, the 1-D mixture's density."""

import numpy as np
import pytest
from scipy.integrate import quad

from dlbook.generative.toy_data import (
    mixture_1d,
    mixture_1d_density,
    ring_centers,
    ring_of_gaussians,
)


def test_ring_centers_lie_on_the_circle():
    c = ring_centers(8, 2.0)
    np.testing.assert_allclose(np.linalg.norm(c, axis=1), 2.0)
    np.testing.assert_allclose(np.linalg.norm(c[1] - c[0]), 2 * 2.0 * np.sin(np.pi / 8))


def test_ring_samples_spread_as_asked():
    x, mode = ring_of_gaussians(20_000, std=0.1, rng=0)
    offsets = x - ring_centers()[mode]
    np.testing.assert_allclose(offsets.std(0), [0.1, 0.1], rtol=0.03)
    assert np.bincount(mode, minlength=8).min() > 2000


def test_mixture_density_integrates_to_one_and_matches_samples():
    means, stds, weights = (-1.0, 2.0), (0.5, 1.0), (0.3, 0.7)
    total, _ = quad(lambda t: mixture_1d_density(t, means, stds, weights).item(), -20, 20)
    assert total == pytest.approx(1.0, abs=1e-8)
    x = mixture_1d(100_000, means, stds, weights, rng=1)
    assert x.mean() == pytest.approx(0.3 * -1 + 0.7 * 2, abs=0.02)
    with pytest.raises(ValueError, match="summing to 1"):
        mixture_1d(10, weights=(0.5, 0.6))
