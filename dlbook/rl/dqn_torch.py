r"""Deep Q-networks (DQN) in PyTorch: the pieces of Q-learning with a neural network.

Each piece is a function a test holds to its formula: the Q-network, the TD target
(:func:`td_targets`, plain or double DQN), the Huber loss, the epsilon schedule and
epsilon-greedy choice, hard and soft (Polyak) target-network updates, and one gradient step
(:func:`dqn_update`). The training loop that ties them together with the replay buffer of
:mod:`dlbook.rl.replay`, the greedy evaluation and the checkpoints live in
:mod:`dlbook.rl.dqn_training_torch`. The code is device-agnostic; it has no NumPy twin.

See Also
--------
dlbook.rl.dqn_training_torch : ``train_dqn``, ``evaluate`` and checkpoints.
:ref:`ch-dqn` : the chapter.
:ref:`ch-td` : tabular Q-learning (:mod:`dlbook.rl.td`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlbook._checks import (
    check_shape,
    int_value,
    one_of,
    positive_int,
    positive_real,
    probability,
    same_shape,
)

__all__ = [
    "QNetwork", "td_targets", "huber_loss", "linear_epsilon", "epsilon_greedy", "hard_update",
    "soft_update", "DQNConfig", "dqn_update",
]


class QNetwork(nn.Module):
    r"""A multilayer perceptron mapping an observation to one Q-value per action.

    :math:`Q_\theta(s, \cdot) = W_L\,\mathrm{ReLU}(\cdots\mathrm{ReLU}(W_1 s + b_1)\cdots) + b_L`.

    Parameters
    ----------
    obs_dim : int
        Length of the observation vector (4 for CartPole).
    n_actions : int
        Number of discrete actions (2 for CartPole).
    hidden : tuple of int
        Widths of the hidden layers.

    Examples
    --------
    >>> net = QNetwork(4, 2, hidden=(8,))
    >>> net(torch.zeros(5, 4)).shape
    torch.Size([5, 2])
    >>> sum(p.numel() for p in net.parameters())  # (4*8 + 8) + (8*2 + 2)
    58
    """

    def __init__(self, obs_dim: int, n_actions: int, hidden: tuple[int, ...] = (128, 128)):
        super().__init__()
        obs_dim, n_actions = positive_int(obs_dim, "obs_dim"), positive_int(n_actions, "n_actions")
        hidden = tuple(positive_int(h, "hidden size") for h in hidden)
        sizes = (obs_dim, *hidden)
        layers: list[nn.Module] = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
        layers.append(nn.Linear(sizes[-1], n_actions))
        self.net = nn.Sequential(*layers)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        """``obs`` of shape (B, obs_dim) -> Q-values of shape (B, n_actions)."""
        return self.net(obs)


def td_targets(rewards, next_q_target, terminated, gamma: float, next_q_online=None):
    r"""The one-step TD target of Q-learning, computed for a batch.

    Parameters
    ----------
    rewards : Tensor of shape (B,)
        :math:`r_t`.
    next_q_target : Tensor of shape (B, A)
        :math:`Q_{\bar\theta}(s_{t+1}, \cdot)` from the target network.
    terminated : Tensor of shape (B,), bool
        :math:`d_t`: True if :math:`s_{t+1}` is terminal (not merely truncated by a time limit).
    gamma : float
        Discount factor, :math:`0 \le \gamma \le 1`.
    next_q_online : Tensor of shape (B, A), optional
        :math:`Q_\theta(s_{t+1}, \cdot)` from the online network. If given, the target is the
        double-DQN one: the online network picks the action, the target network scores it.

    Returns
    -------
    Tensor of shape (B,)
        No gradient flows through it (it is computed under ``torch.no_grad``).

    Raises
    ------
    ValueError
        If the shapes disagree or ``gamma`` is outside [0, 1].
    TypeError
        If ``terminated`` is not boolean.

    Notes
    -----
    DQN (Mnih et al., 2015):

    .. math:: y_t = r_t + \gamma\,(1 - d_t)\,\max_{a'} Q_{\bar\theta}(s_{t+1}, a').

    Double DQN (van Hasselt et al., 2016):

    .. math:: y_t = r_t + \gamma\,(1 - d_t)\,
              Q_{\bar\theta}\bigl(s_{t+1}, \arg\max_{a'} Q_\theta(s_{t+1}, a')\bigr).

    References
    ----------
    V. Mnih et al., "Human-level control through deep reinforcement learning", Nature 518, 2015.
    H. van Hasselt, A. Guez, D. Silver, "Deep reinforcement learning with double Q-learning",
    AAAI 2016.

    See Also
    --------
    dlbook.rl.td.q_learning : the tabular update with the same target.

    Examples
    --------
    >>> r = torch.tensor([1.0, 1.0])
    >>> q_next = torch.tensor([[2.0, 3.0], [2.0, 3.0]])
    >>> td_targets(r, q_next, torch.tensor([False, True]), gamma=0.5)  # 1 + 0.5*3 ; 1 + 0
    tensor([2.5000, 1.0000])
    >>> q_online = torch.tensor([[9.0, 0.0], [9.0, 0.0]])  # the online net prefers action 0
    >>> td_targets(r, q_next, torch.tensor([False, False]), 0.5, next_q_online=q_online)
    tensor([2., 2.])
    """
    gamma = probability(gamma, "gamma")
    check_shape(next_q_target, "next_q_target", (None, None), "(B, A)")
    B = next_q_target.shape[0]
    if rewards.shape != (B,) or terminated.shape != (B,):
        raise ValueError(f"rewards {tuple(rewards.shape)} and terminated "
                         f"{tuple(terminated.shape)} must both have shape ({B},)")
    if terminated.dtype != torch.bool:
        raise TypeError(f"terminated must be a bool tensor, got {terminated.dtype}")
    with torch.no_grad():
        if next_q_online is None:
            next_value = next_q_target.max(dim=1).values  # (B,)
        else:
            if next_q_online.shape != next_q_target.shape:
                raise ValueError(f"next_q_online {tuple(next_q_online.shape)} and next_q_target "
                                 f"{tuple(next_q_target.shape)} differ in shape")
            best = next_q_online.argmax(dim=1, keepdim=True)  # (B, 1)
            next_value = next_q_target.gather(1, best).squeeze(1)  # (B,)
        not_done = (~terminated).to(next_value.dtype)
        return rewards + gamma * not_done * next_value


def huber_loss(pred, target, delta: float = 1.0, reduction: str = "mean"):
    r"""The Huber loss: quadratic for small errors, linear for large ones.

    Parameters
    ----------
    pred, target : Tensor of the same shape
    delta : float
        Where the quadratic part turns linear, :math:`\delta > 0`.
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    Tensor
        A scalar, or the elementwise loss for ``reduction="none"``.

    Raises
    ------
    ValueError
        If the shapes differ (no silent broadcasting), ``delta <= 0`` or the reduction is unknown.

    Notes
    -----
    With :math:`e = \mathrm{pred} - \mathrm{target}`,

    .. math:: \ell_\delta(e) = \begin{cases} \tfrac12 e^2 & |e| \le \delta \\
              \delta\,(|e| - \tfrac12\delta) & |e| > \delta \end{cases},
              \qquad \ell_\delta'(e) = \operatorname{clip}(e, -\delta, \delta).

    The gradient is the error clipped to :math:`[-\delta, \delta]`: one badly wrong target
    cannot produce a huge update. It equals ``torch.nn.functional.huber_loss``.

    See Also
    --------
    :ref:`ch-dqn` : the chapter.

    Examples
    --------
    >>> huber_loss(torch.tensor([0.5, 3.0]), torch.zeros(2), reduction="none")  # 0.125 ; 3-0.5
    tensor([0.1250, 2.5000])
    """
    same_shape(pred, target, "pred", "target")
    delta = positive_real(delta, "delta")
    one_of(reduction, "reduction", ("mean", "sum", "none"))
    abs_err = (pred - target).abs()
    quad = abs_err.clamp(max=delta)  # min(|e|, delta)
    loss = 0.5 * quad**2 + delta * (abs_err - quad)  # equals both branches of the formula
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def linear_epsilon(step: int, start: float = 1.0, end: float = 0.05,
                   decay_steps: int = 10_000) -> float:
    r"""Exploration rate that falls linearly from ``start`` to ``end``, then stays there.

    Notes
    -----
    .. math:: \varepsilon(t) = \varepsilon_{\text{end}} + (\varepsilon_{\text{start}}
              - \varepsilon_{\text{end}})\,\max\!\left(0, 1 - \frac{t}{T}\right),
              \qquad T = \text{decay\_steps}.

    Raises
    ------
    ValueError
        If ``step < 0``, ``decay_steps < 1`` or an epsilon lies outside [0, 1].

    Examples
    --------
    >>> linear_epsilon(0), linear_epsilon(5_000), linear_epsilon(20_000)
    (1.0, 0.525, 0.05)
    """
    step, decay_steps = int_value(step, "step", low=0), positive_int(decay_steps, "decay_steps")
    start, end = probability(start, "start"), probability(end, "end")
    return end + (start - end) * max(0.0, 1.0 - step / decay_steps)


def epsilon_greedy(q_values, epsilon: float, rng: np.random.Generator) -> np.ndarray:
    r"""Pick :math:`\arg\max_a Q(s, a)` with probability :math:`1 - \varepsilon`, else at random.

    Parameters
    ----------
    q_values : Tensor or ndarray of shape (B, A)
    epsilon : float in [0, 1]
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of shape (B,), int64
        Each row independently; a random action may coincide with the greedy one, so the greedy
        action's probability is :math:`1 - \varepsilon + \varepsilon / A`.

    Examples
    --------
    >>> q = np.array([[0.0, 1.0], [5.0, 2.0]])
    >>> epsilon_greedy(q, 0.0, np.random.default_rng(0))
    array([1, 0])
    """
    if isinstance(q_values, torch.Tensor):
        q_values = q_values.detach().cpu().numpy()
    q = np.asarray(q_values)
    check_shape(q, "q_values", (None, None), "(B, A)")
    epsilon = probability(epsilon, "epsilon")
    B, A = q.shape
    greedy = q.argmax(axis=1)  # (B,)
    explore = rng.random(B) < epsilon  # (B,)
    return np.where(explore, rng.integers(0, A, size=B), greedy).astype(np.int64)


def hard_update(target: nn.Module, online: nn.Module) -> None:
    r"""Copy the online weights into the target network: :math:`\bar\theta \leftarrow \theta`.

    Examples
    --------
    >>> a, b = nn.Linear(2, 1), nn.Linear(2, 1)
    >>> hard_update(b, a)
    >>> bool(torch.equal(a.weight, b.weight))
    True
    """
    target.load_state_dict(online.state_dict())


def soft_update(target: nn.Module, online: nn.Module, tau: float) -> None:
    r"""Polyak averaging: :math:`\bar\theta \leftarrow \tau\,\theta + (1 - \tau)\,\bar\theta`.

    Modifies ``target`` in place (its name says so); ``tau = 1`` is a hard update.

    Examples
    --------
    >>> a, b = nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False)
    >>> with torch.no_grad():
    ...     _ = a.weight.fill_(1.0), b.weight.fill_(0.0)
    >>> soft_update(b, a, tau=0.1)
    >>> round(b.weight.item(), 6)  # 0.1*1 + 0.9*0
    0.1
    """
    tau = probability(tau, "tau", low_open=True)
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            t.lerp_(o, tau)  # t + tau * (o - t)


@dataclass(frozen=True)
class DQNConfig:
    """Hyperparameters of :func:`~dlbook.rl.dqn_training_torch.train_dqn`; the defaults are the
    chapter's CartPole run.

    Examples
    --------
    >>> cfg = DQNConfig(total_steps=1_000)
    >>> cfg.total_steps, cfg.batch_size, cfg.target_update
    (1000, 64, 'hard')
    """

    total_steps: int = 40_000  #: environment steps of training (the budget)
    buffer_size: int = 20_000  #: replay capacity (smaller than the budget: it wraps around)
    batch_size: int = 64
    gamma: float = 0.99
    lr: float = 2.3e-3  #: Adam's learning rate
    hidden: tuple[int, ...] = (128, 128)
    learning_starts: int = 1_000  #: random-policy steps before the first update
    train_every: int = 256  #: a round of updates every this many environment steps
    gradient_steps: int = 128  #: gradient steps per round
    eps_start: float = 1.0
    eps_end: float = 0.04
    eps_decay_steps: int = 8_000
    target_update: str = "hard"  #: "hard" (copy) or "soft" (Polyak, after every update)
    target_every: int = 256  #: environment steps between copies for "hard"
    tau: float = 0.005  #: Polyak rate for "soft"
    double: bool = True  #: double-DQN target
    huber_delta: float = 1.0
    grad_clip: float = 10.0  #: max gradient norm
    eval_every: int = 2_000  #: greedy check every this many steps (0: never); best net is kept
    eval_episodes: int = 10  #: episodes per check, seeded apart from the final evaluation


def dqn_update(online, target, optimizer, batch, cfg: DQNConfig, device) -> float:
    r"""One gradient step on :math:`\frac1B\sum_i \ell_\delta(Q_\theta(s_i, a_i) - y_i)`.

    Returns the loss value.

    Examples
    --------
    >>> from dlbook.rl.replay import Batch
    >>> _ = torch.manual_seed(0)
    >>> net, tgt = QNetwork(1, 2, (4,)), QNetwork(1, 2, (4,))
    >>> opt = torch.optim.SGD(net.parameters(), lr=0.0)
    >>> b = Batch(np.zeros((1, 1), np.float32), np.array([0]), np.array([1.0], np.float32),
    ...           np.zeros((1, 1), np.float32), np.array([True]))
    >>> q = net(torch.zeros(1, 1))[0, 0].item()  # target is r = 1 (terminal)
    >>> abs(dqn_update(net, tgt, opt, b, DQNConfig(), "cpu") - 0.5 * (q - 1) ** 2) < 1e-6
    True
    """
    obs = torch.as_tensor(batch.obs, device=device)
    actions = torch.as_tensor(batch.actions, device=device)
    rewards = torch.as_tensor(batch.rewards, device=device)
    next_obs = torch.as_tensor(batch.next_obs, device=device)
    terminated = torch.as_tensor(batch.terminated, device=device)
    with torch.no_grad():
        next_q_target = target(next_obs)  # (B, A)
        next_q_online = online(next_obs) if cfg.double else None
    y = td_targets(rewards, next_q_target, terminated, cfg.gamma, next_q_online)  # (B,)
    q_sa = online(obs).gather(1, actions[:, None]).squeeze(1)  # (B,)
    loss = huber_loss(q_sa, y, delta=cfg.huber_delta)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    nn.utils.clip_grad_norm_(online.parameters(), cfg.grad_clip)
    optimizer.step()
    return loss.item()
