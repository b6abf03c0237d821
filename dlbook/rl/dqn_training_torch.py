r"""Training and evaluating a DQN agent in PyTorch, and saving it safely.

:func:`train_dqn` ties the pieces of :mod:`dlbook.rl.dqn_torch` (Q-network, TD target, Huber
loss, epsilon-greedy exploration, target-network updates) together with the replay buffer of
:mod:`dlbook.rl.replay` on a gymnasium environment with vector observations and discrete
actions (CartPole-v1); :func:`evaluate` runs greedy episodes side by side;
:func:`save_checkpoint` and :func:`load_checkpoint` write and read the weights, with the
training config, through :mod:`dlbook.nn.checkpoint_torch` (atomically, and without unpickling
code). The code is device-agnostic (pass ``device=dlbook.utils.get_device()``).

See Also
--------
dlbook.rl.dqn_torch : the pieces trained here.
:ref:`ch-dqn` : the chapter.
"""

from __future__ import annotations

import copy
import os
import time
from dataclasses import asdict, dataclass, fields

import numpy as np
import torch
from torch import nn

from dlbook._checks import one_of, positive_int
from dlbook.io import CheckpointError
from dlbook.nn import checkpoint_torch
from dlbook.rl.dqn_torch import (
    DQNConfig,
    QNetwork,
    dqn_update,
    epsilon_greedy,
    hard_update,
    linear_epsilon,
    soft_update,
)
from dlbook.rl.replay import ReplayBuffer

CHECK_SEED = 1_000_000  # seeds of the in-training greedy checks; keep final evaluations apart

__all__ = ["DQNHistory", "exploration_rate", "train_dqn", "evaluate", "save_checkpoint",
           "load_checkpoint"]


@dataclass(frozen=True, eq=False)
class DQNHistory:
    """What happened during :func:`train_dqn`.

    Attributes
    ----------
    episode_returns, episode_end_step : ndarray of shape (episodes,)
        The return of every finished training episode and the step at which it ended.
    losses : ndarray of shape (gradient steps,)
    checks : ndarray of shape (checks, 2)
        Step and mean greedy return of every in-training check.
    last_state_dict : dict
        The weights after the last step, before any selection.
    seconds : float
        Wall-clock time of the run.
    config : dict
        The :class:`~dlbook.rl.dqn_torch.DQNConfig` as a dict.
    """

    episode_returns: np.ndarray
    episode_end_step: np.ndarray
    losses: np.ndarray
    checks: np.ndarray
    last_state_dict: dict
    seconds: float
    config: dict


def exploration_rate(step: int, cfg: DQNConfig) -> float:
    r"""The :math:`\varepsilon` of training step ``step``: 1 while the buffer fills, then linear.

    Parameters
    ----------
    step : int
    cfg : DQNConfig
        Uses ``learning_starts``, ``eps_start``, ``eps_end`` and ``eps_decay_steps``.

    Returns
    -------
    float
        1 for ``step < learning_starts`` (random actions fill the replay buffer), afterwards
        :func:`~dlbook.rl.dqn_torch.linear_epsilon` counted from step 0.

    Examples
    --------
    >>> cfg = DQNConfig(learning_starts=100, eps_start=1.0, eps_end=0.0, eps_decay_steps=1000)
    >>> exploration_rate(99, cfg), exploration_rate(100, cfg), exploration_rate(2000, cfg)
    (1.0, 0.9, 0.0)
    """
    if step < cfg.learning_starts:
        return 1.0
    return linear_epsilon(step, cfg.eps_start, cfg.eps_end, cfg.eps_decay_steps)


def _vector_env_sizes(env) -> tuple[int, int]:
    """(obs_dim, n_actions) of an environment with Box observations and Discrete actions."""
    obs_shape = env.observation_space.shape
    if obs_shape is None or len(obs_shape) != 1 or not hasattr(env.action_space, "n"):
        raise TypeError("train_dqn needs a vector (Box) observation and Discrete actions, got "
                        f"{env.observation_space} and {env.action_space}")
    return int(obs_shape[0]), int(env.action_space.n)


