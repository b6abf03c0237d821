"""The Chinese edition's outputs are Chinese: figure texts and printed result lines.

Reads what the build stored for the Chinese edition (``_build/.jupyter_cache/zh_TW``, written by
tools/execute_pages.py) and flags English prose in it: figure texts (titles, labels, legends,
ticks) and lines printed to stdout. Code, identifiers, numbers, math and error messages may stay
as they are; an English gloss in parentheses after Chinese text is allowed.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = os.environ.get("DLBOOK_REQUIRE_SITE") == "1"
#: Single English words that, alone on a figure, are a label a Chinese reader should not get.
LABEL_WORDS = {
    "loss", "accuracy", "epoch", "epochs", "step", "steps", "iteration", "iterations", "value",
    "values", "error", "count", "frequency", "probability", "time", "density", "reward",
    "return", "episode", "episodes", "sample", "samples", "train", "training", "test",
    "validation", "true", "predicted", "prediction", "input", "output", "weight", "weights",
    "gradient", "layer", "class", "label", "word", "words", "length", "score", "distance", "cost",
    "rate", "size", "position", "index", "state", "action", "mean", "variance", "seconds",
    "speed", "original", "target", "noise", "image", "pixel", "pixels", "real", "fake",
    "generated", "perplexity", "tokens", "sequence", "model", "data", "baseline", "estimate",
}
WORD = r"[A-Za-z][a-z]+"


def _load_executor():
    spec = importlib.util.spec_from_file_location("execute_pages_zh", ROOT / "tools" /
                                                  "execute_pages.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _strip(text: str) -> str:
    text = re.sub(r"\$[^$]*\$", " ", text)                 # math
    text = re.sub(r"[(（][^()（）]*[)）]", " ", text)         # a gloss in parentheses
    text = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", " ", text)  # quoted strings and code
    return re.sub(r"\b\w+[_.]\w+\b|\b\w*\d\w*\b", " ", text)  # identifiers and numbers


def english_in_figure_text(text: str) -> bool:
    plain = _strip(text)
    if re.search(rf"\b{WORD}\s+{WORD}\b", plain):
        return True
    words = re.findall(WORD, plain)
    return len(words) == 1 and words[0].lower() in LABEL_WORDS and \
        not re.search(r"[\u3400-\u9fff]", text)


def english_in_printed_line(line: str) -> bool:
    if re.match(r"^\s*\w*(Error|Exception|Warning)\b", line):
        return False  # an error message is the code's own output
    plain = _strip(line)
    return re.search(rf"\b{WORD}\s+{WORD}\s+{WORD}\b", plain) is not None


def test_detectors():
    assert english_in_figure_text("Training loss")
    assert english_in_figure_text("loss")
    assert not english_in_figure_text("訓練損失")
    assert not english_in_figure_text("ReLU")
    assert not english_in_figure_text("學習率 (learning rate)")
    assert not english_in_figure_text("$\\alpha = 0.1$")
    assert english_in_printed_line("test accuracy of the model: 0.97")
    assert not english_in_printed_line("測試準確率：0.97")
    assert not english_in_printed_line("ValueError: x must have 2 dimensions, got shape (3,)")
    assert not english_in_printed_line("[0.1 0.2 0.3]")


def _pages():
    executor = _load_executor()
    return executor, executor.discover(ROOT)


@pytest.fixture(scope="module")
def zh_cache():
    executor, pages = _pages()
    cache_path = executor.cache_dir(ROOT, "zh_TW")
    if not cache_path.is_dir():
        if REQUIRED:
            pytest.fail("no Chinese execution cache: run `make book` first")
        pytest.skip("no Chinese execution cache: run `make book` first")
    from jupyter_cache import get_cache

    return executor, get_cache(str(cache_path))


PAGE_NAMES = [p.name for p in _pages()[1]]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_chinese_edition_outputs_are_chinese(zh_cache, name):
    executor, cache = zh_cache
    source = ROOT / "book" / "zh-TW" / f"{name}.md"
    nb = executor.read_notebook(source)
    try:
        _, merged = cache.merge_match_into_notebook(nb)
    except KeyError:
        pytest.fail(f"{name}: not in the Chinese execution cache (run `make book`)")
    problems = []
    for k, cell in enumerate(c for c in merged.cells if c.cell_type == "code"):
        for out in cell.outputs:
            if out.get("output_type") == "stream" and out.get("name") == "stdout":
                problems += [f"cell {k + 1} prints '{line.strip()[:70]}'"
                             for line in out["text"].splitlines()
                             if english_in_printed_line(line)]
            texts = out.get("metadata", {}).get("dlbook_texts")
            if texts:
                problems += [f"cell {k + 1} figure text '{t[:50]}'" for t in texts
                             if english_in_figure_text(t)]
    assert not problems, f"{name}: English in the Chinese edition: " + "; ".join(problems[:10])
