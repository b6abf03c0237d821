"""NumPy conv2d forward + backward (im2col) against PyTorch's F.conv2d + autograd on the CPU.

x (32, 3, 32, 32), w (16, 3, 3, 3), padding 1, float32 by default; both sides get the same data
and 2 threads (NumPy's BLAS limited with threadpoolctl, torch with ``set_num_threads``). The goal
(issue 5, chapter 2.2, ``ch-convolution``): NumPy within 3x of torch.

    .venv/bin/python benchmarks/conv2d.py [--repeats 50] [--threads 2] [--dtype float32 float64]

Not a test: it prints median times side by side and the ratio, after checking that both sides
computed the same output and gradients.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F

from dlbook.cnn.conv import conv2d_backward, conv2d_forward

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - then set OMP/OPENBLAS_NUM_THREADS before starting Python
    threadpool_limits = None

X_SHAPE, W_SHAPE, PADDING = (32, 3, 32, 32), (16, 3, 3, 3), 1


def make_data(dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=X_SHAPE).astype(dtype)
    w = rng.normal(size=W_SHAPE).astype(dtype)
    b = rng.normal(size=W_SHAPE[0]).astype(dtype)
    dout = rng.normal(size=(X_SHAPE[0], W_SHAPE[0], X_SHAPE[2], X_SHAPE[3])).astype(dtype)
    return x, w, b, dout


def numpy_step(x, w, b, dout):
    out, cache = conv2d_forward(x, w, b, padding=PADDING)
    return (out, *conv2d_backward(dout, cache))


def torch_step(xt, wt, bt, doutt):
    for t in (xt, wt, bt):
        t.grad = None
    out = F.conv2d(xt, wt, bt, padding=PADDING)
    out.backward(doutt)
    return out.detach(), xt.grad, wt.grad, bt.grad


def bench(repeats=50, warmup=5, dtype=np.float32, seed=0):
    """Times of one forward + backward, interleaved: {"numpy": (median, best), "torch": (median, best)} in seconds.

    The best (minimum) time is the one least disturbed by other processes on a shared machine;
    the median is the typical one.
    """
    x, w, b, dout = make_data(dtype, seed)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    doutt = torch.from_numpy(dout)
    tol = 1e-3 if dtype == np.float32 else 1e-9
    for ours, ref, name in zip(numpy_step(x, w, b, dout), torch_step(xt, wt, bt, doutt), ("out", "dx", "dw", "db")):
        np.testing.assert_allclose(ours, ref.numpy(), rtol=tol, atol=tol * np.abs(ref.numpy()).max(), err_msg=name)
    times = {"numpy": [], "torch": []}
    for i in range(warmup + repeats):  # interleaved, so both see the same machine load
        t0 = time.perf_counter()
        numpy_step(x, w, b, dout)
        t1 = time.perf_counter()
        torch_step(xt, wt, bt, doutt)
        t2 = time.perf_counter()
        if i >= warmup:
            times["numpy"].append(t1 - t0)
            times["torch"].append(t2 - t1)
    return {k: (float(np.median(v)), float(np.min(v))) for k, v in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--dtype", choices=["float32", "float64"], nargs="+", default=["float32"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    limiter = threadpool_limits(limits=args.threads, user_api="blas") if threadpool_limits else None
    print(f"x {X_SHAPE}, w {W_SHAPE}, padding {PADDING}; {args.threads} threads each "
          f"({'threadpoolctl' if limiter else 'BLAS threads NOT limited'}); numpy {np.__version__}, torch {torch.__version__}")
    print(f"{'dtype':8} {'statistic':9} {'numpy fwd+bwd':>14} {'torch fwd+bwd':>14} {'numpy/torch':>12}")
    for name in args.dtype:
        res = bench(args.repeats, dtype=np.dtype(name).type)
        for i, stat in enumerate(("median", "best")):
            t_np, t_torch = res["numpy"][i], res["torch"][i]
            print(f"{name:8} {stat:9} {t_np * 1e3:11.2f} ms {t_torch * 1e3:11.2f} ms {t_np / t_torch:12.2f}"
                  f"  ({'within' if t_np <= 3 * t_torch else 'NOT within'} 3x)")


if __name__ == "__main__":
    main()
