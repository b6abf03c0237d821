"""Style-transfer costs: NumPy forward/backward vs torch autograd (float64), normalizations vs
Gatys et al., and the style-transfer loop."""

import numpy as np
import pytest
import torch

from dlbook.cnn import style as S
from dlbook.cnn import style_torch as ST

SHAPES = [(1, 1, 1), (3, 4, 5), (8, 2, 7), (16, 6, 6)]


def _pair(shape, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape), rng.normal(size=shape)


@pytest.mark.parametrize("shape", SHAPES)
def test_gram_matrix_against_an_explicit_sum(shape):
    a, _ = _pair(shape, 0)
    oracle = np.einsum("kij,lij->kl", a, a)
    np.testing.assert_allclose(S.gram_matrix_forward(a)[0], oracle, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ST.gram_matrix(torch.tensor(a)).numpy(), oracle, rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
def test_gram_backward_against_autograd(shape):
    a, _ = _pair(shape, 1)
    dG = np.random.default_rng(2).normal(size=(shape[0], shape[0]))   # not symmetric
    t = torch.tensor(a, requires_grad=True)
    ST.gram_matrix(t).backward(torch.tensor(dG))
    _, cache = S.gram_matrix_forward(a)
    np.testing.assert_allclose(S.gram_matrix_backward(dG, cache).reshape(shape), t.grad.numpy(),
                               rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
def test_content_cost_forward_backward(shape):
    a_C, a_G = _pair(shape, 3)
    t = torch.tensor(a_G, requires_grad=True)
    ref = ST.content_cost(torch.tensor(a_C), t)
    ref.backward(torch.tensor(0.7, dtype=torch.float64))
    J, cache = S.content_cost_forward(a_C, a_G)
    n = np.prod(shape)
    np.testing.assert_allclose(J, ((a_C - a_G) ** 2).sum() / (4 * n), rtol=1e-12)
    np.testing.assert_allclose(J, ref.item(), rtol=1e-12)
    np.testing.assert_allclose(S.content_cost_backward(0.7, cache), t.grad.numpy(), rtol=1e-9,
                               atol=1e-14)


@pytest.mark.parametrize("shape", SHAPES)
def test_style_layer_cost_matches_gatys_and_autograd(shape):
    a_S, a_G = _pair(shape, 4)
    n_C, n_H, n_W = shape
    N, M = n_C, n_H * n_W
    gatys = ((np.einsum("kij,lij->kl", a_S, a_S) - np.einsum("kij,lij->kl", a_G, a_G)) ** 2).sum() \
        / (4 * N ** 2 * M ** 2)                      # Gatys et al. 2016, eq. (4)
    J, cache = S.style_layer_cost_forward(a_S, a_G)
    np.testing.assert_allclose(J, gatys, rtol=1e-12)
    t = torch.tensor(a_G, requires_grad=True)
    ref = ST.style_layer_cost(torch.tensor(a_S), t)
    np.testing.assert_allclose(ref.item(), gatys, rtol=1e-12)
    ref.backward(torch.tensor(1.3, dtype=torch.float64))
    np.testing.assert_allclose(S.style_layer_cost_backward(1.3, cache), t.grad.numpy(), rtol=1e-9,
                               atol=1e-14)


def test_weighted_style_cost_backward():
    acts = [_pair(s, 10 + i) for i, s in enumerate(SHAPES[1:])]
    weights = [0.5, 0.2, 0.3]
    a_S, a_G = [a for a, _ in acts], [g for _, g in acts]
    ts = [torch.tensor(g, requires_grad=True) for g in a_G]
    ref = ST.style_cost([torch.tensor(a) for a in a_S], ts, weights)
    ref.backward()
    J, cache = S.style_cost_forward(a_S, a_G, weights)
    np.testing.assert_allclose(J, ref.item(), rtol=1e-12)
    for g, t in zip(S.style_cost_backward(1.0, cache), ts):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-9, atol=1e-14)


def test_squared_normalization_makes_the_cost_size_invariant():
    # Repeating every position 2x2 multiplies each Gram entry by 4 and n_H n_W by 4. With the
    # squared normalization 1/(2 n_H n_W n_C)^2 the cost is unchanged; with the course notes'
    # unsquared 1/(2 n_H n_W n_C) it would grow 4-fold.
    a_S, a_G = _pair((4, 3, 3), 5)
    up = lambda a: a.repeat(2, axis=1).repeat(2, axis=2)   # noqa: E731
    J_small = S.style_layer_cost_forward(a_S, a_G)[0]
    J_big = S.style_layer_cost_forward(up(a_S), up(a_G))[0]
    np.testing.assert_allclose(J_big, J_small, rtol=1e-12)

    def unsquared(s, g):   # the notes' formula
        return ((S.gram_matrix_forward(s)[0] - S.gram_matrix_forward(g)[0]) ** 2).sum() / (2 * s.size)

    np.testing.assert_allclose(unsquared(up(a_S), up(a_G)) / unsquared(a_S, a_G), 4.0, rtol=1e-12)


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"\(2, 3, 3\) but a_G has \(2, 3, 4\)"):
        S.content_cost_forward(np.zeros((2, 3, 3)), np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="n_C, n_H, n_W"):
        S.gram_matrix_forward(np.zeros((1, 2, 3, 3)))
    with pytest.raises(ValueError, match="one weight"):
        S.style_cost_forward([np.zeros((1, 2, 2))], [np.zeros((1, 2, 2))], [1.0, 2.0])
    with pytest.raises(ValueError, match="a_S has shape"):
        ST.style_layer_cost(torch.zeros(2, 2, 2), torch.zeros(3, 2, 2))
    with pytest.raises(TypeError):
        ST.gram_matrix(np.zeros((2, 2, 2)))


