#!/usr/bin/env python3
"""Execute one book page (MyST notebook) on its own, the way the site build does, and report.

Usage: .venv/bin/python tools/run_page.py book/en/part1/activations.md [--figures DIR]

Prints each cell's run time and stops at the first failing cell.  With ``--figures DIR`` every
PNG the page draws is written to DIR (cell<N>_<k>.png) so that it can be looked at.
Authors use it while writing; the site build itself runs through myst-nb and jupyter-cache.
"""

from __future__ import annotations

import argparse
import base64
import sys
import time
from pathlib import Path

import jupytext
from nbclient import NotebookClient


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path)
    parser.add_argument("--figures", type=Path, default=None)
    parser.add_argument("--timeout", type=int, default=300)
    args = parser.parse_args()

    nb = jupytext.read(args.page, fmt="md:myst")
    client = NotebookClient(nb, timeout=args.timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(args.page.parent)}})
    start = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            t0 = time.perf_counter()
            client.execute_cell(cell, index)
            errors = [o for o in cell.outputs if o.output_type == "error"]
            print(f"cell {index:3d}: {time.perf_counter() - t0:6.2f} s")
            for out in cell.outputs:
                if out.output_type == "stream":
                    print("   ", out.text.rstrip().replace("\n", "\n    "))
                elif "data" in out and "text/plain" in out["data"] and "image/png" not in out["data"]:
                    print("   ", out["data"]["text/plain"].replace("\n", "\n    "))
            if args.figures is not None:
                args.figures.mkdir(parents=True, exist_ok=True)
                pngs = [o for o in cell.outputs if "data" in o and "image/png" in o["data"]]
                for k, out in enumerate(pngs):
                    (args.figures / f"cell{index:03d}_{k}.png").write_bytes(
                        base64.b64decode(out["data"]["image/png"]))
            if errors:
                print("\n".join(errors[0].traceback), file=sys.stderr)
                return 1
    print(f"total: {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
