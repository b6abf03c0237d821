"""Generation with and without the key-value cache: a GPT (4 layers, width 128, 4 heads,
block 512, vocabulary 2,000) extends a 16-token prompt by 256 tokens greedily; each mode runs
in a process of its own (same weights, same thread count), the outputs are compared token by
token, and the ratio of median times is the speed-up. Runs on CUDA too when it is there.

    .venv/bin/python benchmarks/kv_cache.py [--repeats 5] [--threads 1]

Writes benchmarks/results/kv_cache.json. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

CONFIG = dict(vocab_size=2000, block_size=512, n_layer=4, n_head=4, n_embd=128)
PROMPT, NEW = 16, 256


def side(use_cache, repeats, device_name):
    import time

    import numpy as np
    import torch

    from dlbook.transformer.gpt_torch import GPT

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    device = torch.device(device_name)
    torch.manual_seed(0)
    model = GPT(**CONFIG).to(device).eval()
    prompt = torch.randint(0, CONFIG["vocab_size"], (1, PROMPT),
                           generator=torch.Generator().manual_seed(1)).to(device)
    model.generate(prompt, 8, temperature=0.0, use_cache=use_cache)            # warm-up
    times = []
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        out = model.generate(prompt, NEW, temperature=0.0, use_cache=use_cache)
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    print(json.dumps({"median_s": float(np.median(times)), "tokens": out[0].tolist()}))


def run(device_name, repeats, env):
    res = {}
    for mode in ("cache", "no_cache"):
        out = subprocess.run([sys.executable, __file__, "--side", mode, "--device", device_name,
                              "--repeats", str(repeats)], env=env, check=True,
                             capture_output=True, text=True).stdout
        res[mode] = json.loads(out.strip().splitlines()[-1])
        print(device_name, mode, res[mode]["median_s"], flush=True)
    same = res["cache"]["tokens"] == res["no_cache"]["tokens"]
    return {"device": device_name, "seconds_with_cache": res["cache"]["median_s"],
            "seconds_without_cache": res["no_cache"]["median_s"],
            "speedup": res["no_cache"]["median_s"] / res["cache"]["median_s"],
            "identical_outputs": same}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--side", choices=["cache", "no_cache"])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if args.side:
        side(args.side == "cache", args.repeats, args.device)
        return
    env = dict(os.environ, **{v: str(args.threads) for v in
                              ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")})
    import torch
    from part4_record import write

    rows = [run("cpu", args.repeats, env)]
    if torch.cuda.is_available():
        rows.append(run("cuda", args.repeats, env))
    record = {"threads": args.threads, "config": CONFIG, "prompt_tokens": PROMPT,
              "new_tokens": NEW, "decoding": "greedy", "repeats": args.repeats, "rows": rows,
              "gpu_measured": torch.cuda.is_available()}
    print("wrote", write("kv_cache", record))


if __name__ == "__main__":
    main()
