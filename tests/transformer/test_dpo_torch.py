"""DPO and reward-model losses: values by hand, log2 at the start, gradients that raise the
chosen response against the rejected one, and response log-probabilities checked token by
token."""

import math

import pytest
import torch
import torch.nn.functional as F

from dlbook.transformer.dpo_torch import bradley_terry_loss, dpo_loss, response_log_probs
from dlbook.transformer.gpt_torch import GPT


def test_bradley_terry_by_hand():
    rw, rl = torch.tensor([2.0, 0.0]), torch.tensor([0.0, 1.0])
    expected = (-math.log(1 / (1 + math.exp(-2))) - math.log(1 / (1 + math.exp(1)))) / 2
    assert bradley_terry_loss(rw, rl).item() == pytest.approx(expected, rel=1e-6)


def test_dpo_is_bradley_terry_of_the_implicit_rewards():
    g = torch.Generator().manual_seed(0)
    pc, pr, rc, rr = (torch.randn(5, generator=g, dtype=torch.float64) for _ in range(4))
    beta = 0.3
    manual = -F.logsigmoid(beta * ((pc - rc) - (pr - rr))).mean()
    torch.testing.assert_close(dpo_loss(pc, pr, rc, rr, beta), manual)
    # the reference only enters through the differences: shifting it and the policy together
    torch.testing.assert_close(dpo_loss(pc + 1, pr + 2, rc + 1, rr + 2, beta), manual)


def test_response_log_probs_token_by_token():
    torch.manual_seed(0)
    model = GPT(9, 16, 1, 1, 8).double().eval()
    prompts, responses = [[1, 2, 3], [4]], [[5, 6], [7, 8, 0, 2]]
    got = response_log_probs(model, prompts, responses)
    for i, (p, r) in enumerate(zip(prompts, responses)):
        seq = torch.tensor([p + r])
        logp = F.log_softmax(model(seq)[0], dim=-1)
        expected = sum(logp[len(p) - 1 + t, r[t]] for t in range(len(r)))
        assert got[i].item() == pytest.approx(expected.item(), rel=1e-5)


def test_a_dpo_step_raises_the_chosen_over_the_rejected():
    torch.manual_seed(1)
    policy = GPT(9, 16, 1, 1, 8)
    reference = GPT(9, 16, 1, 1, 8)
    reference.load_state_dict(policy.state_dict())
    prompts, chosen, rejected = [[1, 2], [3]], [[4, 5], [6]], [[7, 8], [2]]
    with torch.no_grad():
        ref_c = response_log_probs(reference, prompts, chosen)
        ref_r = response_log_probs(reference, prompts, rejected)
    opt = torch.optim.SGD(policy.parameters(), lr=0.5)
    losses = []
    for _ in range(10):
        loss = dpo_loss(response_log_probs(policy, prompts, chosen),
                        response_log_probs(policy, prompts, rejected), ref_c, ref_r, beta=0.5)
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert losses[0] == pytest.approx(math.log(2), abs=1e-6)
    assert losses[-1] < losses[0]
    with torch.no_grad():
        margin = ((response_log_probs(policy, prompts, chosen) - ref_c)
                  - (response_log_probs(policy, prompts, rejected) - ref_r))
    assert torch.all(margin > 0)


def test_bad_input():
    with pytest.raises(ValueError, match="2 prompts but 1 responses"):
        response_log_probs(GPT(5, 4, 1, 1, 4), [[1], [2]], [[3]])
    with pytest.raises(ValueError, match="reward_chosen has shape"):
        bradley_terry_loss(torch.zeros(2), torch.zeros(3))
    with pytest.raises(ValueError, match="beta must be > 0"):
        dpo_loss(*(torch.zeros(1),) * 4, beta=0.0)
