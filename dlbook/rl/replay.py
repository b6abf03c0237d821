r"""Experience replay: a fixed-size ring buffer of transitions, sampled uniformly.

A deep Q-network learns from minibatches of past transitions
:math:`(s, a, r, s', \mathrm{terminated})` drawn at random from a replay memory instead of
from the last few consecutive steps, which are strongly correlated. The memory has a fixed
capacity :math:`C`; once it is full, each new transition overwrites the oldest one
(first in, first out), so the buffer always holds the :math:`\min(n, C)` most recent of the
:math:`n` transitions added so far.

Everything is NumPy: the storage is one preallocated array per field, writes and sampling are
index arithmetic on whole arrays, and no Python loop runs over transitions.

See Also
--------
dlbook.rl.dqn_training_torch : the DQN training loop that fills and samples this buffer.
:ref:`ch-dqn` : the chapter, which explains why replay helps.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Batch", "ring_indices", "sample_indices", "ReplayBuffer"]


class Batch(NamedTuple):
    """A minibatch of transitions, one row per transition (``B`` rows).

    Examples
    --------
    >>> b = Batch(np.zeros((2, 4)), np.array([0, 1]), np.ones(2), np.zeros((2, 4)),
    ...           np.array([False, True]))
    >>> b.actions.tolist(), b.terminated.tolist()
    ([0, 1], [False, True])
    """

    obs: np.ndarray  #: ``(B, *obs_shape)`` float32
    actions: np.ndarray  #: (B,) int64
    rewards: np.ndarray  #: (B,) float32
    next_obs: np.ndarray  #: ``(B, *obs_shape)`` float32
    terminated: np.ndarray  #: (B,) bool


def ring_indices(position: int, count: int, capacity: int) -> np.ndarray:
    r"""Slots that ``count`` consecutive writes starting at ``position`` land in.

    Parameters
    ----------
    position : int
        The next slot to write, ``0 <= position < capacity``.
    count : int
        How many items are written, ``count >= 0``.
    capacity : int
        Number of slots, ``capacity >= 1``.

    Returns
    -------
    ndarray of shape (count,), int64
        :math:`(p + k) \bmod C` for :math:`k = 0, \dots, \mathrm{count}-1`.

    Raises
    ------
    ValueError
        If ``capacity < 1``, ``count < 0`` or ``position`` is outside ``[0, capacity)``.

    Notes
    -----
    If ``count > capacity`` a slot appears more than once; :meth:`ReplayBuffer.add_batch`
    avoids that by writing only the newest ``capacity`` items.

    See Also
    --------
    ReplayBuffer.add_batch : writes through these indices.

    Examples
    --------
    A buffer of 5 slots whose next free slot is 3 receives 4 items: they wrap around.

    >>> ring_indices(3, 4, 5)
    array([3, 4, 0, 1])
    """
    if capacity < 1:
        raise ValueError(f"capacity must be >= 1, got {capacity}")
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    if not 0 <= position < capacity:
        raise ValueError(f"position must be in [0, {capacity}), got {position}")
    return (position + np.arange(count, dtype=np.int64)) % capacity


def sample_indices(rng: np.random.Generator, size: int, batch_size: int) -> np.ndarray:
    r"""Draw ``batch_size`` slot indices uniformly from ``[0, size)``, with replacement.

    Parameters
    ----------
    rng : numpy.random.Generator
        The source of randomness (pass a seeded one for reproducible runs).
    size : int
        Number of filled slots, ``size >= 1``.
    batch_size : int
        Number of indices, ``batch_size >= 1``.

    Returns
    -------
    ndarray of shape (batch_size,), int64
        Independent draws with :math:`P(i) = 1/\mathrm{size}` for every filled slot ``i``.

    Raises
    ------
    ValueError
        If the buffer is empty or ``batch_size < 1``.

    See Also
    --------
    ReplayBuffer.sample : gathers the transitions at these indices.

    Examples
    --------
    >>> idx = sample_indices(np.random.default_rng(0), size=10, batch_size=1000)
    >>> bool(idx.min() >= 0 and idx.max() <= 9), idx.shape
    (True, (1000,))
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    if size < 1:
        raise ValueError(f"cannot sample from an empty buffer (size={size})")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    return rng.integers(0, size, size=batch_size, dtype=np.int64)


