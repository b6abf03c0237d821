r"""What every optimizer of :mod:`dlbook.nn` shares: argument checks and the ``Optimizer`` class
(chapter :ref:`ch-optimizers`).

The update rules live in :mod:`dlbook.nn.optim_sgd` (SGD, Adagrad, Adadelta, RMSprop) and
:mod:`dlbook.nn.optim_adam` (Adam, AdamW, Adamax, NAdam), written as pure functions
``xxx_step(param, grad, state, **hyper) -> (new_param, new_state)``; the classes that wrap them
and the conventions are in :mod:`dlbook.nn.optim`. This module holds what those functions have in
common: the check of
every hyperparameter against the range torch allows, the check of ``param``, ``grad`` and
``state``, and :class:`Optimizer`, the base of the thin classes that wrap the functions and
update the caller's arrays in place.

See Also
--------
dlbook.nn.optim : the conventions, the eight classes and ``trajectory``.
dlbook.nn.optim_sgd, dlbook.nn.optim_adam : the update rules.
"""

from __future__ import annotations

import inspect
import numbers
from typing import Callable

import numpy as np

__all__ = ["Optimizer", "check_hyperparameters", "step_inputs", "state_or_zeros"]

# name -> (lowest value, highest value, is the highest value excluded?)
_RANGES = {
    "lr": (0.0, np.inf, False), "momentum": (0.0, np.inf, False),
    "dampening": (-np.inf, np.inf, False), "weight_decay": (0.0, np.inf, False),
    "eps": (0.0, np.inf, False), "lr_decay": (0.0, np.inf, False),
    "initial_accumulator_value": (0.0, np.inf, False), "momentum_decay": (0.0, np.inf, False),
    "rho": (0.0, 1.0, False), "alpha": (0.0, 1.0, False), "beta": (0.0, 1.0, True),
}
_FLAGS = ("nesterov", "centered", "amsgrad", "decoupled_weight_decay")


def check_hyperparameters(hyper: dict) -> None:
    """Raise TypeError/ValueError naming any hyperparameter outside the range torch allows.

    Examples
    --------
    >>> check_hyperparameters({"lr": 0.1, "betas": (0.9, 0.999)})
    >>> check_hyperparameters({"lr": -0.1})
    Traceback (most recent call last):
        ...
    ValueError: lr must lie in [0.0, inf], got -0.1
    """
    for name, value in hyper.items():
        if name in _FLAGS:
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{name} must be True or False, got {value!r}")
            continue
        values = value if name == "betas" else (value,)
        if name == "betas" and (not isinstance(value, (tuple, list)) or len(value) != 2):
            raise TypeError(f"betas must be a pair (beta1, beta2), got {value!r}")
        low, high, open_high = _RANGES["beta" if name == "betas" else name]
        for v in values:
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
                raise TypeError(f"{name} must be a real number, got {value!r}")
            if not (low <= v and (v < high if open_high else v <= high)):
                interval = f"[{low}, {high}{')' if open_high else ']'}"
                raise ValueError(f"{name} must lie in {interval}, got {value!r}")
    if hyper.get("nesterov") and (hyper.get("momentum", 0) <= 0 or hyper.get("dampening", 0) != 0):
        raise ValueError("nesterov=True needs momentum > 0 and dampening == 0, got "
                         f"momentum={hyper.get('momentum', 0)!r}, "
                         f"dampening={hyper.get('dampening', 0)!r}")


def step_inputs(param, grad, state) -> tuple[np.ndarray, np.ndarray]:
    """Check the inputs of an ``xxx_step`` function; return param and grad as floating arrays.

    Examples
    --------
    >>> step_inputs(np.zeros(2), np.ones(3), {})
    Traceback (most recent call last):
        ...
    ValueError: param has shape (2,) but grad has (3,)
    """
    p, g = np.asarray(param), np.asarray(grad)
    for name, arr in (("param", p), ("grad", g)):
        if arr.dtype.kind != "f":
            raise TypeError(f"{name} must be a floating-point array, got dtype {arr.dtype}")
    if p.shape != g.shape:
        raise ValueError(f"param has shape {p.shape} but grad has {g.shape}")
    if not isinstance(state, dict):
        raise TypeError(f"state must be a dict (use {{}} before the first step), got "
                        f"{type(state).__name__}")
    return p, g


def state_or_zeros(state: dict, key: str, p: np.ndarray) -> np.ndarray:
    """``state[key]``, or zeros shaped like ``p`` before the first step (torch's lazy state).

    Examples
    --------
    >>> state_or_zeros({}, "exp_avg", np.ones(2))
    array([0., 0.])
    """
    return state[key] if key in state else np.zeros_like(p)


def _check_in_place_param(i: int, p) -> None:
    """An array ``step`` can update in place: a writeable, contiguous float ndarray."""
    if not isinstance(p, np.ndarray):
        raise TypeError(f"params[{i}] must be a NumPy array (step updates it in place), got "
                        f"{type(p).__name__}; pass np.asarray(..., dtype=float) and keep a "
                        "reference to that array")
    if p.dtype.kind != "f":
        raise TypeError(f"params[{i}] has dtype {p.dtype}: an in-place update needs a "
                        f"floating-point array (use p.astype(np.float64))")
    if not p.flags.writeable:
        raise ValueError(f"params[{i}] is read-only: step must write into it")
    if not (p.flags.c_contiguous or p.flags.f_contiguous):
        raise ValueError(f"params[{i}] is a non-contiguous view (strides {p.strides}) that "
                         "shares memory with another array; pass np.ascontiguousarray(p)")


