"""Style-transfer costs in NumPy: values against Gatys et al.'s formulas written out here, and
backward passes against torch autograd on the same formulas (float64)."""

import numpy as np
import pytest
import torch

from dlbook.cnn import style as S

SHAPES = [(1, 1, 1), (3, 4, 5), (8, 2, 7), (16, 6, 6)]


def _acts(shape, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape), rng.normal(size=shape)


def gram_oracle(a):
    """G = A A^T written in torch (the oracle autograd differentiates)."""
    A = a.reshape(a.shape[0], -1)
    return A @ A.T


def style_layer_oracle(a_S, a_G):
    """Gatys et al. 2016, eq. (4): E_l = sum (G - A)^2 / (4 N^2 M^2), N = n_C, M = n_H n_W."""
    n_C, M = a_G.shape[0], a_G.shape[1] * a_G.shape[2]
    return ((gram_oracle(a_S) - gram_oracle(a_G)) ** 2).sum() / (4 * n_C ** 2 * M ** 2)


@pytest.mark.parametrize("shape", SHAPES)
def test_gram_matrix_against_an_explicit_sum(shape):
    a, _ = _acts(shape, 0)
    oracle = np.einsum("kij,lij->kl", a, a)
    np.testing.assert_allclose(S.gram_matrix(a), oracle, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(S.gram_matrix_forward(a)[0], S.gram_matrix(a))


@pytest.mark.parametrize("shape", SHAPES)
def test_gram_backward_against_autograd(shape):
    a, _ = _acts(shape, 1)
    dG = np.random.default_rng(2).normal(size=(shape[0], shape[0]))   # not symmetric
    t = torch.tensor(a, requires_grad=True)
    gram_oracle(t).backward(torch.tensor(dG))
    _, cache = S.gram_matrix_forward(a)
    np.testing.assert_allclose(S.gram_matrix_backward(dG, cache).reshape(shape), t.grad.numpy(),
                               rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
def test_content_cost_forward_backward(shape):
    a_C, a_G = _acts(shape, 3)
    t = torch.tensor(a_G, requires_grad=True)
    ref = ((torch.tensor(a_C) - t) ** 2).sum() / (4 * np.prod(shape))
    ref.backward(torch.tensor(0.7, dtype=torch.float64))
    J, cache = S.content_cost_forward(a_C, a_G)
    np.testing.assert_allclose(J, ref.item(), rtol=1e-12)
    assert S.content_cost(a_C, a_G) == J
    np.testing.assert_allclose(S.content_cost_backward(0.7, cache), t.grad.numpy(), rtol=1e-9,
                               atol=1e-14)


@pytest.mark.parametrize("shape", SHAPES)
def test_style_layer_cost_matches_gatys_and_autograd(shape):
    a_S, a_G = _acts(shape, 4)
    t = torch.tensor(a_G, requires_grad=True)
    ref = style_layer_oracle(torch.tensor(a_S), t)
    ref.backward(torch.tensor(1.3, dtype=torch.float64))
    J, cache = S.style_layer_cost_forward(a_S, a_G)
    np.testing.assert_allclose(J, ref.item(), rtol=1e-12)
    assert S.style_layer_cost(a_S, a_G) == J
    np.testing.assert_allclose(S.style_layer_cost_backward(1.3, cache), t.grad.numpy(),
                               rtol=1e-9, atol=1e-14)


def test_weighted_style_cost_backward():
    acts = [_acts(s, 10 + i) for i, s in enumerate(SHAPES[1:])]
    weights = [0.5, 0.2, 0.3]
    a_S, a_G = [a for a, _ in acts], [g for _, g in acts]
    ts = [torch.tensor(g, requires_grad=True) for g in a_G]
    ref = sum(w * style_layer_oracle(torch.tensor(a), t) for a, t, w in zip(a_S, ts, weights))
    ref.backward()
    J, cache = S.style_cost_forward(a_S, a_G, weights)
    np.testing.assert_allclose(J, ref.item(), rtol=1e-12)
    assert S.style_cost(a_S, a_G, weights) == J
    for g, t in zip(S.style_cost_backward(1.0, cache), ts):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-9, atol=1e-14)


def test_squared_normalization_makes_the_cost_size_invariant():
    # Repeating every position 2x2 multiplies each Gram entry by 4 and n_H n_W by 4. With the
    # squared normalization 1/(2 n_H n_W n_C)^2 the cost is unchanged; with the course notes'
    # unsquared 1/(2 n_H n_W n_C) it would grow 4-fold.
    a_S, a_G = _acts((4, 3, 3), 5)
    up = lambda a: a.repeat(2, axis=1).repeat(2, axis=2)   # noqa: E731
    np.testing.assert_allclose(S.style_layer_cost(up(a_S), up(a_G)), S.style_layer_cost(a_S, a_G),
                               rtol=1e-12)

    def unsquared(s, g):   # the notes' formula
        return ((S.gram_matrix(s) - S.gram_matrix(g)) ** 2).sum() / (2 * s.size)

    np.testing.assert_allclose(unsquared(up(a_S), up(a_G)) / unsquared(a_S, a_G), 4.0,
                               rtol=1e-12)


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"a_C has shape \(2, 3, 3\) but a_G has \(2, 3, 4\)"):
        S.content_cost(np.zeros((2, 3, 3)), np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match=r"a must have 3 dimension\(s\)"):
        S.gram_matrix(np.zeros((1, 2, 3, 3)))
    with pytest.raises(ValueError, match="one weight"):
        S.style_cost([np.zeros((1, 2, 2))], [np.zeros((1, 2, 2))], [1.0, 2.0])
    with pytest.raises(TypeError, match="a_S must hold real numbers"):
        S.style_layer_cost(np.zeros((1, 2, 2), dtype=complex), np.zeros((1, 2, 2)))
