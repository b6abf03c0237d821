"""The instruction set: answers, typical mistakes, prompts; SFT learns to answer; greedy
decoding of many prompts at once equals decoding them one by one."""

import pytest
import torch

from dlbook.transformer.examples.instructions import (
    NUMBERS,
    PHRASINGS,
    correct_answer,
    greedy_answers,
    instruction_examples,
    train_sft,
    wrong_answer,
)
from dlbook.transformer.gpt_torch import GPT

WORDS = ["sun", "moon", "star", "sea", "sky", "rain", "wind", "snow"]


@pytest.mark.parametrize("task", list(PHRASINGS))
def test_wrong_answers_are_wrong(task):
    for words in (["a", "b"], ["a", "b", "c", "d"]):
        assert wrong_answer(task, words) != correct_answer(task, words)


def test_examples_are_consistent():
    for e in instruction_examples(WORDS, 20, seed=3):
        assert e["response"].split() == correct_answer(e["task"], e["words"])
        assert e["rejected"].split() == wrong_answer(e["task"], e["words"])
        assert any(e["prompt"].startswith(p) for p in PHRASINGS[e["task"]])
        assert len(set(e["words"])) == len(e["words"]) and 2 <= len(e["words"]) <= 5
    assert correct_answer("count", ["x"] * 5) == [NUMBERS[5]]


def test_sft_then_greedy_answers_a_tiny_task():
    """Ids: 1 = 'first', 2 = 'last', words 3..6, 7 = end token."""
    torch.manual_seed(0)
    prompts, responses = [], []
    for a in range(3, 7):
        for b in range(3, 7):
            if a != b:
                prompts += [[1, a, b], [2, a, b]]
                responses += [[a, 7], [b, 7]]
    model = GPT(8, 16, 2, 2, 32)
    train_sft(model, prompts, responses, steps=150, lr=5e-3)
    answers = greedy_answers(model, prompts, eos=7, max_new_tokens=3)
    assert answers == [r[:-1] for r in responses]
    one_by_one = [greedy_answers(model, [p], eos=7, max_new_tokens=3)[0] for p in prompts[:6]]
    assert one_by_one == answers[:6]
