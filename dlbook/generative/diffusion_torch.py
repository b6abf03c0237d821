r"""Diffusion models in PyTorch: the same schedule, forward process and samplers as
:mod:`dlbook.generative.diffusion`, on tensors and on any device.

The schedule's tensors live on the device and in the dtype of the ``betas`` given to
:func:`make_schedule`; the samplers run there. The noise model is any callable
``eps_model(x, t) -> eps`` of tensors, typically a
:class:`~dlbook.generative.denoiser_torch.Denoiser` or a guided wrapper of one
(:func:`~dlbook.generative.denoiser_torch.guided_eps_model`).

See Also
--------
:ref:`ch-diffusion` : the chapter.
dlbook.generative.diffusion : the NumPy reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from dlbook._checks import int_value, positive_int, real_tensor, real_value, same_shape

__all__ = ["linear_beta_schedule", "DiffusionSchedule", "make_schedule", "q_sample",
           "q_posterior_mean_variance", "predict_x0", "clipped_eps_model", "ddpm_step",
           "ddim_step", "ddpm_sample", "ddim_timesteps", "ddim_sample"]


def linear_beta_schedule(T: int, beta_start: float = 1e-4, beta_end: float = 0.02):
    r""":math:`\beta_t` evenly from ``beta_start`` to ``beta_end``, a float64 tensor of shape (T,).

    Examples
    --------
    >>> linear_beta_schedule(3, 0.1, 0.3)
    tensor([0.1000, 0.2000, 0.3000], dtype=torch.float64)
    """
    T = positive_int(T, "T")
    lo = real_value(beta_start, "beta_start", low=0.0, high=1.0, low_open=True, high_open=True)
    hi = real_value(beta_end, "beta_end", low=0.0, high=1.0, low_open=True, high_open=True)
    if lo > hi:
        raise ValueError(f"beta_start must be <= beta_end, got {lo} and {hi}")
    return torch.linspace(lo, hi, T, dtype=torch.float64)


@dataclass(frozen=True)
class DiffusionSchedule:
    r"""The per-step constants of a diffusion process, as tensors (see :func:`make_schedule`).

    Attributes
    ----------
    betas, alphas, alphas_cumprod, alphas_cumprod_prev, posterior_variance : Tensor, shape (T,)
    """

    betas: torch.Tensor
    alphas: torch.Tensor
    alphas_cumprod: torch.Tensor
    alphas_cumprod_prev: torch.Tensor
    posterior_variance: torch.Tensor

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
    r"""The schedule's constants from :math:`\beta_t`, on the device and dtype of ``betas``.

    Examples
    --------
    >>> make_schedule(torch.tensor([0.5, 0.5])).alphas_cumprod
    tensor([0.5000, 0.2500])
    """
    b = real_tensor(betas, "betas", ndim=1)
    if len(b) == 0 or b.min() <= 0 or b.max() >= 1:
        raise ValueError(f"betas must be a non-empty vector in (0, 1), got shape "
                         f"{tuple(b.shape)}")
    a = 1.0 - b
    ab = torch.cumprod(a, 0)
    ab_prev = torch.cat([torch.ones_like(ab[:1]), ab[:-1]])
    return DiffusionSchedule(betas=b, alphas=a, alphas_cumprod=ab, alphas_cumprod_prev=ab_prev,
                             posterior_variance=b * (1.0 - ab_prev) / (1.0 - ab))


def _per_example(values, t, ndim: int):
    return values[t].reshape((-1,) + (1,) * (ndim - 1))


def _timesteps(t, n: int, T: int, device):
    t = torch.as_tensor(t, device=device)
    if t.is_floating_point() or t.is_complex() or t.dtype == torch.bool:
        raise TypeError(f"t must hold integer time steps, got dtype {t.dtype}")
    t = t.expand(n) if t.ndim == 0 else t
    if tuple(t.shape) != (n,):
        raise ValueError(f"t must be a scalar or have shape ({n},), got {tuple(t.shape)}")
    if n and (int(t.min()) < 0 or int(t.max()) >= T):
        raise ValueError(f"t must lie in [0, {T - 1}], got values from {int(t.min())} to "
                         f"{int(t.max())}")
    return t.long()


def q_sample(x0, t, noise, alphas_cumprod):
    r""":math:`x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1 - \bar\alpha_t}\, \epsilon` on tensors.

    Examples
    --------
    >>> q_sample(torch.tensor([1.0]), 0, torch.tensor([2.0]), torch.tensor([0.64]))
    tensor([2.])
    """
    x0 = real_tensor(x0, "x0", min_ndim=1)
    noise = real_tensor(noise, "noise")
    same_shape(x0, noise, "x0", "noise")
    ab = real_tensor(alphas_cumprod, "alphas_cumprod", ndim=1).to(x0.device)
    c = _per_example(ab, _timesteps(t, len(x0), len(ab), x0.device), x0.ndim).to(x0.dtype)
    return c.sqrt() * x0 + (1.0 - c).sqrt() * noise


def q_posterior_mean_variance(x0, xt, t, schedule: DiffusionSchedule):
    r"""Mean and variance of :math:`q(x_{t-1} \mid x_t, x_0)` on tensors.

    Examples
    --------
    >>> s = make_schedule(torch.tensor([0.1, 0.2], dtype=torch.float64))
    >>> mean, var = q_posterior_mean_variance(torch.tensor([3.0]), torch.tensor([5.0]), 0, s)
    >>> round(mean.item(), 12), var.item()
    (3.0, 0.0)
    """
    x0, xt = real_tensor(x0, "x0", min_ndim=1), real_tensor(xt, "xt", min_ndim=1)
    same_shape(x0, xt, "x0", "xt")
    t = _timesteps(t, len(xt), schedule.num_steps, schedule.betas.device)
    b, a, ab, ab_prev = (_per_example(v, t, xt.ndim) for v in (
        schedule.betas, schedule.alphas, schedule.alphas_cumprod, schedule.alphas_cumprod_prev))
    mean = (ab_prev.sqrt() * b / (1 - ab)) * x0 + (a.sqrt() * (1 - ab_prev) / (1 - ab)) * xt
    return mean, _per_example(schedule.posterior_variance, t, xt.ndim)


def predict_x0(xt, t, eps, alphas_cumprod):
    r""":math:`\hat x_0 = (x_t - \sqrt{1-\bar\alpha_t}\,\hat\epsilon) / \sqrt{\bar\alpha_t}`.

    Examples
    --------
    >>> x0 = predict_x0(torch.tensor([2.0]), 0, torch.tensor([2.0]), torch.tensor([0.64]))
    >>> round(x0.item(), 5)
    1.0
    """
    xt, eps = real_tensor(xt, "xt", min_ndim=1), real_tensor(eps, "eps")
    same_shape(xt, eps, "xt", "eps")
    ab = real_tensor(alphas_cumprod, "alphas_cumprod", ndim=1).to(xt.device)
    c = _per_example(ab, _timesteps(t, len(xt), len(ab), xt.device), xt.ndim).to(xt.dtype)
    return (xt - (1.0 - c).sqrt() * eps) / c.sqrt()


def clipped_eps_model(eps_model, alphas_cumprod, low: float = -1.0, high: float = 1.0):
    r"""Wrap a noise model so that its implied :math:`\hat x_0` stays in ``[low, high]``.

    Examples
    --------
    >>> ab = torch.tensor([0.64], dtype=torch.float64)
    >>> eps = clipped_eps_model(lambda x, t: torch.full_like(x, -5.0), ab)
    >>> x = torch.tensor([2.0], dtype=torch.float64)
    >>> predict_x0(x, 0, eps(x, torch.tensor([0])), ab)
    tensor([1.], dtype=torch.float64)
    """
    ab = real_tensor(alphas_cumprod, "alphas_cumprod", ndim=1)
    low, high = real_value(low, "low"), real_value(high, "high")
    if low >= high:
        raise ValueError(f"low must be < high, got {low} and {high}")

    def clipped(x, t):
        eps = eps_model(x, t)
        c = _per_example(ab.to(x.device), _timesteps(t, len(x), len(ab), x.device),
                         x.ndim).to(x.dtype)
        x0 = ((x - (1 - c).sqrt() * eps) / c.sqrt()).clamp(low, high)
        return (x - c.sqrt() * x0) / (1 - c).sqrt()

    return clipped


def ddpm_step(xt, t: int, eps, schedule: DiffusionSchedule, noise):
    r"""One ancestral DDPM step :math:`x_t \to x_{t-1}` (no noise added at ``t = 0``).

    Examples
    --------
    >>> s = make_schedule(torch.tensor([0.36, 0.5], dtype=torch.float64))
    >>> ddpm_step(torch.tensor([1.6]), 0, torch.tensor([1.0]), s, torch.tensor([9.9]))
    tensor([1.2500])
    """
    xt, eps, noise = (real_tensor(v, n, min_ndim=1) for v, n in
                      ((xt, "xt"), (eps, "eps"), (noise, "noise")))
    same_shape(xt, eps, "xt", "eps")
    same_shape(xt, noise, "xt", "noise")
    t = int_value(t, "t", low=0, high=schedule.num_steps - 1)
    a, b, ab = (float(v[t]) for v in (schedule.alphas, schedule.betas, schedule.alphas_cumprod))
    mean = (xt - b / (1.0 - ab) ** 0.5 * eps) / a**0.5
    if t == 0:
        return mean
    return mean + float(schedule.posterior_variance[t]) ** 0.5 * noise


def ddim_step(xt, t: int, t_prev: int, eps, schedule: DiffusionSchedule, eta: float = 0.0,
              noise=None):
    r"""One DDIM step from ``t`` to ``t_prev`` (-1: clean data); see the NumPy twin.

    Examples
    --------
    >>> s = make_schedule(torch.tensor([0.36]))
    >>> round(ddim_step(torch.tensor([2.0]), 0, -1, torch.tensor([2.0]), s).item(), 5)
    1.0
    """
    xt, eps = real_tensor(xt, "xt", min_ndim=1), real_tensor(eps, "eps")
    same_shape(xt, eps, "xt", "eps")
    t = int_value(t, "t", low=0, high=schedule.num_steps - 1)
    t_prev = int_value(t_prev, "t_prev", low=-1, high=t - 1)
    eta = real_value(eta, "eta", low=0.0)
    ab = float(schedule.alphas_cumprod[t])
    ab_prev = float(schedule.alphas_cumprod[t_prev]) if t_prev >= 0 else 1.0
    x0_hat = (xt - (1.0 - ab) ** 0.5 * eps) / ab**0.5
    sigma = eta * ((1 - ab_prev) / (1 - ab) * (1 - ab / ab_prev)) ** 0.5
    out = ab_prev**0.5 * x0_hat + max(1.0 - ab_prev - sigma**2, 0.0) ** 0.5 * eps
    if sigma > 0:
        if noise is None:
            raise ValueError("noise is needed when eta > 0")
        noise = real_tensor(noise, "noise")
        same_shape(xt, noise, "xt", "noise")
        out = out + sigma * noise
    return out


@torch.no_grad()
def ddpm_sample(eps_model, x_T, schedule: DiffusionSchedule, generator=None):
    r"""Ancestral sampling with :func:`ddpm_step` for every step, from the noise ``x_T``.

    ``generator`` (a ``torch.Generator`` on ``x_T``'s device) draws the noise of each step.

    Examples
    --------
    >>> s = make_schedule(linear_beta_schedule(50, 1e-3, 0.2))
    >>> exact = lambda x, t: x / (1 - s.alphas_cumprod[t]).sqrt()[:, None]
    >>> bool(ddpm_sample(exact, torch.ones(2, 1, dtype=torch.float64), s).abs().max() < 1e-12)
    True
    """
    x = real_tensor(x_T, "x_T", min_ndim=1)
    n = len(x)
    for t in range(schedule.num_steps - 1, -1, -1):
        eps = eps_model(x, torch.full((n,), t, dtype=torch.long, device=x.device))
        z = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
        x = ddpm_step(x, t, eps.to(x.dtype), schedule, z)
    return x


def ddim_timesteps(T: int, n_steps: int):
    r"""``n_steps`` evenly spaced steps of ``range(T)``, from the last down to 0 (a long tensor).

    Examples
    --------
    >>> ddim_timesteps(1000, 5)
    tensor([999, 749, 500, 250,   0])
    """
    T, n_steps = positive_int(T, "T"), positive_int(n_steps, "n_steps")
    if n_steps > T:
        raise ValueError(f"n_steps must be <= T, got n_steps={n_steps}, T={T}")
    steps = torch.linspace(0, T - 1, n_steps, dtype=torch.float64).round().long()
    return torch.unique(steps).flip(0)


@torch.no_grad()
def ddim_sample(eps_model, x_T, schedule: DiffusionSchedule, n_steps: int, eta: float = 0.0,
                generator=None):
    r"""DDIM sampling with ``n_steps`` network evaluations (deterministic when ``eta = 0``).

    Examples
    --------
    >>> s = make_schedule(linear_beta_schedule(50, 1e-3, 0.2))
    >>> exact = lambda x, t: x / (1 - s.alphas_cumprod[t]).sqrt()[:, None]
    >>> x0 = ddim_sample(exact, torch.ones(2, 1, dtype=torch.float64), s, n_steps=5)
    >>> bool(x0.abs().max() < 1e-12)
    True
    """
    x = real_tensor(x_T, "x_T", min_ndim=1)
    steps = ddim_timesteps(schedule.num_steps, n_steps).tolist()
    for t, t_prev in zip(steps, steps[1:] + [-1]):
        eps = eps_model(x, torch.full((len(x),), t, dtype=torch.long, device=x.device))
        noise = (torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
                 if eta > 0 else None)
        x = ddim_step(x, t, t_prev, eps.to(x.dtype), schedule, eta, noise)
    return x
