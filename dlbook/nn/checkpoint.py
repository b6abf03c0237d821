r"""Checkpoints that lose nothing: atomic ``.npz`` saves and loads that check what they read.

Chapter :ref:`ch-pytorch-models` uses these through :class:`dlbook.nn.callbacks.ModelCheckpoint`.

Three promises:

* **Atomic.** :func:`save_checkpoint` writes to a temporary file in the target's directory,
  flushes it and ``fsync``\ s it, and only then renames it over the target with ``os.replace``
  (atomic on POSIX and Windows).  A crash at any moment leaves either the old checkpoint or the
  new one, never half of one.
* **Exact.** A save followed by a load gives back the same arrays, bit for bit, dtypes and shapes
  included; metadata travels as JSON.
* **Safe and loud.** :func:`load_checkpoint` reads with ``allow_pickle=False`` (a checkpoint can
  never run code), and a missing, corrupt or truncated file, or one whose keys or shapes do not
  fit the model, raises :class:`dlbook.io.CheckpointError` naming the file and the problem.

See Also
--------
dlbook.nn.checkpoint_torch : the same for torch ``state_dict``\ s (``torch.save``/``torch.load``).
"""

from __future__ import annotations

import json
import os
import zipfile
from collections import OrderedDict

import numpy as np

from dlbook.io import CheckpointError, atomic_write, check_state_dict, metadata_json

__all__ = ["save_checkpoint", "load_checkpoint"]

_META_KEY = "__metadata__"


def save_checkpoint(path, state_dict, metadata=None) -> None:
    """Write ``state_dict`` (name -> array) and ``metadata`` to ``path`` as ``.npz``, atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Target file (conventionally ending in ``.npz``; no suffix is added).
    state_dict : mapping of str to array_like
        Numeric or boolean arrays, e.g. ``Sequential.state_dict()``.  Order is kept.
    metadata : dict, optional
        JSON-serialisable extras (epoch, validation loss, ...).

    Raises
    ------
    TypeError
        For a key that is not a string, an array of objects/strings, or metadata that is not JSON.
    ValueError
        For an empty or reserved key (``__metadata__``).

    Examples
    --------
    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "ckpt.npz")
    >>> save_checkpoint(p, {"0.weight": np.eye(2, dtype=np.float32)}, {"epoch": 3})
    >>> state, meta = load_checkpoint(p)
    >>> state["0.weight"].dtype, meta["epoch"]
    (dtype('float32'), 3)
    """
    arrays = OrderedDict()
    for key, value in state_dict.items():
        if not isinstance(key, str):
            raise TypeError(f"state_dict keys must be str, got {key!r}")
        if not key or key == _META_KEY or "/" in key:
            raise ValueError(f"invalid state_dict key {key!r} (empty, reserved or containing '/')")
        arr = np.asarray(value)
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"state_dict[{key!r}] has dtype {arr.dtype}; only numbers can be saved")
        arrays[key] = arr
    arrays[_META_KEY] = np.array(metadata_json(metadata))  # a 0-d unicode array: no pickle
    atomic_write(path, lambda f: np.savez(f, **arrays))


def load_checkpoint(path, expected=None):
    """Read a checkpoint written by :func:`save_checkpoint`.

    Parameters
    ----------
    path : str or os.PathLike
    expected : mapping, optional
        If given (e.g. ``model.state_dict()``), the keys and shapes must match it exactly.

    Returns
    -------
    state_dict : OrderedDict of str to ndarray
        In the order saved, dtypes as saved.
    metadata : dict

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    CheckpointError
        If the file is corrupt or truncated, holds objects (pickles), lacks the metadata entry,
        or does not fit ``expected``; the message names the file.

    Examples
    --------
    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "bad.npz")
    >>> _ = open(p, "wb").write(b"not a zip file")
    >>> load_checkpoint(p)
    Traceback (most recent call last):
    ...
    dlbook.io.CheckpointError: .../bad.npz is not a readable checkpoint (corrupt or truncated): ...
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no checkpoint at {path!r}")
    state = OrderedDict()
    try:
        with np.load(path, allow_pickle=False) as data:
            if not isinstance(data, np.lib.npyio.NpzFile):
                raise CheckpointError(f"{path} is a single .npy array, not a checkpoint")
            for key in data.files:  # reading each entry checks its CRC-32
                state[key] = data[key]
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as err:
        raise CheckpointError(f"{path} is not a readable checkpoint (corrupt or truncated): "
                              f"{type(err).__name__}: {err}") from err
    if _META_KEY not in state:
        raise CheckpointError(f"{path} has no {_META_KEY} entry: not written by save_checkpoint")
    try:
        metadata = json.loads(str(state.pop(_META_KEY)))
    except json.JSONDecodeError as err:
        raise CheckpointError(f"{path}: unreadable metadata ({err})") from err
    if expected is not None:
        check_state_dict(state, expected, path)
    return state, metadata
