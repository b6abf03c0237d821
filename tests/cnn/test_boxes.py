"""IoU and NMS in NumPy against brute-force oracles (tests/cnn/box_oracles.py) written with
plain loops, hand examples and invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.cnn import boxes as B
from tests.cnn.box_oracles import iou_oracle, nms_oracle, random_boxes


# -- conversions, areas, validation ---------------------------------------------------------------
def test_convert_round_trip_and_hand_values():
    rng = np.random.default_rng(0)
    b = random_boxes(rng, 50)
    back = B.box_convert(B.box_convert(b, "xyxy", "cxcywh"), "cxcywh", "xyxy")
    np.testing.assert_allclose(back, b, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(B.box_convert([[0, 0, 4, 2]], "xyxy", "cxcywh"), [[2, 1, 4, 2]])
    np.testing.assert_array_equal(B.box_area([[1, 1, 4, 3], [2, 2, 2, 9]]), [6, 0])


def test_convert_does_not_alias_input():
    b = np.array([[0.0, 0, 1, 1]])
    out = B.box_convert(b, "xyxy", "xyxy")
    out[0, 0] = 5
    assert b[0, 0] == 0


@pytest.mark.parametrize("bad, match", [
    (np.zeros((3, 5)), r"shape \(N, 4\), got \(3, 5\)"),
    (np.zeros(4), r"shape \(N, 4\), got \(4,\)"),
    ([[0, 0, 1, 1], [3, 0, 2, 1]], r"boxes\[1\] = \[3.0, 0.0, 2.0, 1.0\] has x2 < x1"),
    ([[0, 2, 1, 1]], r"x2 < x1 or y2 < y1"),
    ([[0, 0, np.nan, 1]], "non-finite"),
])
def test_bad_boxes_raise(bad, match):
    with pytest.raises(ValueError, match=match):
        B.box_iou(bad, [[0, 0, 1, 1]])


def test_bad_center_boxes_and_arguments():
    with pytest.raises(ValueError, match="negative width or height"):
        B.box_convert([[1, 1, -1, 2]], "cxcywh", "xyxy")
    with pytest.raises(ValueError, match="fmt must be one of 'xyxy', 'cxcywh'"):
        B.box_area([[0, 0, 1, 1]], fmt="xywh")
    with pytest.raises(ValueError, match=r"scores must have shape \(2,\)"):
        B.nms([[0, 0, 1, 1], [0, 0, 1, 1]], [1.0], 0.5)
    with pytest.raises(ValueError, match=r"iou_threshold must be <= 1.0"):
        B.nms([[0, 0, 1, 1]], [1.0], 1.5)
    with pytest.raises(TypeError, match="iou_threshold must be a real number"):
        B.nms([[0, 0, 1, 1]], [1.0], "0.5")


# -- IoU ------------------------------------------------------------------------------------------
def test_iou_hand_examples():
    # 2x2 squares sharing a 1x2 strip: 2 / 6; nested 1x1 in 2x2: 1/4; touching edges: 0.
    others = [[1, 0, 3, 2], [0.5, 0.5, 1.5, 1.5], [2, 0, 4, 2], [0, 0, 2, 2]]
    got = B.box_iou([[0, 0, 2, 2]], others)
    np.testing.assert_allclose(got, [[1 / 3, 1 / 4, 0.0, 1.0]], rtol=1e-15)


@pytest.mark.parametrize("seed", range(5))
def test_iou_matrix_matches_oracle(seed):
    rng = np.random.default_rng(seed)
    a, b = random_boxes(rng, 17), random_boxes(rng, 9, grid=True)
    expect = np.array([[iou_oracle(p, q) for q in b] for p in a])
    np.testing.assert_allclose(B.box_iou(a, b), expect, rtol=1e-12, atol=1e-15)
    # center format gives the same matrix
    ac, bc = B.box_convert(a, "xyxy", "cxcywh"), B.box_convert(b, "xyxy", "cxcywh")
    np.testing.assert_allclose(B.box_iou(ac, bc, fmt="cxcywh"), expect, rtol=1e-12, atol=1e-15)


def test_iou_degenerate_and_empty():
    z = [[1, 1, 1, 1], [0, 0, 0, 3]]
    np.testing.assert_array_equal(B.box_iou(z, z), np.zeros((2, 2)))   # union 0 -> defined as 0
    assert B.box_iou(np.zeros((0, 4)), [[0, 0, 1, 1]]).shape == (0, 1)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(*[st.integers(0, 10)] * 4), min_size=1, max_size=6))
def test_iou_invariants(raw):
    b = np.array([[min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)]
                  for x1, y1, x2, y2 in raw], float)
    m = B.box_iou(b, b)
    assert np.all((m >= 0) & (m <= 1)), "IoU must lie in [0, 1]"
    np.testing.assert_allclose(m, m.T, rtol=0, atol=1e-15, err_msg="IoU must be symmetric")
    area = B.box_area(b)
    np.testing.assert_array_equal(np.diag(m), (area > 0).astype(float))
    shifted = b + np.array([3.0, -2.0, 3.0, -2.0])                     # translation invariance
    np.testing.assert_allclose(B.box_iou(shifted, shifted), m, rtol=1e-12, atol=1e-15)


# -- NMS ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("thr", [0.0, 0.3, 0.5, 1.0])
def test_nms_matches_oracle(seed, thr):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 30))
    b = random_boxes(rng, n, grid=seed % 2 == 0)
    s = np.round(rng.random(n), 1)                                     # many exact score ties
    expect = nms_oracle(b, s, thr)
    assert B.nms(b, s, thr).tolist() == expect
    labels = rng.integers(0, 3, size=n)
    expect_c = nms_oracle(b, s, thr, labels)
    assert B.batched_nms(b, s, labels, thr).tolist() == expect_c


def test_batched_nms_equals_nms_per_class_merged():
    rng = np.random.default_rng(7)
    b, s, lab = random_boxes(rng, 40), rng.random(40), rng.integers(0, 4, 40)
    per_class = np.concatenate([np.flatnonzero(lab == c)[B.nms(b[lab == c], s[lab == c], 0.4)]
                                for c in range(4)])
    merged = per_class[np.argsort(-s[per_class], kind="stable")]
    assert B.batched_nms(b, s, lab, 0.4).tolist() == merged.tolist()


def test_nms_hand_example_and_edges():
    # The course's two-step rule on a small case: 0.9 suppresses 0.8 (IoU 0.81) but not 0.7.
    b = [[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30], [21, 21, 30, 30]]
    assert B.nms(b, [0.9, 0.8, 0.7, 0.75], 0.5).tolist() == [0, 3]
    assert B.nms(b, [0.9, 0.8, 0.7, 0.75], 0.9).tolist() == [0, 1, 3, 2]
    # equal scores: the earlier box wins
    assert B.nms([[0, 0, 2, 2], [0, 0, 2, 2]], [0.5, 0.5], 0.5).tolist() == [0]
    # a degenerate box neither suppresses nor is suppressed
    assert B.nms([[0, 0, 0, 5], [0, 0, 2, 5]], [0.9, 0.8], 0.0).tolist() == [0, 1]
    assert B.nms(np.zeros((0, 4)), np.zeros(0), 0.5).tolist() == []
