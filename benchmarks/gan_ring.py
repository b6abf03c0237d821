"""Mode collapse on the ring of eight Gaussians, counted over several seeds.

Three runs of the same generator and discriminator (two hidden layers of 64, latent 2) on
samples of ``dlbook.generative.toy_data.ring_of_gaussians`` (radius 2, std 0.05):

- ``collapse``: the non-saturating GAN with the generator's step 10x the discriminator's
  (Adam 1e-3 vs 1e-4, betas (0.5, 0.999), 1600 steps), the imbalance of Metz et al. (2017);
- ``wgan_gp``: WGAN-GP with 5 critic steps per generator step, Adam 5e-4 for both, betas
  (0.5, 0.9), gradient-penalty weight 1, 800 generator steps;
- ``balanced``: the non-saturating GAN with both step sizes 5e-4 (1600 steps), as a control.

Each run's 2000 samples of fixed noise are scored by ``dlbook.generative.metrics.mode_statistics``
(3 std, a mode counts if it holds at least 1 % of the samples). Chapter 5.3 (``ch-gans``) shows
the table; each run is timed in CPU seconds on one thread.

    .venv/bin/python benchmarks/gan_ring.py [--seeds 5] [--no-save]

Not a test: it takes a few minutes.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "gan_ring.json"
CONFIGS = {
    "collapse": dict(loss="non_saturating", steps=1600, lr=1e-3, lr_d=1e-4, betas=(0.5, 0.999)),
    "wgan_gp": dict(loss="wgan_gp", steps=800, lr=5e-4, lr_d=5e-4, betas=(0.5, 0.9), n_critic=5,
                    gp_weight=1.0),
    "balanced": dict(loss="non_saturating", steps=1600, lr=5e-4, lr_d=5e-4, betas=(0.5, 0.999)),
}


def run(name: str, seed: int) -> dict:
    import torch

    from dlbook.generative.gan_torch import MLPDiscriminator, MLPGenerator, train_gan
    from dlbook.generative.metrics import mode_statistics
    from dlbook.generative.toy_data import ring_centers, ring_of_gaussians

    x, _ = ring_of_gaussians(10_000, std=0.05, rng=0)
    data = torch.tensor(x, dtype=torch.float32)
    torch.manual_seed(seed)
    G = MLPGenerator(latent_dim=2, hidden=64, n_layers=2)
    D = MLPDiscriminator(in_features=2, hidden=64, n_layers=2)
    cfg = CONFIGS[name]
    c0 = time.process_time()
    h = train_gan(G, D, data, batch_size=128, seed=seed, snapshot_steps=[cfg["steps"]],
                  n_snapshot=2000, **cfg)
    cpu = time.process_time() - c0
    st = mode_statistics(h.snapshots[cfg["steps"]].numpy(), ring_centers(), std=0.05)
    return {"config": name, "seed": seed, "modes": st.modes_recovered,
            "high_quality": st.high_quality, "counts": st.counts.tolist(), "cpu_s": cpu}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args()
    import numpy as np
    import torch

    from dlbook.io import atomic_write

    torch.set_num_threads(1)
    rows = []
    for seed in range(args.seeds):
        for name in CONFIGS:
            row = run(name, seed)
            rows.append(row)
            print(f"{name:9s} seed {seed}: {row['modes']} modes, high quality "
                  f"{row['high_quality']:.2f}, {row['cpu_s']:.1f} CPU s", flush=True)
    summary = {}
    for name in CONFIGS:
        r = [row for row in rows if row["config"] == name]
        summary[name] = {"modes_mean": float(np.mean([x["modes"] for x in r])),
                         "modes": [x["modes"] for x in r],
                         "high_quality_mean": float(np.mean([x["high_quality"] for x in r])),
                         "cpu_s_mean": float(np.mean([x["cpu_s"] for x in r]))}
        print(name, summary[name])
    if not args.no_save:
        record = {
            "benchmark": "benchmarks/gan_ring.py",
            "settings": {k: {kk: list(vv) if isinstance(vv, tuple) else vv
                             for kk, vv in v.items()} for k, v in CONFIGS.items()},
            "data": "ring_of_gaussians: 8 modes, radius 2, std 0.05; 10,000 training points",
            "networks": "MLPGenerator(latent 2, 2 x 64) and MLPDiscriminator(2 x 64)",
            "rows": rows, "summary": summary,
            "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                        "python": platform.python_version(), "numpy": np.__version__,
                        "torch": torch.__version__, "torch_threads": torch.get_num_threads()},
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(RESULTS, lambda f: f.write((json.dumps(record, indent=2) + "\n").encode()))
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
