r"""Generative adversarial networks in PyTorch: MLP and DCGAN-style networks for small data, the
WGAN-GP gradient penalty, and one training loop for the three losses of the chapter.

- ``loss="minimax"``: the discriminator's cross-entropy, and the generator minimizes
  :math:`\log(1 - D(G(z)))` (Goodfellow et al., 2014);
- ``loss="non_saturating"``: the same discriminator, and the generator minimizes
  :math:`-\log D(G(z))`;
- ``loss="wgan_gp"``: a critic trained ``n_critic`` times per generator step on the Wasserstein
  loss plus a gradient penalty (Gulrajani et al., 2017).

See Also
--------
:ref:`ch-gans` : the chapter.
dlbook.generative.gan_losses_torch : the losses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from dlbook._checks import int_value, one_of, positive_int, positive_real, real_tensor
from dlbook.generative.gan_losses_torch import (
    discriminator_loss,
    minimax_generator_loss,
    non_saturating_generator_loss,
    wasserstein_critic_loss,
    wasserstein_generator_loss,
)

__all__ = ["MLPGenerator", "MLPDiscriminator", "DCGenerator", "DCDiscriminator",
           "gradient_penalty", "GANHistory", "train_gan", "GAN_LOSSES"]

#: The losses :func:`train_gan` knows.
GAN_LOSSES = ("minimax", "non_saturating", "wgan_gp")


class MLPGenerator(nn.Module):
    r""":math:`G(z)`: an MLP from ``latent_dim`` noise to ``out_features`` numbers.

    Examples
    --------
    >>> MLPGenerator(latent_dim=2, out_features=2)(torch.zeros(5, 2)).shape
    torch.Size([5, 2])
    """

    def __init__(self, latent_dim: int = 2, out_features: int = 2, hidden: int = 128,
                 n_layers: int = 3):
        super().__init__()
        self.latent_dim = positive_int(latent_dim, "latent_dim")
        layers, width = [], self.latent_dim
        for _ in range(positive_int(n_layers, "n_layers")):
            layers += [nn.Linear(width, hidden), nn.ReLU()]
            width = hidden
        self.net = nn.Sequential(*layers, nn.Linear(width, positive_int(out_features,
                                                                         "out_features")))

    def forward(self, z):
        return self.net(z)


class MLPDiscriminator(nn.Module):
    r""":math:`a(x)`: an MLP from ``in_features`` to one logit (or critic score) per example.

    Examples
    --------
    >>> MLPDiscriminator(in_features=2)(torch.zeros(5, 2)).shape
    torch.Size([5])
    """

    def __init__(self, in_features: int = 2, hidden: int = 128, n_layers: int = 3):
        super().__init__()
        layers, width = [], positive_int(in_features, "in_features")
        for _ in range(positive_int(n_layers, "n_layers")):
            layers += [nn.Linear(width, hidden), nn.LeakyReLU(0.2)]
            width = hidden
        self.net = nn.Sequential(*layers, nn.Linear(width, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)


class DCGenerator(nn.Module):
    r"""A DCGAN-style generator for 1 × 8 × 8 images in [-1, 1]: a linear layer to 2 × 2 maps,
    then two stride-2 transposed convolutions with batch norm and ReLU, and tanh.

    Examples
    --------
    >>> DCGenerator(latent_dim=16)(torch.zeros(4, 16)).shape
    torch.Size([4, 1, 8, 8])
    """

    def __init__(self, latent_dim: int = 16, width: int = 64):
        super().__init__()
        self.latent_dim = positive_int(latent_dim, "latent_dim")
        w = positive_int(width, "width")
        self.project = nn.Sequential(nn.Linear(self.latent_dim, 2 * w * 2 * 2),
                                     nn.BatchNorm1d(2 * w * 4), nn.ReLU())
        self.net = nn.Sequential(
            nn.ConvTranspose2d(2 * w, w, 4, stride=2, padding=1), nn.BatchNorm2d(w), nn.ReLU(),
            nn.ConvTranspose2d(w, 1, 4, stride=2, padding=1), nn.Tanh())     # 2 -> 4 -> 8
        self.width = w

    def forward(self, z):
        return self.net(self.project(z).view(-1, 2 * self.width, 2, 2))


class DCDiscriminator(nn.Module):
    r"""A DCGAN-style discriminator for 1 × 8 × 8 images: two stride-2 convolutions with
    LeakyReLU (8 → 4 → 2), then one logit.

    Examples
    --------
    >>> DCDiscriminator()(torch.zeros(4, 1, 8, 8)).shape
    torch.Size([4])
    """

    def __init__(self, width: int = 64):
        super().__init__()
        w = positive_int(width, "width")
        self.net = nn.Sequential(
            nn.Conv2d(1, w, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(w, 2 * w, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(2 * w * 2 * 2, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)


def gradient_penalty(critic: nn.Module, real, fake, generator=None):
    r"""The WGAN-GP penalty
    :math:`\mathbb E\big[(\lVert\nabla_{\hat x} c(\hat x)\rVert_2 - 1)^2\big]` on random points
    between real and fake examples.

    Parameters
    ----------
    critic : nn.Module
        Returns one score per example.
    real, fake : Tensor of shape (N, ...)
    generator : torch.Generator, optional
        Draws the interpolation weights :math:`u \sim U(0, 1)`, one per example.

    Returns
    -------
    penalty : scalar Tensor
        Differentiable with respect to the critic's parameters (``create_graph=True``).

    Notes
    -----
    :math:`\hat x = u\,x + (1-u)\,\tilde x`. The optimal critic of the Wasserstein distance has
    gradient norm 1 almost everywhere between the two distributions; the penalty asks for that
    instead of clipping the weights (Gulrajani et al., 2017).

    Examples
    --------
    A linear critic :math:`c(x) = 3 x_1` has gradient norm 3 everywhere: penalty :math:`(3-1)^2`.

    >>> critic = nn.Linear(2, 1, bias=False)
    >>> with torch.no_grad():
    ...     _ = critic.weight.copy_(torch.tensor([[3.0, 0.0]]))
    >>> gradient_penalty(critic, torch.randn(8, 2), torch.randn(8, 2)).item()
    4.0
    """
    real, fake = real_tensor(real, "real"), real_tensor(fake, "fake")
    if real.shape != fake.shape:
        raise ValueError(f"real has shape {tuple(real.shape)} but fake has {tuple(fake.shape)}")
    u = torch.rand((len(real),) + (1,) * (real.ndim - 1), generator=generator,
                   device=real.device, dtype=real.dtype)
    x_hat = (u * real + (1 - u) * fake.detach()).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1.0) ** 2).mean()


@dataclass
class GANHistory:
    r"""Losses recorded by :func:`train_gan`, one value per generator step.

    Attributes
    ----------
    d_loss, g_loss : list of float
    snapshots : dict of int to Tensor
        Samples of fixed noise at the steps asked for in ``snapshot_steps``.
    """

    d_loss: list = field(default_factory=list)
    g_loss: list = field(default_factory=list)
    snapshots: dict = field(default_factory=dict)


def train_gan(G: nn.Module, D: nn.Module, data, loss: str = "non_saturating", steps: int = 2000,
              batch_size: int = 128, lr: float = 2e-4, lr_d: float | None = None,
              betas=(0.5, 0.999), n_critic: int = 1, gp_weight: float = 10.0, pack: int = 1,
              seed: int = 0, snapshot_steps=(), n_snapshot: int = 512) -> GANHistory:
    r"""Alternate discriminator (critic) and generator steps with Adam.

    Parameters
    ----------
    G : nn.Module
        The generator; it must have an attribute ``latent_dim``.
    D : nn.Module
        The discriminator (logits) or critic (scores), one number per example.
    data : Tensor of shape (N, ...)
        Real examples, on the models' device (batches are drawn with replacement).
    loss : {"minimax", "non_saturating", "wgan_gp"}
    steps : int
        Generator steps.
    batch_size : int, default 128
    lr : float, default 2e-4
        Adam's step size for the generator.
    lr_d : float, optional
        The discriminator's step size (``lr`` if None).
    betas : pair of float, default (0.5, 0.999)
        Adam's, as in DCGAN (WGAN-GP uses (0.5, 0.9)).
    n_critic : int, default 1
        Discriminator steps per generator step.
    gp_weight : float, default 10
        :math:`\lambda` of the gradient penalty (``wgan_gp`` only).
    pack : int, default 1
        PacGAN's packing (Lin et al., 2018): the discriminator judges groups of ``pack``
        examples at once, concatenated along the feature (channel) axis, so ``D`` must take
        ``pack`` times the features of one example. A generator that repeats itself makes
        packs that are easy to tell from real ones; ``batch_size`` must be a multiple of it.
    seed : int, default 0
        Seeds the noise, the batches and the initial weights' RNG is left to the caller.
    snapshot_steps : sequence of int
        After which generator steps to keep samples of ``n_snapshot`` fixed noise vectors
        (0 = before training).
    n_snapshot : int, default 512

    Returns
    -------
    GANHistory

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> data = torch.randn(256, 2) + 3
    >>> h = train_gan(MLPGenerator(hidden=16), MLPDiscriminator(hidden=16), data, steps=5,
    ...               snapshot_steps=[5])
    >>> len(h.g_loss), h.snapshots[5].shape
    (5, torch.Size([512, 2]))
    """
    one_of(loss, "loss", GAN_LOSSES)
    data = real_tensor(data, "data", min_ndim=2)
    steps, batch_size = positive_int(steps, "steps"), positive_int(batch_size, "batch_size")
    n_critic, pack = positive_int(n_critic, "n_critic"), positive_int(pack, "pack")
    if batch_size % pack:
        raise ValueError(f"batch_size must be a multiple of pack, got {batch_size} and {pack}")
    lr, gp_weight = positive_real(lr, "lr"), positive_real(gp_weight, "gp_weight")
    lr_d = lr if lr_d is None else positive_real(lr_d, "lr_d")
    g = torch.Generator(device=data.device).manual_seed(int_value(seed, "seed", low=0))
    latent = G.latent_dim
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=tuple(betas))
    opt_d = torch.optim.Adam(D.parameters(), lr=lr_d, betas=tuple(betas))
    noise = lambda n: torch.randn(n, latent, generator=g, device=data.device)  # noqa: E731
    fixed = noise(positive_int(n_snapshot, "n_snapshot"))
    snaps = set(int(s) for s in snapshot_steps)
    history = GANHistory()

    def packed(x):                                 # (B, F, ...) -> (B / pack, pack * F, ...)
        return x if pack == 1 else x.reshape(len(x) // pack, pack * x.shape[1], *x.shape[2:])

    def snapshot(step):
        if step in snaps:
            G.eval()
            with torch.no_grad():
                history.snapshots[step] = G(fixed).cpu()
            G.train()

    G.train()
    D.train()
    snapshot(0)
    for step in range(1, steps + 1):
        for _ in range(n_critic):
            real = data[torch.randint(len(data), (batch_size,), generator=g, device=data.device)]
            with torch.no_grad():
                fake = G(noise(batch_size))
            real, fake = packed(real), packed(fake)
            if loss == "wgan_gp":
                d_loss = wasserstein_critic_loss(D(real), D(fake)) \
                    + gp_weight * gradient_penalty(D, real, fake, generator=g)
            else:
                d_loss = discriminator_loss(D(real), D(fake))
            opt_d.zero_grad()
            d_loss.backward()
            opt_d.step()
        scores = D(packed(G(noise(batch_size))))
        if loss == "minimax":
            g_loss = minimax_generator_loss(scores)
        elif loss == "non_saturating":
            g_loss = non_saturating_generator_loss(scores)
        else:
            g_loss = wasserstein_generator_loss(scores)
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        history.d_loss.append(d_loss.item())
        history.g_loss.append(g_loss.item())
        snapshot(step)
    G.eval()
    D.eval()
    return history
