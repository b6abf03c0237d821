"""Multi-head attention, forward + backward: dlbook's NumPy reference against PyTorch on the CPU
(N = 16, L = S = 128, E = 256, 8 heads, float32), each side in a process of its own with the
same data and thread count; the ratio of medians is the number to read. On a CUDA machine it
also times torch.nn.functional.scaled_dot_product_attention against the naive form
(softmax(q k^T / sqrt d) v) across sequence lengths.

    .venv/bin/python benchmarks/attention_speed.py [--repeats 30] [--threads 1]

Writes benchmarks/results/attention_speed.json. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

SHAPE = dict(N=16, L=128, E=256, heads=8)


def _data():
    import numpy as np

    rng = np.random.default_rng(0)
    N, L, E = SHAPE["N"], SHAPE["L"], SHAPE["E"]
    f = np.float32
    return {"x": rng.normal(size=(N, L, E)).astype(f),
            "w_in": (rng.normal(size=(3 * E, E)) / np.sqrt(E)).astype(f),
            "b_in": rng.normal(size=3 * E).astype(f) * 0.1,
            "w_out": (rng.normal(size=(E, E)) / np.sqrt(E)).astype(f),
            "b_out": rng.normal(size=E).astype(f) * 0.1,
            "dout": rng.normal(size=(N, L, E)).astype(f)}


def side(name, repeats, warmup):
    """Run in a child process: time one side, print JSON."""
    import time

    import numpy as np

    d = _data()
    H = SHAPE["heads"]
    if name == "numpy":
        from dlbook.transformer.attention import (
            multi_head_attention_backward,
            multi_head_attention_forward,
        )

        def step():
            out, cache = multi_head_attention_forward(d["x"], d["x"], d["x"], H, d["w_in"],
                                                      d["b_in"], d["w_out"], d["b_out"])
            multi_head_attention_backward(d["dout"], cache)
    else:
        import torch

        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
        E = SHAPE["E"]
        mha = torch.nn.MultiheadAttention(E, H, batch_first=True)
        with torch.no_grad():
            mha.in_proj_weight.copy_(torch.from_numpy(d["w_in"]))
            mha.in_proj_bias.copy_(torch.from_numpy(d["b_in"]))
            mha.out_proj.weight.copy_(torch.from_numpy(d["w_out"]))
            mha.out_proj.bias.copy_(torch.from_numpy(d["b_out"]))
        x = torch.from_numpy(d["x"]).requires_grad_(True)
        dout = torch.from_numpy(d["dout"])
        need = name == "torch_with_weights"

        def step():
            out, _ = mha(x, x, x, need_weights=need)
            out.backward(dout)
    times = []
    for i in range(warmup + repeats):
        t0 = time.perf_counter()
        step()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    print(json.dumps({"median_s": float(np.median(times)), "min_s": float(np.min(times))}))


def gpu_sdpa(lengths):
    import torch
    import torch.nn.functional as F

    dev = torch.device("cuda")
    rows = []
    for L in lengths:
        q, k, v = (torch.randn(8, 16, L, 64, device=dev, dtype=torch.float16) for _ in range(3))

        def naive():
            w = torch.softmax(q @ k.transpose(-1, -2) / 8.0, dim=-1)
            return w @ v

        def fused():
            return F.scaled_dot_product_attention(q, k, v)

        row = {"L": L}
        for name, fn in (("naive", naive), ("sdpa", fused)):
            for _ in range(5):
                fn()
            torch.cuda.synchronize()
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(20):
                fn()
            end.record()
            torch.cuda.synchronize()
            row[f"{name}_ms"] = start.elapsed_time(end) / 20
        rows.append(row)
    return {"device": torch.cuda.get_device_name(0), "batch_heads_dim": [8, 16, 64],
            "dtype": "float16", "rows": rows}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--side", choices=["numpy", "torch", "torch_with_weights"])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if args.side:
        side(args.side, args.repeats, args.warmup)
        return
    env = dict(os.environ, **{v: str(args.threads) for v in
                              ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")})
    sides = {}
    for name in ("numpy", "torch", "torch_with_weights"):
        out = subprocess.run([sys.executable, __file__, "--side", name, "--repeats",
                              str(args.repeats), "--warmup", str(args.warmup)], env=env,
                             check=True, capture_output=True, text=True).stdout
        sides[name] = json.loads(out.strip().splitlines()[-1])
        print(name, sides[name], flush=True)
    import torch
    from part4_record import write

    record = {"threads": args.threads, "shape": SHAPE, "dtype": "float32",
              "what": "multi-head self-attention forward + backward", "repeats": args.repeats,
              "sides": sides,
              "ratio_numpy_over_torch": sides["numpy"]["median_s"] / sides["torch"]["median_s"],
              "ratio_numpy_over_torch_with_weights":
                  sides["numpy"]["median_s"] / sides["torch_with_weights"]["median_s"],
              "gpu": (gpu_sdpa([256, 512, 1024, 2048, 4096]) if torch.cuda.is_available()
                      else None)}
    print("numpy / torch:", round(record["ratio_numpy_over_torch"], 2))
    print("wrote", write("attention_speed", record))


if __name__ == "__main__":
    main()
