"""One training step of the 784-300-200-100-10 MLP: dlbook's NumPy layers against PyTorch (CPU).

A step is forward, softmax cross-entropy from the logits, backward, and a plain SGD update, on
one batch of 128 random "images". Both sides get the same data, the same weights, the same
dtype and the same number of threads. The goal (chapter 1.4, ``ch-mlp``): NumPy within 2x of torch.

    .venv/bin/python benchmarks/mlp_step.py [--repeats 50] [--dtype float32|float64]

Not a test: it prints times and the ratio, and checks that both sides computed the same loss.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import torch

from dlbook.nn.activation_layers import ReLU
from dlbook.nn.cross_entropy import cross_entropy_with_logits, cross_entropy_with_logits_grad
from dlbook.nn.linear import Linear
from dlbook.nn.module import Sequential

SIZES = (784, 300, 200, 100, 10)


def build(dtype=np.float32, seed=0):
    """The NumPy MLP and a torch copy of it (same weights, same dtype)."""
    rng = np.random.default_rng(seed)
    layers = []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(Linear(a, b, rng=rng))
        if i < len(SIZES) - 2:
            layers.append(ReLU())
    net = Sequential(*layers)
    for layer in net.layers:  # Linear starts in float64: cast to the benchmark's dtype
        for k, v in getattr(layer, "params", {}).items():
            layer.params[k] = v.astype(dtype)
            layer.grads[k] = np.zeros_like(layer.params[k])
    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    modules = []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        modules.append(torch.nn.Linear(a, b, dtype=tdtype))
        if i < len(SIZES) - 2:
            modules.append(torch.nn.ReLU())
    tnet = torch.nn.Sequential(*modules)
    tnet.load_state_dict({k: torch.from_numpy(v) for k, v in net.state_dict().items()})
    return net, tnet


def numpy_step(net, x, y, lr):
    logits = net.forward(x)
    loss = cross_entropy_with_logits(y, logits)
    net.backward(cross_entropy_with_logits_grad(y, logits))
    for p, g in zip(net.parameters(), net.gradients()):
        p -= lr * g  # in place, as torch.optim.SGD does
    return loss


def torch_step(tnet, opt, x, y):
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(tnet(x), y)
    loss.backward()
    opt.step()
    return loss.item()


def bench(repeats=50, warmup=5, batch=128, dtype=np.float32, lr=0.01, seed=0):
    """Median seconds per step for NumPy and torch; also the first-step losses of both."""
    net, tnet = build(dtype, seed)
    rng = np.random.default_rng(seed + 1)
    x = rng.random((batch, SIZES[0])).astype(dtype)
    y = rng.integers(0, SIZES[-1], size=batch)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    opt = torch.optim.SGD(tnet.parameters(), lr=lr)
    losses = (numpy_step(net, x, y, lr), torch_step(tnet, opt, xt, yt))
    times = {"numpy": [], "torch": []}
    for i in range(warmup + repeats):  # interleaved, so both see the same machine load
        t0 = time.perf_counter()
        numpy_step(net, x, y, lr)
        t1 = time.perf_counter()
        torch_step(tnet, opt, xt, yt)
        t2 = time.perf_counter()
        if i >= warmup:
            times["numpy"].append(t1 - t0)
            times["torch"].append(t2 - t1)
    med = {k: float(np.median(v)) for k, v in times.items()}
    return med["numpy"], med["torch"], losses


def cpu_name():
    """The CPU model from /proc/cpuinfo (Linux), else platform's guess."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:  # pragma: no cover
        pass
    return platform.processor() or platform.machine()


def threads():
    """(BLAS threads NumPy uses, torch intra-op threads)."""
    try:
        from threadpoolctl import threadpool_info
        blas = [d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"]
    except ImportError:  # pragma: no cover
        blas = []
    return (blas[0] if blas else None), torch.get_num_threads()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--dtype", choices=["float32", "float64"], nargs="+",
                        default=["float32", "float64"])
    args = parser.parse_args()
    np_threads, t_threads = threads()
    print(f"machine: {cpu_name()}, {t_threads} torch threads, "
          f"NumPy BLAS threads {np_threads}; numpy {np.__version__}, torch {torch.__version__}")
    for name in args.dtype:
        t_np, t_torch, (l_np, l_t) = bench(args.repeats, batch=args.batch,
                                           dtype=np.dtype(name).type)
        print(f"{name}: first-step loss numpy {l_np:.6f}, torch {l_t:.6f}")
        print(f"{name}: numpy {t_np * 1e3:.2f} ms/step, torch {t_torch * 1e3:.2f} ms/step, "
              f"ratio numpy/torch = {t_np / t_torch:.2f} "
              f"({'within' if t_np <= 2 * t_torch else 'NOT within'} 2x)")


if __name__ == "__main__":
    main()
