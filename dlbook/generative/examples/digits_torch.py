r"""The digits generators of Part 5, trained with the chapters' recipes, for pages that compare
them (and for ``benchmarks/generative_digits.py``).

Chapters 5.2 (VAE), 5.3 (DCGAN) and 5.4 (diffusion) each train one generator on the training
split of scikit-learn's digits; chapter 5.5 measures all three against held-out digits. The
functions here hold those recipes in one place, so that the measuring page and the benchmark
train exactly what the chapters train. Images are handled flat, 64 numbers per digit: *counts*
0..16 (the data as it is stored) or *intensities* in [0, 1] (counts / 16), as the generators'
samples are.

See Also
--------
:ref:`ch-measuring-generative` : the chapter that uses them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from dlbook._checks import int_value, positive_int, real_tensor
from dlbook.cnn.visualize_torch import GapCNN
from dlbook.generative.denoiser_torch import Denoiser, guided_eps_model, train_denoiser
from dlbook.generative.diffusion_torch import (
    clipped_eps_model,
    ddim_sample,
    linear_beta_schedule,
    make_schedule,
)
from dlbook.generative.gan_torch import DCDiscriminator, DCGenerator, train_gan
from dlbook.generative.vae_torch import VAE, train_vae
from dlbook.nn.training_torch import fit

__all__ = ["DigitsSplit", "load_digits_split", "train_digits_vae", "vae_samples",
           "train_digits_dcgan", "dcgan_samples", "train_digits_diffusion", "diffusion_samples",
           "train_feature_classifier", "classifier_features"]


@dataclass(frozen=True)
class DigitsSplit:
    r"""scikit-learn's digits, split as every chapter of the book splits them.

    Attributes
    ----------
    counts_train, counts_test : Tensor of float32, shape (N, 64)
        Pixel counts 0..16 (1347 training and 450 test digits).
    y_train, y_test : Tensor of int64, shape (N,)
    """

    counts_train: torch.Tensor
    counts_test: torch.Tensor
    y_train: torch.Tensor
    y_test: torch.Tensor


def load_digits_split() -> DigitsSplit:
    r"""The stratified 75 / 25 split with ``random_state=0`` of the book's digits chapters.

    Examples
    --------
    >>> s = load_digits_split()
    >>> s.counts_train.shape, s.counts_test.shape, int(s.counts_train.max())
    (torch.Size([1347, 64]), torch.Size([450, 64]), 16)
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    Xtr, Xte, ytr, yte = train_test_split(d.data, d.target, test_size=0.25, random_state=0,
                                          stratify=d.target)
    f = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
    return DigitsSplit(f(Xtr), f(Xte), torch.tensor(ytr), torch.tensor(yte))


def train_digits_vae(counts, latent_dim: int = 16, epochs: int = 100, seed: int = 0) -> VAE:
    r"""Chapter 5.2's VAE: one hidden layer of 256, binomial decoder, Adam 1e-3, batches of 64.

    Examples
    --------
    >>> vae = train_digits_vae(load_digits_split().counts_train[:64], epochs=1)
    >>> vae.latent_dim
    16
    """
    torch.manual_seed(int_value(seed, "seed", low=0))
    model = VAE(in_features=64, hidden=256, latent_dim=latent_dim)
    train_vae(model, real_tensor(counts, "counts", ndim=2), epochs=epochs, batch_size=64,
              lr=1e-3, seed=seed)
    return model


@torch.no_grad()
def vae_samples(model: VAE, n: int, generator=None) -> np.ndarray:
    r"""``n`` digits from the prior: :math:`z \sim \mathcal N(0, I)`, decoded to the mean
    intensities :math:`\sigma(\ell(z))` in [0, 1]; shape (n, 64).

    Examples
    --------
    >>> vae_samples(VAE(latent_dim=2), 3).shape
    (3, 64)
    """
    z = torch.randn(positive_int(n, "n"), model.latent_dim, generator=generator)
    return torch.sigmoid(model.decode(z)).numpy()


def train_digits_dcgan(counts, steps: int = 1000, seed: int = 0) -> DCGenerator:
    r"""Chapter 5.3's DCGAN: width 32, latent 16, the non-saturating loss, Adam(5e-4, (0.5,
    0.999)), batches of 64; images scaled to [-1, 1].

    Examples
    --------
    >>> G = train_digits_dcgan(load_digits_split().counts_train[:64], steps=2)
    >>> G.latent_dim
    16
    """
    torch.manual_seed(int_value(seed, "seed", low=0))
    images = real_tensor(counts, "counts", ndim=2).view(-1, 1, 8, 8) / 8.0 - 1.0
    G, D = DCGenerator(latent_dim=16, width=32), DCDiscriminator(width=32)
    train_gan(G, D, images, loss="non_saturating", steps=steps, batch_size=64, lr=5e-4,
              betas=(0.5, 0.999), seed=seed)
    return G


