"""Brute-force oracles for IoU and NMS, written box by box with Python floats, the way one would
by hand, so they share no code with the vectorized versions; and random boxes with duplicates
(ties in IoU), equal scores and degenerate boxes (zero width or height)."""

import numpy as np


# -- oracles --------------------------------------------------------------------------------------
def iou_oracle(a, b):
    """IoU of two corner-format boxes, one number at a time."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def nms_oracle(boxes, scores, thr, labels=None):
    """Textbook greedy NMS: take the best remaining box, delete the ones overlapping it, repeat."""
    boxes = [list(map(float, b)) for b in boxes]
    labels = [0] * len(boxes) if labels is None else list(labels)
    remaining = list(range(len(boxes)))
    keep = []
    while remaining:
        best = remaining[0]
        for i in remaining:                     # highest score; the earlier index wins a tie
            if scores[i] > scores[best]:
                best = i
        keep.append(best)
        remaining = [i for i in remaining if i != best and not (
            labels[i] == labels[best] and iou_oracle(boxes[best], boxes[i]) > thr)]
    return keep


def random_boxes(rng, n, degenerate=0.2, duplicates=0.2, grid=None):
    """Corner boxes in [0, 20]^2; some have zero width or height, some repeat an earlier box."""
    xy = rng.uniform(0, 15, size=(n, 2))
    wh = rng.uniform(0, 8, size=(n, 2))
    if grid:                                     # integer coordinates make exact IoU ties likely
        xy, wh = np.round(xy), np.round(wh)
    wh[rng.random(n) < degenerate, rng.integers(0, 2)] = 0.0
    b = np.concatenate([xy, xy + wh], axis=1)
    for i in np.flatnonzero(rng.random(n) < duplicates):
        if i > 0:
            b[i] = b[rng.integers(0, i)]
    return b
