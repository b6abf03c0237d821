"""Detection metrics: a hand-checked case, brute-force oracles written here with plain loops
(one-to-one greedy matching, precision envelope, VOC all-point and COCO 101-point AP) on random
detections with duplicates and wrong classes, and properties AP must have."""

import numpy as np
import pytest

from dlbook.cnn.detection_metrics import (
    average_precision,
    evaluate_detections,
    match_detections,
    precision_recall_curve,
)
from tests.cnn.box_oracles import iou_oracle


# -- oracles ---------------------------------------------------------------------------------
def match_oracle(boxes, scores, labels, gt_boxes, gt_labels, thr):
    """Greedy by score; each detection takes the best unmatched object of its class."""
    order = sorted(range(len(boxes)), key=lambda k: (-float(scores[k]), k))
    taken, out = set(), [-1] * len(boxes)
    for k in order:
        best, best_iou = -1, 0.0
        for j in range(len(gt_boxes)):
            if j in taken or gt_labels[j] != labels[k]:
                continue
            u = iou_oracle(list(map(float, boxes[k])), list(map(float, gt_boxes[j])))
            if u >= thr and u > best_iou:
                best, best_iou = j, u
        if best >= 0:
            taken.add(best)
            out[k] = best
    return out


def ap_oracle(scores, hits, n_gt, interpolation):
    """Precision and recall point by point, then the interpolated curve by its definition."""
    order = sorted(range(len(scores)), key=lambda k: (-float(scores[k]), k))
    points, tp = [], 0
    for n, k in enumerate(order, start=1):
        tp += bool(hits[k])
        points.append((tp / n_gt, tp / n))  # (recall, precision)

    def p_interp(r):
        return max([p for rec, p in points if rec >= r - 1e-12], default=0.0)

    if interpolation == "101":
        return sum(p_interp(i / 100) for i in range(101)) / 101
    recalls = sorted({rec for rec, _ in points})
    area, prev = 0.0, 0.0
    for r in recalls:
        area += (r - prev) * p_interp(r)
        prev = r
    return area


def random_dataset(rng, n_images=12, n_classes=3):
    """Ground truth plus detections: good hits, jittered duplicates, wrong classes, noise."""
    dets, gts = [], []
    for _ in range(n_images):
        m = int(rng.integers(0, 5))
        xy = rng.uniform(0, 40, size=(m, 2))
        gb = np.concatenate([xy, xy + rng.uniform(4, 12, size=(m, 2))], axis=1)
        gl = rng.integers(0, n_classes, size=m)
        boxes, labels = [], []
        for b, c in zip(gb, gl):
            for _ in range(int(rng.integers(0, 3))):  # 0, 1 or 2 detections of this object
                boxes.append(b + rng.normal(0, 1.5, size=4))
                labels.append(c if rng.random() < 0.85 else (c + 1) % n_classes)
        for _ in range(int(rng.integers(0, 3))):  # detections of nothing
            xy0 = rng.uniform(0, 40, size=2)
            boxes.append(np.concatenate([xy0, xy0 + rng.uniform(4, 12, size=2)]))
            labels.append(int(rng.integers(0, n_classes)))
        boxes = np.array(boxes).reshape(-1, 4)
        boxes[:, 2:] = np.maximum(boxes[:, 2:], boxes[:, :2])  # keep x2 >= x1, y2 >= y1
        scores = np.round(rng.random(len(boxes)), 2)  # ties happen
        dets.append((boxes, scores, np.array(labels, dtype=int)))
        gts.append((gb, gl))
    return dets, gts


# -- a case to check by hand -----------------------------------------------------------------
def test_hand_checked_case():
    # two images, class 0 only. Image 0: objects A = [0,0,10,10], B = [20,0,30,10].
    # Image 1: object C = [0,0,10,10]. Detections, by score:
    #   0.95 on A (IoU 1)        -> hit        P 1/1, R 1/3
    #   0.90 on A again (IoU .81) -> duplicate  P 1/2, R 1/3
    #   0.80 on C (IoU 1)        -> hit        P 2/3, R 2/3
    #   0.60 nothing             -> miss       P 2/4, R 2/3
    #   0.50 on B (IoU 0.8)      -> hit        P 3/5, R 3/3
    gts = [(np.array([[0, 0, 10, 10], [20, 0, 30, 10]]), np.array([0, 0])),
           (np.array([[0, 0, 10, 10]]), np.array([0]))]
    dets = [(np.array([[0, 0, 10, 10], [1, 1, 10, 10], [40, 40, 45, 45], [20, 0, 28, 10]]),
             np.array([0.95, 0.90, 0.60, 0.50]), np.array([0, 0, 0, 0])),
            (np.array([[0, 0, 10, 10]]), np.array([0.80]), np.array([0]))]
    res = evaluate_detections(dets, gts, n_classes=1)
    assert res.matched[0].tolist() == [0, -1, -1, 1] and res.matched[1].tolist() == [0]
    # envelope: 1 up to recall 1/3, then max(2/3, 1/2, 3/5) = 2/3 up to 2/3, then 3/5 up to 1
    assert res.ap[0] == pytest.approx(1 / 3 * 1 + 1 / 3 * 2 / 3 + 1 / 3 * 3 / 5, abs=1e-12)
    assert res.precision[0] == pytest.approx(3 / 5) and res.recall[0] == pytest.approx(1.0)
    # COCO: levels 0..0.33 get 1 (34 levels), 0.34..0.66 get 2/3 (33), 0.67..1 get 3/5 (34)
    coco = evaluate_detections(dets, gts, n_classes=1, interpolation="101").ap[0]
    assert coco == pytest.approx((34 * 1 + 33 * 2 / 3 + 34 * 3 / 5) / 101, abs=1e-12)


