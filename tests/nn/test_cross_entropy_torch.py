"""Tests for dlbook.nn.cross_entropy_torch: value, autograd and closed-form gradient of each loss
against an independent torch peer, and agreement with the NumPy module, in float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook.nn import cross_entropy as CE
from dlbook.nn import cross_entropy_torch as CET
from tests.nn.loss_checks import (
    CE_PARAMS,
    CE_ROWWISE,
    RTOL,
    ce_setup,
    check_cuda_matches_cpu,
    check_torch_loss,
    probs,
    t64,
)


@pytest.mark.parametrize("name, shape", CE_PARAMS)
def test_value_autograd_and_closed_form_grad_match_the_peer(name, shape):
    check_torch_loss(CET, *ce_setup(name, shape, seed=1))


def test_entropy_and_kl_against_torch_and_numpy():
    rng = np.random.default_rng(5)
    p, q = probs(rng, 5, 4), probs(rng, 5, 4)
    ref = F.kl_div(torch.log(t64(q)), t64(p), reduction="batchmean").item()
    assert CET.kl_divergence(t64(p), t64(q)).item() == pytest.approx(ref, rel=RTOL)
    assert CET.entropy(t64(p)).item() == pytest.approx(CE.entropy(p), rel=RTOL)


@pytest.mark.parametrize("z", [-1000.0, 50.0, 1000.0])
def test_logit_form_stays_finite_for_huge_logits(z):
    logits = t64(np.array([[z, 0.0, -z]]))
    assert CET.cross_entropy_with_logits(torch.tensor([1]), logits).item() == pytest.approx(abs(z))


def test_smooth_labels_equal_numpy():
    labels = np.array([0, 2, 1])
    np.testing.assert_allclose(CET.smooth_labels(torch.tensor(labels), 4, 0.3).numpy(),
                               CE.smooth_labels(labels, 4, 0.3), rtol=1e-7)


def test_bad_inputs_raise_clear_errors():
    arr = torch.tensor
    with pytest.raises(TypeError, match="integers"):
        CET.sparse_categorical_cross_entropy(arr([1.0]), arr([[0.5, 0.5]]))
    with pytest.raises(ValueError, match=r"class indices must lie in \[0, 1\]"):
        CET.sparse_categorical_cross_entropy(arr([2]), arr([[0.5, 0.5]]))
    with pytest.raises(ValueError, match="row 0 sums to 0.8"):
        CET.categorical_cross_entropy(arr([[1.0, 0.0]]), arr([[0.4, 0.4]]))


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_on_cuda_matches_cpu():
    from dlbook.utils import get_device

    for name in CE_ROWWISE:
        fn, y, p, kw, _ = ce_setup(name, None, seed=2)
        check_cuda_matches_cpu(CET, fn, y, p, kw, get_device("cuda"))
