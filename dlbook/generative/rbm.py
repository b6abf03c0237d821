r"""Restricted Boltzmann machines in NumPy: free energy, the exact partition function and
log-likelihood gradient of a small model by enumeration, contrastive divergence (CD-k) and
persistent CD, Gibbs sampling and the pseudo-likelihood.

An RBM has binary visible units :math:`v \in \{0,1\}^{D}` and hidden units
:math:`h \in \{0,1\}^{H}`, connected only across the two layers, with energy
:math:`E(v, h) = -v^\top b_v - h^\top b_h - v^\top W h` and :math:`p(v, h) = e^{-E(v,h)}/Z`.
No connections inside a layer make both conditionals factorize:
:math:`p(h_j = 1 \mid v) = \sigma(b_{h,j} + (v^\top W)_j)` and
:math:`p(v_i = 1 \mid h) = \sigma(b_{v,i} + (W h)_i)`.

Layouts follow ``W`` of shape (D, H), as the external checks and the chapter write it;
scikit-learn's ``BernoulliRBM.components_`` is its transpose.

See Also
--------
:ref:`ch-boltzmann` : the chapter.
dlbook.generative.boltzmann : the fully connected Boltzmann machine.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import finite_array, int_value, one_of, positive_int, positive_real

__all__ = ["MAX_ENUMERATION_UNITS", "rbm_free_energy", "hidden_probabilities",
           "visible_probabilities", "rbm_log_partition", "rbm_log_likelihood_gradient",
           "rbm_cd_gradient", "rbm_pcd_gradient", "rbm_gibbs", "rbm_pseudo_log_likelihood",
           "RBM"]

#: The largest layer :func:`rbm_log_partition` enumerates: 2**20 states.
MAX_ENUMERATION_UNITS = 20


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))                          # stable for any x


def _params(W, b_visible, b_hidden):
    W = finite_array(W, "W", ndim=2).astype(np.float64)
    D, H = W.shape
    bv = finite_array(b_visible, "b_visible", ndim=1).astype(np.float64)
    bh = finite_array(b_hidden, "b_hidden", ndim=1).astype(np.float64)
    if bv.shape != (D,) or bh.shape != (H,):
        raise ValueError(f"W has shape {W.shape}, so b_visible must have shape ({D},) and "
                         f"b_hidden ({H},); got {bv.shape} and {bh.shape}")
    return W, bv, bh


def _binary(v, name: str, n_units: int) -> np.ndarray:
    """A (N, n_units) array of 0/1 values (a single (n_units,) row is promoted)."""
    a = finite_array(v, name)
    a = a[None] if a.ndim == 1 else a
    if a.ndim != 2 or a.shape[1] != n_units:
        raise ValueError(f"{name} must have shape (N, {n_units}), got {np.shape(v)}")
    if not np.all((a == 0) | (a == 1)):
        raise ValueError(f"{name} must be binary (0 or 1): the RBM's units are Bernoulli; got "
                         f"other values in an array of shape {a.shape}")
    return a.astype(np.float64)


def rbm_free_energy(v, W, b_visible, b_hidden) -> np.ndarray:
    r"""The free energy :math:`F(v)`, with :math:`p(v) = e^{-F(v)}/Z`.

    Parameters
    ----------
    v : array_like of shape (N, D), binary
    W : array_like of shape (D, H)
    b_visible : array_like of shape (D,)
    b_hidden : array_like of shape (H,)

    Returns
    -------
    F : ndarray of shape (N,)

    Notes
    -----
    Summing :math:`e^{-E(v,h)}` over the :math:`2^H` hidden states factorizes over the units:

    .. math:: F(v) = -v^\top b_v - \sum_{j=1}^{H} \log\big(1 + e^{b_{h,j} + (v^\top W)_j}\big).

    The softplus is computed as ``logaddexp(0, x)``, which never overflows.

    Examples
    --------
    One visible and one hidden unit, all parameters 0: :math:`F = -\log 2`.

    >>> rbm_free_energy([[1]], [[0.0]], [0.0], [0.0])
    array([-0.69314718])
    """
    W, bv, bh = _params(W, b_visible, b_hidden)
    v = _binary(v, "v", W.shape[0])
    return -v @ bv - np.logaddexp(0.0, v @ W + bh).sum(axis=1)


def hidden_probabilities(v, W, b_hidden) -> np.ndarray:
    r""":math:`p(h_j = 1 \mid v) = \sigma(b_{h,j} + (v^\top W)_j)` for each row of ``v``.

    ``v`` may hold probabilities as well as binary values (mean-field passes up a stack).

    Examples
    --------
    >>> hidden_probabilities([[1.0, 0.0]], [[2.0], [5.0]], [-2.0])
    array([[0.5]])
    """
    W = finite_array(W, "W", ndim=2)
    v = finite_array(v, "v", ndim=2)
    if v.shape[1] != W.shape[0]:
        raise ValueError(f"v has shape {v.shape} but W has {W.shape}")
    return _sigmoid(v @ W + finite_array(b_hidden, "b_hidden", ndim=1))


def visible_probabilities(h, W, b_visible) -> np.ndarray:
    r""":math:`p(v_i = 1 \mid h) = \sigma(b_{v,i} + (W h)_i)` for each row of ``h``.

    Examples
    --------
    >>> visible_probabilities([[1.0]], [[2.0], [0.0]], [-2.0, 0.0])
    array([[0.5, 0.5]])
    """
    W = finite_array(W, "W", ndim=2)
    h = finite_array(h, "h", ndim=2)
    if h.shape[1] != W.shape[1]:
        raise ValueError(f"h has shape {h.shape} but W has {W.shape}")
    return _sigmoid(h @ W.T + finite_array(b_visible, "b_visible", ndim=1))


def _states(start: int, stop: int, n: int) -> np.ndarray:
    """Rows start..stop-1 of the 2**n binary states, bit j of the row index in column j."""
    return ((np.arange(start, stop)[:, None] >> np.arange(n)) & 1).astype(np.float64)


def _enumeration(W, bv, bh):
    """Which layer to enumerate and the unnormalized log-probability of each of its states."""
    D, H = W.shape
    n = min(D, H)
    if n > MAX_ENUMERATION_UNITS:
        raise ValueError(f"exact enumeration needs 2**min(n_visible, n_hidden) states; this RBM "
                         f"has n_visible={D}, n_hidden={H}, so 2**{n} states, more than the "
                         f"limit 2**{MAX_ENUMERATION_UNITS}")
    chunk = 1 << 14
    over_visible = D <= H
    logw = np.empty(1 << n)
    for start in range(0, 1 << n, chunk):
        s = _states(start, min(start + chunk, 1 << n), n)
        if over_visible:      # -F(v) = v.b_v + sum softplus(b_h + v W)
            logw[start:start + len(s)] = s @ bv + np.logaddexp(0.0, s @ W + bh).sum(1)
        else:                 # -F(h) = h.b_h + sum softplus(b_v + W h)
            logw[start:start + len(s)] = s @ bh + np.logaddexp(0.0, s @ W.T + bv).sum(1)
    return over_visible, n, logw


def _logsumexp(a):
    m = a.max()
    return float(m + np.log(np.exp(a - m).sum()))


def rbm_log_partition(W, b_visible, b_hidden) -> float:
    r"""The exact :math:`\log Z` by enumerating the states of the smaller layer.

    Parameters
    ----------
    W : array_like of shape (D, H)
    b_visible : array_like of shape (D,)
    b_hidden : array_like of shape (H,)

    Returns
    -------
    log_Z : float

    Raises
    ------
    ValueError
        If :math:`\min(D, H) >` :data:`MAX_ENUMERATION_UNITS`; the message names the sizes.

    Notes
    -----
    .. math:: \log Z = \log \sum_{v} e^{-F(v)} = \log \sum_{h} e^{-F(h)},

    whichever sum is shorter (:math:`2^{\min(D,H)}` terms), by a stable log-sum-exp.

    Examples
    --------
    With all parameters 0, every one of the :math:`2^{D+H}` joint states has energy 0:
    :math:`\log Z = (3 + 2)\log 2`.

    >>> round(rbm_log_partition(np.zeros((3, 2)), np.zeros(3), np.zeros(2)) / float(np.log(2)), 12)
    5.0
    """
    W, bv, bh = _params(W, b_visible, b_hidden)
    return _logsumexp(_enumeration(W, bv, bh)[2])


def rbm_log_likelihood_gradient(v, W, b_visible, b_hidden):
    r"""The exact gradient of the mean log-likelihood of the rows of ``v`` (small models only).

    Parameters
    ----------
    v : array_like of shape (N, D), binary
    W, b_visible, b_hidden : the parameters (see :func:`rbm_free_energy`)

    Returns
    -------
    dW : ndarray of shape (D, H)
    db_visible : ndarray of shape (D,)
    db_hidden : ndarray of shape (H,)
        The ascent direction :math:`\nabla \frac1N \sum_n \log p(v_n)`.

    Notes
    -----
    .. math::

        \frac{\partial}{\partial W} \frac1N\sum_n \log p(v_n)
        = \big\langle v\, p(h{=}1 \mid v)^\top \big\rangle_{\text{data}}
        - \big\langle v\, h^\top \big\rangle_{\text{model}} ,

    and likewise :math:`\langle v\rangle_{\text{data}} - \langle v\rangle_{\text{model}}`,
    :math:`\langle p(h{=}1\mid v)\rangle_{\text{data}} - \langle h\rangle_{\text{model}}` for the
    biases. The model expectations are exact sums over the states of the smaller layer, as in
    :func:`rbm_log_partition`; CD replaces them by a short Gibbs chain.

    See Also
    --------
    rbm_cd_gradient, :ref:`ch-boltzmann`

    Examples
    --------
    One visible and one hidden unit, all zero: the model gives :math:`v = 1` probability 1/2,
    so data that is always 1 pulls the visible bias up by 1/2.

    >>> dW, dbv, dbh = rbm_log_likelihood_gradient([[1]], [[0.0]], [0.0], [0.0])
    >>> dW, dbv, dbh
    (array([[0.25]]), array([0.5]), array([0.]))
    """
    W, bv, bh = _params(W, b_visible, b_hidden)
    v = _binary(v, "v", W.shape[0])
    over_visible, n, logw = _enumeration(W, bv, bh)
    p_all = np.exp(logw - _logsumexp(logw))
    mW, mv, mh = np.zeros_like(W), np.zeros_like(bv), np.zeros_like(bh)
    chunk = 1 << 14
    for start in range(0, 1 << n, chunk):
        s = _states(start, min(start + chunk, 1 << n), n)
        p = p_all[start:start + len(s)]
        if over_visible:
            other = _sigmoid(s @ W + bh)                           # E[h | v] for each v
            mW += (s * p[:, None]).T @ other
            mv += p @ s
            mh += p @ other
        else:
            other = _sigmoid(s @ W.T + bv)                         # E[v | h] for each h
            mW += (other * p[:, None]).T @ s
            mv += p @ other
            mh += p @ s
    ph = _sigmoid(v @ W + bh)
    N = len(v)
    return v.T @ ph / N - mW, v.mean(0) - mv, ph.mean(0) - mh


def _bernoulli(p, rng):
    return (rng.random(p.shape) < p).astype(np.float64)


def _negative_phase(v, W, bv, bh, k, rng):
    """k steps of block Gibbs sampling from v: the final visible sample and p(h=1 | it)."""
    for _ in range(k):
        h = _bernoulli(_sigmoid(v @ W + bh), rng)
        v = _bernoulli(_sigmoid(h @ W.T + bv), rng)
    return v, _sigmoid(v @ W + bh)


def rbm_cd_gradient(v, W, b_visible, b_hidden, k: int = 1, rng=None):
    r"""Contrastive divergence CD-k: the log-likelihood gradient with a k-step Gibbs chain started
    at the data in place of the model expectation.

    Parameters
    ----------
    v : array_like of shape (N, D), binary
    W, b_visible, b_hidden : the parameters
    k : int, default 1
        Gibbs steps :math:`v \to h \to v`.
    rng : numpy.random.Generator or int, optional

    Returns
    -------
    dW, db_visible, db_hidden : ndarrays
        Ascent directions, shaped as the parameters.

    Notes
    -----
    With :math:`v^{(k)}` the visible sample after k steps from :math:`v^{(0)} = v`,

    .. math::

        \Delta W = \tfrac1N \textstyle\sum_n \big(v^{(0)} p(h{=}1\mid v^{(0)})^\top
                 - v^{(k)} p(h{=}1\mid v^{(k)})^\top\big),

    with the same two phases for the biases (Hinton, 2002). Biased for small k; as
    :math:`k \to \infty` its expectation tends to :func:`rbm_log_likelihood_gradient`.

    See Also
    --------
    rbm_pcd_gradient, RBM.cd_gradient, :ref:`ch-boltzmann`

    Examples
    --------
    >>> dW, dbv, dbh = rbm_cd_gradient([[1, 0]], np.zeros((2, 3)), np.zeros(2), np.zeros(3),
    ...                                k=1, rng=0)
    >>> dW.shape, dbv.shape, dbh.shape
    ((2, 3), (2,), (3,))
    """
    W, bv, bh = _params(W, b_visible, b_hidden)
    v0 = _binary(v, "v", W.shape[0])
    k = positive_int(k, "k")
    rng = np.random.default_rng(rng)
    ph0 = _sigmoid(v0 @ W + bh)
    vk, phk = _negative_phase(v0, W, bv, bh, k, rng)
    N = len(v0)
    return (v0.T @ ph0 - vk.T @ phk) / N, (v0 - vk).mean(0), (ph0 - phk).mean(0)


def rbm_pcd_gradient(v, chains, W, b_visible, b_hidden, k: int = 1, rng=None):
    r"""Persistent contrastive divergence: the negative phase continues chains kept between calls.

    Parameters
    ----------
    v : array_like of shape (N, D), binary
        The data batch (positive phase).
    chains : array_like of shape (M, D), binary
        The persistent "fantasy particles" from the previous call.
    W, b_visible, b_hidden : the parameters
    k : int, default 1
    rng : numpy.random.Generator or int, optional

    Returns
    -------
    grads : tuple (dW, db_visible, db_hidden)
    chains : ndarray of shape (M, D)
        The particles after k more Gibbs steps, for the next call.

    Notes
    -----
    Tieleman (2008). Because the chains are not restarted at the data, they wander to the
    regions the model wrongly favours, and the update pushes those down; scikit-learn's
    ``BernoulliRBM`` trains this way with k = 1.

    See Also
    --------
    rbm_cd_gradient, :ref:`ch-boltzmann`

    Examples
    --------
    >>> grads, chains = rbm_pcd_gradient([[1, 0]], [[0, 0], [1, 1]], np.zeros((2, 3)),
    ...                                  np.zeros(2), np.zeros(3), rng=0)
    >>> chains.shape
    (2, 2)
    """
    W, bv, bh = _params(W, b_visible, b_hidden)
    v0 = _binary(v, "v", W.shape[0])
    c = _binary(chains, "chains", W.shape[0])
    k = positive_int(k, "k")
    rng = np.random.default_rng(rng)
    ph0 = _sigmoid(v0 @ W + bh)
    ck, phk = _negative_phase(c, W, bv, bh, k, rng)
    grads = (v0.T @ ph0 / len(v0) - ck.T @ phk / len(ck), v0.mean(0) - ck.mean(0),
             ph0.mean(0) - phk.mean(0))
    return grads, ck


def rbm_gibbs(v, W, b_visible, b_hidden, n_steps: int, rng=None):
    r"""Run ``n_steps`` of block Gibbs sampling :math:`v \to h \to v` from each row of ``v``.

    Returns
    -------
    v_sample : ndarray of shape (N, D)
        The binary states after the last step.
    v_mean : ndarray of shape (N, D)
        :math:`p(v = 1 \mid h)` at the last step (smoother to look at).

    Examples
    --------
    >>> s, m = rbm_gibbs(np.zeros((4, 3)), np.zeros((3, 2)), np.zeros(3), np.zeros(2), 5, rng=0)
    >>> s.shape, m                    # all parameters 0: every pixel is a fair coin
    ((4, 3), array([[0.5, 0.5, 0.5],
           [0.5, 0.5, 0.5],
           [0.5, 0.5, 0.5],
           [0.5, 0.5, 0.5]]))
    """
    W, bv, bh = _params(W, b_visible, b_hidden)
    x = _binary(v, "v", W.shape[0])
    n_steps = positive_int(n_steps, "n_steps")
    rng = np.random.default_rng(rng)
    for _ in range(n_steps):
        h = _bernoulli(_sigmoid(x @ W + bh), rng)
        mean = _sigmoid(h @ W.T + bv)
        x = _bernoulli(mean, rng)
    return x, mean


def rbm_pseudo_log_likelihood(v, W, b_visible, b_hidden) -> np.ndarray:
    r"""The pseudo-log-likelihood :math:`\sum_i \log p(v_i \mid v_{-i})` of each row of ``v``.

    Parameters
    ----------
    v : array_like of shape (N, D), binary
    W, b_visible, b_hidden : the parameters

    Returns
    -------
    pll : ndarray of shape (N,)
        In nats; :math:`\le 0`.

    Notes
    -----
    With :math:`v^{(i)}` equal to :math:`v` with bit :math:`i` flipped, :math:`Z` cancels:

    .. math:: \log p(v_i \mid v_{-i}) = \log \sigma\big(F(v^{(i)}) - F(v)\big) .

    All D bits are summed (exact). scikit-learn's ``BernoulliRBM.score_samples`` flips one random
    bit per row and multiplies by D, an unbiased but noisy estimate of the same number.

    See Also
    --------
    rbm_free_energy, :ref:`ch-boltzmann`

    Examples
    --------
    With all parameters 0 each bit is a fair coin: :math:`D \log \tfrac12`.

    >>> rbm_pseudo_log_likelihood([[1, 0, 1]], np.zeros((3, 2)), np.zeros(3), np.zeros(2))
    array([-2.07944154])
    """
    W, bv, bh = _params(W, b_visible, b_hidden)
    v = _binary(v, "v", W.shape[0])
    out = np.empty(len(v))
    for start in range(0, len(v), 256):
        x = v[start:start + 256]
        pre = x @ W + bh                                           # (n, H)
        sign = 1.0 - 2.0 * x                                       # +1 turns a 0 on, -1 off
        flipped = pre[:, None, :] + sign[:, :, None] * W[None]     # (n, D, H)
        delta_f = -sign * bv - (np.logaddexp(0.0, flipped)
                                - np.logaddexp(0.0, pre)[:, None, :]).sum(-1)   # F(v^(i)) - F(v)
        out[start:start + len(x)] = -np.logaddexp(0.0, -delta_f).sum(1)          # log sigmoid
    return out


class RBM:
    r"""A binary restricted Boltzmann machine with parameters ``W``, ``b_visible``, ``b_hidden``.

    Parameters
    ----------
    n_visible, n_hidden : int
    seed : int, optional
        Seeds the initial weights :math:`W_{ij} \sim \mathcal N(0, 0.01^2)` (biases start at 0,
        as in scikit-learn's ``BernoulliRBM``) and the default sampling generator.

    Attributes
    ----------
    W : ndarray of shape (n_visible, n_hidden)
    b_visible : ndarray of shape (n_visible,)
    b_hidden : ndarray of shape (n_hidden,)

    See Also
    --------
    rbm_free_energy, rbm_cd_gradient, :ref:`ch-boltzmann`

    Examples
    --------
    >>> rbm = RBM(4, 3, seed=0)
    >>> rbm.W.shape, rbm.free_energy([[1, 0, 1, 1]]).shape
    ((4, 3), (1,))
    >>> p = np.exp(-rbm.free_energy(RBM.all_states(4)) - rbm.log_partition_exact())
    >>> round(float(p.sum()), 12)                       # the 16 visible states sum to 1
    1.0
    """

    def __init__(self, n_visible: int, n_hidden: int, seed: int | None = None):
        self.n_visible = positive_int(n_visible, "n_visible")
        self.n_hidden = positive_int(n_hidden, "n_hidden")
        if seed is not None:
            int_value(seed, "seed", low=0)
        self.rng = np.random.default_rng(seed)
        self.W = self.rng.normal(0.0, 0.01, size=(self.n_visible, self.n_hidden))
        self.b_visible = np.zeros(self.n_visible)
        self.b_hidden = np.zeros(self.n_hidden)
        self.chains = None

    @staticmethod
    def all_states(n: int) -> np.ndarray:
        """All :math:`2^n` binary vectors of length ``n``, one per row.

        Examples
        --------
        >>> RBM.all_states(2)
        array([[0., 0.],
               [1., 0.],
               [0., 1.],
               [1., 1.]])
        """
        n = int_value(n, "n", low=1, high=MAX_ENUMERATION_UNITS)
        return _states(0, 1 << n, n)

    def _p(self):
        return self.W, self.b_visible, self.b_hidden

    def free_energy(self, v) -> np.ndarray:
        """:func:`rbm_free_energy` of binary ``v`` (N, n_visible): shape (N,).

        Examples
        --------
        >>> RBM(2, 1, seed=0).free_energy(np.zeros((3, 2))).round(4)
        array([-0.6931, -0.6931, -0.6931])
        """
        return rbm_free_energy(v, *self._p())

    def log_partition_exact(self) -> float:
        """:func:`rbm_log_partition`: :math:`\\log Z` by enumeration (ValueError if too large).

        Examples
        --------
        >>> RBM(30, 40).log_partition_exact()
        Traceback (most recent call last):
            ...
        ValueError: exact enumeration needs 2**min(n_visible, n_hidden) states; ... 2**30 ...
        """
        return rbm_log_partition(*self._p())

    def log_likelihood(self, v) -> np.ndarray:
        r"""The exact :math:`\log p(v) = -F(v) - \log Z` of each row (small models only).

        Examples
        --------
        >>> ll = RBM(3, 2, seed=0).log_likelihood(RBM.all_states(3))
        >>> round(float(np.exp(ll).sum()), 12)
        1.0
        """
        return -self.free_energy(v) - self.log_partition_exact()

    def log_likelihood_gradient_exact(self, v):
        """:func:`rbm_log_likelihood_gradient`: ``(dW, db_visible, db_hidden)``, ascent direction.

        Examples
        --------
        >>> [g.shape for g in RBM(3, 2, seed=0).log_likelihood_gradient_exact([[1, 0, 1]])]
        [(3, 2), (3,), (2,)]
        """
        return rbm_log_likelihood_gradient(v, *self._p())

    def cd_gradient(self, v, k: int = 1, rng=None):
        """:func:`rbm_cd_gradient` with this model's parameters (``rng`` defaults to the model's).

        Examples
        --------
        >>> [g.shape for g in RBM(3, 2, seed=0).cd_gradient([[1, 0, 1]], k=2)]
        [(3, 2), (3,), (2,)]
        """
        return rbm_cd_gradient(v, *self._p(), k=k, rng=self.rng if rng is None else rng)

    def pseudo_log_likelihood(self, v) -> np.ndarray:
        """:func:`rbm_pseudo_log_likelihood` of each row of binary ``v``.

        Examples
        --------
        >>> RBM(3, 2).pseudo_log_likelihood([[0, 0, 0]]).shape
        (1,)
        """
        return rbm_pseudo_log_likelihood(v, *self._p())

    def transform(self, v) -> np.ndarray:
        """Hidden probabilities :math:`p(h = 1 \\mid v)`: the features of ``v`` (N, n_hidden).

        Examples
        --------
        >>> RBM(3, 2, seed=0).transform([[0, 0, 0]])
        array([[0.5, 0.5]])
        """
        return hidden_probabilities(finite_array(v, "v", ndim=2), self.W, self.b_hidden)

    def sample(self, n_samples: int, n_steps: int = 1000, rng=None):
        """Gibbs chains from random binary states: ``(v_sample, v_mean)`` after ``n_steps``.

        Examples
        --------
        >>> s, m = RBM(4, 2, seed=0).sample(3, n_steps=10)
        >>> s.shape, m.shape
        ((3, 4), (3, 4))
        """
        rng = self.rng if rng is None else np.random.default_rng(rng)
        start = (rng.random((positive_int(n_samples, "n_samples"), self.n_visible)) < 0.5)
        return rbm_gibbs(start.astype(float), *self._p(), n_steps=n_steps, rng=rng)

    def fit(self, X, epochs: int = 10, lr: float = 0.1, batch_size: int = 10,
            method: str = "cd", k: int = 1, rng=None) -> list:
        r"""Train by stochastic gradient ascent with CD-k or persistent CD.

        Parameters
        ----------
        X : array_like of shape (N, n_visible), binary
        epochs : int, default 10
        lr : float, default 0.1
            Step size on the mean gradient of a batch (scikit-learn's ``learning_rate``).
        batch_size : int, default 10
        method : {"cd", "pcd"}
            Restart the negative chains at each batch ("cd") or keep ``batch_size`` persistent
            chains ("pcd"; kept in ``self.chains`` across calls).
        k : int, default 1
        rng : numpy.random.Generator or int, optional

        Returns
        -------
        history : list of float
            The mean pseudo-log-likelihood of ``X`` after each epoch.

        Examples
        --------
        >>> X = np.tile([[1, 1, 0, 0], [0, 0, 1, 1]], (20, 1))
        >>> hist = RBM(4, 2, seed=0).fit(X, epochs=30, lr=0.2, method="pcd")
        >>> hist[-1] > hist[0]
        True
        """
        X = _binary(X, "X", self.n_visible)
        epochs, batch_size = positive_int(epochs, "epochs"), positive_int(batch_size, "batch_size")
        lr = positive_real(lr, "lr")
        one_of(method, "method", ("cd", "pcd"))
        rng = self.rng if rng is None else np.random.default_rng(rng)
        if method == "pcd" and (self.chains is None or self.chains.shape[0] != batch_size):
            self.chains = (rng.random((batch_size, self.n_visible)) < 0.5).astype(float)
        history = []
        for _ in range(epochs):
            order = rng.permutation(len(X))
            for start in range(0, len(X), batch_size):
                batch = X[order[start:start + batch_size]]
                if method == "cd":
                    grads = rbm_cd_gradient(batch, *self._p(), k=k, rng=rng)
                else:
                    grads, self.chains = rbm_pcd_gradient(batch, self.chains, *self._p(), k=k,
                                                          rng=rng)
                self.W = self.W + lr * grads[0]
                self.b_visible = self.b_visible + lr * grads[1]
                self.b_hidden = self.b_hidden + lr * grads[2]
            history.append(float(self.pseudo_log_likelihood(X).mean()))
        return history

    def __repr__(self) -> str:
        return f"RBM(n_visible={self.n_visible}, n_hidden={self.n_hidden})"
