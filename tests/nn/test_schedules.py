"""Learning-rate schedules against torch.optim.lr_scheduler, Adagrad's lr_decay, and their own
defining properties."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nn.optim_torch import float64_default
from dlbook.nn.schedules import cosine_decay, exponential_decay, inverse_time_decay, step_decay


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


@pytest.mark.parametrize("lr0, gamma, step_size", [(0.1, 0.5, 10), (1.0, 0.9, 1), (0.3, 0.1, 7)])
def test_step_decay_is_steplr(lr0, gamma, step_size):
    ref = torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size, gamma), lr0, 60)
    np.testing.assert_allclose(step_decay(lr0, gamma, step_size, np.arange(60)), ref, rtol=1e-12)


@pytest.mark.parametrize("lr0, gamma", [(0.1, 0.95), (1.0, 0.5), (0.01, 0.999)])
def test_exponential_decay_is_exponentiallr(lr0, gamma):
    ref = torch_lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma), lr0, 80)
    np.testing.assert_allclose(exponential_decay(lr0, gamma, np.arange(80)), ref, rtol=1e-12)


def test_staircase_exponential_decay_is_steplr():
    ref = torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, 5, 0.7), 0.2, 40)
    np.testing.assert_allclose(exponential_decay(0.2, 0.7, np.arange(40), decay_steps=5,
                                                 staircase=True), ref, rtol=1e-12)


@pytest.mark.parametrize("lr0, lr_min, T", [(0.1, 0.0, 50), (1.0, 0.1, 17), (0.5, 0.5, 10)])
def test_cosine_decay_is_cosineannealinglr_up_to_t_max(lr0, lr_min, T):
    ref = torch_lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T, lr_min), lr0, T + 1)
    np.testing.assert_allclose(cosine_decay(lr0, np.arange(T + 1), T, lr_min), ref,
                               rtol=1e-10, atol=1e-15)
    after = cosine_decay(lr0, np.arange(T, 2 * T), T, lr_min)
    np.testing.assert_allclose(after, lr_min)  # flat afterwards (torch's would rise again)


@pytest.mark.parametrize("lr_decay", [0.01, 0.5, 3.0])
def test_inverse_time_decay_is_adagrads_lr_decay(lr_decay):
    """torch's Adagrad(lr_decay=d) takes the same steps as Adagrad(lr_decay=0) whose learning
    rate follows inverse_time_decay(lr0, d, i) for update i = 0, 1, 2, ..."""
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(30, 3))
    with float64_default():
        paths = []
        for decay_inside in (True, False):
            p = torch.zeros(3, requires_grad=True)
            opt = torch.optim.Adagrad([p], lr=0.5, lr_decay=lr_decay if decay_inside else 0.0)
            path = []
            for i, g in enumerate(grads):
                if not decay_inside:
                    opt.param_groups[0]["lr"] = inverse_time_decay(0.5, lr_decay, i)
                p.grad = torch.tensor(g)
                opt.step()
                path.append(p.detach().numpy().copy())
            paths.append(np.array(path))
    np.testing.assert_allclose(paths[0], paths[1], rtol=1e-12, atol=1e-15)


def test_inverse_time_decay_halves_after_one_over_decay_updates():
    assert inverse_time_decay(0.01, 1e-3, 1000) == pytest.approx(0.005, rel=1e-15)
    assert inverse_time_decay(0.01, 0.0, 10**6) == 0.01
    # Keras's example SGD(lr=0.01, decay=1e-6): 391 updates per epoch of 50,000 / 128
    assert inverse_time_decay(0.01, 1e-6, 391 * 100) == pytest.approx(0.01 / 1.0391, rel=1e-15)


@settings(max_examples=60, deadline=None)
@given(st.floats(1e-5, 10.0), st.floats(0.0, 10.0), st.integers(0, 10**6), st.integers(1, 1000))
def test_schedules_never_increase(lr0, decay, i, di):
    assert inverse_time_decay(lr0, decay, i + di) <= inverse_time_decay(lr0, decay, i)
    assert exponential_decay(lr0, 0.9, i + di, decay_steps=7) <= exponential_decay(lr0, 0.9, i, 7)
    assert step_decay(lr0, 0.5, 13, i + di) <= step_decay(lr0, 0.5, 13, i)
    assert cosine_decay(lr0, i + di, 5000) <= cosine_decay(lr0, i, 5000) + 1e-15 * lr0


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 400))
def test_cosine_decay_is_symmetric_about_half_way(i):
    T, lr0, lr_min = 400, 0.3, 0.01
    total = cosine_decay(lr0, i, T, lr_min) + cosine_decay(lr0, T - i, T, lr_min)
    assert total == pytest.approx(lr0 + lr_min, rel=1e-12)


def test_scalar_in_scalar_out_and_arrays_keep_shape():
    assert isinstance(inverse_time_decay(0.1, 0.1, 3), float)
    assert cosine_decay(1.0, np.zeros((2, 3), dtype=int), 10).shape == (2, 3)
    assert step_decay(1.0, 0.5, 2, 4.0) == 0.25  # a whole float counts as a step number


@pytest.mark.parametrize("call, error, match", [
    (lambda: inverse_time_decay(-0.1, 0.1, 1), ValueError, "lr0 must be >= 0"),
    (lambda: inverse_time_decay(0.1, -1e-3, 1), ValueError, "decay must be >= 0"),
    (lambda: inverse_time_decay(0.1, 0.1, -1), ValueError, "step must be >= 0"),
    (lambda: inverse_time_decay(0.1, 0.1, 1.5), TypeError, "whole number"),
    (lambda: inverse_time_decay("0.1", 0.1, 1), TypeError, "lr0 must be a finite real"),
    (lambda: step_decay(0.1, 0.5, 0, 3), ValueError, "step_size"),
    (lambda: step_decay(0.1, 0.0, 2, 3), ValueError, "gamma must be > 0"),
    (lambda: exponential_decay(0.1, 0.5, 3, decay_steps=0), ValueError, "decay_steps"),
    (lambda: cosine_decay(0.1, 3, 0), ValueError, "total_steps"),
    (lambda: cosine_decay(0.1, 3, 10, lr_min=0.2), ValueError, "must not exceed"),
])
def test_bad_arguments_raise(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- the scheduler classes, step by step against torch.optim.lr_scheduler ---------------------
from dlbook.nn import schedules  # noqa: E402
from dlbook.nn.optim import SGD, Adam  # noqa: E402


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
    (lambda o: schedules.StepLR(o, 7, 0.5), lambda o: torch.optim.lr_scheduler.StepLR(o, 7, 0.5)),
    (lambda o: schedules.StepLR(o, 3), lambda o: torch.optim.lr_scheduler.StepLR(o, 3)),
    (lambda o: schedules.ExponentialLR(o, 0.95),
     lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.95)),
    (lambda o: schedules.CosineAnnealingLR(o, 25),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 25)),
    (lambda o: schedules.CosineAnnealingLR(o, 10, eta_min=0.01),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 10, eta_min=0.01)),
], ids=["StepLR", "StepLR-default-gamma", "ExponentialLR", "CosineAnnealingLR",
        "CosineAnnealingLR-eta_min"])
def test_scheduler_classes_equal_torchs_step_by_step(ours, theirs):
    """75 steps, past T_max where torch's cosine climbs back up."""
    np.testing.assert_allclose(numpy_lrs(ours, 0.3, 75), torch_lrs(theirs, 0.3, 75),
                               rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("decay", [0.0, 0.01, 0.5])
def test_inverse_time_decay_class_follows_the_function(decay):
    lrs = numpy_lrs(lambda o: schedules.InverseTimeDecayLR(o, decay), 0.2, 30)
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
    sched = schedules.ReduceLROnPlateau(opt, **kw)
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
    (lambda: schedules.ReduceLROnPlateau(SGD([np.zeros(1)]), factor=1.0), ValueError,
     "factor must be < 1, got 1.0"),
    (lambda: schedules.ReduceLROnPlateau(SGD([np.zeros(1)]), mode="up"), ValueError, "'up'"),
    (lambda: schedules.ReduceLROnPlateau(SGD([np.zeros(1)]), threshold_mode="x"), ValueError,
     "threshold_mode"),
    (lambda: schedules.ReduceLROnPlateau(SGD([np.zeros(1)]), patience=-1), ValueError,
     "patience must be an integer >= 0"),
    (lambda: schedules.ReduceLROnPlateau(SGD([np.zeros(1)]), min_lr=-1.0), ValueError, "min_lr"),
    (lambda: schedules.ReduceLROnPlateau(object()), TypeError, "not an optimizer"),
    (lambda: schedules.StepLR(SGD([np.zeros(1)]), 0), ValueError, "step_size"),
    (lambda: schedules.ExponentialLR(SGD([np.zeros(1)]), -0.5), ValueError, "gamma"),
    (lambda: schedules.CosineAnnealingLR(SGD([np.zeros(1)]), 0), ValueError, "T_max"),
    (lambda: schedules.InverseTimeDecayLR(SGD([np.zeros(1)]), -0.1), ValueError, "decay"),
    (lambda: schedules.InverseTimeDecayLR(torch.optim.SGD([torch.zeros(1)]), 0.1), TypeError,
     "not an optimizer of dlbook.nn.optim"),
])
def test_bad_scheduler_arguments_raise(call, error, match):
    with pytest.raises(error, match=match):
        call()
