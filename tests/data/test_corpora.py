"""The offline corpora: the loaders with their fallback (the builder is tested in
test_build_corpus.py)."""

import pytest

from dlbook.data import build_corpus as bc
from dlbook.data import corpora


def test_load_corpus_falls_back_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path))
    corpus = corpora.load_corpus("auto")
    assert corpus.name == "wikipedia"
    assert "has not been built" in corpus.description and "make data" in corpus.description
    with pytest.raises(FileNotFoundError, match="make data"):
        corpora.load_corpus("debian")
    with pytest.raises(ValueError, match="'text8'"):
        corpora.load_corpus("text8")
    with pytest.raises(ValueError, match="name must be one of"):
        corpora.load_corpus(None)


def test_load_corpus_reads_a_built_corpus(tmp_path, monkeypatch):
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(bc, "SOURCES", {"a": ("Source A", lambda: ["Alpha beta.", "Gamma delta"])})
    bc.build(tmp_path / "corpus")
    corpus = corpora.load_corpus("auto")
    assert corpus.name == "debian" and corpus.n_tokens == 4
    assert corpus.sentences == [["alpha", "beta"], ["gamma", "delta"]]
    assert "Source A (4 tokens)" in corpus.description


def test_wikipedia_sample_is_a_fresh_copy():
    first = corpora.wikipedia_sample()
    first[0].append("mutated")
    assert corpora.wikipedia_sample()[0][-1] != "mutated"


def test_missing_gensim_file_is_named():
    with pytest.raises(FileNotFoundError, match="no-such-file.txt"):
        corpora.gensim_test_file("no-such-file.txt")
