"""Perplexity of an n-gram model (interpolated Kneser-Ney), an LSTM and a GPT on the same
held-out text, English (BPE, 1,000 tokens) and Chinese (characters): the longer run behind
chapter 4.4, which trains smaller versions live.

Every model predicts the same tokens (each held-out sentence's tokens and its end marker;
``dlbook.transformer.examples.lm_data``). The neural models train on random windows of 128
tokens, batch 32, AdamW with warm-up and cosine decay, one thread.

    .venv/bin/python benchmarks/lm_compare.py --lang english [--steps 1500]
    .venv/bin/python benchmarks/lm_compare.py --lang chinese [--steps 1500]

Writes benchmarks/results/lm_compare_<lang>.json. Not a test.
"""

from __future__ import annotations

import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", choices=["english", "chinese"], required=True)
    parser.add_argument("--steps", type=int, default=1500)
    args = parser.parse_args()
    import math
    import time

    import torch
    from part4_record import write

    from dlbook.transformer.examples.lm_data import (
        chinese_lm_data,
        english_lm_data,
        ngram_perplexity,
    )
    from dlbook.transformer.gpt_torch import GPT
    from dlbook.transformer.language_model_torch import (
        LSTMLanguageModel,
        evaluate_nll,
        train_language_model,
    )

    torch.set_num_threads(1)
    data = (english_lm_data(40_000, 2_000, 1000) if args.lang == "english"
            else chinese_lm_data(5_000, 400))
    train, test = data.stream("train"), data.stream("test")
    chars = data.test_characters
    rows = []
    for order in (2, 3, 4):
        start = time.process_time()
        ppl = ngram_perplexity(data, order)
        rows.append({"model": f"{order}-gram Kneser-Ney", "params": None,
                     "test_perplexity": ppl,
                     "bits_per_character": math.log2(ppl) * data.predicted_tokens() / chars,
                     "cpu_seconds": time.process_time() - start})
        print(rows[-1], flush=True)
    block, batch = 128, 32
    makers = {"LSTM (2 x 256)": lambda: LSTMLanguageModel(data.vocab_size, 128, 256, 2, 0.1),
              "GPT (4 x 128)": lambda: GPT(data.vocab_size, block, 4, 4, 128, dropout=0.1)}
    for name, make in makers.items():
        torch.manual_seed(0)
        model = make()
        log = train_language_model(model, train, args.steps, block, batch, lr=2e-3,
                                   weight_decay=0.01, warmup=100)
        nll = evaluate_nll(model, test, block)
        rows.append({"model": name, "params": sum(p.numel() for p in model.parameters()),
                     "steps": args.steps, "tokens_seen": log.tokens_seen,
                     "test_perplexity": math.exp(nll),
                     "bits_per_character": nll / math.log(2) * data.predicted_tokens() / chars,
                     "cpu_seconds": log.cpu_seconds,
                     "train_loss_every_100": log.losses[99::100]})
        print({k: v for k, v in rows[-1].items() if k != "train_loss_every_100"}, flush=True)
    print("wrote", write(f"lm_compare_{args.lang}", {
        "threads": 1, "language": args.lang, "vocab_size": data.vocab_size,
        "train_tokens": data.predicted_tokens("train"),
        "test_tokens": data.predicted_tokens("test"), "test_characters": chars,
        "training": {"block_size": block, "batch": batch, "lr": 2e-3, "warmup": 100,
                     "weight_decay": 0.01, "schedule": "linear warm-up, cosine to 10 %"},
        "models": rows}))


if __name__ == "__main__":
    main()