@torch.no_grad()
def dcgan_samples(G: DCGenerator, n: int, generator=None) -> np.ndarray:
    r"""``n`` generated digits as intensities in [0, 1], shape (n, 64).

    Examples
    --------
    >>> dcgan_samples(DCGenerator().eval(), 3).shape
    (3, 64)
    """
    z = torch.randn(positive_int(n, "n"), G.latent_dim, generator=generator)
    return ((G.eval()(z).reshape(-1, 64) + 1) / 2).clamp(0, 1).numpy()


def train_digits_diffusion(counts, labels, steps: int = 2000, seed: int = 0):
    r"""Chapter 5.4's class-conditional diffusion model: T = 1000 linear schedule, a residual MLP
    of width 256, Adam 1e-3 with cosine decay, batches of 128, labels dropped with p = 0.1.

    Returns
    -------
    model : Denoiser
    schedule : DiffusionSchedule

    Examples
    --------
    >>> s = load_digits_split()
    >>> model, schedule = train_digits_diffusion(s.counts_train[:64], s.y_train[:64], steps=2)
    >>> schedule.num_steps
    1000
    """
    torch.manual_seed(int_value(seed, "seed", low=0))
    x = real_tensor(counts, "counts", ndim=2) / 8.0 - 1.0
    schedule = make_schedule(linear_beta_schedule(1000).float())
    model = Denoiser(64, hidden=256, n_layers=3, n_classes=10)
    train_denoiser(model, x, schedule, labels=labels, steps=steps, batch_size=128, lr=1e-3,
                   p_uncond=0.1, seed=seed)
    return model, schedule


@torch.no_grad()
def diffusion_samples(model: Denoiser, schedule, labels, guidance_scale: float = 1.0,
                      n_steps: int = 50, generator=None) -> np.ndarray:
    r"""One DDIM sample (``n_steps`` steps) per label, guided with ``guidance_scale`` and with
    :math:`\hat x_0` clipped to the data's range [-1, 1], as intensities in [0, 1]; shape
    (len(labels), 64). Scale 0 ignores the labels.

    Examples
    --------
    >>> model = Denoiser(64, n_classes=10)
    >>> schedule = make_schedule(linear_beta_schedule(1000).float())
    >>> diffusion_samples(model, schedule, torch.tensor([7, 7]), n_steps=2).shape
    (2, 64)
    """
    labels = torch.as_tensor(labels)
    x_T = torch.randn(len(labels), 64, generator=generator)
    eps = clipped_eps_model(guided_eps_model(model.eval(), labels, guidance_scale),
                            schedule.alphas_cumprod)
    return ((ddim_sample(eps, x_T, schedule, n_steps) + 1) / 2).clamp(0, 1).numpy()


def train_feature_classifier(counts, labels, seed: int = 0) -> GapCNN:
    r"""The digits CNN of chapter 2.8 (:class:`~dlbook.cnn.visualize_torch.GapCNN`), trained
    the same way (Adam 1e-2, 20 epochs, batches of 32) on intensities in [0, 1].

    Examples
    --------
    >>> s = load_digits_split()
    >>> net = train_feature_classifier(s.counts_train[:32], s.y_train[:32])
    >>> classifier_features(net, np.zeros((2, 64))).shape
    (2, 32)
    """
    torch.manual_seed(int_value(seed, "seed", low=0))
    net = GapCNN()
    x = real_tensor(counts, "counts", ndim=2).view(-1, 1, 8, 8) / 16.0
    fit(net, F.cross_entropy, torch.optim.Adam(net.parameters(), lr=1e-2), x,
        torch.as_tensor(labels), epochs=20, batch_size=32, seed=seed)
    return net.eval()


@torch.no_grad()
def classifier_features(net: GapCNN, images) -> np.ndarray:
    r"""The classifier's last hidden layer (the channel means before its linear output): the
    features a Fréchet distance compares. ``images`` are intensities in [0, 1], shape (N, 64).

    Examples
    --------
    >>> classifier_features(GapCNN().eval(), np.ones((3, 64))).shape
    (3, 32)
    """
    x = torch.as_tensor(np.asarray(images), dtype=torch.float32).view(-1, 1, 8, 8)
    return net.eval().features(x).mean(dim=(2, 3)).double().numpy()
