"""The GPT: the KV cache equals recomputation (logits to 1e-5 in float32, identical greedy
generations, also past block_size), causality, attention held to the NumPy reference, errors."""

import numpy as np
import pytest
import torch

from dlbook.transformer.attention import causal_mask, multi_head_attention_forward
from dlbook.transformer.gpt_torch import GPT, CausalSelfAttention, KVCache


def _model(seed=0, **kw):
    torch.manual_seed(seed)
    cfg = dict(vocab_size=23, block_size=32, n_layer=3, n_head=4, n_embd=16, dropout=0.1)
    cfg.update(kw)
    model = GPT(**cfg)
    with torch.no_grad():                      # larger weights than the init: a harder test
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return model.eval()


@pytest.mark.parametrize("chunks", [[1] * 20, [5, 1, 1, 7, 1, 3], [20]])
def test_cached_logits_equal_recomputation(chunks):
    model = _model()
    idx = torch.randint(0, 23, (3, sum(chunks)), generator=torch.Generator().manual_seed(1))
    full = model(idx)
    cache, parts, start = KVCache(model.n_layer), [], 0
    for n in chunks:
        parts.append(model(idx[:, start:start + n], cache))
        start += n
    assert cache.length == sum(chunks)
    torch.testing.assert_close(torch.cat(parts, dim=1), full, rtol=0, atol=1e-5)


@pytest.mark.parametrize("prompt_len, new", [(1, 30), (6, 20), (10, 60)])
def test_greedy_generation_is_identical_with_and_without_cache(prompt_len, new):
    """(10, 60) runs past block_size = 32: the window slides and the cache is rebuilt."""
    model = _model(seed=prompt_len)
    prompt = torch.randint(0, 23, (2, prompt_len), generator=torch.Generator().manual_seed(2))
    a = model.generate(prompt, new, temperature=0.0, use_cache=True)
    b = model.generate(prompt, new, temperature=0.0, use_cache=False)
    assert a.shape == (2, prompt_len + new)
    assert torch.equal(a, b)
    assert torch.equal(a[:, :prompt_len], prompt)


def test_sampling_is_reproducible_with_a_generator_and_respects_top_k():
    model = _model()
    prompt = torch.tensor([[3, 4]])
    draw = lambda use: model.generate(prompt, 15, temperature=0.8, top_k=3, use_cache=use,  # noqa: E731
                                      generator=torch.Generator().manual_seed(5))
    assert torch.equal(draw(True), draw(True))
    assert torch.equal(draw(True), draw(False))
    # top_k = 1 is greedy decoding
    assert torch.equal(model.generate(prompt, 10, top_k=1),
                       model.generate(prompt, 10, temperature=0.0))


def test_no_position_sees_the_future():
    model = _model()
    idx = torch.randint(0, 23, (1, 12), generator=torch.Generator().manual_seed(3))
    changed = idx.clone()
    changed[0, 8:] = (changed[0, 8:] + 1) % 23
    torch.testing.assert_close(model(idx)[:, :8], model(changed)[:, :8], rtol=0, atol=0)


def test_attention_equals_the_numpy_reference_in_float64():
    torch.manual_seed(4)
    attn = CausalSelfAttention(n_embd=12, n_head=3).double().eval()
    x = torch.randn(2, 7, 12, dtype=torch.float64)
    ref, _ = multi_head_attention_forward(
        x.numpy(), x.numpy(), x.numpy(), 3, attn.qkv.weight.detach().numpy(),
        attn.qkv.bias.detach().numpy(), attn.proj.weight.detach().numpy(),
        attn.proj.bias.detach().numpy(), attn_mask=~causal_mask(7))
    np.testing.assert_allclose(attn(x).detach().numpy(), ref, rtol=1e-10, atol=1e-12)


def test_parameter_count_formula_and_weight_tying():
    V, T, L, C = 50, 16, 2, 24
    model = GPT(V, T, L, 4, C)
    assert model.num_params() == V * C + T * C + L * (12 * C * C + 13 * C) + 2 * C
    assert model.tok_emb.weight.data_ptr() in {p.data_ptr() for p in model.parameters()}


def test_generate_restores_training_mode_and_training_reduces_loss():
    torch.manual_seed(0)
    model = GPT(23, 32, 2, 2, 16, dropout=0.1).train()
    model.generate(torch.tensor([[1]]), 3)
    assert model.training
    data = torch.arange(20).repeat(10) % 23                  # a repeating pattern to learn
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    first = None
    for _ in range(100):
        x, y = data[:-1].view(1, -1)[:, :32], data[1:].view(1, -1)[:, :32]
        loss = torch.nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten())
        first = first if first is not None else loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.2 * first


def test_bad_input():
    model = _model()
    with pytest.raises(ValueError, match="the prompt has 33 tokens but block_size is 32"):
        model.generate(torch.zeros(1, 33, dtype=torch.long), 1)
    with pytest.raises(ValueError, match="block_size is 32"):
        model(torch.zeros(1, 33, dtype=torch.long))
    with pytest.raises(TypeError, match="torch.long"):
        model(torch.zeros(1, 3))
    with pytest.raises(ValueError, match=r"token ids must lie in \[0, 23\)"):
        model(torch.tensor([[0, 23]]))
    with pytest.raises(ValueError, match="n_embd=10 must be divisible by n_head=4"):
        GPT(10, 8, 1, 4, 10)
    with pytest.raises(ValueError, match="temperature must be >= 0"):
        model.generate(torch.zeros(1, 2, dtype=torch.long), 1, temperature=-1.0)
    cache = KVCache(model.n_layer)
    model(torch.zeros(1, 30, dtype=torch.long), cache)
    with pytest.raises(ValueError, match=r"33 positions \(30 cached \+ 3 new\)"):
        model(torch.zeros(1, 3, dtype=torch.long), cache)
