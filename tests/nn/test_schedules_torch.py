"""The time-based decay as a torch LRScheduler (dlbook.nn.schedules_torch): the NumPy twin's
numbers, torch's own Adagrad lr_decay, torch's LambdaLR, and our hand-written optimizers."""

import numpy as np
import pytest
import torch

from dlbook.nn import optim, optim_torch, schedules
from dlbook.nn.optim_torch import float64_default
from dlbook.nn.schedules_torch import InverseTimeDecayLR


def lrs_of(opt, sched, n, lr_of):
    out = []
    for _ in range(n):
        out.append(lr_of(opt))
        if isinstance(opt, torch.optim.Optimizer):
            opt.step()  # no gradients: nothing moves, but torch wants this order
        sched.step()
    return np.array(out)


@pytest.mark.parametrize("lr0, decay", [(0.1, 0.0), (0.1, 0.05), (1.0, 2.0)])
def test_equals_the_numpy_twin_and_lambdalr(lr0, decay):
    t_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr0)
    ours = lrs_of(t_opt, InverseTimeDecayLR(t_opt, decay), 40, lambda o: o.param_groups[0]["lr"])
    n_opt = optim.SGD([np.zeros(1)], lr=lr0)
    twin = lrs_of(n_opt, schedules.InverseTimeDecayLR(n_opt, decay), 40, lambda o: o.hyper["lr"])
    l_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr0)
    lam = torch.optim.lr_scheduler.LambdaLR(l_opt, lambda i: 1 / (1 + decay * i))
    lambda_lrs = lrs_of(l_opt, lam, 40, lambda o: o.param_groups[0]["lr"])
    np.testing.assert_allclose(ours, twin, rtol=1e-15)
    np.testing.assert_allclose(ours, lambda_lrs, rtol=1e-14)
    assert ours[0] == lr0 and (decay == 0 or ours[-1] < lr0)


@pytest.mark.parametrize("module", [torch.optim, optim_torch], ids=["torch.optim", "optim_torch"])
def test_drives_adagrad_exactly_like_its_lr_decay(module):
    """Adagrad(lr_decay=0) under InverseTimeDecayLR stepped per update = Adagrad(lr_decay=d)."""
    grads = np.random.default_rng(0).normal(size=(40, 3))
    with float64_default():
        paths = []
        for scheduled in (False, True):
            p = torch.zeros(3, requires_grad=True)
            opt = module.Adagrad([p], lr=0.5, lr_decay=0.0 if scheduled else 0.2)
            sched = InverseTimeDecayLR(opt, 0.2) if scheduled else None
            path = []
            for g in grads:
                p.grad = torch.tensor(g)
                opt.step()
                if sched is not None:
                    sched.step()
                path.append(p.detach().numpy().copy())
            paths.append(np.array(path))
    np.testing.assert_allclose(paths[1], paths[0], rtol=1e-12, atol=1e-15)


def test_param_groups_decay_from_their_own_rates_and_resume():
    a, b = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    opt = optim_torch.Adam([{"params": [a], "lr": 0.1}, {"params": [b], "lr": 0.01}])
    sched = InverseTimeDecayLR(opt, 1.0)
    for _ in range(3):
        opt.step()
        sched.step()
    assert sched.get_last_lr() == pytest.approx([0.1 / 4, 0.01 / 4], rel=1e-15)
    resumed = InverseTimeDecayLR(opt, 1.0, last_epoch=3)  # e.g. after loading a checkpoint
    like = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: 1 / (1 + i), last_epoch=3)
    assert resumed.get_last_lr() == pytest.approx(like.get_last_lr(), rel=1e-15)
    assert resumed.last_epoch == like.last_epoch == 4  # torch's constructor takes one step


@pytest.mark.parametrize("decay, error", [(-0.1, ValueError), (float("inf"), ValueError),
                                          (float("nan"), ValueError), ("0.1", TypeError)])
def test_bad_decay_raises(decay, error):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(error, match="decay"):
        InverseTimeDecayLR(opt, decay)