def _build_networks(obs_dim, n_actions, cfg, device):
    """The online network, its target copy (kept in eval mode) and Adam on the online one."""
    online = QNetwork(obs_dim, n_actions, cfg.hidden).to(device)
    target = QNetwork(obs_dim, n_actions, cfg.hidden).to(device)
    hard_update(target, online)
    target.eval()
    return online, target, torch.optim.Adam(online.parameters(), lr=cfg.lr)


def _act(online, obs, epsilon, rng, device) -> int:
    """One epsilon-greedy action for one observation."""
    with torch.no_grad():
        q = online(torch.as_tensor(obs, dtype=torch.float32, device=device)[None])  # (1, A)
    return int(epsilon_greedy(q, epsilon, rng)[0])


def _learning_round(online, target, optimizer, buffer, cfg, device) -> list[float]:
    """``cfg.gradient_steps`` updates on fresh minibatches (soft target updates after each)."""
    losses = []
    for _ in range(cfg.gradient_steps):
        losses.append(dqn_update(online, target, optimizer, buffer.sample(cfg.batch_size), cfg,
                                 device))
        if cfg.target_update == "soft":
            soft_update(target, online, cfg.tau)
    return losses


def train_dqn(make_env, cfg: DQNConfig = DQNConfig(), seed: int = 0, device=None):
    r"""Train a DQN agent for ``cfg.total_steps`` environment steps.

    Parameters
    ----------
    make_env : callable
        ``make_env()`` returns a gymnasium environment with Box observations of shape
        (obs_dim,) and Discrete actions. The training one is reset with ``seed`` once.
    cfg : DQNConfig
    seed : int
        Seeds the network initialisation, exploration and replay sampling; with the same seed
        (and the same number of torch threads) a CPU run is bit-for-bit repeatable.
    device : torch.device, optional
        Defaults to ``dlbook.utils.get_device()``.

    Returns
    -------
    online : QNetwork
        The trained network (in eval mode, on ``device``).
    history : DQNHistory

    Raises
    ------
    TypeError
        If the environment's spaces are not a vector and a set of discrete actions.
    ValueError
        If ``cfg.target_update`` is neither ``"hard"`` nor ``"soft"``.

    Notes
    -----
    Every environment step does, in order: (1) act with :func:`exploration_rate` and store the
    transition; (2) every ``train_every`` steps after ``learning_starts``, a round of
    ``gradient_steps`` updates (:func:`~dlbook.rl.dqn_torch.dqn_update`); (3) every
    ``target_every`` steps copy the online weights into the target network (``"hard"``; with
    ``"soft"`` a Polyak step follows every update instead); (4) every ``eval_every`` steps play
    ``eval_episodes`` greedy episodes (seeds from ``CHECK_SEED``) and keep the best network so
    far (the later one on ties). Transitions cut by the time limit (``truncated``) are stored
    with ``terminated=False``: the pole was still up, so the target keeps bootstrapping from
    :math:`s'`. The selection is validation-style model selection, so report the final score on
    fresh episodes (:func:`evaluate` with other seeds).

    Examples
    --------
    >>> import gymnasium as gym
    >>> cfg = DQNConfig(total_steps=300, learning_starts=100, train_every=50,
    ...                 gradient_steps=10, hidden=(16,), eval_every=0)
    >>> net, hist = train_dqn(lambda: gym.make("CartPole-v1"), cfg, seed=0, device="cpu")
    >>> len(hist.losses)  # rounds of 10 updates at steps 150, 200, 250, 300
    40
    """
    from dlbook.utils import get_device

    device = torch.device(device) if device is not None else get_device()
    one_of(cfg.target_update, "cfg.target_update", ("hard", "soft"))
    env = make_env()
    obs_dim, n_actions = _vector_env_sizes(env)
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    online, target, optimizer = _build_networks(obs_dim, n_actions, cfg, device)
    buffer = ReplayBuffer(cfg.buffer_size, (obs_dim,), seed=rng)

    returns, ends, losses, checks = [], [], [], []
    best_score, best_state = -np.inf, None
    obs, _ = env.reset(seed=seed)
    episode_return, t0 = 0.0, time.perf_counter()
    for step in range(cfg.total_steps):
        # (1) act, and remember the transition (a time limit is not the end of the task)
        action = _act(online, obs, exploration_rate(step, cfg), rng, device)
        next_obs, reward, terminated, truncated, _ = env.step(action)
        buffer.add(obs, action, reward, next_obs, terminated)
        episode_return += float(reward)
        obs = next_obs
        if terminated or truncated:
            returns.append(episode_return)
            ends.append(step + 1)
            obs, _ = env.reset()
            episode_return = 0.0
        # (2) learn from replayed minibatches
        if step >= cfg.learning_starts and (step + 1) % cfg.train_every == 0:
            losses += _learning_round(online, target, optimizer, buffer, cfg, device)
        # (3) refresh the target network
        if cfg.target_update == "hard" and (step + 1) % cfg.target_every == 0:
            hard_update(target, online)
        # (4) check the greedy policy and keep the best network so far
        if cfg.eval_every and (step + 1) % cfg.eval_every == 0:
            score = evaluate(online, make_env, cfg.eval_episodes,
                             seed=CHECK_SEED + len(checks) * cfg.eval_episodes,
                             device=device).mean()
            checks.append((step + 1, score))
            if score >= best_score:  # ties go to the later, longer-trained network
                best_score, best_state = score, copy.deepcopy(online.state_dict())
    env.close()
    history = DQNHistory(np.array(returns), np.array(ends), np.array(losses),
                         np.array(checks).reshape(-1, 2), copy.deepcopy(online.state_dict()),
                         time.perf_counter() - t0, asdict(cfg))
    if best_state is not None:
        online.load_state_dict(best_state)
    online.eval()
    return online, history


