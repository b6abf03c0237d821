"""L1/L2 penalties against autograd, and L2 as weight decay against torch.optim.SGD."""

import numpy as np
import pytest
import torch

from dlbook.nn.regularization import (
    l1_penalty,
    l1_penalty_grad,
    l2_penalty,
    l2_penalty_grad,
    l2_sgd_step,
    weight_decay_factor,
)


def random_weights(seed):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(4, 3)), rng.normal(size=(2, 4)), rng.normal(size=5)]


@pytest.mark.parametrize("lam, m", [(0.0, 1), (0.7, 1), (0.3, 50), (2.0, 7.5)])
def test_penalties_and_gradients_match_autograd(lam, m):
    ws = random_weights(int(lam * 10) + int(m))
    ts = [torch.tensor(w, requires_grad=True) for w in ws]
    l2 = lam / (2 * m) * sum((t**2).sum() for t in ts)  # typed from the formula, not from our code
    l1 = lam / m * sum(t.abs().sum() for t in ts)
    assert l2_penalty(ws, lam, m) == pytest.approx(l2.item(), rel=1e-12)
    assert l1_penalty(ws, lam, m) == pytest.approx(l1.item(), rel=1e-12)
    g2 = torch.autograd.grad(l2, ts, allow_unused=True)
    g1 = torch.autograd.grad(l1, ts, allow_unused=True)
    for ours, theirs in zip(l2_penalty_grad(ws, lam, m), g2):
        np.testing.assert_allclose(
            ours, 0.0 if theirs is None else theirs.numpy(), rtol=1e-12, atol=0, err_msg="L2 grad"
        )
    for ours, theirs in zip(l1_penalty_grad(ws, lam, m), g1):
        np.testing.assert_allclose(
            ours, 0.0 if theirs is None else theirs.numpy(), rtol=1e-12, atol=0, err_msg="L1 grad"
        )


def test_l1_subgradient_at_zero_is_zero_like_autograd():
    t = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    t.abs().sum().backward()
    np.testing.assert_array_equal(l1_penalty_grad([np.zeros(3)], 1.0)[0], t.grad.numpy())


def test_l2_step_is_weight_decay_and_equals_torch_sgd():
    rng = np.random.default_rng(0)
    w0, lr, lam, m = rng.normal(size=(3, 4)), 0.05, 0.8, 20
    x, y = rng.normal(size=(m, 4)), rng.normal(size=(m, 3))
    grad_loss = lambda w: 2 * (x @ w.T - y).T @ x / m  # noqa: E731  (mean squared error summed over outputs)
    wt = torch.tensor(w0, requires_grad=True)
    opt = torch.optim.SGD(
        [wt], lr=lr, weight_decay=lam / m
    )  # torch adds weight_decay * w to the gradient
    w = w0.copy()
    for _ in range(10):
        opt.zero_grad()
        (((torch.from_numpy(x) @ wt.T - torch.from_numpy(y)) ** 2).sum() / m).backward()
        opt.step()
        # two ways on our side: the explicit penalty gradient, and the (1 - lr lam / m) form
        w_penalty = w - lr * (grad_loss(w) + l2_penalty_grad([w], lam, m)[0])
        w = l2_sgd_step(w, grad_loss(w), lr, lam, m)
        np.testing.assert_allclose(w, w_penalty, rtol=1e-13)
    np.testing.assert_allclose(
        w, wt.detach().numpy(), rtol=1e-11, err_msg="differs from torch SGD(weight_decay)"
    )


def test_decay_factor_alone_shrinks_geometrically():
    w = np.array([2.0, -1.0])
    for _ in range(100):
        w = l2_sgd_step(w, np.zeros(2), lr=0.1, lam=0.5, m=5)
    np.testing.assert_allclose(w, np.array([2.0, -1.0]) * (1 - 0.1 * 0.5 / 5) ** 100, rtol=1e-13)
    assert weight_decay_factor(0.1, 0.5, 5) == pytest.approx(0.99, rel=1e-15)


def test_single_array_accepted_and_not_modified():
    w = np.array([1.0, -2.0])
    assert l2_penalty(w, 1.0) == pytest.approx(2.5)
    l2_sgd_step(w, np.ones(2), 0.1, 1.0)
    np.testing.assert_array_equal(w, [1.0, -2.0])


@pytest.mark.parametrize("call, match", [
    (lambda: l2_penalty([np.ones(2)], -1.0), "lam"),
    (lambda: l1_penalty([np.ones(2)], 1.0, m=0), "m "),
    (lambda: weight_decay_factor(-0.1, 1.0), "lr"),
    (lambda: l2_sgd_step(np.ones(2), np.ones(3), 0.1, 1.0), "grad_loss has shape"),
])
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_non_numeric_weights():
    with pytest.raises(TypeError, match="real numbers"):
        l2_penalty([np.array(["a"])], 1.0)
