"""CTC: the NumPy forward-backward and the batched torch twin against torch.nn.functional.ctc_loss,
against brute-force enumeration of every alignment, and the gradient against autograd."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nlp import ctc_torch
from dlbook.nlp.ctc import (
    ctc_backward,
    ctc_collapse,
    ctc_extend,
    ctc_forward,
    ctc_greedy_decode,
    ctc_loss,
    ctc_loss_grad,
    ctc_min_frames,
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
    ours, theirs = ctc_loss(lp, y, blank), torch_ctc(lp, y, blank)
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
    loss = ctc_loss(lp, y)
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
    assert np.isfinite(ctc_loss(uniform, y)), f"{y} should fit in {T0} frames"
    if T0 > 1:
        assert ctc_loss(uniform[:T0 - 1], y) == np.inf, f"{y} should not fit in {T0 - 1}"
    # an alignment of exactly T0 frames exists: labels with a blank between repeats
    path = [k for i, k in enumerate(y) for k in ([0, k] if i and y[i - 1] == k else [k])]
    assert len(path) == T0 and ctc_collapse(path) == list(y)


def test_alpha_beta_give_likelihood_at_every_frame():
    _, lp, y = random_case(5, 15, 5, 5)
    la, lb = ctc_forward(lp, y), ctc_backward(lp, y)
    per_frame = np.logaddexp.reduce(la + lb, axis=1)
    np.testing.assert_allclose(per_frame, -ctc_loss(lp, y), rtol=1e-12)


@pytest.mark.parametrize("seed, T, C, U", [(0, 10, 4, 3), (1, 20, 6, 7), (2, 8, 3, 4),
                                           (3, 5, 2, 0), (4, 12, 5, 1)])
def test_gradient_matches_autograd_of_torch_twin(seed, T, C, U):
    _, lp, y = random_case(seed, T, C, U)
    lpt = torch.tensor(lp, dtype=torch.float64)[:, None, :].requires_grad_(True)
    loss = ctc_torch.ctc_loss(lpt, torch.tensor(y)[None], [T], [U])
    (g,) = torch.autograd.grad(loss.sum(), lpt)
    np.testing.assert_allclose(ctc_loss_grad(lp, y), g[:, 0].numpy(), rtol=1e-9, atol=1e-12,
                               err_msg="forward-backward gradient != autograd")


def test_gradient_matches_numerical_difference():
    _, lp, y = random_case(7, 9, 4, 3)
    grad, h = ctc_loss_grad(lp, y), 1e-6
    num = np.empty_like(lp)
    for idx in np.ndindex(lp.shape):
        e = np.zeros_like(lp)
        e[idx] = h
        num[idx] = (ctc_loss(lp + e, y) - ctc_loss(lp - e, y)) / (2 * h)
    np.testing.assert_allclose(grad, num, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_gradient_through_log_softmax_matches_torch_builtin(seed):
    """Chained through log_softmax, our -gamma gives torch's built-in gradient on the logits."""
    logits, lp, y = random_case(seed, 12, 5, 4)
    g_lp = ctc_loss_grad(lp, y)  # (T, C) w.r.t. log-probs
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
    np.testing.assert_allclose(g[:, 0].numpy(), np.exp(lp) + ctc_loss_grad(lp, y), atol=1e-12)


def _batch(seed, T=16, N=6, C=5):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(T, N, C, generator=g, dtype=torch.float64)
    targets = torch.randint(1, C, (N, 7), generator=g)
    targets[0, 1] = targets[0, 0]  # repeated label
    input_lengths = torch.tensor([16, 12, 9, 16, 4, 2])[:N]
    target_lengths = torch.tensor([7, 5, 3, 0, 2, 3])[:N]  # the last one cannot fit
    return logits, targets, input_lengths, target_lengths


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_torch_twin_batch_matches_builtin(reduction):
    logits, targets, il, tl = _batch(0)
    if reduction != "none":
        il, tl = il[:5], tl[:5]
        logits, targets = logits[:, :5], targets[:5]
    ours = ctc_torch.ctc_loss(logits.log_softmax(-1), targets, il, tl, reduction=reduction)
    theirs = F.ctc_loss(logits.log_softmax(-1), targets, il, tl, reduction=reduction)
    assert torch.equal(torch.isinf(ours), torch.isinf(theirs))
    fin = torch.isfinite(theirs)
    torch.testing.assert_close(ours[fin], theirs[fin], rtol=1e-9, atol=0)


