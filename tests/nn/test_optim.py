"""The eight NumPy optimizer classes of dlbook.nn.optim against torch.optim (float64, 200 steps,
rtol 1e-10, every keyword of the external API), ``trajectory``, and the identities chapter 1.7
states (Nesterov, momentum forms). The update rules' purity: test_optim_sgd.py and
test_optim_adam.py; the shared checks, in-place updates and errors: test_optim_base.py; the
hand-written torch twins and the autograd trajectories: test_optim_torch.py."""

import numpy as np
import pytest

from dlbook.nn import optim
from dlbook.nn.optim_adam import adam_step
from dlbook.nn.optim_sgd import sgd_step
from tests.nn.optim_checks import (
    CASES_ADAM_FAMILY,
    CASES_SGD_FAMILY,
    ISSUE_KEYWORDS,
    assert_numpy_matches_torch,
    case_id,
)

CASES = CASES_SGD_FAMILY + CASES_ADAM_FAMILY


@pytest.mark.parametrize("name, hyper", CASES, ids=[case_id(n, h) for n, h in CASES])
def test_matches_torch_optim_for_200_steps(name, hyper):
    assert_numpy_matches_torch(name, hyper)


def test_the_tables_cover_every_keyword_of_the_issue():
    for name, keywords in ISSUE_KEYWORDS.items():
        covered = {k for n, h in CASES_SGD_FAMILY + CASES_ADAM_FAMILY if n == name for k in h}
        assert keywords <= covered, f"{name}: no test case sets {sorted(keywords - covered)}"


def test_all_eight_classes_come_from_optim_with_their_update_rule():
    assert set(optim.OPTIMIZER_NAMES) == set(ISSUE_KEYWORDS)
    for name in optim.OPTIMIZER_NAMES:  # the external API: all eight classes here
        cls = getattr(optim, name)
        assert name in optim.__all__ and cls.__module__ == "dlbook.nn.optim", name
    assert optim.SGD.step_fn is sgd_step and optim.Adam.step_fn is adam_step


@pytest.mark.parametrize("call, error, match", [
    (lambda: optim.SGD([np.ones(2)], momentum=-0.5), ValueError, "momentum"),
    (lambda: optim.SGD([np.ones(2)], nesterov=True), ValueError, "nesterov=True needs momentum"),
    (lambda: optim.SGD([np.ones(2)], momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     "dampening"),
    (lambda: optim.SGD([np.ones(2)], nesterov=1), TypeError, "nesterov must be True or False"),
    (lambda: optim.RMSprop([np.ones(2)], alpha=1.5), ValueError, "alpha"),
    (lambda: optim.RMSprop([np.ones(2)], momentum=-0.1), ValueError, "momentum"),
    (lambda: optim.Adadelta([np.ones(2)], rho=-0.1), ValueError, "rho"),
    (lambda: optim.Adagrad([np.ones(2)], lr_decay=-1.0), ValueError, "lr_decay"),
    (lambda: optim.Adagrad([np.ones(2)], initial_accumulator_value=-1.0), ValueError,
     "initial_accumulator_value"),
    (lambda: optim.trajectory("Adamm", lambda x: x, [1.0], 3), ValueError,
     "optimizer must be one of 'SGD'"),
    (lambda: optim.trajectory(sgd_step, lambda x: x, [1.0], 3), TypeError,
     "optimizer must be a class of dlbook.nn.optim"),
    (lambda: optim.trajectory("Adam", lambda x: x, [1.0], -1), ValueError, "steps must be >= 0"),
])
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_gradient_descent_on_a_quadratic_follows_the_closed_form():
    """x_t = (1 - lr L)^t x_0 for f = L x^2 / 2: convergent below 2/L, divergent above."""
    L, x0 = 4.0, 1.5
    for lr in [0.1, 0.25, 0.45, 0.55]:
        path = optim.trajectory(optim.SGD, lambda x: L * x, [x0], 30, lr=lr)[:, 0]
        np.testing.assert_allclose(path, (1 - lr * L) ** np.arange(31) * x0, rtol=1e-12)
    assert abs(path[-1]) > 100 * x0  # lr = 0.55 > 2 / L = 0.5 diverges


def test_trajectory_stops_at_overflow_and_follows_a_schedule():
    path = optim.trajectory("SGD", lambda x: 1e300 * x, [1.0], 50, lr=1.0)
    assert len(path) < 51 and not np.isfinite(path[-1]).all() and np.isfinite(path[-2]).all()
    lrs = [0.1, 0.2, 0.3]
    path = optim.trajectory("SGD", lambda x: np.ones_like(x), [0.0], 3,
                            lr_schedule=lambda i: lrs[i])
    np.testing.assert_allclose(path[:, 0], [0.0, -0.1, -0.3, -0.6])


def test_torch_nesterov_moves_the_look_ahead_point_of_classic_nag():
    """Classic NAG: v <- mu v - lr grad(x + mu v), x <- x + v.  torch's SGD(nesterov=True),
    started at the same x_0, visits exactly y_t = x_t + mu v_t."""
    rng = np.random.default_rng(3)
    a = rng.normal(size=(4, 4))
    H, c = a @ a.T + np.eye(4), rng.normal(size=4)
    grad = lambda z: H @ z - c  # noqa: E731
    mu, lr = 0.9, 0.02
    x, v = rng.normal(size=4), np.zeros(4)
    torch_path = optim.trajectory("SGD", grad, x, 40, lr=lr, momentum=mu, nesterov=True)
    for t in range(1, 41):
        v = mu * v - lr * grad(x + mu * v)
        x = x + v
        np.testing.assert_allclose(torch_path[t], x + mu * v, rtol=1e-10, atol=1e-12)


def test_course_momentum_forms_are_torchs_momentum():
    """v <- beta v - lr g; x <- x + v equals torch's momentum for a constant lr, and the EWMA
    form m <- gamma m + (1 - gamma) g; x <- x - alpha m equals it with lr = alpha (1 - gamma)."""
    rng = np.random.default_rng(4)
    H = np.diag(rng.uniform(0.5, 3.0, size=3))
    grad = lambda z: H @ z  # noqa: E731
    x0, beta, lr = rng.normal(size=3), 0.8, 0.1
    torch_form = optim.trajectory("SGD", grad, x0, 30, lr=lr, momentum=beta)
    x, v = x0.copy(), np.zeros(3)
    x_ewma, m = x0.copy(), np.zeros(3)
    alpha = lr / (1 - beta)
    for t in range(1, 31):
        v = beta * v - lr * grad(x)
        x = x + v
        m = beta * m + (1 - beta) * grad(x_ewma)
        x_ewma = x_ewma - alpha * m
        np.testing.assert_allclose(torch_form[t], x, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(torch_form[t], x_ewma, rtol=1e-10, atol=1e-13)
