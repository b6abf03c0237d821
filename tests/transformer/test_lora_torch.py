"""LoRA: starts as the pre-trained model, trains only A and B, merges without changing the
outputs, and has r(d_in + d_out) parameters per adapted layer."""

import pytest
import torch
from torch import nn

from dlbook.transformer.gpt_torch import GPT
from dlbook.transformer.lora_torch import LoRALinear, add_lora, count_parameters, merge_lora


@pytest.fixture
def gpt():
    torch.manual_seed(0)
    return GPT(vocab_size=30, block_size=16, n_layer=2, n_head=2, n_embd=32).eval()


def test_starts_as_the_base_model_and_leaves_it_unchanged(gpt):
    before = {k: v.clone() for k, v in gpt.state_dict().items()}
    tuned = add_lora(gpt, r=4, alpha=8).eval()
    idx = torch.randint(0, 30, (2, 10))
    torch.testing.assert_close(tuned(idx), gpt(idx), rtol=0, atol=0)
    assert all(p.requires_grad for p in gpt.parameters())
    assert all(torch.equal(v, gpt.state_dict()[k]) for k, v in before.items())


def test_only_the_adapters_learn(gpt):
    tuned = add_lora(gpt, r=4).train()
    frozen = {n: p.clone() for n, p in tuned.named_parameters() if not p.requires_grad}
    opt = torch.optim.AdamW([p for p in tuned.parameters() if p.requires_grad], lr=1e-2)
    idx = torch.randint(0, 30, (4, 16))
    for _ in range(5):
        loss = nn.functional.cross_entropy(tuned(idx).flatten(0, 1), idx.flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()
    for n, p in tuned.named_parameters():
        if not p.requires_grad:
            assert torch.equal(p, frozen[n]), n
    assert any(m.lora_B.abs().sum() > 0 for m in tuned.modules() if isinstance(m, LoRALinear))


def test_parameter_count_formula(gpt):
    r, C, L = 4, 32, 2
    trainable, total = count_parameters(add_lora(gpt, r=r))
    assert trainable == L * (r * (C + 3 * C) + r * (C + C))
    assert total == gpt.num_params() + trainable
    mlp = add_lora(gpt, r=r, targets=("mlp.0", "mlp.2"))
    assert count_parameters(mlp)[0] == L * 2 * r * (C + 4 * C)


def test_merging_keeps_the_outputs(gpt):
    tuned = add_lora(gpt, r=3, alpha=6)
    with torch.no_grad():
        for m in tuned.modules():
            if isinstance(m, LoRALinear):
                m.lora_B.normal_()
    tuned.eval()
    idx = torch.randint(0, 30, (3, 12))
    merged = merge_lora(tuned).eval()
    torch.testing.assert_close(merged(idx), tuned(idx), rtol=1e-5, atol=1e-5)
    assert count_parameters(merged)[1] == gpt.num_params()
    assert not torch.allclose(merged(idx), gpt(idx))


def test_update_is_scaled_low_rank():
    base = nn.Linear(8, 6).double()
    lora = LoRALinear(base, r=2, alpha=5).double()
    with torch.no_grad():
        lora.lora_B.normal_()
    delta = lora.merged().weight - base.weight
    assert torch.linalg.matrix_rank(delta).item() == 2
    torch.testing.assert_close(delta, 2.5 * lora.lora_B @ lora.lora_A)


def test_bad_input(gpt):
    with pytest.raises(ValueError, match="no nn.Linear module name ends with"):
        add_lora(gpt, r=2, targets=("nothing",))
    with pytest.raises(ValueError, match=r"r=9 must not exceed min\(in_features, out_features\)"):
        LoRALinear(nn.Linear(8, 20), r=9)
    with pytest.raises(TypeError, match="base must be an nn.Linear"):
        LoRALinear(nn.Conv1d(2, 2, 1), r=1)