def evaluate(net: nn.Module, make_env, episodes: int = 100, seed: int = 10_000,
             device=None) -> np.ndarray:
    r"""Greedy returns of ``episodes`` episodes, run side by side with one batched forward pass.

    Parameters
    ----------
    net : nn.Module
        Maps (B, obs_dim) to (B, A) Q-values.
    make_env : callable
        ``make_env()`` returns a fresh environment; episode ``i`` is reset with ``seed + i``.
    episodes : int
    seed : int
        Use seeds the training run never saw.
    device : torch.device, optional

    Returns
    -------
    ndarray of shape (episodes,)
        The undiscounted return of each episode.

    Examples
    --------
    >>> import gymnasium as gym
    >>> class AlwaysLeft(nn.Module):
    ...     def forward(self, x):
    ...         return torch.stack([torch.ones(len(x)), torch.zeros(len(x))], dim=1)
    >>> r = evaluate(AlwaysLeft(), lambda: gym.make("CartPole-v1"), episodes=3, device="cpu")
    >>> bool(r.max() < 20)  # pushing one way topples the pole quickly
    True
    """
    from dlbook.utils import get_device

    episodes = positive_int(episodes, "episodes")
    device = torch.device(device) if device is not None else get_device()
    envs = [make_env() for _ in range(episodes)]
    obs = np.stack([e.reset(seed=seed + i)[0] for i, e in enumerate(envs)])  # (E, obs_dim)
    totals = np.zeros(episodes)
    active = np.ones(episodes, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        with torch.no_grad():
            q = net(torch.as_tensor(obs[idx], dtype=torch.float32, device=device))
        actions = q.argmax(dim=1).cpu().numpy()
        for i, a in zip(idx, actions):
            o, r, term, trunc, _ = envs[i].step(int(a))
            obs[i] = o
            totals[i] += r
            active[i] = not (term or trunc)
    for e in envs:
        e.close()
    return totals


def save_checkpoint(path, net: nn.Module, cfg: DQNConfig | None = None, **extra) -> None:
    """Write ``net``'s weights, its training config and plain ``extra`` values atomically.

    The file is written by :func:`dlbook.nn.checkpoint_torch.save_checkpoint`: a temporary
    file in the same folder, fsync'ed, then renamed over ``path``, so a crash mid-write leaves
    the old file intact, never a half-written one.

    Parameters
    ----------
    path : str or os.PathLike
        Target file (conventionally ``.pt``); its folder must exist.
    net : nn.Module
        The Q-network; its ``state_dict()`` is saved (from the CPU).
    cfg : DQNConfig, optional
        Stored as metadata under ``"config"`` so that :func:`load_checkpoint` gives it back.
    **extra
        JSON-serialisable values (numbers, strings, lists, dicts), e.g. ``env_steps=40_000``.

    Raises
    ------
    TypeError
        If ``cfg`` is not a DQNConfig, an ``extra`` value is not JSON-serialisable, or
        ``extra`` uses the reserved name ``"config"``.

    See Also
    --------
    dlbook.nn.checkpoint_torch.save_checkpoint : the general-purpose writer used here.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "q.pt"
    >>> save_checkpoint(p, nn.Linear(2, 1), DQNConfig(total_steps=100), seed=3)
    >>> meta = load_checkpoint(p, nn.Linear(2, 1))
    >>> meta["seed"], meta["config"].total_steps, meta["config"].hidden   # the defaults, a tuple
    (3, 100, (128, 128))
    """
    if "config" in extra:
        raise TypeError("'config' is reserved for the DQNConfig; pass it as cfg=")
    metadata = dict(extra)
    if cfg is not None:
        if not isinstance(cfg, DQNConfig):
            raise TypeError(f"cfg must be a DQNConfig, got {type(cfg).__name__}")
        metadata["config"] = asdict(cfg)
    checkpoint_torch.save_checkpoint(path, net.state_dict(), metadata)


def _config_from_dict(values: dict, path) -> DQNConfig:
    """The DQNConfig saved as JSON (where tuples became lists)."""
    if not isinstance(values, dict):
        raise CheckpointError(f"{path}: the saved config is a {type(values).__name__}, not a dict")
    known = {f.name for f in fields(DQNConfig)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise CheckpointError(f"{path}: the saved config has fields DQNConfig does not know: "
                              f"{unknown}")
    return DQNConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})


