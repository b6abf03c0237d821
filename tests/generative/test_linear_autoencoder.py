"""Linear autoencoder: gradient against autograd, convergence to PCA's subspace, principal angles
against scipy."""

import numpy as np
import pytest
import scipy.linalg
import torch

from dlbook.generative.linear_autoencoder import (
    fit_linear_autoencoder,
    linear_autoencoder_value_and_grad,
    pca_components,
    principal_angles,
)


def test_value_and_grad_match_autograd():
    rng = np.random.default_rng(0)
    x, we, wd = rng.normal(size=(9, 5)), rng.normal(size=(2, 5)), rng.normal(size=(5, 2))
    loss, (ge, gd) = linear_autoencoder_value_and_grad(x, we, wd)
    te, td = torch.tensor(we, requires_grad=True), torch.tensor(wd, requires_grad=True)
    tx = torch.tensor(x)
    tl = ((tx @ te.T @ td.T - tx) ** 2).sum() / len(x)
    tl.backward()
    assert loss == pytest.approx(tl.item(), rel=1e-13)
    np.testing.assert_allclose(ge, te.grad.numpy(), rtol=1e-11)
    np.testing.assert_allclose(gd, td.grad.numpy(), rtol=1e-11)


def test_principal_angles_match_scipy():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(10, 3)), rng.normal(size=(10, 4))
    np.testing.assert_allclose(principal_angles(a, b),
                               np.sort(scipy.linalg.subspace_angles(a, b)), rtol=1e-8)
    # the same subspace under a different basis: all angles 0
    assert principal_angles(a, a @ rng.normal(size=(3, 3))).max() < 1e-7


def test_pca_components_are_the_covariance_eigenvectors():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(200, 4)) @ np.diag([3.0, 2.0, 1.0, 0.5])
    v = pca_components(x, 2)
    lam, q = np.linalg.eigh(np.cov(x, rowvar=False))
    assert principal_angles(v.T, q[:, -2:]).max() < 1e-8
    np.testing.assert_allclose(v @ v.T, np.eye(2), atol=1e-12)


def test_linear_autoencoder_spans_the_principal_subspace():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 6)) @ np.diag([3.0, 2.5, 2.0, 0.6, 0.4, 0.2])
    x = x - x.mean(0)
    we, wd, hist = fit_linear_autoencoder(x, 3, lr=0.02, steps=3000, rng=0)
    angles = principal_angles(wd, pca_components(x, 3).T)
    assert np.degrees(angles.max()) < 0.5, np.degrees(angles)
    assert hist[-1] < hist[0]
    # its weights are not the orthonormal components themselves
    assert np.abs(wd.T @ wd - np.eye(3)).max() > 1e-3 or np.abs(we - wd.T).max() > 1e-3


def test_a_step_too_large_is_reported():
    x = np.random.default_rng(4).normal(size=(50, 4)) * 10
    with pytest.raises(FloatingPointError, match="smaller lr"):
        fit_linear_autoencoder(x, 2, lr=5.0, steps=200, rng=0)
