"""Tests for dlbook.nn.cross_entropy (NumPy); the torch twin is tested in
test_cross_entropy_torch.py.

Every loss is checked in float64 against an independent peer (torch.nn.functional or SciPy),
and every gradient against torch autograd of that peer, with rtol 1e-7; the course's worked
example is recomputed, the stable form is pushed to extreme logits, and invariants (KL =
cross-entropy - entropy, sparse = one-hot, label smoothing = a mixed target) are checked with
hypothesis.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nn import cross_entropy as CE
from tests.nn.loss_checks import CE_PARAMS, RTOL, ce_setup, check_numpy_loss, probs


@pytest.mark.parametrize("name, shape", CE_PARAMS)
def test_value_and_grad_match_torch_peer(name, shape):
    check_numpy_loss(CE, *ce_setup(name, shape))


def test_entropy_and_kl_against_scipy():
    rng = np.random.default_rng(5)
    p, q = probs(rng, 5, 4), probs(rng, 5, 4)
    assert CE.entropy(p) == pytest.approx(np.mean(scipy.stats.entropy(p, axis=1)), rel=RTOL)
    assert CE.kl_divergence(p, q) == pytest.approx(np.mean(scipy.stats.entropy(p, q, axis=1)),
                                                   rel=RTOL)


def test_course_ten_class_example_is_1_56_not_0_156():
    row = np.array([0.09, 0.07, 0.08, 0.08, 0.09, 0.10, 0.10, 0.21, 0.10, 0.09])
    assert row.sum() == pytest.approx(1.01)  # the notes' row is not a distribution
    with pytest.raises(ValueError, match="sums to 1.01"):
        CE.sparse_categorical_cross_entropy([7], row[None, :])
    loss = CE.sparse_categorical_cross_entropy([7], (row / row.sum())[None, :])
    assert loss == pytest.approx(math.log(1.01 / 0.21), rel=1e-12)
    assert -math.log(0.21) == pytest.approx(1.5606, abs=1e-4)


@pytest.mark.parametrize("z", [-1000.0, -50.0, 50.0, 1000.0])
def test_logit_form_stays_finite_for_huge_logits(z):
    logits = np.array([[z, 0.0, -z]])
    assert CE.cross_entropy_with_logits([1], logits) == pytest.approx(abs(z), rel=1e-12)


def test_smooth_labels_by_hand():
    t = CE.smooth_labels(np.array([0, 2]), num_classes=4, label_smoothing=0.2)
    np.testing.assert_allclose(t, [[0.85, 0.05, 0.05, 0.05], [0.05, 0.05, 0.85, 0.05]],
                               rtol=1e-15)
    np.testing.assert_allclose(CE.smooth_labels(np.eye(3)[[1]], 3, 0.0), np.eye(3)[[1]])


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(TypeError, match="integers"):
        CE.sparse_categorical_cross_entropy(np.array([1.0]), [[0.5, 0.5]])
    with pytest.raises(ValueError, match=r"class indices must lie in \[0, 1\]"):
        CE.sparse_categorical_cross_entropy(np.array([2]), [[0.5, 0.5]])
    with pytest.raises(ValueError, match="row 0 sums to 0.8"):
        CE.categorical_cross_entropy([[1.0, 0.0]], [[0.4, 0.4]])
    with pytest.raises(ValueError, match="label_smoothing must be <= 1.0"):
        CE.cross_entropy_with_logits(np.array([0]), [[0.0, 1.0]], label_smoothing=1.5)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(2, 5), st.integers(0, 2**32 - 1),
       st.floats(0, 1, allow_nan=False))
def test_cross_entropy_family_invariants(n, c, seed, eps):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, c, n)
    onehot = np.eye(c)[labels]
    q, soft = probs(rng, n, c), probs(rng, n, c)
    sparse = CE.sparse_categorical_cross_entropy(labels, q)
    assert sparse >= 0
    assert CE.categorical_cross_entropy(onehot, q) == pytest.approx(sparse, rel=1e-12)
    assert CE.categorical_cross_entropy(onehot, onehot) == 0
    # KL = cross-entropy - entropy, and KL >= 0 with equality at q = p
    assert CE.kl_divergence(soft, q) == pytest.approx(
        CE.categorical_cross_entropy(soft, q) - CE.entropy(soft), rel=1e-9, abs=1e-12)
    assert CE.kl_divergence(soft, q) >= 0
    assert CE.kl_divergence(soft, soft) == pytest.approx(0, abs=1e-12)
    logits = np.log(q)
    assert CE.cross_entropy_with_logits(labels, logits) == pytest.approx(sparse, rel=1e-9)
    assert CE.cross_entropy_with_logits(onehot, logits) == pytest.approx(sparse, rel=1e-9)
    # label smoothing is the plain loss on the mixed target
    mixed = CE.smooth_labels(labels, c, eps)
    np.testing.assert_allclose(mixed.sum(axis=1), 1.0, rtol=1e-12)
    assert CE.cross_entropy_with_logits(labels, logits, label_smoothing=eps) == pytest.approx(
        CE.cross_entropy_with_logits(mixed, logits), rel=1e-9, abs=1e-12)
