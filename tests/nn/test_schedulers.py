"""The NumPy learning-rate schedulers of dlbook.nn.schedulers, step by step against their
torch.optim.lr_scheduler namesakes driving a torch optimizer: the same rate at every update, on
sequences past T_max, with ties and plateaus."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nn import schedulers
from dlbook.nn.optim import SGD, Adam


def torch_lrs(make_scheduler, lr0, n):
    """The learning rate torch uses for updates 0 .. n-1 under a scheduler stepped per update."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr0)
    sched = make_scheduler(opt)
    lrs = []
    for _ in range(n):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(lrs)




def numpy_lrs(make_scheduler, lr0, n):
    """The learning rate our NumPy optimizer uses for updates 0 .. n-1 under a scheduler."""
    w = np.zeros(1)
    opt = SGD([w], lr=lr0)
    sched = make_scheduler(opt)
    lrs = []
    for _ in range(n):
        lrs.append(opt.hyper["lr"])
        opt.step([np.ones(1)])
        sched.step()
    np.testing.assert_allclose(w, [-sum(lrs)], rtol=1e-12)  # the optimizer used those rates
    return np.array(lrs)


@pytest.mark.parametrize("ours, theirs", [
    (lambda o: schedulers.StepLR(o, 7, 0.5), lambda o: torch.optim.lr_scheduler.StepLR(o, 7, 0.5)),
    (lambda o: schedulers.StepLR(o, 3), lambda o: torch.optim.lr_scheduler.StepLR(o, 3)),
    (lambda o: schedulers.ExponentialLR(o, 0.95),
     lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.95)),
    (lambda o: schedulers.CosineAnnealingLR(o, 25),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 25)),
    (lambda o: schedulers.CosineAnnealingLR(o, 10, eta_min=0.01),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 10, eta_min=0.01)),
    (lambda o: schedulers.LinearLR(o), lambda o: torch.optim.lr_scheduler.LinearLR(o)),
    (lambda o: schedulers.LinearLR(o, 0.05, 0.5, 30),
     lambda o: torch.optim.lr_scheduler.LinearLR(o, 0.05, 0.5, 30)),
], ids=["StepLR", "StepLR-default-gamma", "ExponentialLR", "CosineAnnealingLR",
        "CosineAnnealingLR-eta_min", "LinearLR", "LinearLR-0.05-0.5-30"])
def test_scheduler_classes_equal_torchs_step_by_step(ours, theirs):
    """75 steps, past T_max where torch's cosine climbs back up."""
    np.testing.assert_allclose(numpy_lrs(ours, 0.3, 75), torch_lrs(theirs, 0.3, 75),
                               rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("decay", [0.0, 0.01, 0.5])
def test_inverse_time_decay_class_follows_the_function(decay):
    lrs = numpy_lrs(lambda o: schedulers.InverseTimeDecayLR(o, decay), 0.2, 30)
    np.testing.assert_allclose(lrs, 0.2 / (1 + decay * np.arange(30)), rtol=1e-15)


def torch_plateau_run(metrics, lr0, **kw):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr0)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
    out = []
    for m in metrics:
        sched.step(m)
        out.append((opt.param_groups[0]["lr"], sched.num_bad_epochs, sched.cooldown_counter,
                    sched.best))
    return out


def numpy_plateau_run(metrics, lr0, **kw):
    opt = Adam([np.zeros(1)], lr=lr0)
    sched = schedulers.ReduceLROnPlateau(opt, **kw)
    out = []
    for m in metrics:
        sched.step(m)
        out.append((opt.hyper["lr"], sched.num_bad_epochs, sched.cooldown_counter, sched.best))
    return out


PLATEAU_SETTINGS = [
    {},
    {"factor": 0.5, "patience": 2},
    {"mode": "max", "factor": 0.5, "patience": 1},
    {"threshold_mode": "abs", "threshold": 0.05, "patience": 1},
    {"mode": "max", "threshold_mode": "abs", "threshold": 0.05, "patience": 0},
    {"factor": 0.5, "patience": 1, "cooldown": 3},
    {"factor": 0.2, "patience": 0, "min_lr": 0.01},
    {"factor": 0.9, "patience": 0, "eps": 0.02},
    {"factor": 0.5, "patience": 2, "threshold": 0.1, "cooldown": 2, "min_lr": 1e-3},
]
LOSSES = [1.0, 0.9, 0.9, 0.89995, 0.92, 0.85, 0.85, 0.8499, 0.86, 0.87, 0.7, 0.7, 0.71, 0.69, 0.7,
          0.72, 0.5, 0.52, 0.51, 0.5, -0.1, -0.1, -0.11, -0.2, -0.19, -0.2, -0.2, -0.21, -0.2, -0.2]