def test_sample_patches_are_the_right_crops():
    rng = np.random.default_rng(0)
    img = np.random.default_rng(1).random((20, 30, 3))
    x, y = ST.sample_patches([img, img[::-1]], 5, 4, rng)
    assert x.shape == (8, 3, 5, 5) and y.tolist() == [0] * 4 + [1] * 4
    for patch, label in zip(x, y):   # each patch must occur somewhere in its source image
        src = [img, img[::-1]][label]
        found = any(np.allclose(src[r:r + 5, c:c + 5].transpose(2, 0, 1), patch)
                    for r in range(16) for c in range(26))
        assert found
    with pytest.raises(ValueError, match="H, W >= 40"):
        ST.sample_patches([img], 40, 1, rng)


def test_layer_activations_match_a_manual_forward():
    torch.manual_seed(0)
    net = ST.PatchNet(3)
    x = torch.rand(1, 3, 16, 16)
    outs = ST.layer_activations(net.features, x, [3, 1])
    h = net.features[1](net.features[0](x))
    torch.testing.assert_close(outs[1], h)
    torch.testing.assert_close(outs[0], net.features[3](net.features[2](h)))
    with pytest.raises(ValueError):
        ST.layer_activations(net.features, x, [99])


def test_style_transfer_lowers_the_cost_and_leaves_weights_alone():
    torch.manual_seed(0)
    net = ST.PatchNet(3)
    before = [p.detach().clone() for p in net.parameters()]
    content, style = torch.rand(3, 16, 16), torch.rand(3, 16, 16) ** 3
    G, hist = ST.style_transfer(net.features, content, style, content_layer=6,
                                style_layers=[1, 3], style_weights=[0.5, 0.5], beta=1e4, steps=30)
    assert G.shape == (3, 16, 16) and 0 <= G.min() and G.max() <= 1
    assert hist["total"][-1] < 0.7 * hist["total"][0]
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))
    assert all(p.requires_grad for p in net.parameters())
