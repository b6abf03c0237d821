"""NumPy checkpoints (dlbook.nn.checkpoint): bit-exact round trips, a save interrupted half-way
that leaves the old file, loud failures. The atomic write itself: tests/test_io.py; the torch
twin: test_checkpoint_torch.py."""

from collections import OrderedDict

import numpy as np
import pytest

from dlbook.io import CheckpointError
from dlbook.nn import checkpoint as ck


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
    with pytest.raises(TypeError, match="metadata must be a dict"):
        ck.save_checkpoint(tmp_path / "x.npz", {"w": np.zeros(1)}, [1, 2])
    with pytest.raises(FileNotFoundError, match="does not exist"):
        ck.save_checkpoint(tmp_path / "no" / "x.npz", {"w": np.zeros(1)})
