r"""The noise-prediction network of a diffusion model and how it is trained: a time-conditioned
(and optionally class-conditioned) MLP, the ε-prediction loss, and classifier-free guidance.

The network :math:`\epsilon_\theta(x_t, t, y)` sees a noisy example, its time step (through a
sinusoidal embedding, as a transformer sees positions) and, for conditional generation, a class
label. Training draws a random step for each example, noises it in one go with
:func:`dlbook.generative.diffusion_torch.q_sample` and regresses the noise. Classifier-free
guidance trains one network for both the conditional and the unconditional model by replacing
the label by a "no class" token with probability ``p_uncond``.

See Also
--------
:ref:`ch-diffusion` : the chapter.
dlbook.generative.diffusion_torch : the schedule and the samplers.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from dlbook._checks import (
    int_value,
    positive_int,
    positive_real,
    probability,
    real_tensor,
    real_value,
)
from dlbook.generative.diffusion_torch import DiffusionSchedule, q_sample

__all__ = ["timestep_embedding", "Denoiser", "diffusion_loss", "train_denoiser",
           "guided_eps_model"]


def timestep_embedding(t, dim: int, max_period: float = 10_000.0):
    r"""Sinusoidal embedding of integer time steps, as the positional encoding of a transformer.

    Parameters
    ----------
    t : Tensor of shape (N,)
    dim : int
        Even embedding width.
    max_period : float, default 10000

    Returns
    -------
    emb : Tensor of shape (N, dim)
        :math:`[\cos(t\,\omega_k), \sin(t\,\omega_k)]_{k < d/2}` with
        :math:`\omega_k = \text{max\_period}^{-2k/d}`.

    Examples
    --------
    >>> timestep_embedding(torch.tensor([0]), 4)
    tensor([[1., 1., 0., 0.]])
    """
    dim = positive_int(dim, "dim")
    if dim % 2:
        raise ValueError(f"dim must be even, got {dim}")
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, device=t.device) / half)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)


class Denoiser(nn.Module):
    r"""An MLP :math:`\epsilon_\theta(x_t, t[, y])` for flat data (2-D points, 64-pixel digits).

    Parameters
    ----------
    data_dim : int
    hidden : int, default 256
    n_layers : int, default 3
        Hidden layers; each adds the time (and class) embedding to its input.
    time_dim : int, default 64
        Width of the sinusoidal embedding.
    n_classes : int, optional
        If given, the network also takes labels ``y`` in ``[0, n_classes]``, where the value
        ``n_classes`` is the "no class" token of classifier-free guidance.

    Examples
    --------
    >>> net = Denoiser(64, n_classes=10)
    >>> net(torch.zeros(3, 64), torch.tensor([0, 5, 999]), torch.tensor([7, 7, 10])).shape
    torch.Size([3, 64])
    """

    def __init__(self, data_dim: int, hidden: int = 256, n_layers: int = 3, time_dim: int = 64,
                 n_classes: int | None = None):
        super().__init__()
        self.data_dim = positive_int(data_dim, "data_dim")
        hidden, n_layers = positive_int(hidden, "hidden"), positive_int(n_layers, "n_layers")
        self.time_dim = positive_int(time_dim, "time_dim")
        self.n_classes = None if n_classes is None else positive_int(n_classes, "n_classes")
        self.time_mlp = nn.Sequential(nn.Linear(self.time_dim, hidden), nn.SiLU(),
                                      nn.Linear(hidden, hidden))
        self.class_emb = (None if self.n_classes is None
                          else nn.Embedding(self.n_classes + 1, hidden))
        self.inp = nn.Linear(self.data_dim, hidden)
        self.blocks = nn.ModuleList(nn.Sequential(nn.SiLU(), nn.Linear(hidden, hidden))
                                    for _ in range(n_layers))
        self.out = nn.Sequential(nn.SiLU(), nn.Linear(hidden, self.data_dim))

    def forward(self, x, t, y=None):
        cond = self.time_mlp(timestep_embedding(t, self.time_dim).to(x.dtype))
        if self.class_emb is not None:
            if y is None:
                y = torch.full_like(t, self.n_classes)             # unconditional
            cond = cond + self.class_emb(y)
        h = self.inp(x)
        for block in self.blocks:
            h = h + block(h + cond)                                # residual, conditioned
        return self.out(h)


def diffusion_loss(model: nn.Module, x0, schedule: DiffusionSchedule, y=None,
                   p_uncond: float = 0.0, generator=None):
    r"""The ε-prediction loss of DDPM on one batch.

    Parameters
    ----------
    model : nn.Module
        ``model(x_t, t)`` or, with labels, ``model(x_t, t, y)``.
    x0 : Tensor of shape (N, D)
    schedule : dlbook.generative.diffusion_torch.DiffusionSchedule
    y : Tensor of int, shape (N,), optional
        Labels for a conditional model.
    p_uncond : float, default 0
        Probability of replacing a label by the "no class" token ``model.n_classes``.
    generator : torch.Generator, optional

    Returns
    -------
    loss : scalar Tensor

    Notes
    -----
    .. math::

        L = \mathbb E_{x_0,\, t \sim U\{0..T-1\},\, \epsilon \sim \mathcal N(0, I)}
            \big\lVert \epsilon - \epsilon_\theta(\sqrt{\bar\alpha_t}x_0
            + \sqrt{1-\bar\alpha_t}\,\epsilon,\; t) \big\rVert^2 / D,

    the "simple" objective of Ho et al. (2020), a reweighted ELBO.

    Examples
    --------
    >>> from dlbook.generative.diffusion_torch import linear_beta_schedule, make_schedule
    >>> s = make_schedule(linear_beta_schedule(100).float())
    >>> loss = diffusion_loss(Denoiser(2), torch.zeros(8, 2), s)
    >>> loss.shape, bool(loss > 0)
    (torch.Size([]), True)
    """
    x0 = real_tensor(x0, "x0", min_ndim=2)
    p_uncond = probability(p_uncond, "p_uncond")
    n, dev = len(x0), x0.device
    t = torch.randint(0, schedule.num_steps, (n,), generator=generator, device=dev)
    eps = torch.randn(x0.shape, generator=generator, device=dev, dtype=x0.dtype)
    xt = q_sample(x0, t, eps, schedule.alphas_cumprod.to(x0.dtype))
    if y is None:
        pred = model(xt, t)
    else:
        drop = torch.rand(n, generator=generator, device=dev) < p_uncond
        pred = model(xt, t, torch.where(drop, torch.full_like(y, model.n_classes), y))
    return ((pred - eps) ** 2).mean()


def train_denoiser(model: nn.Module, data, schedule: DiffusionSchedule, labels=None,
                   steps: int = 5000, batch_size: int = 128, lr: float = 1e-3,
                   p_uncond: float = 0.1, seed: int = 0) -> list:
    r"""Train with Adam on :func:`diffusion_loss` (batches drawn with replacement), with the step
    size decayed along a cosine to zero; returns the loss of each step.

    Parameters
    ----------
    model : nn.Module
    data : Tensor of shape (N, D), on the model's device
    schedule : dlbook.generative.diffusion_torch.DiffusionSchedule
    labels : Tensor of int, shape (N,), optional
        For a class-conditional model (classifier-free guidance drops them with ``p_uncond``).
    steps, batch_size, lr : int, int, float
    p_uncond : float, default 0.1
    seed : int, default 0

    Returns
    -------
    history : list of float

    Examples
    --------
    >>> from dlbook.generative.diffusion_torch import linear_beta_schedule, make_schedule
    >>> _ = torch.manual_seed(0)
    >>> s = make_schedule(linear_beta_schedule(100).float())
    >>> hist = train_denoiser(Denoiser(2, hidden=32), torch.randn(256, 2), s, steps=50)
    >>> len(hist)
    50
    """
    data = real_tensor(data, "data", min_ndim=2)
    steps, batch_size = positive_int(steps, "steps"), positive_int(batch_size, "batch_size")
    lr = positive_real(lr, "lr")
    g = torch.Generator(device=data.device).manual_seed(int_value(seed, "seed", low=0))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    history = []
    model.train()
    for _ in range(steps):
        idx = torch.randint(len(data), (batch_size,), generator=g, device=data.device)
        y = None if labels is None else labels[idx]
        loss = diffusion_loss(model, data[idx], schedule, y, p_uncond if y is not None else 0.0,
                              generator=g)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        history.append(loss.item())
    model.eval()
    return history


def guided_eps_model(model: nn.Module, y, guidance_scale: float):
    r"""Classifier-free guidance: a noise model for the samplers that mixes the conditional and the
    unconditional predictions of one network.

    Parameters
    ----------
    model : nn.Module
        Trained with labels and ``p_uncond > 0``.
    y : Tensor of int, shape (N,)
        The class asked for, one per sample ("draw a 7").
    guidance_scale : float
        :math:`s`: 0 ignores the label, 1 is the plain conditional model, larger values push the
        samples toward what the network thinks is most typical of the class, and negative
        values push them away from it (as "negative prompts" do).

    Returns
    -------
    eps_model : callable ``(x, t) -> eps``

    Notes
    -----
    .. math:: \tilde\epsilon = \epsilon_\theta(x_t, t, \varnothing)
              + s\,\big(\epsilon_\theta(x_t, t, y) - \epsilon_\theta(x_t, t, \varnothing)\big)

    (Ho & Salimans, 2021). Since :math:`\epsilon` is proportional to minus the score, this
    samples approximately from :math:`p(x)\,p(y\mid x)^{s}`: a sharper, less diverse
    distribution as :math:`s` grows.

    Examples
    --------
    >>> net = Denoiser(2, n_classes=3)
    >>> eps = guided_eps_model(net, torch.tensor([1, 2]), 0.0)      # s = 0: unconditional
    >>> x, t = torch.randn(2, 2), torch.tensor([5, 5])
    >>> bool(torch.allclose(eps(x, t), net(x, t)))
    True
    """
    s = real_value(guidance_scale, "guidance_scale")
    null = torch.full_like(y, model.n_classes)

    def eps_model(x, t):
        uncond = model(x, t, null)
        if s == 0.0:
            return uncond
        return uncond + s * (model(x, t, y) - uncond)

    return eps_model
