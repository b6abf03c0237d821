#!/usr/bin/env python3
"""Execute one book page (MyST notebook) on its own, the way the site build does, and report.

Usage: .venv/bin/python tools/run_page.py book/en/part1/activations.md [--figures DIR]

Prints each cell's run time and its output in both languages (as the build makes them: every
figure and ``say`` line in English and in Chinese), and stops at the first failing cell.  With
``--figures DIR`` every PNG the page draws is written to DIR (cell<N>_<k>_<lang>.png) so that it
can be looked at.  Authors use it while writing; the build runs tools/execute_pages.py.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from execute_pages import ROOT, SETUP_CELL, THREAD_ENV  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path)
    parser.add_argument("--figures", type=Path, default=None)
    parser.add_argument("--timeout", type=int, default=300)
    args = parser.parse_args()

    nb = jupytext.read(args.page, fmt="md:myst")
    nb.cells.insert(0, nbformat.v4.new_code_cell(SETUP_CELL))
    client = NotebookClient(nb, timeout=args.timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(args.page.parent)}})
    env = dict(os.environ, DLBOOK_ROOT=str(ROOT), **THREAD_ENV)
    start = time.perf_counter()
    with client.setup_kernel(env=env):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            t0 = time.perf_counter()
            client.execute_cell(cell, index)
            errors = [o for o in cell.outputs if o.output_type == "error"]
            print(f"cell {index:3d}: {time.perf_counter() - t0:6.2f} s")
            for out in cell.outputs:
                lang = out.get("metadata", {}).get("dlbook_lang")
                mark = f"[{lang}] " if lang else ""
                if out.output_type == "stream":
                    print("   ", out.text.rstrip().replace("\n", "\n    "))
                elif "data" in out and "text/plain" in out["data"] \
                        and "image/png" not in out["data"]:
                    text = out["data"]["text/plain"].rstrip()
                    print("   ", mark + text.replace("\n", "\n    " + " " * len(mark)))
            if args.figures is not None:
                args.figures.mkdir(parents=True, exist_ok=True)
                pngs = [o for o in cell.outputs if "data" in o and "image/png" in o["data"]]
                for k, out in enumerate(pngs):
                    lang = out.get("metadata", {}).get("dlbook_lang", "all")
                    (args.figures / f"cell{index:03d}_{k}_{lang}.png").write_bytes(
                        base64.b64decode(out["data"]["image/png"]))
            if errors:
                print("\n".join(errors[0].traceback), file=sys.stderr)
                return 1
    print(f"total: {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
