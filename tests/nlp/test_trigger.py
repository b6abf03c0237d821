"""Trigger-word detection bookkeeping: placing clips, labels, detections, precision/recall."""

import numpy as np
import pytest

from dlbook.nlp import trigger as TW


@pytest.mark.parametrize("seed", range(10))
def test_placed_clips_never_overlap_and_stay_inside(seed):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(50, 400, size=6).tolist()
    starts = TW.place_clips(2000, lengths, rng)
    spans = sorted((s, s + n) for s, n in zip(starts, lengths) if s >= 0)
    assert all(0 <= a and b <= 2000 for a, b in spans)
    assert all(p[1] <= q[0] for p, q in zip(spans, spans[1:]))
    assert TW.place_clips(100, [200], rng).tolist() == [-1]        # cannot fit


def test_mix_adds_without_touching_inputs():
    bg = np.zeros(8)
    out = TW.mix_clips(bg, [np.array([1.0, 2.0])], [3], gain=2.0)
    np.testing.assert_array_equal(out, [0, 0, 0, 2, 4, 0, 0, 0])
    assert not bg.any()
    with pytest.raises(ValueError, match="runs past the end"):
        TW.mix_clips(bg, [np.ones(3)], [6])


def test_labels_follow_the_end_of_each_trigger():
    y = TW.trigger_labels(20, [3, 17], width=4)
    assert y.tolist() == [0] * 4 + [1] * 4 + [0] * 10 + [1, 1]
    assert TW.trigger_labels(5, [], width=3).sum() == 0


def test_detection_and_matching_by_hand():
    probs = np.zeros(100)
    probs[12:18] = 0.9            # fires at 12 (trigger ended at 10)
    probs[50:52] = 0.7            # nothing there: a false alarm
    probs[85:88] = 0.4            # below the threshold: trigger at 80 missed
    det = TW.detect_triggers(probs, 0.5, refractory=20)
    assert det == [12, 50]
    c = TW.match_detections(det, [10, 80], window=10)
    assert (c.tp, c.fp, c.fn) == (1, 1, 1)
    assert c.precision == 0.5 and c.recall == 0.5
    total = c + TW.DetectionCounts(3, 0, 1)
    assert total == TW.DetectionCounts(4, 1, 2) and total.precision == 0.8


def test_one_trigger_is_matched_once():
    c = TW.match_detections([11, 12], [10], window=5)
    assert (c.tp, c.fp, c.fn) == (1, 1, 0)
    assert TW.DetectionCounts(0, 0, 0).precision == 1.0


def test_bad_inputs():
    with pytest.raises(ValueError, match="width"):
        TW.trigger_labels(10, [1], width=0)
    with pytest.raises(ValueError, match="refractory"):
        TW.detect_triggers([0.1], refractory=-1)
