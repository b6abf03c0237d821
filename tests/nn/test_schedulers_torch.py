"""The hand-written torch schedulers of dlbook.nn.schedulers_torch: step by step against their
torch.optim.lr_scheduler namesakes and the NumPy twins; the time-based decay against torch's own
Adagrad lr_decay and LambdaLR, with our hand-written optimizers too."""

import numpy as np
import pytest
import torch

from dlbook.nn import optim, optim_torch, schedulers, schedulers_torch
from dlbook.nn.schedulers_torch import InverseTimeDecayLR
from dlbook.utils import float64_default


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
    twin = lrs_of(n_opt, schedulers.InverseTimeDecayLR(n_opt, decay), 40, lambda o: o.hyper["lr"])
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


def torch_lrs(make_scheduler, lr0, n):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr0)
    return lrs_of(opt, make_scheduler(opt), n, lambda o: o.param_groups[0]["lr"])


def numpy_lrs(make_scheduler, lr0, n):
    opt = optim.SGD([np.zeros(1)], lr=lr0)
    return lrs_of(opt, make_scheduler(opt), n, lambda o: o.hyper["lr"])


TWINS = [
    ("StepLR", (7, 0.5)), ("StepLR", (3,)), ("ExponentialLR", (0.95,)),
    ("CosineAnnealingLR", (25,)), ("CosineAnnealingLR", (10, 0.01)), ("LinearLR", ()),
    ("LinearLR", (0.05, 0.5, 30)),
]


@pytest.mark.parametrize("name, args", TWINS, ids=[f"{n}{a}" for n, a in TWINS])
def test_hand_written_schedulers_equal_torchs_and_the_numpy_twins(name, args):
    """75 steps, past T_max where the cosine climbs back up."""
    ours = torch_lrs(lambda o: getattr(schedulers_torch, name)(o, *args), 0.3, 75)
    theirs = torch_lrs(lambda o: getattr(torch.optim.lr_scheduler, name)(o, *args), 0.3, 75)
    twin = numpy_lrs(lambda o: getattr(schedulers, name)(o, *args), 0.3, 75)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-15, err_msg=name)
    np.testing.assert_allclose(ours, twin, rtol=1e-12, atol=1e-15, err_msg=name)


def test_reduce_lr_on_plateau_twin_is_torchs_on_every_group():
    losses = [1.0, 0.9, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.81, 0.79, 0.79, 0.79, 0.79]
    runs = []
    for cls in (schedulers_torch.ReduceLROnPlateau, torch.optim.lr_scheduler.ReduceLROnPlateau):
        a, b = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([{"params": [a], "lr": 0.1}, {"params": [b], "lr": 0.02}])
        sched = cls(opt, factor=0.5, patience=1, cooldown=1, min_lr=[0.0, 0.01])
        run = []
        for m in losses:
            sched.step(m)
            run.append([g["lr"] for g in opt.param_groups])
        runs.append(run)
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-15)
    assert runs[0][-1] != runs[0][0]


@pytest.mark.parametrize("call, error, match", [
    (lambda o: schedulers_torch.StepLR(o, 0), ValueError, "step_size"),
    (lambda o: schedulers_torch.ExponentialLR(o, -0.5), ValueError, "gamma"),
    (lambda o: schedulers_torch.CosineAnnealingLR(o, 0), ValueError, "T_max"),
    (lambda o: schedulers_torch.LinearLR(o, start_factor=2.0), ValueError, "start_factor"),
    (lambda o: schedulers_torch.ReduceLROnPlateau(o, mode="up"), ValueError, "'up'"),
    (lambda o: schedulers_torch.ReduceLROnPlateau(optim.SGD([np.zeros(1)])), TypeError,
     "not a torch optimizer"),
])
def test_bad_arguments_raise(call, error, match):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(error, match=match):
        call(opt)
