"""Tests for dlbook.nn.losses_torch: each loss's value, its autograd gradient and its closed-form
``_grad`` against an independent torch peer, on the cases of tests/nn/loss_checks.py, in
float64; the same error policy as the NumPy module."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlbook.nn import losses_torch as LT
from tests.nn.loss_checks import (
    LOSS_CASES,
    LOSS_PARAMS,
    LOSS_ROWWISE,
    check_cuda_matches_cpu,
    check_torch_loss,
    loss_setup,
)


@pytest.mark.parametrize("name, shape", LOSS_PARAMS)
def test_value_autograd_and_closed_form_grad_match_the_peer(name, shape):
    check_torch_loss(LT, *loss_setup(name, shape, seed=1))


TORCH_CALLS = {
    "mse": LT.mse, "hinge": LT.hinge, "huber_loss": LT.huber_loss,
    "cost_profit": lambda y, p: LT.cost_profit_loss(y, p, cost=1, profit=9),
}


@pytest.mark.parametrize("call", list(TORCH_CALLS.values()), ids=list(TORCH_CALLS))
def test_refuses_to_broadcast_32_against_32x1(call):
    with pytest.raises(ValueError, match=r"y_true has shape \(32,\) but y_pred has \(32, 1\)"):
        call(torch.ones(32), torch.full((32, 1), 0.5))


def test_bad_inputs_raise_clear_errors():
    arr = torch.tensor
    with pytest.raises(ValueError, match="labels -1 or \\+1"):
        LT.hinge(arr([0.0, 1.0]), arr([0.3, 0.4]))
    with pytest.raises(ValueError, match="cost must be > 0"):
        LT.cost_profit_loss(arr([1.0]), arr([2.0]), cost=-1, profit=2)
    with pytest.raises(ValueError, match="at least 2 dimension"):
        LT.dice_loss(arr([1.0, 0.0]), arr([0.5, 0.5]))
    with pytest.raises(ValueError, match="0/0"):
        LT.dice_loss(arr([[0.0, 0.0]]), arr([[0.0, 0.0]]), smooth=0)
    with pytest.raises(ValueError, match=r"y_pred must lie in \[0.0, 1.0\]"):
        LT.dice_loss(arr([[1.0, 0.0]]), arr([[1.2, 0.0]]))
    with pytest.raises(ValueError, match="NaN or inf"):
        LT.mse(arr([1.0]), arr([float("nan")]))
    with pytest.raises(ValueError, match="must not be empty"):
        LT.mse(arr([]), arr([]))
    with pytest.raises(ValueError, match="delta must be > 0"):
        LT.huber_loss(arr([1.0]), arr([2.0]), delta=0.0)


def test_huber_with_delta_one_is_torch_smooth_l1():
    rng = np.random.default_rng(3)
    y, p = torch.tensor(rng.normal(size=20)), torch.tensor(3 * rng.normal(size=20))
    want = torch.nn.functional.smooth_l1_loss(p, y, beta=1.0)
    assert LT.huber_loss(y, p, delta=1.0).item() == pytest.approx(want.item(), rel=1e-12)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_on_cuda_matches_cpu():
    from dlbook.utils import get_device

    dev = get_device("cuda")
    for name, shape in [(n, (5, 3)) for n in LOSS_CASES] + [(n, None) for n in LOSS_ROWWISE]:
        fn, y, p, kw, _ = loss_setup(name, shape, seed=2)
        check_cuda_matches_cpu(LT, fn, y, p, kw, dev)
