"""One LSTM layer, forward + backward: dlbook.nlp.lstm (NumPy) against torch.nn.LSTM on the CPU.

T = 50 steps, a batch of N = 32, D = 64 inputs, H = 128 hidden units, float32, one thread on
each side. Each side runs in a process of its own on the same data (an OpenBLAS thread pool left
spinning by one library slows the other), warms up with 10 passes, then times ``--repeats``
passes by the CPU time of its process (less disturbed than wall-clock time when other programs
share the cores). The sides take turns for ``--rounds`` rounds; the ratio reported is the
median over rounds of (NumPy median / torch median). The two sides' outputs and gradients are
compared (float32 tolerances) before the times count. Results, with the machine, go to
benchmarks/results/lstm.json, which chapter 3.4 (``ch-lstm``) reads.

    .venv/bin/python benchmarks/lstm.py [--repeats 50] [--rounds 3] [--threads 1]

Not a test: speed claims never come from timed assertions.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results" / "lstm.json"
ROOT = Path(__file__).resolve().parents[1]
T, N, D, H = 50, 32, 64, 128


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    k = 1 / np.sqrt(H)                                   # torch's default initialisation range
    f32 = np.float32
    return {
        "x": rng.normal(size=(T, N, D)).astype(f32),
        "h0": rng.normal(scale=0.1, size=(N, H)).astype(f32),
        "c0": rng.normal(scale=0.1, size=(N, H)).astype(f32),
        "weight_ih": rng.uniform(-k, k, (4 * H, D)).astype(f32),
        "weight_hh": rng.uniform(-k, k, (4 * H, H)).astype(f32),
        "bias_ih": rng.uniform(-k, k, 4 * H).astype(f32),
        "bias_hh": rng.uniform(-k, k, 4 * H).astype(f32),
        "dout": rng.normal(size=(T, N, H)).astype(f32),
    }


def numpy_side(data):
    from dlbook.nlp.lstm import lstm_backward, lstm_forward

    args = [data[k] for k in ("x", "h0", "c0", "weight_ih", "weight_hh", "bias_ih", "bias_hh")]

    def step():
        out, h_n, c_n, cache = lstm_forward(*args)
        return out, lstm_backward(data["dout"], None, None, cache)

    return step, lambda result: [result[0], *result[1]]


def torch_side(data):
    import torch

    layer = torch.nn.LSTM(D, H)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(layer, f"{name}_l0").copy_(torch.from_numpy(data[name]))
    x = torch.from_numpy(data["x"]).requires_grad_()
    h0 = torch.from_numpy(data["h0"])[None].requires_grad_()
    c0 = torch.from_numpy(data["c0"])[None].requires_grad_()
    dout = torch.from_numpy(data["dout"])

    def step():
        for p in (x, h0, c0, *layer.parameters()):
            p.grad = None
        out, _ = layer(x, (h0, c0))
        out.backward(dout)
        return out

    def arrays(out):
        return [out.detach().numpy(), x.grad.numpy(), h0.grad[0].numpy(), c0.grad[0].numpy(),
                *(getattr(layer, f"{n}_l0").grad.numpy()
                  for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))]

    return step, arrays


def child(side, repeats, threads, out_path):
    """Run in a fresh process: time one side and save its times and results."""
    if side == "torch":
        import torch

        torch.set_num_threads(threads)
        version = torch.__version__
    else:
        version = np.__version__
    data = make_data()
    step, arrays = (numpy_side if side == "numpy" else torch_side)(data)
    for _ in range(10):
        result = step()
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        result = step()
        times.append(time.process_time() - t0)
    np.savez(out_path, times=np.array(times), version=version,
             **{f"r{k}": a for k, a in enumerate(arrays(result))})


def run_side(side, repeats, threads):
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads),
           "MKL_NUM_THREADS": str(threads), "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "result.npz"
        subprocess.run([sys.executable, __file__, "--child", side, "--repeats", str(repeats),
                        "--threads", str(threads), "--out", str(path)], check=True, env=env)
        with np.load(path) as f:
            return f["times"], str(f["version"]), [f[f"r{k}"] for k in range(8)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--child", choices=["numpy", "torch"])
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.repeats, args.threads, args.out)
        return

    load_start = os.getloadavg()[0]
    rounds = []
    for _ in range(args.rounds):
        np_times, np_version, np_result = run_side("numpy", args.repeats, args.threads)
        th_times, th_version, th_result = run_side("torch", args.repeats, args.threads)
        rounds.append((float(np.median(np_times)), float(np.median(th_times))))
    names = ["out", "dx", "dh0", "dc0", "dweight_ih", "dweight_hh", "dbias_ih", "dbias_hh"]
    worst = 0.0
    for name, a, b in zip(names, np_result, th_result, strict=True):
        err = float(np.max(np.abs(a - b)) / max(1.0, np.max(np.abs(b))))
        worst = max(worst, err)
        if err > 1e-4:
            raise SystemExit(f"{name} differs between NumPy and torch by {err:.1e}: not saving")
    ratios = [a / b for a, b in rounds]
    ratio = float(np.median(ratios))
    med_np = float(np.median([a for a, _ in rounds]))
    med_th = float(np.median([b for _, b in rounds]))
    print(f"LSTM forward + backward, T={T} N={N} D={D} H={H}, float32, "
          f"{args.threads} thread(s); CPU time, median of {args.repeats} passes after 10 "
          f"warm-up passes, {args.rounds} rounds")
    for k, (a, b) in enumerate(rounds):
        print(f"  round {k + 1}: NumPy {1e3 * a:7.2f} ms  torch {1e3 * b:7.2f} ms  "
              f"ratio {a / b:.2f}")
    print(f"  NumPy {np_version} / torch {th_version}: median ratio {ratio:.2f} "
          f"(largest relative difference of results {worst:.1e})")
    if args.no_save:
        return
    record = {
        "benchmark": "benchmarks/lstm.py",
        "shape": {"T": T, "N": N, "D": D, "H": H}, "dtype": "float32",
        "threads": args.threads, "repeats": args.repeats, "warmup": 10, "rounds": args.rounds,
        "clock": "process CPU time",
        "numpy_ms": 1e3 * med_np, "torch_ms": 1e3 * med_th,
        "ratio_numpy_over_torch": ratio,
        "ratios_per_round": ratios,
        "max_relative_difference": worst,
        "load_average_1min_at_start": load_start,
        "load_average_1min_at_end": os.getloadavg()[0],
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version(), "numpy": np_version,
                    "torch": th_version},
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    tmp = RESULTS.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, RESULTS)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
