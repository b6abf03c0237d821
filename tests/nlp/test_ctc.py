"""CTC in NumPy: the alpha-beta recursions and the loss against torch.nn.functional.ctc_loss and
against brute-force enumeration of every alignment, the gradient against numerical differences
and against torch's gradient through log_softmax. The PyTorch twin is tested in
test_ctc_torch.py."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nlp.ctc import (
    ctc_alpha,
    ctc_beta,
    ctc_collapse,
    ctc_extend,
    ctc_greedy_decode,
    ctc_loss,
    ctc_min_frames,
    ctc_nll,
    ctc_nll_grad,
)


def random_case(seed, T, C, U, blank=0, repeat=True):
    """Random log-softmax outputs (T, C) and a target of U labels, repeated labels forced in."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=2.0, size=(T, C))
    lp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    labels = np.array([k for k in range(C) if k != blank])
    y = rng.choice(labels, size=U)
    if repeat and U >= 2:
        y[1] = y[0]  # at least one adjacent repeat: the skip rule matters
    return logits, lp, y


def torch_ctc(lp, y, blank=0):
    """F.ctc_loss on one sequence, float64, reduction='none'."""
    lpt = torch.tensor(lp, dtype=torch.float64)[:, None, :]
    return F.ctc_loss(lpt, torch.tensor(y, dtype=torch.long)[None], [lp.shape[0]], [len(y)],
                      blank=blank, reduction="none").item()


def brute_force_prob(lp, y, blank=0):
    """Sum of prod_t p_t(pi_t) over all C**T alignments pi with collapse(pi) == y."""
    T, C = lp.shape
    p = np.exp(lp)
    total = 0.0
    for path in itertools.product(range(C), repeat=T):
        merged = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
        if [k for k in merged if k != blank] == list(y):
            total += np.prod(p[np.arange(T), path])
    return total


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 30), st.integers(2, 8), st.integers(0, 12),
       st.integers(0, 7))
def test_loss_matches_torch(seed, T, C, U, blank):
    blank = blank % C
    _, lp, y = random_case(seed, T, C, U, blank)
    ours, theirs = ctc_nll(lp, y, blank), torch_ctc(lp, y, blank)
    if np.isinf(theirs):
        assert np.isinf(ours), f"torch says impossible (inf), we say {ours}"
        assert T < ctc_min_frames(y)
    else:
        assert T >= ctc_min_frames(y)
        np.testing.assert_allclose(ours, theirs, rtol=1e-9,
                                   err_msg=f"T={T} C={C} y={y.tolist()} blank={blank}")


@pytest.mark.parametrize("T, C, y", [
    (1, 2, [1]), (3, 2, [1, 1]), (4, 3, [1, 2]), (5, 3, [2, 2]), (6, 3, [1, 1, 2]),
    (5, 3, []), (6, 2, [1, 1, 1]), (4, 3, [2, 1, 2]), (2, 3, [1, 1]),
])
def test_loss_matches_brute_force(T, C, y):
    _, lp, _ = random_case(T * 7 + C, T, C, 0)
    total = brute_force_prob(lp, y)
    loss = ctc_nll(lp, y)
    if total == 0:
        assert loss == np.inf and T < ctc_min_frames(y)
    else:
        np.testing.assert_allclose(np.exp(-loss), total, rtol=1e-10)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 3), max_size=12))
def test_collapse_matches_groupby(path):
    want = [k for k, _ in itertools.groupby(path) if k != 0]
    assert ctc_collapse(path) == want


@pytest.mark.parametrize("y", [[1], [1, 1], [1, 2, 1], [3, 3, 3], [1, 2, 2, 3, 3], []])
def test_min_frames_is_the_threshold(y):
    T0 = ctc_min_frames(y)
    uniform = np.log(np.full((max(T0, 1), 4), 0.25))  # T >= 1 even for the empty target
    assert np.isfinite(ctc_nll(uniform, y)), f"{y} should fit in {T0} frames"
    if T0 > 1:
        assert ctc_nll(uniform[:T0 - 1], y) == np.inf, f"{y} should not fit in {T0 - 1}"
    # an alignment of exactly T0 frames exists: labels with a blank between repeats
    path = [k for i, k in enumerate(y) for k in ([0, k] if i and y[i - 1] == k else [k])]
    assert len(path) == T0 and ctc_collapse(path) == list(y)


def test_alpha_beta_give_likelihood_at_every_frame():
    _, lp, y = random_case(5, 15, 5, 5)
    la, lb = ctc_alpha(lp, y), ctc_beta(lp, y)
    per_frame = np.logaddexp.reduce(la + lb, axis=1)
    np.testing.assert_allclose(per_frame, -ctc_nll(lp, y), rtol=1e-12)


