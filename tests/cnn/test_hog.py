"""HOG against scikit-image's ``hog`` and a plain-loop oracle written from the definition."""

import numpy as np
import pytest
from skimage import data
from skimage.feature import hog as skimage_hog

from dlbook.cnn.hog import (
    BLOCK_NORMS,
    cell_histograms,
    hog,
    hog_glyphs,
    image_gradients,
    normalize_blocks,
    orientation_votes,
)

IMAGES = {
    "camera": data.camera()[:96, :120],
    "astronaut_rgb": data.astronaut()[100:180, 60:180],
    "random": np.random.default_rng(0).random((37, 45)),
}
PARAMS = [(9, (8, 8), (3, 3)), (6, (5, 7), (2, 1)), (12, (4, 4), (1, 2)), (4, (6, 6), (2, 2))]


def _channel_axis(img):
    return -1 if img.ndim == 3 else None


@pytest.mark.parametrize("name", list(IMAGES))
@pytest.mark.parametrize("orientations, ppc, cpb", PARAMS)
@pytest.mark.parametrize("block_norm", BLOCK_NORMS)
@pytest.mark.parametrize("transform_sqrt", [False, True])
def test_matches_skimage(name, orientations, ppc, cpb, block_norm, transform_sqrt):
    img = IMAGES[name]
    kw = dict(orientations=orientations, pixels_per_cell=ppc, cells_per_block=cpb,
              block_norm=block_norm, transform_sqrt=transform_sqrt, channel_axis=_channel_axis(img))
    ref = skimage_hog(img, **kw)
    exact = hog(img, **kw)
    bitwise = hog(img, **kw, skimage_float32_sums=True)
    assert exact.shape == ref.shape
    # scikit-image adds up each cell in a C float: float64 sums differ by float32 rounding only
    np.testing.assert_allclose(exact, ref, rtol=0, atol=1e-6,
                               err_msg=f"float64 HOG vs skimage on {name}")
    np.testing.assert_allclose(bitwise, ref, rtol=0, atol=1e-12,
                               err_msg=f"float32-sum HOG vs skimage on {name}")


def test_feature_vector_false_layout_matches_skimage():
    img = IMAGES["camera"]
    ref = skimage_hog(img, 9, (8, 8), (2, 2), feature_vector=False)
    ours = hog(img, 9, (8, 8), (2, 2), feature_vector=False, skimage_float32_sums=True)
    assert ours.shape == ref.shape == (11, 14, 2, 2, 9)
    np.testing.assert_allclose(ours, ref, atol=1e-12)


