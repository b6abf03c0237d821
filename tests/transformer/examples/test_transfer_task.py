"""The source task is balanced and disjoint from the language-model data; the classifier pools
only real tokens and learns."""

import torch

from dlbook.transformer.examples.lm_data import english_sentences, shuffled_indices
from dlbook.transformer.examples.transfer_task import (
    GPTClassifier,
    classifier_accuracy,
    encode_texts,
    source_task,
    train_classifier,
)
from dlbook.transformer.gpt_torch import GPT


def test_source_task_is_balanced_and_skips_the_lm_sentences():
    task = source_task(5, 3, skip=1000, seed=0)
    assert sorted(task.train_labels) == sorted(list(range(4)) * 5)
    assert sorted(task.test_labels) == sorted(list(range(4)) * 3)
    texts, sources = english_sentences()
    used = {texts[i] for i in shuffled_indices(len(texts), 0)[:1000]}
    assert not used & set(task.train_texts + task.test_texts)
    for text, label in zip(task.train_texts, task.train_labels):
        assert sources[texts.index(text)] == label
    assert not set(task.train_texts) & set(task.test_texts)


def test_padding_does_not_change_the_prediction():
    torch.manual_seed(0)
    clf = GPTClassifier(GPT(10, 8, 1, 2, 8), 3).eval()
    short = torch.tensor([[4, 5, 6]])
    padded = torch.tensor([[4, 5, 6, 0, 0]])
    torch.testing.assert_close(clf(short, torch.tensor([3])), clf(padded, torch.tensor([3])))


def test_classifier_learns_a_separable_task():
    torch.manual_seed(0)
    idx, lengths = encode_texts(["aab", "bba", "ab", "ba"] * 8,
                                lambda s: [ord(c) - 96 for c in s], 0, 4)
    labels = torch.tensor([0, 1, 0, 1] * 8)
    clf = GPTClassifier(GPT(4, 8, 1, 2, 16), 2)
    train_classifier(clf, idx, lengths, labels, steps=80, lr=1e-2)
    assert classifier_accuracy(clf, idx, lengths, labels) == 1.0
