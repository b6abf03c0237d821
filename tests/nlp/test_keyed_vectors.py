"""Tests for dlbook.nlp.keyed_vectors: lookups, neighbours and gensim-equivalent evaluations."""

from pathlib import Path

import numpy as np
import pytest

from dlbook.nlp.keyed_vectors import KeyedVectors

gensim = pytest.importorskip("gensim")
DATA = Path(gensim.__file__).parent / "test" / "test_data"


def _gensim_kv(keys, vectors):
    kv = gensim.models.KeyedVectors(vectors.shape[1])
    kv.add_vectors(keys, vectors)
    return kv


def _analogy_vectors(seed=0, d=30, noise=0.45):
    """Vectors for every word of questions-words.txt with planted analogy offsets."""
    rng = np.random.default_rng(seed)
    words, offsets, pairs = {}, {}, []
    section = None
    for line in (DATA / "questions-words.txt").read_text().splitlines():
        if line.startswith(":"):
            section = line
            offsets[section] = rng.normal(size=d)
            continue
        a, b, c, e = line.lower().split()
        pairs += [(section, a, b), (section, c, e)]
    for section, a, b in pairs:
        if a not in words:
            words[a] = rng.normal(size=d)
        if b not in words:
            words[b] = words[a] + offsets[section] + noise * rng.normal(size=d)
    keys = list(words)
    rng.shuffle(keys)
    return keys, np.array([words[k] for k in keys], dtype=np.float32)


def test_lookup_errors_and_validation():
    wv = KeyedVectors(["a", "b"], np.eye(2))
    with pytest.raises(KeyError, match="'zebra'"):
        wv["zebra"]
    with pytest.raises(KeyError, match="'zebra'"):
        wv.similarity("a", "zebra")
    with pytest.raises(ValueError, match="2 words but vectors has 3 rows"):
        KeyedVectors(["a", "b"], np.eye(3))
    with pytest.raises(ValueError, match="repeats"):
        KeyedVectors(["a", "a"], np.eye(2))
    with pytest.raises(ValueError, match="topn"):
        wv.most_similar("a", topn=0)
    assert wv[["b", "a"]].tolist() == [[0, 1], [1, 0]]


def test_most_similar_matches_gensim():
    rng = np.random.default_rng(3)
    keys = [f"w{i}" for i in range(500)]
    vec = rng.normal(size=(500, 20)).astype(np.float32)
    ours, ref = KeyedVectors(keys, vec), _gensim_kv(keys, vec)
    for pos, neg in [(["w1"], []), (["w2", "w3"], ["w4"]), (["w5"], ["w6", "w7"])]:
        a = ours.most_similar(positive=pos, negative=neg, topn=7)
        b = ref.most_similar(positive=pos, negative=neg, topn=7)
        assert [w for w, _ in a] == [w for w, _ in b], (pos, neg)
        np.testing.assert_allclose([s for _, s in a], [s for _, s in b], rtol=1e-5)
    a = ours.most_similar(positive=["w2"], topn=5, restrict_vocab=100)
    b = ref.most_similar(positive=["w2"], topn=5, restrict_vocab=100)
    assert [w for w, _ in a] == [w for w, _ in b]
    a = ours.most_similar_cosmul(positive=["w2", "w3"], negative=["w4"], topn=5)
    b = ref.most_similar_cosmul(positive=["w2", "w3"], negative=["w4"], topn=5)
    assert [w for w, _ in a] == [w for w, _ in b]
    np.testing.assert_allclose([s for _, s in a], [s for _, s in b], rtol=1e-5)
    assert ours.similarity("w1", "w9") == pytest.approx(float(ref.similarity("w1", "w9")), rel=1e-5)


@pytest.mark.parametrize("restrict_vocab", [300000, 400])
def test_analogy_evaluation_matches_gensim(restrict_vocab):
    keys, vec = _analogy_vectors()
    ours, ref = KeyedVectors(keys, vec), _gensim_kv(keys, vec)
    path = DATA / "questions-words.txt"
    s1, sec1 = ours.evaluate_word_analogies(path, restrict_vocab=restrict_vocab)
    s2, sec2 = ref.evaluate_word_analogies(str(path), restrict_vocab=restrict_vocab)
    assert 0.05 < s2 < 0.95, f"planted structure should give a non-trivial score, got {s2}"
    assert s1 == pytest.approx(s2, abs=1e-12)
    assert [s["section"] for s in sec1] == [s["section"] for s in sec2]
    for a, b in zip(sec1, sec2):
        assert len(a["correct"]) == len(b["correct"]), a["section"]
        assert len(a["incorrect"]) == len(b["incorrect"]), a["section"]


def test_word_pair_evaluation_matches_gensim():
    rng = np.random.default_rng(5)
    words = set()
    for name in ("wordsim353.tsv", "simlex999.txt"):
        for line in (DATA / name).read_text().splitlines():
            if line and not line.startswith("#"):
                words.update(w.lower() for w in line.split("\t")[:2])
    keys = sorted(words)
    keys = [k for i, k in enumerate(keys) if i % 4]  # leave some pairs out of vocabulary
    vec = rng.normal(size=(len(keys), 10)).astype(np.float32)
    ours, ref = KeyedVectors(keys, vec), _gensim_kv(keys, vec)
    for name in ("wordsim353.tsv", "simlex999.txt"):
        p1, s1, o1 = ours.evaluate_word_pairs(DATA / name)
        p2, s2, o2 = ref.evaluate_word_pairs(str(DATA / name))
        assert o1 == pytest.approx(o2, abs=1e-12) and o1 > 10
        assert s1[0] == pytest.approx(s2[0], abs=1e-6), name
        assert p1[0] == pytest.approx(p2[0], abs=1e-6), name


def test_save_load_roundtrip(tmp_path):
    keys = ["naïve", "café", "a b", "x"]
    vec = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    KeyedVectors(keys, vec).save(tmp_path / "wv.npz")
    back = KeyedVectors.load(tmp_path / "wv.npz")
    assert back.index_to_key == keys
    np.testing.assert_array_equal(back.vectors, vec)
    np.savez(tmp_path / "other.npz", foo=np.zeros(2))
    with pytest.raises(ValueError, match="not a KeyedVectors file"):
        KeyedVectors.load(tmp_path / "other.npz")
