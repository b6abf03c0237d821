"""The hand-written torch optimizers (dlbook.nn.optim_torch) against torch.optim: 200 steps in
float64 on every case of the NumPy tables (rtol 1e-10, state included), on CPU and, where there
is one, on a CUDA device; torch's constructor, errors, state_dict, closures and schedulers."""

import copy
import inspect

import numpy as np
import pytest
import torch

from dlbook.nn import optim, optim_torch
from dlbook.nn.examples.landscapes import rosenbrock_grad
from dlbook.nn.optim_torch import OPTIMIZER_NAMES
from dlbook.utils import float64_default
from tests.nn.optim_checks import (
    CASES_ADAM_FAMILY,
    CASES_SGD_FAMILY,
    assert_twin_matches_torch,
    case_id,
    rosenbrock_loss,
)

CASES = CASES_SGD_FAMILY + CASES_ADAM_FAMILY


@pytest.mark.parametrize("name, hyper", CASES, ids=[case_id(n, h) for n, h in CASES])
def test_matches_torch_optim_for_200_steps(name, hyper):
    assert_twin_matches_torch(name, hyper)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name, hyper", CASES[::3], ids=[case_id(n, h) for n, h in CASES[::3]])
def test_matches_torch_optim_on_cuda(name, hyper):
    assert_twin_matches_torch(name, hyper, device="cuda")


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_hand_written_subclass_with_the_numpy_twins_constructor(name):
    cls = getattr(optim_torch, name)
    assert issubclass(cls, torch.optim.Optimizer) and cls is not getattr(torch.optim, name)
    assert inspect.signature(cls) == inspect.signature(getattr(optim, name))
    w = torch.zeros(2, requires_grad=True)
    defaults = {k: v for k, v in getattr(torch.optim, name)([w]).defaults.items()
                if k in cls([w]).defaults}
    assert cls([w]).defaults == defaults  # torch's defaults, key by key


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_no_call_into_torchs_own_update_code(name):
    """The update is written out here: no torch.optim class below ours, no functional call."""
    cls = getattr(optim_torch, name)
    torch_classes = {getattr(torch.optim, n) for n in OPTIMIZER_NAMES}
    assert not torch_classes & set(cls.__mro__), f"{name} inherits from a torch.optim optimizer"
    code = inspect.getsource(cls._update) + inspect.getsource(optim_torch._HandWritten.step)
    for forbidden in ("torch.optim", "_functional", "_single_tensor", "_multi_tensor", "foreach"):
        assert forbidden not in code, f"{name}._update uses {forbidden}"


@pytest.mark.parametrize("name, bad", [
    ("SGD", {"lr": -0.1}), ("SGD", {"momentum": -0.5}), ("SGD", {"nesterov": True}),
    ("Adam", {"betas": (0.9, 1.0)}), ("Adam", {"betas": (-0.1, 0.9)}), ("Adam", {"eps": -1e-8}),
    ("AdamW", {"weight_decay": -0.01}), ("Adadelta", {"rho": 1.5}),
    ("NAdam", {"momentum_decay": -1.0}), ("Adagrad", {"lr_decay": -1.0}),
])
def test_bad_hyperparameters_raise_like_torch(name, bad):
    w = torch.zeros(1, requires_grad=True)
    with pytest.raises(ValueError):
        getattr(torch.optim, name)([w], **bad)
    key = next(iter(bad))
    with pytest.raises(ValueError, match=key.rstrip("s") if key == "betas" else key):
        getattr(optim_torch, name)([w], **bad)


def test_unknown_keyword_and_sparse_gradient():
    w = torch.zeros(3, requires_grad=True)
    with pytest.raises(TypeError, match="amsgrad"):
        optim_torch.SGD([w], amsgrad=True)
    opt = optim_torch.Adam([w])
    w.grad = torch.zeros(3).to_sparse()
    with pytest.raises(RuntimeError, match="sparse"):
        opt.step()


@pytest.mark.parametrize("name, hyper", [("Adam", {"lr": 0.05, "amsgrad": True}),
                                         ("NAdam", {"lr": 0.05}), ("RMSprop", {"centered": True,
                                                                               "momentum": 0.5})])
