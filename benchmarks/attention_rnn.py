"""Spanish→English translation with GRU encoder–decoders: attention against none, recorded.

Trains three models of :mod:`dlbook.nlp.attention_seq2seq_torch` on the verse task
(:func:`dlbook.data.verse_pairs.verse_task`, 6,914 training pairs) with the protocol that Part 4's
transformer follows too: vocabularies of the training words seen at least twice plus
``<pad> <bos> <eos> <unk>``; BLEU (:func:`dlbook.nlp.bleu.corpus_bleu`, checked against
sacrebleu with ``tokenize="none"``) of the 259 test verses, greedy and beam width 5
(:func:`dlbook.nlp.beam_search.beam_search`, default alpha), at most 40 output words; training
time on this CPU with 2 threads.  The best attention model (by beam BLEU) is recorded as
``"attention"``, the model without attention as ``"no_attention"``, the other attention model
under its own name.  Example translations and attention maps of test verses are kept for the
chapter (``ch-attention``), which reads benchmarks/results/attention_rnn.json.

    .venv/bin/python benchmarks/attention_rnn.py [--epochs 6] [--threads 2]

The three models can also be trained in separate processes (``--models additive --out
part.json``) and their results combined with ``--merge part1.json part2.json``.

Not a test.
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

RESULTS = Path(__file__).resolve().parent / "results" / "attention_rnn.json"
EXAMPLES = 6          # test verses whose translations are kept
MAPS = 3              # of which this many keep their attention map


def bleu_pair(hyps, refs):
    """Our corpus BLEU and sacrebleu's on the same tokens (both in [0, 1])."""
    import sacrebleu

    from dlbook.nlp.bleu import corpus_bleu

    ours = corpus_bleu(hyps, [[r] for r in refs])
    theirs = sacrebleu.corpus_bleu([" ".join(h) for h in hyps], [[" ".join(r) for r in refs]],
                                   tokenize="none", smooth_method="none", force=True).score / 100
    return ours, theirs


def run_model(kind, args, data):
    import torch

    from dlbook.nlp import attention_seq2seq_torch as S

    src, tgt, test_src, test_ref, valid_src, valid_ref, sv, tv = data
    torch.manual_seed(args.seed)
    model = S.AttentionSeq2Seq(len(sv), len(tv), emb=args.emb, hidden=args.hidden,
                               attention=kind, dropout=args.dropout)
    t0 = time.perf_counter()
    losses = S.train_translator(model, src, tgt, epochs=args.epochs, batch_size=args.batch_size,
                                lr=args.lr, seed=args.seed)
    train_s = time.perf_counter() - t0
    words = lambda outs: [tv.decode(o) for o in outs]                  # noqa: E731
    t0 = time.perf_counter()
    greedy = words(S.translate(model, test_src, max_len=40))
    greedy_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    beam = words(S.translate(model, test_src, beam_width=5, max_len=40))
    beam_s = time.perf_counter() - t0
    g, g_sacre = bleu_pair(greedy, test_ref)
    b, b_sacre = bleu_pair(beam, test_ref)
    v, _ = bleu_pair(words(S.translate(model, valid_src, max_len=40)), valid_ref)
    record = {"kind": kind, "params": sum(p.numel() for p in model.parameters()),
              "epochs": args.epochs, "train_seconds": round(train_s, 1),
              "train_loss": [round(x, 4) for x in losses],
              "bleu_test_greedy": g, "bleu_test_beam5": b, "bleu_valid_greedy": v,
              "sacrebleu_test_greedy": g_sacre, "sacrebleu_test_beam5": b_sacre,
              "decode_seconds_greedy": round(greedy_s, 1), "decode_seconds_beam5": round(beam_s, 1),
              "examples": [{"index": i, "greedy": greedy[i], "beam5": beam[i]}
                           for i in range(EXAMPLES)]}
    if kind != "none":
        record["attention_maps"] = [
            np.round(S.attention_map(model, test_src[i], tv.encode(beam[i])), 4).tolist()
            for i in range(MAPS)]
    print(f"{kind:15s} params {record['params']:,}  train {train_s:6.1f} s  loss "
          f"{losses[-1]:.3f}  BLEU greedy {g:.4f} (sacrebleu {g_sacre:.4f})  beam5 {b:.4f} "
          f"(sacrebleu {b_sacre:.4f})", flush=True)
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--emb", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--models", default="none,multiplicative,additive")
    parser.add_argument("--smoke", action="store_true",
                        help="a quick run on 200 training and 10 test pairs (implies --no-save)")
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--merge", nargs="+", type=Path, default=None,
                        help="combine the results of runs of single models into --out")
    args = parser.parse_args()
    if args.merge:
        merge(args.merge, args.out)
        return

    import sacrebleu
    import torch

    from dlbook.data.verse_pairs import verse_task
    from dlbook.nlp import attention_seq2seq_torch as S

    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    train, valid, test = verse_task("train"), verse_task("valid"), verse_task("test")
    if args.smoke:
        train, valid, test, args.no_save = train[:200], valid[:5], test[:10], True
    sv, tv = S.build_vocabularies(train)
    src, tgt = S.encode_pairs(train, sv, tv)
    test_src = [sv.encode(s) for s, _ in test]
    valid_src = [sv.encode(s) for s, _ in valid]
    data = (src, tgt, test_src, [t for _, t in test], valid_src, [t for _, t in valid], sv, tv)
    print(f"{len(train)} / {len(valid)} / {len(test)} pairs; vocabularies {len(sv)} Spanish, "
          f"{len(tv)} English; {args.threads} threads", flush=True)
    records = {kind: run_model(kind, args, data) for kind in args.models.split(",")}
    result = {
        "benchmark": "benchmarks/attention_rnn.py",
        "task": {"train": len(train), "valid": len(valid), "test": len(test),
                 "src_vocab": len(sv), "tgt_vocab": len(tv), "min_count": 2, "max_len": 40,
                 "beam_width": 5},
        "settings": {k: getattr(args, k) for k in ("emb", "hidden", "batch_size", "lr",
                                                    "dropout", "seed")},
        "test_examples": [{"index": i, "spanish": test[i][0], "english": test[i][1]}
                          for i in range(EXAMPLES)],
        "records": records,
        "models": name_models(records),
        "threads": args.threads,
        "wall_seconds": round(time.perf_counter() - started, 1),
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                    "processor": platform.processor() or platform.machine()},
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "torch": torch.__version__, "sacrebleu": sacrebleu.__version__},
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    if not args.no_save:
        write(result, args.out)


def name_models(records):
    """``no_attention``, the best attention model (by beam BLEU) as ``attention``, the rest as
    ``attention_<kind>``."""
    records = dict(records)
    models = {"no_attention": records.pop("none")} if "none" in records else {}
    if records:
        best = max(records, key=lambda k: records[k]["bleu_test_beam5"])
        models["attention"] = records.pop(best)
        models.update({f"attention_{k}": r for k, r in records.items()})
    return models


def write(result, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path} ({result['wall_seconds']} s)")


def merge(paths, out):
    """One result from runs of single models (same task and settings, run side by side)."""
    parts = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    result = dict(parts[0])
    for key in ("task", "settings", "threads"):
        if any(p[key] != result[key] for p in parts):
            raise SystemExit(f"cannot merge runs with different {key}")
    result["records"] = {k: r for p in parts for k, r in p["records"].items()}
    result["models"] = name_models(result["records"])
    result["wall_seconds"] = max(p["wall_seconds"] for p in parts)
    result["processes"] = len(parts)
    write(result, out)


if __name__ == "__main__":
    main()
