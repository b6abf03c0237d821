"""NumPy conv2d forward + backward (im2col) against PyTorch's F.conv2d + autograd on the CPU.

x (32, 3, 32, 32), w (16, 3, 3, 3), padding 1, float32 by default. Each side runs in its own
Python process with the same data and the same number of threads (NumPy's BLAS limited with
threadpoolctl, torch with ``set_num_threads``), so neither warms the other's caches or shares its
thread pool. Before timing, the parent process checks that both sides compute the same output
and gradients. Chapter 2.2 (``ch-convolution``) reads the result from
benchmarks/results/conv2d.json, with the machine, date and versions of the run.

    .venv/bin/python benchmarks/conv2d.py [--repeats 50] [--threads 1] [--dtype float32 float64]

Not a test: timings depend on the machine and on whatever else runs on it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results" / "conv2d.json"
X_SHAPE, W_SHAPE, PADDING = (32, 3, 32, 32), (16, 3, 3, 3), 1


def make_data(dtype="float32", seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=X_SHAPE).astype(dtype)
    w = rng.normal(size=W_SHAPE).astype(dtype)
    b = rng.normal(size=W_SHAPE[0]).astype(dtype)
    dout = rng.normal(size=(X_SHAPE[0], W_SHAPE[0], X_SHAPE[2], X_SHAPE[3])).astype(dtype)
    return x, w, b, dout


def numpy_step(x, w, b, dout):
    from dlbook.cnn.conv import conv2d_backward, conv2d_forward

    out, cache = conv2d_forward(x, w, b, padding=PADDING)
    return (out, *conv2d_backward(dout, cache))


def torch_step(xt, wt, bt, doutt):
    import torch.nn.functional as F

    for t in (xt, wt, bt):
        t.grad = None
    out = F.conv2d(xt, wt, bt, padding=PADDING)
    out.backward(doutt)
    return out.detach(), xt.grad, wt.grad, bt.grad


def check_agreement(dtype):
    """Both sides compute the same output and gradients (else the timing means nothing)."""
    import torch

    x, w, b, dout = make_data(dtype)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    tol = 1e-3 if dtype == "float32" else 1e-9
    pairs = zip(numpy_step(x, w, b, dout), torch_step(xt, wt, bt, torch.from_numpy(dout)))
    for name, (ours, ref) in zip(("out", "dx", "dw", "db"), pairs):
        ref = ref.numpy()
        np.testing.assert_allclose(ours, ref, rtol=tol, atol=tol * np.abs(ref).max(),
                                   err_msg=name)


def time_side(side, dtype, repeats, warmup, threads):
    """Run in a child process: seconds of each of ``repeats`` forward + backward steps."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")
    import torch

    torch.set_num_threads(threads)
    x, w, b, dout = make_data(dtype)
    if side == "numpy":
        args, step = (x, w, b, dout), numpy_step
    else:
        xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        args, step = (xt, wt, bt, torch.from_numpy(dout)), torch_step
    times = []
    for i in range(warmup + repeats):
        t0 = time.perf_counter()
        step(*args)
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    return times


def run_child(side, dtype, repeats, threads):
    cmd = [sys.executable, __file__, "--child", side, "--dtype", dtype, "--repeats",
           str(repeats), "--threads", str(threads)]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--dtype", nargs="+", default=["float32"],
                        choices=["float32", "float64"])
    parser.add_argument("--child", choices=["numpy", "torch"], help=argparse.SUPPRESS)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(time_side(args.child, args.dtype[0], args.repeats, 5, args.threads)))
        return

    import threadpoolctl
    import torch

    rows = []
    for dtype in args.dtype:
        check_agreement(dtype)
        for side in ("numpy", "torch"):
            times = run_child(side, dtype, args.repeats, args.threads)
            rows.append({"side": side, "dtype": dtype, "median_ms": 1e3 * float(np.median(times)),
                         "best_ms": 1e3 * float(np.min(times))})
    print(f"x {X_SHAPE}, w {W_SHAPE}, padding {PADDING}; {args.threads} thread(s) per side, "
          f"{args.repeats} repeats, each side in its own process")
    print(f"{'dtype':8} {'side':6} {'median ms':>10} {'best ms':>9}")
    for r in rows:
        print(f"{r['dtype']:8} {r['side']:6} {r['median_ms']:10.2f} {r['best_ms']:9.2f}")
    if not args.no_save:
        record = {
            "benchmark": "benchmarks/conv2d.py",
            "x_shape": X_SHAPE, "w_shape": W_SHAPE, "padding": PADDING,
            "threads": args.threads, "repeats": args.repeats, "rows": rows,
            "machine": {
                "cpu_count": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
                "numpy": np.__version__,
                "torch": torch.__version__,
                "threadpoolctl": threadpoolctl.__version__,
                "blas": [f"{i.get('internal_api')} {i.get('version')}"
                         for i in threadpoolctl.threadpool_info()
                         if i.get("user_api") == "blas"],
            },
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