class ReplayBuffer:
    r"""A ring buffer of transitions with uniform sampling.

    Parameters
    ----------
    capacity : int
        Maximum number of transitions kept, :math:`C \ge 1`.
    obs_shape : tuple of int
        Shape of one observation, e.g. ``(4,)`` for CartPole.
    seed : int or numpy.random.Generator, optional
        Seed (or generator) for :meth:`sample`.

    Attributes
    ----------
    obs, next_obs : ndarray of shape ``(C, *obs_shape)``, float32
    actions : ndarray of shape (C,), int64
    rewards : ndarray of shape (C,), float32
    terminated : ndarray of shape (C,), bool
        True when :math:`s'` is terminal, so no value is bootstrapped from it. A time-limit
        *truncation* is not termination and must be stored as False.
    position : int
        The slot the next transition goes to.

    Notes
    -----
    After :math:`n` additions the buffer holds ``len(buf) = min(n, C)`` transitions, namely the
    last ``len(buf)`` ones added; the one added :math:`k` steps ago (``k = 0`` newest) sits in
    slot :math:`(\mathrm{position} - 1 - k) \bmod C`.

    See Also
    --------
    dlbook.rl.dqn_training_torch.train_dqn : the training loop that fills and samples it.
    :ref:`ch-dqn` : the chapter.

    Examples
    --------
    >>> buf = ReplayBuffer(capacity=3, obs_shape=(2,), seed=0)
    >>> for t in range(5):
    ...     buf.add([t, t], action=t % 2, reward=1.0, next_obs=[t + 1, t + 1], terminated=False)
    >>> len(buf), buf.position
    (3, 2)
    >>> buf.obs[:, 0]  # transitions 3 and 4 overwrote 0 and 1
    array([3., 4., 2.], dtype=float32)
    """

    def __init__(self, capacity: int, obs_shape: tuple[int, ...], seed=None):
        if isinstance(capacity, bool) or not isinstance(capacity, (int, np.integer)):
            raise TypeError(f"capacity must be an int, got {type(capacity).__name__}")
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1, got {capacity}")
        obs_shape = tuple(int(d) for d in obs_shape)
        if any(d < 1 for d in obs_shape):
            raise ValueError(f"obs_shape must have positive dimensions, got {obs_shape}")
        self.capacity = int(capacity)
        self.obs_shape = obs_shape
        self.obs = np.zeros((capacity, *obs_shape), dtype=np.float32)
        self.next_obs = np.zeros((capacity, *obs_shape), dtype=np.float32)
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=bool)
        self.position = 0
        self.size = 0
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    def __len__(self) -> int:
        return self.size

    def add(self, obs, action, reward, next_obs, terminated) -> None:
        """Store one transition, overwriting the oldest one when the buffer is full."""
        self.add_batch(
            np.asarray(obs, dtype=np.float32)[None],
            np.asarray([action]),
            np.asarray([reward], dtype=np.float32),
            np.asarray(next_obs, dtype=np.float32)[None],
            np.asarray([terminated]),
        )

    def add_batch(self, obs, actions, rewards, next_obs, terminated) -> None:
        """Store ``N`` transitions at once (first axis), in order, with wrap-around.

        Raises
        ------
        ValueError
            If the fields disagree in length or an observation has the wrong shape.
        """
        obs = np.asarray(obs, dtype=np.float32)
        next_obs = np.asarray(next_obs, dtype=np.float32)
        actions = np.asarray(actions)
        rewards = np.asarray(rewards, dtype=np.float32)
        terminated = np.asarray(terminated)
        n = obs.shape[0] if obs.ndim > 0 else -1
        for name, arr, shape in (
            ("obs", obs, (n, *self.obs_shape)),
            ("next_obs", next_obs, (n, *self.obs_shape)),
            ("actions", actions, (n,)),
            ("rewards", rewards, (n,)),
            ("terminated", terminated, (n,)),
        ):
            if arr.shape != shape:
                raise ValueError(
                    f"{name} has shape {arr.shape}, expected {shape} "
                    f"(N={n} transitions, obs_shape={self.obs_shape})"
                )
        if not np.issubdtype(actions.dtype, np.integer):
            raise TypeError(f"actions must be integers, got dtype {actions.dtype}")
        if terminated.dtype != bool:
            raise TypeError(f"terminated must be boolean, got dtype {terminated.dtype}")
        # Only the newest C of the N items survive; dropping the rest first keeps the slot
        # indices unique, so the fancy-indexed writes below have no repeated targets.
        keep = min(n, self.capacity)
        start = (self.position + n - keep) % self.capacity
        obs, actions, rewards, next_obs, terminated = (
            a[n - keep:] for a in (obs, actions, rewards, next_obs, terminated))
        idx = ring_indices(start, keep, self.capacity)  # (keep,)
        self.obs[idx] = obs
        self.actions[idx] = actions
        self.rewards[idx] = rewards
        self.next_obs[idx] = next_obs
        self.terminated[idx] = terminated
        self.position = int((self.position + n) % self.capacity)
        self.size = min(self.size + n, self.capacity)

    def sample(self, batch_size: int) -> Batch:
        """Return ``batch_size`` transitions drawn uniformly with replacement (copies)."""
        idx = sample_indices(self.rng, self.size, batch_size)  # (B,)
        return Batch(self.obs[idx], self.actions[idx], self.rewards[idx],
                     self.next_obs[idx], self.terminated[idx])
