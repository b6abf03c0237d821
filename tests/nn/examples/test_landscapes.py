"""The loss landscapes of dlbook.nn.examples.landscapes: gradients and Hessians against torch
autograd (float64),
their minima and saddle points, and shape handling."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.autograd.functional import hessian as torch_hessian
from torch.autograd.functional import jacobian as torch_jacobian

from dlbook.nn.examples import landscapes as land

C = torch.tensor([1.5, 2.25, 2.625], dtype=torch.float64)
POWERS = torch.arange(1, 4, dtype=torch.float64)

# Written independently in torch from the formulas in the docstrings.
TORCH = {
    "rosenbrock": lambda p: (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2,
    "beale": lambda p: ((C - p[0] + p[0] * p[1] ** POWERS) ** 2).sum(),
    "saddle": lambda p: p[0] ** 2 - p[1] ** 2,
    "double_well": lambda p: p[0] ** 2 + (p[1] ** 2 - 1) ** 2,
}


@pytest.mark.parametrize("name", sorted(TORCH))
def test_gradient_and_hessian_match_autograd(name):
    rng = np.random.default_rng(0)
    points = rng.uniform(-2.0, 2.0, size=(20, 2))
    points[0] = [0.7, 0.0]  # y = 0 exercises Beale's y**(i-2) terms
    f, grad, hess = (getattr(land, name + s) for s in ("", "_grad", "_hessian"))
    np.testing.assert_allclose(f(points), [TORCH[name](torch.tensor(p)).item() for p in points],
                               rtol=1e-12, err_msg=f"{name} value")
    ref_g = np.array([torch_jacobian(TORCH[name], torch.tensor(p)).numpy() for p in points])
    ref_h = np.array([torch_hessian(TORCH[name], torch.tensor(p)).numpy() for p in points])
    np.testing.assert_allclose(grad(points), ref_g, rtol=1e-10, atol=1e-10, err_msg=f"{name} grad")
    np.testing.assert_allclose(hess(points), ref_h, rtol=1e-10, atol=1e-10,
                               err_msg=f"{name} Hessian")


def test_quartic_derivatives_match_autograd():
    x = torch.linspace(-2, 2, 41, dtype=torch.float64, requires_grad=True)
    f = x**4 - 3 * x**2 + x
    (d1,) = torch.autograd.grad(f.sum(), x, create_graph=True)
    (d2,) = torch.autograd.grad(d1.sum(), x)
    xs = x.detach().numpy()
    np.testing.assert_allclose(land.quartic(xs), f.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(land.quartic_grad(xs), d1.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(land.quartic_hessian(xs), d2.numpy(), rtol=1e-12, atol=1e-12)


def test_minima_and_saddles_are_where_the_docstrings_say():
    for f, g, h, p in [
        (land.rosenbrock, land.rosenbrock_grad, land.rosenbrock_hessian, [1.0, 1.0]),
        (land.beale, land.beale_grad, land.beale_hessian, [3.0, 0.5]),
        (land.double_well, land.double_well_grad, land.double_well_hessian, [0.0, 1.0]),
        (land.double_well, land.double_well_grad, land.double_well_hessian, [0.0, -1.0]),
    ]:
        assert f(p) == 0.0 and np.all(g(p) == 0.0)
        assert np.all(np.linalg.eigvalsh(h(p)) > 0), f"{f.__name__} at {p} is not a minimum"
    for g, h in [
        (land.saddle_grad, land.saddle_hessian),
        (land.double_well_grad, land.double_well_hessian),
    ]:
        eig = np.linalg.eigvalsh(h([0.0, 0.0]))
        assert np.all(g([0.0, 0.0]) == 0) and eig[0] < 0 < eig[1], "origin is not a saddle"


def test_quartic_has_one_local_and_one_global_minimum():
    roots = np.sort(np.roots([4.0, 0.0, -6.0, 1.0]).real)  # f'(x) = 4x^3 - 6x + 1
    np.testing.assert_allclose(land.quartic_grad(roots), 0.0, atol=1e-12)
    curvature = land.quartic_hessian(roots)
    assert curvature[0] > 0 > curvature[1] and curvature[2] > 0
    assert land.quartic(roots[0]) < land.quartic(roots[2])  # the left minimum is the global one
    np.testing.assert_allclose(roots[[0, 2]], [-1.30, 1.13], atol=0.005)


def test_grids_keep_their_shape():
    X, Y = np.meshgrid(np.linspace(-2, 2, 7), np.linspace(-1, 3, 5))
    P = np.stack([X, Y], axis=-1)  # (5, 7, 2)
    assert land.rosenbrock(P).shape == (5, 7)
    assert land.beale_grad(P).shape == (5, 7, 2)
    assert land.saddle_hessian(P).shape == (5, 7, 2, 2)
    np.testing.assert_allclose(land.rosenbrock(P)[2, 3], land.rosenbrock(P[2, 3]))


@settings(max_examples=100, deadline=None)
@given(st.floats(-4.5, 4.5), st.floats(-4.5, 4.5))
def test_rosenbrock_and_beale_are_non_negative(x, y):
    assert land.rosenbrock([x, y]) >= 0 and land.beale([x, y]) >= 0


@pytest.mark.parametrize("call, error, match", [
    (lambda: land.rosenbrock([1.0, 2.0, 3.0]), ValueError, r"shape \(\.\.\., 2\)"),
    (lambda: land.beale(1.0), ValueError, r"got shape \(\)"),
    (lambda: land.saddle(["a", "b"]), TypeError, "real numbers"),
    (lambda: land.quartic("x"), TypeError, "real numbers"),
])
def test_bad_points_raise(call, error, match):
    with pytest.raises(error, match=match):
        call()
