"""The character-level language model of chapter 3.3, trained ten times longer than the page can.

The page trains dlbook.nlp.examples.char_rnn (a NumPy Elman RNN, H = 128, truncated BPTT over
64 steps, 32 streams, Adam 5e-3, gradients clipped to norm 5) for a couple of thousand updates
on the first 6,000 verses of the King James Bible, and compares its held-out perplexity (the
last 600 verses) with interpolated Kneser-Ney n-gram models fitted on the same text. This
script runs the same model, the same data and the same seed for ``--steps`` updates, measures
the held-out perplexity every ``--every`` updates, fits the n-gram models of orders 2 to 8, and
writes everything (with the machine and the CPU time) to benchmarks/results/char_lm.json, which
the chapter (``ch-rnn``) reads.

    .venv/bin/python benchmarks/char_lm.py [--steps 20000] [--every 2000]

Not a test.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results" / "char_lm.json"
CONFIG = {"hidden_size": 128, "seq_len": 64, "batch_size": 32, "lr": 5e-3, "max_norm": 5.0,
          "n_train_verses": 6000, "n_test_verses": 600, "seed": 0}


def ngram_perplexity(lm, text, order):
    """Perplexity of the n-gram model on the same characters the RNN predicts."""
    toks = list(text)
    total = 0.0
    for i, c in enumerate(toks):
        total += math.log(lm.prob(c, tuple(toks[max(0, i - order + 1):i]) or ("\n",)))
    return math.exp(-total / len(toks))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--every", type=int, default=2000)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()

    from dlbook.nlp.examples.char_rnn import (
        init_char_rnn,
        kjv_split,
        stream_perplexity,
        train_truncated_bptt,
    )
    from dlbook.nlp.ngram_lm import NGramLM

    train, test = kjv_split(CONFIG["n_train_verses"], CONFIG["n_test_verses"])
    chars = sorted(set(train))
    index = {c: k for k, c in enumerate(chars)}
    train_ids = np.array([index[c] for c in train])
    test_ids = np.array([index[c] for c in test])
    print(f"{len(train):,} training characters, {len(test):,} held-out, {len(chars)} symbols")

    ngram = {}
    for order in range(2, 9):
        t0 = time.process_time()
        lm = NGramLM(order).fit([train])
        ngram[order] = ngram_perplexity(lm, test, order)
        print(f"Kneser-Ney order {order}: perplexity {ngram[order]:.3f} "
              f"({time.process_time() - t0:.1f} s)")

    params = init_char_rnn(len(chars), CONFIG["hidden_size"],
                           np.random.default_rng(CONFIG["seed"]))
    state, curve, cpu = None, [], 0.0
    done = 0
    while done < args.steps:
        n = min(args.every, args.steps - done)
        t0 = time.process_time()
        params, state = train_truncated_bptt(
            params, train_ids, steps=n, seq_len=CONFIG["seq_len"],
            batch_size=CONFIG["batch_size"], lr=CONFIG["lr"], max_norm=CONFIG["max_norm"],
            state=state)
        cpu += time.process_time() - t0
        done += n
        ppl = stream_perplexity(params, test_ids, start_id=index["\n"])
        train_loss = float(np.mean(state.losses[-200:]))
        curve.append({"steps": done, "test_perplexity": ppl, "train_loss": train_loss,
                      "cpu_seconds": cpu})
        print(f"{done:6d} updates: held-out perplexity {ppl:.3f}, training loss "
              f"{train_loss:.3f} nats, {cpu:.0f} s CPU", flush=True)

    if args.no_save:
        return
    record = {
        "benchmark": "benchmarks/char_lm.py", "config": CONFIG, "steps": args.steps,
        "train_characters": len(train), "test_characters": len(test), "symbols": len(chars),
        "ngram_perplexity": {str(k): v for k, v in ngram.items()}, "rnn_curve": curve,
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version(), "numpy": np.__version__,
                    "threads": os.environ.get("OPENBLAS_NUM_THREADS", "default")},
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    tmp = RESULTS.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, RESULTS)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
