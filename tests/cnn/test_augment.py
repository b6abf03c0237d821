"""Augmentation: each transform against an independent oracle (np.rot90, scipy.ndimage, slicing)."""

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.cnn.augment import (
    add_gaussian_noise,
    crop,
    flip_horizontal,
    random_augment,
    rotate,
    shift,
)


def batch(n=3, c=2, h=6, w=7, seed=0):
    return np.random.default_rng(seed).random((n, c, h, w))


def test_flip_mask_and_involution():
    x = batch()
    y = flip_horizontal(x, np.array([True, False, True]))
    np.testing.assert_array_equal(y[0], x[0][..., ::-1])
    np.testing.assert_array_equal(y[1], x[1])
    np.testing.assert_array_equal(flip_horizontal(flip_horizontal(x)), x)


@settings(max_examples=60, deadline=None)
@given(dy=st.integers(-8, 8), dx=st.integers(-8, 8))
def test_shift_matches_scipy(dy, dx):
    x = batch(1, 2, 6, 7)
    want = ndi.shift(x[0], (0, dy, dx), order=0, mode="constant", cval=0.0)
    np.testing.assert_array_equal(shift(x, dy, dx)[0], want)


def test_shift_per_image():
    x = batch()
    y = shift(x, np.array([1, 0, -2]), np.array([0, 3, 1]))
    for n, (dy, dx) in enumerate([(1, 0), (0, 3), (-2, 1)]):
        np.testing.assert_array_equal(y[n], shift(x[n:n + 1], dy, dx)[0])


@pytest.mark.parametrize("k", [1, 2, 3, -1])
def test_rotate_multiples_of_90_are_rot90(k):
    x = batch(2, 1, 6, 6)
    np.testing.assert_allclose(rotate(x, 90 * k), np.rot90(x, k, axes=(2, 3)), atol=1e-12)


@pytest.mark.parametrize("angle", [7.5, -23.0, 41.0])
def test_rotate_matches_scipy_bilinear(angle):
    x = batch(1, 2, 7, 9)
    want = ndi.rotate(x[0], angle, axes=(2, 1), reshape=False, order=1, mode="grid-constant",
                      cval=0.0)
    np.testing.assert_allclose(rotate(x, angle)[0], want, atol=1e-10)


def test_rotate_zero_is_identity_and_input_untouched():
    x = batch()
    x0 = x.copy()
    np.testing.assert_allclose(rotate(x, 0.0), x, atol=1e-12)
    rotate(x, 30.0)
    np.testing.assert_array_equal(x, x0)


def test_crop_matches_slicing_of_padded_image():
    x = batch(3, 2, 5, 5)
    top, left = np.array([0, 2, 4]), np.array([1, 0, 3])
    y = crop(x, top, left, 5, padding=2)
    xp = np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)))
    for n in range(3):
        np.testing.assert_array_equal(y[n], xp[n, :, top[n]:top[n] + 5, left[n]:left[n] + 5])


def test_noise_statistics():
    y = add_gaussian_noise(np.zeros((200, 1, 10, 10)), 0.5, np.random.default_rng(0))
    assert abs(y.mean()) < 0.01 and abs(y.std() - 0.5) < 0.01


def test_random_augment_is_reproducible_and_changes_images():
    x = batch(8, 1, 8, 8)
    opts = dict(max_shift=1, max_angle=15, noise_std=0.05, flip=True)
    a = random_augment(x, np.random.default_rng(3), **opts)
    b = random_augment(x, np.random.default_rng(3), **opts)
    np.testing.assert_array_equal(a, b)
    assert a.shape == x.shape and not np.allclose(a, x)


@pytest.mark.parametrize("bad,err", [
    (lambda: shift(np.zeros((2, 8, 8)), 1, 1), ValueError),
    (lambda: shift(np.zeros((2, 1, 8, 8)), np.array([1, 2, 3]), 0), ValueError),
    (lambda: crop(np.zeros((1, 1, 4, 4)), 0, 0, 5), ValueError),
    (lambda: crop(np.zeros((1, 1, 4, 4)), 1, 0, 4), ValueError),
    (lambda: add_gaussian_noise(np.zeros((1, 1, 2, 2)), -1.0, np.random.default_rng()), ValueError),
    (lambda: random_augment(np.zeros((1, 1, 2, 2)), 0), TypeError),
])
def test_bad_input(bad, err):
    with pytest.raises(err):
        bad()
