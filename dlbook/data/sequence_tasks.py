r"""Synthetic sequence tasks that need a long memory: the adding problem.

The adding problem (Hochreiter & Schmidhuber, 1997, in the form of Le et al., 2015) is the
standard test of whether a recurrent network can carry information across many steps. Each
sequence has T steps of two features: a random value in [0, 1) and a marker that is 1 at
exactly two steps (one in the first half, one in the second) and 0 elsewhere. The target is the
sum of the two marked values. A model that ignores the inputs and always answers 1 has mean
squared error :math:`\operatorname{Var}(u_1 + u_2) = 2/12 = 1/6`; getting well below that
requires remembering the first marked value until the end, across up to T steps.

See Also
--------
:ref:`ch-lstm` : the chapter, where plain RNNs fail the task as T grows and gated ones do not.
"""

from __future__ import annotations

import numpy as np

from dlbook import _checks

__all__ = ["ADDING_BASELINE_MSE", "adding_problem"]

#: The mean squared error of always answering 1 (the mean target).
ADDING_BASELINE_MSE = 1 / 6


def adding_problem(n: int, T: int, rng, dtype=np.float32):
    r"""Draw ``n`` sequences of the adding problem of length ``T``, time-major.

    Parameters
    ----------
    n : int
        Number of sequences.
    T : int, >= 2
        Sequence length.
    rng : numpy.random.Generator
    dtype : NumPy float type, default float32

    Returns
    -------
    x : ndarray of shape (T, n, 2)
        ``x[:, :, 0]`` the values, ``x[:, :, 1]`` the markers (two ones per sequence).
    y : ndarray of shape (n,)
        The sum of the two marked values.

    Raises
    ------
    ValueError
        If ``n < 1`` or ``T < 2``.

    Examples
    --------
    >>> x, y = adding_problem(3, 10, np.random.default_rng(0))
    >>> x.shape, y.shape, x[:, :, 1].sum(axis=0).tolist()
    ((10, 3, 2), (3,), [2.0, 2.0, 2.0])
    >>> bool(np.allclose(y, (x[:, :, 0] * x[:, :, 1]).sum(axis=0)))
    True
    """
    n = _checks.positive_int(n, "n")
    T = _checks.int_value(T, "T", low=2)
    values = rng.random((T, n))
    half = T // 2
    first = rng.integers(0, half, n)                      # a step in the first half
    second = rng.integers(half, T, n)                     # and one in the second
    markers = np.zeros((T, n))
    markers[first, np.arange(n)] = 1.0
    markers[second, np.arange(n)] = 1.0
    x = np.stack([values, markers], axis=2).astype(dtype)
    y = (values[first, np.arange(n)] + values[second, np.arange(n)]).astype(dtype)
    return x, y
