"""Chinese prose must not be hard-wrapped inside a paragraph.

A line break between two Chinese characters renders as a stray space in the browser (HTML turns
the newline into a space, and Chinese has no spaces between words), so zh-TW paragraphs are
written one line each.
"""

import re

import pytest

from tests.book.twins import BOOK

CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
BLOCK_START = re.compile(r"^(\s*([-*+]|\d+\.)\s|#|\||```|~~~|:::|\$\$|\{|\(|<|>|:)")


def wrapped_lines(text: str) -> list[int]:
    lines = text.splitlines()
    found, fence = [], None
    for i, line in enumerate(lines[:-1]):
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence):
                fence = None
            continue
        match = re.match(r"^(`{3,}|~{3,})", stripped)
        if match:
            fence = match.group(1)
            continue
        nxt = lines[i + 1]
        if (re.search(CJK + r"$", line.rstrip()) and re.match(r"^\s*" + CJK, nxt)
                and not BLOCK_START.match(nxt)):
            found.append(i + 1)
    return found


PAGES = sorted((BOOK / "zh-TW").rglob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(BOOK)) for p in PAGES])
def test_no_hard_wrapped_chinese(page):
    lines = wrapped_lines(page.read_text(encoding="utf-8"))
    assert not lines, f"{page.name}: Chinese paragraph broken across lines at {lines[:10]}"


def test_detector():
    assert wrapped_lines("第一行的中文\n接著第二行\n") == [1]
    assert wrapped_lines("中文段落\n\n下一段\n") == []
    assert wrapped_lines("```\n程式中\n的中文\n```\n") == []
    assert wrapped_lines("清單：\n- 第一項\n") == []


# Mainland usages, and synonyms the book avoids, with the terms it uses (STYLE.md, glossary).
MAINLAND = {
    r"智能體": "代理人",
    r"激活": "激勵",
    r"(?<!演)算法": "演算法",
    r"網絡": "網路",
    r"信息": "資訊",
    r"默認": "預設",
    r"數據集": "資料集",
    r"軟件": "軟體",
    r"硬件": "硬體",
    r"內存": "記憶體",
    r"(?<!不)變量": "變數",
    r"視頻": "影片",
    r"圖像": "影像",
    r"魯棒": "穩健",
    r"模塊": "模組",
    r"調用": "呼叫",
    r"字符": "字元",
    r"批量": "批次",
    r"歸一化": "正規化",
    r"代碼": "程式碼",
    r"概率": "機率",
    # synonyms the book does not use (one term per concept, as in the glossary)
    r"仿射轉換": "仿射變換",
    r"存檔點": "檢查點",
    r"提早停止": "提前停止",
    r"過濾器": "濾波器",
    r"填補": "填充",
}


def mainland_terms(text: str) -> list[str]:
    prose = re.sub(r"```.*?```", "", text, flags=re.S)  # code cells are shared with en
    found = []
    for pattern, taiwan in MAINLAND.items():
        for match in re.finditer(pattern, prose):
            context = prose[max(0, match.start() - 8): match.end() + 8].replace("\n", " ")
            found.append(f"{match.group(0)} -> {taiwan} in '…{context}…'")
    return found


ALLOWED_MENTIONS = {"glossary.md"}  # the glossary names the variants it rejects


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(BOOK)) for p in PAGES])
def test_taiwan_usage(page):
    if page.name in ALLOWED_MENTIONS:
        return
    found = mainland_terms(page.read_text(encoding="utf-8"))
    assert not found, f"{page.name}: " + "; ".join(found[:8])


def test_mainland_detector():
    assert mainland_terms("這個演算法很好") == []
    assert mainland_terms("這個算法很好")
    assert mainland_terms("```\n# 智能體 in a code cell\n```\n") == []
