"""The synthetic shapes: shapes and dtypes, seeds, one object center per layout cell, boxes that
enclose their masks, and each class drawn by its geometric rule."""

import numpy as np
import pytest

from dlbook.data.shapes import CLASSES, make_shapes


@pytest.fixture(scope="module")
def data():
    return make_shapes(200, image_size=32, grid=4, max_objects=3, noise=0.0, rng=0)


def test_shapes_dtypes_ranges(data):
    assert data.images.shape == (200, 1, 32, 32) and data.images.dtype == np.float32
    assert data.masks.shape == (200, 32, 32) and data.masks.dtype == np.int64
    assert data.boxes.shape == (200, 3, 4) and data.labels.shape == (200, 3)
    assert data.images.min() >= 0 and data.images.max() <= 1
    assert set(np.unique(data.masks)) <= set(range(len(CLASSES) + 1))
    counts = (data.labels >= 0).sum(1)
    assert counts.min() == 1 and counts.max() == 3
    b = data.all_boxes()
    assert len(b) == counts.sum()
    assert np.all(b[:, 2] > b[:, 0]) and np.all(b[:, 3] > b[:, 1])
    assert b.min() >= 0 and b.max() <= 32


def test_seeded():
    a, b = make_shapes(10, rng=3), make_shapes(10, rng=3)
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.boxes, b.boxes)
    assert not np.array_equal(make_shapes(10, rng=4).images, a.images)


def test_centers_in_distinct_cells(data):
    for i in range(len(data)):
        boxes, _ = data.objects(i)
        # centers of the (clipped) boxes: clipping must not push one into another cell
        cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
        cells = list(zip((cy // 8).astype(int), (cx // 8).astype(int)))
        assert len(cells) == len(set(cells)), f"image {i}: two centers share a cell {cells}"


def test_single_object_mask_inside_box_and_class_geometry():
    d = make_shapes(300, max_objects=1, noise=0.0, rng=5)
    fill = []
    for i in range(len(d)):
        (box,), (label,) = d.objects(i)
        rows, cols = np.nonzero(d.masks[i])
        assert set(np.unique(d.masks[i])) == {0, label + 1}, f"image {i}: wrong class in mask"
        # every mask pixel center lies in the box
        assert np.all(cols + 0.5 >= box[0]) and np.all(cols + 0.5 <= box[2])
        assert np.all(rows + 0.5 >= box[1]) and np.all(rows + 0.5 <= box[3])
        if box.min() > 0 and box.max() < 32:
            fill.append((label, len(rows) / ((box[2] - box[0]) * (box[3] - box[1]))))
        # the image is bright exactly on the mask when there is no noise
        np.testing.assert_array_equal(d.images[i, 0] > 0, d.masks[i] > 0)
    fill = np.array(fill)
    mean_fill = [fill[fill[:, 0] == c, 1].mean() for c in range(3)]
    # area ratios: rectangle 1, ellipse pi/4, triangle 1/2 (pixelized, so within a few percent)
    np.testing.assert_allclose(mean_fill, [1.0, np.pi / 4, 0.5], atol=0.06)


@pytest.mark.parametrize("kwargs, match", [
    (dict(image_size=30, grid=4), "multiple of grid"),
    (dict(grid=2, max_objects=5), "exceeds the 4 cells"),
    (dict(min_size=10, max_size=5), "min_size <= max_size"),
    (dict(noise=-1.0), "noise"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_shapes(4, **kwargs)
