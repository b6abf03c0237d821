"""DQN pieces against their formulas: TD targets, the Huber loss, exploration, target-network
updates and one gradient step. (Training runs on CartPole-v1 are in test_dqn_training_torch.py.)"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook.rl.dqn_torch import (
    DQNConfig,
    QNetwork,
    dqn_update,
    epsilon_greedy,
    hard_update,
    huber_loss,
    linear_epsilon,
    soft_update,
    td_targets,
)
from dlbook.rl.replay import Batch

# --- the TD target -------------------------------------------------------------------------

@pytest.mark.parametrize("double", [False, True])
def test_td_targets_match_the_hand_formula(double):
    rng = np.random.default_rng(0)
    B, A, gamma = 32, 3, 0.9
    r = rng.normal(size=B)
    q_t = rng.normal(size=(B, A))
    q_o = rng.normal(size=(B, A))
    done = rng.random(B) < 0.3
    done[:2] = [True, False]
    y = td_targets(torch.tensor(r), torch.tensor(q_t), torch.tensor(done), gamma,
                   torch.tensor(q_o) if double else None).numpy()
    for i in range(B):
        if done[i]:
            expected = r[i]  # no bootstrapping from a terminal state
        elif double:
            expected = r[i] + gamma * q_t[i, int(np.argmax(q_o[i]))]
        else:
            expected = r[i] + gamma * max(q_t[i])
        assert y[i] == pytest.approx(expected, rel=1e-12, abs=1e-12), f"row {i}, done={done[i]}"


def test_td_targets_carry_no_gradient():
    q = torch.randn(4, 2, requires_grad=True)
    y = td_targets(torch.ones(4), q, torch.zeros(4, dtype=torch.bool), 0.99)
    assert not y.requires_grad


# --- the Huber loss ------------------------------------------------------------------------

@pytest.mark.parametrize("delta", [0.5, 1.0, 3.0])
def test_huber_matches_torch_and_its_gradient_is_the_clipped_error(delta):
    g = torch.Generator().manual_seed(1)
    pred = (4 * torch.randn(200, generator=g, dtype=torch.float64)).requires_grad_()
    target = torch.randn(200, generator=g, dtype=torch.float64)
    ours = huber_loss(pred, target, delta)
    ref = F.huber_loss(pred, target, delta=delta)
    torch.testing.assert_close(ours, ref, rtol=1e-12, atol=0)
    (grad,) = torch.autograd.grad(ours, pred)
    expected = (pred - target).clamp(-delta, delta).detach() / pred.numel()
    torch.testing.assert_close(grad, expected, rtol=1e-12, atol=1e-15)
    assert torch.autograd.gradcheck(lambda p: huber_loss(p, target, delta), (pred,))


def test_huber_hand_values():
    e = torch.tensor([0.0, 0.5, -1.0, 3.0, -4.0], dtype=torch.float64)
    out = huber_loss(e, torch.zeros(5, dtype=torch.float64), delta=1.0, reduction="none")
    assert out.tolist() == [0.0, 0.125, 0.5, 2.5, 3.5]


# --- exploration and target updates --------------------------------------------------------

def test_linear_epsilon_schedule():
    assert linear_epsilon(0, 1.0, 0.1, 100) == 1.0
    assert linear_epsilon(50, 1.0, 0.1, 100) == pytest.approx(0.55)
    assert linear_epsilon(100, 1.0, 0.1, 100) == pytest.approx(0.1)
    assert linear_epsilon(10_000, 1.0, 0.1, 100) == pytest.approx(0.1)
    values = [linear_epsilon(t, 1.0, 0.1, 100) for t in range(150)]
    assert all(a >= b for a, b in zip(values, values[1:])), "epsilon must never increase"


def test_epsilon_greedy_frequencies():
    rng = np.random.default_rng(0)
    q = np.tile([0.0, 2.0, 1.0, -1.0], (40_000, 1))  # greedy action 1, A = 4
    assert (epsilon_greedy(q, 0.0, rng) == 1).all()
    eps = 0.4
    freq = np.bincount(epsilon_greedy(q, eps, rng), minlength=4) / len(q)
    expected = np.full(4, eps / 4)
    expected[1] += 1 - eps
    np.testing.assert_allclose(freq, expected, atol=0.01)


def test_soft_update_is_polyak_averaging_and_tau_one_is_a_copy():
    torch.manual_seed(0)
    online, target = QNetwork(3, 2, (5,)), QNetwork(3, 2, (5,))
    before = [p.detach().clone() for p in target.parameters()]
    soft_update(target, online, tau=0.25)
    for t, o, b in zip(target.parameters(), online.parameters(), before):
        torch.testing.assert_close(t, 0.25 * o + 0.75 * b, rtol=1e-6, atol=1e-7)
    soft_update(target, online, tau=1.0)
    for t, o in zip(target.parameters(), online.parameters()):
        torch.testing.assert_close(t, o, rtol=0, atol=1e-7)
    other = QNetwork(3, 2, (5,))
    hard_update(other, online)
    assert all(torch.equal(a, b) for a, b in zip(other.parameters(), online.parameters()))


@pytest.mark.parametrize("double", [False, True])
def test_dqn_update_returns_the_huber_loss_of_the_batch(double):
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    online, target = QNetwork(4, 2, (8,)), QNetwork(4, 2, (8,))
    batch = Batch(rng.normal(size=(16, 4)).astype(np.float32), rng.integers(0, 2, 16),
                  rng.normal(size=16).astype(np.float32),
                  rng.normal(size=(16, 4)).astype(np.float32), rng.random(16) < 0.5)
    cfg = DQNConfig(gamma=0.9, double=double)
    with torch.no_grad():  # an independent computation of the same loss, in NumPy
        q = online(torch.as_tensor(batch.obs)).numpy()
        qn_t = target(torch.as_tensor(batch.next_obs)).numpy()
        qn_o = online(torch.as_tensor(batch.next_obs)).numpy()
    pick = qn_o.argmax(1) if double else qn_t.argmax(1)
    y = batch.rewards + 0.9 * (~batch.terminated) * qn_t[np.arange(16), pick]
    e = np.abs(q[np.arange(16), batch.actions] - y)
    expected = np.mean(np.where(e <= 1, 0.5 * e**2, e - 0.5))
    opt = torch.optim.SGD(online.parameters(), lr=0.1)
    loss = dqn_update(online, target, opt, batch, cfg, "cpu")
    assert loss == pytest.approx(expected, rel=1e-5)
    with torch.no_grad():
        q_after = online(torch.as_tensor(batch.obs)).numpy()
    e_after = np.abs(q_after[np.arange(16), batch.actions] - y)
    assert np.mean(np.where(e_after <= 1, 0.5 * e_after**2, e_after - 0.5)) < expected


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: td_targets(torch.ones(2), torch.ones(2, 2), torch.zeros(2, dtype=torch.bool), 1.5),
         ValueError, "gamma"),
        (lambda: td_targets(torch.ones(3), torch.ones(2, 2), torch.zeros(2, dtype=torch.bool), .9),
         ValueError, r"rewards \(3,\)"),
        (lambda: td_targets(torch.ones(2), torch.ones(2, 2), torch.zeros(2), 0.9),
         TypeError, "bool"),
        (lambda: td_targets(torch.ones(2), torch.ones(2, 2), torch.zeros(2, dtype=torch.bool), .9,
                            torch.ones(2, 3)), ValueError, "differ in shape"),
        (lambda: huber_loss(torch.ones(3), torch.ones(3, 1)), ValueError, r"\(3,\).*\(3, 1\)"),
        (lambda: huber_loss(torch.ones(3), torch.ones(3), delta=0), ValueError, "delta"),
        (lambda: huber_loss(torch.ones(3), torch.ones(3), reduction="avg"), ValueError,
         "reduction"),
        (lambda: linear_epsilon(-1), ValueError, "step"),
        (lambda: epsilon_greedy(np.ones(3), 0.1, np.random.default_rng()), ValueError, r"\(B, A\)"),
        (lambda: epsilon_greedy(np.ones((2, 3)), 1.1, np.random.default_rng()), ValueError,
         "epsilon"),
        (lambda: soft_update(QNetwork(1, 1, (1,)), QNetwork(1, 1, (1,)), 0.0), ValueError, "tau"),
        (lambda: QNetwork(0, 2), ValueError, "obs_dim must be >= 1"),
    ],
)
def test_bad_input_is_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()
