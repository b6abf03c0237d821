r"""Tabular plumbing shared by Monte Carlo and TD methods: environments, a fast stepper, ε-greedy.

* :class:`TabularEnv` makes a gymnasium environment from a transition table
  ``P[s][a] = [(prob, next_state, reward, terminated), ...]`` (gymnasium's toy-text format).
* :class:`EnvStepper` resets and steps any gymnasium environment with discrete spaces and returns
  integer states (a tuple of discrete observations, as in Blackjack, is flattened row-major).
  Where the environment carries its table it samples from it directly, which is the same draw
  the environment makes, without the wrappers' per-step overhead.
* :func:`epsilon_greedy_probs` and :func:`epsilon_greedy_action`: the ε-greedy policy of a Q
  table.

See Also
--------
dlbook.rl.mc, dlbook.rl.td : the learners built on it.
dlbook.rl.mdp : the same tables as dense arrays.
:ref:`ch-monte-carlo` : the Monte Carlo chapter.
:ref:`ch-td` : the temporal-difference chapter.
"""

from __future__ import annotations

from bisect import bisect_right

import gymnasium as gym
import numpy as np

from dlbook._checks import int_value, probability, real_array
from dlbook.rl.mdp import flatten_table

__all__ = [
    "TabularEnv", "EnvStepper", "UniformStream", "discrete_sizes", "encode_state",
    "sample_index", "epsilon_greedy_probs", "epsilon_greedy_action", "MAX_EPISODE_STEPS",
]

#: An episode longer than this raises RuntimeError: the policy probably never terminates.
MAX_EPISODE_STEPS = 100_000


class TabularEnv(gym.Env):
    r"""A gymnasium environment defined by a transition table in gymnasium's toy-text format.

    Parameters
    ----------
    P : dict
        ``P[s][a] = [(prob, next_state, reward, terminated), ...]`` for every state and action.
    initial_state_distrib : array_like of shape (n_states,)
        Probabilities of the start state.
    n_actions : int, optional
        Number of actions; by default ``len(P[0])``.

    Raises
    ------
    ValueError
        If the table or the start distribution is malformed.

    Notes
    -----
    ``step`` draws outcome :math:`i` with probability :math:`p_i`, exactly as the toy-text
    environments do. There is no time limit; wrap it in ``gymnasium.wrappers.TimeLimit`` for one.

    See Also
    --------
    EnvStepper : runs such tables without the gymnasium overhead.

    Examples
    --------
    >>> P = {0: {0: [(1.0, 1, 5.0, True)]}, 1: {0: [(1.0, 1, 0.0, True)]}}
    >>> env = TabularEnv(P, [1.0, 0.0])
    >>> env.reset(seed=0)[0], env.step(0)[:3]
    (0, (1, 5.0, True))
    """

    def __init__(self, P, initial_state_distrib, n_actions: int | None = None):
        dist = np.asarray(initial_state_distrib, dtype=float)
        if dist.ndim != 1 or dist.min() < 0 or abs(dist.sum() - 1.0) > 1e-8:
            raise ValueError(f"initial_state_distrib must be a probability vector, got {dist}")
        n_states = dist.shape[0]
        n_actions = len(P[0]) if n_actions is None else n_actions
        flatten_table(P, n_states, n_actions)  # validates the table
        self.P, self.initial_state_distrib = P, dist
        self.observation_space = gym.spaces.Discrete(n_states)
        self.action_space = gym.spaces.Discrete(n_actions)
        self.s = 0

    def reset(self, *, seed=None, options=None):
        """Draw the start state from ``initial_state_distrib``; return ``(state, {})``."""
        super().reset(seed=seed)
        self.s = int(np.argmax(np.cumsum(self.initial_state_distrib) > self.np_random.random()))
        return self.s, {}

    def step(self, action):
        """Draw one outcome of ``P[state][action]``.

        Returns ``(next_state, reward, terminated, truncated, info)`` as gymnasium does;
        ``truncated`` is always False and ``info`` is ``{}``.
        """
        outcomes = self.P[self.s][int(action)]
        i = int(np.argmax(np.cumsum([t[0] for t in outcomes]) > self.np_random.random()))
        _, self.s, reward, terminated = outcomes[i]
        return int(self.s), float(reward), bool(terminated), False, {}


def _discrete_dims(space) -> list[tuple[int, int]]:
    """(n, start) of a Discrete space or of each part of a Tuple of Discrete spaces."""
    parts = space.spaces if isinstance(space, gym.spaces.Tuple) else (space,)
    if not all(isinstance(p, gym.spaces.Discrete) for p in parts):
        raise TypeError(f"need a Discrete space or a Tuple of Discrete spaces, got {space}")
    return [(int(p.n), int(p.start)) for p in parts]


