"""Helpers shared by the activation tests (test_activations, test_softmax, test_maxout).

Not a test module: pytest collects only ``test_*.py``.
"""

from __future__ import annotations

import numpy as np

RTOL = 1e-7
# Results below float64's smallest normal number (subnormals, < 2.2e-308) are compared absolutely:
# torch returns 0 for sigmoid(-732) where the exact value 9.1e-319 is still representable.
TINY = np.finfo(np.float64).tiny


def inputs(seed: int = 0, n: int = 3000) -> np.ndarray:
    """Random inputs from 1e-3 to 1e3 in magnitude, plus +-1000, +-40, +-20 and +-1e-8."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n) * 10.0 ** rng.uniform(-3, 3, n)
    extremes = [-1000.0, -40.0, -20.0, -1e-8, 1e-8, 20.0, 40.0, 1000.0]
    return np.concatenate([x, extremes])


def assert_close(actual, expected, what, rtol=RTOL, atol=TINY, x=None):
    """np.isclose on every entry; the message names ``what``, how many differ, and the first."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    bad = ~np.isclose(actual, expected, rtol=rtol, atol=atol)
    if bad.any():
        i = np.flatnonzero(bad.ravel())[0]
        where = f" at x={np.ravel(x)[i]!r}" if x is not None else ""
        raise AssertionError(f"{what}: {bad.sum()} of {bad.size} differ{where}: "
                             f"{actual.ravel()[i]!r} vs {expected.ravel()[i]!r}")
