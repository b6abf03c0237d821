"""Attention in NumPy: forward equals the formula, gradients equal torch autograd in float64."""

import numpy as np
import pytest
import torch

from dlbook.nlp import attention as A

SHAPES = [  # N, T (None: a 2-D query), S, Hq, Hk, attention size
    (1, None, 1, 1, 1, 1), (3, None, 5, 4, 6, 7), (2, 4, 3, 5, 5, 2), (1, 1, 6, 2, 3, 4),
]


def _case(seed, N, T, S, Hq, Hk, size, masked):
    rng = np.random.default_rng(seed)
    q = rng.normal(size=(N, Hq) if T is None else (N, T, Hq))
    keys = rng.normal(size=(N, S, Hk))
    mask = None
    if masked:
        lengths = rng.integers(1, S + 1, size=N)
        mask = np.arange(S)[None, :] < lengths[:, None]
    return rng, q, keys, mask


def _torch_additive(q, keys, wq, wk, v, mask):
    hid = torch.tanh((q @ wq.T).unsqueeze(-2) + (keys @ wk.T).unsqueeze(1) if q.dim() == 3
                     else (q @ wq.T)[:, None, :] + keys @ wk.T)
    scores = hid @ v
    if mask is not None:
        m = mask if q.dim() == 2 else mask[:, None, :]
        scores = scores.masked_fill(~m, float("-inf"))
    w = torch.softmax(scores, dim=-1)
    return (w @ keys if q.dim() == 3 else (w[:, :, None] * keys).sum(1)), w


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_additive_attention_matches_autograd(shape, masked):
    rng, q, keys, mask = _case(0, *shape, masked)
    size = shape[-1]
    wq, wk, v = rng.normal(size=(size, q.shape[-1])), rng.normal(size=(size, keys.shape[-1])), \
        rng.normal(size=size)
    ctx, w, cache = A.additive_attention_forward(q, keys, wq, wk, v, mask)
    dctx, dw = rng.normal(size=ctx.shape), rng.normal(size=w.shape)
    grads = A.additive_attention_backward(dctx, cache, dweights=dw)

    ts = [torch.tensor(a, requires_grad=True) for a in (q, keys, wq, wk, v)]
    tmask = None if mask is None else torch.tensor(mask)
    tctx, tw = _torch_additive(*ts, tmask)
    np.testing.assert_allclose(ctx, tctx.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(w, tw.detach().numpy(), rtol=1e-12, atol=1e-14)
    ((tctx * torch.tensor(dctx)).sum() + (tw * torch.tensor(dw)).sum()).backward()
    for name, g, t in zip(["query", "keys", "weight_query", "weight_key", "v"], grads, ts):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=f"d{name} differs from autograd")
    if mask is not None:
        assert np.all(w[np.broadcast_to(~mask if q.ndim == 2 else ~mask[:, None], w.shape)]
                      == 0.0)


@pytest.mark.parametrize("general", [False, True])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_multiplicative_attention_matches_autograd(shape, masked, general):
    N, T, S, Hq, Hk, _ = shape
    if not general:
        Hk = Hq
    rng, q, keys, mask = _case(1, N, T, S, Hq, Hk, 0, masked)
    weight = rng.normal(size=(Hq, Hk)) if general else None
    ctx, w, cache = A.multiplicative_attention_forward(q, keys, weight, mask)
    dctx, dw = rng.normal(size=ctx.shape), rng.normal(size=w.shape)
    dq, dk, dW = A.multiplicative_attention_backward(dctx, cache, dweights=dw)

    tq, tk = torch.tensor(q, requires_grad=True), torch.tensor(keys, requires_grad=True)
    tW = torch.tensor(weight, requires_grad=True) if general else None
    q3 = tq if tq.dim() == 3 else tq[:, None]
    scores = (q3 @ tW if general else q3) @ tk.transpose(1, 2)          # (N, T, S)
    if mask is not None:
        scores = scores.masked_fill(~torch.tensor(mask)[:, None], float("-inf"))
    tw = torch.softmax(scores, -1)
    tctx = tw @ tk
    if tq.dim() == 2:
        tctx, tw = tctx[:, 0], tw[:, 0]
    np.testing.assert_allclose(ctx, tctx.detach().numpy(), rtol=1e-12, atol=1e-14)
    ((tctx * torch.tensor(dctx)).sum() + (tw * torch.tensor(dw)).sum()).backward()
    np.testing.assert_allclose(dq, tq.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg="dquery")
    np.testing.assert_allclose(dk, tk.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg="dkeys")
    if general:
        np.testing.assert_allclose(dW, tW.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg="dW")
    else:
        assert dW is None


def test_context_is_the_weighted_average_and_weights_sum_to_one():
    rng = np.random.default_rng(3)
    keys = rng.normal(size=(2, 4, 3))
    ctx, w = A.additive_attention(rng.normal(size=(2, 5)), keys, rng.normal(size=(6, 5)),
                                  rng.normal(size=(6, 3)), rng.normal(size=6))
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-14)
    manual = np.stack([sum(w[n, i] * keys[n, i] for i in range(4)) for n in range(2)])
    np.testing.assert_allclose(ctx, manual, rtol=1e-12)


def test_masked_softmax_is_stable_and_exact_on_masked_entries():
    w = A.masked_softmax([[1000.0, 999.0, -5.0]], [[True, True, False]])
    e = np.exp(-1.0)
    np.testing.assert_allclose(w, [[1 / (1 + e), e / (1 + e), 0.0]], rtol=1e-14)


def test_bad_inputs_name_the_shapes():
    q, keys = np.zeros((2, 3)), np.zeros((2, 4, 3))
    with pytest.raises(ValueError, match=r"weight_key must have shape"):
        A.additive_attention(q, keys, np.zeros((5, 3)), np.zeros((5, 2)), np.zeros(5))
    with pytest.raises(ValueError, match="batch size 3"):
        A.multiplicative_attention(np.zeros((3, 3)), keys)
    with pytest.raises(ValueError, match="dot score"):
        A.multiplicative_attention(np.zeros((2, 5)), keys)
    with pytest.raises(ValueError, match="at least one True"):
        A.multiplicative_attention(q, keys, mask=np.array([[True] * 4, [False] * 4]))
    with pytest.raises(TypeError, match="boolean"):
        A.multiplicative_attention(q, keys, mask=np.ones((2, 4)))
    with pytest.raises(ValueError, match="mask must have shape"):
        A.masked_softmax(np.zeros((2, 4)), np.ones((2, 3), dtype=bool))
