"""Feature maps, filter visualization, CAM and Grad-CAM against manual computations."""

import pytest
import torch
from torch import nn

from dlbook.cnn import visualize_torch as V


@pytest.fixture
def net():
    torch.manual_seed(0)
    return V.GapCNN().double()


def test_feature_maps_equal_a_manual_forward_and_hooks_are_removed(net):
    x = torch.randn(3, 1, 8, 8, dtype=torch.float64)
    maps = V.feature_maps(net, x, {"conv1": net.features[0], "relu3": net.features[5]})
    torch.testing.assert_close(maps["conv1"], net.features[0](x))
    torch.testing.assert_close(maps["relu3"], net.features(x))
    assert all(len(m._forward_hooks) == 0 for m in net.modules())


def test_feature_maps_remove_hooks_on_error(net):
    with pytest.raises(RuntimeError):
        V.feature_maps(net, torch.randn(1, 3, 8, 8, dtype=torch.float64), {"c": net.features[0]})
    assert all(len(m._forward_hooks) == 0 for m in net.modules())
    with pytest.raises(ValueError, match="not part of the model"):
        V.feature_maps(net, torch.randn(1, 1, 8, 8), {"x": nn.ReLU()})


def test_cam_against_a_loop_and_the_class_score(net):
    x = torch.randn(2, 1, 8, 8, dtype=torch.float64)
    A = net.features(x)                                        # (2, 32, 8, 8)
    cam = V.class_activation_map(A, net.fc.weight, 4)
    loop = sum(net.fc.weight[4, k] * A[:, k] for k in range(A.shape[1]))
    torch.testing.assert_close(cam, loop)
    # the spatial mean of the map plus the bias is the logit of that class
    torch.testing.assert_close(cam.mean(dim=(1, 2)) + net.fc.bias[4], net(x)[:, 4])
    per_sample = V.class_activation_map(A, net.fc.weight, torch.tensor([1, 7]))
    torch.testing.assert_close(per_sample[1], V.class_activation_map(A, net.fc.weight, 7)[1])
    with pytest.raises(ValueError, match="fc_weight"):
        V.class_activation_map(A, net.fc.weight[:, :5], 0)


def test_grad_cam_is_positive_cam_over_hw_for_a_gap_network(net):
    x = torch.randn(2, 1, 8, 8, dtype=torch.float64)
    gc = V.grad_cam(net, net.features[5], x, 2)
    cam = V.class_activation_map(net.features(x), net.fc.weight, 2)
    torch.testing.assert_close(gc, torch.relu(cam) / 64, rtol=1e-10, atol=1e-12)


def test_grad_cam_against_manual_autograd_on_a_non_gap_network():
    torch.manual_seed(1)
    body = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.Tanh())
    head = nn.Sequential(nn.Flatten(), nn.Linear(4 * 6 * 6, 12), nn.Tanh(), nn.Linear(12, 3))
    model = nn.Sequential(body, head).double()
    x = torch.randn(2, 1, 6, 6, dtype=torch.float64)
    A = body(x)
    grads = torch.autograd.grad(head(A)[:, 1].sum(), A)[0]
    manual = torch.relu((grads.mean(dim=(2, 3))[:, :, None, None] * A).sum(1)).detach()
    torch.testing.assert_close(V.grad_cam(model, body, x, 1), manual)


def test_visualize_filter_increases_the_activation_and_keeps_the_model(net):
    before = [p.detach().clone() for p in net.parameters()]
    img, hist = V.visualize_filter(net.float(), net.features[3], 5, (1, 8, 8), steps=30,
                                   blur_every=5)
    assert img.shape == (1, 8, 8)
    assert hist[-1] > hist[0] + 0.1
    assert all(torch.equal(a.float(), b) for a, b in zip(before, net.parameters()))
    assert all(p.requires_grad for p in net.parameters())
    with pytest.raises(ValueError, match="channel"):
        V.visualize_filter(net, net.features[3], 99, (1, 8, 8), steps=1)


def test_deep_dream_amplifies_the_layer(net):
    img = torch.rand(1, 8, 8, dtype=torch.float64)
    out, hist = V.deep_dream(net, net.features[3], img, steps=10)
    assert out.shape == img.shape and not torch.equal(out, img)
    assert hist[-1] > 1.5 * hist[0]
