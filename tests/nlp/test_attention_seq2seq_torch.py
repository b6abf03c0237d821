"""The translation encoder-decoders: step-by-step decoding equals teacher forcing, padding is
invisible, the vocabulary protocol, and decoding through beam search."""

import numpy as np
import pytest
import torch

from dlbook.nlp import attention_seq2seq_torch as S


@pytest.mark.parametrize("kind", ["none", "additive", "multiplicative"])
def test_stepwise_decoding_equals_teacher_forcing(kind):
    torch.manual_seed(0)
    m = S.AttentionSeq2Seq(15, 17, emb=6, hidden=10, attention=kind).double().eval()
    src, n = S.pad_ids([[4, 5, 6, 7], [8, 9]])
    tgt_in = torch.tensor([[S.BOS, 5, 6, 7], [S.BOS, 9, 10, 11]])
    logits, weights = m.teacher_forced(src, n, tgt_in)
    keys, mask, state = m.encode(src, n)
    for t in range(tgt_in.shape[1]):
        logp, state, w = m.step(tgt_in[:, t], state, keys, mask)
        np.testing.assert_allclose(logp.detach().numpy(),
                                   torch.log_softmax(logits[:, t], -1).detach().numpy(),
                                   rtol=1e-10, atol=1e-12, err_msg=f"step {t}")
        if kind == "none":
            assert w is None and weights is None
        else:
            np.testing.assert_allclose(w.detach().numpy(), weights[:, t].detach().numpy(),
                                       atol=1e-12)
            assert torch.all(w[1, 2:] == 0)                    # padding gets no attention


@pytest.mark.parametrize("kind", ["additive", "multiplicative"])
def test_padding_does_not_change_a_sentence(kind):
    torch.manual_seed(1)
    m = S.AttentionSeq2Seq(15, 17, emb=6, hidden=10, attention=kind).double().eval()
    alone = m(*S.pad_ids([[8, 9]]), torch.tensor([[S.BOS, 4]]))
    batch = m(*S.pad_ids([[4, 5, 6, 7, 5], [8, 9]]), torch.tensor([[S.BOS, 4], [S.BOS, 4]]))
    np.testing.assert_allclose(alone[0].detach().numpy(), batch[1].detach().numpy(),
                               rtol=1e-10, atol=1e-12)


def test_vocabulary_protocol():
    pairs = [(["y", "dijo", "y"], ["and", "he", "said"]), (["y", "vio"], ["and", "he", "saw"])]
    src, tgt = S.build_vocabularies(pairs)
    assert src.index_to_token[:4] == ["<unk>", "<pad>", "<bos>", "<eos>"]
    assert [src.token_to_index[t] for t in ("<unk>", "<pad>", "<bos>", "<eos>")] == \
        [S.UNK, S.PAD, S.BOS, S.EOS]
    assert "dijo" not in src and "y" in src                 # seen once vs twice
    assert set(tgt.index_to_token[4:]) == {"and", "he"}
    s_ids, t_ids = S.encode_pairs(pairs, src, tgt)
    assert t_ids[0][-1] == S.EOS and s_ids[0] == [4, 0, 4]


def test_beam_width_one_is_greedy_and_training_learns_a_copy_task():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    src = [rng.integers(4, 10, size=rng.integers(2, 5)).tolist() for _ in range(200)]
    tgt = [s + [S.EOS] for s in src]
    m = S.AttentionSeq2Seq(10, 10, emb=16, hidden=32, attention="multiplicative", dropout=0.0)
    losses = S.train_translator(m, src, tgt, epochs=25, batch_size=32, lr=1e-2)
    assert losses[-1] < 0.2 * losses[0]
    test = [[4, 7, 9], [8, 5], [6, 6, 9, 4]]
    greedy = S.translate(m, test, max_len=8)
    assert greedy == S.translate(m, test, beam_width=1, max_len=8)
    assert sum(g == t for g, t in zip(greedy, test)) >= 2
    beam = S.translate(m, test, beam_width=4, max_len=8)
    assert all(len(b) <= 8 for b in beam)
    amap = S.attention_map(m, test[0], greedy[0])
    assert amap.shape == (len(greedy[0]) + 1, 3)
    np.testing.assert_allclose(amap.sum(1), 1.0, rtol=1e-5)


def test_bad_arguments():
    with pytest.raises(ValueError, match="attention"):
        S.AttentionSeq2Seq(5, 5, attention="dot-product")
    with pytest.raises(ValueError, match="aligned"):
        S.train_translator(S.AttentionSeq2Seq(5, 5), [[4]], [])
    with pytest.raises(ValueError, match="no attention map"):
        S.attention_map(S.AttentionSeq2Seq(5, 5, attention="none"), [4], [4])
