"""The chapter 3.8 encoder-decoder: data, the two scoring paths, learning, decoding."""

import numpy as np
import pytest
import torch

from dlbook.nlp.batched_beam_search_torch import batched_beam_search
from dlbook.nlp.beam_search import beam_search
from dlbook.nlp.seq2seq_torch import (
    BOS,
    EOS,
    SRC_VOCAB,
    TGT_VOCAB,
    Seq2Seq,
    make_step_fn,
    number_pairs,
    number_to_words,
    pad_batch,
    sequence_log_prob,
    train_seq2seq,
)


@pytest.mark.parametrize("n, words", [
    (0, "zero"), (7, "seven"), (13, "thirteen"), (40, "forty"), (99, "ninety nine"),
    (100, "one hundred"), (101, "one hundred one"), (1000, "one thousand"),
    (20019, "twenty thousand nineteen"),
    (999999, "nine hundred ninety nine thousand nine hundred ninety nine"),
])
def test_number_to_words(n, words):
    assert " ".join(number_to_words(n)) == words


@pytest.mark.parametrize("bad, exc", [(-1, ValueError), (1_000_000, ValueError),
                                      (2.5, TypeError), (True, TypeError)])
def test_number_to_words_rejects(bad, exc):
    with pytest.raises(exc, match="n must be"):
        number_to_words(bad)


def test_pairs_are_distinct_for_distinct_numbers():
    _, tgt = number_pairs(range(0, 999_999, 997))
    assert len({tuple(t) for t in tgt}) == len(tgt)
    assert all(t[-1] == EOS and EOS not in t[:-1] for t in tgt)


def test_teacher_forced_log_prob_equals_stepwise():
    """sequence_log_prob (one teacher-forced pass) = sum of next_log_probs over prefixes."""
    torch.manual_seed(0)
    m = Seq2Seq(len(SRC_VOCAB), len(TGT_VOCAB), hidden=16).double().eval()
    src, tgt = number_pairs([5, 123, 40506])
    fast = sequence_log_prob(m, src, tgt)
    step = make_step_fn(m, src)
    for i, y in enumerate(tgt):
        prefix, total = [BOS], 0.0
        for tok in y:
            lp = step(torch.tensor([prefix]), torch.tensor([i]))[0]
            total += float(lp[tok])
            prefix.append(tok)
        assert abs(total - fast[i]) < 1e-10, (i, total, fast[i])


@pytest.fixture
def one_thread():
    """Tiny GRU steps run fastest on one thread; restore the setting afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_training_learns_a_small_set(one_thread):
    torch.manual_seed(0)
    nums = list(range(0, 300, 7))
    src, tgt = number_pairs(nums)
    m = Seq2Seq(len(SRC_VOCAB), len(TGT_VOCAB), hidden=48)
    losses = train_seq2seq(m, src, tgt, epochs=60, batch_size=16, lr=1e-2, seed=0)
    assert losses[-1] < 0.1 * losses[0], losses[::10]
    out = batched_beam_search(make_step_fn(m, src), BOS, EOS, 1, 10, batch_size=len(src))
    acc = np.mean([o[0].tokens == t for o, t in zip(out, tgt)])
    assert acc > 0.9, acc


def test_batched_decoding_equals_numpy_beam_on_the_model():
    torch.manual_seed(1)
    m = Seq2Seq(len(SRC_VOCAB), len(TGT_VOCAB), hidden=16).double().eval()
    src, _ = number_pairs([3, 58, 700, 91234])
    step = make_step_fn(m, src)
    batched = batched_beam_search(step, BOS, EOS, 3, 6, batch_size=len(src))
    for i in range(len(src)):
        ref = beam_search(lambda p, i=i: step(torch.tensor(p), torch.full((len(p),), i)).numpy(),
                          BOS, EOS, 3, 6)
        assert [(h.tokens, h.finished) for h in batched[i]] == \
            [(h.tokens, h.finished) for h in ref]
        np.testing.assert_allclose([h.score for h in batched[i]], [h.score for h in ref],
                                   rtol=1e-12)


def test_bad_training_input():
    m = Seq2Seq(len(SRC_VOCAB), len(TGT_VOCAB), hidden=8)
    with pytest.raises(ValueError, match="aligned"):
        train_seq2seq(m, [[4]], [], epochs=1)
    with pytest.raises(ValueError, match="empty sequence"):
        pad_batch([[1], []])
    with pytest.raises(TypeError, match="epochs"):
        train_seq2seq(m, [[4]], [[2]], epochs=1.0)
    with pytest.raises(TypeError, match="split it first"):
        pad_batch(["12"])
