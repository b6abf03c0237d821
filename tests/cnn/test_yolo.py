"""YOLO grid targets: hand-computed encodings, encode-then-decode is the identity for boxes in
distinct cells, collisions are refused, decoding + NMS."""

import numpy as np
import pytest

from dlbook.cnn.boxes import box_iou
from dlbook.cnn.yolo import yolo_decode, yolo_detect, yolo_encode
from dlbook.data.shapes import make_shapes


def test_encode_hand_values():
    # 100-pixel image, 3x3 grid: cell size 100/3. Box center (50, 80), size 40 x 20 (w x h).
    y = yolo_encode([[30, 70, 70, 90]], [0], grid=3, n_classes=2, image_size=100)
    s = 100 / 3
    row, col = 2, 1
    expect = [1, 50 / s - col, 80 / s - row, 20 / s, 40 / s, 1, 0]
    np.testing.assert_allclose(y[row, col], expect, rtol=1e-12)
    assert np.count_nonzero(y[..., 0]) == 1, "only the center cell is responsible"


def test_size_may_exceed_one_cell():
    # the course notes: b_h and b_w can be larger than 1 (an object bigger than its cell)
    y = yolo_encode([[0, 0, 32, 16]], [0], grid=4, n_classes=1, image_size=32)
    assert y[1, 2, 4] == pytest.approx(4.0) and y[1, 2, 3] == pytest.approx(2.0)


@pytest.mark.parametrize("seed", range(5))
def test_encode_decode_round_trip_on_shapes(seed):
    d = make_shapes(40, image_size=32, grid=4, max_objects=4, rng=seed)
    y = yolo_encode(d.boxes, d.labels, grid=4, n_classes=3, image_size=32)
    assert y.shape == (40, 4, 4, 8)
    for i in range(len(d)):
        boxes, labels = d.objects(i)
        got_b, got_s, got_l = yolo_decode(y[i], 32)
        assert len(got_b) == len(boxes)
        # match each true box with the decoded box of IoU 1
        match = box_iou(boxes, got_b).argmax(1)
        np.testing.assert_allclose(got_b[match], boxes, atol=1e-9)
        np.testing.assert_array_equal(got_l[match], labels)
        np.testing.assert_array_equal(got_s, 1.0)


def test_round_trip_random_boxes_one_per_cell():
    rng = np.random.default_rng(0)
    S, size = 5, 50.0
    cells = rng.permutation(S * S)[:10]
    r, c = np.divmod(cells, S)
    cx, cy = (c + rng.random(10)) * size / S, (r + rng.random(10)) * size / S
    w, h = rng.uniform(1, 30, 10), rng.uniform(1, 30, 10)
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1)   # may leave the image
    labels = rng.integers(0, 4, 10)
    got_b, _, got_l = yolo_decode(yolo_encode(boxes, labels, S, 4, size), size)
    raster = np.argsort(cells)                                        # decode is in raster order
    np.testing.assert_allclose(got_b, boxes[raster], atol=1e-12)
    np.testing.assert_array_equal(got_l, labels[raster])


def test_two_centers_in_one_cell_raise():
    with pytest.raises(ValueError, match=r"image 0: two objects .* cell \(row 0, col 0\)"):
        yolo_encode([[0, 0, 4, 4], [1, 1, 5, 5]], [0, 1], grid=4, n_classes=2, image_size=32)


@pytest.mark.parametrize("kwargs, match", [
    (dict(boxes=[[0, 0, 4]], labels=[0]), r"shape \(K, 4\)"),
    (dict(boxes=[[0, 0, 4, 4]], labels=[0, 1]), "labels must have shape"),
    (dict(boxes=[[0, 0, 4, 4]], labels=[5]), r"labels must lie in -1..1"),
    (dict(boxes=[[4, 0, 0, 4]], labels=[0]), "x2 < x1"),
    (dict(boxes=[[40, 0, 50, 4]], labels=[0]), "center outside the image"),
])
def test_encode_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        yolo_encode(grid=4, n_classes=2, image_size=32, **kwargs)


def test_decode_threshold_and_scores():
    y = np.zeros((2, 2, 7))
    y[0, 0] = [0.9, 0.5, 0.5, 1, 1, 0.1, 0.7]     # score 0.63, class 1
    y[1, 1] = [0.5, 0.5, 0.5, 1, 1, 0.9, 0.1]     # score 0.45, class 0
    boxes, scores, labels = yolo_decode(y, 10, conf_threshold=0.5)
    np.testing.assert_allclose(scores, [0.63])
    assert labels.tolist() == [1]
    np.testing.assert_allclose(boxes, [[0, 0, 5, 5]])
    boxes, scores, labels = yolo_decode(y, 10, conf_threshold=0.4)
    assert labels.tolist() == [1, 0]
    with pytest.raises(ValueError, match=r"shape \(S, S, 5 \+ C\)"):
        yolo_decode(np.zeros((2, 3, 7)), 10)


def test_detect_suppresses_duplicates_per_class():
    y = np.zeros((2, 2, 7))
    # 10-pixel image, 2x2 grid of 5-pixel cells
    y[0, 0] = [0.9, 0.9, 0.5, 1, 1, 1, 0]          # center (4.5, 2.5): box [2, 0, 7, 5], class 0
    y[0, 1] = [0.8, 0.3, 0.5, 1, 1, 1, 0]          # center (6.5, 2.5): box [4, 0, 9, 5], IoU 15/35
    y[1, 0] = [0.7, 0.9, 0.0, 1, 1, 0, 1]          # box [2, 2.5, 7, 7.5], class 1
    _, scores, labels = yolo_detect(y, 10, conf_threshold=0.5, iou_threshold=0.4)
    np.testing.assert_allclose(scores, [0.9, 0.7])
    assert labels.tolist() == [0, 1]
    _, scores, _ = yolo_detect(y, 10, conf_threshold=0.5, iou_threshold=0.5)
    assert len(scores) == 3


def test_bad_thresholds_and_sizes():
    with pytest.raises(ValueError, match="conf_threshold must be <= 1.0"):
        yolo_decode(np.zeros((2, 2, 7)), 10, conf_threshold=1.5)
    with pytest.raises(ValueError, match="image_size must be > 0"):
        yolo_encode([[0, 0, 4, 4]], [0], grid=4, n_classes=2, image_size=0)
    with pytest.raises(TypeError, match="grid must be an int"):
        yolo_encode([[0, 0, 4, 4]], [0], grid=4.0, n_classes=2, image_size=32)