@pytest.mark.parametrize("kw", PLATEAU_SETTINGS, ids=[str(k) for k in PLATEAU_SETTINGS])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_reduce_lr_on_plateau_is_torchs(kw, sign):
    """Same rate, bad-epoch count, cooldown and best after every step, in both modes, on a
    sequence with ties, near-ties below the threshold, negative values and plateaus."""
    metrics = [sign * m for m in LOSSES]
    ours, theirs = numpy_plateau_run(metrics, 0.1, **kw), torch_plateau_run(metrics, 0.1, **kw)
    assert_same_plateau_runs(ours, theirs)


def assert_same_plateau_runs(ours, theirs):
    assert len(ours) == len(theirs)
    for epoch, (a, b) in enumerate(zip(ours, theirs)):
        assert a == pytest.approx(b, rel=1e-12), f"epoch {epoch}: ours {a}, torch {b}"


def test_the_plateau_table_exercises_reductions():
    """Most settings cut the rate on the loss sequence; eps=0.02 blocks a 0.1 -> 0.09 cut."""
    runs = [torch_plateau_run(LOSSES, 0.1, **kw) for kw in PLATEAU_SETTINGS]
    cuts = [len({lr for lr, *_ in run}) - 1 for run in runs]
    assert sum(c > 0 for c in cuts) >= 6, cuts
    assert cuts[PLATEAU_SETTINGS.index({"factor": 0.9, "patience": 0, "eps": 0.02})] == 0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([1.0, 0.99995, 0.9, 0.5, 0.4999, 2.0, -1.0, 0.0]), max_size=40),
       st.sampled_from(PLATEAU_SETTINGS))
def test_reduce_lr_on_plateau_is_torchs_on_any_sequence(metrics, kw):
    assert_same_plateau_runs(numpy_plateau_run(metrics, 1.0, **kw),
                             torch_plateau_run(metrics, 1.0, **kw))


@pytest.mark.parametrize("call, error, match", [
    (lambda: schedulers.ReduceLROnPlateau(SGD([np.zeros(1)]), factor=1.0), ValueError,
     "factor must be < 1.0, got 1.0"),
    (lambda: schedulers.ReduceLROnPlateau(SGD([np.zeros(1)]), mode="up"), ValueError, "'up'"),
    (lambda: schedulers.ReduceLROnPlateau(SGD([np.zeros(1)]), threshold_mode="x"), ValueError,
     "threshold_mode"),
    (lambda: schedulers.ReduceLROnPlateau(SGD([np.zeros(1)]), patience=-1), ValueError,
     "patience must be >= 0"),
    (lambda: schedulers.ReduceLROnPlateau(SGD([np.zeros(1)]), min_lr=-1.0), ValueError, "min_lr"),
    (lambda: schedulers.ReduceLROnPlateau(object()), TypeError, "not an optimizer"),
    (lambda: schedulers.StepLR(SGD([np.zeros(1)]), 0), ValueError, "step_size"),
    (lambda: schedulers.ExponentialLR(SGD([np.zeros(1)]), -0.5), ValueError, "gamma"),
    (lambda: schedulers.CosineAnnealingLR(SGD([np.zeros(1)]), 0), ValueError, "T_max"),
    (lambda: schedulers.LinearLR(SGD([np.zeros(1)]), start_factor=0.0), ValueError,
     "start_factor"),
    (lambda: schedulers.InverseTimeDecayLR(SGD([np.zeros(1)]), -0.1), ValueError, "decay"),
    (lambda: schedulers.InverseTimeDecayLR(torch.optim.SGD([torch.zeros(1)]), 0.1), TypeError,
     "not an optimizer of dlbook.nn.optim"),
])
def test_bad_scheduler_arguments_raise(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_get_last_lr_is_a_list_as_in_torch():
    opt = SGD([np.zeros(1)], lr=0.4)
    assert schedulers.StepLR(opt, 2).get_last_lr() == [0.4]
    assert schedulers.ReduceLROnPlateau(opt).get_last_lr() == [0.4]
