#!/usr/bin/env python3
"""Execute the book's pages before Sphinx reads them: in parallel, once per twin pair, and only
the pages whose inputs changed.

Usage: .venv/bin/python tools/execute_pages.py [--jobs N] [--force] [PAGE ...]

What it does, for every notebook page of ``book/en`` (and its twin in ``book/zh-TW``):

1. **Decide whether the page must run.**  A page's record (``_build/exec/<page>.json``) holds
   the hash of its code cells and of every input its last run used: the ``dlbook`` modules it
   imported (directly or not), the files of the repository it read (recorded by an audit hook:
   benchmark results, data), and the global inputs (pinned requirements, ``pyproject.toml``,
   data manifests, this script).  If any of them changed, the page runs; otherwise it keeps its
   outputs.  A page that started a subprocess depends on the whole package, since what the child
   imported is not seen.
2. **Run it once for both editions.**  Twin pages have identical code, so the English page runs
   and both editions take its outputs.  Before the first cell the kernel calls
   :func:`dlbook.bilingual.enable_dual_output`, so every figure and every ``say`` line is produced
   in English and in Chinese, each tagged with its language.
3. **Store one notebook per edition** in the edition's jupyter-cache (``_build/.jupyter_cache/
   <language>``), keyed as myst-nb keys it (the code cells), holding only that edition's outputs.
   The Sphinx builds then read those caches and never execute anything themselves.

Pages run in a pool of ``--jobs`` workers (default: the number of cores), longest first, each
kernel limited to one BLAS/torch thread so that two pages do not fight over two cores.  Each
page's time is printed and written to ``_build/page_times.json``; a page over 90 s is reported.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import copy
import dataclasses
import hashlib
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LANG_DIRS = {"en": "en", "zh_TW": "zh-TW"}
PAGE_BUDGET_S = 90.0
CELL_TIMEOUT_S = 300
#: Inputs of every page: pinned versions, the package metadata, data manifests and this script.
GLOBAL_INPUTS = ["requirements/*.txt", "pyproject.toml", "data/**/MANIFEST.json",
                 "tools/execute_pages.py"]
#: Where a page that starts subprocesses may have read code from.
SUBPROCESS_INPUTS = ["dlbook/**/*.py", "benchmarks/*.py"]
MYST_EXTENSIONS = ["dollarmath", "amsmath", "colon_fence", "deflist"]  # as conf.py
THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "NUMEXPR_NUM_THREADS": "1"}

# The first hidden cell: record what the page reads, then switch on the bilingual outputs.
SETUP_CELL = r'''
import os as _os, sys as _sys
def _dlbook_watch(root):
    skip = tuple(_os.path.join(root, d) + _os.sep for d in (".venv", "_build", ".git"))
    state = {"reads": set(), "spawned": False}
    write = _os.O_WRONLY | _os.O_RDWR
    def hook(event, args):
        if event == "open":
            path, flags = args[0], args[2]
            if isinstance(path, (str, bytes, _os.PathLike)) and not (flags or 0) & write:
                p = _os.path.abspath(_os.fsdecode(path))
                if p.startswith(root + _os.sep) and not p.startswith(skip):
                    state["reads"].add(p)
        elif event in ("subprocess.Popen", "os.posix_spawn", "os.spawn", "os.system",
                       "os.exec", "os.fork", "os.forkpty"):
            state["spawned"] = True
    _sys.addaudithook(hook)
    return state
_sys._dlbook_watch = _dlbook_watch(_os.environ["DLBOOK_ROOT"])
del _dlbook_watch
import dlbook.bilingual as _bilingual
_bilingual.enable_dual_output()
del _bilingual
'''
# The last hidden cell: report the inputs the page used.
REPORT_CELL = r'''
import json as _json, sys as _sys
_w = _sys._dlbook_watch
_mods = sorted({m.__file__ for n, m in list(_sys.modules.items())
                if (n == "dlbook" or n.startswith("dlbook.")) and getattr(m, "__file__", None)})
_spawn = _w["spawned"] or any(n.startswith(("multiprocessing.popen_spawn",
                                            "multiprocessing.popen_forkserver"))
                              for n in _sys.modules)
print("DLBOOK_DEPS " + _json.dumps({"modules": _mods, "reads": sorted(_w["reads"]),
                                   "spawned": _spawn}))
'''


@dataclasses.dataclass
class Page:
    """One page of the book: its path under ``book/<lang>/`` without suffix, and its sources."""

    name: str
    sources: dict  # language -> Path of the .md file


# -- Reading pages as myst-nb does ---------------------------------------------------------------
def read_notebook(path: Path):
    """Read a MyST Markdown page into a notebook exactly as myst-nb does for its cache key."""
    from myst_nb.core.read import read_myst_markdown_notebook
    from myst_parser.config.main import MdParserConfig

    config = MdParserConfig(enable_extensions=set(MYST_EXTENSIONS))
    return read_myst_markdown_notebook(path.read_text(encoding="utf-8"), config,
                                       add_source_map=True, path=str(path))


def is_notebook_page(path: Path) -> bool:
    head = path.read_text(encoding="utf-8")[:600]
    return head.startswith("---") and "kernelspec" in head


def discover(root: Path, only: list[str] | None = None) -> list[Page]:
    """Every notebook page of the English tree, with its Chinese twin where it exists."""
    en_root = root / "book" / LANG_DIRS["en"]
    pages = []
    for path in sorted(en_root.rglob("*.md")):
        if "_build" in path.parts or not is_notebook_page(path):
            continue
        name = path.relative_to(en_root).with_suffix("").as_posix()
        if only and name not in only:
            continue
        sources = {"en": path}
        twin = root / "book" / LANG_DIRS["zh_TW"] / path.relative_to(en_root)
        if twin.is_file():
            sources["zh_TW"] = twin
        pages.append(Page(name, sources))
    return pages


def code_key(nb) -> str:
    """myst-nb's and jupyter-cache's key of a notebook: its code cells and kernelspec."""
    from jupyter_cache.cache.main import JupyterCacheBase

    return JupyterCacheBase.create_hashed_notebook(None, nb)[1]


# -- Inputs and records --------------------------------------------------------------------------
def file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except FileNotFoundError:
        return "absent"


def global_key(root: Path) -> str:
    digest = hashlib.sha256()
    for pattern in GLOBAL_INPUTS:
        for path in sorted(root.glob(pattern)):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def record_path(root: Path, name: str, lang: str = "en") -> Path:
    suffix = "" if lang == "en" else f".{lang}"
    return root / "_build" / "exec" / f"{name}{suffix}.json"


def load_record(root: Path, name: str, lang: str = "en") -> dict | None:
    path = record_path(root, name, lang)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def write_json_atomic(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                   encoding="utf-8")
    os.replace(tmp, path)


def stale_reason(root: Path, record: dict | None, key: str, gkey: str) -> str | None:
    """Why a page must run again (``None`` when its record is still valid)."""
    if record is None:
        return "never ran"
    if record.get("code") != key:
        return "its code changed"
    if record.get("global") != gkey:
        return "pinned versions, data or the executor changed"
    for rel, digest in sorted(record.get("inputs", {}).items()):
        if file_digest(root / rel) != digest:
            return f"{rel} changed"
    return None


def inputs_of(root: Path, report: dict) -> dict:
    """Content digests of every input a run reported (paths relative to the root)."""
    paths = set(report["modules"]) | set(report["reads"])
    rels = set()
    for p in paths:
        path = Path(p)
        try:
            rels.add(path.resolve().relative_to(root.resolve()).as_posix())
        except ValueError:  # outside the repository: covered by the pinned requirements
            continue
    if report.get("spawned"):
        for pattern in SUBPROCESS_INPUTS:
            rels.update(p.relative_to(root).as_posix() for p in root.glob(pattern))
    return {rel: file_digest(root / rel) for rel in sorted(rels)}


# -- Outputs per edition -------------------------------------------------------------------------
def outputs_for(outputs: list, lang: str) -> list:
    """The outputs one edition shows: untagged ones, and the ones tagged with its language.

    Tagged text (a ``say`` line) becomes ordinary printed output, and consecutive printed
    outputs are merged, so the page reads as if the cell had printed in that language.
    """
    import nbformat

    kept = []
    for out in outputs:
        tag = out.get("metadata", {}).get("dlbook_lang")
        if tag is not None and tag != lang:
            continue
        if tag is not None and out.get("output_type") == "display_data" \
                and set(out.get("data", {})) == {"text/plain"}:
            out = nbformat.v4.new_output("stream", name="stdout", text=out["data"]["text/plain"])
        elif tag is not None:
            out = copy.deepcopy(out)
            del out["metadata"]["dlbook_lang"]
        if kept and out.get("output_type") == "stream" and kept[-1].get("output_type") == "stream" \
                and kept[-1].get("name") == out.get("name"):
            kept[-1] = nbformat.v4.new_output("stream", name=out["name"],
                                              text=kept[-1]["text"] + out["text"])
            continue
        kept.append(out)
    return kept


def edition(executed, lang: str):
    nb = copy.deepcopy(executed)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = outputs_for(cell.outputs, lang)
    return nb


def outputs_digest(nb) -> str:
    digest = hashlib.sha256()
    for cell in nb.cells:
        if cell.cell_type == "code":
            digest.update(json.dumps(cell.outputs, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def cache_dir(root: Path, lang: str) -> Path:
    return root / "_build" / ".jupyter_cache" / lang


def store(root: Path, page_nb, executed, lang: str, uri: str) -> str:
    """Put one edition's outputs into that edition's jupyter-cache; return their digest."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    nb = edition(executed, lang)
    cache = get_cache(str(cache_dir(root, lang)))
    cache.cache_notebook_bundle(CacheBundleIn(nb, uri, data={"execution_seconds": 0}),
                                check_validity=False, overwrite=True)
    return outputs_digest(nb)


