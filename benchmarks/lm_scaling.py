"""A ladder of tiny GPTs on the English corpus (BPE, 1,000 tokens): held-out loss against model
size and against training compute, for chapter 4.4's power-law fits.

Every model has 2 layers and width 16 ... 192 (heads of width 16), context 64, and is trained
on the same stream of random windows (batch 16) for the same number of steps, with a learning
rate that warms up, decays by a cosine and is smaller for wider models; its held-out loss is
measured every ``--eval-every`` steps. Compute is counted as 6 N D (N all parameters, D
training tokens). One thread.

    .venv/bin/python benchmarks/lm_scaling.py [--steps 1200]

Writes benchmarks/results/lm_scaling.json. Not a test.
"""

from __future__ import annotations

import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1200)
    parser.add_argument("--eval-every", type=int, default=100)
    parser.add_argument("--widths", default="16,24,32,48,64,96,128,192")
    args = parser.parse_args()
    import math
    import time

    import torch
    from part4_record import write

    from dlbook.transformer.examples.lm_data import english_lm_data
    from dlbook.transformer.gpt_torch import GPT
    from dlbook.transformer.language_model_torch import evaluate_nll, get_batch

    torch.set_num_threads(1)
    data = english_lm_data(n_train=40_000, n_test=2_000, vocab_size=1000, seed=0)
    train, test = data.stream("train"), data.stream("test")
    block, batch = 64, 16
    rows = []
    for width in [int(w) for w in args.widths.split(",")]:
        torch.manual_seed(0)
        model = GPT(data.vocab_size, block, 2, max(1, width // 16), width)
        n_params = model.num_params()
        n_embedding = model.tok_emb.weight.numel() + model.pos_emb.weight.numel()
        peak = min(3e-3, 3e-3 * math.sqrt(48 / width))
        opt = torch.optim.AdamW(model.parameters(), lr=peak)
        gen = torch.Generator().manual_seed(0)
        curve, start = [], time.process_time()
        for step in range(1, args.steps + 1):
            warm = min(1.0, step / 50)
            cosine = 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / args.steps))
            for g in opt.param_groups:
                g["lr"] = peak * warm * cosine
            model.train()
            x, y = get_batch(train, block, batch, gen)
            loss = torch.nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten())
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            if step % args.eval_every == 0:
                nll = evaluate_nll(model, test, block)
                tokens = step * batch * block
                curve.append({"step": step, "tokens": tokens, "test_nll": nll,
                              "compute_flops": 6 * n_params * tokens})
        rows.append({"width": width, "n_layer": 2, "params": n_params,
                     "non_embedding_params": n_params - n_embedding,
                     "final_test_nll": curve[-1]["test_nll"],
                     "final_test_perplexity": math.exp(curve[-1]["test_nll"]),
                     "cpu_seconds": time.process_time() - start, "curve": curve})
        print(width, n_params, round(curve[-1]["test_nll"], 4), flush=True)
    print("wrote", write("lm_scaling", {
        "threads": 1, "data": {"corpus": "Part 3 English corpus, random sentences",
                               "tokenizer": "dlbook BPE, 1,000 tokens + end token",
                               "train_tokens": data.predicted_tokens("train"),
                               "test_tokens": data.predicted_tokens("test")},
        "training": {"steps": args.steps, "batch": batch, "block_size": block,
                     "optimizer": "AdamW, peak lr min(3e-3, 3e-3 sqrt(48 / width)), "
                                  "50 warm-up steps, cosine decay to 10 %"},
        "models": rows}))


if __name__ == "__main__":
    main()
