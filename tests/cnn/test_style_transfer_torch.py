"""The style-transfer loop and its helpers: patches are real crops, activations are the
network's, and the loop lowers the cost without touching the network's weights."""

import numpy as np
import pytest
import torch

from dlbook.cnn import style_transfer_torch as STT


def test_sample_patches_are_the_right_crops():
    rng = np.random.default_rng(0)
    img = np.random.default_rng(1).random((20, 30, 3))
    x, y = STT.sample_patches([img, img[::-1]], 5, 4, rng)
    assert x.shape == (8, 3, 5, 5) and y.tolist() == [0] * 4 + [1] * 4
    for patch, label in zip(x, y):   # each patch must occur somewhere in its source image
        src = [img, img[::-1]][label]
        found = any(np.allclose(src[r:r + 5, c:c + 5].transpose(2, 0, 1), patch)
                    for r in range(16) for c in range(26))
        assert found
    with pytest.raises(ValueError, match="H, W >= 40"):
        STT.sample_patches([img], 40, 1, rng)
    with pytest.raises(ValueError, match="size must be >= 1"):
        STT.sample_patches([img], 0, 1, rng)


def test_layer_activations_match_a_manual_forward():
    torch.manual_seed(0)
    net = STT.PatchNet(3)
    x = torch.rand(1, 3, 16, 16)
    outs = STT.layer_activations(net.features, x, [3, 1])
    h = net.features[1](net.features[0](x))
    torch.testing.assert_close(outs[1], h)
    torch.testing.assert_close(outs[0], net.features[3](net.features[2](h)))
    with pytest.raises(ValueError):
        STT.layer_activations(net.features, x, [99])


def test_style_transfer_lowers_the_cost_and_leaves_weights_alone():
    torch.manual_seed(0)
    net = STT.PatchNet(3)
    before = [p.detach().clone() for p in net.parameters()]
    content, style = torch.rand(3, 16, 16), torch.rand(3, 16, 16) ** 3
    G, hist = STT.style_transfer(net.features, content, style, content_layer=6,
                                 style_layers=[1, 3], style_weights=[0.5, 0.5], beta=1e4,
                                 steps=30)
    assert G.shape == (3, 16, 16) and 0 <= G.min() and G.max() <= 1
    assert hist["total"][-1] < 0.7 * hist["total"][0]
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))
    assert all(p.requires_grad for p in net.parameters())
    with pytest.raises(ValueError, match="steps must be >= 1"):
        STT.style_transfer(net.features, content, style, 6, [1], [1.0], steps=0)
