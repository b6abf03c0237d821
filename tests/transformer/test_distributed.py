"""spawn: results in rank order, a failing rank's traceback raised within seconds even while
the other ranks wait forever, a rank that dies, a timeout, and functions that cannot be sent."""

import os
import time

import pytest
import torch
import torch.distributed as dist

from dlbook.transformer.distributed import RankFailed, free_port, spawn


def rank_info(rank, world_size, scale):
    time.sleep(0.3 * (world_size - rank))          # later ranks finish first
    t = torch.tensor([float(rank)])
    dist.all_reduce(t)
    return {"rank": rank, "env_rank": int(os.environ["RANK"]), "sum": t.item() * scale,
            "world": dist.get_world_size()}


def fail_on_rank_one(rank, world_size):
    if rank == 1:
        raise ValueError("rank one cannot go on")
    time.sleep(3600)                               # rank 0 would wait for an hour


def die_on_rank_one(rank, world_size):
    if rank == 1:
        os._exit(3)
    t = torch.ones(1)
    dist.all_reduce(t)                             # waits for a rank that is gone
    return t.item()


def sleep_long(rank, world_size):
    time.sleep(3600)


def test_results_come_back_in_rank_order():
    out = spawn(rank_info, 3, 10.0)
    assert [o["rank"] for o in out] == [0, 1, 2]
    assert [o["env_rank"] for o in out] == [0, 1, 2]
    assert all(o["sum"] == 30.0 and o["world"] == 3 for o in out)


def test_a_failing_rank_raises_its_traceback_within_seconds():
    start = time.monotonic()
    with pytest.raises(RankFailed) as info:
        spawn(fail_on_rank_one, 2)
    elapsed = time.monotonic() - start
    assert info.value.rank == 1
    assert "ValueError: rank one cannot go on" in str(info.value)
    assert "fail_on_rank_one" in info.value.traceback_text
    assert elapsed < 60, f"took {elapsed:.1f} s (process start-up included)"


def test_a_rank_that_dies_is_reported():
    start = time.monotonic()
    with pytest.raises(RankFailed, match="rank 1 failed:\nthe process exited with code 3"):
        spawn(die_on_rank_one, 2)
    assert time.monotonic() - start < 60


def test_timeout_stops_every_rank():
    start = time.monotonic()
    with pytest.raises(TimeoutError, match="within 2.0 s"):
        spawn(sleep_long, 2, timeout=2.0)
    assert time.monotonic() - start < 30


def test_what_cannot_be_sent_is_refused_before_starting():
    with pytest.raises(TypeError, match="picklable"):
        spawn(lambda rank, world_size: rank, 2)
    with pytest.raises(ValueError, match="backend must be one of"):
        spawn(rank_info, 2, 1.0, backend="tcp")
    with pytest.raises(ValueError, match="world_size must be >= 1"):
        spawn(rank_info, 0, 1.0)
    assert 1024 <= free_port() <= 65535
