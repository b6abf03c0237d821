"""Tests for dlbook.nn.binary_cross_entropy_torch: value, autograd and closed-form gradient
against torch.nn.functional, and agreement with the NumPy module, in float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlbook.nn import binary_cross_entropy as B
from dlbook.nn import binary_cross_entropy_torch as BT
from tests.nn.loss_checks import (
    BCE_CASES,
    BCE_PARAMS,
    RTOL,
    bce_setup,
    check_cuda_matches_cpu,
    check_torch_loss,
    t64,
)


@pytest.mark.parametrize("name, shape", BCE_PARAMS)
def test_value_autograd_and_closed_form_grad_match_the_peer(name, shape):
    check_torch_loss(BT, *bce_setup(name, shape, seed=1))


def test_clipped_value_equals_numpy():
    y, p = np.array([1.0, 0.0, 1.0, 0.0]), np.array([0.0, 1.0, 1.0, 0.0])
    assert BT.binary_cross_entropy(t64(y), t64(p)).item() == pytest.approx(
        B.binary_cross_entropy(y, p), rel=RTOL)


@pytest.mark.parametrize("call", [BT.binary_cross_entropy, BT.binary_cross_entropy_with_logits])
def test_refuses_to_broadcast_32_against_32x1(call):
    with pytest.raises(
        ValueError, match=r"y_true has shape \(32,\) but (y_pred|logits) has \(32, 1\)"
    ):
        call(torch.ones(32), torch.full((32, 1), 0.5))


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match=r"y_pred must lie in \[0.0, 1.0\]"):
        BT.binary_cross_entropy(torch.tensor([1.0]), torch.tensor([1.2]))
    with pytest.raises(ValueError, match="NaN or inf"):
        BT.binary_cross_entropy_with_logits(torch.tensor([1.0]), torch.tensor([float("nan")]))


def test_float32_inputs_keep_float32_gradients():
    y, p = torch.tensor([1.0, 0.0]), torch.tensor([0.9, 0.2])
    assert BT.binary_cross_entropy_grad(y, p).dtype == torch.float32


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_on_cuda_matches_cpu():
    from dlbook.utils import get_device

    for name in BCE_CASES:
        fn, y, p, kw, _ = bce_setup(name, (5, 3), seed=2)
        check_cuda_matches_cpu(BT, fn, y, p, kw, get_device("cuda"))