def test_a_duplicate_is_never_a_hit():
    gt = np.array([[0, 0, 10, 10]])
    dup = np.array([[0, 0, 10, 10], [0, 0, 10, 10]])  # two perfect boxes on one object
    assert sorted(match_detections(dup, [0.9, 0.8], [0, 0], gt, [0]).tolist()) == [-1, 0]
    res = evaluate_detections([(dup, np.array([0.9, 0.8]), np.array([0, 0]))],
                              [(gt, np.array([0]))], n_classes=1)
    assert res.precision[0] == 0.5 and res.ap[0] == 1.0  # the duplicate comes after recall 1


def test_matching_takes_the_best_unmatched_object():
    # one detection overlaps both objects; the surer one takes the better object
    gt = np.array([[0, 0, 10, 10], [4, 0, 14, 10]])
    det = np.array([[2, 0, 12, 10], [0, 0, 10, 10]])
    got = match_detections(det, [0.9, 0.8], [0, 0], gt, [0, 0], 0.5).tolist()
    # IoU(det0, gt0) = IoU(det0, gt1) = 8/12: a tie goes to the first object; det1 overlaps
    # gt1 by 6/14 < 0.5, so it finds nothing left to match
    assert got == [0, -1]
    assert match_oracle(det, [0.9, 0.8], [0, 0], gt, [0, 0], 0.5) == got


# -- against the oracles ---------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("thr", [0.3, 0.5, 0.75])
def test_matching_equals_the_oracle(seed, thr):
    dets, gts = random_dataset(np.random.default_rng(seed))
    for (b, s, lab), (gb, gl) in zip(dets, gts):
        got = match_detections(b, s, lab, gb, gl, thr).tolist()
        assert got == match_oracle(b, s, lab, gb, gl, thr)


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("interpolation", ["all", "101"])
def test_ap_and_map_equal_the_oracle(seed, interpolation):
    rng = np.random.default_rng(100 + seed)
    dets, gts = random_dataset(rng)
    res = evaluate_detections(dets, gts, n_classes=3, interpolation=interpolation)
    for c in range(3):
        scores, hits, n_gt = [], [], sum(int((gl == c).sum()) for _, gl in gts)
        for (b, s, lab), (gb, gl) in zip(dets, gts):
            m = match_oracle(b, s, lab, gb, gl, 0.5)
            scores += [s[k] for k in range(len(b)) if lab[k] == c]
            hits += [m[k] >= 0 for k in range(len(b)) if lab[k] == c]
        if n_gt == 0:
            assert np.isnan(res.ap[c])
            continue
        expected = ap_oracle(scores, hits, n_gt, interpolation)
        assert res.ap[c] == pytest.approx(expected, abs=1e-12), f"class {c}"
    assert res.mean_ap == pytest.approx(np.nanmean(res.ap))


# -- properties ------------------------------------------------------------------------------
def test_perfect_detector_scores_one_and_missed_objects_cap_recall():
    gb = np.array([[0, 0, 5, 5], [10, 10, 20, 20], [30, 0, 40, 8]])
    gl = np.array([0, 1, 0])
    perfect = evaluate_detections([(gb, np.array([0.9, 0.8, 0.7]), gl)], [(gb, gl)], 2)
    assert perfect.ap.tolist() == [1.0, 1.0] and perfect.mean_ap == 1.0
    half = evaluate_detections([(gb[:1], np.array([0.9]), gl[:1])], [(gb, gl)], 2)
    assert half.ap.tolist() == [0.5, 0.0] and half.recall.tolist() == [0.5, 0.0]


def test_ap_does_not_depend_on_the_scale_of_the_scores():
    s = np.array([0.9, 0.7, 0.4, 0.3, 0.2])
    hits = np.array([True, False, True, False, True])
    assert average_precision(s, hits, 4) == average_precision(10 * s - 3, hits, 4)


def test_curve_values():
    p, r = precision_recall_curve([0.2, 0.9, 0.5], [True, True, False], 2)
    assert p.tolist() == [1.0, 0.5, 2 / 3] and r.tolist() == [0.5, 0.5, 1.0]


def test_bad_input():
    with pytest.raises(ValueError, match="only 2 ground-truth objects"):
        precision_recall_curve([0.9, 0.8, 0.7], [True, True, True], 2)
    with pytest.raises(ValueError, match="interpolation must be one of"):
        average_precision([0.9], [True], 1, interpolation="11")
    with pytest.raises(ValueError, match="detections has 1 images but ground_truth has 2"):
        evaluate_detections([(np.zeros((0, 4)), np.zeros(0), np.zeros(0, int))],
                            [(np.zeros((0, 4)), np.zeros(0, int))] * 2, 1)
    with pytest.raises(ValueError, match="labels must lie in 0..1"):
        evaluate_detections([(np.zeros((1, 4)), np.ones(1), np.array([2]))],
                            [(np.zeros((0, 4)), np.zeros(0, int))], 2)
    with pytest.raises(ValueError, match="iou_threshold must be <= 1.0"):
        match_detections(np.zeros((1, 4)), [1.0], [0], np.zeros((1, 4)), [0], 1.5)
    with pytest.raises(TypeError, match="labels must hold integer classes"):
        match_detections(np.zeros((1, 4)), [1.0], [0.5], np.zeros((1, 4)), [0])
