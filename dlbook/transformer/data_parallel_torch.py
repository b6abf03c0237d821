r"""Data parallelism with ``torch.distributed``: what the chapter runs in several processes.

Each function whose first two arguments are ``rank, world_size`` is meant for
:func:`dlbook.transformer.distributed.spawn` (or ``torchrun``): it runs in every process of a
process group. The model is a small :class:`~dlbook.transformer.gpt_torch.GPT` built from a
seed, so every rank starts from the same weights, as data parallelism requires.

Data parallelism splits a batch of :math:`N` examples into ``world_size`` equal shards; rank
:math:`r` computes the gradient :math:`g_r` of the mean loss on its shard, and an *all-reduce*
replaces every :math:`g_r` by :math:`\frac1W\sum_r g_r`, the gradient of the mean loss on the
whole batch. Every rank then takes the same optimizer step and the copies stay equal.

See Also
--------
dlbook.transformer.distributed.spawn : starts the processes.
dlbook.transformer.ring_allreduce : how an all-reduce moves the data.
:ref:`ch-distributed` : the chapter.
"""

from __future__ import annotations

import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F

from dlbook.transformer.gpt_torch import GPT

__all__ = ["all_reduce_sum", "make_model", "lm_loss", "single_process_gradients",
           "accumulated_gradients", "ddp_gradients", "all_reduce_gradients", "fsdp_gradients",
           "parallel_gradients", "timed_training_steps"]


def all_reduce_sum(rank, world_size, values):
    """Every rank contributes ``values``; every rank gets the elementwise sum (a list).

    Examples
    --------
    Starting processes takes seconds, so the examples of this module that need a process group
    are not run as doctests; ``tests/transformer/test_data_parallel_torch.py`` runs them.

    >>> from dlbook.transformer.distributed import spawn
    >>> spawn(all_reduce_sum, 3, [1.0])                        # doctest: +SKIP
    [[3.0], [3.0], [3.0]]
    """
    t = torch.tensor(values, dtype=torch.float64)
    dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return t.tolist()


def make_model(config: dict, seed: int = 0, dtype=torch.float64) -> GPT:
    """The chapter's small GPT, built from ``config`` (GPT's arguments) and ``seed``.

    Examples
    --------
    >>> cfg = dict(vocab_size=11, block_size=8, n_layer=1, n_head=2, n_embd=8)
    >>> a, b = make_model(cfg, seed=3), make_model(cfg, seed=3)
    >>> all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    True
    """
    torch.manual_seed(seed)
    return GPT(**config).to(dtype)


def lm_loss(model, x, y):
    """Mean next-token cross-entropy of ``model`` on ids ``x`` with targets ``y`` (B, T).

    Examples
    --------
    >>> m = make_model(dict(vocab_size=5, block_size=4, n_layer=1, n_head=1, n_embd=4))
    >>> x = torch.zeros(2, 4, dtype=torch.long)
    >>> 0 < lm_loss(m, x, x).item() < 3
    True
    """
    return F.cross_entropy(model(x).flatten(0, 1), y.flatten())


def _grads(model) -> dict:
    return {name: p.grad.detach().cpu().numpy().copy() for name, p in model.named_parameters()}


def single_process_gradients(config, x, y, seed=0) -> dict:
    r"""Gradients of the mean loss on the whole batch in one process: the reference.

    Returns
    -------
    dict
        Parameter name -> gradient (a NumPy array).

    Examples
    --------
    >>> cfg = dict(vocab_size=7, block_size=4, n_layer=1, n_head=1, n_embd=4)
    >>> x = torch.randint(0, 7, (4, 4))
    >>> g = single_process_gradients(cfg, x, x)
    >>> g["tok_emb.weight"].shape
    (7, 4)
    """
    model = make_model(config, seed)
    lm_loss(model, x, y).backward()
    return _grads(model)


def accumulated_gradients(config, x, y, micro_batches: int, seed=0) -> dict:
    r"""Gradients of the whole batch computed in ``micro_batches`` pieces, one after another:
    each piece's mean loss is scaled by its share of the batch and its gradient added to the
    sum (what one takes when a large batch does not fit in memory).

    .. math:: \nabla \frac1N\sum_{i=1}^{N}\ell_i = \sum_{m} \frac{N_m}{N}\,
              \nabla\frac{1}{N_m}\sum_{i\in m}\ell_i .

    Examples
    --------
    >>> cfg = dict(vocab_size=7, block_size=4, n_layer=1, n_head=1, n_embd=4)
    >>> x = torch.randint(0, 7, (6, 4))
    >>> a, b = single_process_gradients(cfg, x, x), accumulated_gradients(cfg, x, x, 3)
    >>> max(float(np.abs(a[k] - b[k]).max()) for k in a) < 1e-12
    True
    """
    model = make_model(config, seed)
    N = x.shape[0]
    for xs, ys in zip(torch.tensor_split(x, micro_batches), torch.tensor_split(y, micro_batches)):
        (lm_loss(model, xs, ys) * (xs.shape[0] / N)).backward()        # grads add up in .grad
    return _grads(model)


def _shard(t, rank, world_size):
    if t.shape[0] % world_size:
        raise ValueError(f"the batch of {t.shape[0]} examples does not split into "
                         f"{world_size} equal shards")
    return t.tensor_split(world_size)[rank]


