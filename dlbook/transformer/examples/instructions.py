r"""A small instruction set written for :ref:`ch-transfer-and-chat`, with answers a program can
check, and the supervised fine-tuning (SFT) and decoding that go with it.

Five tasks on a few words of the corpus: say the first word, the last word, repeat the words,
reverse them, count them. Each task has three phrasings. A prompt is the instruction, the
words, and the word ``answer``; the response is the answer's words followed by the end token.
Every task also has a typical wrong answer (:func:`wrong_answer`), the rejected side of the
preference pairs for DPO.
"""

from __future__ import annotations

import numpy as np
import torch

from dlbook import _checks
from dlbook.transformer.dpo_torch import response_log_probs

__all__ = ["PHRASINGS", "NUMBERS", "correct_answer", "wrong_answer", "instruction_examples",
           "train_sft", "greedy_answers"]

#: The instructions, three phrasings per task.
PHRASINGS = {
    "first": ["what is the first word of", "say the first word of", "give the first word in"],
    "last": ["what is the last word of", "say the last word of", "give the last word in"],
    "repeat": ["repeat these words", "say again", "copy the words"],
    "reverse": ["reverse these words", "say backwards", "read from the end"],
    "count": ["how many words are in", "count the words of", "give the number of words in"],
}
NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def correct_answer(task: str, words: list) -> list:
    """The answer's words.

    Examples
    --------
    >>> correct_answer("reverse", ["a", "b", "c"]), correct_answer("count", ["a", "b"])
    (['c', 'b', 'a'], ['two'])
    """
    _checks.one_of(task, "task", tuple(PHRASINGS))
    return {"first": words[:1], "last": words[-1:], "repeat": list(words),
            "reverse": words[::-1], "count": [NUMBERS[len(words)]]}[task]


def wrong_answer(task: str, words: list) -> list:
    """A typical mistake: the other end for first/last, the words unreversed for reverse (and
    reversed for repeat), one too many for count.

    Examples
    --------
    >>> wrong_answer("first", ["a", "b", "c"]), wrong_answer("reverse", ["a", "b"])
    (['c'], ['a', 'b'])
    """
    _checks.one_of(task, "task", tuple(PHRASINGS))
    return {"first": words[-1:], "last": words[:1], "repeat": words[::-1],
            "reverse": list(words), "count": [NUMBERS[len(words) + 1]]}[task]


def instruction_examples(vocabulary, n_per_task: int, seed: int = 0, min_words: int = 2,
                         max_words: int = 5):
    r"""``n_per_task`` examples of every task: dicts with ``task``, ``words``, ``prompt``
    (text), ``response`` (text) and ``rejected`` (text of :func:`wrong_answer`).

    The words are drawn from ``vocabulary`` (distinct in each example, so "first" and "last"
    and the two orders differ), phrasings at random.

    Examples
    --------
    >>> ex = instruction_examples(["sun", "moon", "star", "sea", "sky", "rain"], 1, seed=1)
    >>> len(ex), sorted({e["task"] for e in ex})
    (5, ['count', 'first', 'last', 'repeat', 'reverse'])
    >>> e = [e for e in ex if e["task"] == "reverse"][0]
    >>> e["response"] == " ".join(e["words"][::-1]) and e["prompt"].endswith(" answer")
    True
    """
    rng = np.random.default_rng(_checks.int_value(seed, "seed", low=0))
    vocabulary = list(vocabulary)
    out = []
    for task, phrasings in PHRASINGS.items():
        for _ in range(_checks.positive_int(n_per_task, "n_per_task")):
            n = int(rng.integers(min_words, max_words + 1))
            words = [vocabulary[i] for i in rng.choice(len(vocabulary), n, replace=False)]
            phrase = phrasings[int(rng.integers(len(phrasings)))]
            out.append({"task": task, "words": words,
                        "prompt": f"{phrase} {' '.join(words)} answer",
                        "response": " ".join(correct_answer(task, words)),
                        "rejected": " ".join(wrong_answer(task, words))})
    return out


def train_sft(model, prompts, responses, steps: int, lr: float = 1e-3, batch_size: int = 32,
              seed: int = 0) -> list:
    r"""Supervised fine-tuning: maximize :math:`\log p(\text{response} \mid \text{prompt})`,
    the loss counting the response tokens only (the prompt is given, not learned). Returns
    the mean loss per response token at every step.

    Parameters
    ----------
    prompts, responses : list of list of int
        Token ids; each response should end with the end token.

    Examples
    --------
    >>> from dlbook.transformer.gpt_torch import GPT
    >>> _ = torch.manual_seed(0)
    >>> model = GPT(8, 16, 1, 2, 16)
    >>> losses = train_sft(model, [[1, 2], [3, 4]] * 4, [[5, 7], [6, 7]] * 4, steps=60, lr=1e-2)
    >>> losses[-1] < 0.1 < losses[0]
    True
    """
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
    model.train()
    losses = []
    for _ in range(_checks.positive_int(steps, "steps")):
        rows = torch.randint(0, len(prompts), (min(batch_size, len(prompts)),),
                             generator=gen).tolist()
        resp = [responses[i] for i in rows]
        logp = response_log_probs(model, [prompts[i] for i in rows], resp)
        loss = -logp.sum() / sum(map(len, resp))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    return losses


@torch.no_grad()
def greedy_answers(model, prompts, eos: int, max_new_tokens: int = 8) -> list:
    """Greedy continuations of many prompts (ids), cut at the end token; prompts of equal
    length are decoded together.

    Examples
    --------
    >>> from dlbook.transformer.gpt_torch import GPT
    >>> out = greedy_answers(GPT(6, 16, 1, 1, 4), [[1, 2], [3], [4, 5]], eos=5)
    >>> len(out), all(5 not in o for o in out)
    (3, True)
    """
    results = [None] * len(prompts)
    by_length: dict = {}
    for i, p in enumerate(prompts):
        by_length.setdefault(len(p), []).append(i)
    for _, rows in by_length.items():
        idx = torch.tensor([prompts[i] for i in rows])
        out = model.generate(idx, max_new_tokens, temperature=0.0)[:, idx.shape[1]:].tolist()
        for i, o in zip(rows, out):
            results[i] = o[:o.index(eos)] if eos in o else o
    return results
