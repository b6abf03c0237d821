r"""The eight optimizers of :mod:`dlbook.nn.optim` as hand-written ``torch.optim.Optimizer``
subclasses, and optimizer trajectories computed with autograd (chapter :ref:`ch-optimizers`).

:class:`SGD`, :class:`Adagrad`, :class:`Adadelta`, :class:`RMSprop`, :class:`Adam`,
:class:`AdamW`, :class:`Adamax` and :class:`NAdam` take the keywords and defaults of their
``torch.optim`` namesakes and write the update out with tensor operations under
``torch.no_grad()``, the same formulas as the NumPy functions of :mod:`dlbook.nn.optim`
(nothing from torch's functional optimizer code is called).  They are ordinary torch
optimizers: ``loss.backward(); opt.step()`` reads ``p.grad``, their ``state`` uses torch's
names and types (so a ``state_dict`` loads either way), ``param_groups`` work, and torch's
learning-rate schedulers drive them.  They run on any device; the tests hold each one to its
``torch.optim`` namesake to a relative 1e-10 in float64 over 200 steps.

:func:`trajectory` runs any optimizer (a ``torch.optim`` class by default) on a loss written
in torch and returns every point it visits; the book compares it with
:func:`dlbook.nn.optim.trajectory`, which is handed a gradient function instead.

See Also
--------
dlbook.nn.optim : the NumPy twins; the update formulas are in the Notes of each ``xxx_step``
    (:mod:`dlbook.nn.optim_sgd`, :mod:`dlbook.nn.optim_adam`).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from dlbook._checks import int_value, one_of
from dlbook.nn.optim_base import check_hyperparameters
from dlbook.utils import float64_default, get_device

__all__ = ["OPTIMIZER_NAMES", "trajectory",
           "SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "Adamax", "NAdam"]

#: The torch.optim classes that :mod:`dlbook.nn.optim` and this module reproduce.
OPTIMIZER_NAMES = ("SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "Adamax", "NAdam")


def _scalar_dtype() -> torch.dtype:
    """The dtype torch.optim gives ``step`` and ``mu_product``: float64 only if it is the
    default."""
    return torch.float64 if torch.get_default_dtype() == torch.float64 else torch.float32


class _HandWritten(torch.optim.Optimizer):
    """Shared plumbing: check the hyperparameters, loop over groups and parameters with a
    gradient, and hand each one to ``_update(p, grad, state, **group hyperparameters)``."""

    def __init__(self, params, **defaults):
        check_hyperparameters(defaults)
        super().__init__(params, defaults)
        # torch adds keys of its own to ``defaults`` (e.g. on load_state_dict): remember ours
        self._hyper_names = tuple(defaults)

    @torch.no_grad()
    def step(self, closure: Callable | None = None):
        """One update of every parameter that has a ``.grad``; returns ``closure()`` if given."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            hyper = {name: group[name] for name in self._hyper_names}
            check_hyperparameters(hyper)  # a schedule may have set lr by hand
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError(f"{type(self).__name__} does not support sparse gradients")
                self._update(p, p.grad, self.state[p], **hyper)
        return loss

    @staticmethod
    def _count(state) -> float:
        """Add 1 to the step counter (a CPU scalar tensor, as in torch) and return it."""
        if "step" not in state:
            state["step"] = torch.tensor(0.0, dtype=_scalar_dtype())
        state["step"] += 1
        return state["step"].item()


