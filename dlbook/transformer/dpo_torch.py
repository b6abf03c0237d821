r"""Learning from preferences: the reward-model loss of RLHF and direct preference optimization
(DPO), for language models that map ids (B, T) to logits (B, T, V).

A preference pair is a prompt :math:`x` with a chosen response :math:`y_w` and a rejected one
:math:`y_l`. RLHF first fits a reward model :math:`r(x, y)` with the Bradley–Terry loss
:math:`-\log\sigma(r(x, y_w) - r(x, y_l))`, then maximizes the reward with reinforcement
learning while a KL penalty keeps the policy near a reference model. DPO skips both: the
optimal policy of that KL-penalized objective satisfies
:math:`r(x, y) = \beta \log\frac{\pi(y\mid x)}{\pi_\text{ref}(y\mid x)} + \text{const}`, so the
Bradley–Terry loss can be written in terms of the policy itself,

.. math::

    \mathcal{L}_\text{DPO} = -\log\sigma\Big(\beta\Big[\log\frac{\pi(y_w\mid x)}
    {\pi_\text{ref}(y_w\mid x)} - \log\frac{\pi(y_l\mid x)}{\pi_\text{ref}(y_l\mid x)}
    \Big]\Big),

and minimized by ordinary gradient descent on pairs.

References
----------
R. Rafailov et al., "Direct Preference Optimization: Your Language Model is Secretly a Reward
Model", NeurIPS 2023. L. Ouyang et al., "Training language models to follow instructions with
human feedback", NeurIPS 2022.

See Also
--------
:ref:`ch-transfer-and-chat` : the chapter.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from dlbook import _checks

__all__ = ["response_log_probs", "bradley_terry_loss", "dpo_loss", "preference_margins",
           "train_dpo"]


def response_log_probs(model, prompts, responses, pad_id: int = 0):
    r""":math:`\log \pi(y \mid x) = \sum_t \log \pi(y_t \mid x, y_{<t})` for each (prompt,
    response) pair: the log-probabilities of the response tokens only.

    Parameters
    ----------
    model : nn.Module
        Maps ids (B, T) to logits (B, T, V).
    prompts, responses : list of list of int
        Aligned lists; every prompt non-empty.
    pad_id : int
        Any valid id (padding is never scored).

    Returns
    -------
    Tensor of shape (B,)
        Differentiable with respect to the model's parameters.

    Raises
    ------
    ValueError
        If the lists differ in length or a prompt is empty.

    Examples
    --------
    A model that ignores its input and gives every token probability 1/4:

    >>> from torch import nn
    >>> class Uniform(nn.Module):
    ...     def forward(self, idx):
    ...         return torch.zeros(*idx.shape, 4)
    >>> lp = response_log_probs(Uniform(), [[1], [2, 3]], [[0, 1, 2], [3]])
    >>> torch.allclose(lp, torch.log(torch.tensor([0.25 ** 3, 0.25])))
    True
    """
    if len(prompts) != len(responses):
        raise ValueError(f"{len(prompts)} prompts but {len(responses)} responses")
    if any(len(p) == 0 for p in prompts):
        raise ValueError("every prompt needs at least one token")
    seqs = [list(p) + list(r) for p, r in zip(prompts, responses)]
    longest = max(len(s) for s in seqs)
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    ids = torch.full((len(seqs), longest), pad_id, dtype=torch.long, device=device)
    scored = torch.zeros(len(seqs), longest - 1, dtype=torch.bool, device=device)
    for i, (p, s) in enumerate(zip(prompts, seqs)):
        ids[i, :len(s)] = torch.tensor(s, device=device)
        scored[i, len(p) - 1:len(s) - 1] = True          # positions that predict response tokens
    logp = F.log_softmax(model(ids[:, :-1]).float(), dim=-1)                  # (B, T-1, V)
    token_lp = logp.gather(-1, ids[:, 1:, None]).squeeze(-1)                   # (B, T-1)
    return (token_lp * scored).sum(dim=1)


def bradley_terry_loss(reward_chosen, reward_rejected):
    r"""Mean :math:`-\log\sigma(r_w - r_l)`: the loss a reward model is trained with, the
    negative log-likelihood that the chosen response wins under the Bradley–Terry model.

    Examples
    --------
    Equal rewards: each response wins with probability 1/2, loss :math:`\log 2`:

    >>> round(bradley_terry_loss(torch.tensor([1.0]), torch.tensor([1.0])).item(), 6)
    0.693147
    """
    rw = _checks.real_tensor(reward_chosen, "reward_chosen")
    rl = _checks.real_tensor(reward_rejected, "reward_rejected")
    _checks.same_shape(rw, rl, "reward_chosen", "reward_rejected")
    return -F.logsigmoid(rw - rl).mean()


def dpo_loss(policy_chosen, policy_rejected, reference_chosen, reference_rejected,
             beta: float = 0.1):
    r"""The DPO loss from sequence log-probabilities (each of shape (B,)).

    The implicit rewards are :math:`\beta(\log\pi - \log\pi_\text{ref})`; the loss is
    :func:`bradley_terry_loss` of them.

    Parameters
    ----------
    policy_chosen, policy_rejected : Tensor of shape (B,)
        :math:`\log\pi(y_w\mid x)`, :math:`\log\pi(y_l\mid x)` (from
        :func:`response_log_probs`).
    reference_chosen, reference_rejected : Tensor of shape (B,)
        The same under the frozen reference model.
    beta : float, default 0.1
        How far the policy may move from the reference (larger: less far).

    Returns
    -------
    Tensor
        The mean loss (a scalar).

    Examples
    --------
    At the start the policy is the reference, every margin is 0 and the loss is
    :math:`\log 2`:

    >>> lp = torch.tensor([-3.0, -5.0])
    >>> round(dpo_loss(lp, lp - 1, lp, lp - 1).item(), 6)
    0.693147
    """
    beta = _checks.positive_real(beta, "beta")
    chosen = beta * (policy_chosen - reference_chosen)
    rejected = beta * (policy_rejected - reference_rejected)
    return bradley_terry_loss(chosen, rejected)


@torch.no_grad()
def preference_margins(policy, reference, prompts, chosen, rejected):
    r"""For each pair, how much more the policy prefers the chosen response than the reference
    does: :math:`[\log\pi(y_w) - \log\pi_\text{ref}(y_w)] - [\log\pi(y_l) -
    \log\pi_\text{ref}(y_l)]`, the DPO margin divided by :math:`\beta`. The fraction of
    positive margins is the "reward accuracy" DPO papers report.

    Examples
    --------
    >>> from dlbook.transformer.gpt_torch import GPT
    >>> model = GPT(8, 8, 1, 1, 4)
    >>> preference_margins(model, model, [[1]], [[2]], [[3]]).abs().max().item()
    0.0
    """
    return ((response_log_probs(policy, prompts, chosen)
             - response_log_probs(reference, prompts, chosen))
            - (response_log_probs(policy, prompts, rejected)
               - response_log_probs(reference, prompts, rejected)))


def train_dpo(policy, reference, prompts, chosen, rejected, steps: int, beta: float = 0.1,
              lr: float = 1e-4, batch_size: int = 16, seed: int = 0,
              nll_weight: float = 0.0) -> list:
    r"""Direct preference optimization of ``policy`` against the frozen ``reference`` on
    (prompt, chosen, rejected) token-id triples. Returns the loss of every step.

    The reference log-probabilities are computed once; each step draws a mini-batch of pairs
    and takes an AdamW step on :func:`dpo_loss`, plus ``nll_weight`` times the negative
    log-likelihood per token of the chosen responses. DPO only asks for a larger *margin*
    between chosen and rejected, which it can also get by lowering both; the second term
    (used by Llama 3 and by "iterative RPO", Pang et al. 2024) keeps the chosen responses
    likely.

    Examples
    --------
    >>> from dlbook.transformer.gpt_torch import GPT
    >>> _ = torch.manual_seed(0)
    >>> policy, reference = GPT(8, 8, 1, 1, 8), GPT(8, 8, 1, 1, 8)
    >>> reference.load_state_dict(policy.state_dict())
    <All keys matched successfully>
    >>> losses = train_dpo(policy, reference, [[1], [2]], [[3], [4]], [[5], [6]], steps=30,
    ...                    beta=0.5, lr=1e-2)
    >>> round(losses[0], 4), losses[-1] < 0.2
    (0.6931, True)
    """
    steps = _checks.positive_int(steps, "steps")
    if not len(prompts) == len(chosen) == len(rejected):
        raise ValueError(f"{len(prompts)} prompts, {len(chosen)} chosen and {len(rejected)} "
                         "rejected responses: they must be aligned")
    reference.eval()
    with torch.no_grad():
        ref_c = response_log_probs(reference, prompts, chosen)
        ref_r = response_log_probs(reference, prompts, rejected)
    gen = torch.Generator().manual_seed(_checks.int_value(seed, "seed", low=0))
    opt = torch.optim.AdamW([p for p in policy.parameters() if p.requires_grad], lr=lr)
    policy.train()
    losses = []
    for _ in range(steps):
        rows = torch.randint(0, len(prompts), (min(batch_size, len(prompts)),),
                             generator=gen).tolist()
        ps, cs = [prompts[i] for i in rows], [chosen[i] for i in rows]
        logp_c = response_log_probs(policy, ps, cs)
        loss = dpo_loss(logp_c, response_log_probs(policy, ps, [rejected[i] for i in rows]),
                        ref_c[rows], ref_r[rows], beta)
        if nll_weight:
            loss = loss - nll_weight * logp_c.sum() / sum(map(len, cs))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    policy.eval()
    return losses
