r"""Diffusion models in NumPy: the noise schedule, the forward process in closed form, its
posterior, and the DDPM and DDIM sampling steps.

The forward process adds Gaussian noise in :math:`T` small steps,
:math:`q(x_t \mid x_{t-1}) = \mathcal N(\sqrt{1-\beta_t}\, x_{t-1}, \beta_t I)`, and has the
closed form :math:`q(x_t \mid x_0) = \mathcal N(\sqrt{\bar\alpha_t}\, x_0, (1-\bar\alpha_t) I)`
with :math:`\alpha_t = 1 - \beta_t` and :math:`\bar\alpha_t = \prod_{s \le t} \alpha_s`.
A network :math:`\epsilon_\theta(x_t, t)` learns to predict the noise; the samplers below turn
its predictions into samples. Time steps are 0-based: ``t = 0`` is the first noising step and
``t = T - 1`` the last, so ``alphas_cumprod[t]`` is :math:`\bar\alpha_{t+1}` of the papers.

The samplers take the noise model as a function ``eps_model(x, t) -> eps`` of NumPy arrays;
the PyTorch twin runs the same steps on tensors and trains the network
(:mod:`dlbook.generative.denoiser_torch`).

See Also
--------
:ref:`ch-diffusion` : the chapter.
dlbook.generative.diffusion_torch : the PyTorch twin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlbook._checks import finite_array, int_value, positive_int, real_value, same_shape

__all__ = ["linear_beta_schedule", "DiffusionSchedule", "make_schedule", "q_sample",
           "q_posterior_mean_variance", "predict_x0", "clipped_eps_model", "ddpm_step",
           "ddim_step", "ddpm_sample", "ddim_timesteps", "ddim_sample"]


def linear_beta_schedule(T: int, beta_start: float = 1e-4, beta_end: float = 0.02) -> np.ndarray:
    r"""The linear noise schedule of Ho et al. (2020): :math:`\beta_t` evenly from start to end.

    Parameters
    ----------
    T : int
        Number of diffusion steps.
    beta_start, beta_end : float
        :math:`0 < \beta_{\text{start}} \le \beta_{\text{end}} < 1`; the defaults are DDPM's
        (for :math:`T = 1000`).

    Returns
    -------
    betas : ndarray of float64, shape (T,)

    Raises
    ------
    ValueError
        If ``T < 1`` or the betas are out of order or outside (0, 1).

    See Also
    --------
    make_schedule, dlbook.generative.diffusion_torch.linear_beta_schedule

    Examples
    --------
    >>> linear_beta_schedule(3, 0.1, 0.3)
    array([0.1, 0.2, 0.3])
    """
    T = positive_int(T, "T")
    lo = real_value(beta_start, "beta_start", low=0.0, high=1.0, low_open=True, high_open=True)
    hi = real_value(beta_end, "beta_end", low=0.0, high=1.0, low_open=True, high_open=True)
    if lo > hi:
        raise ValueError(f"beta_start must be <= beta_end, got {lo} and {hi}")
    return np.linspace(lo, hi, T, dtype=np.float64)


@dataclass(frozen=True)
class DiffusionSchedule:
    r"""The per-step constants of a diffusion process (see :func:`make_schedule`).

    Attributes
    ----------
    betas, alphas, alphas_cumprod, alphas_cumprod_prev, posterior_variance : ndarray, shape (T,)
        :math:`\beta_t`, :math:`\alpha_t = 1 - \beta_t`, :math:`\bar\alpha_t`,
        :math:`\bar\alpha_{t-1}` (1 for the first step) and
        :math:`\tilde\beta_t = \frac{1 - \bar\alpha_{t-1}}{1 - \bar\alpha_t}\beta_t`.
    """

    betas: np.ndarray
    alphas: np.ndarray
    alphas_cumprod: np.ndarray
    alphas_cumprod_prev: np.ndarray
    posterior_variance: np.ndarray

    @property
    def num_steps(self) -> int:
        """The number of steps.

        Examples
        --------
        >>> make_schedule(linear_beta_schedule(10)).num_steps
        10
        """
        return len(self.betas)


def make_schedule(betas) -> DiffusionSchedule:
    r"""All the constants the forward process and the samplers need, from :math:`\beta_t`.

    Parameters
    ----------
    betas : array_like of shape (T,), values in (0, 1)

    Returns
    -------
    DiffusionSchedule

    Examples
    --------
    >>> s = make_schedule([0.5, 0.5])
    >>> s.alphas_cumprod, s.posterior_variance
    (array([0.5 , 0.25]), array([0.        , 0.33333333]))
    """
    b = finite_array(betas, "betas", ndim=1, nonempty=True).astype(np.float64)
    if b.min() <= 0 or b.max() >= 1:
        raise ValueError(f"betas must lie in (0, 1), got min {b.min()} and max {b.max()}")
    a = 1.0 - b
    ab = np.cumprod(a)
    ab_prev = np.concatenate([[1.0], ab[:-1]])
    return DiffusionSchedule(betas=b, alphas=a, alphas_cumprod=ab, alphas_cumprod_prev=ab_prev,
                             posterior_variance=b * (1.0 - ab_prev) / (1.0 - ab))


def _per_example(values: np.ndarray, t: np.ndarray, ndim: int) -> np.ndarray:
    """``values[t]`` shaped (N, 1, ..., 1) to broadcast over an (N, ...) batch."""
    return values[t].reshape((-1,) + (1,) * (ndim - 1))


def _timesteps(t, n: int, T: int) -> np.ndarray:
    t = np.asarray(t)
    if t.dtype.kind not in "iu":
        raise TypeError(f"t must hold integer time steps, got dtype {t.dtype}")
    t = np.broadcast_to(t, (n,)) if t.ndim == 0 else t
    if t.shape != (n,):
        raise ValueError(f"t must be a scalar or have shape ({n},), got {t.shape}")
    if n and (t.min() < 0 or t.max() >= T):
        raise ValueError(f"t must lie in [0, {T - 1}], got values from {t.min()} to {t.max()}")
    return t.astype(np.int64)


def q_sample(x0, t, noise, alphas_cumprod) -> np.ndarray:
    r"""Sample :math:`x_t \sim q(x_t \mid x_0)` in one step, from given noise.

    Parameters
    ----------
    x0 : array_like of shape (N, ...)
        Clean data.
    t : int or array_like of int, shape (N,)
        0-based time step of each example, in ``[0, T - 1]``.
    noise : array_like, same shape as ``x0``
        :math:`\epsilon \sim \mathcal N(0, I)`.
    alphas_cumprod : array_like of shape (T,)
        :math:`\bar\alpha_t` (``make_schedule(betas).alphas_cumprod``).

    Returns
    -------
    xt : ndarray, same shape as ``x0``

    Raises
    ------
    ValueError
        If shapes disagree or a time step is out of range.

    Notes
    -----
    .. math:: x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1 - \bar\alpha_t}\, \epsilon .

    Composing the one-step kernels :math:`x_t = \sqrt{\alpha_t} x_{t-1} + \sqrt{\beta_t}
    \epsilon_t` gives the same distribution (the chapter checks it by sampling).

    See Also
    --------
    dlbook.generative.diffusion_torch.q_sample, :ref:`ch-diffusion`

    Examples
    --------
    With :math:`\bar\alpha = 0.64`: :math:`0.8 \cdot 1 + 0.6 \cdot 2 = 2`.

    >>> q_sample(np.array([1.0]), 0, np.array([2.0]), np.array([0.64]))
    array([2.])
    """
    x0 = finite_array(x0, "x0", min_ndim=1)
    noise = finite_array(noise, "noise")
    same_shape(x0, noise, "x0", "noise")
    ab = finite_array(alphas_cumprod, "alphas_cumprod", ndim=1, nonempty=True)
    t = _timesteps(t, len(x0), len(ab))
    c = _per_example(ab, t, x0.ndim)
    return np.sqrt(c) * x0 + np.sqrt(1.0 - c) * noise


def q_posterior_mean_variance(x0, xt, t, schedule: DiffusionSchedule):
    r"""Mean and variance of the forward process's posterior :math:`q(x_{t-1} \mid x_t, x_0)`.

    Parameters
    ----------
    x0, xt : array_like of shape (N, ...)
    t : int or array_like of int, shape (N,)
    schedule : DiffusionSchedule

    Returns
    -------
    mean : ndarray, same shape as ``xt``
    variance : ndarray of shape (N, 1, ..., 1)

    Notes
    -----
    .. math::

        \tilde\mu_t = \frac{\sqrt{\bar\alpha_{t-1}}\,\beta_t}{1 - \bar\alpha_t} x_0
                    + \frac{\sqrt{\alpha_t}\,(1 - \bar\alpha_{t-1})}{1 - \bar\alpha_t} x_t,
        \qquad
        \tilde\beta_t = \frac{1 - \bar\alpha_{t-1}}{1 - \bar\alpha_t}\beta_t .

    See Also
    --------
    ddpm_step, :ref:`ch-diffusion`

    Examples
    --------
    At the first step (:math:`\bar\alpha_{t-1} = 1`) the posterior is the clean data itself:

    >>> s = make_schedule([0.1, 0.2])
    >>> q_posterior_mean_variance(np.array([3.0]), np.array([5.0]), 0, s)
    (array([3.]), array([0.]))
    """
    x0, xt = finite_array(x0, "x0", min_ndim=1), finite_array(xt, "xt", min_ndim=1)
    same_shape(x0, xt, "x0", "xt")
    t = _timesteps(t, len(xt), schedule.num_steps)
    b, a = (_per_example(v, t, xt.ndim) for v in (schedule.betas, schedule.alphas))
    ab, ab_prev = (_per_example(v, t, xt.ndim)
                   for v in (schedule.alphas_cumprod, schedule.alphas_cumprod_prev))
    mean = (np.sqrt(ab_prev) * b / (1 - ab)) * x0 + (np.sqrt(a) * (1 - ab_prev) / (1 - ab)) * xt
    return mean, _per_example(schedule.posterior_variance, t, xt.ndim)


def predict_x0(xt, t, eps, alphas_cumprod) -> np.ndarray:
    r"""Invert :func:`q_sample` with a predicted noise: :math:`\hat x_0 = (x_t -
    \sqrt{1-\bar\alpha_t}\,\hat\epsilon) / \sqrt{\bar\alpha_t}`.

    Parameters
    ----------
    xt, eps : array_like of shape (N, ...)
    t : int or array_like of int, shape (N,)
    alphas_cumprod : array_like of shape (T,)

    Returns
    -------
    x0_hat : ndarray, same shape as ``xt``

    Examples
    --------
    >>> predict_x0(np.array([2.0]), 0, np.array([2.0]), np.array([0.64]))
    array([1.])
    """
    xt, eps = finite_array(xt, "xt", min_ndim=1), finite_array(eps, "eps")
    same_shape(xt, eps, "xt", "eps")
    ab = finite_array(alphas_cumprod, "alphas_cumprod", ndim=1, nonempty=True)
    c = _per_example(ab, _timesteps(t, len(xt), len(ab)), xt.ndim)
    return (xt - np.sqrt(1.0 - c) * eps) / np.sqrt(c)


def clipped_eps_model(eps_model, alphas_cumprod, low: float = -1.0, high: float = 1.0):
    r"""Wrap a noise model so that its implied :math:`\hat x_0` stays in ``[low, high]``.

    Parameters
    ----------
    eps_model : callable ``(x, t) -> eps``
    alphas_cumprod : array_like of shape (T,)
    low, high : float
        The range of the data (``[-1, 1]`` for images scaled so).

    Returns
    -------
    clipped : callable ``(x, t) -> eps``

    Notes
    -----
    With :math:`\hat x_0 = \operatorname{clip}\big((x_t - \sqrt{1-\bar\alpha_t}\,\epsilon)/
    \sqrt{\bar\alpha_t}\big)`, the returned noise is
    :math:`(x_t - \sqrt{\bar\alpha_t}\,\hat x_0)/\sqrt{1-\bar\alpha_t}`, the noise that
    :math:`\hat x_0` implies. DDPM and DDIM steps computed from it are the steps from the clipped
    :math:`\hat x_0` ("clip denoised" in Ho et al.'s code). It matters with strong guidance,
    whose extrapolated predictions leave the data's range.

    Examples
    --------
    >>> ab = np.array([0.64])
    >>> eps = clipped_eps_model(lambda x, t: np.full_like(x, -5.0), ab)   # x0-hat would be 6.25
    >>> predict_x0(np.array([2.0]), 0, eps(np.array([2.0]), np.array([0])), ab)
    array([1.])
    """
    ab = finite_array(alphas_cumprod, "alphas_cumprod", ndim=1, nonempty=True)
    low, high = real_value(low, "low"), real_value(high, "high")
    if low >= high:
        raise ValueError(f"low must be < high, got {low} and {high}")

    def clipped(x, t):
        eps = np.asarray(eps_model(x, t), dtype=np.float64)
        c = _per_example(ab, _timesteps(t, len(x), len(ab)), np.ndim(x))
        x0 = np.clip((x - np.sqrt(1 - c) * eps) / np.sqrt(c), low, high)
        return (x - np.sqrt(c) * x0) / np.sqrt(1 - c)

    return clipped


def ddpm_step(xt, t: int, eps, schedule: DiffusionSchedule, noise) -> np.ndarray:
    r"""One ancestral sampling step of DDPM: :math:`x_t \to x_{t-1}`.

    Parameters
    ----------
    xt : array_like of shape (N, ...)
    t : int
        The current (0-based) step, the same for the whole batch.
    eps : array_like, same shape as ``xt``
        The network's noise prediction :math:`\epsilon_\theta(x_t, t)`.
    schedule : DiffusionSchedule
    noise : array_like, same shape as ``xt``
        Fresh :math:`z \sim \mathcal N(0, I)`; ignored at ``t = 0``.

    Returns
    -------
    x_prev : ndarray, same shape as ``xt``

    Notes
    -----
    .. math::

        x_{t-1} = \frac{1}{\sqrt{\alpha_t}}\Big(x_t - \frac{\beta_t}{\sqrt{1-\bar\alpha_t}}
        \hat\epsilon\Big) + \sigma_t z, \qquad \sigma_t^2 = \tilde\beta_t ,

    which is :func:`q_posterior_mean_variance` with :math:`x_0` replaced by
    :func:`predict_x0`. No noise is added at the last step.

    See Also
    --------
    ddpm_sample, dlbook.generative.diffusion_torch.ddpm_step, :ref:`ch-diffusion`

    Examples
    --------
    >>> s = make_schedule([0.36, 0.5])
    >>> ddpm_step(np.array([1.6]), 0, np.array([1.0]), s, np.array([9.9]))  # (1.6 - 0.6) / 0.8
    array([1.25])
    """
    xt, eps, noise = (finite_array(v, n, min_ndim=1) for v, n in
                      ((xt, "xt"), (eps, "eps"), (noise, "noise")))
    same_shape(xt, eps, "xt", "eps")
    same_shape(xt, noise, "xt", "noise")
    t = int_value(t, "t", low=0, high=schedule.num_steps - 1)
    a, b, ab = schedule.alphas[t], schedule.betas[t], schedule.alphas_cumprod[t]
    mean = (xt - b / np.sqrt(1.0 - ab) * eps) / np.sqrt(a)
    if t == 0:
        return mean
    return mean + np.sqrt(schedule.posterior_variance[t]) * noise


def ddim_step(xt, t: int, t_prev: int, eps, schedule: DiffusionSchedule, eta: float = 0.0,
              noise=None) -> np.ndarray:
    r"""One DDIM step from step ``t`` to an earlier step ``t_prev`` (-1 means "clean data").

    Parameters
    ----------
    xt, eps : array_like of shape (N, ...)
    t, t_prev : int
        ``0 <= t < T`` and ``-1 <= t_prev < t``.
    schedule : DiffusionSchedule
    eta : float, default 0
        0 gives the deterministic DDIM sampler; 1 adds as much noise as DDPM's ancestral step.
    noise : array_like, same shape as ``xt``, optional
        Needed when ``eta > 0``.

    Returns
    -------
    x_prev : ndarray, same shape as ``xt``

    Notes
    -----
    With :math:`\hat x_0` from :func:`predict_x0` and :math:`\bar\alpha_{-1} = 1`,

    .. math::

        x_{t'} = \sqrt{\bar\alpha_{t'}}\,\hat x_0
               + \sqrt{1 - \bar\alpha_{t'} - \sigma^2}\;\hat\epsilon + \sigma z, \qquad
        \sigma = \eta \sqrt{\frac{1-\bar\alpha_{t'}}{1-\bar\alpha_t}
                 \Big(1 - \frac{\bar\alpha_t}{\bar\alpha_{t'}}\Big)} .

    References
    ----------
    Song, Meng & Ermon (2021), *Denoising diffusion implicit models*.

    See Also
    --------
    ddim_sample, dlbook.generative.diffusion_torch.ddim_step, :ref:`ch-diffusion`

    Examples
    --------
    Jumping straight to clean data returns the predicted :math:`\hat x_0`:

    >>> s = make_schedule([0.36])
    >>> ddim_step(np.array([2.0]), 0, -1, np.array([2.0]), s)
    array([1.])
    """
    xt, eps = finite_array(xt, "xt", min_ndim=1), finite_array(eps, "eps")
    same_shape(xt, eps, "xt", "eps")
    t = int_value(t, "t", low=0, high=schedule.num_steps - 1)
    t_prev = int_value(t_prev, "t_prev", low=-1, high=t - 1)
    eta = real_value(eta, "eta", low=0.0)
    ab = schedule.alphas_cumprod[t]
    ab_prev = schedule.alphas_cumprod[t_prev] if t_prev >= 0 else 1.0
    x0_hat = (xt - np.sqrt(1.0 - ab) * eps) / np.sqrt(ab)
    sigma = eta * np.sqrt((1 - ab_prev) / (1 - ab) * (1 - ab / ab_prev))
    out = np.sqrt(ab_prev) * x0_hat + np.sqrt(max(1.0 - ab_prev - sigma**2, 0.0)) * eps
    if sigma > 0:
        if noise is None:
            raise ValueError("noise is needed when eta > 0")
        noise = finite_array(noise, "noise")
        same_shape(xt, noise, "xt", "noise")
        out = out + sigma * noise
    return out


def ddpm_sample(eps_model, x_T, schedule: DiffusionSchedule, rng=None) -> np.ndarray:
    r"""Ancestral sampling: start from noise and apply :func:`ddpm_step` for every step.

    Parameters
    ----------
    eps_model : callable ``(x, t) -> eps``
        ``x`` of shape (N, ...), ``t`` an int array of shape (N,); returns the predicted noise.
    x_T : array_like of shape (N, ...)
        The starting noise :math:`x_T \sim \mathcal N(0, I)`.
    schedule : DiffusionSchedule
    rng : numpy.random.Generator or int, optional
        Source of the noise added at each step.

    Returns
    -------
    x0 : ndarray, same shape as ``x_T``

    See Also
    --------
    ddim_sample, dlbook.generative.diffusion_torch.ddpm_sample, :ref:`ch-diffusion`

    Examples
    --------
    If the model predicts the exact noise of a point at 0, every step pulls toward 0:

    >>> s = make_schedule(linear_beta_schedule(50, 1e-3, 0.2))
    >>> exact = lambda x, t: x / np.sqrt(1 - s.alphas_cumprod[t])[:, None]
    >>> float(np.abs(ddpm_sample(exact, np.ones((2, 1)), s, rng=0)).max()) < 1e-12
    True
    """
    rng = np.random.default_rng(rng)
    x = finite_array(x_T, "x_T", min_ndim=1).astype(np.float64)
    n = len(x)
    for t in range(schedule.num_steps - 1, -1, -1):
        eps = np.asarray(eps_model(x, np.full(n, t, dtype=np.int64)), dtype=np.float64)
        x = ddpm_step(x, t, eps, schedule, rng.standard_normal(x.shape))
    return x


def ddim_timesteps(T: int, n_steps: int) -> np.ndarray:
    r"""``n_steps`` evenly spaced time steps of ``range(T)``, from the last down to 0.

    Examples
    --------
    >>> ddim_timesteps(1000, 5)
    array([999, 749, 500, 250,   0])
    """
    T, n_steps = positive_int(T, "T"), positive_int(n_steps, "n_steps")
    if n_steps > T:
        raise ValueError(f"n_steps must be <= T, got n_steps={n_steps}, T={T}")
    return np.unique(np.round(np.linspace(0, T - 1, n_steps)).astype(np.int64))[::-1]


def ddim_sample(eps_model, x_T, schedule: DiffusionSchedule, n_steps: int, eta: float = 0.0,
                rng=None) -> np.ndarray:
    r"""DDIM sampling with ``n_steps`` network evaluations instead of ``T``.

    Parameters
    ----------
    eps_model : callable ``(x, t) -> eps``
    x_T : array_like of shape (N, ...)
    schedule : DiffusionSchedule
    n_steps : int
        Number of steps, ``1 <= n_steps <= T`` (:func:`ddim_timesteps`).
    eta : float, default 0
        0: deterministic (the same ``x_T`` always gives the same sample).
    rng : numpy.random.Generator or int, optional
        Used only when ``eta > 0``.

    Returns
    -------
    x0 : ndarray, same shape as ``x_T``

    See Also
    --------
    ddim_step, ddpm_sample, dlbook.generative.diffusion_torch.ddim_sample, :ref:`ch-diffusion`

    Examples
    --------
    >>> s = make_schedule(linear_beta_schedule(50, 1e-3, 0.2))
    >>> exact = lambda x, t: x / np.sqrt(1 - s.alphas_cumprod[t])[:, None]
    >>> float(np.abs(ddim_sample(exact, np.ones((2, 1)), s, n_steps=5)).max()) < 1e-12
    True
    """
    rng = np.random.default_rng(rng)
    x = finite_array(x_T, "x_T", min_ndim=1).astype(np.float64)
    steps = ddim_timesteps(schedule.num_steps, n_steps)
    for t, t_prev in zip(steps, list(steps[1:]) + [-1]):
        eps = np.asarray(eps_model(x, np.full(len(x), t, dtype=np.int64)), dtype=np.float64)
        noise = rng.standard_normal(x.shape) if eta > 0 else None
        x = ddim_step(x, int(t), int(t_prev), eps, schedule, eta, noise)
    return x