class SGD(_HandWritten):
    r"""SGD with optional (Nesterov) momentum; the update of :func:`dlbook.nn.optim_sgd.sgd_step`.

    See Also
    --------
    torch.optim.SGD, dlbook.nn.optim.SGD, :ref:`ch-optimizers`

    Examples
    --------
    >>> w = torch.tensor([1.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.1)
    >>> w.grad = torch.tensor([2.0]); opt.step(); w.detach()   # 1 - 0.1 * 2
    tensor([0.8000])
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False):
        super().__init__(params, lr=lr, momentum=momentum, dampening=dampening,
                         weight_decay=weight_decay, nesterov=nesterov)

    def _update(self, p, g, state, *, lr, momentum, dampening, weight_decay, nesterov):
        if weight_decay != 0:
            g = g.add(p, alpha=weight_decay)
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.clone()
            else:
                buf.mul_(momentum).add_(g, alpha=1 - dampening)
            g = g.add(buf, alpha=momentum) if nesterov else buf
        p.add_(g, alpha=-lr)


class Adagrad(_HandWritten):
    r"""Adagrad; the update of :func:`dlbook.nn.optim_sgd.adagrad_step`.

    See Also
    --------
    torch.optim.Adagrad, dlbook.nn.optim.Adagrad, :ref:`ch-optimizers`

    Examples
    --------
    >>> w = torch.tensor([1.0], requires_grad=True)
    >>> opt = Adagrad([w], lr=0.1)
    >>> w.grad = torch.tensor([2.0]); opt.step(); w.detach()   # first step: size lr
    tensor([0.9000])
    """

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10):
        super().__init__(params, lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                         initial_accumulator_value=initial_accumulator_value, eps=eps)

    def _update(self, p, g, state, *, lr, lr_decay, weight_decay, initial_accumulator_value,
                eps):
        if "sum" not in state:
            state["sum"] = torch.full_like(p, initial_accumulator_value,
                                           memory_format=torch.preserve_format)
        step = self._count(state)
        if weight_decay != 0:
            g = g.add(p, alpha=weight_decay)
        clr = lr / (1 + (step - 1) * lr_decay)
        state["sum"].addcmul_(g, g, value=1)
        p.addcdiv_(g, state["sum"].sqrt().add_(eps), value=-clr)


class Adadelta(_HandWritten):
    r"""Adadelta; the update of :func:`dlbook.nn.optim_sgd.adadelta_step`.

    See Also
    --------
    torch.optim.Adadelta, dlbook.nn.optim.Adadelta, :ref:`ch-optimizers`

    Examples
    --------
    >>> w = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    >>> opt = Adadelta([w])
    >>> w.grad = torch.tensor([2.0], dtype=torch.float64); opt.step()
    >>> round(w.item(), 8)   # 1 - sqrt(1e-6) / sqrt(0.4 + 1e-6) * 2
    0.99683773
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
        super().__init__(params, lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)

    def _update(self, p, g, state, *, lr, rho, eps, weight_decay):
        if "square_avg" not in state:
            state["square_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
            state["acc_delta"] = torch.zeros_like(p, memory_format=torch.preserve_format)
        self._count(state)
        if weight_decay != 0:
            g = g.add(p, alpha=weight_decay)
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg.mul_(rho).addcmul_(g, g, value=1 - rho)
        delta = acc_delta.add(eps).sqrt_().div_(square_avg.add(eps).sqrt_()).mul_(g)
        acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
        p.add_(delta, alpha=-lr)


class RMSprop(_HandWritten):
    r"""RMSprop, optionally centered and with momentum; :func:`dlbook.nn.optim_sgd.rmsprop_step`.

    See Also
    --------
    torch.optim.RMSprop, dlbook.nn.optim.RMSprop, :ref:`ch-optimizers`

    Examples
    --------
    >>> w = torch.tensor([1.0], requires_grad=True)
    >>> opt = RMSprop([w], lr=0.01)
    >>> w.grad = torch.tensor([2.0]); opt.step(); w.detach()   # 0.01 / sqrt(1 - 0.99)
    tensor([0.9000])
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False):
        super().__init__(params, lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                         momentum=momentum, centered=centered)

    def _update(self, p, g, state, *, lr, alpha, eps, weight_decay, momentum, centered):
        if "square_avg" not in state:
            names = ["square_avg"] + ["momentum_buffer"] * (momentum > 0) + ["grad_avg"] * centered
            for name in names:
                state[name] = torch.zeros_like(p, memory_format=torch.preserve_format)
        self._count(state)
        if weight_decay != 0:
            g = g.add(p, alpha=weight_decay)
        square_avg = state["square_avg"].mul_(alpha).addcmul_(g, g, value=1 - alpha)
        if centered:
            grad_avg = state["grad_avg"].lerp_(g, 1 - alpha)
            avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_().add_(eps)
        else:
            avg = square_avg.sqrt().add_(eps)
        if momentum > 0:
            buf = state["momentum_buffer"].mul_(momentum).addcdiv_(g, avg)
            p.add_(buf, alpha=-lr)
        else:
            p.addcdiv_(g, avg, value=-lr)


class Adam(_HandWritten):
    r"""Adam (AMSGrad optional, decoupled weight decay optional);
    :func:`dlbook.nn.optim_adam.adam_step`.

    See Also
    --------
    torch.optim.Adam, dlbook.nn.optim.Adam, AdamW, :ref:`ch-optimizers`

    Examples
    --------
    >>> w = torch.tensor([1.0], requires_grad=True)
    >>> opt = Adam([w], lr=0.1)
    >>> w.grad = torch.tensor([2.0]); opt.step(); w.detach()   # first step: size lr
    tensor([0.9000])
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False, *, decoupled_weight_decay=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, decoupled_weight_decay=decoupled_weight_decay)

    def _update(self, p, g, state, *, lr, betas, eps, weight_decay, amsgrad,
                decoupled_weight_decay):
        beta1, beta2 = betas
        if "exp_avg" not in state:
            names = ["exp_avg", "exp_avg_sq"] + ["max_exp_avg_sq"] * amsgrad
            for name in names:
                state[name] = torch.zeros_like(p, memory_format=torch.preserve_format)
        step = self._count(state)
        if weight_decay != 0:
            if decoupled_weight_decay:
                p.mul_(1 - lr * weight_decay)
            else:
                g = g.add(p, alpha=weight_decay)
        exp_avg = state["exp_avg"].lerp_(g, 1 - beta1)
        second = state["exp_avg_sq"].mul_(beta2).addcmul_(g, g, value=1 - beta2)
        if amsgrad:
            second = torch.maximum(state["max_exp_avg_sq"], second, out=state["max_exp_avg_sq"])
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        denom = (second.sqrt() / bias_correction2**0.5).add_(eps)
        p.addcdiv_(exp_avg, denom, value=-lr / bias_correction1)


