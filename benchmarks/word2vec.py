"""Word2Vec quality and speed: dlbook's NumPy and PyTorch trainers next to gensim (workers=1).

All three train skip-gram with gensim's settings on the English Wikipedia sample that gensim's
wheel ships (``dlbook.data.corpora.wikipedia_sample``, ~453k tokens): 10 epochs, 5 negatives,
100 dimensions, window 5, min_count 5, sample 1e-3, alpha 0.025, seed 0, one thread each
(``OMP_NUM_THREADS=1``, ``torch.set_num_threads(1)``, gensim ``workers=1``). Each model is
evaluated the same way (``KeyedVectors.evaluate_word_pairs`` on WS353 and SimLex-999,
``evaluate_word_analogies`` on questions-words.txt, gensim's semantics). Speed is corpus tokens
times epochs over training time, both per wall-clock second and per CPU second of the process
(the CPU figure is the one to trust on a shared machine). The torch trainer runs on a GPU too
when one is available. Results (with the machine) go to benchmarks/results/word2vec.json, which
chapter 3.6 (``ch-word2vec``) reads.

    .venv/bin/python benchmarks/word2vec.py [--epochs 10] [--skip-gensim]

Not a test.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "word2vec.json"
SETTINGS = dict(vector_size=100, window=5, min_count=5, sg=1, negative=5, sample=1e-3,
                alpha=0.025, seed=0)


def evaluate(wv):
    from dlbook.data.corpora import gensim_test_file
    from dlbook.nlp.keyed_vectors import KeyedVectors

    if not isinstance(wv, KeyedVectors):  # gensim's vectors, scored by the same code
        wv = KeyedVectors(list(wv.index_to_key), np.asarray(wv.vectors))
    _, ws, ws_oov = wv.evaluate_word_pairs(gensim_test_file("wordsim353.tsv"))
    _, sl, sl_oov = wv.evaluate_word_pairs(gensim_test_file("simlex999.txt"))
    acc, sections = wv.evaluate_word_analogies(gensim_test_file("questions-words.txt"))
    return {"ws353_spearman": ws[0], "ws353_oov_percent": ws_oov,
            "simlex_spearman": sl[0], "simlex_oov_percent": sl_oov,
            "analogy_accuracy": acc, "analogy_oov_percent": sections[-1]["oov_ratio"],
            "analogy_answered": len(sections[-1]["correct"]) + len(sections[-1]["incorrect"])}


def run(name, train, n_tokens, epochs):
    print(f"training {name} ...", flush=True)
    wall, cpu = time.perf_counter(), time.process_time()
    wv = train()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    row = {"trainer": name, "wall_s": wall, "cpu_s": cpu,
           "words_per_wall_s": n_tokens * epochs / wall, "words_per_cpu_s": n_tokens * epochs / cpu}
    row.update(evaluate(wv))
    print({k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()}, flush=True)
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--skip-gensim", action="store_true")
    args = ap.parse_args()

    import gensim
    import torch

    from dlbook.data.corpora import wikipedia_sample
    from dlbook.nlp import word2vec, word2vec_torch

    torch.set_num_threads(1)
    sentences = wikipedia_sample()
    n_tokens = sum(len(s) for s in sentences)
    rows = []
    if not args.skip_gensim:
        rows.append(run("gensim (workers=1)", lambda: gensim.models.Word2Vec(
            sentences, workers=1, epochs=args.epochs, **SETTINGS).wv, n_tokens, args.epochs))
    rows.append(run("dlbook NumPy", lambda: word2vec.Word2Vec(
        sentences, epochs=args.epochs, **SETTINGS).wv, n_tokens, args.epochs))
    rows.append(run("dlbook torch (cpu)", lambda: word2vec_torch.Word2Vec(
        sentences, epochs=args.epochs, device="cpu", **SETTINGS).wv, n_tokens, args.epochs))
    if torch.cuda.is_available():
        rows.append(run("dlbook torch (cuda)", lambda: word2vec_torch.Word2Vec(
            sentences, epochs=args.epochs, device="cuda", batch_size=8192, **SETTINGS).wv,
            n_tokens, args.epochs))

    ref = rows[0] if not args.skip_gensim else None
    print(f"\n{'trainer':22s} {'wall s':>8s} {'cpu s':>8s} {'words/cpu-s':>12s} "
          f"{'WS353':>7s} {'SimLex':>7s} {'analogy':>8s}")
    for r in rows:
        if ref is not None:
            r["ws353_minus_gensim"] = r["ws353_spearman"] - ref["ws353_spearman"]
            r["analogy_points_minus_gensim"] = 100 * (r["analogy_accuracy"]
                                                      - ref["analogy_accuracy"])
            r["speed_vs_gensim_cpu"] = r["words_per_cpu_s"] / ref["words_per_cpu_s"]
        print(f"{r['trainer']:22s} {r['wall_s']:8.1f} {r['cpu_s']:8.1f} "
              f"{r['words_per_cpu_s']:12,.0f} {r['ws353_spearman']:7.3f} "
              f"{r['simlex_spearman']:7.3f} {r['analogy_accuracy']:8.2%}")
    result = {
        "benchmark": "word2vec", "corpus": "gensim English Wikipedia sample",
        "corpus_tokens": n_tokens, "epochs": args.epochs, "settings": SETTINGS, "rows": rows,
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version(), "numpy": np.__version__,
                    "torch": torch.__version__, "gensim": gensim.__version__,
                    "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
                    "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None},
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(f"\nwrote {RESULTS}")


if __name__ == "__main__":
    main()
