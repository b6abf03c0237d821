"""SGD (with momentum and Nesterov), Adagrad, Adadelta and RMSprop: the NumPy classes against
torch.optim (float64, 200 steps, rtol 1e-10, every keyword of the issue), the pure functions'
purity, ``trajectory``, and the identities chapter 1.7 states (Nesterov, momentum forms). Adam and
its relatives: test_optim_adam.py; the shared checks, in-place updates and errors:
test_optim_base.py; the hand-written torch twins: test_optim_torch.py."""

import numpy as np
import pytest

from dlbook.nn import optim
from dlbook.nn.landscapes import rosenbrock_grad
from dlbook.nn.optim_torch import OPTIMIZER_NAMES
from dlbook.nn.optim_torch import trajectory as torch_trajectory
from tests.nn.optim_checks import (
    CASES_ADAM_FAMILY,
    CASES_SGD_FAMILY,
    ISSUE_KEYWORDS,
    assert_inputs_not_modified,
    assert_numpy_matches_torch,
    case_id,
    rosenbrock_loss,
)


@pytest.mark.parametrize("name, hyper", CASES_SGD_FAMILY,
                         ids=[case_id(n, h) for n, h in CASES_SGD_FAMILY])
def test_matches_torch_optim_for_200_steps(name, hyper):
    assert_numpy_matches_torch(name, hyper)


def test_the_tables_cover_every_keyword_of_the_issue():
    for name, keywords in ISSUE_KEYWORDS.items():
        covered = {k for n, h in CASES_SGD_FAMILY + CASES_ADAM_FAMILY if n == name for k in h}
        assert keywords <= covered, f"{name}: no test case sets {sorted(keywords - covered)}"


@pytest.mark.parametrize("name, hyper", CASES_SGD_FAMILY[::4],
                         ids=[case_id(n, h) for n, h in CASES_SGD_FAMILY[::4]])
def test_step_functions_are_pure(name, hyper):
    assert_inputs_not_modified(name, hyper)


def test_step_functions_cover_the_torch_optimizers_of_the_book():
    assert sorted(optim.STEP_FUNCTIONS) == sorted(OPTIMIZER_NAMES)
    for name in OPTIMIZER_NAMES:  # the issue's API: all eight classes from dlbook.nn.optim
        assert getattr(optim, name).step_fn is optim.STEP_FUNCTIONS[name], name
        assert name in optim.__all__


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
    (lambda: optim.sgd_step(np.ones(3, dtype=int), np.ones(3), {}), TypeError, "floating-point"),
    (lambda: optim.trajectory("Adamm", lambda x: x, [1.0], 3), ValueError, "unknown optimizer"),
    (lambda: optim.trajectory("Adam", lambda x: x, [1.0], -1), ValueError, "steps"),
])
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_gradient_descent_on_a_quadratic_follows_the_closed_form():
    """x_t = (1 - lr L)^t x_0 for f = L x^2 / 2: convergent below 2/L, divergent above."""
    L, x0 = 4.0, 1.5
    for lr in [0.1, 0.25, 0.45, 0.55]:
        path = optim.trajectory(optim.sgd_step, lambda x: L * x, [x0], 30, lr=lr)[:, 0]
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


def test_adadelta_without_eps_never_moves():
    p, state = np.array([1.0, -2.0]), {}
    for _ in range(20):
        p, state = optim.adadelta_step(p, np.array([3.0, 0.5]), state, eps=0.0)
    np.testing.assert_array_equal(p, [1.0, -2.0])


@pytest.mark.parametrize("name, hyper", [("SGD", {"lr": 1e-3, "momentum": 0.9}),
                                         ("RMSprop", {"lr": 1e-3}), ("Adadelta", {})])
def test_torch_autograd_trajectory_matches_numpy_on_rosenbrock(name, hyper):
    ours = optim.trajectory(name, rosenbrock_grad, [-1.2, 1.0], 200, **hyper)
    theirs = torch_trajectory(name, rosenbrock_loss, [-1.2, 1.0], 200, device="cpu", **hyper)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12, err_msg=name)
