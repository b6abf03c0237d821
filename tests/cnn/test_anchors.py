"""Anchor boxes: the shape-only IoU against box_iou of centered boxes, and k-means against a
brute-force search and against data whose clusters are known."""

import itertools

import numpy as np
import pytest

from dlbook.cnn.anchors import kmeans_anchors, mean_best_iou, wh_iou
from dlbook.cnn.boxes import box_iou


def test_wh_iou_equals_box_iou_of_centered_boxes():
    rng = np.random.default_rng(0)
    a, b = rng.uniform(0.5, 10, (20, 2)), rng.uniform(0.5, 10, (7, 2))
    center = rng.uniform(-5, 5, 2)

    def centered(wh):
        return np.concatenate([center - wh / 2, center + wh / 2], axis=1)

    np.testing.assert_allclose(wh_iou(a, b), box_iou(centered(a), centered(b)), rtol=1e-12)


def test_wh_iou_hand_values():
    np.testing.assert_allclose(wh_iou([[2, 4]], [[4, 2], [1, 1], [2, 4]]), [[1 / 3, 1 / 8, 1.0]])


@pytest.mark.parametrize("bad, match", [
    (np.ones((3, 3)), r"shape \(N, 2\)"),
    ([[1, 0]], r"wh\[0\] = \[1.0, 0.0\]"),
    ([[1, 2], [-1, 2]], r"wh\[1\]"),
])
def test_bad_shapes_raise(bad, match):
    with pytest.raises(ValueError, match=match):
        kmeans_anchors(bad, 1)


def test_bad_k_raises():
    with pytest.raises(ValueError, match="exceeds the number of boxes"):
        kmeans_anchors([[1, 1], [2, 2]], 3)
    with pytest.raises(ValueError, match="k must be >= 1"):
        kmeans_anchors([[1, 1]], 0)


def test_recovers_known_clusters():
    # three tight groups of shapes; the anchors must land near the group means, IoU near 1
    rng = np.random.default_rng(1)
    centers = np.array([[2.0, 8.0], [8.0, 2.0], [6.0, 6.0]])
    wh = np.repeat(centers, 50, axis=0) * rng.uniform(0.97, 1.03, size=(150, 2))
    res = kmeans_anchors(wh, 3, rng=0)
    areas = res.anchors.prod(1)
    assert np.all(np.diff(areas) >= 0), f"anchors not sorted by area: {areas}"
    by_width = res.anchors[np.argsort(res.anchors[:, 0])]            # match clusters by width
    np.testing.assert_allclose(by_width, centers[np.argsort(centers[:, 0])], rtol=0.02)
    assert res.mean_iou > 0.95
    # assignment is the highest-IoU anchor
    np.testing.assert_array_equal(res.assignment, wh_iou(wh, res.anchors).argmax(1))


def test_k_equals_n_gives_iou_one():
    wh = [[1, 2], [3, 1], [2, 2], [5, 4]]
    res = kmeans_anchors(wh, 4, rng=0)
    assert res.mean_iou == pytest.approx(1.0)


def test_k1_is_near_the_best_single_anchor():
    # brute force over a fine grid of single anchors: k-means with the mean update is close to,
    # never above, the best mean IoU one anchor can reach
    rng = np.random.default_rng(2)
    wh = rng.uniform(2, 12, size=(200, 2))
    grid = np.array(list(itertools.product(np.linspace(2, 12, 81), repeat=2)))
    best = wh_iou(wh, grid).mean(0).max()
    got = kmeans_anchors(wh, 1, rng=0).mean_iou
    assert got <= best + 1e-9
    assert got > best - 0.02, \
        f"k-means mean IoU {got:.4f} far below the brute-force best {best:.4f}"


def test_mean_iou_grows_with_k_and_is_reproducible():
    rng = np.random.default_rng(3)
    wh = rng.lognormal(1.5, 0.4, size=(300, 2))
    scores = [kmeans_anchors(wh, k, rng=0).mean_iou for k in range(1, 7)]
    assert all(b > a for a, b in zip(scores, scores[1:])), scores
    r1, r2 = kmeans_anchors(wh, 4, rng=5), kmeans_anchors(wh, 4, rng=5)
    np.testing.assert_array_equal(r1.anchors, r2.anchors)
    assert mean_best_iou(wh, r1.anchors) == pytest.approx(r1.mean_iou)
