"""Files that readers keep: written atomically, so a crash never leaves half a file.

Checkpoints (:mod:`dlbook.nn.checkpoint`, :mod:`dlbook.nn.checkpoint_torch`) and word vectors
(:mod:`dlbook.nlp.keyed_vectors`) are saved through :func:`atomic_write`; they are loaded without
pickle by their own modules. What both checkpoint modules share lives here too: the error a
file that cannot be used raises (:class:`CheckpointError`), the metadata check
(:func:`metadata_json`) and the check that a state dict fits a model (:func:`check_state_dict`).
"""

from __future__ import annotations

import json
import os
import tempfile

import numpy as np

__all__ = ["atomic_write", "CheckpointError", "metadata_json", "check_state_dict"]


def atomic_write(path, write) -> None:
    """Call ``write(fileobj)`` on a temporary file, fsync it, then rename it onto ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        The final file; its directory must exist.
    write : callable
        ``write(f)`` writes the whole content to the binary file object ``f``.

    Notes
    -----
    If ``write`` raises (or the process dies) the temporary file is removed (or left behind
    under a ``.tmp`` name) and ``path`` is untouched.  After the rename the directory is
    fsync'ed too where the OS allows it, so the new name itself survives a power cut.

    Examples
    --------
    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "x.bin")
    >>> atomic_write(p, lambda f: f.write(b"abc"))
    >>> open(p, "rb").read()
    b'abc'
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cannot save {path!r}: directory {directory!r} does not exist")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    try:  # make the rename durable; not possible on every OS
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


class CheckpointError(ValueError):
    """A checkpoint file that cannot be used: corrupt, truncated, or not matching the model."""


def metadata_json(metadata) -> str:
    """The checkpoint's metadata (a dict, or None for none) as a JSON string.

    Raises
    ------
    TypeError
        If ``metadata`` is not a dict or holds something JSON cannot write.

    Examples
    --------
    >>> metadata_json({"epoch": 3, "val_loss": 0.25})
    '{"epoch": 3, "val_loss": 0.25}'
    """
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict, got {type(metadata).__name__}")
    try:
        return json.dumps(metadata, allow_nan=True, sort_keys=True)
    except TypeError as err:
        raise TypeError("metadata must be JSON-serialisable (numbers, strings, lists, dicts): "
                        f"{err}") from None


def check_state_dict(state, expected, path="<state_dict>") -> None:
    """Raise :class:`CheckpointError` unless ``state`` has the keys and shapes of ``expected``.

    Works for NumPy arrays and torch tensors alike (it reads only keys and shapes).

    Parameters
    ----------
    state : mapping of str to array
        What was loaded.
    expected : mapping of str to array or shape
        What the model needs, e.g. ``model.state_dict()``.
    path : str
        The file, for the message.

    Examples
    --------
    >>> check_state_dict({"w": np.zeros(2)}, {"w": np.zeros(3)}, "a.npz")
    Traceback (most recent call last):
    ...
    dlbook.io.CheckpointError: a.npz does not fit the model: w has shape (2,) in the file ...
    """
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    problems = []
    if missing:
        problems.append(f"missing keys {missing}")
    if unexpected:
        problems.append(f"unexpected keys {unexpected}")
    for k in expected:
        if k in state:
            want = expected[k]
            want = tuple(want.shape) if hasattr(want, "shape") else tuple(want)
            got = tuple(state[k].shape) if hasattr(state[k], "shape") else np.shape(state[k])
            if got != want:
                problems.append(f"{k} has shape {got} in the file but {want} in the model")
    if problems:
        raise CheckpointError(f"{path} does not fit the model: " + "; ".join(problems))