class Optimizer:
    r"""Base class: the caller's parameter arrays, one state dict each, and the hyperparameters.

    ``step(grads)`` updates the arrays it was given **in place**, as ``torch.optim`` does
    with tensors: a model that handed over its own arrays sees them change.  The update is
    computed by a pure ``step_fn`` (``sgd_step``, ``adam_step``, ...) and written back with
    ``param[...] = new``.  Subclasses name their ``step_fn`` and list its hyperparameters,
    with torch's names, order and defaults, in their ``__init__``.

    Parameters
    ----------
    params : iterable of ndarray
        Writeable, contiguous floating-point arrays of any shapes.  The optimizer keeps
        references to these very arrays (not copies).
    **hyper
        Hyperparameters of ``step_fn``; missing ones take its (torch's) defaults.

    Attributes
    ----------
    params : list of ndarray
        The arrays given, updated in place by :meth:`step`.
    state : list of dict
        One state dict per parameter, with torch's names (``step``, ``exp_avg``, ...).
    hyper : dict
        Every hyperparameter, defaults filled in; set ``hyper["lr"]`` to follow a schedule
        (the schedulers of :mod:`dlbook.nn.schedules` do).

    Raises
    ------
    TypeError
        For an unknown hyperparameter, a parameter that is not a float ndarray, or ``params``
        given as one array instead of a list.
    ValueError
        For a hyperparameter outside torch's range, an empty list, a read-only or
        non-contiguous array, or the same array listed twice.

    See Also
    --------
    torch.optim.Optimizer, dlbook.nn.optim_torch : the hand-written torch twins.
    :ref:`ch-optimizers`

    Examples
    --------
    >>> from dlbook.nn.optim import SGD, Adadelta, Adam
    >>> w = np.array([1.0, 2.0])
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> opt.step([np.array([1.0, -1.0])])
    >>> w   # the caller's array moved: 1 - 0.1 * 1, 2 + 0.1 * 1
    array([0.9, 2.1])
    >>> opt.step([np.array([1.0, -1.0])])   # buffer 0.9 * 1 + 1 = 1.9
    >>> w, opt.params[0] is w
    (array([0.71, 2.29]), True)
    >>> Adam([w]).hyper["betas"], Adadelta([w]).hyper["lr"]   # torch's defaults
    ((0.9, 0.999), 1.0)
    """

    step_fn: Callable | None = None

    def __init__(self, params, **hyper):
        if self.step_fn is None:
            raise TypeError("Optimizer is the base class: use SGD, Adagrad, ..., NAdam")
        defaults = {name: par.default for name, par in
                    inspect.signature(self.step_fn).parameters.items()
                    if par.kind is inspect.Parameter.KEYWORD_ONLY}
        unknown = sorted(set(hyper) - set(defaults))
        if unknown:
            raise TypeError(f"{type(self).__name__} got unknown hyperparameters {unknown}; "
                            f"it takes {sorted(defaults)}")
        self.hyper = {**defaults, **hyper}
        check_hyperparameters(self.hyper)
        if isinstance(params, np.ndarray):
            raise TypeError("params must be a list of arrays, got one ndarray of shape "
                            f"{params.shape}; wrap it in a list: [w]")
        self.params = list(params)
        if not self.params:
            raise ValueError("params is empty: give at least one array")
        seen: dict[int, int] = {}
        for i, p in enumerate(self.params):
            _check_in_place_param(i, p)
            if id(p) in seen:
                raise ValueError(f"params[{seen[id(p)]}] and params[{i}] are the same array")
            seen[id(p)] = i
        self.state: list[dict] = [{} for _ in self.params]

    def step(self, grads) -> None:
        """Update every parameter array in place from its gradient (same order as ``params``).

        Raises
        ------
        ValueError
            If the number of gradients or a gradient's shape does not match ``params``;
            nothing is updated then.
        TypeError
            If a gradient is not a floating-point array.
        """
        if isinstance(grads, np.ndarray):
            raise TypeError("grads must be a list of arrays, one per parameter, got one ndarray")
        grads = [np.asarray(g) for g in grads]
        if len(grads) != len(self.params):
            raise ValueError(f"got {len(grads)} gradients for {len(self.params)} parameters")
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if g.shape != p.shape:
                raise ValueError(f"grads[{i}] has shape {g.shape} but params[{i}] has {p.shape}")
            if g.dtype.kind != "f":
                raise TypeError(f"grads[{i}] must be a floating-point array, got dtype {g.dtype}")
        for i, (p, g) in enumerate(zip(self.params, grads)):
            new, self.state[i] = self.step_fn(p, g, self.state[i], **self.hyper)
            p[...] = new  # in place: whoever holds p sees the update

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyper.items())
        return f"{type(self).__name__}({len(self.params)} params, {args})"
