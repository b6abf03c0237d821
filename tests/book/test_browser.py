"""The built site, in a real browser: Chinese search, the language switch, figures and math.

Drives Debian's chromium (headless) through Playwright against the site that ``make book`` built,
served on localhost.  ``make test`` builds the site first and sets DLBOOK_REQUIRE_SITE=1, so a
missing site or browser fails there instead of skipping.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("DLBOOK_SITE_DIR", ROOT / "_build" / "site"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRED = os.environ.get("DLBOOK_REQUIRE_SITE") == "1"
CHAPTER = "part1/perceptron"  # a page with a figure and display math in both languages

pytestmark = pytest.mark.browser


def _missing(what: str):
    if REQUIRED:
        pytest.fail(f"{what} (make test builds the site and installs chromium first)")
    pytest.skip(what)


@pytest.fixture(scope="module")
def site_url():
    if not (SITE / "zh-TW" / "index.html").is_file():
        _missing(f"no built site at {SITE}: run `make book`")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SITE))

    class QuietHandler(handler.func):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(SITE))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        _missing("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    yield page
    context.close()


@pytest.mark.parametrize("term", ["梯度下降", "激勵函數", "損失函數", "反向傳播"])
def test_chinese_search_finds_compound_terms(site_url, page, term):
    page.goto(f"{site_url}/zh-TW/search.html?q={quote(term)}")
    # Sphinx shows results one by one and retitles the list ("Search Results", translated)
    # only when the last one is shown.
    page.wait_for_function(
        "() => { const h = document.querySelector('#search-results h2');"
        " return h !== null && h.innerText === Documentation.gettext('Search Results'); }",
        timeout=30_000,
    )
    results = page.locator("#search-results ul.search li")
    assert results.count() >= 1, f"no results for {term}"
    text = page.locator("#search-results").inner_text()
    assert "術語表" in text, f"the glossary should be among the results for {term}: {text[:300]}"
    assert page.js_errors == [], page.js_errors


def test_zh_page_is_marked_chinese_and_switches_to_its_english_twin(site_url, page):
    page.goto(f"{site_url}/zh-TW/{CHAPTER}.html")
    assert page.locator("html").get_attribute("lang") == "zh-TW"
    page.locator("a.dlbook-lang-switch").click()
    page.wait_for_url(f"**/en/{CHAPTER}.html")
    assert page.locator("html").get_attribute("lang") == "en"
    # and back again
    page.locator("a.dlbook-lang-switch").click()
    page.wait_for_url(f"**/zh-TW/{CHAPTER}.html")
    assert page.js_errors == [], page.js_errors


@pytest.mark.parametrize("lang", ["zh-TW", "en"])
def test_chapter_shows_a_figure_and_rendered_math(site_url, page, lang):
    page.goto(f"{site_url}/{lang}/{CHAPTER}.html")
    figure = page.locator("div.cell_output img").first
    figure.wait_for(timeout=20_000)
    width = figure.evaluate("img => img.complete ? img.naturalWidth : 0")
    assert width > 100, f"the first figure did not load (naturalWidth={width})"
    math = page.locator("mjx-container")
    math.first.wait_for(timeout=20_000)  # MathJax ran, from the site's own copy
    assert math.count() >= 1
    assert page.js_errors == [], page.js_errors


def test_every_page_offers_a_notebook_download(site_url, page):
    page.goto(f"{site_url}/en/{CHAPTER}.html")
    link = page.locator("a[href$='.ipynb']").first
    href = link.get_attribute("href")
    response = page.request.get(f"{site_url}/en/{CHAPTER}.html".rsplit("/", 1)[0] + "/" + href)
    assert response.ok, href
    notebook = response.json()
    assert notebook["nbformat"] == 4
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert code and any(c.get("outputs") for c in code), \
        "the notebook should carry the build's outputs"


TESSERACT = shutil.which("tesseract")


def _figure_texts(lang_dir: str, page: str) -> list[list[str]]:
    """The texts drawn on each figure of a page's edition, in order (from the build's cache)."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("execute_pages_browser",
                                                  ROOT / "tools" / "execute_pages.py")
    executor = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = executor
    spec.loader.exec_module(executor)
    from jupyter_cache import get_cache

    lang = {"en": "en", "zh-TW": "zh_TW"}[lang_dir]
    nb = executor.read_notebook(ROOT / "book" / lang_dir / f"{page}.md")
    _, merged = get_cache(str(executor.cache_dir(ROOT, lang))).merge_match_into_notebook(nb)
    return [out.get("metadata", {}).get("dlbook_texts", [])
            for cell in merged.cells if cell.cell_type == "code" for out in cell.outputs
            if "image/png" in out.get("data", {})]


def _similar(expected: str, seen: str) -> float:
    """Share of the expected characters that OCR read, in order (longest common subsequence)."""
    a, b = expected, "".join(seen.split())
    row = [0] * (len(b) + 1)
    for ch in a:
        prev = 0
        for j, other in enumerate(b, start=1):
            prev, row[j] = row[j], prev + 1 if ch == other else max(row[j], row[j - 1])
    return row[-1] / len(a)


def test_chinese_figure_labels_are_chinese_glyphs(site_url, browser, tmp_path):
    """A figure of the Chinese edition, as the browser shows it, read back by OCR: its title is
    the Chinese text the page gave it (drawn with a Chinese font, not as empty boxes)."""
    if TESSERACT is None:
        _missing("tesseract (Debian tesseract-ocr, tesseract-ocr-chi-tra) is not installed")
    import subprocess

    texts = _figure_texts("zh-TW", CHAPTER)
    cjk = re.compile(r"^[\u3400-\u9fff\uff0c\u3001\uff08\uff09]{4,}$")
    target = next(((k, t) for k, ts in enumerate(texts) for t in ts if cjk.match(t)), None)
    assert target is not None, f"no figure of zh-TW/{CHAPTER} has a Chinese text of 4+ characters"
    k, title = target
    context = browser.new_context(device_scale_factor=3)
    page = context.new_page()
    page.goto(f"{site_url}/zh-TW/{CHAPTER}.html")
    figure = page.locator("div.cell_output img").nth(k)
    figure.wait_for(timeout=20_000)
    figure.scroll_into_view_if_needed()
    shot = tmp_path / "figure.png"
    figure.screenshot(path=str(shot))
    context.close()
    read = subprocess.run([TESSERACT, str(shot), "-", "-l", "chi_tra"], capture_output=True,
                          text=True, timeout=120).stdout
    assert _similar(title, read) >= 0.75, f"OCR of the figure read {read!r}, expected {title!r}"
    english = _figure_texts("en", CHAPTER)[k]
    assert title not in english, "the English edition's figure should not carry Chinese text"
