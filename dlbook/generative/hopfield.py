r"""Hopfield networks: Hebbian storage, the energy, asynchronous recall, capacity, and the modern
(continuous) Hopfield update that is attention.

A Hopfield network of :math:`N` units with states :math:`s_i \in \{-1, +1\}` stores patterns
:math:`\xi^\mu` in symmetric weights with a zero diagonal. Updating one unit at a time to the sign
of its input never raises the energy :math:`E(s) = -\tfrac12 s^\top W s`, so the state slides
into a local minimum; the stored patterns are (for few enough patterns) such minima.

See Also
--------
:ref:`ch-hopfield` : the chapter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlbook._checks import int_value, positive_int, positive_real, real_array

__all__ = ["hebbian_weights", "hopfield_energy", "RecallResult", "hopfield_recall",
           "retrieval_overlaps", "modern_hopfield_update", "Hopfield"]


def _spins(x, name: str, n_units: int | None = None) -> np.ndarray:
    """A (N,) or (B, N) array of +-1 values with N == n_units, as float64."""
    a = real_array(x, name, nonempty=True)
    if a.ndim not in (1, 2):
        raise ValueError(f"{name} must have shape (N,) or (B, N), got {a.shape}")
    if n_units is not None and a.shape[-1] != n_units:
        raise ValueError(f"{name} must have {n_units} units in its last axis, got shape {a.shape}")
    if not np.all((a == 1) | (a == -1)):
        raise ValueError(f"{name} must hold only -1 and +1, got other values in an array of "
                         f"shape {a.shape}")
    return a.astype(np.float64)


def _weight(weight) -> np.ndarray:
    w = real_array(weight, "weight", ndim=2, finite=True).astype(np.float64)
    if w.shape[0] != w.shape[1]:
        raise ValueError(f"weight must be square (N, N), got shape {w.shape}")
    return w


def hebbian_weights(patterns) -> np.ndarray:
    r"""Hebb's rule: the weights that store ±1 patterns.

    Parameters
    ----------
    patterns : array_like of shape (P, N) or (N,)
        One pattern per row, values -1 and +1.

    Returns
    -------
    weight : ndarray of shape (N, N)
        Symmetric, zero diagonal.

    Raises
    ------
    ValueError
        If a pattern holds a value other than ±1 (the message shows the shape).

    Notes
    -----
    .. math:: W_{ij} = \frac1N \sum_{\mu=1}^{P} \xi^\mu_i \xi^\mu_j \quad (i \ne j), \qquad
              W_{ii} = 0 .

    One pass over the patterns, no iterations: "training" a Hopfield net is this sum.

    See Also
    --------
    Hopfield, :ref:`ch-hopfield`

    Examples
    --------
    >>> hebbian_weights([[1, -1, 1]]) * 3
    array([[ 0., -1.,  1.],
           [-1.,  0., -1.],
           [ 1., -1.,  0.]])
    """
    xi = _spins(patterns, "patterns")
    xi = xi[None] if xi.ndim == 1 else xi
    N = xi.shape[1]
    w = xi.T @ xi / N                                              # (N, N)
    np.fill_diagonal(w, 0.0)
    return w


def hopfield_energy(state, weight) -> np.ndarray | float:
    r"""The energy :math:`E(s) = -\tfrac12 s^\top W s` of one state or of each row of a batch.

    Parameters
    ----------
    state : array_like of shape (N,) or (B, N), values ±1
    weight : array_like of shape (N, N)

    Returns
    -------
    energy : float, or ndarray of shape (B,)

    Examples
    --------
    >>> w = hebbian_weights([[1, -1, 1]])
    >>> round(hopfield_energy([1, -1, 1], w), 6), round(hopfield_energy([1, 1, 1], w), 6)
    (-1.0, 0.333333)
    """
    w = _weight(weight)
    s = _spins(state, "state", w.shape[0])
    e = -0.5 * np.einsum("...i,ij,...j->...", s, w, s)
    return float(e) if s.ndim == 1 else e


@dataclass(frozen=True)
class RecallResult:
    r"""What :func:`hopfield_recall` did.

    Attributes
    ----------
    state : ndarray of shape (N,) or (B, N)
        The state reached.
    energies : ndarray of shape (U + 1,) or (U + 1, B)
        The energy before any update and after each of the U single-unit updates.
    sweeps : int
        Full sweeps over the units that were run.
    converged : bool
        True if the last sweep changed no unit (every row is a fixed point).
    """

    state: np.ndarray
    energies: np.ndarray
    sweeps: int
    converged: bool


def hopfield_recall(state, weight, max_sweeps: int = 100, rng=None) -> RecallResult:
    r"""Asynchronous updates, one unit at a time, until a sweep changes nothing.

    Parameters
    ----------
    state : array_like of shape (N,) or (B, N), values ±1
        Start state(s); each row of a batch evolves on its own (with the same order of units).
    weight : array_like of shape (N, N)
        Symmetric with a zero diagonal (as :func:`hebbian_weights` makes).
    max_sweeps : int, default 100
    rng : numpy.random.Generator or int, optional
        If given, each sweep visits the units in a fresh random order; if None, in index order.

    Returns
    -------
    RecallResult

    Notes
    -----
    Unit :math:`i` takes the sign of its input :math:`h_i = \sum_j W_{ij} s_j`, and keeps its
    state when :math:`h_i = 0`. Flipping it changes the energy by

    .. math:: \Delta E = -(s_i' - s_i)\, h_i \le 0 ,

    because :math:`s_i'` has the sign of :math:`h_i` (this needs :math:`W` symmetric with
    :math:`W_{ii} = 0`). The energy can only fall, and there are finitely many states, so the
    updates stop at a fixed point.

    See Also
    --------
    Hopfield.recall, :ref:`ch-hopfield`

    Examples
    --------
    Store one pattern, start with one unit wrong:

    >>> w = hebbian_weights([[1, -1, 1, -1]])
    >>> r = hopfield_recall([1, 1, 1, -1], w)
    >>> r.state, r.sweeps, r.converged
    (array([ 1., -1.,  1., -1.]), 2, True)
    >>> (r.energies.round(2) + 0.0).tolist()   # before any update, then after each of 2 x 4
    [0.0, 0.0, -1.5, -1.5, -1.5, -1.5, -1.5, -1.5, -1.5]
    """
    w = _weight(weight)
    s = _spins(state, "state", w.shape[0]).copy()
    max_sweeps = positive_int(max_sweeps, "max_sweeps")
    batch = s.ndim == 2
    s = s if batch else s[None]                                    # (B, N)
    N = w.shape[0]
    order_rng = None if rng is None else np.random.default_rng(rng)
    energies = [hopfield_energy(s, w)]
    e = energies[0].copy()
    converged, sweeps = False, 0
    while sweeps < max_sweeps and not converged:
        sweeps += 1
        changed = False
        order = np.arange(N) if order_rng is None else order_rng.permutation(N)
        for i in order:
            h = s @ w[:, i]                                        # (B,) input of unit i
            new = np.where(h > 0, 1.0, np.where(h < 0, -1.0, s[:, i]))
            flip = new != s[:, i]
            if flip.any():
                changed = True
                e = e - (new - s[:, i]) * h
                s[:, i] = new
            energies.append(e.copy())
        converged = not changed
    energies = np.array(energies)                                  # (U + 1, B)
    return RecallResult(state=s if batch else s[0], energies=energies if batch else energies[:, 0],
                        sweeps=sweeps, converged=converged)


def retrieval_overlaps(n_units: int, n_patterns: int, flip_fraction: float = 0.0,
                       max_sweeps: int = 20, rng=None) -> np.ndarray:
    r"""Store ``n_patterns`` random patterns, start near each, recall, and measure the overlap.

    Parameters
    ----------
    n_units, n_patterns : int
    flip_fraction : float, default 0
        Fraction of the units flipped in each start state (0: start on the pattern itself).
    max_sweeps : int, default 20
    rng : numpy.random.Generator or int, optional

    Returns
    -------
    overlaps : ndarray of shape (n_patterns,)
        :math:`m^\mu = \frac1N \sum_i \xi^\mu_i s_i` after recall, for each pattern: 1 is perfect
        recall, about 0 a state unrelated to the pattern.

    Notes
    -----
    For random patterns the recalled overlap stays near 1 while the load :math:`\alpha = P/N` is
    below about 0.138 and collapses above it (Amit, Gutfreund & Sompolinsky, 1985). At a load
    just under the critical one, recall is not perfect: about 1.5 % of the units end wrong.

    See Also
    --------
    :ref:`ch-hopfield`

    Examples
    --------
    Two patterns in 100 units are recalled perfectly:

    >>> retrieval_overlaps(100, 2, rng=0)
    array([1., 1.])
    """
    n_units, n_patterns = positive_int(n_units, "n_units"), positive_int(n_patterns, "n_patterns")
    rng = np.random.default_rng(rng)
    xi = rng.choice([-1.0, 1.0], size=(n_patterns, n_units))
    start = xi.copy()
    n_flip = int(round(flip_fraction * n_units))
    if not 0 <= n_flip <= n_units:
        raise ValueError(f"flip_fraction must lie in [0, 1], got {flip_fraction}")
    for row in start:
        row[rng.choice(n_units, n_flip, replace=False)] *= -1
    out = hopfield_recall(start, hebbian_weights(xi), max_sweeps=max_sweeps, rng=rng).state
    return (out * xi).mean(axis=1)


def modern_hopfield_update(query, patterns, beta: float = 1.0) -> np.ndarray:
    r"""One update of a modern (continuous) Hopfield network: softmax attention over the patterns.

    Parameters
    ----------
    query : array_like of shape (N,) or (B, N)
        The state(s) :math:`\xi`.
    patterns : array_like of shape (P, N)
        The stored patterns :math:`X` (real-valued).
    beta : float, default 1
        Inverse temperature; large :math:`\beta` retrieves the single closest pattern.

    Returns
    -------
    new_state : ndarray, same shape as ``query``

    Notes
    -----
    .. math:: \xi^{\text{new}} = X^\top \operatorname{softmax}(\beta X \xi) .

    This is scaled dot-product attention with query :math:`\xi`, keys and values :math:`X` and
    scale :math:`\beta` instead of :math:`1/\sqrt{d}` (Ramsauer et al., 2021, *Hopfield networks
    is all you need*). It minimizes the energy
    :math:`E = -\beta^{-1}\log\sum_\mu e^{\beta x_\mu^\top\xi} + \tfrac12\xi^\top\xi + \text{const}`
    and stores exponentially many patterns in :math:`N`.

    See Also
    --------
    :ref:`ch-hopfield`

    Examples
    --------
    A large beta picks the stored pattern most similar to the query:

    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> modern_hopfield_update([0.9, 0.2], X, beta=50.0).round(6)
    array([1., 0.])
    """
    q = real_array(query, "query", finite=True)
    x = real_array(patterns, "patterns", ndim=2, finite=True, nonempty=True)
    if q.ndim not in (1, 2) or q.shape[-1] != x.shape[1]:
        raise ValueError(f"query must have shape (N,) or (B, N) with N = {x.shape[1]} "
                         f"(patterns {x.shape}), got {q.shape}")
    beta = positive_real(beta, "beta")
    logits = beta * q @ x.T                                        # (B, P) or (P,)
    logits = logits - logits.max(axis=-1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=-1, keepdims=True)
    return p @ x


class Hopfield:
    r"""A Hopfield network of ``n_units`` ±1 units: store patterns, compute energies, recall.

    Parameters
    ----------
    n_units : int

    Attributes
    ----------
    weight : ndarray of shape (n_units, n_units)
        Hebbian weights of every pattern stored so far (zero before any is stored).
    patterns : ndarray of shape (P, n_units)
        The stored patterns.

    See Also
    --------
    hebbian_weights, hopfield_recall, :ref:`ch-hopfield`

    Examples
    --------
    >>> net = Hopfield(6)
    >>> net.store([[1, 1, 1, -1, -1, -1], [1, -1, 1, -1, 1, -1]])
    >>> net.recall([1, 1, 1, -1, -1, 1])      # the first pattern with its last unit flipped
    array([ 1.,  1.,  1., -1., -1., -1.])
    >>> net.energy([1, 1, 1, -1, -1, -1]) < net.energy([1, 1, 1, -1, -1, 1])
    True
    """

    def __init__(self, n_units: int):
        self.n_units = positive_int(n_units, "n_units")
        self.weight = np.zeros((self.n_units, self.n_units))
        self.patterns = np.zeros((0, self.n_units))

    def store(self, patterns) -> None:
        """Add ±1 patterns (rows of length ``n_units``) by Hebb's rule.

        Raises
        ------
        ValueError
            If a pattern has the wrong length or a value other than ±1 (naming the shape).

        Examples
        --------
        >>> net = Hopfield(3)
        >>> net.store([1, -1, 1])
        >>> net.patterns.shape
        (1, 3)
        """
        xi = _spins(patterns, "patterns", self.n_units)
        xi = xi[None] if xi.ndim == 1 else xi
        self.patterns = np.concatenate([self.patterns, xi])
        self.weight = hebbian_weights(self.patterns)

    def energy(self, state):
        """:func:`hopfield_energy` of ``state`` (one state or a batch) with this net's weights.

        Examples
        --------
        >>> net = Hopfield(2)
        >>> net.store([1, 1])
        >>> net.energy([1, 1])
        -0.5
        """
        return hopfield_energy(state, self.weight)

    def recall(self, state, max_sweeps: int = 100, rng=None) -> np.ndarray:
        """The state reached by asynchronous updates from ``state`` (see :func:`hopfield_recall`).

        Examples
        --------
        >>> net = Hopfield(4)
        >>> net.store([1, -1, 1, -1])
        >>> net.recall([-1, -1, 1, -1])
        array([ 1., -1.,  1., -1.])
        """
        int_value(max_sweeps, "max_sweeps", low=1)
        return hopfield_recall(state, self.weight, max_sweeps=max_sweeps, rng=rng).state

    def __repr__(self) -> str:
        return f"Hopfield(n_units={self.n_units}, patterns stored={len(self.patterns)})"