def discrete_sizes(env) -> tuple[int, int]:
    """Number of states and of actions of an environment with discrete spaces.

    Parameters
    ----------
    env : gymnasium.Env
        Its action space must be ``Discrete``; its observation space ``Discrete`` or a ``Tuple``
        of them (whose states are counted as the product of the parts).

    Returns
    -------
    n_states, n_actions : int

    Raises
    ------
    TypeError
        If a space is not discrete.

    See Also
    --------
    encode_state, EnvStepper
    :ref:`ch-monte-carlo` : the chapter.

    Examples
    --------
    >>> discrete_sizes(gym.make("Blackjack-v1"))
    (704, 2)
    """
    if not isinstance(env.action_space, gym.spaces.Discrete):
        raise TypeError(f"need a Discrete action space, got {env.action_space}")
    n_states = int(np.prod([n for n, _ in _discrete_dims(env.observation_space)]))
    return n_states, int(env.action_space.n)


def encode_state(space, obs):
    """Integer index of an observation (row-major over the parts of a Tuple space).

    Parameters
    ----------
    space : gymnasium.spaces.Discrete or Tuple of Discrete
    obs : int or tuple of int or tuple of arrays
        One observation, or a tuple of equally shaped arrays (one per part) for many at once.

    Returns
    -------
    int or ndarray of int

    See Also
    --------
    discrete_sizes
    :ref:`ch-monte-carlo` : the chapter.

    Examples
    --------
    >>> space = gym.make("Blackjack-v1").observation_space   # (sum 0..31, dealer 0..10, ace 0..1)
    >>> int(encode_state(space, (13, 2, 1)))                 # (13 * 11 + 2) * 2 + 1
    291
    """
    dims = _discrete_dims(space)
    parts = obs if isinstance(space, gym.spaces.Tuple) else (obs,)
    shifted = tuple(np.asarray(v) - start for v, (_, start) in zip(parts, dims))
    return np.ravel_multi_index(shifted, [n for n, _ in dims])


class EnvStepper:
    r"""Reset and step an environment with discrete spaces; states come back as integers.

    Parameters
    ----------
    env : gymnasium.Env
        An environment with discrete spaces (see :func:`discrete_sizes`).
    seed : int
        Seeds the environment's randomness (the first ``reset`` or the table sampler).
    use_table : bool or None, optional
        ``None`` (default): use the transition table when ``env.unwrapped`` has ``P`` and
        ``initial_state_distrib`` (the toy-text grids, :class:`TabularEnv`). ``True`` requires it.

    Raises
    ------
    ValueError
        If ``use_table`` is True and the environment has no table.

    Notes
    -----
    In table mode the stepper samples :math:`(s', r, \text{terminated})` from ``P[s][a]`` with
    its own generator, the same draw the toy-text ``step`` makes, and ends an episode as
    ``truncated`` after ``env.spec.max_episode_steps`` steps, as gymnasium's ``TimeLimit`` wrapper
    does. It skips the wrappers and the per-step checks, which makes it about ten times faster.
    Otherwise it calls ``env.reset``/``env.step``.

    See Also
    --------
    TabularEnv : the table as a gymnasium environment.
    :ref:`ch-monte-carlo` : the Monte Carlo chapter.
    :ref:`ch-td` : the temporal-difference chapter.

    Examples
    --------
    >>> st = EnvStepper(gym.make("FrozenLake-v1", is_slippery=False), seed=0)
    >>> st.uses_table, st.reset(), st.step(2)          # start at 0, move right
    (True, 0, (1, 0.0, False, False))
    """

    def __init__(self, env, seed: int, use_table: bool | None = None):
        self.env = env
        self.n_states, self.n_actions = discrete_sizes(env)
        self._dims = _discrete_dims(env.observation_space)
        raw = env.unwrapped
        has_table = hasattr(raw, "P") and hasattr(raw, "initial_state_distrib")
        if use_table and not has_table:
            raise ValueError(f"use_table=True but {raw} has no P / initial_state_distrib table")
        self.uses_table = has_table if use_table is None else bool(use_table)
        seed = int_value(seed, "seed", low=0)
        self._seed = int(np.random.SeedSequence(seed).generate_state(1)[0])
        self._first_reset = True
        if self.uses_table:
            s, a, prob, nxt, reward, done = flatten_table(raw.P, self.n_states, self.n_actions)
            spec = getattr(env, "spec", None)
            self.max_steps = getattr(spec, "max_episode_steps", None)
            self._draw = UniformStream(np.random.default_rng(self._seed))
            self._start_cdf = np.cumsum(raw.initial_state_distrib).tolist()
            # table[s][a] = (cumulative probabilities, [(next_state, reward, terminated), ...])
            self._table = [[([], []) for _ in range(self.n_actions)] for _ in range(self.n_states)]
            for k in range(len(s)):
                cdf, outcomes = self._table[s[k]][a[k]]
                cdf.append((cdf[-1] if cdf else 0.0) + float(prob[k]))
                outcomes.append((int(nxt[k]), float(reward[k]), bool(done[k])))

    def _encode(self, obs) -> int:
        """Row-major index of an observation (plain-int arithmetic: called at every step)."""
        parts = obs if isinstance(obs, tuple) else (obs,)
        index = 0
        for value, (n, start) in zip(parts, self._dims):
            index = index * n + int(value) - start
        return index

    def reset(self) -> int:
        """Start an episode; return the start state."""
        if not self.uses_table:
            seed = self._seed if self._first_reset else None
            self._first_reset = False
            obs, _ = self.env.reset(seed=seed)
            return self._encode(obs)
        self._s, self._t = sample_index(self._start_cdf, self._draw), 0
        return self._s

    def step(self, action: int) -> tuple[int, float, bool, bool]:
        """Take ``action``; return ``(next_state, reward, terminated, truncated)``."""
        if not self.uses_table:
            obs, reward, terminated, truncated, _ = self.env.step(action)
            return self._encode(obs), float(reward), terminated, truncated
        cdf, outcomes = self._table[self._s][action]
        k = 0 if len(outcomes) == 1 else sample_index(cdf, self._draw)  # no draw if certain
        s, reward, terminated = outcomes[k]
        self._s, self._t = s, self._t + 1
        return s, reward, terminated, self.max_steps is not None and self._t >= self.max_steps


