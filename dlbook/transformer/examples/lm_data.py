r"""The language-modelling data of :ref:`ch-language-models`: the same held-out text for the
n-gram, LSTM and GPT models, as token ids.

English: sentences of the Part 3 corpus drawn at random, encoded with a byte-level BPE
(:class:`dlbook.transformer.bpe.BPE`) trained on the training sentences. Chinese: the Tang
poems, Song lyrics and sayings, one character per token (characters seen fewer than twice in
training become ``<unk>``). Every sentence ends with an end token ``eos``; the stream for the
neural models is ``eos s_1 eos s_2 eos ...``, so each of them predicts exactly the tokens the
n-gram model predicts (every token of every sentence and its end marker), and perplexities
compare.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from dlbook import _checks
from dlbook.nlp.ngram_lm import NGramLM
from dlbook.transformer.bpe import BPE

__all__ = ["LMData", "SOURCES", "english_sentences", "shuffled_indices", "english_lm_data",
           "chinese_lm_data", "ngram_perplexity"]

#: Where each sentence of the English corpus comes from, in the corpus's order.
SOURCES = ("World English Bible", "King James Bible", "fortunes", "WordNet glosses")


@dataclass
class LMData:
    """Token-id sentences of a training and a held-out split, and how to read them back.

    Attributes
    ----------
    train, test : list of list of int
        Sentences without the end token.
    vocab_size : int
        Number of ids, the end token included (it is ``vocab_size - 1``).
    eos : int
    encode : callable
        Text to ids (without ``eos``).
    decode : callable
        Ids (without ``eos``) to text.
    test_characters : int
        Characters of the held-out text (for bits per character).

    Examples
    --------
    >>> d = LMData([[1, 2]], [[3]], vocab_size=5, eos=4, encode=list, decode=str,
    ...            test_characters=1)
    >>> d.stream("test").tolist(), d.predicted_tokens("test")
    ([4, 3, 4], 2)
    """

    train: list
    test: list
    vocab_size: int
    eos: int
    encode: object
    decode: object
    test_characters: int

    def stream(self, split: str):
        """``eos s_1 eos s_2 eos ...`` as a LongTensor: what a neural model reads.

        Examples
        --------
        >>> d = LMData([[1, 2], [3]], [[2]], 5, 4, list, str, 1)
        >>> d.stream("train").tolist()
        [4, 1, 2, 4, 3, 4]
        """
        import torch

        _checks.one_of(split, "split", ("train", "test"))
        out = [self.eos]
        for s in self.train if split == "train" else self.test:
            out.extend(s)
            out.append(self.eos)
        return torch.tensor(out, dtype=torch.long)

    def predicted_tokens(self, split: str = "test") -> int:
        """How many tokens a model predicts on the split: each sentence's tokens and its end.

        Examples
        --------
        >>> LMData([[1, 2], [3]], [[2]], 5, 4, list, str, 1).predicted_tokens("train")
        5
        """
        seqs = self.train if split == "train" else self.test
        return sum(len(s) + 1 for s in seqs)


def shuffled_indices(n_items: int, seed: int = 0) -> np.ndarray:
    """The order in which :func:`english_lm_data` and :func:`chinese_lm_data` take items:
    training items first, then held-out ones; the rest were never used.

    Examples
    --------
    >>> sorted(shuffled_indices(5).tolist())
    [0, 1, 2, 3, 4]
    """
    return np.random.default_rng(seed).permutation(n_items)


def _split(items, n_train, n_test, seed):
    order = shuffled_indices(len(items), seed)
    if n_train + n_test > len(items):
        raise ValueError(f"asked for {n_train} + {n_test} items but there are {len(items)}")
    return [items[i] for i in order[:n_train]], [items[i] for i in order[n_train:n_train + n_test]]


def english_sentences():
    r"""The non-empty sentences of the English corpus as text, and the index in :data:`SOURCES`
    of the book each comes from (``None`` for the Wikipedia fallback, whose source is one).

    Examples
    --------
    >>> texts, sources = english_sentences()
    >>> len(texts) == len(sources), texts[1][:30]
    (True, 'in the beginning god created t')
    """
    import json

    from dlbook.data.corpora import data_dir, load_corpus

    corpus = load_corpus("auto")
    labels = None
    manifest = data_dir() / "corpus" / "MANIFEST.json"
    if corpus.name == "debian" and manifest.exists():
        counts = [v["sentences"] for v in json.loads(manifest.read_text())["sources"].values()]
        if len(counts) == len(SOURCES) and sum(counts) == len(corpus.sentences):
            labels = [k for k, n in enumerate(counts) for _ in range(n)]
    keep = [i for i, s in enumerate(corpus.sentences) if s]
    return ([" ".join(corpus.sentences[i]) for i in keep],
            None if labels is None else [labels[i] for i in keep])


def english_lm_data(n_train: int = 40_000, n_test: int = 2_000, vocab_size: int = 1000,
                    seed: int = 0) -> LMData:
    r"""English sentences of the Part 3 corpus as BPE ids (``vocab_size`` BPE tokens + ``eos``).

    Examples
    --------
    >>> d = english_lm_data(n_train=300, n_test=20, vocab_size=300)
    >>> d.vocab_size, d.eos, len(d.train), len(d.test)
    (301, 300, 300, 20)
    >>> d.decode(d.test[0]) == d.decode(d.test[0]).lower()
    True
    """
    sentences, _ = english_sentences()
    train_text, test_text = _split(sentences, n_train, n_test, seed)
    tok = BPE.train(train_text, vocab_size)
    return LMData([tok.encode(s) for s in train_text], [tok.encode(s) for s in test_text],
                  len(tok) + 1, len(tok), tok.encode, tok.decode, sum(map(len, test_text)))


def chinese_lm_data(n_train: int = 5_000, n_test: int = 400, seed: int = 0,
                    min_count: int = 2) -> LMData:
    r"""Chinese texts (poems, lyrics, sayings), one line per sentence, one character per id;
    id 0 is ``<unk>``.

    Examples
    --------
    >>> d = chinese_lm_data(n_train=300, n_test=30)
    >>> d.eos == d.vocab_size - 1, d.decode([0]), d.decode(d.encode("月")) in ("月", "□")
    (True, '□', True)
    """
    from dlbook.data.chinese_texts import load_chinese_texts

    texts = [t.text for t in load_chinese_texts()]
    train_text, test_text = _split(texts, n_train, n_test, seed)

    def lines(texts):
        return [line for t in texts for line in t.split("\n") if line.strip()]

    train_lines, test_lines = lines(train_text), lines(test_text)
    counts = Counter(ch for line in train_lines for ch in line)
    chars = ["□"] + sorted(c for c, n in counts.items() if n >= min_count)   # □ = <unk>
    index = {c: i for i, c in enumerate(chars)}

    def encode(line):
        return [index.get(c, 0) for c in line]

    def decode(ids):
        return "".join(chars[i] for i in ids)

    return LMData([encode(s) for s in train_lines], [encode(s) for s in test_lines],
                  len(chars) + 1, len(chars), encode, decode, sum(map(len, test_lines)))


def ngram_perplexity(data: LMData, order: int = 3) -> float:
    r"""Perplexity on the held-out sentences of an interpolated Kneser–Ney n-gram model
    (:class:`dlbook.nlp.ngram_lm.NGramLM`) fitted to the training sentences.

    Examples
    --------
    >>> d = LMData([[1, 2, 3]] * 50, [[1, 2, 3]], 5, 4, list, str, 3)
    >>> ngram_perplexity(d, order=3) < 1.5          # the held-out sentence is the training one
    True
    """
    lm = NGramLM(order=order).fit(data.train)
    return lm.perplexity(data.test)
