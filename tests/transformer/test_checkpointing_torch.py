"""Activation checkpointing: the same loss and gradients, fewer saved bytes; the byte counter
checked on operations whose saved tensors are known."""

import pytest
import torch

from dlbook.transformer.checkpointing_torch import checkpointed_forward, saved_tensor_bytes
from dlbook.transformer.gpt_torch import GPT


def test_counter_on_known_operations():
    a = torch.randn(100, 30, requires_grad=True)
    b = torch.randn(30, 20, requires_grad=True)
    _, n = saved_tensor_bytes(lambda: (a @ b).sum())           # matmul saves both inputs
    assert n == (100 * 30 + 30 * 20) * 4
    _, n = saved_tensor_bytes(lambda: torch.exp(a).sum())      # exp saves its output
    assert n == 100 * 30 * 4
    _, n = saved_tensor_bytes(lambda: (a * 2).sum())           # a constant factor: nothing
    assert n == 0


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return GPT(vocab_size=50, block_size=32, n_layer=4, n_head=2, n_embd=32).double()


def test_checkpointing_gives_the_same_gradients(model):
    idx = torch.randint(0, 50, (3, 32), generator=torch.Generator().manual_seed(1))
    grads = []
    for forward in (model, lambda i: checkpointed_forward(model, i)):
        model.zero_grad()
        forward(idx).logsumexp(-1).mean().backward()
        grads.append([p.grad.clone() for p in model.parameters()])
    for g1, g2 in zip(*grads):
        torch.testing.assert_close(g1, g2, rtol=1e-12, atol=1e-12)


def test_checkpointing_saves_activation_memory(model):
    idx = torch.randint(0, 50, (4, 32), generator=torch.Generator().manual_seed(2))
    params = list(model.parameters())
    _, plain = saved_tensor_bytes(lambda: model(idx).logsumexp(-1).mean(), exclude=params)
    _, ckpt = saved_tensor_bytes(lambda: checkpointed_forward(model, idx).logsumexp(-1).mean(),
                                 exclude=params)
    one_block_input = 4 * 32 * 32 * 8                          # (B, T, C) float64
    assert ckpt < plain / 3
    assert ckpt >= 4 * one_block_input                          # at least the 4 checkpoints
