"""Debiasing: neutralized words have no bias component; equalized pairs are equidistant."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlbook.nlp.debias import bias_direction, equalize, neutralize, project

vec = arrays(np.float64, 6, elements=st.floats(-3, 3))


@settings(max_examples=60, deadline=None)
@given(vec, vec)
def test_neutralize_removes_projection(e, g):
    assume(np.linalg.norm(g) >= 1e-3)
    n = neutralize(e, g)
    assert abs(n @ g) <= 1e-10 * (1 + np.linalg.norm(e) * np.linalg.norm(g))
    # what is removed is exactly the projection, and the rest is untouched
    np.testing.assert_allclose(n + project(e, g), e, atol=1e-12)


def test_neutralize_batch_and_no_mutation():
    rng = np.random.default_rng(0)
    E, g = rng.normal(size=(5, 4)), rng.normal(size=4)
    E0 = E.copy()
    N = neutralize(E, g)
    np.testing.assert_allclose(N @ g, 0, atol=1e-12)
    np.testing.assert_array_equal(E, E0)
    np.testing.assert_allclose(N[2], neutralize(E[2], g))


@pytest.mark.parametrize("seed", range(5))
def test_equalize_equidistant_from_neutral_words(seed):
    rng = np.random.default_rng(seed)
    d = 8
    g = rng.normal(size=d)
    e1, e2 = rng.normal(size=d), rng.normal(size=d)
    f1, f2 = equalize(e1, e2, g)
    np.testing.assert_allclose([np.linalg.norm(f1), np.linalg.norm(f2)], 1.0, rtol=1e-12)
    # the difference lies along g only
    diff = f1 - f2
    np.testing.assert_allclose(neutralize(diff, g), 0, atol=1e-12)
    for _ in range(5):
        w = neutralize(rng.normal(size=d), g)
        w /= np.linalg.norm(w)
        assert f1 @ w == pytest.approx(f2 @ w, abs=1e-12)
        assert np.linalg.norm(f1 - w) == pytest.approx(np.linalg.norm(f2 - w), rel=1e-12)
    # each keeps the side of g it started on
    side = e1 @ g / np.linalg.norm(e1) - e2 @ g / np.linalg.norm(e2)
    assert np.sign(f1 @ g - f2 @ g) == np.sign(side)


def test_equalize_keeps_the_shared_part():
    g = np.array([1.0, 0.0, 0.0])
    e1, e2 = np.array([0.6, 0.8, 0.0]), np.array([-0.2, 0.6, 0.0])
    e2 = e2 / np.linalg.norm(e2)
    f1, f2 = equalize(e1, e2, g)
    mu_perp = neutralize((e1 + e2) / 2, g)
    np.testing.assert_allclose(neutralize(f1, g), mu_perp, atol=1e-12)
    np.testing.assert_allclose(f1[0], -f2[0], atol=1e-12)


def test_bias_direction_recovers_planted_axis():
    rng = np.random.default_rng(1)
    d, P = 20, 10
    true = rng.normal(size=d)
    true /= np.linalg.norm(true)
    base = rng.normal(size=(P, d))
    a = base + 1.0 * true + 0.05 * rng.normal(size=(P, d))
    b = base - 1.0 * true + 0.05 * rng.normal(size=(P, d))
    for method in ("pca", "mean"):
        g, ratio = bias_direction(a, b, method=method)
        assert g @ true > 0.99, method
        assert ratio[0] > 0.8
        assert np.linalg.norm(g) == pytest.approx(1.0)
    g_swapped, _ = bias_direction(b, a)
    assert g_swapped @ true < -0.99  # orientation follows a - b


def test_errors():
    with pytest.raises(ValueError, match="zero vector"):
        neutralize([1.0, 2.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="shape"):
        neutralize([1.0, 2.0, 3.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="identical"):
        bias_direction([[1.0, 2.0]], [[1.0, 2.0]])
    with pytest.raises(ValueError, match="method"):
        bias_direction([[1.0, 2.0]], [[0.0, 2.0]], method="svd!")
    with pytest.raises(ValueError, match="same component"):
        equalize([1.0, 1.0], [-1.0, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="NaN"):
        neutralize([1.0, np.nan], [1.0, 0.0])
    with pytest.raises(TypeError, match="real numbers"):
        neutralize(["a", "b"], [1.0, 0.0])
