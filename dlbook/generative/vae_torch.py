r"""A variational autoencoder for count images in PyTorch: a Gaussian encoder, a binomial decoder,
the ELBO, and an importance-weighted estimate of the log-likelihood.

scikit-learn's digits are *counts*: each of the 8 × 8 pixels is the number of black pixels
(0 to 16) in a 4 × 4 block of a 32 × 32 bitmap. The decoder therefore models each pixel as
:math:`\operatorname{Binomial}(16, p)` with :math:`p = \sigma(\text{logit})`, a proper discrete
likelihood, so the log-likelihood estimates below are log-probabilities in nats of the actual
data. (With targets scaled to [0, 1], this is binary cross-entropy times 16 plus a constant.)

See Also
--------
:ref:`ch-vae` : the chapter.
dlbook.generative.gaussian_torch : the KL term and the reparameterization.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from dlbook._checks import int_value, positive_int, positive_real, real_tensor
from dlbook.generative.gaussian_torch import gaussian_kl, gaussian_log_prob, reparameterize

__all__ = ["binomial_log_likelihood", "VAE", "negative_elbo", "importance_weighted_log_likelihood",
           "train_vae"]


def binomial_log_likelihood(counts, logits, total_count: int = 16):
    r"""The log-probability of counts under independent binomials, summed over the last axis.

    Parameters
    ----------
    counts : Tensor of shape (..., D)
        Integers in ``[0, total_count]`` (any floating dtype).
    logits : Tensor of shape (..., D)
        :math:`\operatorname{logit} p`.
    total_count : int, default 16

    Returns
    -------
    log_p : Tensor of shape (...)

    Notes
    -----
    .. math::

        \log p(x) = \sum_d \Big[\log\binom{n}{x_d} + x_d \log\sigma(\ell_d)
                    + (n - x_d)\log\sigma(-\ell_d)\Big],

    with :math:`\log\sigma(\ell) = -\operatorname{softplus}(-\ell)` for stability. It equals
    ``torch.distributions.Binomial(n, logits=l).log_prob(x).sum(-1)`` (a test checks it).

    Examples
    --------
    Two trials, :math:`p = 1/2`: :math:`P(x = 1) = 1/2`.

    >>> round(binomial_log_likelihood(torch.tensor([1.0]), torch.tensor([0.0]), 2).exp().item(), 6)
    0.5
    """
    n = positive_int(total_count, "total_count")
    x, lg = real_tensor(counts, "counts"), real_tensor(logits, "logits")
    if x.shape != lg.shape:
        raise ValueError(f"counts has shape {tuple(x.shape)} but logits has {tuple(lg.shape)}")
    log_binom = torch.lgamma(torch.tensor(n + 1.0, dtype=x.dtype, device=x.device)) \
        - torch.lgamma(x + 1) - torch.lgamma(n - x + 1)
    return (log_binom - x * nn.functional.softplus(-lg) - (n - x) * nn.functional.softplus(lg)
            ).sum(-1)


class VAE(nn.Module):
    r"""A VAE with MLP encoder and decoder for flattened count images.

    Parameters
    ----------
    in_features : int, default 64
    hidden : int, default 256
        Width of the one hidden layer of the encoder and of the decoder.
    latent_dim : int, default 2
    total_count : int, default 16
        Trials of each pixel's binomial; inputs are divided by it before the encoder.

    Notes
    -----
    Encoder :math:`q_\phi(z\mid x) = \mathcal N(\mu_\phi(x), \operatorname{diag}\sigma^2_\phi(x))`
    (it outputs :math:`\mu` and :math:`\log\sigma^2`), prior :math:`\mathcal N(0, I)`, decoder
    :math:`p_\theta(x\mid z) = \prod_d \operatorname{Binomial}(x_d; n, \sigma(\ell_d(z)))`.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> vae = VAE(latent_dim=3)
    >>> logits, mu, logvar = vae(torch.zeros(5, 64))
    >>> logits.shape, mu.shape, logvar.shape
    (torch.Size([5, 64]), torch.Size([5, 3]), torch.Size([5, 3]))
    """

    def __init__(self, in_features: int = 64, hidden: int = 256, latent_dim: int = 2,
                 total_count: int = 16):
        super().__init__()
        self.in_features = positive_int(in_features, "in_features")
        self.latent_dim = positive_int(latent_dim, "latent_dim")
        self.total_count = positive_int(total_count, "total_count")
        hidden = positive_int(hidden, "hidden")
        self.encoder = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU())
        self.to_mu = nn.Linear(hidden, latent_dim)
        self.to_logvar = nn.Linear(hidden, latent_dim)
        self.decoder = nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(),
                                     nn.Linear(hidden, in_features))

    def encode(self, counts):
        """``(mu, logvar)`` of :math:`q(z \\mid x)` for counts of shape (N, in_features).

        Examples
        --------
        >>> [t.shape for t in VAE(latent_dim=2).encode(torch.zeros(4, 64))]
        [torch.Size([4, 2]), torch.Size([4, 2])]
        """
        h = self.encoder(counts / self.total_count)
        return self.to_mu(h), self.to_logvar(h)

    def decode(self, z):
        """Pixel logits of :math:`p(x \\mid z)`; ``sigmoid(logits)`` is the mean image / n.

        Examples
        --------
        >>> VAE(latent_dim=2).decode(torch.zeros(4, 2)).shape
        torch.Size([4, 64])
        """
        return self.decoder(z)

    def forward(self, counts, noise=None):
        mu, logvar = self.encode(counts)
        noise = torch.randn_like(mu) if noise is None else noise
        return self.decode(reparameterize(mu, logvar, noise)), mu, logvar


def negative_elbo(model: VAE, counts, noise=None):
    r"""The negative ELBO per example, averaged over the batch, and its two parts.

    Parameters
    ----------
    model : VAE
    counts : Tensor of shape (N, in_features)
    noise : Tensor of shape (N, latent_dim), optional
        :math:`\epsilon` of the one-sample reparameterized estimate (drawn if None).

    Returns
    -------
    loss : scalar Tensor
        :math:`-\mathrm{ELBO} = \text{reconstruction} + \text{KL}`, in nats per image.
    reconstruction : scalar Tensor
        :math:`-\mathbb E_q \log p(x\mid z)` (one sample).
    kl : scalar Tensor
        :math:`\mathrm{KL}(q(z\mid x)\,\|\,p(z))` in closed form.

    Notes
    -----
    .. math:: \log p(x) \ge \mathrm{ELBO} = \mathbb E_{q(z\mid x)}\big[\log p(x\mid z)\big]
              - \mathrm{KL}\big(q(z\mid x)\,\|\,p(z)\big).

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> loss, rec, kl = negative_elbo(VAE(), torch.randint(0, 17, (8, 64)).float())
    >>> bool(torch.isclose(loss, rec + kl))
    True
    """
    counts = real_tensor(counts, "counts", ndim=2)
    logits, mu, logvar = model(counts, noise)
    rec = -binomial_log_likelihood(counts, logits, model.total_count).mean()
    kl = gaussian_kl(mu, logvar).mean()
    return rec + kl, rec, kl


@torch.no_grad()
def importance_weighted_log_likelihood(model: VAE, counts, n_importance: int = 100,
                                       chunk: int = 10_000, generator=None):
    r"""An importance-weighted estimate of :math:`\log p(x)` for each row of ``counts``.

    Parameters
    ----------
    model : VAE
    counts : Tensor of shape (N, in_features)
    n_importance : int, default 100
        :math:`K`, samples from :math:`q(z\mid x)` per example.
    chunk : int, default 10000
        At most this many decoder evaluations at once (memory).
    generator : torch.Generator, optional

    Returns
    -------
    log_px : Tensor of shape (N,)
        In nats. A lower bound in expectation that rises toward :math:`\log p(x)` as :math:`K`
        grows; :math:`K = 1` is the ELBO.

    Notes
    -----
    .. math::

        \log p(x) \approx \log \frac1K \sum_{k=1}^{K}
            \frac{p(x\mid z_k)\, p(z_k)}{q(z_k\mid x)}, \qquad z_k \sim q(z\mid x),

    computed with a log-sum-exp (Burda, Grosse & Salakhutdinov, 2016).

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> x = torch.randint(0, 17, (3, 64)).float()
    >>> importance_weighted_log_likelihood(VAE(), x, n_importance=20).shape
    torch.Size([3])
    """
    counts = real_tensor(counts, "counts", ndim=2)
    K = positive_int(n_importance, "n_importance")
    chunk = int_value(chunk, "chunk", low=1)
    mu, logvar = model.encode(counts)
    rows = max(1, chunk // K)
    out = []
    for start in range(0, len(counts), rows):
        x, m, lv = (t[start:start + rows] for t in (counts, mu, logvar))
        eps = torch.randn((K,) + tuple(m.shape), generator=generator, device=m.device,
                          dtype=m.dtype)                           # (K, n, L)
        z = m + torch.exp(0.5 * lv) * eps
        log_w = (binomial_log_likelihood(x.expand(K, -1, -1), model.decode(z), model.total_count)
                 + gaussian_log_prob(z, torch.zeros_like(z), torch.zeros_like(z))
                 - gaussian_log_prob(z, m.expand_as(z), lv.expand_as(z)))   # (K, n)
        out.append(torch.logsumexp(log_w, 0) - math.log(K))
    return torch.cat(out)


def train_vae(model: VAE, counts, epochs: int = 100, batch_size: int = 64, lr: float = 1e-3,
              seed: int = 0) -> list:
    r"""Train with Adam on the negative ELBO; returns the mean loss of each epoch (nats/image).

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> x = torch.randint(0, 17, (64, 64)).float()
    >>> hist = train_vae(VAE(), x, epochs=5)
    >>> hist[-1] < hist[0]
    True
    """
    counts = real_tensor(counts, "counts", ndim=2)
    epochs, batch_size = positive_int(epochs, "epochs"), positive_int(batch_size, "batch_size")
    lr = positive_real(lr, "lr")
    g = torch.Generator().manual_seed(int_value(seed, "seed", low=0))
    device = next(model.parameters()).device
    counts = counts.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    model.train()
    for _ in range(epochs):
        total = 0.0
        for idx in torch.randperm(len(counts), generator=g).split(batch_size):
            x = counts[idx.to(device)]
            noise = torch.randn((len(x), model.latent_dim), generator=g).to(device)
            loss, _, _ = negative_elbo(model, x, noise)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(x)
        history.append(total / len(counts))
    model.eval()
    return history
