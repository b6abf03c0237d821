r"""A small instruction set written for :ref:`ch-transfer-and-chat`, with answers a program can
check, and the supervised fine-tuning (SFT) and decoding that go with it.

Four tasks on a short sentence of the corpus: is it from the Bible (``yes``/``no``), how many
words does it have (``two`` … ``nine``), does it mention God (``yes``/``no``), and what is its
last word. Each task has three phrasings. A prompt is the instruction, the sentence, and the
word ``answer``; the response is the answer followed by the end token. Every task also has a
typical wrong answer (:func:`wrong_answer`), the rejected side of the preference pairs for DPO.
The first three have answers from a handful of words; the last needs the model to copy a word
from its input, something a very small model learns slowly.
"""

from __future__ import annotations

import numpy as np
import torch

from dlbook import _checks
from dlbook.transformer.dpo_torch import response_log_probs

__all__ = ["PHRASINGS", "NUMBERS", "correct_answer", "wrong_answer", "instruction_examples",
           "encode_examples", "train_sft", "greedy_answers", "task_accuracy"]

#: The instructions, three phrasings per task.
PHRASINGS = {
    "bible": ["is this from the bible", "does this come from the bible", "is this a bible verse"],
    "count": ["how many words are in", "count the words of", "give the number of words in"],
    "god": ["does this mention god", "is god named in", "does god appear in"],
    "last": ["what is the last word of", "say the last word of", "give the last word in"],
}
NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def correct_answer(task: str, words: list, from_bible: bool) -> str:
    """The answer.

    Examples
    --------
    >>> correct_answer("count", ["in", "the", "beginning"], True)
    'three'
    >>> correct_answer("god", ["god", "is", "love"], True), correct_answer("last", ["a", "b"], 0)
    ('yes', 'b')
    """
    _checks.one_of(task, "task", tuple(PHRASINGS))
    if task == "bible":
        return "yes" if from_bible else "no"
    if task == "count":
        return NUMBERS[len(words)]
    if task == "god":
        return "yes" if "god" in words else "no"
    return words[-1]


def wrong_answer(task: str, words: list, from_bible: bool) -> str:
    """A typical mistake: the other of yes/no, one word too many, the first word for the last.

    Examples
    --------
    >>> wrong_answer("count", ["in", "the", "beginning"], True), wrong_answer("bible", ["x"], True)
    ('four', 'no')
    """
    right = correct_answer(task, words, from_bible)
    if task in ("bible", "god"):
        return "no" if right == "yes" else "yes"
    if task == "count":
        return NUMBERS[len(words) + 1]
    return words[0] if words[0] != words[-1] else words[-2]


def instruction_examples(sentences, from_bible, n_per_task: int, seed: int = 0,
                         min_words: int = 3, max_words: int = 8):
    r"""``n_per_task`` examples of every task: dicts with ``task``, ``words``, ``prompt``
    (text), ``response`` (text) and ``rejected`` (text of :func:`wrong_answer`).

    Sentences of ``min_words`` to ``max_words`` words are drawn from ``sentences`` (texts, with
    ``from_bible`` saying which are Bible verses); for the yes/no tasks half the examples are
    drawn from the sentences whose answer is "yes", so both answers are equally common.

    Examples
    --------
    >>> texts = ["god is love", "a cat sat down", "the lord is my shepherd", "time flies fast"]
    >>> ex = instruction_examples(texts, [True, False, True, False], 2, seed=1)
    >>> len(ex), sorted({e["task"] for e in ex})
    (8, ['bible', 'count', 'god', 'last'])
    >>> e = ex[2]                                       # a "count" example
    >>> e["response"] == correct_answer("count", e["words"], True) == ["three", "four"][
    ...     len(e["words"]) - 3]
    True
    """
    rng = np.random.default_rng(_checks.int_value(seed, "seed", low=0))
    short = [(s.split(), b) for s, b in zip(sentences, from_bible)
             if min_words <= len(s.split()) <= max_words]
    if not short:
        raise ValueError(f"no sentence has {min_words} to {max_words} words")
    yes = {"bible": [x for x in short if x[1]], "god": [x for x in short if "god" in x[0]]}
    no = {"bible": [x for x in short if not x[1]], "god": [x for x in short if "god" not in x[0]]}
    out = []
    for task, phrasings in PHRASINGS.items():
        for k in range(_checks.positive_int(n_per_task, "n_per_task")):
            pool = short
            if task in yes:
                pool = (yes if k % 2 == 0 else no)[task] or short
            words, bible = pool[int(rng.integers(len(pool)))]
            phrase = phrasings[int(rng.integers(len(phrasings)))]
            out.append({"task": task, "words": words,
                        "prompt": f"{phrase} {' '.join(words)} answer",
                        "response": correct_answer(task, words, bible),
                        "rejected": wrong_answer(task, words, bible)})
    return out


def encode_examples(examples, encode, eos: int, key: str = "response"):
    """Prompts (``eos`` + prompt ids) and responses (ids of " " + ``key`` text, then ``eos``).

    Examples
    --------
    >>> ex = [{"prompt": "ab", "response": "c", "rejected": "d"}]
    >>> encode_examples(ex, lambda s: [ord(ch) for ch in s], eos=0)
    ([[0, 97, 98]], [[32, 99, 0]])
    """
    prompts = [[eos] + encode(e["prompt"]) for e in examples]
    responses = [encode(" " + e[key]) + [eos] for e in examples]
    return prompts, responses


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


def task_accuracy(model, examples, encode, decode, eos: int) -> dict:
    """Per task, the fraction of greedy answers equal to the right one (exact match).

    Examples
    --------
    >>> from dlbook.transformer.gpt_torch import GPT
    >>> ex = [{"task": "count", "prompt": "a b", "response": "two"}]
    >>> acc = task_accuracy(GPT(128, 16, 1, 1, 4), ex, lambda s: [ord(c) for c in s],
    ...                     lambda ids: "".join(map(chr, ids)), eos=0)
    >>> list(acc), 0.0 <= acc["count"] <= 1.0
    (['count'], True)
    """
    prompts, _ = encode_examples(examples, encode, eos)
    answers = greedy_answers(model, prompts, eos, max_new_tokens=6)
    right: dict = {}
    for e, a in zip(examples, answers):
        right.setdefault(e["task"], []).append(decode(a).strip() == e["response"])
    return {task: sum(v) / len(v) for task, v in right.items()}
