"""Sphinx configuration shared by both language trees of the book.

The Makefile builds each language on its own:

    sphinx-build -c . -D language=en    book/en    _build/en/html
    sphinx-build -c . -D language=zh_TW book/zh-TW _build/zh-TW/html

``-D language=...`` is applied after this file runs, so everything that depends on the language
is set in the ``config-inited`` hook at the bottom (see shared/FACTS.md).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

import dlbook  # noqa: E402  (after the path is set, for autodoc)

# -- Project -------------------------------------------------------------------------------------
project = "dlbook"
author = "The dlbook authors"
copyright = "2026, The dlbook authors"
version = release = dlbook.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_copybutton",
    "sphinx_togglebutton",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", ".venv"]
suppress_warnings = ["mystnb.unknown_mime_type"]

# -- The two languages ---------------------------------------------------------------------------
# Sphinx language code -> the folder of book/ (and of the site) that holds it, and its name.
LANGUAGES = {
    "en": {"dir": "en", "name": "English", "switch_label": "English"},
    "zh_TW": {"dir": "zh-TW", "name": "繁體中文", "switch_label": "中文"},
}
language = "en"

# -- Executing the pages -------------------------------------------------------------------------
# Pages are executed before Sphinx runs, by tools/execute_pages.py: in parallel, once per twin
# pair (the English and the Chinese page have identical code), and only when something the page
# used has changed (its code, a dlbook module it imported, a file it read, a pinned version).
# Each run produces every figure and result line in both languages; the executor stores each
# edition's outputs in that edition's jupyter-cache, which myst-nb reads here ("cache" mode, keyed
# on the code cells).  The Makefile fails the build if Sphinx had to execute a page itself.
# DLBOOK_BUILD_DIR lets a preview build (tools/preview.py) keep its own executions.
BUILD_ROOT = Path(os.environ.get("DLBOOK_BUILD_DIR", ROOT / "_build"))
CACHE_ROOT = BUILD_ROOT / ".jupyter_cache"
EXEC_RECORDS = BUILD_ROOT / "exec"

nb_execution_mode = "cache"
nb_execution_cache_path = str(CACHE_ROOT / "en")  # set per language in _on_config_inited
nb_execution_timeout = 300  # seconds per cell; a hanging cell fails the build
nb_execution_raise_on_error = True  # a cell error fails the build
nb_execution_show_tb = True
nb_merge_streams = True

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# -- HTML ----------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = f"dlbook {version}"
html_static_path = [str(ROOT / "book" / "_static")]
templates_path = [str(ROOT / "book" / "_templates")]
html_css_files = ["dlbook.css"]
html_last_updated_fmt = None
html_copy_source = True
html_theme_options = {
    "use_download_button": True,
    "use_fullscreen_button": True,
    "show_toc_level": 2,
    "article_header_end": ["lang-switch.html", "article-header-buttons.html"],
    "extra_footer": f"<p>dlbook {version}</p>",
}
html_context = {}

autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_member_order = "bysource"
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False

# MathJax 3 from a local copy: the site must render math with no internet (the default
# mathjax_path points at a CDN).  PyPI's django-static-mathjax ships MathJax 3.2.2's files (it
# needs no Django); build-finished copies the browser build into _static/mathjax/.
mathjax_path = "mathjax/tex-mml-chtml.js"
MATHJAX_PARTS = ["tex-mml-chtml.js", "input", "output", "ui", "a11y", "sre", "adaptors"]

copybutton_prompt_text = r">>> |\.\.\. "
copybutton_prompt_is_regexp = True


# -- Language-dependent settings (run after -D language=...) -------------------------------------
def _on_config_inited(app, config):
    lang = config.language
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {sorted(LANGUAGES)}, got {lang!r}")
    if lang == "zh_TW":
        # Sphinx needs jieba to index Chinese at all, and a user dictionary so that compound
        # terms such as 梯度下降 are kept whole (shared/FACTS.md).
        import jieba  # noqa: F401  (fail loudly rather than silently index nothing)

        config.html_search_language = "zh"
        config.html_search_options = {"dict": str(_write_search_dictionary())}
    config.html_context["dlbook_language"] = lang
    config.nb_execution_cache_path = str(CACHE_ROOT / lang)


def _copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    import mathjax  # from django-static-mathjax

    source = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        src = source / part
        if src.is_dir():
            shutil.copytree(src, target / part, dirs_exist_ok=True)
        elif src.is_file():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target / part)


def glossary_terms(lang_dir: str = "zh-TW") -> list[tuple[str, str]]:
    """Return the (zh-TW, English) pairs of the glossary page of one language tree."""
    text = (ROOT / "book" / lang_dir / "glossary.md").read_text(encoding="utf-8")
    pairs = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or set(cells[0]) <= {"-", " "} or cells[0] in ("中文", "English"):
            continue
        zh, en = cells if lang_dir.startswith("zh") else cells[::-1]
        pairs.append((zh, en))
    return pairs


def _write_search_dictionary() -> Path:
    """jieba user dictionary made from the glossary, so that 梯度下降 is indexed as one word.

    The glossary is the authority on terms; a term added there becomes searchable.  Terms with
    spaces (``Q 學習``) cannot be jieba entries and are left to the default segmentation.
    """
    path = BUILD_ROOT / "search_dict_zh.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    terms = sorted({zh for zh, _ in glossary_terms() if " " not in zh and len(zh) > 1})
    path.write_text("".join(f"{term} 50 n\n" for term in terms), encoding="utf-8")
    return path


def execution_digest(docname: str, lang: str) -> str | None:
    """The digest of the outputs tools/execute_pages.py stored for one page and edition."""
    for suffix in ("", f".{lang}"):
        path = EXEC_RECORDS / f"{docname}{suffix}.json"
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            continue
        if lang in record.get("digest", {}):
            return record["digest"][lang]
    return None


def _on_env_get_outdated(app, env, added, changed, removed):
    """Re-read the pages whose stored outputs changed although their Markdown did not.

    A page re-executed because a dlbook module it imports changed has the same source file, so
    Sphinx would keep its old doctree; comparing the executor's digest of the outputs with the
    one recorded when the page was last read catches it.
    """
    seen = getattr(env, "dlbook_exec_digests", {})
    lang = app.config.language
    outdated = []
    for docname in env.found_docs:
        if docname in added or docname in changed or docname not in seen:
            continue
        if execution_digest(docname, lang) != seen[docname]:
            outdated.append(docname)
    return outdated


def _on_source_read(app, docname, source):
    if not hasattr(app.env, "dlbook_exec_digests"):
        app.env.dlbook_exec_digests = {}
    app.env.dlbook_exec_digests[docname] = execution_digest(docname, app.config.language)


def _on_env_purge_doc(app, env, docname):
    getattr(env, "dlbook_exec_digests", {}).pop(docname, None)


def _on_env_merge_info(app, env, docnames, other):
    if not hasattr(env, "dlbook_exec_digests"):
        env.dlbook_exec_digests = {}
    for docname in docnames:
        if docname in getattr(other, "dlbook_exec_digests", {}):
            env.dlbook_exec_digests[docname] = other.dlbook_exec_digests[docname]


# -- Sphinx 9.0.4's Chinese search bug -----------------------------------------------------------
def _fixed_chinese_search():
    """Return a Chinese search language whose JavaScript stemmer is defined.

    Sphinx 9.0.4 writes ``window.Stemmer = ChineseStemmer;`` into language_data.js, but the
    stemmer it ships for Chinese is the English one (Latin words in Chinese text are stemmed as
    English), so every search in a browser fails with ``ReferenceError: Stemmer is not defined``
    (sphinx-doc/sphinx#14229).  The JS name is built from ``language_name``; naming the English
    stemmer fixes it without changing how the index is built.  Remove once Sphinx > 9.0.4.
    """
    from sphinx.search.zh import SearchChinese

    class SearchChineseFixed(SearchChinese):
        language_name = "English"  # the JS stemmer actually loaded is english-stemmer.js

    return SearchChineseFixed


# -- Page context: language switch and .ipynb download -------------------------------------------
def _other_language(lang: str) -> str:
    return next(code for code in LANGUAGES if code != lang)


def _on_page_context(app, pagename, templatename, context, doctree):
    lang = app.config.language
    other = _other_language(lang)
    depth = pagename.count("/")
    # Site layout: <site>/en/<page>.html and <site>/zh-TW/<page>.html
    up = "../" * (depth + 1)
    context["dlbook_lang_switch"] = {
        "url": f"{up}{LANGUAGES[other]['dir']}/{pagename}.html",
        "label": LANGUAGES[other]["switch_label"],
        "lang": other.replace("_", "-"),
    }
    context["dlbook_version"] = version

    # A real .ipynb for every page: jupytext turns the MyST source into a notebook, and the
    # outputs this edition shows are merged in from its execution cache (the one the page was
    # rendered from; myst-nb's own copy in jupyter_execute/ carries no outputs in cache mode).
    source = Path(app.env.doc2path(pagename))
    if source.suffix == ".md" and _is_notebook_page(source):
        target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
        _write_notebook(source, Path(app.config.nb_execution_cache_path), target)
        context["ipynb_source"] = f"{pagename}.ipynb"


def _is_notebook_page(source: Path) -> bool:
    head = source.read_text(encoding="utf-8")[:600]
    return head.startswith("---") and "kernelspec" in head


def _write_notebook(source: Path, cache_path: Path, target: Path) -> None:
    import jupytext
    import nbformat
    from jupyter_cache import get_cache

    nb = jupytext.read(source, fmt="md:myst")
    if cache_path.is_dir():
        try:
            _, nb = get_cache(str(cache_path)).merge_match_into_notebook(nb)
        except KeyError:  # not in the cache: the download is the notebook without outputs
            pass
    nb.metadata.pop("jupytext", None)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".ipynb.tmp")
    nbformat.write(nb, tmp)
    os.replace(tmp, target)


# -- Redirects for pages that moved ----------------------------------------------------------------
# book/redirects.json maps an old page name to its new one ({"part7/dp": "part6/dp"}); the build
# writes a small HTML page at the old address that forwards to the new one, so old links resolve.
REDIRECTS_FILE = ROOT / "book" / "redirects.json"


def redirects() -> dict[str, str]:
    if not REDIRECTS_FILE.exists():
        return {}
    return json.loads(REDIRECTS_FILE.read_text(encoding="utf-8"))


def redirect_html(old: str, new: str) -> str:
    """The page written at ``old``: a link and an instant refresh to ``new`` (relative)."""
    target = "../" * old.count("/") + f"{new}.html"
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f'<meta http-equiv="refresh" content="0; url={target}">'
            f'<link rel="canonical" href="{target}"><title>{new}</title></head>'
            f'<body><p><a href="{target}">{target}</a></p></body></html>\n')


def _write_redirects(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for old, new in redirects().items():
        if (Path(app.srcdir) / f"{old}.md").exists():
            raise ValueError(f"book/redirects.json redirects {old!r}, which is still a page")
        path = Path(app.outdir) / f"{old}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(redirect_html(old, new), encoding="utf-8")


def setup(app):
    app.add_search_language(_fixed_chinese_search())
    app.connect("config-inited", _on_config_inited)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("source-read", _on_source_read)
    app.connect("env-purge-doc", _on_env_purge_doc)
    app.connect("env-merge-info", _on_env_merge_info)
    app.connect("build-finished", _copy_mathjax)
    app.connect("build-finished", _write_redirects)
    app.connect("html-page-context", _on_page_context, priority=400)
    return {"parallel_read_safe": True}

