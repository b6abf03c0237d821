"""CTC decoding against exhaustive enumeration and the CTC loss."""

import numpy as np
import pytest
import torch

from dlbook.nlp.ctc import ctc_greedy_decode, ctc_nll
from dlbook.nlp.ctc_decode import ctc_label_log_probs, ctc_prefix_beam_search


def _log_probs(seed, T, C, scale=2.0):
    z = np.random.default_rng(seed).normal(scale=scale, size=(T, C))
    return z - np.logaddexp.reduce(z, axis=1, keepdims=True)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("T, C", [(1, 2), (3, 3), (4, 3), (5, 4), (6, 2)])
def test_unpruned_prefix_search_is_exact(seed, T, C):
    lp = _log_probs(seed, T, C)
    exact = ctc_label_log_probs(lp)
    found = ctc_prefix_beam_search(lp, beam_width=10_000)
    assert {tuple(y) for y, _ in found} == set(exact)
    for y, s in found:
        np.testing.assert_allclose(s, exact[tuple(y)], rtol=1e-12, atol=1e-12)
    # and each probability is the CTC likelihood that the forward algorithm computes
    for y, s in found[:3]:
        if y:
            np.testing.assert_allclose(-s, ctc_nll(lp, y), rtol=1e-10)
    np.testing.assert_allclose(np.logaddexp.reduce([s for _, s in found]), 0.0, atol=1e-12)


def test_wider_beams_find_the_exact_best_more_often():
    found = {1: 0, 2: 0, 16: 0, 4096: 0}
    for seed in range(40):
        lp = _log_probs(seed, 6, 4, scale=1.0)          # flat outputs: a hard case
        exact = ctc_label_log_probs(lp)
        best = max(exact, key=exact.get)
        for k in found:
            top = ctc_prefix_beam_search(lp, beam_width=k)
            found[k] += tuple(top[0][0]) == best
            # a kept prefix's probability never exceeds the exact one (pruning only loses)
            assert all(s <= exact[tuple(y)] + 1e-12 for y, s in top)
    assert found[1] <= found[2] <= found[16] <= found[4096] == 40, found
    assert found[16] > found[1], found


def test_prefix_search_beats_best_path_where_the_course_example_says():
    # Frame probabilities where the single best alignment is "- -" (empty transcript) but
    # the transcript "a" has more probability in total.
    lp = np.log([[0.6, 0.4], [0.6, 0.4]])
    assert ctc_greedy_decode(lp) == []
    assert ctc_prefix_beam_search(lp, 4)[0][0] == [1]


def test_repeats_need_a_blank_between():
    # a a  ->  "a";  a - a  ->  "a a"
    certain = np.log(np.full((3, 2), 1e-12))
    certain[[0, 2], 1] = 0.0
    certain[1, 0] = 0.0
    assert ctc_prefix_beam_search(certain, 4)[0][0] == [1, 1]
    merged = np.log(np.full((2, 2), 1e-12))
    merged[:, 1] = 0.0
    assert ctc_prefix_beam_search(merged, 4)[0][0] == [1]


def test_other_blank_index_and_torch_agreement():
    lp = _log_probs(5, 5, 3)
    exact = ctc_label_log_probs(lp, blank=2)
    top = ctc_prefix_beam_search(lp, 100, blank=2)[0]
    assert max(exact, key=exact.get) == tuple(top[0])
    if top[0]:
        theirs = torch.nn.functional.ctc_loss(torch.tensor(lp)[:, None],
                                              torch.tensor([top[0]]), [5], [len(top[0])],
                                              blank=2, reduction="none")
        np.testing.assert_allclose(-top[1], theirs.item(), rtol=1e-10)


def test_bad_inputs():
    with pytest.raises(ValueError, match="shape"):
        ctc_prefix_beam_search(np.zeros((3,)))
    with pytest.raises(ValueError, match="beam_width"):
        ctc_prefix_beam_search(np.log(np.full((2, 2), 0.5)), beam_width=0)
    with pytest.raises(ValueError, match="blank"):
        ctc_prefix_beam_search(np.log(np.full((2, 2), 0.5)), blank=2)
    with pytest.raises(ValueError, match="too many"):
        ctc_label_log_probs(np.zeros((30, 3)))
