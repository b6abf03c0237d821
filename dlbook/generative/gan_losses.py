r"""The losses of a GAN, from the discriminator's logits, with their gradients.

The discriminator :math:`D(x) = \sigma(a(x))` outputs a logit :math:`a`. Its loss is binary
cross-entropy with real = 1 and fake = 0. The generator has two classic losses, which share
their fixed point but not their gradients:

- *minimax* (Goodfellow et al., 2014): minimize :math:`\mathbb E\log(1 - D(G(z)))`;
- *non-saturating*: minimize :math:`-\mathbb E\log D(G(z))`.

When :math:`D` confidently rejects a fake (:math:`a \ll 0`) the minimax gradient vanishes and
the non-saturating one does not: :func:`minimax_generator_loss_grad` and
:func:`non_saturating_generator_loss_grad` show it. The Wasserstein losses (for WGAN-GP) use a
*critic* score instead of a probability.

All losses are means over the batch and are computed from logits with
``logaddexp`` (never :math:`\log\sigma`), so they stay finite for any logit.

See Also
--------
:ref:`ch-gans` : the chapter.
dlbook.generative.gan_losses_torch : the PyTorch twin.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import finite_array

__all__ = ["discriminator_loss", "discriminator_loss_grad", "minimax_generator_loss",
           "minimax_generator_loss_grad", "non_saturating_generator_loss",
           "non_saturating_generator_loss_grad", "wasserstein_critic_loss",
           "wasserstein_generator_loss"]


def _logits(a, name):
    return finite_array(a, name, ndim=1, nonempty=True).astype(np.float64)


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def discriminator_loss(real_logits, fake_logits) -> float:
    r"""The discriminator's binary cross-entropy: real examples labelled 1, fakes 0.

    Parameters
    ----------
    real_logits : array_like of shape (N,)
        :math:`a(x)` on real data.
    fake_logits : array_like of shape (M,)
        :math:`a(G(z))` on generated data.

    Returns
    -------
    loss : float

    Notes
    -----
    .. math::

        L_D = -\frac1N\sum_n \log\sigma(a_n^{\text{real}})
              -\frac1M\sum_m \log\big(1 - \sigma(a_m^{\text{fake}})\big)
            = \overline{\operatorname{softplus}(-a^{\text{real}})}
            + \overline{\operatorname{softplus}(a^{\text{fake}})} .

    Its minimum over :math:`D` is :math:`2\log 2 - 2\,\mathrm{JSD}(p_{\text{data}}\,\|\,p_G)`.

    See Also
    --------
    dlbook.generative.gan_losses_torch.discriminator_loss, :ref:`ch-gans`

    Examples
    --------
    A discriminator that outputs 1/2 everywhere pays :math:`2 \log 2`:

    >>> round(discriminator_loss([0.0, 0.0], [0.0]), 6)
    1.386294
    """
    r, f = _logits(real_logits, "real_logits"), _logits(fake_logits, "fake_logits")
    return float(np.logaddexp(0.0, -r).mean() + np.logaddexp(0.0, f).mean())


def discriminator_loss_grad(real_logits, fake_logits):
    r"""Gradients of :func:`discriminator_loss` with respect to the two sets of logits.

    Returns
    -------
    d_real : ndarray of shape (N,)
        :math:`-(1 - \sigma(a^{\text{real}}))/N`.
    d_fake : ndarray of shape (M,)
        :math:`\sigma(a^{\text{fake}})/M`.

    Examples
    --------
    >>> discriminator_loss_grad([0.0, 0.0], [0.0])
    (array([-0.25, -0.25]), array([0.5]))
    """
    r, f = _logits(real_logits, "real_logits"), _logits(fake_logits, "fake_logits")
    return -_sigmoid(-r) / len(r), _sigmoid(f) / len(f)


def minimax_generator_loss(fake_logits) -> float:
    r"""The generator's loss of the original minimax game, :math:`\frac1M\sum\log(1 - D(G(z)))`.

    Returns
    -------
    loss : float
        :math:`-\overline{\operatorname{softplus}(a)}`, always negative; the generator minimizes it.

    Examples
    --------
    >>> round(minimax_generator_loss([0.0]), 6)
    -0.693147
    """
    a = _logits(fake_logits, "fake_logits")
    return float(-np.logaddexp(0.0, a).mean())


def minimax_generator_loss_grad(fake_logits) -> np.ndarray:
    r"""Gradient of :func:`minimax_generator_loss` with respect to the logits: :math:`-\sigma(a)/M`.

    It tends to 0 as :math:`a \to -\infty`, that is exactly when the discriminator is sure that
    the sample is fake: the generator learns least when it is worst.

    Examples
    --------
    >>> minimax_generator_loss_grad([-10.0, 0.0, 10.0]).round(6).tolist()
    [-1.5e-05, -0.166667, -0.333318]
    """
    a = _logits(fake_logits, "fake_logits")
    return -_sigmoid(a) / len(a)


def non_saturating_generator_loss(fake_logits) -> float:
    r"""The non-saturating generator loss :math:`-\frac1M\sum\log D(G(z)) =
    \overline{\operatorname{softplus}(-a)}`.

    Examples
    --------
    >>> round(non_saturating_generator_loss([0.0]), 6)
    0.693147
    """
    a = _logits(fake_logits, "fake_logits")
    return float(np.logaddexp(0.0, -a).mean())


def non_saturating_generator_loss_grad(fake_logits) -> np.ndarray:
    r"""Gradient of :func:`non_saturating_generator_loss` with respect to the logits:
    :math:`-(1 - \sigma(a))/M`, close to :math:`-1/M` where the discriminator rejects the sample.

    Examples
    --------
    >>> non_saturating_generator_loss_grad([-10.0, 0.0, 10.0]).round(6).tolist()
    [-0.333318, -0.166667, -1.5e-05]
    """
    a = _logits(fake_logits, "fake_logits")
    return -_sigmoid(-a) / len(a)


def wasserstein_critic_loss(real_scores, fake_scores) -> float:
    r"""The WGAN critic's loss :math:`\overline{c(G(z))} - \overline{c(x)}` (without the gradient
    penalty, which needs the critic's input gradient: see
    :func:`dlbook.generative.gan_torch.gradient_penalty`).

    Minimizing it over 1-Lipschitz critics makes :math:`-L` the Wasserstein-1 distance between
    the data and the generator (Arjovsky et al., 2017).

    Examples
    --------
    >>> wasserstein_critic_loss([2.0, 4.0], [1.0])
    -2.0
    """
    r, f = _logits(real_scores, "real_scores"), _logits(fake_scores, "fake_scores")
    return float(f.mean() - r.mean())


def wasserstein_generator_loss(fake_scores) -> float:
    r"""The WGAN generator's loss :math:`-\overline{c(G(z))}`.

    Examples
    --------
    >>> wasserstein_generator_loss([1.0, 3.0])
    -2.0
    """
    return float(-_logits(fake_scores, "fake_scores").mean())
