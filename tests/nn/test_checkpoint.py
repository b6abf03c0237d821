"""Checkpoints: bit-exact round trips, atomic saves that survive a crash, loud failures."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import OrderedDict

import numpy as np
import pytest
import torch

from dlbook.nn import checkpoint as ck
from dlbook.nn import checkpoint_torch as ckt
from dlbook.nn.checkpoint import CheckpointError


def _state(seed=0):
    rng = np.random.default_rng(seed)
    return OrderedDict([
        ("0.weight", rng.normal(size=(3, 4))),
        ("0.bias", rng.normal(size=3).astype(np.float32)),
        ("1.running_var", rng.normal(size=3).astype(np.float16)),
        ("2.count", np.array(7, dtype=np.int64)),
        ("3.mask", rng.random(5) > 0.5),
        ("4.z", (rng.normal(size=2) + 1j).astype(np.complex128)),
        ("5.tiny", np.array([np.nextafter(0.0, 1.0), -0.0, np.inf, np.nan])),
    ])


def _assert_bit_exact(got, want):
    assert list(got) == list(want), f"keys/order differ: {list(got)} vs {list(want)}"
    for k in want:
        assert got[k].dtype == want[k].dtype, f"{k}: dtype {got[k].dtype} vs {want[k].dtype}"
        assert got[k].shape == want[k].shape, f"{k}: shape {got[k].shape} vs {want[k].shape}"
        assert got[k].tobytes() == want[k].tobytes(), f"{k}: bytes differ"


def test_round_trip_bit_exact(tmp_path):
    p = tmp_path / "a.npz"
    ck.save_checkpoint(p, _state(), {"epoch": 4, "val_loss": 0.25, "note": "best"})
    state, meta = ck.load_checkpoint(p, expected=_state())
    _assert_bit_exact(state, _state())
    assert meta == {"epoch": 4, "val_loss": 0.25, "note": "best"}
    assert [f.name for f in tmp_path.iterdir()] == ["a.npz"], "temporary files left behind"


def test_interrupted_save_keeps_the_old_checkpoint(tmp_path, monkeypatch):
    p = tmp_path / "ckpt.npz"
    ck.save_checkpoint(p, _state(0), {"epoch": 1})
    before = p.read_bytes()

    real_savez = np.savez

    def crash_halfway(f, **arrays):
        real_savez(f, **arrays)
        f.truncate(f.tell() // 2)   # half a file written ...
        raise KeyboardInterrupt("power cut")   # ... then the process is interrupted

    monkeypatch.setattr(ck.np, "savez", crash_halfway)
    with pytest.raises(KeyboardInterrupt):
        ck.save_checkpoint(p, _state(1), {"epoch": 2})
    monkeypatch.undo()
    assert p.read_bytes() == before
    state, meta = ck.load_checkpoint(p)
    _assert_bit_exact(state, _state(0))
    assert meta == {"epoch": 1}
    assert [f.name for f in tmp_path.iterdir()] == ["ckpt.npz"]


def test_killed_writer_leaves_a_complete_checkpoint(tmp_path):
    """SIGKILL a process that saves over and over; the file must be one complete version."""
    p = tmp_path / "live.npz"
    script = textwrap.dedent(f"""
        import numpy as np
        from dlbook.nn.checkpoint import save_checkpoint
        for i in range(1, 100000):
            save_checkpoint({str(p)!r}, {{"w": np.full((300, 300), float(i))}}, {{"epoch": i}})
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
    assert p.exists(), "the writer never produced a checkpoint"
    state, meta = ck.load_checkpoint(p)
    i = meta["epoch"]
    assert np.all(state["w"] == float(i)), "weights and metadata come from different saves"


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip", "empty"])
def test_damaged_file_gives_clear_error(tmp_path, damage):
    p = tmp_path / "d.npz"
    ck.save_checkpoint(p, {"w": np.arange(1000.0)})
    data = bytearray(p.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "garbage":
        data = bytearray(b"\x00garbage" * 10)
    elif damage == "flip":
        i = data.find(np.arange(1000.0)[500:501].tobytes())   # a byte inside the array data
        data[i] ^= 0xFF
    else:
        data = bytearray()
    p.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=r"d\.npz.*(corrupt|truncated)"):
        ck.load_checkpoint(p)


def test_pickles_are_refused(tmp_path):
    p = tmp_path / "evil.npz"
    np.savez(p, w=np.array([{"a": 1}], dtype=object), __metadata__=np.array("{}"))
    with pytest.raises(CheckpointError, match="evil.npz"):
        ck.load_checkpoint(p)


