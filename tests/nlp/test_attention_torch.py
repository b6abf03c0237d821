"""The torch attention functions equal the NumPy reference (and run on any device)."""

import numpy as np
import pytest
import torch

from dlbook.nlp import attention as A
from dlbook.nlp import attention_torch as T


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("steps", [None, 3])
def test_twins_agree(seed, steps):
    rng = np.random.default_rng(seed)
    N, S, Hq, Hk, size = 3, 5, 4, 6, 7
    q = rng.normal(size=(N, Hq) if steps is None else (N, steps, Hq))
    keys = rng.normal(size=(N, S, Hk))
    mask = np.arange(S)[None] < rng.integers(1, S + 1, size=N)[:, None]
    wq, wk, v = rng.normal(size=(size, Hq)), rng.normal(size=(size, Hk)), rng.normal(size=size)
    W = rng.normal(size=(Hq, Hk))
    t = torch.tensor
    for ours, theirs in [
        (A.additive_attention(q, keys, wq, wk, v, mask),
         T.additive_attention(t(q), t(keys), t(wq), t(wk), t(v), t(mask))),
        (A.multiplicative_attention(q, keys, W, mask),
         T.multiplicative_attention(t(q), t(keys), t(W), t(mask))),
        (A.multiplicative_attention(q[..., :Hq], keys[..., :Hq], None, mask),
         T.multiplicative_attention(t(q[..., :Hq]), t(keys[..., :Hq]), None, t(mask))),
    ]:
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(T.masked_softmax(t(q), None).numpy(), A.masked_softmax(q),
                               rtol=1e-12)


def test_gradients_flow_and_masked_keys_get_none():
    keys = torch.randn(1, 3, 2, dtype=torch.float64, requires_grad=True)
    mask = torch.tensor([[True, True, False]])
    ctx, w = T.multiplicative_attention(torch.randn(1, 2, dtype=torch.float64), keys, None, mask)
    ctx.sum().backward()
    assert w[0, 2] == 0 and torch.all(keys.grad[0, 2] == 0) and torch.any(keys.grad[0, :2] != 0)


def test_bad_inputs():
    with pytest.raises(TypeError, match="boolean"):
        T.masked_softmax(torch.zeros(2, 3), torch.ones(2, 3))
    with pytest.raises(ValueError, match="dot score"):
        T.multiplicative_attention(torch.zeros(2, 5), torch.zeros(2, 4, 3))


@pytest.mark.gpu
def test_on_cuda():
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    keys = torch.randn(2, 4, 3, device="cuda")
    ctx, w = T.additive_attention(torch.randn(2, 5, device="cuda"), keys,
                                  torch.randn(6, 5, device="cuda"),
                                  torch.randn(6, 3, device="cuda"), torch.randn(6, device="cuda"))
    assert ctx.device.type == "cuda" and w.shape == (2, 4)
