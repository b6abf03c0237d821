r"""Atomic, safe checkpoints of torch ``state_dict``\ s (chapter :ref:`ch-pytorch-models`).

The torch twin of :mod:`dlbook.nn.checkpoint`, with the same names and promises: the file is
written through :func:`dlbook.io.atomic_write` (temporary file, fsync, ``os.replace``),
loaded with ``torch.load(..., weights_only=True)`` (no arbitrary pickled objects), round-trips
bit-exactly, and any problem raises :class:`~dlbook.io.CheckpointError` naming the
file.

The file holds ``{"state_dict": OrderedDict of tensors, "metadata": JSON string}``.  Tensors are
saved from the CPU, so a checkpoint written on a GPU machine loads anywhere.

See Also
--------
dlbook.nn.checkpoint : the NumPy twin (``.npz``).
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict

import torch

from dlbook.io import CheckpointError, atomic_write, check_state_dict, metadata_json

__all__ = ["save_checkpoint", "load_checkpoint"]


def save_checkpoint(path, state_dict, metadata=None) -> None:
    """Write a torch ``state_dict`` and JSON metadata to ``path`` atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Target file (conventionally ``.pt``).
    state_dict : mapping of str to torch.Tensor
        E.g. ``model.state_dict()``; tensors are copied to the CPU first.
    metadata : dict, optional
        JSON-serialisable extras.

    Raises
    ------
    TypeError
        For a key that is not a string, a value that is not a tensor, or non-JSON metadata.

    Examples
    --------
    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "ckpt.pt")
    >>> save_checkpoint(p, torch.nn.Linear(2, 1).state_dict(), {"epoch": 1})
    >>> state, meta = load_checkpoint(p)
    >>> list(state), meta
    (['weight', 'bias'], {'epoch': 1})
    """
    clean = OrderedDict()
    for key, value in state_dict.items():
        if not isinstance(key, str):
            raise TypeError(f"state_dict keys must be str, got {key!r}")
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"state_dict[{key!r}] is a {type(value).__name__}, not a torch.Tensor")
        clean[key] = value.detach().to("cpu", copy=True)
    payload = {"state_dict": clean, "metadata": metadata_json(metadata)}
    atomic_write(path, lambda f: torch.save(payload, f))


def load_checkpoint(path, expected=None, map_location="cpu"):
    """Read a checkpoint written by :func:`save_checkpoint`, without unpickling any code.

    Parameters
    ----------
    path : str or os.PathLike
    expected : mapping, optional
        E.g. ``model.state_dict()``: keys and shapes must match it exactly.
    map_location : str or torch.device, default "cpu"
        Where to put the tensors (see ``torch.load``).

    Returns
    -------
    state_dict : OrderedDict of str to torch.Tensor
    metadata : dict

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    CheckpointError
        If the file is corrupt, truncated, holds objects ``weights_only`` refuses, or does not fit
        ``expected``; the message names the file.

    Examples
    --------
    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "small.pt")
    >>> save_checkpoint(p, {"w": torch.zeros(2)})
    >>> load_checkpoint(p, expected={"w": torch.zeros(3)})
    Traceback (most recent call last):
    ...
    dlbook.io.CheckpointError: .../small.pt does not fit the model: w has shape (2,) in the file ...
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no checkpoint at {path!r}")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # torch raises RuntimeError, UnpicklingError, EOFError, ...
        raise CheckpointError(f"{path} is not a readable checkpoint (corrupt, truncated or "
                              f"unsafe): {type(err).__name__}: {err}") from err
    if not (isinstance(payload, dict) and set(payload) == {"state_dict", "metadata"}):
        raise CheckpointError(f"{path} was not written by save_checkpoint "
                              "(expected the keys 'state_dict' and 'metadata')")
    try:
        metadata = json.loads(payload["metadata"])
    except (TypeError, json.JSONDecodeError) as err:
        raise CheckpointError(f"{path}: unreadable metadata ({err})") from err
    state = OrderedDict(payload["state_dict"])
    if expected is not None:
        check_state_dict(state, expected, path)
    return state, metadata
