"""Byte-level BPE: lossless on every string, the merges and encodings of Hugging Face's
``tokenizers`` (the peer library) on the same text, and a hand-worked training run."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from dlbook.transformer.bpe import BPE, byte_to_unicode, pretokenize

TEXTS = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog",
         "lower lowest newer newest", "床前明月光，疑是地上霜。舉頭望明月，低頭思故鄉。",
         "It's 2024; numbers 12345 and symbols #@!"] * 5
ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=60)


@pytest.fixture(scope="module")
def tok():
    return BPE.train(TEXTS, vocab_size=330)


@settings(max_examples=300, deadline=None)
@given(s=ANY_TEXT)
def test_decode_inverts_encode_for_every_string(tok, s):
    assert tok.decode(tok.encode(s)) == s
    assert "".join(pretokenize(s)) == s


def test_lone_surrogates_and_controls_survive():
    tok = BPE.train(TEXTS, vocab_size=300)
    for s in ["\ud800", "a\udfffb", "\x00\x01\n\t ", "🤖 emoji 👍🏽", "é" * 5, ""]:
        assert tok.decode(tok.encode(s)) == s


def test_training_by_hand():
    """"hug hug hug pug" -> chunks hug, ' hug' x2, ' pug'. Pair counts: (u,g) 4, (h,u) 3,
    (' ',h) 2, (' ',p) 1, (p,u) 1. First merge 'ug'; then (h,ug) 3; then (' ',hug) 2."""
    tok = BPE.train(["hug hug hug pug"], vocab_size=259)
    assert [tok.vocab[i] for i in range(256, 259)] == [b"ug", b"hug", b" hug"]
    assert tok.encode(" pug hug") == [ord(" "), ord("p"), 256, 258]


def test_vocab_size_and_running_out_of_pairs():
    assert len(BPE.train(TEXTS, 300)) == 300
    assert len(BPE.train(["ab"], 1000)) == 257                   # one pair only: one merge
    assert len(BPE.train(TEXTS, 256)) == 256


def _hf_trained(texts, vocab_size):
    hf = Tokenizer(models.BPE())
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    hf.train_from_iterator(texts, trainers.BpeTrainer(
        vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[], show_progress=False))
    return hf


def _merges_as_bytes(hf):
    to_byte = {c: b for b, c in byte_to_unicode().items()}
    merges = json.loads(hf.to_str())["model"]["merges"]
    pairs = [m.split(" ") if isinstance(m, str) else m for m in merges]
    return [tuple(bytes(to_byte[c] for c in part) for part in pair) for pair in pairs]


def test_merges_agree_with_hugging_face_tokenizers():
    """Same text, same vocabulary size: the same merges in the same order, on a text with many
    ties (equal pair counts), which both trainers break the same way."""
    texts = [" ".join(f"w{i % 37} low{i % 5} er{i % 11}" for i in range(j, j + 30))
             for j in range(200)] + TEXTS
    ours = BPE.train(texts, 400)
    theirs = _merges_as_bytes(_hf_trained(texts, 400))
    mine = [(ours.vocab[a], ours.vocab[b]) for a, b in ours.merges]
    assert len(mine) > 100
    assert mine == theirs


def test_encoding_agrees_with_hugging_face_given_our_merges(tok):
    """Load our merges into a Hugging Face BPE model: both must cut text identically."""
    show = byte_to_unicode()
    as_str = ["".join(show[b] for b in v) for v in tok.vocab]
    hf = Tokenizer(models.BPE(vocab={s: i for i, s in enumerate(as_str)},
                              merges=[(as_str[a], as_str[b]) for a, b in tok.merges]))
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    hf.decoder = decoders.ByteLevel()
    for text in TEXTS[:6] + ["the mat sat on a cat", "newest lowest 999 明月", "  two  spaces "]:
        assert tok.encode(text) == hf.encode(text).ids, text


def test_bad_input():
    with pytest.raises(TypeError, match="wrap it in a list"):
        BPE.train("one string", 300)
    with pytest.raises(ValueError, match="vocab_size must be >= 256"):
        BPE.train(TEXTS, 100)
    with pytest.raises(TypeError, match=r"texts\[1\] must be a str"):
        BPE.train(["a", 3], 300)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        BPE([]).decode([256])
    with pytest.raises(ValueError, match="refers to an id not defined"):
        BPE([(1, 300)])
    with pytest.raises(TypeError, match="text must be a str"):
        BPE([]).encode(b"bytes")
