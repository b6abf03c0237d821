"""The update rules of dlbook.nn.optim_adam (Adam, AdamW, Adamax, NAdam) as pure functions: their
purity and errors, a near miss the torch comparison must catch, and the size of Adam's first
step. Their agreement with torch.optim is tested through the classes in test_optim.py."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.nn import optim, optim_adam
from tests.nn.optim_checks import (
    CASES_ADAM_FAMILY,
    PROBLEM,
    STEPS,
    assert_inputs_not_modified,
    case_id,
    torch_optim_reference,
)


def adam_eps_inside_root(param, grad, state, *, lr, **_):
    """The variant of one course note: theta -= lr * m_hat / sqrt(v_hat + eps)."""
    step = state.get("step", 0) + 1
    m = 0.9 * state.get("exp_avg", 0.0) + 0.1 * grad
    v = 0.999 * state.get("exp_avg_sq", 0.0) + 0.001 * grad**2
    update = (m / (1 - 0.9**step)) / np.sqrt(v / (1 - 0.999**step) + 1e-8)
    return param - lr * update, {"step": step, "exp_avg": m, "exp_avg_sq": v}


def test_the_comparison_can_fail():
    """A near miss (epsilon inside the root) is caught by the same comparison."""
    params, states = [p.copy() for p in PROBLEM.p0], [{} for _ in PROBLEM.p0]
    for t in range(STEPS):
        for i, g in enumerate(PROBLEM.grads(params, t)):
            params[i], states[i] = adam_eps_inside_root(params[i], g, states[i], lr=0.05)
    ref_path, _ = torch_optim_reference("Adam", {"lr": 0.05})
    worst = max(np.max(np.abs(p - r[-1]) / np.abs(r[-1])) for p, r in zip(params, ref_path))
    assert worst > 1e-9, f"eps inside the root agreed with torch to {worst:.1e}"


@pytest.mark.parametrize("name, hyper", CASES_ADAM_FAMILY[::4],
                         ids=[case_id(n, h) for n, h in CASES_ADAM_FAMILY[::4]])
def test_step_functions_are_pure(name, hyper):
    assert_inputs_not_modified(name, hyper)


def test_the_adam_classes_of_optim_apply_these_rules():
    for name in ("Adam", "AdamW", "Adamax", "NAdam"):
        assert getattr(optim, name).step_fn is getattr(optim_adam, name.lower() + "_step"), name


@pytest.mark.parametrize("call, error, match", [
    (lambda: optim.Adam([np.ones(2)], betas=(0.9, 1.0)), ValueError,
     r"betas must lie in \[0.0, 1.0\)"),
    (lambda: optim.Adam([np.ones(2)], betas=(-0.1, 0.9)), ValueError, "betas"),
    (lambda: optim.Adam([np.ones(2)], betas=0.9), TypeError, "betas must be a pair"),
    (lambda: optim.Adam([np.ones(2)], eps=-1e-8), ValueError, "eps"),
    (lambda: optim.AdamW([np.ones(2)], weight_decay=-0.01), ValueError, "weight_decay"),
    (lambda: optim.NAdam([np.ones(2)], momentum_decay=-1.0), ValueError, "momentum_decay"),
    (lambda: optim_adam.adam_step(np.ones(3), np.ones(2), {}), ValueError,
     r"param has shape \(3,\) but grad has \(2,\)"),
    (lambda: optim_adam.adam_step(np.ones(3), np.ones(3), None), TypeError, "state must be a dict"),
])
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


@settings(max_examples=50, deadline=None)
@given(st.floats(1e-3, 1e3), st.sampled_from([-1.0, 1.0]), st.floats(1e-4, 1.0))
def test_first_adam_step_has_size_lr_whatever_the_gradient_scale(scale, sign, lr):
    new, _ = optim_adam.adam_step(np.array([0.0]), np.array([sign * scale]), {}, lr=lr, eps=0.0)
    np.testing.assert_allclose(new, [-sign * lr], rtol=1e-12)
