"""The perceptron: prediction, the batch rule against its hand formula and autograd, convergence."""

import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nn.perceptron import perceptron_fit, perceptron_predict, perceptron_step

# The course's example with the typo fixed (row 2 is (1, 4, 3)) and its drawn weights.
X_COURSE = np.array([[1, 3, 3], [1, 4, 3], [1, 1, 1], [1, 0, 2]], dtype=float)
Y_COURSE = np.array([1, 1, -1, -1])
W_COURSE = np.array([0.61, -0.96, 0.02])


def hand_step(X, y, w, lr):
    """The batch rule written sample by sample, as on the page."""
    N = len(X)
    update = np.zeros_like(w)
    for x_i, y_i in zip(X, y):
        z = sum(a * b for a, b in zip(x_i, w))
        y_hat = 1 if z >= 0 else -1
        update = update + (y_i - y_hat) * x_i
    return w + lr * update / N


def separable_data(seed, N, D, margin=0.2):
    """Random points in [-3, 3]^D with a bias column, labelled by a random hyperplane.

    Points closer than ``margin`` to the hyperplane are pushed out to the margin along its
    normal, so the set is separable with margin >= margin (in the augmented space, with u of
    norm 1).  Returns X (N, D + 1), y (N,), and u.
    """
    rng = np.random.default_rng(seed)
    u = rng.normal(size=D + 1)
    u /= np.linalg.norm(u)
    X = np.hstack([np.ones((N, 1)), rng.uniform(-3, 3, size=(N, D))])
    s = X @ u
    y = np.where(s >= 0, 1, -1)
    short = np.abs(s) < margin
    # move the feature part along u's feature part so that y * x.u becomes >= margin
    v = u[1:] / (u[1:] @ u[1:])
    X[short, 1:] += np.outer(y[short] * margin - s[short], v)
    return X, y, u


# -- prediction -----------------------------------------------------------------------------------
def test_predict_matches_the_course_arithmetic():
    # z = 0.61 - 0.96*x1 + 0.02*x2: -2.21, -3.17, -0.33, 0.65
    z = np.array([0.61 - 2.88 + 0.06, 0.61 - 3.84 + 0.06, 0.61 - 0.96 + 0.02, 0.61 + 0.04])
    assert np.allclose(X_COURSE @ W_COURSE, z)
    assert perceptron_predict(X_COURSE, W_COURSE).tolist() == [-1, -1, -1, 1]


def test_sign_of_zero_is_plus_one():
    X = np.array([[1.0, 2.0], [1.0, 0.0], [0.0, 0.0]])
    w = np.array([-2.0, 1.0])  # z = 0, -2, 0
    assert perceptron_predict(X, w).tolist() == [1, -1, 1]


@given(st.integers(0, 2**32 - 1))
@settings(max_examples=30, deadline=None)
def test_predict_is_sign_with_zero_as_plus_one(seed):
    rng = np.random.default_rng(seed)
    X = rng.integers(-3, 4, size=(7, 3)).astype(float)  # integers: z = 0 happens
    w = rng.integers(-2, 3, size=3).astype(float)
    z = X @ w
    expected = np.sign(z)
    expected[expected == 0] = 1
    np.testing.assert_array_equal(perceptron_predict(X, w), expected)


# -- the batch rule ------------------------------------------------------------------------------
def test_step_on_the_course_example():
    # y - y_hat = (2, 2, 0, -2); X^T (y - y_hat) / 4 = (2 + 2 - 2, 6 + 8, 6 + 6 - 4) / 4
    update = perceptron_step(X_COURSE, Y_COURSE, W_COURSE, lr=1.0) - W_COURSE
    np.testing.assert_allclose(update, [0.5, 3.5, 2.0], rtol=1e-12)


