"""Small helpers every chapter uses: choosing a torch device, seeding all generators, and
running torch in float64.

The preface of the book (:ref:`preface`) shows how chapters call these.
"""

from __future__ import annotations

import contextlib
import os
import random

import numpy as np

__all__ = ["get_device", "seed_everything", "float64_default"]


def get_device(prefer: str | None = None):
    """Return the best available ``torch.device``: CUDA, then Apple's MPS, then the CPU.

    Parameters
    ----------
    prefer : {None, "cuda", "mps", "cpu"}, optional
        Ask for one kind. ``None`` (the default) picks the first available in the order above;
        the environment variable ``DLBOOK_DEVICE`` overrides it, so a reader can force ``cpu``.

    Returns
    -------
    torch.device

    Raises
    ------
    ValueError
        If ``prefer`` names an unknown kind or one this machine does not have.

    Examples
    --------
    >>> dev = get_device("cpu")
    >>> dev.type
    'cpu'
    """
    import torch

    choice = prefer if prefer is not None else os.environ.get("DLBOOK_DEVICE") or None
    available = {
        "cuda": torch.cuda.is_available(),
        "mps": bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available(),
        "cpu": True,
    }
    if choice is None:
        for kind in ("cuda", "mps", "cpu"):
            if available[kind]:
                return torch.device(kind)
    if choice not in available:
        raise ValueError(f"prefer must be one of {sorted(available)} or None, got {choice!r}")
    if not available[choice]:
        raise ValueError(f"device {choice!r} was asked for but is not available on this machine")
    return torch.device(choice)


def seed_everything(seed: int) -> np.random.Generator:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and CUDA) at once.

    Parameters
    ----------
    seed : int
        A non-negative integer below 2**32.

    Returns
    -------
    numpy.random.Generator
        A fresh generator seeded with ``seed``; chapters prefer it to the global state.

    Raises
    ------
    TypeError
        If ``seed`` is not an integer.
    ValueError
        If ``seed`` is negative or too large.

    Examples
    --------
    >>> rng = seed_everything(0)
    >>> a = rng.random()
    >>> b = seed_everything(0).random()
    >>> a == b
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch
    except ImportError:  # the NumPy chapters run without torch
        pass
    else:
        torch.manual_seed(seed)  # seeds every CUDA device too
    return np.random.default_rng(seed)


@contextlib.contextmanager
def float64_default():
    """Make float64 torch's default dtype inside a ``with`` block, and restore it after.

    torch keeps some optimizer scalars (NAdam's ``mu_product``, every ``step`` count) in the
    default dtype; float32 there costs about 1e-8 of relative accuracy in NAdam.

    See Also
    --------
    dlbook.nn.optim_torch.trajectory, :ref:`ch-optimizers`

    Examples
    --------
    >>> import torch
    >>> with float64_default():
    ...     torch.tensor(1.0).dtype
    torch.float64
    >>> torch.tensor(1.0).dtype
    torch.float32
    """
    import torch

    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)
