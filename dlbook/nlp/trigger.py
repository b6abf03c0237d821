r"""Trigger-word detection: making training clips, frame labels, detections, precision and recall.

A wake-word detector listens to a stream and should fire right after someone says the trigger
word.  Training clips are made by pasting recorded words into a longer noisy background at
random places that do not overlap (:func:`place_clips`, :func:`mix_clips`).  The label of an
output frame is 1 during a short window right *after* the trigger word ends
(:func:`trigger_labels`) and 0 elsewhere, so the network learns to say "just heard it".  At test
time a detection is the first frame where the output crosses a threshold, followed by a quiet
period (:func:`detect_triggers`), and detections are matched to the true trigger ends to count
precision and recall (:func:`match_detections`).

See Also
--------
:ref:`ch-speech` : the chapter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlbook import _checks

__all__ = ["place_clips", "mix_clips", "trigger_labels", "detect_triggers", "DetectionCounts",
           "match_detections"]


def place_clips(n_samples: int, lengths, rng, max_tries: int = 100) -> np.ndarray:
    r"""Random non-overlapping start positions for clips of the given lengths.

    Parameters
    ----------
    n_samples : int
        Length of the background.
    lengths : sequence of int
        Length of each clip, placed in this order.
    rng : numpy.random.Generator or int
    max_tries : int
        Draws per clip before giving up on it.

    Returns
    -------
    ndarray of int, shape (len(lengths),)
        Start of each clip, or -1 for a clip that found no free place.

    Examples
    --------
    >>> starts = place_clips(1000, [300, 300, 300], rng=0)
    >>> spans = sorted((s, s + 300) for s in starts if s >= 0)
    >>> all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))     # no overlap
    True
    """
    n = _checks.positive_int(n_samples, "n_samples")
    rng = np.random.default_rng(rng)
    taken, starts = [], []
    for length in lengths:
        length = _checks.positive_int(length, "length")
        start = -1
        for _ in range(max_tries if length <= n else 0):
            s = int(rng.integers(0, n - length + 1))
            if all(s + length <= a or b <= s for a, b in taken):
                start = s
                taken.append((s, s + length))
                break
        starts.append(start)
    return np.array(starts, dtype=int)


def mix_clips(background, clips, starts, gain=1.0) -> np.ndarray:
    r"""A new signal: ``background`` with each clip added at its start (-1: left out).

    Examples
    --------
    >>> mix_clips(np.zeros(6), [np.ones(2), np.ones(3)], [1, -1])
    array([0., 1., 1., 0., 0., 0.])
    """
    out = _checks.real_array(background, "background", ndim=1).astype(np.float64)
    for clip, s in zip(clips, starts):
        if s < 0:
            continue
        c = np.asarray(clip, dtype=np.float64)
        if s + c.shape[0] > out.shape[0]:
            raise ValueError(f"a clip of {c.shape[0]} samples at {s} runs past the end "
                             f"({out.shape[0]})")
        out[s:s + c.shape[0]] += gain * c
    return out


def trigger_labels(n_frames: int, end_frames, width: int) -> np.ndarray:
    r"""Frame labels: 1 for the ``width`` frames right after each trigger ends, else 0.

    Frames :math:`e + 1, \dots, e + \text{width}` are set for a trigger ending at frame
    :math:`e` (clipped at the end of the clip).

    Examples
    --------
    >>> trigger_labels(10, [2, 6], width=2)
    array([0., 0., 0., 1., 1., 0., 0., 1., 1., 0.])
    """
    n = _checks.positive_int(n_frames, "n_frames")
    w = _checks.positive_int(width, "width")
    y = np.zeros(n)
    for e in end_frames:
        e = _checks.int_value(e, "end frame", low=0)
        y[e + 1:e + 1 + w] = 1.0
    return y


def detect_triggers(probs, threshold: float = 0.5, refractory: int = 10) -> list[int]:
    r"""Frames where a detection fires: the output first reaches ``threshold``, after which
    ``refractory`` frames are ignored (one word, one detection).

    Examples
    --------
    >>> detect_triggers([0.1, 0.6, 0.9, 0.7, 0.2, 0.8, 0.1, 0.1, 0.9], 0.5, refractory=2)
    [1, 5, 8]
    """
    p = _checks.real_array(probs, "probs", ndim=1)
    threshold = _checks.real_value(threshold, "threshold")
    refractory = _checks.int_value(refractory, "refractory", low=0)
    fired, quiet_until = [], -1
    for t in np.flatnonzero(p >= threshold).tolist():
        if t > quiet_until:
            fired.append(t)
            quiet_until = t + refractory
    return fired


@dataclass(frozen=True)
class DetectionCounts:
    """True positives, false positives and missed triggers, with precision and recall."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 1 when nothing was detected."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 1 when there was nothing to find."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def __add__(self, other):
        return DetectionCounts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


def match_detections(detections, end_frames, window: int) -> DetectionCounts:
    r"""Count a detection as right when it fires within ``window`` frames after a trigger's end
    (frames :math:`e .. e + \text{window}`); each trigger is matched at most once.

    Examples
    --------
    >>> c = match_detections([12, 40, 75], end_frames=[10, 70, 90], window=8)
    >>> c, round(c.precision, 3), round(c.recall, 3)
    (DetectionCounts(tp=2, fp=1, fn=1), 0.667, 0.667)
    """
    window = _checks.int_value(window, "window", low=0)
    unmatched = sorted(int(e) for e in end_frames)
    tp = fp = 0
    for d in sorted(int(x) for x in detections):
        hit = next((e for e in unmatched if e <= d <= e + window), None)
        if hit is None:
            fp += 1
        else:
            unmatched.remove(hit)
            tp += 1
    return DetectionCounts(tp, fp, len(unmatched))
