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

TEXTS = ["god is love", "a cat sat on the mat", "the lord is my shepherd", "time flies fast",
         "in the beginning god created the heavens", "two words", "no god but one here",
         "far too many words in this sentence to be used at all"]
FROM_BIBLE = [True, False, True, False, True, False, False, False]


@pytest.mark.parametrize("task", list(PHRASINGS))
@pytest.mark.parametrize("from_bible", [True, False])
def test_wrong_answers_are_wrong(task, from_bible):
    for words in (["a", "b"], ["god", "b", "c", "d"], ["a", "b", "a"]):
        assert wrong_answer(task, words, from_bible) != correct_answer(task, words, from_bible)


def test_examples_are_consistent():
    bible = {tuple(t.split()): b for t, b in zip(TEXTS, FROM_BIBLE)}
    examples = instruction_examples(TEXTS, FROM_BIBLE, 20, seed=3)
    assert len(examples) == 4 * 20
    for e in examples:
        words, task = e["words"], e["task"]
        assert 3 <= len(words) <= 8                      # the 2- and 11-word texts are left out
        assert e["response"] == correct_answer(task, words, bible[tuple(words)])
        assert e["rejected"] == wrong_answer(task, words, bible[tuple(words)])
        assert any(e["prompt"] == f"{p} {' '.join(words)} answer" for p in PHRASINGS[task])
    for task in ("bible", "god"):                        # the yes/no tasks are balanced
        answers = [e["response"] for e in examples if e["task"] == task]
        assert answers.count("yes") == answers.count("no") == 10
    assert correct_answer("count", ["x"] * 5, False) == NUMBERS[5]


def test_no_usable_sentence_is_an_error():
    with pytest.raises(ValueError, match="3 to 8 words"):
        instruction_examples(["too short"], [True], 2)


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
