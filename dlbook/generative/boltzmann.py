r"""A (fully connected) Boltzmann machine small enough to compute exactly: energies, the partition
function and the learning rule by enumerating every state, and Gibbs sampling to check them.

:math:`n` binary units :math:`s \in \{0,1\}^n`, symmetric weights with a zero diagonal, energy
:math:`E(s) = -\tfrac12 s^\top W s - b^\top s` and :math:`p(s) = e^{-E(s)}/Z`. The first
``n_visible`` units are visible, the rest hidden. Every unit may connect to every other, which is
what the *restricted* Boltzmann machine (:mod:`dlbook.generative.rbm`) gives up.

See Also
--------
:ref:`ch-boltzmann` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import finite_array, int_value, positive_int

__all__ = ["all_states", "boltzmann_energy", "boltzmann_log_partition",
           "boltzmann_probabilities", "visible_marginal", "boltzmann_gibbs",
           "boltzmann_learning_gradient"]

#: The most units :func:`all_states` enumerates.
MAX_UNITS = 20


def _params(weight, bias):
    w = finite_array(weight, "weight", ndim=2).astype(np.float64)
    n = w.shape[0]
    if w.shape != (n, n):
        raise ValueError(f"weight must be square (n, n), got shape {w.shape}")
    if np.abs(w - w.T).max() > 1e-12 or np.abs(np.diag(w)).max() > 0:
        raise ValueError(f"weight of shape {w.shape} must be symmetric with a zero diagonal")
    b = finite_array(bias, "bias", ndim=1).astype(np.float64)
    if b.shape != (n,):
        raise ValueError(f"bias must have shape ({n},) to match weight {w.shape}, got {b.shape}")
    return w, b


def all_states(n: int) -> np.ndarray:
    r"""The :math:`2^n` binary states of ``n`` units, one per row; bit j of the row number is
    unit j.

    Examples
    --------
    >>> all_states(2)
    array([[0., 0.],
           [1., 0.],
           [0., 1.],
           [1., 1.]])
    """
    n = int_value(n, "n", low=1, high=MAX_UNITS)
    return ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1).astype(np.float64)


def boltzmann_energy(state, weight, bias) -> np.ndarray:
    r""":math:`E(s) = -\tfrac12 s^\top W s - b^\top s` for each row of ``state``.

    Parameters
    ----------
    state : array_like of shape (N, n), binary
    weight : array_like of shape (n, n), symmetric, zero diagonal
    bias : array_like of shape (n,)

    Returns
    -------
    energy : ndarray of shape (N,)

    Examples
    --------
    Two units joined by weight 2 and the first with bias 0.5: both on,
    :math:`E = -2 - 0.5`; only the first on, :math:`E = -0.5`.

    >>> boltzmann_energy([[1, 1], [1, 0]], [[0.0, 2.0], [2.0, 0.0]], [0.5, 0.0])
    array([-2.5, -0.5])
    """
    w, b = _params(weight, bias)
    s = finite_array(state, "state", ndim=2)
    if s.shape[1] != len(b) or not np.all((s == 0) | (s == 1)):
        raise ValueError(f"state must be binary with {len(b)} columns, got shape {s.shape}")
    return -0.5 * np.einsum("ni,ij,nj->n", s, w, s) - s @ b


def boltzmann_log_partition(weight, bias) -> float:
    r"""The exact :math:`\log Z = \log \sum_s e^{-E(s)}` over all :math:`2^n` states.

    Examples
    --------
    Two independent units with zero bias: :math:`Z = 4`.

    >>> abs(boltzmann_log_partition(np.zeros((2, 2)), np.zeros(2)) - float(np.log(4))) < 1e-12
    True
    """
    w, b = _params(weight, bias)
    neg = -boltzmann_energy(all_states(len(b)), w, b)
    m = neg.max()
    return float(m + np.log(np.exp(neg - m).sum()))


def boltzmann_probabilities(weight, bias) -> np.ndarray:
    r""":math:`p(s)` for every state, in the order of :func:`all_states`; sums to 1.

    Examples
    --------
    >>> boltzmann_probabilities(np.zeros((2, 2)), np.zeros(2))
    array([0.25, 0.25, 0.25, 0.25])
    """
    w, b = _params(weight, bias)
    return np.exp(-boltzmann_energy(all_states(len(b)), w, b) - boltzmann_log_partition(w, b))


def visible_marginal(weight, bias, n_visible: int) -> np.ndarray:
    r""":math:`p(v) = \sum_h p(v, h)` for each of the :math:`2^{n_v}` visible states.

    The first ``n_visible`` units are the visible ones; the result is ordered as
    ``all_states(n_visible)``.

    Examples
    --------
    >>> visible_marginal(np.zeros((3, 3)), np.zeros(3), n_visible=1)
    array([0.5, 0.5])
    """
    w, b = _params(weight, bias)
    nv = int_value(n_visible, "n_visible", low=1, high=len(b))
    p = boltzmann_probabilities(w, b)
    index = np.arange(len(p)) & ((1 << nv) - 1)                    # the visible bits of each state
    return np.bincount(index, weights=p, minlength=1 << nv)


def boltzmann_gibbs(state, weight, bias, n_sweeps: int, rng=None) -> np.ndarray:
    r"""Sequential Gibbs sampling: each sweep sets every unit in turn to 1 with probability
    :math:`\sigma\big(\sum_j W_{ij} s_j + b_i\big)`.

    Parameters
    ----------
    state : array_like of shape (N, n), binary
        N independent chains, updated together.
    weight, bias : the parameters
    n_sweeps : int
    rng : numpy.random.Generator or int, optional

    Returns
    -------
    state : ndarray of shape (N, n)

    Examples
    --------
    A unit with a huge bias is on after one sweep:

    >>> boltzmann_gibbs(np.zeros((2, 2)), np.zeros((2, 2)), [50.0, -50.0], 1, rng=0)
    array([[1., 0.],
           [1., 0.]])
    """
    w, b = _params(weight, bias)
    s = finite_array(state, "state", ndim=2).astype(np.float64).copy()
    if s.shape[1] != len(b):
        raise ValueError(f"state must have {len(b)} columns, got shape {s.shape}")
    rng = np.random.default_rng(rng)
    for _ in range(positive_int(n_sweeps, "n_sweeps")):
        for i in range(len(b)):
            p = 0.5 * (1 + np.tanh(0.5 * (s @ w[:, i] + b[i])))
            s[:, i] = rng.random(len(s)) < p
    return s


def boltzmann_learning_gradient(data, weight, bias):
    r"""The exact gradient of the mean log-likelihood of visible data, with hidden units
    marginalized: the Boltzmann machine learning rule.

    Parameters
    ----------
    data : array_like of shape (N, n_visible), binary
        The visible part of each example; the remaining units are hidden.
    weight, bias : the parameters (all n units)

    Returns
    -------
    d_weight : ndarray of shape (n, n)
        Symmetric, zero diagonal.
    d_bias : ndarray of shape (n,)

    Notes
    -----
    .. math::

        \frac{\partial \bar\ell}{\partial W_{ij}} = \langle s_i s_j \rangle_{\text{clamped}}
            - \langle s_i s_j \rangle_{\text{free}}, \qquad
        \frac{\partial \bar\ell}{\partial b_i} = \langle s_i \rangle_{\text{clamped}}
            - \langle s_i \rangle_{\text{free}},

    where *clamped* averages over the data with the hidden units drawn from
    :math:`p(h \mid v)`, and *free* over the model's :math:`p(s)` (Ackley, Hinton & Sejnowski,
    1985). Both are exact sums over states here.

    Examples
    --------
    One visible unit, no hidden: data that is always on pulls the bias up by :math:`1 - p(s=1)`.

    >>> dw, db = boltzmann_learning_gradient([[1]], np.zeros((1, 1)), np.zeros(1))
    >>> db
    array([0.5])
    """
    w, b = _params(weight, bias)
    n = len(b)
    v = finite_array(data, "data", ndim=2)
    nv = v.shape[1]
    if not 1 <= nv <= n or not np.all((v == 0) | (v == 1)):
        raise ValueError(f"data must be binary with 1..{n} columns, got shape {v.shape}")
    states = all_states(n)
    p = boltzmann_probabilities(w, b)
    free_ss, free_s = (states * p[:, None]).T @ states, p @ states
    # clamped: for each data row, p(h | v) over the states whose visible bits equal it
    code = (v * (1 << np.arange(nv))).sum(1).astype(np.int64)        # (N,) visible index
    visible_index = np.arange(len(states)) & ((1 << nv) - 1)
    weights = np.zeros(len(states))
    for c in code:
        match = visible_index == c
        weights[match] += p[match] / p[match].sum()
    weights /= len(v)
    clamped_ss, clamped_s = (states * weights[:, None]).T @ states, weights @ states
    d_weight = clamped_ss - free_ss
    np.fill_diagonal(d_weight, 0.0)
    return d_weight, clamped_s - free_s
