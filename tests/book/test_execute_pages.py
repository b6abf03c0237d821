"""tools/execute_pages.py: each twin pair runs once, each edition gets its own language, and a
change re-runs exactly the pages it can affect, so no page ever shows output of older code.

The tests build a scratch book with its own small ``dlbook`` (a copy of ``dlbook/bilingual.py``
plus two modules) and run the executor on it with real kernels.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


@pytest.fixture(scope="module")
def executor():
    spec = importlib.util.spec_from_file_location("execute_pages_for_test",
                                                  ROOT / "tools" / "execute_pages.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _page(title: str, code: list[str], prose: str = "Some prose.") -> str:
    cells = "\n".join(f"```{{code-cell}} ipython3\n{c}\n```\n" for c in code)
    return f"{HEADER}\n# {title}\n\n{prose}\n\n{cells}"


def _write_book(root: Path, pages: dict[str, list[str]], zh_prose: str = "一些文字。") -> None:
    for name, code in pages.items():
        for lang_dir, prose in (("en", "Some prose."), ("zh-TW", zh_prose)):
            path = root / "book" / lang_dir / f"{name}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_page(name, code, prose), encoding="utf-8")


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    pkg = tmp_path / "dlbook"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    shutil.copy2(ROOT / "dlbook" / "bilingual.py", pkg / "bilingual.py")
    (pkg / "alpha.py").write_text("VALUE = 1\n")
    (pkg / "beta.py").write_text("VALUE = 10\n")
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "lock.txt").write_text("numpy==2\n")
    (tmp_path / "tools").mkdir()
    shutil.copy2(ROOT / "tools" / "execute_pages.py", tmp_path / "tools" / "execute_pages.py")
    (tmp_path / "results.json").write_text('{"speed": 3}')
    # the kernel must import the scratch package, not the real one
    monkeypatch.setenv("PYTHONPATH", str(tmp_path) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    _write_book(tmp_path, {
        "a": ["from dlbook.alpha import VALUE\nfrom dlbook.bilingual import say, tr",
              "say(tr('value:', '數值：'), VALUE)"],
        "b": ["import json\nfrom dlbook.beta import VALUE",
              "print(VALUE, json.load(open('../../results.json'))['speed'])"],
        "c": ["import matplotlib.pyplot as plt\nfrom dlbook.bilingual import tr",
              "fig, ax = plt.subplots(figsize=(2, 1))\n"
              "ax.set_title(tr('loss', '損失'))\nplt.show()"],
    })
    return tmp_path


def _run(executor, root, capsys):
    executor.main(["--root", str(root), "--jobs", "2"])
    out = capsys.readouterr().out
    ran = sorted(line.split("]")[1].split()[0] for line in out.splitlines() if "/" in line
                 and line.strip().startswith("["))
    return ran, out


def _cached_outputs(executor, root, name, lang):
    from jupyter_cache import get_cache

    nb = executor.read_notebook(root / "book" / executor.LANG_DIRS[lang] / f"{name}.md")
    cache = get_cache(str(executor.cache_dir(root, lang)))
    _, merged = cache.merge_match_into_notebook(nb)
    return [o for c in merged.cells if c.cell_type == "code" for o in c.outputs]


def _text(outputs):
    return "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")


def test_each_edition_gets_its_language_and_changes_rerun_only_dependents(executor, scratch,
                                                                          capsys):
    if shutil.which("jupyter") is None and not (Path(sys.executable).parent / "jupyter").exists():
        pytest.skip("no Jupyter kernel available")
    ran, out = _run(executor, scratch, capsys)
    assert ran == ["a", "b", "c"], out

    # each edition shows its own language, and nothing else
    assert _text(_cached_outputs(executor, scratch, "a", "en")) == "value: 1\n"
    assert _text(_cached_outputs(executor, scratch, "a", "zh_TW")) == "數值： 1\n"
    pngs = {lang: [o for o in _cached_outputs(executor, scratch, "c", lang)
                   if "image/png" in o.get("data", {})] for lang in ("en", "zh_TW")}
    assert len(pngs["en"]) == len(pngs["zh_TW"]) == 1, "one figure per edition"
    en_png, zh_png = (base64.b64decode(pngs[lang][0]["data"]["image/png"])
                      for lang in ("en", "zh_TW"))
    assert en_png != zh_png, "the Chinese edition must get its own rendering of the figure"
    assert all("dlbook_lang" not in o.get("metadata", {}) for o in pngs["en"] + pngs["zh_TW"])

    # the record names what each page used
    record = json.loads((scratch / "_build" / "exec" / "a.json").read_text())
    assert "dlbook/alpha.py" in record["inputs"] and "dlbook/beta.py" not in record["inputs"]
    record_b = json.loads((scratch / "_build" / "exec" / "b.json").read_text())
    assert "results.json" in record_b["inputs"], record_b["inputs"]

    # nothing changed: nothing runs
    assert _run(executor, scratch, capsys)[0] == []

    # prose only: nothing runs
    _write_book(scratch, {"a": ["from dlbook.alpha import VALUE\nfrom dlbook.bilingual import "
                                "say, tr", "say(tr('value:', '數值：'), VALUE)"]},
                zh_prose="改寫過的文字。")
    assert _run(executor, scratch, capsys)[0] == []

    # a module edit re-runs exactly the page that imports it, with the new value
    (scratch / "dlbook" / "alpha.py").write_text("VALUE = 2  # edited\n")
    assert _run(executor, scratch, capsys)[0] == ["a"]
    assert _text(_cached_outputs(executor, scratch, "a", "zh_TW")) == "數值： 2\n"

    # a data file the page read re-runs the page that read it
    (scratch / "results.json").write_text('{"speed": 4}')
    assert _run(executor, scratch, capsys)[0] == ["b"]
    assert _text(_cached_outputs(executor, scratch, "b", "en")) == "10 4\n"

    # the bilingual module is imported by every page: editing it re-runs them all
    with open(scratch / "dlbook" / "bilingual.py", "a") as f:
        f.write("\n# edited\n")
    assert _run(executor, scratch, capsys)[0] == ["a", "b", "c"]


def test_outputs_for_keeps_untagged_and_merges_text(executor):
    import nbformat

    outs = [
        nbformat.v4.new_output("stream", name="stdout", text="plain\n"),
        nbformat.v4.new_output("display_data", data={"text/plain": "en line\n"},
                               metadata={"dlbook_lang": "en"}),
        nbformat.v4.new_output("display_data", data={"text/plain": "中文行\n"},
                               metadata={"dlbook_lang": "zh_TW"}),
        nbformat.v4.new_output("display_data", data={"image/png": "AAAA", "text/plain": "<Figure>"},
                               metadata={"dlbook_lang": "zh_TW"}),
        nbformat.v4.new_output("execute_result", data={"text/plain": "42"}, execution_count=1),
    ]
    zh = executor.outputs_for(outs, "zh_TW")
    assert [o["output_type"] for o in zh] == ["stream", "display_data", "execute_result"]
    assert zh[0]["text"] == "plain\n中文行\n"
    assert zh[1]["metadata"] == {}
    en = executor.outputs_for(outs, "en")
    assert [o["output_type"] for o in en] == ["stream", "execute_result"]
    assert en[0]["text"] == "plain\nen line\n"