def test_mismatch_names_file_keys_and_shapes(tmp_path):
    p = tmp_path / "m.npz"
    ck.save_checkpoint(p, {"0.weight": np.zeros((2, 3)), "extra": np.zeros(1)})
    with pytest.raises(CheckpointError) as err:
        ck.load_checkpoint(p, expected={"0.weight": np.zeros((3, 3)), "0.bias": np.zeros(3)})
    msg = str(err.value)
    for part in ("m.npz", "missing keys ['0.bias']", "unexpected keys ['extra']",
                 "0.weight has shape (2, 3) in the file but (3, 3)"):
        assert part in msg, f"{part!r} not in {msg!r}"


@pytest.mark.parametrize("bad,exc", [
    ({1: np.zeros(1)}, TypeError), ({"": np.zeros(1)}, ValueError),
    ({"__metadata__": np.zeros(1)}, ValueError), ({"s": np.array(["a"])}, TypeError),
])
def test_save_rejects_bad_state(tmp_path, bad, exc):
    with pytest.raises(exc):
        ck.save_checkpoint(tmp_path / "x.npz", bad)
    assert not list(tmp_path.iterdir())


def test_missing_file_and_bad_metadata(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.npz"):
        ck.load_checkpoint(tmp_path / "nope.npz")
    with pytest.raises(TypeError, match="JSON"):
        ck.save_checkpoint(tmp_path / "x.npz", {"w": np.zeros(1)}, {"a": object()})
    with pytest.raises(FileNotFoundError, match="does not exist"):
        ck.save_checkpoint(tmp_path / "no" / "x.npz", {"w": np.zeros(1)})


# -- torch twin ------------------------------------------------------------------------------
def _tstate():
    g = torch.Generator().manual_seed(0)
    return OrderedDict([
        ("w64", torch.randn(3, 4, generator=g, dtype=torch.float64)),
        ("w16", torch.randn(5, generator=g).half()),
        ("bf", torch.randn(5, generator=g).bfloat16()),
        ("n", torch.tensor(3)),
        ("mask", torch.tensor([True, False])),
    ])


def test_torch_round_trip_bit_exact(tmp_path):
    p = tmp_path / "a.pt"
    ckt.save_checkpoint(p, _tstate(), {"epoch": 2})
    state, meta = ckt.load_checkpoint(p, expected=_tstate())
    assert meta == {"epoch": 2} and list(state) == list(_tstate())
    for k, v in _tstate().items():
        assert state[k].dtype == v.dtype and torch.equal(state[k], v), k
        assert state[k].reshape(-1).view(torch.uint8).tolist() == v.reshape(-1).view(torch.uint8).tolist(), \
            f"{k}: bits differ"


def test_torch_interrupted_save_keeps_old(tmp_path, monkeypatch):
    p = tmp_path / "c.pt"
    ckt.save_checkpoint(p, _tstate(), {"epoch": 1})
    before = p.read_bytes()
    real_save = torch.save

    def crash(obj, f):
        real_save(obj, f)
        f.truncate(f.tell() // 3)
        raise OSError("disk full")

    monkeypatch.setattr(ckt.torch, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        ckt.save_checkpoint(p, {"other": torch.zeros(2)}, {"epoch": 2})
    monkeypatch.undo()
    assert p.read_bytes() == before
    assert ckt.load_checkpoint(p)[1] == {"epoch": 1}
    assert [f.name for f in tmp_path.iterdir()] == ["c.pt"]


class _Evil:
    pass


@pytest.mark.parametrize("damage", ["truncate", "garbage", "unsafe", "foreign"])
def test_torch_bad_files(tmp_path, damage):
    p = tmp_path / "t.pt"
    if damage == "unsafe":
        torch.save({"state_dict": {}, "metadata": "{}", "x": _Evil()}, p)
    elif damage == "foreign":
        torch.save({"weight": torch.zeros(1)}, p)
    else:
        ckt.save_checkpoint(p, _tstate())
        data = p.read_bytes()
        p.write_bytes(data[: len(data) // 2] if damage == "truncate" else b"garbage" * 5)
    with pytest.raises(CheckpointError, match=r"t\.pt"):
        ckt.load_checkpoint(p)


def test_torch_mismatch_and_types(tmp_path):
    p = tmp_path / "m.pt"
    ckt.save_checkpoint(p, torch.nn.Linear(3, 2).state_dict())
    with pytest.raises(CheckpointError, match=r"m\.pt.*weight has shape \(2, 3\) in the file but \(2, 4\)"):
        ckt.load_checkpoint(p, expected=torch.nn.Linear(4, 2).state_dict())
    with pytest.raises(TypeError, match="not a torch.Tensor"):
        ckt.save_checkpoint(p, {"w": np.zeros(2)})
