"""Character-level text generation: vocabulary, training, sampling."""

import numpy as np
import pytest
import torch

from dlbook.nlp.text_generation_torch import (
    CharLSTM,
    CharVocab,
    char_lm_loss,
    generate,
    train_char_lm,
)


def test_vocab_round_trip_and_order():
    v = CharVocab("春眠不覺曉，處處聞啼鳥。處處")
    assert v.chars[0] == "處" and v.decode(v.encode("春眠")) == "春眠"
    with pytest.raises(KeyError):
        v.encode("x")
    with pytest.raises(ValueError):
        CharVocab("")


def test_top_k_one_is_greedy_and_seeds_repeat():
    torch.manual_seed(0)
    m = CharLSTM(7, emb=4, hidden=8).eval()
    out = generate(m, [1, 2], 6, top_k=1)
    ids, state = [1, 2], None
    logits, state = m(torch.tensor([ids]))
    want = []
    for _ in range(6):                   # greedy by hand
        nxt = int(logits[0, -1].argmax())
        want.append(nxt)
        logits, state = m(torch.tensor([[nxt]]), state)
    assert out == want
    assert generate(m, [3], 20, temperature=1.5, seed=4) == generate(m, [3], 20,
                                                                    temperature=1.5, seed=4)


def test_training_learns_a_periodic_text():
    torch.manual_seed(0)
    v = CharVocab("abcd")
    ids = np.array(v.encode("abcd" * 100))
    m = CharLSTM(len(v), emb=4, hidden=16)
    before = char_lm_loss(m, ids, seq_len=16)
    train_char_lm(m, ids, steps=80, seq_len=16, batch_size=8, lr=2e-2)
    assert char_lm_loss(m, ids, seq_len=16) < 0.1 < before
    assert v.decode(generate(m, v.encode("ab"), 6, top_k=1)) == "cdabcd"


def test_bad_arguments():
    m = CharLSTM(3, emb=2, hidden=4)
    with pytest.raises(ValueError, match="longer"):
        train_char_lm(m, np.zeros(5, dtype=int), seq_len=8)
    with pytest.raises(ValueError, match="prompt"):
        generate(m, [], 3)
