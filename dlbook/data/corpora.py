r"""Text corpora that work offline: gensim's test data and the Debian corpus of ``make data``.

* :func:`wikipedia_sample` — the English Wikipedia sample in gensim's wheel (106 articles,
  about 453k tokens), tokenized as gensim's ``WikiCorpus`` does.
* :func:`debian_corpus` — about 4M tokens of public-domain English (two Bible translations,
  fortunes, WordNet glosses) built by ``make data`` (:mod:`dlbook.data.build_corpus`).
* :func:`load_corpus` — the corpus a chapter should use: the Debian one when it has been built,
  otherwise the Wikipedia sample, with a description that says which.
* :func:`gensim_test_file` — the benchmark files gensim ships (``questions-words.txt``,
  ``wordsim353.tsv``, ``simlex999.txt``, ``lee_background.cor``, ``pang_lee_polarity.cor``).

See Also
--------
:ref:`ch-word2vec`, :ref:`ch-glove`, :ref:`ch-using-embeddings` : the chapters that use them.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from dlbook._checks import one_of

__all__ = ["data_dir", "gensim_test_file", "wikipedia_sample", "debian_corpus", "Corpus",
           "load_corpus"]

WIKI_FILE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"


def data_dir() -> Path:
    r"""Folder of generated data: ``$DLBOOK_DATA_DIR`` or ``data/`` at the repository root.

    Examples
    --------
    >>> default = os.environ.get("DLBOOK_DATA_DIR", "data").rstrip("/").split("/")[-1]
    >>> data_dir().name in {"data", default}
    True
    """
    env = os.environ.get("DLBOOK_DATA_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "data"


def gensim_test_file(name: str) -> Path:
    r"""Path of a file in gensim's ``test/test_data`` folder (shipped in gensim's wheel).

    Raises
    ------
    FileNotFoundError
        If gensim is not installed or has no such file.

    Examples
    --------
    >>> gensim_test_file("wordsim353.tsv").name
    'wordsim353.tsv'
    >>> lines = gensim_test_file("questions-words.txt").read_text().splitlines()
    >>> sum(1 for line in lines if not line.startswith(":"))
    19544
    """
    try:
        import gensim
    except ImportError as err:  # pragma: no cover - gensim is a book dependency
        raise FileNotFoundError(f"{name}: gensim is not installed (pip install gensim)") from err
    path = Path(gensim.__file__).parent / "test" / "test_data" / name
    if not path.exists():
        raise FileNotFoundError(f"gensim's test data has no file {name!r} "
                                f"(looked in {path.parent})")
    return path


@functools.lru_cache(maxsize=1)
def _wikipedia_sample() -> tuple[tuple[str, ...], ...]:
    from gensim.corpora.wikicorpus import WikiCorpus

    wiki = WikiCorpus(str(gensim_test_file(WIKI_FILE)), dictionary={}, processes=1)
    return tuple(tuple(article) for article in wiki.get_texts())


def wikipedia_sample() -> list[list[str]]:
    r"""The English Wikipedia sample of gensim's test data, one token list per article.

    Tokenized by gensim's ``WikiCorpus`` (markup removed, lower case, 2 to 15 letters).

    Examples
    --------
    >>> articles = wikipedia_sample()
    >>> len(articles), sum(map(len, articles))
    (106, 452944)
    """
    return [list(article) for article in _wikipedia_sample()]


def _debian_paths() -> tuple[Path, Path]:
    folder = data_dir() / "corpus"
    return folder / "debian_en.txt.gz", folder / "MANIFEST.json"


def debian_corpus() -> list[list[str]]:
    r"""The Debian corpus built by ``make data``: one token list per sentence.

    Raises
    ------
    FileNotFoundError
        If ``make data`` has not built it (the message says how to).

    Examples
    --------
    >>> try:
    ...     n = sum(map(len, debian_corpus()))
    ... except FileNotFoundError:
    ...     n = 4_000_000          # not built on this machine
    >>> n > 1_000_000
    True
    """
    text, _ = _debian_paths()
    if not text.exists():
        raise FileNotFoundError(f"{text} does not exist: run `make data` (it installs the Debian "
                                "text packages with apt and builds the corpus offline)")
    with gzip.open(text, "rt", encoding="utf-8") as fh:
        return [line.split() for line in fh]


@dataclass
class Corpus:
    r"""A tokenized corpus with a name and a sentence saying where it comes from.

    Attributes
    ----------
    name : str
        ``"debian"`` or ``"wikipedia"``.
    description : str
        What the text is (and, for a fallback, why this corpus was used).
    sentences : list of list of str
    """

    name: str
    description: str
    sentences: list = field(repr=False)

    @property
    def n_tokens(self) -> int:
        r"""Number of tokens in all sentences."""
        return sum(map(len, self.sentences))


def load_corpus(name: str = "auto") -> Corpus:
    r"""Load ``"debian"``, ``"wikipedia"`` or ``"auto"`` (Debian if built, else Wikipedia).

    Raises
    ------
    ValueError
        For an unknown name.
    FileNotFoundError
        For ``"debian"`` when ``make data`` has not built it.

    Examples
    --------
    >>> corpus = load_corpus("wikipedia")
    >>> corpus.name, len(corpus.sentences), corpus.n_tokens
    ('wikipedia', 106, 452944)
    >>> load_corpus("auto").name in {"debian", "wikipedia"}
    True
    """
    one_of(name, "name", ("auto", "debian", "wikipedia"))
    wiki_text = ("the English Wikipedia sample shipped with gensim "
                 "(106 articles, 452,944 tokens)")
    if name in {"auto", "debian"}:
        text, manifest_path = _debian_paths()
        if text.exists() or name == "debian":
            sentences = debian_corpus()
            used = []
            if manifest_path.exists():
                info = json.loads(manifest_path.read_text())["sources"]
                used = [f"{v['title']} ({v['tokens']:,} tokens)" for v in info.values()
                        if v["tokens"]]
            description = ("public-domain English from Debian packages built by `make data`: "
                           + "; ".join(used))
            return Corpus("debian", description, sentences)
        return Corpus("wikipedia", wiki_text + ", used because the larger Debian corpus has not "
                      "been built on this machine (`make data` builds it)", wikipedia_sample())
    return Corpus("wikipedia", wiki_text, wikipedia_sample())
