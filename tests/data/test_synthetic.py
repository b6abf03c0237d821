"""The Playground's toy data sets: shapes, labels, seeds, class balance, the geometry each
generator promises, noise, the seven input features, and that XOR and circles are not linearly
separable (a linear program proves it; logistic regression fails) while the right feature
makes them so."""

import numpy as np
import pytest
from scipy.optimize import linprog
from sklearn.linear_model import LogisticRegression

from dlbook.data import synthetic
from dlbook.data.synthetic import (
    CLASSIFICATION,
    DATASETS,
    circles,
    make_dataset,
    playground_features,
    regression_plane,
    spiral,
    two_gaussians,
    xor,
)

NAMES = sorted(DATASETS)


# -- shapes, dtypes, labels -----------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n", [2, 10, 500])
@pytest.mark.parametrize("noise", [0.0, 0.3])
def test_shapes_dtypes_labels(name, n, noise):
    X, y = make_dataset(name, n, noise, rng=0)
    assert X.shape == (n, 2) and X.dtype == np.float64, f"{name}: X is {X.shape} {X.dtype}"
    assert y.shape == (n,), f"{name}: y has shape {y.shape}"
    assert np.all(np.isfinite(X)) and np.all(np.isfinite(y))
    if name in CLASSIFICATION:
        assert y.dtype == np.int64 and set(np.unique(y)) <= {0, 1}, f"{name}: labels {np.unique(y)}"
    else:
        assert y.dtype == np.float64
    assert np.abs(X).max() <= 6 + 1e-12 or name == "gaussians", f"{name} leaves [-6, 6]^2"


# -- seeds ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_data_and_generator_accepted(name):
    a = make_dataset(name, 100, 0.2, rng=7)
    b = make_dataset(name, 100, 0.2, rng=np.random.default_rng(7))
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("name", NAMES)
def test_different_seeds_differ(name):
    X0, _ = make_dataset(name, 100, 0.2, rng=0)
    X1, _ = make_dataset(name, 100, 0.2, rng=1)
    assert not np.array_equal(X0, X1), f"{name}: seeds 0 and 1 gave the same points"


def test_generator_state_advances():
    rng = np.random.default_rng(3)
    X0, _ = circles(50, rng=rng)
    X1, _ = circles(50, rng=rng)
    assert not np.array_equal(X0, X1)


def test_spiral_without_noise_is_deterministic():
    np.testing.assert_array_equal(spiral(100, rng=0)[0], spiral(100, rng=99)[0])


# -- class balance --------------------------------------------------------------------------------
@pytest.mark.parametrize("gen", [two_gaussians, circles, spiral])
def test_exact_balance(gen):
    _, y = gen(300, rng=0)
    assert y.sum() == 150, f"{gen.__name__}: {y.sum()} of 300 labels are 1"


def test_xor_balanced_on_average():
    # 4000 fair coin flips: sd of the share is 0.008, so 0.04 is five sd.
    _, y = xor(4000, rng=0)
    assert abs(y.mean() - 0.5) < 0.04, f"share of label 1 is {y.mean():.3f}"


# -- geometry -------------------------------------------------------------------------------------
def test_gaussians_moments():
    for noise, var in [(0.0, 0.5), (0.5, 4.0)]:
        X, y = two_gaussians(40_000, noise, rng=1)
        for label, centre in [(1, [2, 2]), (0, [-2, -2])]:
            pts = X[y == label]
            # sd of a mean of 20000 draws with variance 4 is 0.014; of a variance,
            # 4 * sqrt(2 / 20000) = 0.04
            np.testing.assert_allclose(
                pts.mean(axis=0), centre, atol=0.07, err_msg=f"mean, noise {noise}"
            )
            np.testing.assert_allclose(
                pts.var(axis=0), var, rtol=0.05, err_msg=f"variance, noise {noise}"
            )


def test_circles_geometry():
    X, y = circles(1000, rng=2)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.all(r[y == 1] < 2.5) and np.all((r[y == 0] >= 3.5) & (r[y == 0] <= 5.0))


def test_xor_geometry():
    X, y = xor(1000, rng=3)
    assert np.abs(X).min() >= 0.3 and np.abs(X).max() <= 5.3
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) == np.sign(X[:, 1])).astype(int))


def test_spiral_geometry():
    X, y = spiral(400, rng=0)
    a, b = X[y == 1], X[y == 0]
    np.testing.assert_allclose(b, -a, atol=1e-12, err_msg="arm 0 is not arm 1 rotated by pi")
    r = np.hypot(a[:, 0], a[:, 1])
    np.testing.assert_allclose(r, 5 * np.arange(200) / 200, atol=1e-12)
    angle = np.unwrap(np.arctan2(a[:, 0], a[:, 1]))  # x = r sin t, y = r cos t
    np.testing.assert_allclose(
        angle[1:] - angle[1], 1.75 * 2 * np.pi * np.arange(199) / 200, atol=1e-9
    )


def test_plane_target():
    X, y = regression_plane(300, rng=4)
    np.testing.assert_allclose(y, (X[:, 0] + X[:, 1]) / 10, rtol=1e-14)
    assert np.abs(X).max() <= 6