def _loop_cell_histograms(img, B, ch, cw, vote):
    """Oracle: pixel by pixel, straight from the definition (float64 throughout)."""
    H, W = img.shape
    hist = np.zeros((H // ch, W // cw, B))
    width = 180.0 / B
    for r in range((H // ch) * ch):
        for c in range((W // cw) * cw):
            gr = img[r + 1, c] - img[r - 1, c] if 0 < r < H - 1 else 0.0
            gc = img[r, c + 1] - img[r, c - 1] if 0 < c < W - 1 else 0.0
            m = np.hypot(gc, gr)
            t = np.rad2deg(np.arctan2(gr, gc)) % 180
            if vote == "nearest":
                for b in range(B):
                    if width * b <= t < width * (b + 1):
                        hist[r // ch, c // cw, b] += m
            else:
                pos = t / width - 0.5
                lo = int(np.floor(pos))
                f = pos - lo
                hist[r // ch, c // cw, lo % B] += (1 - f) * m
                hist[r // ch, c // cw, (lo + 1) % B] += f * m
    return hist / (ch * cw)


@pytest.mark.parametrize("vote", ["nearest", "linear"])
@pytest.mark.parametrize("B, ch, cw", [(9, 4, 4), (5, 3, 5)])
def test_cell_histograms_match_loop_oracle(vote, B, ch, cw):
    img = np.random.default_rng(1).random((17, 21))
    np.testing.assert_allclose(cell_histograms(img, B, (ch, cw), vote=vote),
                               _loop_cell_histograms(img, B, ch, cw, vote), rtol=1e-12, atol=1e-14)


def test_linear_vote_keeps_total_magnitude():
    img = np.random.default_rng(2).random((16, 16))
    a = cell_histograms(img, 9, 4, vote="nearest").sum(-1)
    b = cell_histograms(img, 9, 4, vote="linear").sum(-1)
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_block_norms_by_hand():
    v = np.array([[[1.0, 2.0, 0.0, 9.0]]])
    l2 = v / np.sqrt(86 + 1e-10)
    hys = np.minimum(l2, 0.2)
    hys = hys / np.sqrt((hys ** 2).sum() + 1e-10)
    expected = {"L1": v / (12 + 1e-5), "L1-sqrt": np.sqrt(v / (12 + 1e-5)), "L2": l2, "L2-Hys": hys}
    for name, exp in expected.items():
        np.testing.assert_allclose(normalize_blocks(v, 1, name).ravel(), exp.ravel(), rtol=1e-13,
                                   err_msg=name)


def test_gradients_pick_strongest_channel():
    rng = np.random.default_rng(3)
    img = rng.random((6, 7, 3))
    g_r, g_c = image_gradients(img, channel_axis=-1)
    per = [image_gradients(img[..., k]) for k in range(3)]
    mags = np.stack([np.hypot(*p) for p in per], -1)
    best = mags.argmax(-1)
    for k in range(3):
        np.testing.assert_array_equal(g_r[best == k], per[k][0][best == k])
        np.testing.assert_array_equal(g_c[best == k], per[k][1][best == k])


def test_glyph_is_perpendicular_to_gradient_bin():
    seg, s = hog_glyphs(np.ones((1, 1, 4)), 10)
    centres = np.pi * (np.arange(4) + 0.5) / 4
    d = seg[:, 1] - seg[:, 0]                               # (x, y) direction
    grad = np.stack([np.cos(centres), np.sin(centres)], -1)
    np.testing.assert_allclose((d * grad).sum(-1), 0, atol=1e-12)
    assert s.shape == (4,)


@pytest.mark.parametrize("kwargs, match", [
    (dict(pixels_per_cell=(0, 8)), r"pixels_per_cell must be >= 1"),
    (dict(block_norm="L3"), "block_norm"),
    (dict(orientations=0), "orientations"),
    (dict(cells_per_block=(9, 9)), "too few"),
    (dict(vote="bilinear"), "vote"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        hog(np.zeros((32, 32)), **kwargs)


def test_bad_images():
    with pytest.raises(ValueError, match="2-D"):
        hog(np.zeros((32, 32, 3)))
    with pytest.raises(ValueError, match="smaller than one cell"):
        hog(np.zeros((4, 4)))
    with pytest.raises(TypeError, match="real"):
        hog(np.zeros((16, 16), dtype=bool))
    with pytest.raises(ValueError, match="non-negative"):
        hog(-np.ones((16, 16)), transform_sqrt=True, cells_per_block=1)


@pytest.mark.parametrize("vote", ["nearest", "linear"])
@pytest.mark.parametrize("B", [1, 4, 9, 13])
def test_orientation_votes_sum_to_one_and_pick_neighbours(vote, B):
    theta = np.random.default_rng(B).uniform(0, 180, size=500)
    w = orientation_votes(theta, B, vote)
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-12)
    assert (w >= 0).all() and ((w > 0).sum(-1) <= 2).all()
    width = 180 / B
    centres = (np.arange(B) + 0.5) * width
    np.testing.assert_allclose(orientation_votes(centres, B, vote), np.eye(B), atol=1e-12)
    if vote == "linear" and B > 1:                            # one bin: lower = upper centre
        # linear interpolation: the weights reproduce theta as a mix of the two centres
        lo = np.floor(theta / width - 0.5)
        w_hi = orientation_votes(theta, B, vote)[np.arange(theta.size), (lo.astype(int) + 1) % B]
        np.testing.assert_allclose((lo + 0.5) * width + w_hi * width, theta, atol=1e-9)
