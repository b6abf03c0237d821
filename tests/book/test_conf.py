"""conf.py's rules for the execution cache: a change to dlbook re-executes the pages."""

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


def _tree(root: Path) -> None:
    (root / "dlbook" / "nn").mkdir(parents=True)
    (root / "dlbook" / "nn" / "act.py").write_text("def f(x):\n    return x\n")
    (root / "requirements").mkdir()
    (root / "requirements" / "lock.txt").write_text("numpy==2.4.6\n")
    (root / "book" / "en").mkdir(parents=True)
    (root / "book" / "en" / "page.md").write_text("# Page\n")


def test_cache_key_follows_the_package_not_the_prose(conf, tmp_path, monkeypatch):
    _tree(tmp_path)
    monkeypatch.setattr(conf, "ROOT", tmp_path)
    before = conf._hash_sources()
    (tmp_path / "book" / "en" / "page.md").write_text("# Page, reworded\n")
    assert conf._hash_sources() == before, "a prose edit must not invalidate executed pages"
    (tmp_path / "dlbook" / "nn" / "act.py").write_text("def f(x):\n    return 2 * x\n")
    after_code = conf._hash_sources()
    assert after_code != before, "a change to dlbook must re-execute the pages"
    (tmp_path / "requirements" / "lock.txt").write_text("numpy==2.5.0\n")
    after_lock = conf._hash_sources()
    assert after_lock != after_code, "a new pinned version must re-execute the pages"
    (tmp_path / "data" / "corpus").mkdir(parents=True)
    (tmp_path / "data" / "corpus" / "MANIFEST.json").write_text('{"sha256": "0"}')
    after_corpus = conf._hash_sources()
    assert after_corpus != after_lock, "building the Part 3 corpus must re-execute the pages"
    (tmp_path / "benchmarks" / "results").mkdir(parents=True)
    (tmp_path / "benchmarks" / "results" / "bleu.json").write_text("{}")
    assert conf._hash_sources() != after_corpus, "a new benchmark record must re-execute pages"


def test_cache_folder_is_named_after_the_hash(conf):
    assert Path(conf.nb_execution_cache_path).name == conf.dlbook_source_hash
    assert conf.nb_execution_mode == "cache"
    assert conf.nb_execution_raise_on_error is True


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