def test_gradient_matches_numerical_difference():
    _, lp, y = random_case(7, 9, 4, 3)
    grad, h = ctc_nll_grad(lp, y), 1e-6
    num = np.empty_like(lp)
    for idx in np.ndindex(lp.shape):
        e = np.zeros_like(lp)
        e[idx] = h
        num[idx] = (ctc_nll(lp + e, y) - ctc_nll(lp - e, y)) / (2 * h)
    np.testing.assert_allclose(grad, num, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_gradient_through_log_softmax_matches_torch_builtin(seed):
    """Chained through log_softmax, our -gamma gives torch's built-in gradient on the logits."""
    logits, lp, y = random_case(seed, 12, 5, 4)
    g_lp = ctc_nll_grad(lp, y)  # (T, C) w.r.t. log-probs
    g_logits = g_lp - np.exp(lp) * g_lp.sum(axis=1, keepdims=True)  # log_softmax backward
    x = torch.tensor(logits, dtype=torch.float64)[:, None, :].requires_grad_(True)
    loss = F.ctc_loss(x.log_softmax(-1), torch.tensor(y)[None], [12], [4], reduction="sum")
    (g,) = torch.autograd.grad(loss, x)
    np.testing.assert_allclose(g_logits, g[:, 0].numpy(), rtol=1e-9, atol=1e-12)


def test_torch_builtin_gradient_wrt_log_probs_is_shifted():
    """F.ctc_loss returns p - gamma for log_probs (pytorch/pytorch#52241): the page says so."""
    _, lp, y = random_case(11, 10, 4, 3)
    lpt = torch.tensor(lp, dtype=torch.float64)[:, None, :].requires_grad_(True)
    loss = F.ctc_loss(lpt, torch.tensor(y)[None], [10], [3], reduction="sum")
    (g,) = torch.autograd.grad(loss, lpt)
    np.testing.assert_allclose(g[:, 0].numpy(), np.exp(lp) + ctc_nll_grad(lp, y), atol=1e-12)


def test_greedy_decode():
    lp = np.log(np.array([[0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.7, 0.2, 0.1],
                          [0.1, 0.8, 0.1], [0.2, 0.1, 0.7]]))
    assert ctc_greedy_decode(lp) == [1, 1, 2]


def test_extend_and_inputs_untouched():
    y = np.array([2, 2, 1])
    assert ctc_extend(y, blank=3).tolist() == [3, 2, 3, 2, 3, 1, 3]
    _, lp, _ = random_case(0, 6, 4, 0)
    before = lp.copy()
    ctc_nll_grad(lp, y)
    np.testing.assert_array_equal(lp, before)
    assert y.tolist() == [2, 2, 1]


@pytest.mark.parametrize("lp, y, blank, exc, match", [
    (np.zeros((3,)), [1], 0, ValueError, "shape"),
    (np.zeros((3, 1)), [], 0, ValueError, "C >= 2"),
    (np.full((3, 3), np.nan), [1], 0, ValueError, "NaN"),
    (np.zeros((3, 3)), [0], 0, ValueError, "blank index"),
    (np.zeros((3, 3)), [3], 0, ValueError, r"\[0, 3\)"),
    (np.zeros((3, 3)), [1.0], 0, TypeError, "integer"),
    (np.zeros((3, 3)), [1], 3, ValueError, "blank must be <= 2"),
    (np.zeros((3, 3)), [1], 1.0, TypeError, "blank must be an int"),
])
def test_validation(lp, y, blank, exc, match):
    with pytest.raises(exc, match=match):
        ctc_nll(lp, y, blank)


def test_grad_of_impossible_target_raises():
    with pytest.raises(ValueError, match="needs at least 4 frames"):
        ctc_nll_grad(np.log(np.full((3, 3), 1 / 3)), [1, 1, 2])


def _padded_batch(seed, T=14, N=5, C=5):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(T, N, C))
    lp = logits - np.log(np.exp(logits).sum(axis=2, keepdims=True))
    targets = rng.integers(1, C, size=(N, 6))
    targets[0, 1] = targets[0, 0]  # a repeated label
    input_lengths = np.array([14, 11, 7, 14, 2])[:N]
    target_lengths = np.array([6, 4, 3, 0, 3])[:N]  # the last one cannot fit in 2 frames
    return lp, targets, input_lengths, target_lengths


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_batched_loss_matches_torch_builtin(reduction):
    lp, targets, il, tl = _padded_batch(0)
    if reduction != "none":  # torch's sum and mean of an infinite loss are inf: drop that one
        lp, targets, il, tl = lp[:, :4], targets[:4], il[:4], tl[:4]
    ours = ctc_loss(lp, targets, il, tl, reduction=reduction)
    theirs = F.ctc_loss(torch.tensor(lp), torch.tensor(targets), torch.tensor(il),
                        torch.tensor(tl), reduction=reduction).numpy()
    assert np.array_equal(np.isinf(ours), np.isinf(theirs))
    finite = np.isfinite(theirs)
    np.testing.assert_allclose(np.asarray(ours)[finite], theirs[finite], rtol=1e-10)


def test_batched_loss_is_the_nll_of_each_unpadded_sequence():
    lp, targets, il, tl = _padded_batch(1)
    losses = ctc_loss(lp, targets, il, tl)
    for n in range(lp.shape[1]):
        assert losses[n] == ctc_nll(lp[:il[n], n], targets[n, :tl[n]])


@pytest.mark.parametrize("kwargs, match", [
    ({"targets": np.ones((4, 2), int)}, "targets must have shape"),
    ({"input_lengths": [15, 1, 1, 1, 1]}, "input_lengths must lie"),
    ({"target_lengths": [7, 0, 0, 0, 0]}, "target_lengths must lie"),
    ({"reduction": "avg"}, "reduction"),
])
def test_batched_loss_validation(kwargs, match):
    lp, targets, il, tl = _padded_batch(2)
    args = {"targets": targets, "input_lengths": il, "target_lengths": tl} | kwargs
    with pytest.raises(ValueError, match=match):
        ctc_loss(lp, **args)
