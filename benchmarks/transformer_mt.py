"""The encoder-decoder transformer on the Spanish->English verse task, with the protocol the
attention RNN of chapter 3.11 uses (benchmarks/results/attention_rnn.json), so chapter 4.2 can
put the two side by side:

- data: ``dlbook.data.verse_pairs.verse_task`` (6,914 / 40 / 259 pairs, whole books held out);
- vocabularies from the training tokens, min_count 2 per language, plus <unk>, <pad>, <bos>,
  <eos> (``dlbook.transformer.translation_torch.build_vocabularies``);
- BLEU: ``dlbook.nlp.bleu.corpus_bleu`` of the test outputs against the test split's English
  tokens, greedy and beam width 5 (``dlbook.nlp.beam_search.beam_search``, default alpha),
  at most 40 output tokens;
- training time in seconds with 2 torch threads (wall clock; the CPU seconds of the process are
  recorded too, and the load average, since the cores may be shared).

    .venv/bin/python benchmarks/transformer_mt.py [--epochs 30] [--threads 2]

Writes benchmarks/results/transformer_mt.json. Not a test.
"""

from __future__ import annotations

import argparse
import os
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--d-model", type=int, default=128)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--ff", type=int, default=256)
    parser.add_argument("--warmup", type=int, default=400)
    parser.add_argument("--lr-scale", type=float, default=0.5)
    parser.add_argument("--name", default="transformer_mt")
    parser.add_argument("--smoke", action="store_true",
                        help="a quick check of the script: 256 training pairs, 20 test pairs")
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import torch

    torch.set_num_threads(args.threads)
    from part4_record import write

    from dlbook.data.verse_pairs import verse_task
    from dlbook.nlp.bleu import corpus_bleu
    from dlbook.transformer.transformer_torch import Seq2SeqTransformer
    from dlbook.transformer.translation_torch import (
        BOS,
        MAX_OUTPUT_TOKENS,
        beam_translate,
        build_vocabularies,
        encode_pairs,
        greedy_translate,
        ids_to_words,
        train_translation,
    )
    from dlbook.utils import get_device

    device = get_device()
    train, valid, test = verse_task("train"), verse_task("valid"), verse_task("test")
    if args.smoke:
        train, test = train[:256], test[:60]
    src_vocab, tgt_vocab = build_vocabularies(train)
    train_src, train_tgt = encode_pairs(train, src_vocab, tgt_vocab)
    valid_src, valid_tgt = encode_pairs(valid, src_vocab, tgt_vocab)
    test_src, _ = encode_pairs(test, src_vocab, tgt_vocab)
    refs = [[e] for _, e in test]
    config = dict(d_model=args.d_model, nhead=4, num_encoder_layers=args.layers,
                  num_decoder_layers=args.layers, dim_feedforward=args.ff, dropout=0.1,
                  norm_first=True)
    torch.manual_seed(0)
    model = Seq2SeqTransformer(len(src_vocab), len(tgt_vocab), **config).to(device)
    params = sum(p.numel() for p in model.parameters())
    print(f"{params:,} parameters; vocabularies {len(src_vocab)} / {len(tgt_vocab)}; "
          f"device {device}; {args.threads} threads", flush=True)
    wall = time.perf_counter()
    history = train_translation(model, train_src, train_tgt, args.epochs, batch_size=64,
                                warmup=args.warmup, lr_scale=args.lr_scale,
                                label_smoothing=0.1, valid=(valid_src, valid_tgt), seed=0,
                                device=device)
    train_seconds = time.perf_counter() - wall
    print(f"trained {args.epochs} epochs in {train_seconds:.0f} s; valid loss "
          f"{history.valid_loss[-1]:.3f}", flush=True)
    wall = time.perf_counter()
    greedy = greedy_translate(model, test_src, max_len=MAX_OUTPUT_TOKENS, device=device)
    greedy_seconds = time.perf_counter() - wall
    wall = time.perf_counter()
    beam = beam_translate(model, test_src, beam_width=5, max_len=MAX_OUTPUT_TOKENS,
                          device=device)
    beam_seconds = time.perf_counter() - wall
    greedy_words = [ids_to_words(o, tgt_vocab) for o in greedy]
    beam_words = [ids_to_words(o, tgt_vocab) for o in beam]
    bleu_greedy, bleu_beam = corpus_bleu(greedy_words, refs), corpus_bleu(beam_words, refs)
    print(f"test BLEU greedy {bleu_greedy:.4f}, beam 5 {bleu_beam:.4f}", flush=True)
    samples = [{"spanish": " ".join(s), "reference": " ".join(e),
                "greedy": " ".join(g), "beam5": " ".join(b)}
               for (s, e), g, b in list(zip(test, greedy_words, beam_words))[:8]]
    # cross-attention of the last decoder layer (mean over heads) while reading the greedy
    # output, for a few short test verses: the chapter draws them
    maps = []
    for i in sorted(range(len(test)), key=lambda i: len(test[i][0]))[40:46]:
        src = torch.tensor([test_src[i]], device=device)
        out = torch.tensor([[BOS] + greedy[i]], device=device)
        with torch.no_grad():
            _, weights = model.decode(out, model.encode(src), src, need_weights=True)
        maps.append({"source": [src_vocab.index_to_token[t] for t in test_src[i]],
                     "output": greedy_words[i],
                     "weights": weights[-1][0].mean(0)[:len(greedy[i])].round(decimals=3)
                     .tolist()})
    path = write(args.name, {
        "threads": args.threads,
        "task": {"train_pairs": len(train), "valid_pairs": len(valid), "test_pairs": len(test),
                 "src_vocab": len(src_vocab), "tgt_vocab": len(tgt_vocab),
                 "max_output_tokens": MAX_OUTPUT_TOKENS, "beam_width": 5,
                 "beam_alpha": 0.7, "bleu": "dlbook.nlp.bleu.corpus_bleu, in [0, 1]"},
        "models": {"transformer": {
            "params": params, "epochs": args.epochs, "config": config,
            "optimizer": {"name": "Adam", "betas": [0.9, 0.98], "eps": 1e-9,
                          "schedule": "noam", "warmup": args.warmup,
                          "lr_scale": args.lr_scale, "batch_size": 64,
                          "label_smoothing": 0.1},
            "train_seconds": train_seconds, "train_cpu_seconds": history.seconds,
            "bleu_test_greedy": bleu_greedy, "bleu_test_beam5": bleu_beam,
            "greedy_decode_seconds": greedy_seconds, "beam5_decode_seconds": beam_seconds,
            "train_loss": history.train_loss, "valid_loss": history.valid_loss,
            "samples": samples, "cross_attention": maps}}})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