class AdamW(Adam):
    r"""AdamW: :class:`Adam` with decoupled weight decay (default 0.01);
    :func:`dlbook.nn.optim_adam.adamw_step`.

    See Also
    --------
    torch.optim.AdamW, dlbook.nn.optim.AdamW, :ref:`ch-optimizers`

    Examples
    --------
    >>> w = torch.tensor([1.0], requires_grad=True)
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> w.grad = torch.tensor([0.0]); opt.step(); w.detach()   # decay only: 1 - 0.1 * 0.5
    tensor([0.9500])
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, decoupled_weight_decay=True)


class Adamax(_HandWritten):
    r"""Adamax (Adam with the infinity norm); :func:`dlbook.nn.optim_adam.adamax_step`.

    See Also
    --------
    torch.optim.Adamax, dlbook.nn.optim.Adamax, :ref:`ch-optimizers`

    Examples
    --------
    >>> w = torch.tensor([1.0], requires_grad=True)
    >>> opt = Adamax([w], lr=0.1)
    >>> w.grad = torch.tensor([2.0]); opt.step(); w.detach()   # first step: size lr
    tensor([0.9000])
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def _update(self, p, g, state, *, lr, betas, eps, weight_decay):
        beta1, beta2 = betas
        if "exp_avg" not in state:
            state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
            state["exp_inf"] = torch.zeros_like(p, memory_format=torch.preserve_format)
        step = self._count(state)
        if weight_decay != 0:
            g = g.add(p, alpha=weight_decay)
        exp_avg = state["exp_avg"].lerp_(g, 1 - beta1)
        exp_inf = state["exp_inf"]
        torch.maximum(exp_inf.mul_(beta2), g.abs().add_(eps), out=exp_inf)
        p.addcdiv_(exp_avg, exp_inf, value=-lr / (1 - beta1**step))


