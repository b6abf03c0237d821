"""Data parallelism in float64: DDP, a hand-written all-reduce and FSDP on two gloo processes all
give the gradient of the whole batch computed in one process; gradient accumulation too."""

import numpy as np
import pytest
import torch

from dlbook.transformer.data_parallel_torch import (
    accumulated_gradients,
    all_reduce_sum,
    make_model,
    parallel_gradients,
    single_process_gradients,
    timed_training_steps,
)
from dlbook.transformer.distributed import spawn

CONFIG = dict(vocab_size=13, block_size=6, n_layer=2, n_head=2, n_embd=8)


def _batch(n=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 13, (n, 6), generator=g), torch.randint(0, 13, (n, 6), generator=g)


def _max_diff(a, b):
    assert set(a) == set(b), (sorted(a), sorted(b))
    return max(float(np.abs(a[k] - b[k]).max()) for k in a)


@pytest.fixture(scope="module")
def two_ranks():
    x, y = _batch()
    return x, y, spawn(parallel_gradients, 2, CONFIG, x, y)


@pytest.mark.parametrize("method", ["ddp", "all_reduce", "fsdp"])
def test_two_processes_give_the_single_process_gradient(two_ranks, method):
    x, y, out = two_ranks
    ref = single_process_gradients(CONFIG, x, y)
    grads = {k: v for k, v in out[0][method].items() if not k.startswith("_")}
    assert _max_diff(grads, ref) < 1e-12
    other = {k: v for k, v in out[1][method].items() if not k.startswith("_")}
    assert _max_diff(grads, other) == 0.0                  # both ranks hold the same gradient
    # and a shard's own gradient is different: the all-reduce did something
    alone = single_process_gradients(CONFIG, x[:4], y[:4])
    assert _max_diff(alone, ref) > 1e-6


def test_fsdp_keeps_half_of_each_parameter_per_rank(two_ranks):
    _, _, out = two_ranks
    shapes = out[0]["fsdp"]["_local_shapes"]
    model = make_model(CONFIG)
    for name, p in model.named_parameters():
        assert shapes[name][0] == (p.shape[0] + 1) // 2, name      # dim 0 split in two


@pytest.mark.parametrize("micro", [1, 2, 3, 8])
def test_gradient_accumulation_equals_the_large_batch(micro):
    x, y = _batch(n=24, seed=micro)
    assert _max_diff(accumulated_gradients(CONFIG, x, y, micro),
                     single_process_gradients(CONFIG, x, y)) < 1e-12


def test_all_reduce_sum_and_timing_run_in_one_group():
    assert spawn(all_reduce_sum, 2, [1.0, -2.0]) == [[2.0, -4.0], [2.0, -4.0]]
    seconds = spawn(timed_training_steps, 1, CONFIG, 4, 2, 1)[0]
    assert 0 < seconds < 10


def test_uneven_shards_are_refused():
    x, y = _batch(n=5)
    with pytest.raises(ValueError, match="batch of 5 examples does not split into 2 equal"):
        parallel_gradients(0, 2, CONFIG, x, y)          # refused before any communication
