"""Files that readers keep: written atomically, so a crash never leaves half a file.

Checkpoints (:mod:`dlbook.nn.checkpoint`, :mod:`dlbook.nn.checkpoint_torch`) and word vectors
(:mod:`dlbook.nlp.keyed_vectors`) are saved through :func:`atomic_write`; they are loaded without
pickle by their own modules.
"""

from __future__ import annotations

import os
import tempfile

__all__ = ["atomic_write"]


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