class NAdam(_HandWritten):
    r"""NAdam (Adam with Nesterov momentum and a momentum schedule);
    :func:`dlbook.nn.optim_adam.nadam_step`.

    ``mu_product`` is a CPU scalar of torch's scalar dtype (float32 unless float64 is the
    default dtype), as in ``torch.optim.NAdam``.

    See Also
    --------
    torch.optim.NAdam, dlbook.nn.optim.NAdam, :ref:`ch-optimizers`

    Examples
    --------
    >>> w = torch.tensor([1.0], requires_grad=True)
    >>> opt = NAdam([w], lr=0.1)
    >>> w.grad = torch.tensor([2.0]); opt.step()
    >>> round(opt.state[w]["mu_product"].item(), 6)   # mu_1 = 0.9 * (1 - 0.5 * 0.96**0.004)
    0.450073
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 momentum_decay=4e-3, decoupled_weight_decay=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         momentum_decay=momentum_decay,
                         decoupled_weight_decay=decoupled_weight_decay)

    def _update(self, p, g, state, *, lr, betas, eps, weight_decay, momentum_decay,
                decoupled_weight_decay):
        beta1, beta2 = betas
        if "exp_avg" not in state:
            state["mu_product"] = torch.tensor(1.0, dtype=_scalar_dtype())
            state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
            state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
        step = self._count(state)
        if weight_decay != 0:
            if decoupled_weight_decay:
                p.mul_(1 - lr * weight_decay)
            else:
                g = g.add(p, alpha=weight_decay)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
        mu_product = state["mu_product"].mul_(mu).item()
        exp_avg = state["exp_avg"].lerp_(g, 1 - beta1)
        exp_avg_sq = state["exp_avg_sq"].mul_(beta2).addcmul_(g, g, value=1 - beta2)
        denom = exp_avg_sq.div(1 - beta2**step).sqrt_().add_(eps)
        p.addcdiv_(g, denom, value=-lr * (1.0 - mu) / (1.0 - mu_product))
        p.addcdiv_(exp_avg, denom, value=-lr * mu_next / (1.0 - mu_product * mu_next))


def trajectory(optimizer, loss_fn: Callable, x0, steps: int, *, device=None,
               lr_schedule: Callable | None = None, **hyper) -> np.ndarray:
    r"""Minimise ``loss_fn`` from ``x0`` with a ``torch.optim`` optimizer; return every point.

    Parameters
    ----------
    optimizer : str or type
        A torch optimizer class (``torch.optim.Adam``, or a hand-written one from this module
        such as :class:`Adam`), or the name of a ``torch.optim`` class (one of
        :data:`OPTIMIZER_NAMES`).
    loss_fn : callable
        ``loss_fn(x) -> scalar tensor`` for a float64 tensor ``x`` of ``x0``'s shape: autograd
        differentiates it (the NumPy twin takes the gradient function instead).
    x0 : array_like
        The starting point.
    steps : int
        Number of updates, at least 0.
    device : {None, "cpu", "cuda", "mps"}, optional
        Passed to :func:`dlbook.utils.get_device`; the result comes back as NumPy either way.
    lr_schedule : callable, optional
        ``lr_schedule(i) -> float`` sets the learning rate of update ``i`` (0-based).
    **hyper
        The optimizer's hyperparameters (torch's names).

    Returns
    -------
    ndarray of shape (steps + 1, *x0.shape)
        Row ``i`` is the point after ``i`` updates; a run stops at its first non-finite point.

    Notes
    -----
    Runs in float64 with :func:`dlbook.utils.float64_default`, so that it can be compared with
    :func:`dlbook.nn.optim.trajectory`: the two agree to rounding error unless the run is
    chaotic (a large learning rate bouncing across a valley), where last-bit differences grow.

    See Also
    --------
    dlbook.nn.optim.trajectory, :ref:`ch-optimizers`

    Examples
    --------
    >>> path = trajectory("SGD", lambda x: (x**2).sum(), [1.0], 3, lr=0.25)
    >>> path[:, 0]   # x <- x - 0.25 * 2x
    array([1.   , 0.5  , 0.25 , 0.125])
    """
    if isinstance(optimizer, str):
        optimizer = getattr(torch.optim, one_of(optimizer, "optimizer", OPTIMIZER_NAMES))
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable, got {type(loss_fn).__name__}")
    steps = int_value(steps, "steps", low=0)
    dev = get_device(device)
    with float64_default():
        x = torch.tensor(np.asarray(x0, dtype=np.float64), device=dev, requires_grad=True)
        opt = optimizer([x], **hyper)
        points = [x.detach().cpu().numpy().copy()]
        for i in range(steps):
            if lr_schedule is not None:
                for group in opt.param_groups:
                    group["lr"] = float(lr_schedule(i))
            opt.zero_grad()
            loss = loss_fn(x)
            if loss.ndim != 0:
                raise ValueError(f"loss_fn must return a scalar, got shape {tuple(loss.shape)}")
            loss.backward()
            opt.step()
            points.append(x.detach().cpu().numpy().copy())
            if not np.all(np.isfinite(points[-1])):
                break
    return np.stack(points)