def test_torch_twin_batch_gradient_matches_builtin_through_log_softmax():
    logits, targets, il, tl = _batch(1)
    il, tl, targets = il[:5], tl[:5], targets[:5]
    x1 = logits[:, :5].clone().requires_grad_(True)
    x2 = logits[:, :5].clone().requires_grad_(True)
    ctc_torch.ctc_loss(x1.log_softmax(-1), targets, il, tl).sum().backward()
    F.ctc_loss(x2.log_softmax(-1), targets, il, tl, reduction="sum").backward()
    assert torch.isfinite(x1.grad).all(), "NaN/inf leaked into the gradient"
    torch.testing.assert_close(x1.grad, x2.grad, rtol=1e-9, atol=1e-12)


def test_torch_twin_each_sequence_matches_numpy():
    logits, targets, il, tl = _batch(2)
    lp = logits.log_softmax(-1)
    ours = ctc_torch.ctc_loss(lp, targets, il, tl)
    for n in range(lp.shape[1]):
        ref = ctc_loss(lp[: il[n], n].numpy(), targets[n, : tl[n]].numpy())
        if np.isinf(ref):
            assert torch.isinf(ours[n])
        else:
            assert ours[n].item() == pytest.approx(ref, rel=1e-10)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_torch_twin_on_gpu_matches_cpu():
    logits, targets, il, tl = _batch(3)
    cpu = ctc_torch.ctc_loss(logits.log_softmax(-1), targets, il, tl)
    gpu = ctc_torch.ctc_loss(logits.cuda().log_softmax(-1), targets.cuda(), il.cuda(), tl.cuda())
    torch.testing.assert_close(gpu.cpu(), cpu, rtol=1e-9, atol=0)


def test_greedy_decode():
    lp = np.log(np.array([[0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.7, 0.2, 0.1],
                          [0.1, 0.8, 0.1], [0.2, 0.1, 0.7]]))
    assert ctc_greedy_decode(lp) == [1, 1, 2]


def test_extend_and_inputs_untouched():
    y = np.array([2, 2, 1])
    assert ctc_extend(y, blank=3).tolist() == [3, 2, 3, 2, 3, 1, 3]
    _, lp, _ = random_case(0, 6, 4, 0)
    before = lp.copy()
    ctc_loss_grad(lp, y)
    np.testing.assert_array_equal(lp, before)
    assert y.tolist() == [2, 2, 1]


@pytest.mark.parametrize("lp, y, blank, exc, match", [
    (np.zeros((3,)), [1], 0, ValueError, "shape"),
    (np.zeros((3, 1)), [], 0, ValueError, "C >= 2"),
    (np.full((3, 3), np.nan), [1], 0, ValueError, "NaN"),
    (np.zeros((3, 3)), [0], 0, ValueError, "blank index"),
    (np.zeros((3, 3)), [3], 0, ValueError, r"\[0, 3\)"),
    (np.zeros((3, 3)), [1.0], 0, TypeError, "integer"),
    (np.zeros((3, 3)), [1], 3, ValueError, "blank must lie"),
    (np.zeros((3, 3)), [1], 1.0, TypeError, "blank must be an int"),
])
def test_validation(lp, y, blank, exc, match):
    with pytest.raises(exc, match=match):
        ctc_loss(lp, y, blank)


def test_grad_of_impossible_target_raises():
    with pytest.raises(ValueError, match="needs at least 4 frames"):
        ctc_loss_grad(np.log(np.full((3, 3), 1 / 3)), [1, 1, 2])


def test_torch_twin_validation():
    lp = torch.zeros(4, 2, 3)
    with pytest.raises(TypeError, match="floating-point"):
        ctc_torch.ctc_loss(lp.long(), torch.ones(2, 1, dtype=torch.long), [4, 4], [1, 1])
    with pytest.raises(ValueError, match=r"\(T, N, C\)"):
        ctc_torch.ctc_loss(lp[0], torch.ones(2, 1, dtype=torch.long), [4, 4], [1, 1])
    with pytest.raises(ValueError, match="targets must have shape"):
        ctc_torch.ctc_loss(lp, torch.ones(3, 1, dtype=torch.long), [4, 4], [1, 1])
    with pytest.raises(TypeError, match="integer labels"):
        ctc_torch.ctc_loss(lp, torch.ones(2, 1), [4, 4], [1, 1])
    with pytest.raises(ValueError, match="input_lengths must lie"):
        ctc_torch.ctc_loss(lp, torch.ones(2, 1, dtype=torch.long), [5, 4], [1, 1])
    with pytest.raises(ValueError, match="target_lengths must lie"):
        ctc_torch.ctc_loss(lp, torch.ones(2, 1, dtype=torch.long), [4, 4], [2, 1])
    with pytest.raises(ValueError, match="differ from the blank"):
        ctc_torch.ctc_loss(lp, torch.zeros(2, 1, dtype=torch.long), [4, 4], [1, 1])
    with pytest.raises(ValueError, match="reduction"):
        ctc_torch.ctc_loss(lp, torch.ones(2, 1, dtype=torch.long), [4, 4], [1, 1],
                           reduction="avg")
