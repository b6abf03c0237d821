"""Data-parallel training on one machine: seconds per step of the same GPT (2 layers, width
128, context 64, vocabulary 1,000, float32) with a global batch of 32 sequences, in 1 process
and split across 2 processes (gloo, one thread each), through the same DDP code path
(``dlbook.transformer.data_parallel_torch.timed_training_steps``). The speed-up is the ratio of
the medians. On a GPU machine the same functions run with ``backend="nccl"`` under torchrun.

    .venv/bin/python benchmarks/ddp_speedup.py [--steps 30] [--rounds 3]

Writes benchmarks/results/ddp_speedup.json. Not a test.
"""

from __future__ import annotations

import argparse


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import numpy as np
    from part4_record import write

    from dlbook.transformer.data_parallel_torch import timed_training_steps
    from dlbook.transformer.distributed import spawn

    config = dict(vocab_size=1000, block_size=64, n_layer=2, n_head=4, n_embd=128)
    times = {1: [], 2: []}
    for _ in range(args.rounds):                      # interleaved: both see the same load
        for world in (1, 2):
            seconds = spawn(timed_training_steps, world, config, 32, args.steps)
            times[world].append(max(seconds))
            print(world, seconds, flush=True)
    one, two = float(np.median(times[1])), float(np.median(times[2]))
    print("wrote", write("ddp_speedup", {
        "threads_per_process": 1, "backend": "gloo", "config": config, "global_batch": 32,
        "steps_per_round": args.steps, "rounds": args.rounds,
        "seconds_per_step": {"1_process": times[1], "2_processes": times[2]},
        "median_seconds_1_process": one, "median_seconds_2_processes": two,
        "speedup": one / two}))


if __name__ == "__main__":
    main()