def in_cache(root: Path, nb, lang: str) -> bool:
    from jupyter_cache import get_cache

    try:
        get_cache(str(cache_dir(root, lang))).match_cache_notebook(nb)
    except KeyError:
        return False
    return True


# -- Running one page ----------------------------------------------------------------------------
def run_page(root: str, source: str, log: str | None = None, timeout: int = CELL_TIMEOUT_S):
    """Execute one page in a fresh kernel (in a worker process); return the notebook and report.

    Returns ``(notebook_json, report, seconds, error)``; ``error`` is ``None`` on success or the
    failing cell's traceback.  The kernel's own messages (its stderr) go to ``log``.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(source)
    nb = read_notebook(path)
    work = copy.deepcopy(nb)
    work.cells.insert(0, nbformat.v4.new_code_cell(SETUP_CELL))
    work.cells.append(nbformat.v4.new_code_cell(REPORT_CELL))
    env = dict(os.environ, DLBOOK_ROOT=str(Path(root).resolve()), **THREAD_ENV)
    env.pop("DLBOOK_LANG", None)  # the build renders both languages itself
    env.pop("MPLBACKEND", None)   # the kernel's inline backend draws the figures
    client = NotebookClient(work, timeout=timeout, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(path.parent)}})
    if log is not None:  # this worker process runs one page at a time: its stderr is the kernel's
        Path(log).parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
    start = time.perf_counter()
    error = None
    try:
        client.execute(env=env)
    except CellExecutionError as exc:
        error = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))  # no terminal colours in the log
    except Exception as exc:  # a dead kernel, a timeout
        error = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - start
    report = {"modules": [], "reads": [], "spawned": True}
    if error is None:
        lines = [o.get("text", "") for o in work.cells[-1].outputs if o.get("name") == "stdout"]
        for line in "".join(lines).splitlines():
            if line.startswith("DLBOOK_DEPS "):
                report = json.loads(line[len("DLBOOK_DEPS "):])
    # Copy the outputs onto the page's own cells (the hidden cells go), numbering from 1.
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    ran = [c for c in work.cells[1:-1] if c.cell_type == "code"]
    for number, (ours, theirs) in enumerate(zip(code_cells, ran), start=1):
        ours.outputs = theirs.outputs
        ours.execution_count = number if theirs.execution_count is not None else None
    nb.metadata["language_info"] = work.metadata.get("language_info", {})
    return nbformat.writes(nb), report, seconds, error


# -- The whole book ------------------------------------------------------------------------------
@dataclasses.dataclass
class Job:
    page: Page
    lang: str            # the language whose source runs ("en", or "zh_TW" for a differing twin)
    serves: list         # the editions that take its outputs
    nb: object
    key: str
    reason: str


def plan(root: Path, pages: list[Page], force: bool = False) -> tuple[list[Job], list]:
    """Which pages must run (and for which editions), and which are up to date."""
    gkey = global_key(root)
    jobs, fresh = [], []
    for page in pages:
        nbs = {lang: read_notebook(src) for lang, src in page.sources.items()}
        keys = {lang: code_key(nb) for lang, nb in nbs.items()}
        groups = [["en"] + [lang for lang in nbs if lang != "en" and keys[lang] == keys["en"]]]
        groups += [[lang] for lang in nbs if lang != "en" and keys[lang] != keys["en"]]
        for group in groups:
            lang = group[0]
            record = load_record(root, page.name, lang)
            reason = "forced" if force else stale_reason(root, record, keys[lang], gkey)
            if reason is None:
                missing = [g for g in group if not in_cache(root, nbs[g], g)]
                if missing:
                    reason = f"not in the {'/'.join(missing)} cache"
            if reason is None:
                fresh.append((page.name, lang, record))
            else:
                jobs.append(Job(page, lang, group, nbs[lang], keys[lang], reason))
    return jobs, fresh


def execute(root: Path, jobs: list[Job], workers: int, log=print) -> list[dict]:
    """Run the jobs in a pool, longest (by the last recorded time) first; store and record."""
    import multiprocessing

    import nbformat

    gkey = global_key(root)
    order = sorted(jobs, key=lambda j: -(load_record(root, j.page.name, j.lang) or {})
                   .get("seconds", 60.0))
    results, failures = [], []
    ctx = multiprocessing.get_context("fork")
    with cf.ProcessPoolExecutor(max_workers=max(1, workers), mp_context=ctx) as pool:
        futures = {pool.submit(run_page, str(root), str(j.page.sources[j.lang]),
                               str(record_path(root, j.page.name, j.lang).with_suffix(".log"))): j
                   for j in order}
        for done, future in enumerate(cf.as_completed(futures), start=1):
            job = futures[future]
            nb_json, report, seconds, error = future.result()
            label = job.page.name + ("" if job.lang == "en" else f" ({job.lang})")
            flag = "  over the 90 s page budget" if seconds > PAGE_BUDGET_S else ""
            log(f"   [{done:2d}/{len(jobs)}] {label:34s} {seconds:6.1f} s{flag}"
                + ("  FAILED" if error else ""))
            if error is not None:
                failures.append((label, error))
                continue
            executed = nbformat.reads(nb_json, as_version=4)
            digests = {lang: store(root, job.nb, executed, lang, str(job.page.sources[lang]))
                       for lang in job.serves}
            record = {"code": job.key, "global": gkey, "inputs": inputs_of(root, report),
                      "seconds": round(seconds, 2), "editions": job.serves, "digest": digests,
                      "spawned": report.get("spawned", False),
                      "ran": time.strftime("%Y-%m-%d %H:%M:%S")}
            write_json_atomic(record_path(root, job.page.name, job.lang), record)
            results.append({"page": label, "seconds": round(seconds, 2)})
    for label, error in failures:
        log(f"\n== {label} failed:\n{error}")
    if failures:
        raise SystemExit(f"{len(failures)} page(s) failed: {', '.join(f[0] for f in failures)}")
    return results


def write_times(root: Path, pages: list[Page]) -> list[tuple[str, float]]:
    """The table of every page's last execution time, slowest first (``_build/page_times.json``)."""
    rows = []
    for page in pages:
        record = load_record(root, page.name)
        if record is not None:
            rows.append((page.name, record["seconds"], record.get("ran", "")))
    rows.sort(key=lambda r: -r[1])
    write_json_atomic(root / "_build" / "page_times.json",
                      {"budget_seconds": PAGE_BUDGET_S, "threads_per_page": 1,
                       "pages": [{"page": n, "seconds": s, "ran": r} for n, s, r in rows],
                       "total_seconds": round(sum(r[1] for r in rows), 1)})
    return [(n, s) for n, s, _ in rows]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="page names such as part1/activations")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--force", action="store_true", help="run even the up-to-date pages")
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    root = args.root.resolve()
    pages = discover(root, args.pages or None)
    jobs, fresh = plan(root, pages, args.force)
    print(f"== executing pages: {len(jobs)} to run, {len(fresh)} up to date "
          f"({args.jobs} at a time)")
    for job in jobs:
        print(f"   {job.page.name}: {job.reason}")
    start = time.perf_counter()
    execute(root, jobs, args.jobs)
    if jobs:
        print(f"   pages run: {len(jobs)} in {time.perf_counter() - start:.1f} s")
    rows = write_times(root, discover(root))
    slow = [(n, s) for n, s in rows if s > PAGE_BUDGET_S]
    if rows:
        print("   slowest pages: " + ", ".join(f"{n} {s:.0f} s" for n, s in rows[:5]))
    if slow:
        print(f"   over the {PAGE_BUDGET_S:.0f} s budget: " + ", ".join(n for n, _ in slow))
    return 0


if __name__ == "__main__":
    sys.exit(main())