# -- noise ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("gen, rule", [
    (circles, lambda X: (np.hypot(X[:, 0], X[:, 1]) < 2.5).astype(int)),
    (xor, lambda X: (X[:, 0] * X[:, 1] >= 0).astype(int)),
    (regression_plane, lambda X: X.sum(axis=1) / 10),
])
def test_noise_blurs_labels_only_when_asked(gen, rule):
    X, y = gen(1000, 0.0, rng=5)
    np.testing.assert_allclose(y, rule(X))
    X, y = gen(1000, 0.5, rng=5)
    wrong = np.mean(~np.isclose(y, rule(X)))
    assert 0.05 < wrong, f"{gen.__name__}: noise 0.5 changed only {wrong:.1%} of the labels"


def test_spiral_noise_moves_points():
    X0, _ = spiral(200, 0.0, rng=0)
    X1, _ = spiral(200, 0.4, rng=0)
    d = np.abs(X1 - X0)
    assert d.max() <= 0.4 and d.mean() > 0.1


# -- errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("gen", [two_gaussians, circles, spiral])
def test_odd_count_rejected_for_balanced_sets(gen):
    with pytest.raises(ValueError, match="even"):
        gen(11, rng=0)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kwargs, error, match", [
    ({"n_samples": 1}, ValueError, "n_samples"),
    ({"n_samples": 10.0}, TypeError, "n_samples"),
    ({"n_samples": True}, TypeError, "n_samples"),
    ({"noise": -0.1}, ValueError, "noise"),
    ({"noise": float("nan")}, ValueError, "noise"),
    ({"noise": "high"}, TypeError, "noise"),
    ({"rng": "seed"}, TypeError, "rng"),
    ({"rng": -1}, ValueError, "rng must be >= 0"),
])
def test_bad_arguments(name, kwargs, error, match):
    args = {"n_samples": 10, "noise": 0.0, "rng": 0, **kwargs}
    with pytest.raises(error, match=match):
        DATASETS[name](**args)


def test_unknown_dataset():
    with pytest.raises(ValueError, match="moons"):
        make_dataset("moons")


# -- features -------------------------------------------------------------------------------------
def test_features_by_hand():
    X = np.array([[np.pi / 2, -2.0], [0.0, 3.0]])
    out = playground_features(X, ["sin(x1)", "x2^2", "x1*x2", "x1", "sin(x2)", "x1^2", "x2"])
    expected = np.array([
        [1.0, 4.0, -np.pi, np.pi / 2, np.sin(-2.0), np.pi**2 / 4, -2.0],
        [0.0, 9.0, 0.0, 0.0, np.sin(3.0), 0.0, 3.0],
    ])
    np.testing.assert_allclose(out, expected, rtol=1e-15, atol=1e-15)


def test_features_default_is_identity():
    X = np.random.default_rng(0).normal(size=(5, 2))
    np.testing.assert_array_equal(playground_features(X), X)
    assert len(synthetic.FEATURES) == 7


@pytest.mark.parametrize("X, names, error, match", [
    (np.zeros((3, 3)), ["x1"], ValueError, r"\(N, 2\)"),
    (np.zeros(2), ["x1"], ValueError, r"\(N, 2\)"),
    (np.zeros((3, 2)), [], ValueError, "at least one"),
    (np.zeros((3, 2)), ["x1", "x3"], ValueError, "x3"),
    (np.zeros((3, 2)), ["x1", "x1"], ValueError, "repeat"),
    (np.zeros((3, 2)), "x1", TypeError, "sequence"),
])
def test_feature_errors(X, names, error, match):
    with pytest.raises(error, match=match):
        playground_features(X, names)


# -- linear separability --------------------------------------------------------------------------
def linearly_separable(X, y) -> bool:
    """Is there (w, b) with s_i (w . x_i + b) >= 1 for all i (s = +-1)? A feasibility LP."""
    s = 2.0 * y - 1.0
    A = -s[:, None] * np.hstack([X, np.ones((len(X), 1))])  # -(s_i [x_i, 1]) . (w, b) <= -1
    res = linprog(
        np.zeros(X.shape[1] + 1), A_ub=A, b_ub=-np.ones(len(X)), bounds=(None, None), method="highs"
    )
    assert res.status in (0, 2), f"linprog ended with status {res.status}: {res.message}"
    return res.status == 0


@pytest.mark.parametrize("name, feature", [("xor", ["x1*x2"]), ("circles", ["x1^2", "x2^2"])])
def test_xor_and_circles_need_a_feature(name, feature):
    X, y = make_dataset(name, 400, rng=0)
    assert not linearly_separable(X, y), f"{name} is linearly separable in (x1, x2)"
    acc = LogisticRegression().fit(X, y).score(X, y)
    assert acc < 0.75, f"logistic regression reaches {acc:.2f} on {name}"
    F = playground_features(X, feature)
    assert linearly_separable(F, y), f"{name} is not separable in {feature}"
    assert LogisticRegression(C=1e4, max_iter=2000).fit(F, y).score(F, y) == 1.0


def test_gaussians_are_linearly_separable():
    X, y = two_gaussians(400, rng=0)
    assert linearly_separable(X, y)
    assert LogisticRegression().fit(X, y).score(X, y) > 0.99


def test_separability_check_can_say_no():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    assert not linearly_separable(X, np.array([1, 1, 0, 0]))  # the four XOR corners
    assert linearly_separable(X, np.array([1, 0, 0, 0]))
