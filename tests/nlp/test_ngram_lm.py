"""The Kneser-Ney n-gram model against its formula written out directly, and its invariants."""

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nlp.ngram_lm import BOS, EOS, UNK, NGramLM


def kn_oracle(corpus, order, D):
    """Interpolated Kneser-Ney from the definitions, recomputing every count on each call."""
    grams = Counter()
    for seq in corpus:
        padded = [BOS] * (order - 1) + list(seq) + [EOS]
        for i in range(order - 1, len(padded)):
            grams[tuple(padded[i - order + 1:i + 1])] += 1
    vocab = {t for seq in corpus for t in seq} | {EOS, UNK}

    def count(k, gram):               # ordinary at the top order, continuation below
        if k == order:
            return grams[gram]
        return len({g[order - k - 1] for g in grams if g[order - k:] == gram})

    def level_grams(k):
        if k == order:
            return set(grams)
        return {g[order - k:] for g in grams}

    def p(w, hist):
        if w not in vocab:
            w = UNK
        prob = 1 / len(vocab)
        for k in range(1, order + 1):
            h = tuple(hist[len(hist) - (k - 1):]) if k > 1 else ()
            following = [g for g in level_grams(k) if g[:-1] == h]
            total = sum(count(k, g) for g in following)
            if total == 0:
                continue
            prob = max(count(k, h + (w,)) - D, 0) / total + D * len(following) / total * prob
        return prob

    return p, vocab


@settings(max_examples=20, deadline=None)
@given(st.lists(st.text("abc", min_size=1, max_size=6), min_size=1, max_size=4),
       st.integers(1, 3), st.sampled_from([0.3, 0.75, 0.9]))
def test_matches_the_formula(corpus, order, D):
    lm = NGramLM(order, D).fit(corpus)
    oracle, vocab = kn_oracle(corpus, order, D)
    assert lm.vocab == vocab
    rng = np.random.default_rng(len(corpus))
    for _ in range(10):
        hist = tuple(rng.choice(list("abc") + [BOS], size=order - 1))
        for w in list(vocab) + ["zz"]:
            assert math.isclose(lm.prob(w, hist), oracle(w, list(hist)),
                                rel_tol=1e-12), (w, hist)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text("abcd", min_size=1, max_size=8), min_size=1, max_size=5),
       st.integers(1, 4), st.text("abcdx", max_size=3))
def test_every_history_gives_a_distribution_over_the_vocabulary(corpus, order, hist):
    lm = NGramLM(order).fit(corpus)
    assert math.isclose(sum(lm.prob(w, tuple(hist)) for w in lm.vocab), 1.0, rel_tol=1e-12)


def test_longer_histories_fit_the_training_text_better():
    text = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog"]
    ppl = [NGramLM(n).fit(text).perplexity(text) for n in (1, 2, 3, 4)]
    assert ppl == sorted(ppl, reverse=True), ppl


def test_perplexity_is_the_inverse_geometric_mean():
    lm = NGramLM(2).fit(["abc", "acb"])
    seqs = ["abc", "ca"]
    logs = [math.log(lm.prob(t, h)) for s in seqs
            for t, h in zip(list(s) + [EOS], [(BOS,)] + [(c,) for c in s])]
    assert math.isclose(lm.perplexity(seqs), math.exp(-sum(logs) / len(logs)), rel_tol=1e-12)


def test_bad_input():
    with pytest.raises(ValueError, match="order"):
        NGramLM(0)
    with pytest.raises(ValueError, match="discount"):
        NGramLM(2, discount=1.0)
    with pytest.raises(ValueError, match="at least one token"):
        NGramLM(2).fit(["", ""])
    with pytest.raises(RuntimeError, match="fit"):
        NGramLM(2).prob("a")
    with pytest.raises(ValueError, match="at least one sequence"):
        NGramLM(2).fit(["ab"]).perplexity([])
