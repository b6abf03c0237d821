"""Files readers keep (dlbook.io): the atomic write survives an exception and a SIGKILL half-way
through, leaves no temporary file, and names a missing directory; the checks the checkpoint
modules share (metadata, a state dict that fits the model)."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from dlbook.io import CheckpointError, atomic_write, check_state_dict, metadata_json


def test_write_then_rename_leaves_only_the_file(tmp_path):
    p = tmp_path / "f.bin"
    atomic_write(p, lambda f: f.write(b"first"))
    atomic_write(p, lambda f: f.write(b"second"))
    assert p.read_bytes() == b"second"
    assert [f.name for f in tmp_path.iterdir()] == ["f.bin"], "temporary files left behind"


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, OSError])
def test_interrupted_write_keeps_the_old_file(tmp_path, interruption):
    p = tmp_path / "keep.bin"
    atomic_write(p, lambda f: f.write(b"old content"))

    def half_then_crash(f):
        f.write(b"new con")   # half a file written ...
        raise interruption("power cut")   # ... then the process is interrupted

    with pytest.raises(interruption):
        atomic_write(p, half_then_crash)
    assert p.read_bytes() == b"old content"
    assert [f.name for f in tmp_path.iterdir()] == ["keep.bin"]


def test_killed_writer_leaves_one_complete_version(tmp_path):
    """SIGKILL a process that rewrites a file over and over: it holds one whole version."""
    p = tmp_path / "live.bin"
    script = textwrap.dedent(f"""
        from dlbook.io import atomic_write
        for i in range(1, 100000):
            atomic_write({str(p)!r}, lambda f: f.write(bytes([i % 251]) * 400_000))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=os.getcwd())
    try:
        deadline = time.time() + 30
        while not p.exists() and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.4)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert p.exists(), "the writer never produced a file"
    data = p.read_bytes()
    assert len(data) == 400_000 and len(set(data)) == 1, "a file mixing two versions"


def test_missing_directory_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        atomic_write(tmp_path / "no" / "x.bin", lambda f: f.write(b""))


def test_metadata_is_json_or_a_clear_error():
    assert metadata_json(None) == "{}"
    assert metadata_json({"b": 1, "a": [0.5, "x"]}) == '{"a": [0.5, "x"], "b": 1}'
    with pytest.raises(TypeError, match="metadata must be a dict"):
        metadata_json([1])
    with pytest.raises(TypeError, match="JSON-serialisable"):
        metadata_json({"a": object()})


def test_check_state_dict_names_every_problem():
    check_state_dict({"w": np.zeros((2, 3))}, {"w": (2, 3)})  # shapes may be given as tuples
    with pytest.raises(CheckpointError) as err:
        check_state_dict({"w": np.zeros(2), "extra": np.zeros(1)},
                         {"w": np.zeros(3), "b": np.zeros(1)}, "f.npz")
    msg = str(err.value)
    for part in ("f.npz does not fit the model", "missing keys ['b']",
                 "unexpected keys ['extra']", "w has shape (2,) in the file but (3,)"):
        assert part in msg, f"{part!r} not in {msg!r}"
    assert issubclass(CheckpointError, ValueError)
