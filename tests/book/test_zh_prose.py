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


# Words the book does not use, with the term it uses instead.  Every replacement is a term of
# the glossary (the authority: test_replacements_are_glossary_terms), or a spelling rule.
AVOID = {
    # mainland usages
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
    r"窗口": "視窗",
    r"誤差棒": "誤差線",
    r"採樣": "取樣",
    r"循環神經網路": "遞迴神經網路",
    r"(?<!集)束搜尋": "集束搜尋",
    r"(?<!集)束寬": "集束寬度",
    r"優化(?!器)": "最佳化",
    r"講義": "課程筆記",
    r"程式格|(?<!程式碼)(?<!碼)儲存格": "程式碼儲存格",
    r"第[一二三四五六七八九十]篇": "第X部",
    r"(?:作業系統的|多個|每個|子)程序": "行程",
    # synonyms the book does not use (one term per concept, as in the glossary)
    r"仿射轉換": "仿射變換",
    r"存檔點": "檢查點",
    r"提早停止": "提前停止",
    r"過濾器": "濾波器",
    r"填補": "填充",
}
# English words that have a glossary term: in Chinese prose they appear only in parentheses
# after the term, or as code.
BARE_ENGLISH = {"epoch": "訓練週期", "epochs": "訓練週期", "dropout": "丟棄法",
                "autograd": "自動微分"}
CODE_DIRECTIVES = ("{code-cell}", "{code-block}", "{code}", "{literalinclude}", "{math}")


def prose(text: str) -> str:
    """The prose of a page that readers see: code cells, code blocks, math blocks and directive
    option lines removed (admonitions and other directives keep their text)."""
    out, code_fence, directive_fences = [], None, []
    for line in text.splitlines():
        stripped = line.strip()
        fence = re.match(r"^(`{3,}|~{3,})(.*)$", stripped)
        if code_fence is not None:
            if fence and not fence.group(2).strip() and fence.group(1)[0] == code_fence[0] \
                    and len(fence.group(1)) >= len(code_fence):
                code_fence = None
            continue
        if fence:
            marker, info = fence.group(1), fence.group(2).strip()
            if directive_fences and not info and marker == directive_fences[-1]:
                directive_fences.pop()  # the end of an admonition: its text was kept
            elif info.startswith("{") and not info.startswith(CODE_DIRECTIVES):
                directive_fences.append(marker)
            else:
                code_fence = marker
            continue
        if stripped.startswith(":::") or re.match(r"^:[a-z-]+:", stripped):
            continue  # a colon fence, or a directive's option line
        out.append(line)
    return "\n".join(out)


def _without_code_and_math(text: str) -> str:
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    return re.sub(r"\$[^$]*\$", " ", text)


def avoided_terms(text: str) -> list[str]:
    body = prose(text)
    found = []
    for pattern, preferred in AVOID.items():
        for match in re.finditer(pattern, body):
            context = body[max(0, match.start() - 8): match.end() + 8].replace("\n", " ")
            found.append(f"{match.group(0)} -> {preferred} in '…{context}…'")
    plain = _without_code_and_math(body)
    for word, term in BARE_ENGLISH.items():
        for match in re.finditer(rf"(?<![A-Za-z_./]){word}(?![A-Za-z_./])", plain):
            before = plain[:match.start()]
            opened = max(before.rfind("（"), before.rfind("("))
            closed = max(before.rfind("）"), before.rfind(")"))
            if opened > closed:  # inside parentheses: the English gloss of a term
                continue
            context = plain[max(0, match.start() - 8): match.end() + 8].replace("\n", " ")
            found.append(f"bare '{match.group(0)}' -> {term} in '…{context}…'")
    return found


ALLOWED_MENTIONS = {"glossary.md"}  # the glossary names the variants it rejects


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(BOOK)) for p in PAGES])
def test_taiwan_usage(page):
    if page.name in ALLOWED_MENTIONS:
        pytest.skip("the glossary names the variants it rejects")
    found = avoided_terms(page.read_text(encoding="utf-8"))
    assert not found, f"{page.name}: " + "; ".join(found[:8])


def test_term_detector():
    assert avoided_terms("這個演算法很好") == []
    assert avoided_terms("這個算法很好")
    assert avoided_terms("```{code-cell} ipython3\n# 智能體 in a code cell\n```\n") == []
    assert avoided_terms("````{admonition} 解答\n:class: dropdown\n智能體\n````\n")
    assert avoided_terms("```{admonition} 解答\n:class: dropdown\n代理人\n```\n\n後來的智能體")
    assert avoided_terms("優化器很好") == [] and avoided_terms("一個優化問題")
    assert avoided_terms("訓練週期（epoch）") == [] and avoided_terms("每個 epoch 之後")
    assert avoided_terms("用 `dropout` 參數") == []
    assert avoided_terms("集束搜尋與集束寬度") == [] and avoided_terms("束搜尋")


def test_replacements_are_glossary_terms():
    import importlib.util

    spec = importlib.util.spec_from_file_location("dlbook_conf", BOOK.parent / "conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    glossary = {zh for zh, _ in conf.glossary_terms("zh-TW")}
    text = (BOOK / "zh-TW" / "glossary.md").read_text(encoding="utf-8")
    rules = {"第X部", "正規化", "程式碼", "影片", "記憶體", "硬體", "軟體", "資訊", "預設", "呼叫",
             "字元", "變數", "穩健", "模組", "網路", "激勵", "演算法", "影像", "機率", "資料集",
             "批次", "仿射變換", "提前停止"}
    missing = sorted(t for t in set(AVOID.values()) | set(BARE_ENGLISH.values())
                     if t not in rules and t not in glossary and t not in text)
    assert not missing, f"replacement terms missing from the glossary: {missing}"
