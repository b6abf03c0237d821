"""Learning-rate schedules as functions (dlbook.nn.schedules) against torch.optim.lr_scheduler,
Adagrad's lr_decay, and their own defining properties."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nn.schedules import (
    cosine_decay,
    exponential_decay,
    inverse_time_decay,
    linear_warmup,
    step_decay,
)
from dlbook.utils import float64_default


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


@pytest.mark.parametrize("lr0, f, W", [(0.1, 1 / 3, 5), (1.0, 0.01, 20), (0.3, 1.0, 3)])
def test_linear_warmup_is_linearlr(lr0, f, W):
    ref = torch_lrs(lambda o: torch.optim.lr_scheduler.LinearLR(o, f, 1.0, W), lr0, 3 * W)
    np.testing.assert_allclose(linear_warmup(lr0, np.arange(3 * W), W, f), ref, rtol=1e-12)
    assert linear_warmup(lr0, W, W, f) == pytest.approx(lr0, rel=1e-15)


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
    assert linear_warmup(lr0, i + di, 500) >= linear_warmup(lr0, i, 500) - 1e-15 * lr0


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
    (lambda: inverse_time_decay("0.1", 0.1, 1), TypeError, "lr0 must be a real number"),
    (lambda: step_decay(0.1, 0.5, 0, 3), ValueError, "step_size"),
    (lambda: step_decay(0.1, 0.0, 2, 3), ValueError, "gamma must be > 0"),
    (lambda: exponential_decay(0.1, 0.5, 3, decay_steps=0), ValueError, "decay_steps"),
    (lambda: cosine_decay(0.1, 3, 0), ValueError, "total_steps"),
    (lambda: cosine_decay(0.1, 3, 10, lr_min=0.2), ValueError, "must not exceed"),
    (lambda: linear_warmup(0.1, 3, 0), ValueError, "warmup_steps"),
    (lambda: linear_warmup(0.1, 3, 5, start_factor=0.0), ValueError, "start_factor must be > 0"),
])
def test_bad_arguments_raise(call, error, match):
    with pytest.raises(error, match=match):
        call()
