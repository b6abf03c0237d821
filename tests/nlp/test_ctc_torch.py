"""The PyTorch CTC twin: every name against the NumPy reference (values and, through autograd,
the forward-backward gradient), the batched loss against torch.nn.functional.ctc_loss, and the
GPU path against the CPU."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nlp import ctc, ctc_torch


def random_case(seed, T, C, U, blank=0):
    """Random log-softmax outputs (T, C) and a target of U labels with a repeat forced in."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=2.0, size=(T, C))
    lp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    labels = np.array([k for k in range(C) if k != blank])
    y = rng.choice(labels, size=U)
    if U >= 2:
        y[1] = y[0]
    return logits, lp, y


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 14), st.integers(2, 6), st.integers(0, 6),
       st.integers(0, 5))
def test_every_recursion_equals_the_numpy_twin(seed, T, C, U, blank):
    blank = blank % C
    _, lp, y = random_case(seed, T, C, U, blank)
    lpt, yt = torch.tensor(lp), torch.tensor(y)
    for name in ("ctc_alpha", "ctc_beta"):
        want, got = getattr(ctc, name)(lp, y, blank), getattr(ctc_torch, name)(lpt, yt, blank)
        assert np.array_equal(np.isinf(want), torch.isinf(got).numpy()), name
        np.testing.assert_allclose(got.numpy()[np.isfinite(want)], want[np.isfinite(want)],
                                   rtol=1e-10, atol=1e-13, err_msg=name)
    want, got = ctc.ctc_nll(lp, y, blank), ctc_torch.ctc_nll(lpt, yt, blank).item()
    assert (np.isinf(want) and np.isinf(got)) or got == pytest.approx(want, rel=1e-10)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 4), max_size=14), st.integers(0, 4))
def test_bookkeeping_equals_the_numpy_twin(path, blank):
    assert ctc_torch.ctc_collapse(torch.tensor(path, dtype=torch.long), blank) == \
        ctc.ctc_collapse(path, blank)
    labels = [k for k in path if k != blank]
    assert ctc_torch.ctc_extend(torch.tensor(labels, dtype=torch.long), blank).tolist() == \
        ctc.ctc_extend(labels, blank).tolist()
    assert ctc_torch.ctc_min_frames(torch.tensor(path, dtype=torch.long)) == \
        ctc.ctc_min_frames(path)


@pytest.mark.parametrize("seed", range(5))
def test_greedy_decode_equals_the_numpy_twin(seed):
    _, lp, _ = random_case(seed, 20, 4, 0)
    assert ctc_torch.ctc_greedy_decode(torch.tensor(lp)) == ctc.ctc_greedy_decode(lp)


@pytest.mark.parametrize("seed, T, C, U", [(0, 10, 4, 3), (1, 20, 6, 7), (2, 8, 3, 4),
                                           (3, 5, 2, 0), (4, 12, 5, 1)])
def test_autograd_of_ctc_nll_is_the_forward_backward_gradient(seed, T, C, U):
    _, lp, y = random_case(seed, T, C, U)
    lpt = torch.tensor(lp).requires_grad_(True)
    (g,) = torch.autograd.grad(ctc_torch.ctc_nll(lpt, torch.tensor(y)), lpt)
    np.testing.assert_allclose(g.numpy(), ctc.ctc_nll_grad(lp, y), rtol=1e-9, atol=1e-12)


def test_batched_loss_equals_the_numpy_twin():
    logits, targets, il, tl = _batch(4)
    lp = logits.log_softmax(-1)
    for reduction in ("none", "sum", "mean"):
        keep = slice(0, 6 if reduction == "none" else 5)
        args = (lp[:, keep], targets[keep], il[keep], tl[keep])
        got = ctc_torch.ctc_loss(*args, reduction=reduction).numpy()
        want = ctc.ctc_loss(*(a.numpy() for a in args), reduction=reduction)
        np.testing.assert_allclose(got, want, rtol=1e-10)


@pytest.mark.parametrize("seed, T, C, U", [(0, 10, 4, 3), (1, 20, 6, 7), (2, 8, 3, 4),
                                           (3, 5, 2, 0), (4, 12, 5, 1)])
def test_gradient_matches_autograd_of_torch_twin(seed, T, C, U):
    _, lp, y = random_case(seed, T, C, U)
    lpt = torch.tensor(lp, dtype=torch.float64)[:, None, :].requires_grad_(True)
    loss = ctc_torch.ctc_loss(lpt, torch.tensor(y)[None], [T], [U])
    (g,) = torch.autograd.grad(loss.sum(), lpt)
    np.testing.assert_allclose(ctc.ctc_nll_grad(lp, y), g[:, 0].numpy(), rtol=1e-9, atol=1e-12,
                               err_msg="forward-backward gradient != autograd")


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
        ref = ctc.ctc_nll(lp[: il[n], n].numpy(), targets[n, : tl[n]].numpy())
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


def test_torch_twin_validation():
    lp = torch.zeros(4, 2, 3)
    with pytest.raises(TypeError, match="floating-point"):
        ctc_torch.ctc_loss(lp.long(), torch.ones(2, 1, dtype=torch.long), [4, 4], [1, 1])
    with pytest.raises(ValueError, match="3 dimension"):
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



def test_twin_one_sequence_validation():
    with pytest.raises(ValueError, match="blank index"):
        ctc_torch.ctc_nll(torch.zeros(3, 3), torch.tensor([0]))
    with pytest.raises(TypeError, match="integer"):
        ctc_torch.ctc_alpha(torch.zeros(3, 3), torch.tensor([1.0]))
    with pytest.raises(ValueError, match="NaN"):
        ctc_torch.ctc_beta(torch.full((3, 3), float("nan")), torch.tensor([1]))
    with pytest.raises(ValueError, match="blank must be <= 2"):
        ctc_torch.ctc_greedy_decode(torch.zeros(3, 3), blank=3)
