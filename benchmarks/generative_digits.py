"""The three digits generators of Part 5 measured with one Fréchet distance, over several seeds.

For each seed, the chapters' recipes (``dlbook.generative.examples.digits_torch``) train a VAE
(latent 16, 100 epochs), a DCGAN (1000 steps) and a class-conditional diffusion model (2000
steps) on the 1347 training digits. 450 samples of each are compared with the 450 held-out test
digits by the Fréchet distance between Gaussians fitted to the features of the digits CNN of
chapter 2.8 (trained once, seed 0, on the training digits). The floor is the distance between 450
*real* training digits and the test digits: what a perfect generator would score with 450 samples.
Diffusion is sampled with DDIM (50 steps, predictions of the clean digit clipped to the data's
range) unconditionally (guidance 0) and with labels drawn from
the class frequencies at guidance scales 1 and 2.

Chapter 5.5 (``ch-measuring-generative``) shows the table next to its own single-seed run.

    .venv/bin/python benchmarks/generative_digits.py [--seeds 3] [--no-save]

Not a test: about a minute of CPU per seed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "generative_digits.json"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args()
    import numpy as np
    import scipy
    import torch

    from dlbook.generative.examples import digits_torch as dg
    from dlbook.generative.metrics import frechet_distance, gaussian_statistics
    from dlbook.io import atomic_write

    torch.set_num_threads(1)
    split = dg.load_digits_split()
    clf = dg.train_feature_classifier(split.counts_train, split.y_train, seed=0)
    test_stats = gaussian_statistics(dg.classifier_features(clf, split.counts_test / 16))

    def fid(images):
        return frechet_distance(*gaussian_statistics(dg.classifier_features(clf, images)),
                                *test_stats)

    rows = []
    freq = np.bincount(split.y_train.numpy(), minlength=10) / len(split.y_train)
    for seed in range(args.seeds):
        g = torch.Generator().manual_seed(1000 + seed)
        pick = torch.randperm(len(split.counts_train), generator=g)[:450]
        rows.append({"model": "real training digits (floor)", "seed": seed, "cpu_s": 0.0,
                     "fid": fid(split.counts_train[pick] / 16)})
        t = time.process_time()
        vae = dg.train_digits_vae(split.counts_train, seed=seed)
        rows.append({"model": "VAE", "seed": seed, "cpu_s": time.process_time() - t,
                     "fid": fid(dg.vae_samples(vae, 450, generator=g))})
        t = time.process_time()
        G = dg.train_digits_dcgan(split.counts_train, seed=seed)
        rows.append({"model": "DCGAN", "seed": seed, "cpu_s": time.process_time() - t,
                     "fid": fid(dg.dcgan_samples(G, 450, generator=g))})
        t = time.process_time()
        model, schedule = dg.train_digits_diffusion(split.counts_train, split.y_train, seed=seed)
        cpu = time.process_time() - t
        labels = torch.tensor(np.random.default_rng(seed).choice(10, 450, p=freq))
        for s in (0.0, 1.0, 2.0):
            rows.append({"model": f"diffusion, guidance {s:g}", "seed": seed, "cpu_s": cpu,
                         "fid": fid(dg.diffusion_samples(model, schedule, labels, s,
                                                         generator=g))})
        for r in rows[-6:]:
            print(f"seed {seed} {r['model']:28s} FID {r['fid']:8.3f}  ({r['cpu_s']:.1f} CPU s)",
                  flush=True)
    summary = {}
    for name in dict.fromkeys(r["model"] for r in rows):
        v = [r["fid"] for r in rows if r["model"] == name]
        summary[name] = {"fid_mean": float(np.mean(v)), "fid_std": float(np.std(v, ddof=1))
                         if len(v) > 1 else 0.0, "fids": v}
        print(f"{name:28s} {np.mean(v):8.3f} +- {summary[name]['fid_std']:.3f}")
    if not args.no_save:
        record = {
            "benchmark": "benchmarks/generative_digits.py",
            "settings": {"samples": 450, "reference": "450 test digits", "features":
                         "GapCNN channel means (32), trained with seed 0",
                         "diffusion_sampler": "DDIM, 50 steps, x0-hat clipped to [-1, 1]",
                         "seeds": args.seeds},
            "rows": rows, "summary": summary,
            "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                        "python": platform.python_version(), "numpy": np.__version__,
                        "scipy": scipy.__version__, "torch": torch.__version__,
                        "torch_threads": torch.get_num_threads()},
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(RESULTS, lambda f: f.write((json.dumps(record, indent=2) + "\n").encode()))
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
