"""conf.py: Sphinx reads the executor's stored outputs, re-reads re-executed pages, and links
every page to its twin."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def conf():
    spec = importlib.util.spec_from_file_location("dlbook_conf_for_test", ROOT / "conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sphinx_reads_executions_and_never_runs_pages(conf):
    assert conf.nb_execution_mode == "cache"
    assert conf.nb_execution_raise_on_error is True
    assert Path(conf.nb_execution_cache_path).parent == conf.CACHE_ROOT


def test_a_page_whose_outputs_changed_is_read_again(conf, tmp_path, monkeypatch):
    """A page re-executed because a module it imports changed keeps its Markdown, so Sphinx's
    own mtime check would keep the old doctree; the executor's output digest catches it."""
    monkeypatch.setattr(conf, "EXEC_RECORDS", tmp_path)
    (tmp_path / "part1").mkdir()
    record = tmp_path / "part1" / "a.json"
    record.write_text('{"digest": {"en": "111", "zh_TW": "222"}}')

    class App:
        class config:
            language = "zh_TW"

        env = type("Env", (), {})()

    conf._on_source_read(App, "part1/a", [""])
    assert App.env.dlbook_exec_digests == {"part1/a": "222"}
    env = App.env
    env.found_docs = {"part1/a", "index"}
    assert conf._on_env_get_outdated(App, env, set(), set(), set()) == []
    record.write_text('{"digest": {"en": "111", "zh_TW": "333"}}')
    assert conf._on_env_get_outdated(App, env, set(), set(), set()) == ["part1/a"]


def test_language_switch_points_at_the_twin(conf):
    class App:
        class config:
            language = "zh_TW"

        outdir = "/nonexistent"

        class env:
            @staticmethod
            def doc2path(name):
                return Path("/nonexistent") / f"{name}.rst"

    context = {}
    conf._on_page_context(App, "part1/perceptron", "page.html", context, None)
    assert context["dlbook_lang_switch"]["url"] == "../../en/part1/perceptron.html"
    App.config.language = "en"
    conf._on_page_context(App, "index", "page.html", context, None)
    assert context["dlbook_lang_switch"]["url"] == "../zh-TW/index.html"


def test_redirect_page_points_to_the_new_address(conf):
    html = conf.redirect_html("part7/dp", "part6/dp")
    assert 'url=../part6/dp.html' in html and 'href="../part6/dp.html"' in html
    for old, new in conf.redirects().items():
        assert (ROOT / "book" / "en" / f"{new}.md").exists(), f"{old} redirects to a missing page"
        assert not (ROOT / "book" / "en" / f"{old}.md").exists(), f"{old} is still a page"
