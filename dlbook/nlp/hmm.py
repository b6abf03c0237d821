r"""Hidden Markov models: Viterbi decoding, the forward and backward recursions, posteriors.

An HMM with :math:`K` hidden states and :math:`V` observation symbols is given by three
row-stochastic arrays: ``start`` :math:`\pi` of shape (K,), ``trans`` :math:`A` of shape (K, K)
with :math:`A_{ij} = P(z_{t+1}=j \mid z_t=i)`, and ``emit`` :math:`B` of shape (K, V) with
:math:`B_{jv} = P(x_t=v \mid z_t=j)`.  Everything runs in log space, so sequences of thousands
of steps do not underflow; each time step is one vectorized operation over the states.

Framework-free code: there is no ``_torch`` twin.

See Also
--------
:ref:`ch-dp-elsewhere` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import check_shape, int_value, real_array

__all__ = ["check_hmm", "joint_log_prob", "viterbi", "hmm_forward_log_alpha",
           "hmm_log_likelihood", "hmm_backward_log_beta", "posterior", "sample"]


def _log(p):
    with np.errstate(divide="ignore"):  # log(0) = -inf is meant: an impossible event
        return np.log(p)


def _logsumexp(a, axis):
    """Stable log(sum(exp(a))) along ``axis``; -inf where every term is -inf."""
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    return np.squeeze(out, axis=axis)


def check_hmm(start, trans, emit, obs=None, *, atol=1e-8):
    r"""Validate HMM parameters (and optionally an observation sequence); return float arrays.

    Parameters
    ----------
    start : array_like of shape (K,)
        Initial distribution :math:`\pi`.
    trans : array_like of shape (K, K)
        Transition matrix :math:`A`, rows sum to 1.
    emit : array_like of shape (K, V)
        Emission matrix :math:`B`, rows sum to 1.
    obs : array_like of int, shape (T,), optional
        Observation symbols in ``[0, V)``; at least one.
    atol : float, default 1e-8
        Tolerance on the row sums.

    Returns
    -------
    start, trans, emit : ndarray (float64)
    obs : ndarray of int64 or None

    Raises
    ------
    ValueError
        On a shape mismatch, a negative entry, a row that does not sum to 1, an empty
        observation sequence or a symbol out of range.
    TypeError
        If ``obs`` is not made of integers.

    Examples
    --------
    >>> s, A, B, x = check_hmm([1.0, 0.0], [[0.5, 0.5], [0.0, 1.0]], [[1.0], [1.0]], [0, 0])
    >>> A.shape, x.tolist()
    ((2, 2), [0, 0])
    """
    start = real_array(start, "start", ndim=1).astype(np.float64)
    K = start.shape[0]
    trans = real_array(trans, "trans").astype(np.float64)
    check_shape(trans, "trans", (K, K), "(K, K)")
    emit = real_array(emit, "emit").astype(np.float64)
    check_shape(emit, "emit", (K, None), "(K, V)")
    for name, p in (("start", start), ("trans", trans), ("emit", emit)):
        if not np.all(np.isfinite(p)) or np.any(p < 0):
            raise ValueError(f"{name} must hold finite non-negative probabilities")
        sums = p.sum(axis=-1)
        if not np.allclose(sums, 1.0, rtol=0, atol=atol):
            raise ValueError(f"{name} rows must sum to 1, got sums {np.round(sums, 6)}")
    if obs is not None:
        obs = np.asarray(obs)
        if obs.ndim != 1 or obs.size == 0:
            raise ValueError(f"obs must be a non-empty 1-D sequence, got shape {obs.shape}")
        if obs.dtype.kind not in "iu":
            raise TypeError(f"obs must hold integer symbols, got dtype {obs.dtype}")
        V = emit.shape[1]
        if obs.min() < 0 or obs.max() >= V:
            raise ValueError(f"obs symbols must lie in [0, {V}), got min {obs.min()}, "
                             f"max {obs.max()}")
        obs = obs.astype(np.int64)
    return start, trans, emit, obs


def joint_log_prob(obs, states, start, trans, emit) -> float:
    r"""Log of the joint probability of an observation sequence and one state path.

    Parameters
    ----------
    obs : array_like of int, shape (T,)
    states : array_like of int, shape (T,)
        A hidden state path, values in ``[0, K)``.
    start, trans, emit : array_like
        As in :func:`check_hmm`.

    Returns
    -------
    float
        :math:`\log P(x, z) = \log \pi_{z_1} + \log B_{z_1 x_1}
        + \sum_{t=2}^T \bigl(\log A_{z_{t-1} z_t} + \log B_{z_t x_t}\bigr)`; ``-inf`` for an
        impossible path.

    Raises
    ------
    ValueError
        If ``states`` has another length than ``obs`` or a state is out of range, or as
        :func:`check_hmm`.

    See Also
    --------
    viterbi : the path that maximizes this.
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> start, trans = [0.6, 0.4], [[0.7, 0.3], [0.4, 0.6]]
    >>> emit = [[0.5, 0.4, 0.1], [0.1, 0.3, 0.6]]
    >>> round(float(np.exp(joint_log_prob([0, 1, 2], [0, 0, 1], start, trans, emit))), 5)
    0.01512
    """
    start, trans, emit, obs = check_hmm(start, trans, emit, obs)
    z = np.asarray(states)
    if z.shape != obs.shape:
        raise ValueError(f"states has shape {z.shape} but obs has {obs.shape}")
    K = start.shape[0]
    if z.dtype.kind not in "iu" or z.min() < 0 or z.max() >= K:
        raise ValueError(f"states must be integers in [0, {K})")
    return float(_log(start[z[0]]) + _log(trans[z[:-1], z[1:]]).sum()
                 + _log(emit[z, obs]).sum())


def viterbi(obs, start, trans, emit):
    r"""Most probable hidden state path (Viterbi decoding), in log space.

    Parameters
    ----------
    obs : array_like of int, shape (T,)
        Observation symbols in ``[0, V)``.
    start : array_like of shape (K,)
    trans : array_like of shape (K, K)
    emit : array_like of shape (K, V)

    Returns
    -------
    path : ndarray of int64, shape (T,)
        :math:`\arg\max_z P(z \mid x)` (ties go to the lowest state index).
    log_prob : float
        :math:`\max_z \log P(x, z)`, the joint log probability of that path.

    Raises
    ------
    ValueError, TypeError
        As :func:`check_hmm`.

    Notes
    -----
    With :math:`\delta_1(j) = \log\pi_j + \log B_{j x_1}`,

    .. math::

        \delta_t(j) = \max_i \bigl(\delta_{t-1}(i) + \log A_{ij}\bigr) + \log B_{j x_t},
        \qquad \psi_t(j) = \arg\max_i \bigl(\delta_{t-1}(i) + \log A_{ij}\bigr),

    then :math:`z_T = \arg\max_j \delta_T(j)` and :math:`z_{t-1} = \psi_t(z_t)` backwards.
    Cost :math:`O(T K^2)` instead of the :math:`K^T` paths of brute force.

    References
    ----------
    A. J. Viterbi, "Error bounds for convolutional codes and an asymptotically optimum decoding
    algorithm", IEEE Trans. Information Theory 13(2), 1967.

    See Also
    --------
    hmm_forward_log_alpha : the same recursion with log-sum-exp in place of max.
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    The healthy (0) / fever (1) patient observed as normal (0), cold (1), dizzy (2):

    >>> start, trans = [0.6, 0.4], [[0.7, 0.3], [0.4, 0.6]]
    >>> emit = [[0.5, 0.4, 0.1], [0.1, 0.3, 0.6]]
    >>> path, lp = viterbi([0, 1, 2], start, trans, emit)
    >>> path.tolist(), round(float(np.exp(lp)), 5)
    ([0, 0, 1], 0.01512)
    """
    start, trans, emit, obs = check_hmm(start, trans, emit, obs)
    T, K = obs.shape[0], start.shape[0]
    log_A, log_B = _log(trans), _log(emit)
    delta = _log(start) + log_B[:, obs[0]]  # (K,)
    psi = np.zeros((T, K), dtype=np.int64)
    for t in range(1, T):
        scores = delta[:, None] + log_A  # (K, K): from state i (rows) to state j (columns)
        psi[t] = np.argmax(scores, axis=0)
        delta = scores[psi[t], np.arange(K)] + log_B[:, obs[t]]
    path = np.empty(T, dtype=np.int64)
    path[-1] = np.argmax(delta)
    for t in range(T - 1, 0, -1):
        path[t - 1] = psi[t, path[t]]
    return path, float(delta[path[-1]])


def hmm_forward_log_alpha(obs, start, trans, emit) -> np.ndarray:
    r"""The forward recursion: :math:`\log\alpha_t(j) = \log P(x_1, \dots, x_t, z_t = j)`.

    Parameters
    ----------
    obs : array_like of int, shape (T,)
    start : array_like of shape (K,)
    trans : array_like of shape (K, K)
    emit : array_like of shape (K, V)

    Returns
    -------
    log_alpha : ndarray of shape (T, K)

    Raises
    ------
    ValueError, TypeError
        As :func:`check_hmm`.

    Notes
    -----
    .. math::

        \log\alpha_1(j) = \log\pi_j + \log B_{j x_1},\qquad
        \log\alpha_t(j) = \operatorname{logsumexp}_i\bigl(\log\alpha_{t-1}(i) + \log A_{ij}\bigr)
        + \log B_{j x_t}.

    References
    ----------
    L. R. Rabiner, "A tutorial on hidden Markov models and selected applications in speech
    recognition", Proc. IEEE 77(2), 1989.

    See Also
    --------
    hmm_log_likelihood, viterbi, hmm_backward_log_beta, posterior
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> start, trans = [0.6, 0.4], [[0.7, 0.3], [0.4, 0.6]]
    >>> emit = [[0.5, 0.4, 0.1], [0.1, 0.3, 0.6]]
    >>> np.exp(hmm_forward_log_alpha([0], start, trans, emit))  # 0.6 * 0.5 and 0.4 * 0.1
    array([[0.3 , 0.04]])
    """
    start, trans, emit, obs = check_hmm(start, trans, emit, obs)
    T, K = obs.shape[0], start.shape[0]
    log_A, log_B = _log(trans), _log(emit)
    log_alpha = np.empty((T, K))
    log_alpha[0] = _log(start) + log_B[:, obs[0]]
    for t in range(1, T):
        log_alpha[t] = _logsumexp(log_alpha[t - 1][:, None] + log_A, axis=0) + log_B[:, obs[t]]
    return log_alpha


def hmm_log_likelihood(obs, start, trans, emit) -> float:
    r"""The log likelihood :math:`\log P(x) = \operatorname{logsumexp}_j \log\alpha_T(j)`.

    Parameters
    ----------
    obs, start, trans, emit
        As in :func:`hmm_forward_log_alpha`.

    Returns
    -------
    float
        :math:`\log \sum_z P(x, z)`, the probability of the observations summed over every
        state path; ``-inf`` if the sequence is impossible.

    See Also
    --------
    hmm_forward_log_alpha
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> start, trans = [0.6, 0.4], [[0.7, 0.3], [0.4, 0.6]]
    >>> emit = [[0.5, 0.4, 0.1], [0.1, 0.3, 0.6]]
    >>> round(float(np.exp(hmm_log_likelihood([0], start, trans, emit))), 4)  # 0.3 + 0.04
    0.34
    """
    return float(_logsumexp(hmm_forward_log_alpha(obs, start, trans, emit)[-1], axis=0))


def hmm_backward_log_beta(obs, start, trans, emit) -> np.ndarray:
    r"""The backward recursion: :math:`\log\beta_t(i) = \log P(x_{t+1}, \dots, x_T \mid z_t = i)`.

    Parameters
    ----------
    obs, start, trans, emit
        As in :func:`hmm_forward_log_alpha` (``start`` is only validated: :math:`\beta` does
        not use it).

    Returns
    -------
    log_beta : ndarray of shape (T, K)
        :math:`\log\beta_T(i) = 0` and
        :math:`\log\beta_t(i) = \operatorname{logsumexp}_j\bigl(\log A_{ij} + \log B_{j x_{t+1}}
        + \log\beta_{t+1}(j)\bigr)`.

    Raises
    ------
    ValueError, TypeError
        As :func:`check_hmm`.

    See Also
    --------
    hmm_forward_log_alpha, posterior
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> start, trans = [0.6, 0.4], [[0.7, 0.3], [0.4, 0.6]]
    >>> emit = [[0.5, 0.4, 0.1], [0.1, 0.3, 0.6]]
    >>> np.exp(hmm_backward_log_beta([0, 2], start, trans, emit)).round(2)  # .7*.1 + .3*.6
    array([[0.25, 0.4 ],
           [1.  , 1.  ]])
    """
    start, trans, emit, obs = check_hmm(start, trans, emit, obs)
    T, K = obs.shape[0], start.shape[0]
    log_A, log_B = _log(trans), _log(emit)
    log_beta = np.zeros((T, K))
    for t in range(T - 2, -1, -1):
        log_beta[t] = _logsumexp(log_A + (log_B[:, obs[t + 1]] + log_beta[t + 1])[None, :],
                                 axis=1)
    return log_beta


def posterior(obs, start, trans, emit):
    r"""Posterior state marginals :math:`P(z_t = j \mid x)` by forward-backward.

    Parameters
    ----------
    obs, start, trans, emit
        As in :func:`hmm_forward_log_alpha`.

    Returns
    -------
    gamma : ndarray of shape (T, K)
        :math:`\gamma_t(j) = \alpha_t(j)\,\beta_t(j) / P(x)`; each row sums to 1.

    Raises
    ------
    ValueError
        If the sequence is impossible under the model (:math:`P(x) = 0`), or as
        :func:`check_hmm`.

    See Also
    --------
    hmm_forward_log_alpha, hmm_backward_log_beta, viterbi
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> start, trans = [0.6, 0.4], [[0.7, 0.3], [0.4, 0.6]]
    >>> emit = [[0.5, 0.4, 0.1], [0.1, 0.3, 0.6]]
    >>> posterior([0], start, trans, emit).round(4)  # 0.30/0.34 and 0.04/0.34
    array([[0.8824, 0.1176]])
    """
    log_alpha = hmm_forward_log_alpha(obs, start, trans, emit)
    ll = _logsumexp(log_alpha[-1], axis=0)
    if not np.isfinite(ll):
        raise ValueError("the observation sequence has probability 0 under this HMM")
    log_beta = hmm_backward_log_beta(obs, start, trans, emit)
    return np.exp(log_alpha + log_beta - ll)


def sample(rng, T, start, trans, emit):
    r"""Draw a state path and an observation sequence of length ``T`` from the HMM.

    Parameters
    ----------
    rng : numpy.random.Generator
    T : int
        Number of steps, at least 1.
    start, trans, emit : array_like
        As in :func:`check_hmm`.

    Returns
    -------
    states, obs : ndarray of int64, shape (T,)

    Raises
    ------
    ValueError
        If ``T < 1``, or as :func:`check_hmm`.

    See Also
    --------
    :ref:`ch-dp-elsewhere` : the chapter.

    Examples
    --------
    >>> z, x = sample(np.random.default_rng(0), 4, [1.0, 0.0], [[0.0, 1.0], [1.0, 0.0]],
    ...               [[1.0, 0.0], [0.0, 1.0]])
    >>> z.tolist(), x.tolist()
    ([0, 1, 0, 1], [0, 1, 0, 1])
    """
    T = int_value(T, "T", low=1)
    start, trans, emit, _ = check_hmm(start, trans, emit)
    u = rng.random((T, 2))  # inverse-CDF sampling: one uniform for the state, one for the symbol
    cum_A, cum_B = np.cumsum(trans, axis=1), np.cumsum(emit, axis=1)
    z = np.empty(T, dtype=np.int64)
    z[0] = min(np.searchsorted(np.cumsum(start), u[0, 0], side="right"), len(start) - 1)
    for t in range(1, T):
        z[t] = min(np.searchsorted(cum_A[z[t - 1]], u[t, 0], side="right"), len(start) - 1)
    # symbols are drawn for all steps at once: row z[t] of the cumulative emission matrix
    x = (u[:, 1:2] >= cum_B[z]).sum(axis=1)
    x = np.minimum(x, emit.shape[1] - 1).astype(np.int64)
    return z, x