def test_state_dict_loads_across_and_the_run_continues_identically(name, hyper):
    """Half a run with torch.optim, its state_dict loaded into ours, the other half on both."""
    with float64_default():
        torch.manual_seed(0)
        target = torch.randn(5)
        w = torch.randn(5, requires_grad=True)
        ref = getattr(torch.optim, name)([w], **hyper)

        def one_step(opt):
            opt.zero_grad()
            ((w - target) ** 4).sum().backward()
            opt.step()

        for _ in range(50):
            one_step(ref)
        w_ours = w.detach().clone().requires_grad_(True)
        ours = getattr(optim_torch, name)([w_ours], **hyper)
        ours.load_state_dict(copy.deepcopy(ref.state_dict()))  # else the two share tensors
        for _ in range(50):
            one_step(ref)
        w_ref = w.detach().clone()
        w = w_ours
        for _ in range(50):
            one_step(ours)
        torch.testing.assert_close(w_ours.detach(), w_ref, rtol=1e-10, atol=0)


def test_closure_autograd_and_a_torch_scheduler():
    """A real model trained with loss.backward(), a closure and StepLR: the same as torch.optim."""
    results = []
    for module in (torch.optim, optim_torch):
        with float64_default():
            torch.manual_seed(1)
            model = torch.nn.Sequential(
                torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)
            )
            x, y = torch.randn(32, 4), torch.randn(32, 1)
            opt = module.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
            sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)

            def closure():
                opt.zero_grad()
                loss = torch.nn.functional.mse_loss(model(x), y)
                loss.backward()
                return loss

            losses = []
            for _ in range(40):
                losses.append(opt.step(closure).item())
                sched.step()
            results.append((losses, [p.detach().clone() for p in model.parameters()],
                            opt.param_groups[0]["lr"]))
    (l_ref, p_ref, lr_ref), (l_ours, p_ours, lr_ours) = results
    np.testing.assert_allclose(l_ours, l_ref, rtol=1e-10)
    assert l_ours[-1] < 0.7 * l_ours[0]  # it trains
    for a, b in zip(p_ours, p_ref):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-14)
    assert lr_ours == lr_ref == 0.1 * 0.5**4


@pytest.mark.parametrize("name", ["Adam", "NAdam", "Adagrad"])
def test_float32_state_types_follow_torch(name):
    """With float32 as the default dtype, step (and NAdam's mu_product) are float32 as in torch."""
    w1 = torch.ones(3, requires_grad=True)
    w2 = torch.ones(3, requires_grad=True)
    ref, ours = getattr(torch.optim, name)([w1], lr=0.1), getattr(optim_torch, name)([w2], lr=0.1)
    for _ in range(30):
        for w, opt in ((w1, ref), (w2, ours)):
            w.grad = torch.sin(3 * w.detach()) + 0.5
            opt.step()
    assert {k: (v.dtype, v.device) for k, v in ours.state[w2].items()} == \
           {k: (v.dtype, v.device) for k, v in ref.state[w1].items()}
    torch.testing.assert_close(w2, w1, rtol=1e-6, atol=1e-7)


def test_the_twins_reproduce_the_same_eight():
    assert optim_torch.OPTIMIZER_NAMES == optim.OPTIMIZER_NAMES


@pytest.mark.parametrize("name, hyper", [("SGD", {"lr": 1e-3, "momentum": 0.9}),
                                         ("RMSprop", {"lr": 1e-3}), ("Adadelta", {}),
                                         ("Adam", {"lr": 0.02}), ("NAdam", {"lr": 0.02})])
def test_autograd_trajectory_matches_numpy_on_rosenbrock(name, hyper):
    ours = optim.trajectory(name, rosenbrock_grad, [-1.2, 1.0], 200, **hyper)
    theirs = optim_torch.trajectory(name, rosenbrock_loss, [-1.2, 1.0], 200, device="cpu",
                                    **hyper)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12, err_msg=name)


def test_trajectory_takes_a_class_and_refuses_unknown_names():
    path = optim_torch.trajectory(optim_torch.SGD, lambda x: (x**2).sum(), [1.0], 2, lr=0.25)
    np.testing.assert_allclose(path[:, 0], [1.0, 0.5, 0.25])
    with pytest.raises(ValueError, match="optimizer must be one of"):
        optim_torch.trajectory("Adamm", lambda x: x.sum(), [1.0], 1)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_trajectory_matches_numpy():
    ours = optim.trajectory("Adam", rosenbrock_grad, [-1.2, 1.0], 200, lr=0.02)
    theirs = optim_torch.trajectory("Adam", rosenbrock_loss, [-1.2, 1.0], 200, device="cuda",
                                    lr=0.02)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
