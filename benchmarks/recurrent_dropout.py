"""Sunspot forecasts with an LSTM: no recurrent dropout, a new mask every step, one mask per
sequence (Gal & Ghahramani), over several seeds; with the naive and linear baselines.

The data, split and model are those of chapter 3.4 (``ch-lstm``,
dlbook.nlp.examples.sunspots): windows of ``--window`` years, one-year-ahead targets, training
before 1910, validation 1910-1949, test 1950-2008; an LSTM of 32 units trained full-batch with
Adam (learning rate 0.01) for 400 epochs. Recurrent dropout (probability ``--p``) drops the
state h_{t-1} where it enters the gates. The page trains one seed of each; this script trains
``--seeds`` of each and writes the mean absolute errors to
benchmarks/results/recurrent_dropout.json.

    .venv/bin/python benchmarks/recurrent_dropout.py [--seeds 5] [--p 0.3] [--window 12]

Not a test. One thread, as the pages run.
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

RESULTS = Path(__file__).resolve().parent / "results" / "recurrent_dropout.json"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--p", type=float, default=0.3)
    parser.add_argument("--window", type=int, default=12)
    parser.add_argument("--epochs", type=int, default=400)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)

    from dlbook.nlp.examples.sunspots import (
        fit_linear,
        fit_lstm_forecaster,
        load_sunspots,
        make_windows,
        splits,
    )

    years, values = load_sunspots()
    X, y, ty = make_windows(years, values, args.window)
    s = splits(ty)

    def mae(pred, part):
        return float(np.mean(np.abs(pred[s[part]] - y[s[part]])))

    baselines = {"naive": {"val": mae(X[:, -1], "val"), "test": mae(X[:, -1], "test")}}
    best = min(range(1, args.window + 1), key=lambda q: mae(
        np.c_[X[:, -q:], np.ones(len(X))] @ fit_linear(X[s["train"]], y[s["train"]], q), "val"))
    coef = fit_linear(X[s["train"]], y[s["train"]], best)
    pred = np.c_[X[:, -best:], np.ones(len(X))] @ coef
    baselines["linear"] = {"order": best, "val": mae(pred, "val"), "test": mae(pred, "test")}
    print(baselines, flush=True)

    variants = {"none": (0.0, "sequence"), "step": (args.p, "step"),
                "sequence": (args.p, "sequence")}
    runs = []
    for seed in range(args.seeds):
        for name, (p, mode) in variants.items():
            t0 = time.process_time()
            pred = fit_lstm_forecaster(X, y, s["train"], epochs=args.epochs, seed=seed,
                                       recurrent_dropout=p, mode=mode)
            runs.append({"variant": name, "seed": seed, "val": mae(pred, "val"),
                         "test": mae(pred, "test"), "cpu_seconds": time.process_time() - t0})
            print(runs[-1], flush=True)
    summary = {}
    for name in variants:
        rows = [r for r in runs if r["variant"] == name]
        summary[name] = {part: {"mean": float(np.mean([r[part] for r in rows])),
                                "std": float(np.std([r[part] for r in rows], ddof=1))}
                         for part in ("val", "test")}
        print(name, summary[name])
    if args.no_save:
        return
    record = {
        "benchmark": "benchmarks/recurrent_dropout.py", "window": args.window,
        "epochs": args.epochs, "p": args.p, "seeds": args.seeds, "baselines": baselines,
        "runs": runs, "summary": summary,
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version(), "torch": torch.__version__},
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    tmp = RESULTS.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, RESULTS)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
