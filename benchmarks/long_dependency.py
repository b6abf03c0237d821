"""The adding problem over sequence length: a plain RNN against a GRU and an LSTM (torch.nn).

For each length T and each seed, every model (one recurrent layer of 32 units and a linear
read-out of the last state) is trained for ``--steps`` Adam updates (learning rate 0.01,
batches of 64 fresh sequences, gradients clipped to norm 1) and scored by its mean squared
error on 1,000 held-out sequences; always answering 1 scores 1/6. Chapter 3.4 (``ch-lstm``)
plots the result, which goes with the machine to benchmarks/results/long_dependency.json.

    .venv/bin/python benchmarks/long_dependency.py [--steps 1500] [--lengths 10,25,50,100,200]
        [--seeds 0,1]

Not a test. One thread, as the book's pages run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch

RESULTS = Path(__file__).resolve().parent / "results" / "long_dependency.json"
KINDS = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}
HIDDEN, BATCH, LR, CLIP = 32, 64, 0.01, 1.0


class LastState(torch.nn.Module):
    """A recurrent layer and a linear read-out of its last output."""

    def __init__(self, kind):
        super().__init__()
        self.rnn = KINDS[kind](2, HIDDEN)
        self.head = torch.nn.Linear(HIDDEN, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[-1]).squeeze(-1)


def run(kind, T, seed, steps):
    from dlbook.data.sequence_tasks import adding_problem

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = LastState(kind)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    t0 = time.process_time()
    for _ in range(steps):
        x, y = adding_problem(BATCH, T, rng)
        loss = torch.nn.functional.mse_loss(model(torch.from_numpy(x)), torch.from_numpy(y))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        opt.step()
    x, y = adding_problem(1000, T, np.random.default_rng(10_000 + seed))
    with torch.no_grad():
        mse = torch.nn.functional.mse_loss(model(torch.from_numpy(x)),
                                           torch.from_numpy(y)).item()
    return mse, time.process_time() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--lengths", default="10,25,50,100,200")
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    lengths = [int(t) for t in args.lengths.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    rows = []
    for T in lengths:
        for kind in KINDS:
            for seed in seeds:
                mse, cpu = run(kind, T, seed, args.steps)
                rows.append({"T": T, "model": kind, "seed": seed, "test_mse": mse,
                             "cpu_seconds": cpu})
                print(f"T={T:4d} {kind:5s} seed {seed}: test MSE {mse:.4f} ({cpu:.0f} s CPU)",
                      flush=True)
    if args.no_save:
        return
    record = {
        "benchmark": "benchmarks/long_dependency.py", "steps": args.steps, "hidden": HIDDEN,
        "batch": BATCH, "lr": LR, "clip": CLIP, "baseline_mse": 1 / 6, "rows": rows,
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version(), "torch": torch.__version__,
                    "threads": torch.get_num_threads()},
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    tmp = RESULTS.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, RESULTS)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