class UniformStream:
    """Uniform numbers in [0, 1) from a NumPy Generator, drawn 4096 at a time.

    A scalar ``rng.random()`` costs about 0.5 µs; the learners draw a few per step, so they take
    them from a block. The sequence depends only on the generator's seed.

    Parameters
    ----------
    rng : numpy.random.Generator
    block : int, default 4096
        How many numbers to draw at once (the sequence does not depend on it).

    See Also
    --------
    epsilon_greedy_action
    :ref:`ch-td` : the chapter.

    Examples
    --------
    >>> u = UniformStream(np.random.default_rng(0))
    >>> u() == float(np.random.default_rng(0).random(4096)[0])
    True
    """

    def __init__(self, rng: np.random.Generator, block: int = 4096):
        self.rng, self.block, self._buf, self._i = rng, block, [], 0

    def __call__(self) -> float:
        if self._i == len(self._buf):
            self._buf, self._i = self.rng.random(self.block).tolist(), 0
        self._i += 1
        return self._buf[self._i - 1]


def sample_index(cdf: list[float], draw: UniformStream) -> int:
    """An index ``i`` drawn with probability ``cdf[i] - cdf[i-1]`` (one uniform number).

    The same inverse-CDF draw as gymnasium's ``categorical_sample``; the learners use it for the
    actions of a fixed policy and the stepper for the outcomes of the table.

    Parameters
    ----------
    cdf : list of float
        Cumulative probabilities, the last one 1.
    draw : UniformStream

    Returns
    -------
    int

    Examples
    --------
    >>> sample_index([0.25, 1.0], lambda: 0.1), sample_index([0.25, 1.0], lambda: 0.6)
    (0, 1)
    """
    return min(bisect_right(cdf, draw()), len(cdf) - 1)


def epsilon_greedy_probs(Q: np.ndarray, epsilon: float) -> np.ndarray:
    r"""Action probabilities of the ε-greedy policy of ``Q`` (ties share the greedy mass).

    Parameters
    ----------
    Q : ndarray of shape (n_states, n_actions)
    epsilon : float in [0, 1]

    Returns
    -------
    ndarray of shape (n_states, n_actions)

    Notes
    -----
    With :math:`\mathcal{A}^*(s) = \arg\max_a Q(s, a)`,

    .. math:: \pi(a \mid s) = \frac{\varepsilon}{|\mathcal{A}|}
              + (1 - \varepsilon)\,\frac{[a \in \mathcal{A}^*(s)]}{|\mathcal{A}^*(s)|}.

    See Also
    --------
    epsilon_greedy_action : draws one action from this distribution.
    :ref:`ch-monte-carlo` : the chapter.

    Examples
    --------
    >>> epsilon_greedy_probs(np.array([[0.0, 1.0], [2.0, 2.0]]), 0.1)
    array([[0.05, 0.95],
           [0.5 , 0.5 ]])
    """
    Q = real_array(Q, "Q", ndim=2)
    epsilon = probability(epsilon, "epsilon")
    best = Q == Q.max(axis=1, keepdims=True)                      # (n_states, n_actions)
    return epsilon / Q.shape[1] + (1 - epsilon) * best / best.sum(axis=1, keepdims=True)


def epsilon_greedy_action(q_row: list[float], epsilon: float, draw: UniformStream) -> int:
    """With probability ε a uniformly random action, else a greedy one (ties broken at random).

    Parameters
    ----------
    q_row : list of float, (n_actions,)
        The action values of the current state.
    epsilon : float in [0, 1]
    draw : UniformStream
        The agent's random numbers (one to three are used).

    Returns
    -------
    int
        The action; its distribution is the row of :func:`epsilon_greedy_probs`.

    See Also
    --------
    epsilon_greedy_probs
    :ref:`ch-td` : the chapter.

    Examples
    --------
    >>> epsilon_greedy_action([0.0, 3.0, 1.0], 0.0, UniformStream(np.random.default_rng(0)))
    1
    """
    n = len(q_row)
    if draw() < epsilon:
        return min(int(draw() * n), n - 1)
    best = max(q_row)
    ties = [a for a in range(n) if q_row[a] == best]
    return ties[0] if len(ties) == 1 else ties[min(int(draw() * len(ties)), len(ties) - 1)]