@given(st.integers(0, 2**32 - 1), st.floats(1e-3, 10.0))
@settings(max_examples=40, deadline=None)
def test_step_matches_the_hand_formula(seed, lr):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(9, 4))
    y = rng.choice([-1, 1], size=9)
    w = rng.normal(size=4)
    new = perceptron_step(X, y, w, lr)
    np.testing.assert_allclose(new, hand_step(X, y, w, lr), rtol=1e-12, atol=1e-14)
    # the same as 2*lr/N times the sum of y_i x_i over the misclassified samples
    wrong = np.where(X @ w >= 0, 1, -1) != y
    np.testing.assert_allclose(new - w, 2 * lr / 9 * (y[wrong] @ X[wrong]), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("seed", range(5))
def test_step_is_gradient_descent_on_the_perceptron_criterion(seed):
    """w' = w - 2*lr * grad J with J(w) = mean(max(0, -y x.w)), gradient from torch autograd."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(12, 3))
    y = rng.choice([-1, 1], size=12)
    w = rng.normal(size=3)
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    J = torch.relu(-torch.tensor(y, dtype=torch.float64) * (torch.tensor(X) @ wt)).mean()
    J.backward()
    lr = 0.3
    expected = w - 2 * lr * wt.grad.numpy()
    np.testing.assert_allclose(
        perceptron_step(X, y, w, lr),
        expected,
        rtol=1e-10,
        atol=1e-15,
        err_msg="batch step differs from -2*lr*grad of the perceptron criterion",
    )


def test_step_does_not_modify_its_inputs():
    X, y, w = X_COURSE.copy(), Y_COURSE.copy(), W_COURSE.copy()
    new = perceptron_step(X, y, w, 0.5)
    assert new is not w
    np.testing.assert_array_equal(X, X_COURSE)
    np.testing.assert_array_equal(y, Y_COURSE)
    np.testing.assert_array_equal(w, W_COURSE)


def test_step_is_zero_when_everything_is_right():
    w = np.array([-2.0, 1.0, 0.0])  # the line x1 = 2 separates the course's points
    np.testing.assert_array_equal(perceptron_step(X_COURSE, Y_COURSE, w, 0.7), w)


# -- fitting -------------------------------------------------------------------------------------
def test_fit_converges_on_the_course_example_and_records_history():
    w, h = perceptron_fit(X_COURSE, Y_COURSE, lr=0.1, w0=W_COURSE)
    assert h["converged"] and h["n_errors"][-1] == 0
    assert perceptron_predict(X_COURSE, w).tolist() == Y_COURSE.tolist()
    assert h["w"].shape == (h["epochs"] + 1, 3) and h["n_errors"].shape == (h["epochs"] + 1,)
    np.testing.assert_array_equal(h["w"][0], W_COURSE)
    np.testing.assert_array_equal(h["w"][-1], w)
    for k in range(h["epochs"]):  # each row follows from the previous by one batch step
        np.testing.assert_allclose(
            h["w"][k + 1], hand_step(X_COURSE, Y_COURSE, h["w"][k], 0.1), rtol=1e-12
        )
        assert h["n_errors"][k] > 0
        assert h["n_errors"][k] == np.count_nonzero(
            perceptron_predict(X_COURSE, h["w"][k]) != Y_COURSE
        )


def test_fit_with_the_typo_row_still_converges():
    """(4, 31) instead of (4, 3) keeps the classes separable (x1 = 2 splits them)."""
    X = X_COURSE.copy()
    X[1, 2] = 31
    w, h = perceptron_fit(X, Y_COURSE, lr=0.1, w0=W_COURSE)
    assert h["converged"]
    assert perceptron_predict(X, w).tolist() == Y_COURSE.tolist()


@given(st.integers(0, 2**32 - 1), st.integers(1, 30), st.integers(1, 4))
@settings(max_examples=40, deadline=None)
def test_fit_converges_within_the_novikoff_bound(seed, N, D):
    """From w0 = 0 the batch rule makes at most N R^2 / gamma^2 updates on separable data."""
    X, y, u = separable_data(seed, N, D)
    gamma = np.min(y * (X @ u))
    R = np.max(np.linalg.norm(X, axis=1))
    assert gamma >= 0.2 - 1e-9
    bound = math.floor(N * R**2 / gamma**2)
    w, h = perceptron_fit(X, y, lr=1.0, max_epochs=bound, w0=np.zeros(D + 1))
    assert h["converged"], f"not converged after {h['epochs']} epochs (bound {bound})"
    assert h["epochs"] <= bound
    np.testing.assert_array_equal(perceptron_predict(X, w), y)


@given(st.integers(0, 2**32 - 1), st.integers(2, 30))
@settings(max_examples=30, deadline=None)
def test_fit_converges_from_a_random_start(seed, N):
    X, y, _ = separable_data(seed, N, 2)
    w, h = perceptron_fit(X, y, lr=0.5, max_epochs=20_000, rng=seed)
    assert h["converged"]
    np.testing.assert_array_equal(perceptron_predict(X, w), y)


@given(st.integers(0, 2**32 - 1), st.sampled_from([0.125, 0.5, 2.0, 8.0]))
@settings(max_examples=30, deadline=None)
def test_from_zero_the_learning_rate_only_scales_the_weights(seed, lr):
    """sign(X w) ignores a positive scale, so from w0 = 0 every lr takes the same path."""
    X, y, _ = separable_data(seed, 15, 2)
    _, h1 = perceptron_fit(X, y, lr=1.0, w0=np.zeros(3))
    _, h2 = perceptron_fit(X, y, lr=lr, w0=np.zeros(3))
    assert h1["epochs"] == h2["epochs"]
    np.testing.assert_array_equal(h2["w"], lr * h1["w"])  # powers of two: exact


def test_fit_warns_on_xor():
    X = np.array([[1, 0, 0], [1, 0, 1], [1, 1, 0], [1, 1, 1]], dtype=float)
    y = np.array([-1, 1, 1, -1])
    with pytest.warns(RuntimeWarning, match="did not converge in 200 epochs"):
        w, h = perceptron_fit(X, y, lr=0.1, max_epochs=200, rng=0)
    assert not h["converged"] and h["epochs"] == 200 and h["n_errors"].min() >= 1


def test_fit_draws_w0_from_rng_reproducibly():
    _, h1 = perceptron_fit(X_COURSE, Y_COURSE, rng=3)
    _, h2 = perceptron_fit(X_COURSE, Y_COURSE, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(h1["w"], h2["w"])
    assert np.all(np.abs(h1["w"][0]) <= 1)


def test_fit_with_zero_epochs_only_checks():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w, h = perceptron_fit(X_COURSE, Y_COURSE, max_epochs=0, w0=[-2, 1, 0])
    assert h["converged"] and h["epochs"] == 0


# -- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "X, y, w, lr, error, match",
    [
        (
            X_COURSE,
            Y_COURSE.reshape(4, 1),
            W_COURSE,
            0.1,
            ValueError,
            r"y has shape \(4, 1\).*y.ravel",
        ),
        (X_COURSE, Y_COURSE[:3], W_COURSE, 0.1, ValueError, r"y has shape \(3,\) but X has 4 rows"),
        (
            X_COURSE,
            Y_COURSE,
            W_COURSE.reshape(3, 1),
            0.1,
            ValueError,
            r"w has shape \(3, 1\).*w.ravel",
        ),
        (
            X_COURSE,
            Y_COURSE,
            W_COURSE[:2],
            0.1,
            ValueError,
            r"w has shape \(2,\) but X has 3 columns",
        ),
        (X_COURSE[0], Y_COURSE, W_COURSE, 0.1, ValueError, r"X must have 2 dimension"),
        (
            X_COURSE,
            np.array([1, 1, 0, 0]),
            W_COURSE,
            0.1,
            ValueError,
            r"labels must be -1 or \+1, got \[0.0\]",
        ),
        (X_COURSE, np.array([1, 2, -1, -1]), W_COURSE, 0.1, ValueError, r"got \[2.0\]"),
        (X_COURSE, Y_COURSE, W_COURSE, 0.0, ValueError, "lr must be > 0"),
        (X_COURSE, Y_COURSE, W_COURSE, -1.0, ValueError, "lr must be > 0"),
        (X_COURSE, Y_COURSE, W_COURSE, "0.1", TypeError, "lr must be a real number"),
        (X_COURSE.astype(str), Y_COURSE, W_COURSE, 0.1, TypeError, "X must hold real numbers"),
        (np.where(X_COURSE == 4, np.nan, X_COURSE), Y_COURSE, W_COURSE, 0.1, ValueError, "NaN"),
        (X_COURSE, np.array(["a", "b", "c", "d"]), W_COURSE, 0.1, TypeError, "y must hold"),
    ],
)
def test_step_rejects_bad_input(X, y, w, lr, error, match):
    with pytest.raises(error, match=match):
        perceptron_step(X, y, w, lr)


def test_fit_rejects_bad_arguments():
    with pytest.raises(ValueError, match="max_epochs must be >= 0"):
        perceptron_fit(X_COURSE, Y_COURSE, max_epochs=-1)
    with pytest.raises(TypeError, match="max_epochs must be an int"):
        perceptron_fit(X_COURSE, Y_COURSE, max_epochs=10.0)
    with pytest.raises(TypeError, match="rng must be"):
        perceptron_fit(X_COURSE, Y_COURSE, rng="seed")
    with pytest.raises(ValueError, match=r"w has shape \(2,\)"):
        perceptron_fit(X_COURSE, Y_COURSE, w0=[0.0, 0.0])
    with pytest.raises(ValueError, match="labels must be"):
        perceptron_fit(X_COURSE, [0, 0, 1, 1])
