"""Full-size GloVe (NumPy and torch on the CPU) next to gensim's Word2Vec on the same corpus.

Settings are the GloVe paper's: vector 100, window 10, min_count 5, x_max 100, alpha 0.75,
25 epochs, learning rate 0.05; a second NumPy run uses x_max 10 (the value of Stanford's demo
script for small corpora), and the torch run 5 epochs (to save time).  Word2Vec is gensim's
skip-gram with 5 negatives, window 5, 100 dimensions, one worker.  All vectors are scored the
same way (dlbook.nlp.keyed_vectors: WS353 and SimLex-999 Spearman with OOV pairs skipped, analogy
accuracy with restrict_vocab=300000, case-insensitive, as gensim does).  The script prints a
side-by-side table and writes benchmarks/results/glove.json, which chapter 3.7 (``ch-glove``)
reads.

    .venv/bin/python benchmarks/glove.py [--corpus auto] [--epochs 25] [--w2v-epochs 5]
                                         [--x-max 100 10] [--torch-epochs 5] [--no-torch]
                                         [--only numpy torch word2vec random] [--merge]
                                         [--no-save]

``--only`` runs some parts; ``--merge`` then replaces those rows of the existing results file
and keeps the others (every row records the date it ran).

Not a test.  It takes several minutes (about 10 s of CPU per GloVe epoch on the ~3.5M-token
Debian corpus).
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

RESULTS = Path(__file__).resolve().parent / "results" / "glove.json"


def evaluate(wv) -> dict:
    from dlbook.data.corpora import gensim_test_file

    out = {}
    for name, fname in (("ws353", "wordsim353.tsv"), ("simlex", "simlex999.txt")):
        _, spearman, oov = wv.evaluate_word_pairs(gensim_test_file(fname))
        out[name] = spearman[0]
        out[name + "_oov_pct"] = oov
    acc, sections = wv.evaluate_word_analogies(gensim_test_file("questions-words.txt"))
    out["analogy"] = acc
    out["analogy_oov_pct"] = sections[-1]["oov_ratio"]
    return out


def timed(fn):
    c0, w0 = time.process_time(), time.perf_counter()
    result = fn()
    return result, time.process_time() - c0, time.perf_counter() - w0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="auto")
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--w2v-epochs", type=int, default=5)
    ap.add_argument("--torch-epochs", type=int, default=5,
                    help="epochs of the torch run (fewer than NumPy's to save time; compare "
                         "per-epoch throughput)")
    ap.add_argument("--x-max", type=float, nargs="+", default=[100.0, 10.0],
                    help="one NumPy run per value: 100 is the paper's, 10 Stanford's demo value "
                         "for small corpora")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--only", nargs="+", choices=["numpy", "torch", "word2vec", "random"],
                    default=["numpy", "torch", "word2vec", "random"], help="parts to run")
    ap.add_argument("--merge", action="store_true",
                    help="replace only the rows run now in the existing results file")
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args()

    import gensim
    import scipy
    import torch

    from dlbook.data.corpora import load_corpus
    from dlbook.nlp import glove, glove_torch
    from dlbook.nlp.cooccurrence import corpus_cooccurrence
    from dlbook.nlp.keyed_vectors import KeyedVectors

    torch.set_num_threads(2)
    corpus = load_corpus(args.corpus)
    print(f"corpus: {corpus.name} ({corpus.n_tokens:,} tokens): {corpus.description}")

    (words, X), c_cpu, c_wall = timed(lambda: corpus_cooccurrence(corpus.sentences, 5, 10))
    print(f"vocabulary {len(words):,} words, {X.nnz:,} non-zero co-occurrences "
          f"({c_cpu:.1f} s CPU)")
    hp = dict(vector_size=100, x_max=100, alpha=0.75, epochs=args.epochs, learning_rate=0.05,
              seed=0)
    rows = []

    def now():
        return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")

    def glove_row(name, model, cpu, wall, epochs):
        W, Wc = model.params["W"], model.params["W_context"]
        row = {"model": name, "date": now(), "cpu_s": cpu, "wall_s": wall, "epochs": epochs,
               "entries_per_cpu_s": X.nnz * epochs / cpu,
               "loss_history": model.loss_history, **evaluate(model.wv)}
        row["ws353_W_only"] = evaluate(KeyedVectors(words, W))["ws353"]
        row["ws353_context_only"] = evaluate(KeyedVectors(words, Wc))["ws353"]
        rows.append(row)
        print(f"{name}: {cpu:.0f} s CPU, final cost {model.loss_history[-1]:.4f}, "
              f"WS353 {row['ws353']:.3f}")

    for x_max in args.x_max if "numpy" in args.only else []:
        hp_x = {**hp, "x_max": x_max}
        m, cpu, wall = timed(lambda: glove.GloVe(None, cooccurrence=(words, X), **hp_x))
        glove_row(f"GloVe (NumPy, x_max={x_max:g})", m, cpu, wall, args.epochs)
    if not args.no_torch and "torch" in args.only:
        hp_t = {**hp, "epochs": args.torch_epochs}
        m, cpu, wall = timed(lambda: glove_torch.GloVe(None, cooccurrence=(words, X),
                                                       device="cpu", **hp_t))
        glove_row("GloVe (torch, CPU, float32, x_max=100)", m, cpu, wall, args.torch_epochs)

    if "word2vec" in args.only:
        from gensim.models import Word2Vec as GensimW2V

        g, cpu, wall = timed(lambda: GensimW2V(corpus.sentences, vector_size=100, window=5,
                                               min_count=5, sg=1, negative=5,
                                               epochs=args.w2v_epochs, workers=1, seed=0))
        wv = KeyedVectors(list(g.wv.index_to_key), g.wv.vectors)
        rows.append({"model": "Word2Vec (gensim, skip-gram, 1 worker)", "date": now(),
                     "cpu_s": cpu, "wall_s": wall, "epochs": args.w2v_epochs, **evaluate(wv)})

    # the baseline: random vectors on the same vocabulary (word pairs only; the analogy
    # accuracy of random vectors is 0 to three decimals and costs minutes per draw)
    from dlbook.data.corpora import gensim_test_file

    n_draws = 100
    random_row = {"model": f"random vectors (mean of {n_draws} draws)", "date": now(),
                  "cpu_s": 0.0, "wall_s": 0.0, "epochs": 0, "analogy": None}
    for key, fname in (("ws353", "wordsim353.tsv"), ("simlex", "simlex999.txt")):
        if "random" not in args.only:
            break
        values = np.array([KeyedVectors(words, np.random.default_rng(seed).normal(
            size=(len(words), 100))).evaluate_word_pairs(gensim_test_file(fname))[1][0]
            for seed in range(n_draws)])
        random_row[key], random_row[key + "_sd"] = float(values.mean()), float(values.std())
    if "random" in args.only:
        rows.append(random_row)
    if args.merge:
        old = json.loads(RESULTS.read_text(encoding="utf-8"))["rows"]
        new = {r["model"]: r for r in rows}
        rows = [new.pop(r["model"], r) for r in old] + list(new.values())

    print(f"\n{'model':<42}{'epochs':>7}{'CPU s':>8}{'WS353':>8}{'SimLex':>8}"
          f"{'analogy':>9}")
    for r in rows:
        analogy = "-" if r["analogy"] is None else f"{r['analogy']:.3f}"
        print(f"{r['model']:<42}{r['epochs']:>7}{r['cpu_s']:>8.0f}{r['ws353']:>8.3f}"
              f"{r['simlex']:>8.3f}{analogy:>9}")
    print(f"OOV: WS353 {rows[0]['ws353_oov_pct']:.1f} %, SimLex {rows[0]['simlex_oov_pct']:.1f}"
          f" %, analogy {rows[0]['analogy_oov_pct']:.1f} % of questions")
    dates = sorted(r["date"] for r in rows if "date" in r)

    if not args.no_save:
        record = {
            "benchmark": "benchmarks/glove.py",
            "corpus": corpus.name,
            "corpus_description": corpus.description,
            "n_tokens": corpus.n_tokens,
            "vocab_size": len(words),
            "nnz": int(X.nnz),
            "cooccurrence_cpu_s": c_cpu,
            "settings": {**hp, "x_max": args.x_max, "torch_epochs": args.torch_epochs,
                         "window": 10, "min_count": 5, "batch_size": 32768,
                         "adagrad": "per entry, as glove.c (dlbook.nlp.glove.adagrad_entries); "
                                    "errors computed per batch of 32768 entries",
                         "w2v": "sg=1, negative=5, window=5, vector_size=100, min_count=5, "
                                f"epochs={args.w2v_epochs}, workers=1"},
            "rows": rows,
            "machine": {
                "cpu_count": os.cpu_count(),
                "platform": platform.platform(),
                "processor": platform.processor(),
                "python": platform.python_version(),
                "numpy": np.__version__,
                "scipy": scipy.__version__,
                "torch": torch.__version__,
                "gensim": gensim.__version__,
                "torch_threads": torch.get_num_threads(),
            },
            "date": dates[-1] if dates else now(),
            "first_date": dates[0] if dates else now(),
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
