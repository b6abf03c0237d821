"""Torch checkpoints (dlbook.nn.checkpoint_torch): bit-exact round trips of every dtype, a save
interrupted half-way that leaves the old file, weights_only loading that refuses pickled
objects, and loud mismatches."""

from collections import OrderedDict

import numpy as np
import pytest
import torch

from dlbook.io import CheckpointError
from dlbook.nn import checkpoint_torch as ckt


def _tstate():
    g = torch.Generator().manual_seed(0)
    return OrderedDict([
        ("w64", torch.randn(3, 4, generator=g, dtype=torch.float64)),
        ("w16", torch.randn(5, generator=g).half()),
        ("bf", torch.randn(5, generator=g).bfloat16()),
        ("n", torch.tensor(3)),
        ("mask", torch.tensor([True, False])),
    ])


def test_round_trip_bit_exact(tmp_path):
    p = tmp_path / "a.pt"
    ckt.save_checkpoint(p, _tstate(), {"epoch": 2})
    state, meta = ckt.load_checkpoint(p, expected=_tstate())
    assert meta == {"epoch": 2} and list(state) == list(_tstate())
    for k, v in _tstate().items():
        assert state[k].dtype == v.dtype and torch.equal(state[k], v), k
        got_bits = state[k].reshape(-1).view(torch.uint8).tolist()
        assert got_bits == v.reshape(-1).view(torch.uint8).tolist(), f"{k}: bits differ"


def test_interrupted_save_keeps_old(tmp_path, monkeypatch):
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
def test_bad_files(tmp_path, damage):
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


def test_mismatch_and_types(tmp_path):
    p = tmp_path / "m.pt"
    ckt.save_checkpoint(p, torch.nn.Linear(3, 2).state_dict())
    with pytest.raises(CheckpointError,
                       match=r"m\.pt.*weight has shape \(2, 3\) in the file but \(2, 4\)"):
        ckt.load_checkpoint(p, expected=torch.nn.Linear(4, 2).state_dict())
    with pytest.raises(TypeError, match="not a torch.Tensor"):
        ckt.save_checkpoint(p, {"w": np.zeros(2)})
