r"""Run a function in several processes joined by ``torch.distributed``, the way ``torchrun``
does across GPUs and machines, but from Python on one machine.

:func:`spawn` starts ``world_size`` processes, sets each one up as a member ("rank") of one
process group that talks over a free localhost port (the ``gloo`` backend works on CPUs; on
GPUs the same code takes ``backend="nccl"``), calls ``fn(rank, world_size, *args)`` in each, and
returns what the ranks returned. A rank that raises brings the whole group down at once: the
other ranks are stopped (they may be waiting for the failed one inside a collective operation
and would otherwise wait forever) and the caller gets the failed rank's traceback.

The same ``fn`` runs unchanged under ``torchrun``: there the environment variables
``MASTER_ADDR``, ``MASTER_PORT``, ``RANK`` and ``WORLD_SIZE`` come from the launcher; here
:func:`spawn` sets them.

See Also
--------
dlbook.transformer.data_parallel_torch : the functions the chapter runs with it.
:ref:`ch-distributed` : the chapter.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import queue as queue_module
import socket
import time
import traceback

from dlbook import _checks

__all__ = ["RankFailed", "free_port", "spawn"]


class RankFailed(RuntimeError):
    """A rank of :func:`spawn` raised (or died); ``traceback_text`` is what it printed."""

    def __init__(self, rank: int, traceback_text: str):
        super().__init__(f"rank {rank} failed:\n{traceback_text}")
        self.rank = rank
        self.traceback_text = traceback_text


def free_port() -> int:
    """A TCP port on localhost that no program is listening on right now.

    Examples
    --------
    >>> 1024 <= free_port() <= 65535
    True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(fn, rank, world_size, port, backend, args, results):
    os.environ.update({"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port),
                       "RANK": str(rank), "WORLD_SIZE": str(world_size),
                       "LOCAL_RANK": str(rank)})
    import datetime

    import torch
    import torch.distributed as dist

    torch.set_num_threads(1)
    try:
        dist.init_process_group(backend, rank=rank, world_size=world_size,
                                timeout=datetime.timedelta(seconds=120))
        results.put((rank, True, fn(rank, world_size, *args)))
    except BaseException:                                 # noqa: BLE001 - reported to the caller
        results.put((rank, False, traceback.format_exc()))
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


def spawn(fn, world_size, *args, backend="gloo", timeout=None):
    r"""Run ``fn(rank, world_size, *args)`` in ``world_size`` processes of one process group.

    Parameters
    ----------
    fn : callable
        A function defined at the top level of an importable module (each process imports it
        by name; a lambda or a function defined in a notebook cannot be sent).
    world_size : int
        Number of processes (ranks :math:`0, \dots, \text{world\_size} - 1`).
    *args
        Passed to ``fn`` after ``rank`` and ``world_size``; they must be picklable.
    backend : {"gloo", "nccl", "mpi"}, default "gloo"
        ``gloo`` runs on CPUs; ``nccl`` needs one GPU per rank.
    timeout : float, optional
        Seconds to wait for all ranks; then every rank is stopped and ``TimeoutError`` raised.
        None waits as long as the ranks keep running (a failed rank still ends the wait).

    Returns
    -------
    list
        What each rank returned, in rank order.

    Raises
    ------
    RankFailed
        As soon as any rank raises or dies: the other ranks are terminated and the message holds
        the failed rank's traceback.
    TimeoutError
        If ``timeout`` passes first.
    TypeError
        If ``fn`` or ``args`` cannot be sent to another process.

    Notes
    -----
    Each process uses one intra-op thread (``torch.set_num_threads(1)``), so that
    ``world_size`` processes on a machine with that many cores do not compete for them; the
    process group is created with ``init_method="env://"`` from ``MASTER_ADDR`` and
    ``MASTER_PORT`` (a free localhost port) and destroyed when ``fn`` returns. Processes are
    started with the ``spawn`` method (a fresh interpreter each), which is what CUDA requires.

    Examples
    --------
    >>> from dlbook.transformer.data_parallel_torch import all_reduce_sum
    >>> spawn(all_reduce_sum, 2, [1.0, 2.0])        # each rank adds its copy: [2, 4]
    [[2.0, 4.0], [2.0, 4.0]]
    """
    world_size = _checks.positive_int(world_size, "world_size")
    _checks.one_of(backend, "backend", ("gloo", "nccl", "mpi"))
    if timeout is not None:
        timeout = _checks.positive_real(timeout, "timeout")
    try:
        pickle.dumps((fn, args))
    except Exception as err:
        raise TypeError(f"fn and args must be picklable to reach the other processes: {err}. "
                        "Define fn at the top level of a module (not in a notebook cell, not a "
                        "lambda).") from None
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    port = free_port()
    procs = [ctx.Process(target=_worker, args=(fn, r, world_size, port, backend, args, results),
                         name=f"dlbook-rank-{r}") for r in range(world_size)]
    for p in procs:
        p.start()
    done: dict = {}
    start = time.monotonic()
    try:
        while len(done) < world_size:
            try:
                rank, ok, payload = results.get(timeout=0.05)
            except queue_module.Empty:
                for r, p in enumerate(procs):
                    if r not in done and p.exitcode is not None:
                        time.sleep(0.2)                     # its last message may be in flight
                        if results.empty():
                            raise RankFailed(r, f"the process exited with code {p.exitcode} "
                                             "without returning or raising") from None
                if timeout is not None and time.monotonic() - start > timeout:
                    raise TimeoutError(f"spawn: not every rank finished within {timeout} s "
                                       f"(finished: {sorted(done)})") from None
                continue
            if not ok:
                time.sleep(0.2)       # a rank that died first is the cause: report that one
                dead = [r for r, p in enumerate(procs) if r not in done and r != rank
                        and p.exitcode not in (None, 0)]
                if dead:
                    raise RankFailed(dead[0], f"the process exited with code "
                                     f"{procs[dead[0]].exitcode} without returning or raising; "
                                     f"then rank {rank} failed:\n{payload}")
                raise RankFailed(rank, payload)
            done[rank] = payload
    finally:
        if len(done) < world_size:
            for p in procs:
                if p.is_alive():
                    p.terminate()
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
                p.join()
        results.close()
    return [done[r] for r in range(world_size)]
