"""Corpus BLEU on 10,000 sentence pairs: dlbook.nlp.bleu against nltk and sacrebleu.

The pairs are realistic in length and overlap: references are sentences of the Lee news corpus
that gensim ships (lee_background.cor, split at full stops, 4 to 60 tokens), cycled to the
requested count; each hypothesis is its reference with about 25 % of the tokens substituted,
dropped or duplicated (seeded). All three scorers get the same pre-tokenized text
(sacrebleu with ``tokenize="none", smooth_method="none", force=True``); the script checks that
the three scores agree and prints a side-by-side table of times. Results (with the machine) go to
benchmarks/results/bleu.json, which chapter 3.10 (``ch-bleu``) reads.

    .venv/bin/python benchmarks/bleu.py [--pairs 10000] [--repeats 3]

Not a test.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results" / "bleu.json"


def lee_sentences():
    from gensim.test.utils import datapath

    text = Path(datapath("lee_background.cor")).read_text(encoding="utf-8", errors="replace")
    sents = []
    for chunk in text.replace("\n", " ").split(". "):
        toks = chunk.lower().split()
        if 4 <= len(toks) <= 60:
            sents.append(toks)
    return sents


def make_pairs(n_pairs, seed=0):
    """Hypotheses made from references by random substitution, deletion and duplication."""
    rng = np.random.default_rng(seed)
    sents = lee_sentences()
    vocab = sorted({w for s in sents for w in s})
    hyps, refs = [], []
    for i in range(n_pairs):
        ref = sents[i % len(sents)]
        out = []
        for w in ref:
            u = rng.random()
            if u < 0.10:
                out.append(vocab[rng.integers(len(vocab))])   # substitution
            elif u < 0.18:
                continue                                      # deletion
            elif u < 0.25:
                out.extend([w, w])                            # duplication
            else:
                out.append(w)
        while len(out) < 4:                                   # keep nltk's quirk out of it
            out.append(ref[len(out) % len(ref)])
        hyps.append(out)
        refs.append([ref])
    return hyps, refs


def best_time(fn, repeats):
    times, value = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return min(times), value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()

    import nltk
    import sacrebleu
    from nltk.translate.bleu_score import corpus_bleu as nltk_corpus_bleu

    from dlbook.nlp.bleu import corpus_bleu

    hyps, refs = make_pairs(args.pairs)
    hyp_str = [" ".join(h) for h in hyps]
    ref_str = [[" ".join(r[0]) for r in refs]]

    def run_nltk():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return nltk_corpus_bleu(refs, hyps)

    def run_sacre():
        return sacrebleu.corpus_bleu(hyp_str, ref_str, tokenize="none", smooth_method="none",
                                     force=True).score / 100

    rows = []
    for name, fn in [("dlbook.nlp.bleu", lambda: corpus_bleu(hyps, refs)),
                     (f"nltk {nltk.__version__}", run_nltk),
                     (f"sacrebleu {sacrebleu.__version__}", run_sacre)]:
        seconds, score = best_time(fn, args.repeats)
        rows.append({"scorer": name, "seconds": seconds, "bleu": score})

    ours = rows[0]["seconds"]
    print(f"corpus BLEU of {args.pairs} sentence pairs "
          f"(mean hypothesis length {np.mean([len(h) for h in hyps]):.1f} tokens), "
          f"best of {args.repeats}")
    print(f"{'scorer':<22}{'seconds':>10}{'vs dlbook':>11}{'BLEU':>20}")
    for r in rows:
        print(f"{r['scorer']:<22}{r['seconds']:>10.3f}{r['seconds'] / ours:>10.2f}x"
              f"{r['bleu']:>20.15f}")
    spread = max(r["bleu"] for r in rows) - min(r["bleu"] for r in rows)
    print(f"largest difference between the three scores: {spread:.1e}")
    if spread > 1e-12:
        raise SystemExit("the scorers disagree: not saving")

    if not args.no_save:
        record = {
            "benchmark": "benchmarks/bleu.py",
            "pairs": args.pairs,
            "repeats": args.repeats,
            "mean_hyp_len": float(np.mean([len(h) for h in hyps])),
            "rows": rows,
            "max_score_difference": spread,
            "machine": {
                "cpu_count": os.cpu_count(),
                "platform": platform.platform(),
                "processor": platform.processor(),
                "python": platform.python_version(),
                "numpy": np.__version__,
                "nltk": nltk.__version__,
                "sacrebleu": sacrebleu.__version__,
            },
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
