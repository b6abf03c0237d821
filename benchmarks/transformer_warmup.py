"""Post-LN against pre-LN, with and without the warm-up of the original transformer, on the
verse task (chapter 4.2): four runs of the same encoder-decoder (width 128, 4 + 4 layers),
Adam with the paper's betas, label smoothing 0.1, batch 64, for a few epochs; the validation
loss after every epoch. "Warm-up" is the Noam schedule (400 warm-up steps); "no warm-up" starts
at the schedule's peak learning rate and keeps it. One thread.

    .venv/bin/python benchmarks/transformer_warmup.py [--epochs 4]

Writes benchmarks/results/transformer_warmup.json. Not a test.
"""

from __future__ import annotations

import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--lr-scale", type=float, default=1.0)
    args = parser.parse_args()
    import torch
    from part4_record import write

    from dlbook.data.verse_pairs import verse_task
    from dlbook.transformer.transformer_torch import Seq2SeqTransformer, noam_rate
    from dlbook.transformer.translation_torch import (
        build_vocabularies,
        encode_pairs,
        train_translation,
    )

    torch.set_num_threads(1)
    train, valid = verse_task("train"), verse_task("valid")
    sv, tv = build_vocabularies(train)
    src, tgt = encode_pairs(train, sv, tv)
    valid_ids = encode_pairs(valid, sv, tv)
    warmup, d = 400, 128
    peak = args.lr_scale * noam_rate(warmup, d, warmup)
    runs = []
    for norm_first in (False, True):
        for schedule in ("noam", "constant"):
            torch.manual_seed(0)
            model = Seq2SeqTransformer(len(sv), len(tv), d_model=d, nhead=4,
                                       num_encoder_layers=args.layers,
                                       num_decoder_layers=args.layers, dim_feedforward=256,
                                       dropout=0.1, norm_first=norm_first)
            h = train_translation(model, src, tgt, args.epochs, batch_size=64, warmup=warmup,
                                  lr_scale=args.lr_scale, valid=valid_ids, schedule=schedule,
                                  constant_lr=peak)
            runs.append({"norm": "pre-LN" if norm_first else "post-LN",
                         "schedule": "warm-up" if schedule == "noam" else "no warm-up",
                         "train_loss": h.train_loss, "valid_loss": h.valid_loss,
                         "lr_first_steps": h.lr[:5], "cpu_seconds": h.seconds})
            print(runs[-1]["norm"], runs[-1]["schedule"], [round(v, 3) for v in h.valid_loss],
                  flush=True)
    print("wrote", write("transformer_warmup", {
        "threads": 1, "layers": args.layers, "d_model": d, "warmup_steps": warmup,
        "peak_lr": peak, "epochs": args.epochs, "steps_per_epoch": -(-len(src) // 64),
        "runs": runs}))


if __name__ == "__main__":
    main()
