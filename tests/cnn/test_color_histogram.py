"""Colour histograms against numpy.histogram / numpy.histogramdd."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage import data

from dlbook.cnn.color_histogram import (
    bin_index,
    color_histogram,
    histogram_intersection,
    joint_color_histogram,
)


@pytest.mark.parametrize("bins", [1, 4, 16, 256])
def test_per_channel_matches_numpy(bins):
    img = data.astronaut()[::4, ::4]
    ours = color_histogram(img, bins)
    for c in range(3):
        ref, _ = np.histogram(img[..., c], bins=bins, range=(0, 256))
        np.testing.assert_array_equal(ours[c], ref, err_msg=f"channel {c}, {bins} bins")


@pytest.mark.parametrize("bins", [2, 4, 8])
def test_joint_matches_histogramdd(bins):
    img = data.coffee()[::5, ::5]
    ref, _ = np.histogramdd(img.reshape(-1, 3).astype(float), bins=bins, range=[(0, 256)] * 3)
    np.testing.assert_array_equal(joint_color_histogram(img, bins), ref.astype(int))


def test_float_image_and_channel_axis():
    rng = np.random.default_rng(0)
    img = rng.random((3, 10, 12))                       # channels first
    ours = color_histogram(img, 5, (0, 1), channel_axis=0, density=True)
    for c in range(3):
        ref, _ = np.histogram(img[c], bins=5, range=(0, 1))
        np.testing.assert_allclose(ours[c], ref / 120)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 20), st.integers(1, 9), st.integers(1, 4))
def test_histograms_count_every_pixel(h, w, bins):
    img = np.random.default_rng(h * 31 + w).integers(0, 256, size=(h, w, 3))
    assert (color_histogram(img, bins).sum(axis=1) == h * w).all()
    assert joint_color_histogram(img, bins).sum() == h * w
    # and the per-channel histograms are the marginals of the joint one
    joint = joint_color_histogram(img, bins)
    np.testing.assert_array_equal(joint.sum(axis=(1, 2)), color_histogram(img, bins)[0])


def test_permuting_pixels_keeps_histogram():
    img = data.chelsea()[::6, ::6]
    rng = np.random.default_rng(1)
    shuffled = rng.permutation(img.reshape(-1, 3)).reshape(img.shape)
    np.testing.assert_array_equal(joint_color_histogram(img), joint_color_histogram(shuffled))


def test_intersection():
    assert histogram_intersection([0.2, 0.8], [0.2, 0.8]) == pytest.approx(1.0)
    assert histogram_intersection([1.0, 0.0], [0.0, 1.0]) == 0.0
    with pytest.raises(ValueError, match="shape"):
        histogram_intersection([1.0], [0.5, 0.5])


def test_errors():
    with pytest.raises(ValueError, match="outside value_range"):
        bin_index([300])
    with pytest.raises(ValueError, match="bins"):
        color_histogram(np.zeros((2, 2, 3)), bins=0)
    with pytest.raises(ValueError, match="shape"):
        color_histogram(np.zeros((2, 2, 3, 1)))
    with pytest.raises(TypeError, match="real"):
        color_histogram(np.zeros((2, 2, 3), dtype=bool))