def ddp_gradients(rank, world_size, config, x, y, seed=0) -> dict:
    r"""Rank ``rank``'s gradients after ``DistributedDataParallel`` has averaged them: each rank
    sees only its shard of the batch ``x``, ``y`` (the batch size must divide evenly).

    Examples
    --------
    >>> from dlbook.transformer.distributed import spawn
    >>> cfg = dict(vocab_size=7, block_size=4, n_layer=1, n_head=1, n_embd=4)
    >>> x = torch.randint(0, 7, (4, 4))
    >>> g0, g1 = spawn(ddp_gradients, 2, cfg, x, x)            # doctest: +SKIP
    >>> bool(np.array_equal(g0["tok_emb.weight"], g1["tok_emb.weight"]))  # doctest: +SKIP
    True
    """
    from torch.nn.parallel import DistributedDataParallel as DDP

    xs, ys = _shard(x, rank, world_size), _shard(y, rank, world_size)
    model = DDP(make_model(config, seed))
    lm_loss(model, xs, ys).backward()
    return {name.removeprefix("module."): g for name, g in _grads(model).items()}


def all_reduce_gradients(rank, world_size, config, x, y, seed=0) -> dict:
    r"""Data parallelism by hand: backward on the shard, then one ``all_reduce`` per gradient
    and a division by ``world_size``. DDP does the same, in buckets that overlap with the
    backward pass.

    Examples
    --------
    >>> from dlbook.transformer.distributed import spawn
    >>> cfg = dict(vocab_size=7, block_size=4, n_layer=1, n_head=1, n_embd=4)
    >>> x = torch.randint(0, 7, (4, 4))
    >>> g = spawn(all_reduce_gradients, 2, cfg, x, x)[0]       # doctest: +SKIP
    >>> ref = single_process_gradients(cfg, x, x)
    >>> max(float(np.abs(g[k] - ref[k]).max()) for k in ref) < 1e-12  # doctest: +SKIP
    True
    """
    model = make_model(config, seed)
    lm_loss(model, _shard(x, rank, world_size), _shard(y, rank, world_size)).backward()
    for p in model.parameters():
        dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)
        p.grad /= world_size
    return _grads(model)


def fsdp_gradients(rank, world_size, config, x, y, seed=0) -> dict:
    r"""Fully sharded data parallelism (``torch.distributed.fsdp.fully_shard``): each rank keeps
    only its ``1/world_size`` slice of every parameter and gradient. Returns the full gradients,
    gathered from the slices, so they can be compared with the other methods.

    Examples
    --------
    >>> from dlbook.transformer.distributed import spawn
    >>> cfg = dict(vocab_size=8, block_size=4, n_layer=1, n_head=1, n_embd=4)
    >>> x = torch.randint(0, 8, (4, 4))
    >>> g = spawn(fsdp_gradients, 2, cfg, x, x)[0]             # doctest: +SKIP
    >>> ref = single_process_gradients(cfg, x, x)
    >>> max(float(np.abs(g[k] - ref[k]).max()) for k in ref) < 1e-12  # doctest: +SKIP
    True
    """
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard

    model = make_model(config, seed)
    mesh = init_device_mesh("cpu", (world_size,))
    for block in model.blocks:
        fully_shard(block, mesh=mesh)
    fully_shard(model, mesh=mesh)
    lm_loss(model, _shard(x, rank, world_size), _shard(y, rank, world_size)).backward()
    local = {name: tuple(p.grad.to_local().shape) for name, p in model.named_parameters()}
    full = {name: p.grad.full_tensor().detach().numpy().copy()
            for name, p in model.named_parameters()}
    full["_local_shapes"] = local
    return full


def parallel_gradients(rank, world_size, config, x, y, seed=0) -> dict:
    r"""The gradients of one batch three ways in one process group: ``"ddp"``
    (:func:`ddp_gradients`), ``"all_reduce"`` (:func:`all_reduce_gradients`) and ``"fsdp"``
    (:func:`fsdp_gradients`), so that one :func:`~dlbook.transformer.distributed.spawn`
    serves a whole comparison.

    Examples
    --------
    >>> from dlbook.transformer.distributed import spawn
    >>> cfg = dict(vocab_size=8, block_size=4, n_layer=1, n_head=1, n_embd=4)
    >>> x = torch.randint(0, 8, (4, 4))
    >>> out = spawn(parallel_gradients, 2, cfg, x, x)          # doctest: +SKIP
    >>> sorted(out[0])                                          # doctest: +SKIP
    ['all_reduce', 'ddp', 'fsdp']
    """
    return {"ddp": ddp_gradients(rank, world_size, config, x, y, seed),
            "all_reduce": all_reduce_gradients(rank, world_size, config, x, y, seed),
            "fsdp": fsdp_gradients(rank, world_size, config, x, y, seed)}


def timed_training_steps(rank, world_size, config, global_batch: int, steps: int,
                         warmup: int = 3, seed: int = 0) -> float:
    r"""Seconds per training step (median over ``steps`` after ``warmup``) of DDP training with
    a global batch of ``global_batch`` sequences split across the ranks, in float32.

    With ``world_size = 1`` this is ordinary single-process training with the same code path,
    so the ratio of the two is the speed-up data parallelism gives.

    Examples
    --------
    >>> from dlbook.transformer.distributed import spawn
    >>> cfg = dict(vocab_size=16, block_size=8, n_layer=1, n_head=1, n_embd=8)
    >>> seconds = spawn(timed_training_steps, 1, cfg, 4, 3)[0]  # doctest: +SKIP
    >>> 0 < seconds < 5                                         # doctest: +SKIP
    True
    """
    from torch.nn.parallel import DistributedDataParallel as DDP

    model = DDP(make_model(config, seed, dtype=torch.float32))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(seed + rank)
    local = global_batch // world_size
    T = config["block_size"]
    times = []
    for step in range(warmup + steps):
        x = torch.randint(0, config["vocab_size"], (local, T), generator=gen)
        dist.barrier()
        start = time.perf_counter()
        loss = lm_loss(model, x, x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        dist.barrier()
        if step >= warmup:
            times.append(time.perf_counter() - start)
    return float(np.median(times))
