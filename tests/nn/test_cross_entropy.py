"""Tests for dlbook.nn.cross_entropy (NumPy) and dlbook.nn.cross_entropy_torch (PyTorch twin).

Every loss is checked in float64 against an independent peer (torch.nn.functional or SciPy),
and every gradient against torch autograd of that peer, with rtol 1e-7; the course's worked
examples are recomputed, the stable forms are pushed to extreme logits, and invariants (KL =
cross-entropy - entropy, sparse = one-hot, ...) are checked with hypothesis.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlbook.nn import cross_entropy as CE
from dlbook.nn import cross_entropy_torch as CET
from tests.nn.loss_checks import (
    RTOL,
    check_cuda_matches_cpu,
    check_numpy_loss,
    check_torch_loss,
    loss_cases,
    make_case,
    t64,
)


def _probs(rng, n, c):
    z = rng.normal(size=(n, c)) * 2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# ------------------------------------------------------------------ cases: data and peers
# Each case: make(rng, shape) -> (y_true, y_pred, kwargs); peer(t, p, **kw) -> torch scalar,
# written independently of dlbook (torch.nn.functional where it has the loss).
CASES = {
    "binary_cross_entropy": (
        lambda r, sh: (r.random(sh), r.uniform(0.01, 0.99, sh), {}),
        lambda t, p: F.binary_cross_entropy(p, t)),
    "binary_cross_entropy_with_logits": (
        lambda r, sh: ((r.random(sh) < 0.5) * 1.0, 3 * r.normal(size=sh), {}),
        lambda t, z: F.binary_cross_entropy_with_logits(z, t)),
}
ELEMENTWISE = list(CASES)
SHAPES = [(7,), (5, 3), (2, 3, 4)]


def _row_cases(rng, name):
    """(y_true, y_pred, kwargs, peer) for the losses that need (N, C) rows."""
    n, c = 6, 4
    labels = rng.integers(0, c, n)
    soft = _probs(rng, n, c)
    if name == "categorical_cross_entropy":
        # cross-entropy = KL + H(labels); F.kl_div takes log q and differentiates through it
        h = float(np.mean(scipy.stats.entropy(soft, axis=1)))
        return soft, _probs(rng, n, c), {}, lambda t, p: (
            F.kl_div(torch.log(p), t, reduction="batchmean") + h)
    if name == "sparse_categorical_cross_entropy":
        return (labels, _probs(rng, n, c), {},
                lambda t, p: F.nll_loss(torch.log(p), torch.as_tensor(labels)))
    if name == "cross_entropy_with_logits":
        return (labels, 3 * rng.normal(size=(n, c)), {},
                lambda t, z: F.cross_entropy(z, torch.as_tensor(labels)))
    if name == "cross_entropy_with_logits_soft":
        return soft, 3 * rng.normal(size=(n, c)), {}, lambda t, z: F.cross_entropy(z, t)
    raise KeyError(name)


ROWWISE = ["categorical_cross_entropy", "sparse_categorical_cross_entropy",
           "cross_entropy_with_logits", "cross_entropy_with_logits_soft"]


def _all_cases():
    return loss_cases(ELEMENTWISE, SHAPES, ROWWISE)


def _setup(name, shape, seed=0):
    return make_case(name, shape, CASES, _row_cases, seed)


# ------------------------------------------------------------------ values and gradients
@pytest.mark.parametrize("name, shape", list(_all_cases()))
def test_numpy_value_and_grad_match_torch_peer(name, shape):
    check_numpy_loss(CE, *_setup(name, shape))


@pytest.mark.parametrize("name, shape", list(_all_cases()))
def test_torch_twin_value_autograd_and_closed_form_grad(name, shape):
    check_torch_loss(CET, *_setup(name, shape, seed=1))


def test_entropy_and_kl_against_scipy_and_torch():
    rng = np.random.default_rng(5)
    p, q = _probs(rng, 5, 4), _probs(rng, 5, 4)
    assert CE.entropy(p) == pytest.approx(np.mean(scipy.stats.entropy(p, axis=1)), rel=RTOL)
    assert CE.kl_divergence(p, q) == pytest.approx(np.mean(scipy.stats.entropy(p, q, axis=1)),
                                                   rel=RTOL)
    ref = F.kl_div(torch.log(t64(q)), t64(p), reduction="batchmean").item()
    assert CET.kl_divergence(t64(p), t64(q)).item() == pytest.approx(ref, rel=RTOL)
    assert CET.entropy(t64(p)).item() == pytest.approx(CE.entropy(p), rel=RTOL)


# ------------------------------------------------------------------ numbers from the course
def test_course_ten_class_example_is_1_56_not_0_156():
    row = np.array([0.09, 0.07, 0.08, 0.08, 0.09, 0.10, 0.10, 0.21, 0.10, 0.09])
    assert row.sum() == pytest.approx(1.01)  # the notes' row is not a distribution
    with pytest.raises(ValueError, match="sums to 1.01"):
        CE.sparse_categorical_cross_entropy([7], row[None, :])
    loss = CE.sparse_categorical_cross_entropy([7], (row / row.sum())[None, :])
    assert loss == pytest.approx(math.log(1.01 / 0.21), rel=1e-12)
    assert -math.log(0.21) == pytest.approx(1.5606, abs=1e-4)


def test_course_rain_example_binary_cross_entropy():
    # 003's table: labels 1, 0, 1 with predictions 0.9, 0.2, 0.4 give 0.1054, 0.2231, 0.9163.
    per_sample = [CE.binary_cross_entropy([y], [p]) for y, p in [(1, 0.9), (0, 0.2), (1, 0.4)]]
    np.testing.assert_allclose(per_sample, [0.1054, 0.2231, 0.9163], atol=5e-5)


# ------------------------------------------------------------------ stability at 0 and 1
def test_bce_at_exact_zero_and_one_is_finite_and_capped_by_eps():
    y, p = np.array([1.0, 0.0, 1.0, 0.0]), np.array([0.0, 1.0, 1.0, 0.0])
    eps = 1e-7
    assert CE.binary_cross_entropy(y, p, eps=eps) == pytest.approx(-2 * math.log(eps) / 4,
                                                                   rel=1e-12)
    g = CE.binary_cross_entropy_grad(y, p, eps=eps)
    assert np.all(np.isfinite(g)) and np.all(g[:2] == 0), g  # clipped: no signal left
    assert CET.binary_cross_entropy(t64(y), t64(p)).item() == pytest.approx(
        CE.binary_cross_entropy(y, p), rel=RTOL)


@pytest.mark.parametrize("z", [-1000.0, -50.0, 50.0, 1000.0])
def test_logit_forms_stay_finite_for_huge_logits(z):
    for y in (0.0, 1.0):
        expected = max(z, 0.0) - y * z  # exact when |z| is large: ln(1 + e^-|z|) underflows to 0
        assert CE.binary_cross_entropy_with_logits([y], [z]) == pytest.approx(expected, rel=1e-12)
        assert np.isfinite(CE.binary_cross_entropy_with_logits_grad([y], [z])).all()
    logits = np.array([[z, 0.0, -z]])
    assert CE.cross_entropy_with_logits([1], logits) == pytest.approx(abs(z), rel=1e-12)
    assert CET.cross_entropy_with_logits(torch.tensor([1]), t64(logits)).item() == pytest.approx(
        abs(z))


# ------------------------------------------------------------------ errors
NP_CALLS = {
    "bce": lambda y, p: CE.binary_cross_entropy(y, p),
    "bce_logits": lambda y, p: CE.binary_cross_entropy_with_logits(y, p),
}
TORCH_CALLS = {"bce": CET.binary_cross_entropy, "bce_logits": CET.binary_cross_entropy_with_logits}


@pytest.mark.parametrize("call", list(NP_CALLS.values()), ids=list(NP_CALLS))
def test_numpy_refuses_to_broadcast_32_against_32x1(call):
    with pytest.raises(ValueError, match=r"y_true has shape \(32,\) but y_pred has \(32, 1\)"):
        call(np.ones(32), np.full((32, 1), 0.5))


@pytest.mark.parametrize("call", list(TORCH_CALLS.values()), ids=list(TORCH_CALLS))
def test_torch_refuses_to_broadcast_32_against_32x1(call):
    with pytest.raises(ValueError, match=r"y_true has shape \(32,\) but y_pred has \(32, 1\)"):
        call(torch.ones(32), torch.full((32, 1), 0.5))


@pytest.mark.parametrize("mod", [CE, CET], ids=["numpy", "torch"])
def test_bad_inputs_raise_clear_errors(mod):
    arr = np.asarray if mod is CE else torch.tensor
    with pytest.raises(ValueError, match=r"y_pred must lie in \[0.0, 1.0\]"):
        mod.binary_cross_entropy(arr([1.0]), arr([1.2]))
    with pytest.raises(TypeError, match="integers"):
        mod.sparse_categorical_cross_entropy(arr([1.0]), arr([[0.5, 0.5]]))
    with pytest.raises(ValueError, match=r"class indices must lie in \[0, 1\]"):
        mod.sparse_categorical_cross_entropy(arr([2]), arr([[0.5, 0.5]]))
    with pytest.raises(ValueError, match="row 0 sums to 0.8"):
        mod.categorical_cross_entropy(arr([[1.0, 0.0]]), arr([[0.4, 0.4]]))
    with pytest.raises(ValueError, match="eps must lie"):
        mod.binary_cross_entropy(arr([1.0]), arr([0.5]), eps=0)
    with pytest.raises(ValueError, match="NaN or inf"):
        mod.binary_cross_entropy_with_logits(arr([1.0]), arr([float("nan")]))


# ------------------------------------------------------------------ invariants (hypothesis)
unit = st.floats(0, 1, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.integers(1, 8), elements=unit), st.data())
def test_bce_nonnegative_and_zero_on_hard_perfect_prediction(p, data):
    y = np.asarray(data.draw(arrays(np.float64, p.size, elements=unit)))
    assert CE.binary_cross_entropy(y, p) >= 0
    hard = np.round(y)
    assert CE.binary_cross_entropy(hard, hard) == 0
    z = np.clip(np.log(np.clip(p, 1e-6, 1 - 1e-6)) - np.log1p(-np.clip(p, 1e-6, 1 - 1e-6)), -10, 10)
    sig = 1 / (1 + np.exp(-z))
    assert CE.binary_cross_entropy_with_logits(y, z) == pytest.approx(
        CE.binary_cross_entropy(y, sig), rel=1e-9, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(2, 5), st.integers(0, 2**32 - 1))
def test_cross_entropy_family_invariants(n, c, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, c, n)
    onehot = np.eye(c)[labels]
    q, soft = _probs(rng, n, c), _probs(rng, n, c)
    sparse = CE.sparse_categorical_cross_entropy(labels, q)
    assert sparse >= 0
    assert CE.categorical_cross_entropy(onehot, q) == pytest.approx(sparse, rel=1e-12)
    assert CE.categorical_cross_entropy(onehot, onehot) == 0
    # KL = cross-entropy - entropy, and KL >= 0 with equality at q = p
    assert CE.kl_divergence(soft, q) == pytest.approx(
        CE.categorical_cross_entropy(soft, q) - CE.entropy(soft), rel=1e-9, abs=1e-12)
    assert CE.kl_divergence(soft, q) >= 0 and CE.kl_divergence(soft, soft) == pytest.approx(0, abs=1e-12)
    logits = np.log(q)
    assert CE.cross_entropy_with_logits(labels, logits) == pytest.approx(sparse, rel=1e-9)
    assert CE.cross_entropy_with_logits(onehot, logits) == pytest.approx(sparse, rel=1e-9)


# ------------------------------------------------------------------ dtypes and devices
def test_float32_inputs_keep_float32_gradients():
    y, p = np.array([1, 0], dtype=np.float32), np.array([0.9, 0.2], dtype=np.float32)
    assert CE.binary_cross_entropy_grad(y, p).dtype == np.float32
    assert CET.binary_cross_entropy_grad(torch.tensor(y), torch.tensor(p)).dtype == torch.float32


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_torch_twin_on_cuda_matches_cpu():
    from dlbook.utils import get_device

    dev = get_device("cuda")
    for name, shape in [(n, (5, 3)) for n in ELEMENTWISE] + [(n, None) for n in ROWWISE]:
        fn, y, p, kw, _ = _setup(name, shape, seed=2)
        check_cuda_matches_cpu(CET, fn, y, p, kw, dev)