def load_checkpoint(path, net: nn.Module, device=None) -> dict:
    """Load weights saved by :func:`save_checkpoint` into ``net``; return the metadata.

    Reading goes through :func:`dlbook.nn.checkpoint_torch.load_checkpoint`:
    ``torch.load(..., weights_only=True)`` unpickles only tensors and plain containers, so a
    file from elsewhere cannot run code, and keys and shapes must match ``net`` exactly.

    Parameters
    ----------
    path : str or os.PathLike
    net : nn.Module
        Receives the weights (in place, ``net.load_state_dict``).
    device : torch.device or str, optional
        Where the loaded tensors are put first (default the CPU); ``load_state_dict`` copies
        them onto ``net``'s own device in any case.

    Returns
    -------
    dict
        The ``extra`` values given to :func:`save_checkpoint`, and under ``"config"`` the
        :class:`~dlbook.rl.dqn_torch.DQNConfig` if one was saved.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    dlbook.nn.checkpoint.CheckpointError
        If the file is corrupt, holds objects other than tensors and containers, or does not
        fit ``net`` (missing or unexpected keys, other shapes); the message names the file.

    See Also
    --------
    dlbook.nn.checkpoint_torch.load_checkpoint : the general-purpose reader used here.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "q.pt"
    >>> a, b = nn.Linear(2, 1), nn.Linear(2, 1)
    >>> save_checkpoint(p, a, steps=100)
    >>> load_checkpoint(p, b)
    {'steps': 100}
    >>> bool(torch.equal(a.weight, b.weight))
    True
    """
    state, metadata = checkpoint_torch.load_checkpoint(
        path, expected=net.state_dict(), map_location=device if device is not None else "cpu")
    net.load_state_dict(state)
    if "config" in metadata:
        metadata["config"] = _config_from_dict(metadata["config"], os.fspath(path))
    return metadata
