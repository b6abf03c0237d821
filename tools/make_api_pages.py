#!/usr/bin/env python3
"""Regenerate book/en/api.md and book/zh-TW/api.md from the modules of dlbook.

Run after adding a module: ``.venv/bin/python tools/make_api_pages.py``.
tests/test_package.py fails while a module is missing from either page.
"""

from __future__ import annotations

import pkgutil
from pathlib import Path

import dlbook

ROOT = Path(__file__).resolve().parents[1]
PARTS = {
    "utils": ("Utilities", "工具"),
    "data": ("Data", "資料"),
    "nn": ("Part 1 — Neural networks (`dlbook.nn`)", "第一部　神經網路（`dlbook.nn`）"),
    "cnn": ("Part 2 — Computer vision (`dlbook.cnn`)", "第二部　電腦視覺（`dlbook.cnn`）"),
    "nlp": ("Sequences and language (`dlbook.nlp`)", "序列與語言（`dlbook.nlp`）"),
    "transformer": ("Part 4 — Transformer (`dlbook.transformer`)",
                    "第四部　Transformer（`dlbook.transformer`）"),
    "generative": ("Part 5 — Generative models (`dlbook.generative`)",
                   "第五部　生成模型（`dlbook.generative`）"),
    "rl": ("Parts 6 and 7 — Reinforcement learning and dynamic programming (`dlbook.rl`)",
           "第六、七部　強化學習與動態規劃（`dlbook.rl`）"),
}
INTRO = {
    "en": ("# API reference\n\nEvery public function and class of `dlbook`, generated from the "
           "docstrings of the installed package. Each entry gives the shapes it expects, the "
           "formula it computes, and an example that the test suite runs as a doctest. A NumPy "
           "reference `X` and its PyTorch counterpart `X_torch` share their public names."),
    "zh-TW": ("# API 參考\n\n`dlbook` 所有公開的函式與類別，由套件的說明文件（docstring）自動產生。"
              "每一項都寫明它需要的形狀、計算的公式，以及一個會被測試套件當作 doctest 執行的例子。"
              "NumPy 參考實作 `X` 與 PyTorch 版本 `X_torch` 的公開名稱相同。\n\n"
              "說明文件本身以英文撰寫；術語的中文譯名請見{ref}`glossary`。"),
}


def modules() -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for info in pkgutil.walk_packages(dlbook.__path__, prefix="dlbook."):
        if info.ispkg:
            continue
        parts = info.name.split(".")
        part = parts[1] if len(parts) > 2 else "utils"
        grouped.setdefault(part, []).append(info.name)
    return grouped


def page(lang: str) -> str:
    index = 0 if lang == "en" else 1
    lines = ["(api)=", INTRO[lang], ""]
    grouped = modules()
    for part, titles in PARTS.items():
        if part not in grouped:
            continue
        lines += [f"## {titles[index]}", ""]
        for name in sorted(grouped[part]):
            lines += ["```{eval-rst}", f".. automodule:: {name}", "```", ""]
    return "\n".join(lines)


def main() -> None:
    for lang in ("en", "zh-TW"):
        (ROOT / "book" / lang / "api.md").write_text(page(lang), encoding="utf-8")


if __name__ == "__main__":
    main()
