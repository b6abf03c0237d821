"""The translation protocol: vocabularies and special ids, padding, and decoding (beam width 1
is greedy decoding; a learned toy task is translated exactly)."""

import pytest
import torch

from dlbook.transformer.transformer_torch import Seq2SeqTransformer
from dlbook.transformer.translation_torch import (
    BOS,
    EOS,
    PAD,
    UNK,
    beam_translate,
    build_vocabularies,
    encode_pairs,
    greedy_translate,
    ids_to_words,
    pad_batch,
    train_translation,
)

PAIRS = [(["el", "perro", "."], ["the", "dog", "."]), (["el", "gato"], ["the", "cat"]),
         (["un", "perro"], ["a", "dog"]), (["raro"], ["rare"])] * 2 + [(["solo"], ["once"])]


def test_vocabularies_follow_the_shared_protocol():
    src, tgt = build_vocabularies(PAIRS)
    assert src.index_to_token[:4] == ["<unk>", "<pad>", "<bos>", "<eos>"]
    assert (UNK, PAD, BOS, EOS) == (0, 1, 2, 3)
    assert "solo" not in src and "raro" in src                  # min_count = 2
    s, t = encode_pairs([(["el", "solo"], ["the", "once"])], src, tgt)
    assert s == [[src.token_to_index["el"], UNK]]
    assert t[0][0] == BOS and t[0][-1] == EOS and t[0][2] == UNK
    assert ids_to_words(t[0][1:-1], tgt) == ["the", "<unk>"]


def test_pad_batch():
    assert pad_batch([[7], [8, 9]]).tolist() == [[7, PAD], [8, 9]]


@pytest.fixture(scope="module")
def reverser():
    """A model trained to reverse short sequences."""
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    src = [torch.randint(4, 12, (int(n),), generator=g).tolist()
           for n in torch.randint(2, 5, (300,), generator=g)]
    tgt = [[BOS] + s[::-1] + [EOS] for s in src]
    model = Seq2SeqTransformer(12, 12, d_model=32, nhead=4, num_encoder_layers=2,
                               num_decoder_layers=2, dim_feedforward=64, dropout=0.0,
                               norm_first=True)
    train_translation(model, src, tgt, epochs=25, batch_size=32, warmup=50, lr_scale=0.5)
    return model


def test_a_learned_reversal_is_decoded_exactly(reverser):
    tests = [[5, 6, 7], [11, 4], [9, 8, 10, 4]]
    assert greedy_translate(reverser, tests) == [t[::-1] for t in tests]
    assert beam_translate(reverser, tests, beam_width=3) == [t[::-1] for t in tests]


def test_beam_width_one_is_greedy(reverser):
    tests = [[5, 5, 5, 5], [4], [6, 7, 8, 9], [10, 11]]
    assert beam_translate(reverser, tests, beam_width=1, alpha=0.0) == \
        greedy_translate(reverser, tests)


def test_training_bad_schedule():
    model = Seq2SeqTransformer(8, 8, d_model=8, nhead=2)
    with pytest.raises(ValueError, match="schedule must be one of"):
        train_translation(model, [[4]], [[BOS, 4, EOS]], 1, schedule="cosine")
