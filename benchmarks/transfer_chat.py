"""Pre-training, transfer and chat, the longer run behind chapter 4.5: a GPT pre-trained on the
English corpus, then (1) fine-tuned to tell which book a sentence comes from, against the same
network trained from scratch, at several numbers of labels; (2) LoRA against full fine-tuning;
(3) instruction-tuned (SFT) on the chapter's instruction set; (4) DPO and DPO with an NLL term
on preference pairs. One thread.

    .venv/bin/python benchmarks/transfer_chat.py [--pretrain-steps 2000]

Writes benchmarks/results/transfer_chat.json. Not a test.
"""

from __future__ import annotations

import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pretrain-steps", type=int, default=2000)
    parser.add_argument("--width", type=int, default=128)
    parser.add_argument("--layers", type=int, default=2)
    args = parser.parse_args()
    import copy
    import math
    import time

    import torch
    from part4_record import write

    from dlbook.transformer.dpo_torch import preference_margins, train_dpo
    from dlbook.transformer.examples.instructions import (
        encode_examples,
        instruction_examples,
        task_accuracy,
        train_sft,
    )
    from dlbook.transformer.examples.lm_data import (
        english_lm_data,
        english_sentences,
        shuffled_indices,
    )
    from dlbook.transformer.examples.transfer_task import (
        GPTClassifier,
        classifier_accuracy,
        encode_texts,
        source_task,
        train_classifier,
    )
    from dlbook.transformer.gpt_torch import GPT
    from dlbook.transformer.language_model_torch import evaluate_nll, train_language_model
    from dlbook.transformer.lora_torch import add_lora, count_parameters

    torch.set_num_threads(1)
    record = {"threads": 1}
    en = english_lm_data(40_000, 2_000, 1000)

    def fresh(seed=0):
        torch.manual_seed(seed)
        return GPT(en.vocab_size, 64, args.layers, args.width // 32, args.width)

    base = fresh()
    log = train_language_model(base, en.stream("train"), args.pretrain_steps, 64, 32,
                               lr=2e-3, warmup=100)
    record["pretraining"] = {"params": base.num_params(), "steps": args.pretrain_steps,
                             "tokens_seen": log.tokens_seen, "cpu_seconds": log.cpu_seconds,
                             "test_perplexity": math.exp(evaluate_nll(base, en.stream("test"),
                                                                      64))}
    print(record["pretraining"], flush=True)
    # (1) transfer
    counts = [4, 16, 64, 256, 1024]
    task = source_task(max(counts), 250, skip=42_000)
    tr_idx, tr_len = encode_texts(task.train_texts, en.encode, en.eos, 48)
    te_idx, te_len = encode_texts(task.test_texts, en.encode, en.eos, 48)
    labels = torch.tensor(task.train_labels)
    transfer = []
    for n in counts:
        rows = torch.cat([torch.nonzero(labels == k)[:n, 0] for k in range(4)])
        row = {"labels_per_class": n}
        for name in ("pretrained", "scratch"):
            body = copy.deepcopy(base) if name == "pretrained" else fresh(1)
            torch.manual_seed(1)
            clf = GPTClassifier(body, 4)
            train_classifier(clf, tr_idx[rows], tr_len[rows], labels[rows], steps=200, lr=1e-3)
            row[name] = classifier_accuracy(clf, te_idx, te_len, task.test_labels)
        transfer.append(row)
        print(row, flush=True)
    record["transfer"] = {"task": "which of 4 sources a sentence comes from",
                          "test_per_class": 250, "steps": 200, "rows": transfer}
    # (2) LoRA against full fine-tuning, 256 labels per class
    rows = torch.cat([torch.nonzero(labels == k)[:256, 0] for k in range(4)])
    lora_rows = []
    for name, r in (("full", None), ("lora r=2", 2), ("lora r=8", 8)):
        torch.manual_seed(1)
        clf = GPTClassifier(copy.deepcopy(base), 4)
        if r is not None:
            clf = add_lora(clf, r=r)
            for p in clf.head.parameters():
                p.requires_grad_(True)
        start = time.process_time()
        train_classifier(clf, tr_idx[rows], tr_len[rows], labels[rows], steps=200,
                         lr=1e-3 if r is None else 3e-3)
        trainable, total = count_parameters(clf)
        lora_rows.append({"method": name, "trainable": trainable, "total": total,
                          "accuracy": classifier_accuracy(clf, te_idx, te_len,
                                                          task.test_labels),
                          "cpu_seconds": time.process_time() - start})
        print(lora_rows[-1], flush=True)
    record["lora"] = lora_rows
    # (3) SFT and (4) DPO
    texts, sources = english_sentences()
    order = shuffled_indices(len(texts), 0)[42_000 + 8 * max(counts):]
    held = [texts[i] for i in order]
    bible = [sources[i] < 2 for i in order]
    train_ex = instruction_examples(held[:60_000], bible[:60_000], 500, seed=0)
    test_ex = instruction_examples(held[60_000:], bible[60_000:], 100, seed=1)
    prompts, chosen = encode_examples(train_ex, en.encode, en.eos)
    _, rejected = encode_examples(train_ex, en.encode, en.eos, key="rejected")
    tp, tc = encode_examples(test_ex, en.encode, en.eos)
    _, trj = encode_examples(test_ex, en.encode, en.eos, key="rejected")

    def accuracy(model):
        return task_accuracy(model, test_ex, en.encode, en.decode, en.eos)

    chat = {"base": accuracy(base)}
    sft = copy.deepcopy(base)
    train_sft(sft, prompts, chosen, steps=1500, lr=2e-3)
    chat["sft"] = accuracy(sft)
    print(chat, flush=True)
    dpo_rows = []
    for name, nll in (("dpo", 0.0), ("dpo+nll", 1.0)):
        policy = copy.deepcopy(sft)
        losses = train_dpo(policy, sft, prompts, chosen, rejected, steps=300, beta=0.5,
                           lr=1e-4, nll_weight=nll)
        margins = preference_margins(policy, sft, tp, tc, trj)
        dpo_rows.append({"method": name, "accuracy": accuracy(policy),
                         "held_out_reward_accuracy": float((margins > 0).float().mean()),
                         "first_loss": losses[0], "last_loss": losses[-1]})
        print(dpo_rows[-1], flush=True)
    record["instructions"] = {"train_per_task": 500, "test_per_task": 100,
                              "sft_steps": 1500, "dpo_steps": 300, "beta": 0.5,
                              "accuracy": chat, "dpo": dpo_rows}
    print("wrote", write("transfer_chat", record))


if __name__ == "__main__":
    main()
