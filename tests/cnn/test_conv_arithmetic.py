"""Convolution arithmetic: output sizes counted independently, receptive fields measured with
autograd, parameter and multiplication counts against torch modules and all-ones convolutions."""

import math

import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch import nn

from dlbook.cnn.conv_arithmetic import (
    bottleneck_mults,
    compound_scaling,
    conv2d_output_shape,
    conv_mults,
    conv_output_size,
    conv_params,
    make_divisible,
    receptive_field,
    separable_mults,
    separable_params,
)


def n_params(m):
    return sum(p.numel() for p in m.parameters())


@given(n=st.integers(1, 40), f=st.integers(1, 9), s=st.integers(1, 4), p=st.integers(0, 3),
       d=st.integers(1, 3))
@settings(max_examples=80, deadline=None)
def test_output_size_counts_the_positions_that_fit(n, f, s, p, d):
    """The start positions 0, s, 2s, ... whose dilated kernel ends inside the padded input."""
    span = d * (f - 1) + 1
    assume(span <= n + 2 * p)
    fits = [start for start in range(0, n + 2 * p, s) if start + span <= n + 2 * p]
    assert conv_output_size(n, f, s, p, d) == len(fits)


@given(n=st.integers(1, 12), f=st.integers(1, 9), p=st.integers(0, 3), d=st.integers(1, 3))
@settings(max_examples=40, deadline=None)
def test_output_size_refuses_a_kernel_that_does_not_fit(n, f, p, d):
    assume(d * (f - 1) + 1 > n + 2 * p)
    with pytest.raises(ValueError, match="larger than the padded input"):
        conv_output_size(n, f, 1, p, d)


@pytest.mark.parametrize("hw, kernel, stride, padding, dilation", [
    ((32, 24), 3, (1, 2), 1, 1), ((9, 7), (3, 2), 2, (1, 0), (2, 1)), ((5, 5), 5, 1, 0, 1)])
def test_output_shape_equals_torch_conv2d(hw, kernel, stride, padding, dilation):
    conv = nn.Conv2d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
    out = conv(torch.zeros(1, 1, *hw))
    assert conv2d_output_shape(hw, kernel, stride, padding, dilation) == tuple(out.shape[2:])


def test_output_shape_bad_arguments():
    with pytest.raises(ValueError, match=r"kernel \(5, 5\) is larger than the padded input"):
        conv2d_output_shape((4, 4), 5)
    with pytest.raises(ValueError, match="stride must be an int or a pair"):
        conv2d_output_shape((4, 4), 3, stride=(1, 1, 1))
    with pytest.raises(TypeError, match="kernel_size"):
        conv2d_output_shape((4, 4), 2.0)
    with pytest.raises(TypeError, match="n must be an int"):
        conv_output_size(4.0, 2)


def measured_receptive_field(kernel_sizes, strides, dilations):
    """Width of the input region that reaches the centre output unit, measured by autograd.

    Every weight is 1 and the input is all ones (no ReLU), so no contribution can cancel: the
    gradient of one output unit is nonzero exactly on its receptive field.
    """
    layers = []
    for k, s, d in zip(kernel_sizes, strides, dilations):
        conv = nn.Conv2d(1, 1, (1, k), stride=(1, s), dilation=(1, d), bias=False)
        nn.init.ones_(conv.weight)
        layers.append(conv)
    net = nn.Sequential(*layers).double()
    x = torch.ones(1, 1, 1, 200, dtype=torch.float64, requires_grad=True)
    out = net(x)
    out[0, 0, 0, out.shape[-1] // 2].backward()
    seen = torch.nonzero(x.grad[0, 0, 0]).flatten()
    return int(seen.max() - seen.min()) + 1


@pytest.mark.parametrize("kernels, strides, dilations", [
    ([3], [1], [1]), ([3, 3, 3], [1, 1, 1], [1, 1, 1]), ([3, 2, 3], [1, 2, 1], [1, 1, 1]),
    ([3, 3, 3, 3], [1, 1, 1, 1], [1, 2, 4, 8]), ([5, 2, 3, 2, 3], [1, 2, 1, 2, 2], [1, 1, 2, 1, 1]),
    ([7, 3, 1, 3], [2, 2, 1, 1], [1, 1, 1, 3])])
def test_receptive_field_equals_the_region_autograd_reaches(kernels, strides, dilations):
    assert receptive_field(kernels, strides, dilations) == \
        measured_receptive_field(kernels, strides, dilations)


def test_receptive_field_bad_arguments():
    with pytest.raises(ValueError, match="one entry per layer"):
        receptive_field([3, 3], strides=[1])
    with pytest.raises(ValueError, match="at least one layer"):
        receptive_field([])
    with pytest.raises(ValueError, match="dilations must be >= 1"):
        receptive_field([3], dilations=[0])


@pytest.mark.parametrize("c_in,c_out,k,groups,bias", [
    (3, 8, 3, 1, True), (6, 16, 5, 1, False), (8, 8, 3, 8, False), (12, 6, 1, 3, True),
    (3, 10, (3, 2), 1, True)])
def test_conv_params_matches_torch(c_in, c_out, k, groups, bias):
    assert conv_params(c_in, c_out, k, bias=bias, groups=groups) == n_params(
        nn.Conv2d(c_in, c_out, k, groups=groups, bias=bias))


@pytest.mark.parametrize("c_in,c_out,k,groups,h", [(3, 5, 3, 1, 6), (4, 8, 3, 4, 7),
                                                   (6, 6, 1, 2, 5)])
def test_conv_mults_counts_every_multiplication(c_in, c_out, k, groups, h):
    # With all-ones input and weights, each output value is its number of products, so the sum
    # of a valid convolution's output is the total number of multiplications.
    w = torch.ones(c_out, c_in // groups, k, k, dtype=torch.float64)
    out = nn.functional.conv2d(torch.ones(1, c_in, h, h, dtype=torch.float64), w, groups=groups)
    _, _, ho, wo = out.shape
    assert conv_mults(ho, wo, c_in, c_out, k, groups=groups) == int(out.sum())


def test_course_1x1_bottleneck_example():
    # 28x28x192 -> 28x28x32 with 5x5 "same" filters, directly or through 16 1x1 filters.
    direct = conv_mults(28, 28, 192, 32, 5)
    first, second, total = bottleneck_mults(28, 28, 192, 16, 32, 5)
    assert direct == 28 * 28 * 32 * (5 * 5 * 192)
    assert (first, second) == (28 * 28 * 16 * 192, 28 * 28 * 32 * (5 * 5 * 16))
    assert total == first + second and direct / total > 9.6


def test_separable_counts_match_torch_modules_and_ratio():
    depthwise = nn.Conv2d(16, 16, 3, groups=16, bias=False)
    pointwise = nn.Conv2d(16, 32, 1, bias=False)
    assert separable_params(16, 32, 3) == n_params(depthwise) + n_params(pointwise)
    ratio = separable_params(16, 32, 3) / conv_params(16, 32, 3, bias=False)
    assert math.isclose(ratio, 1 / 32 + 1 / 9, rel_tol=1e-12)
    assert separable_mults(4, 4, 3, 5, 3) == 4 * 4 * 3 * 9 + 4 * 4 * 5 * 3


@pytest.mark.parametrize("bad, error", [
    (lambda: conv_params(0, 3, 3), ValueError),
    (lambda: conv_params(3, 4, 3, groups=2), ValueError),
    (lambda: conv_params(3, 4, (3, 3, 3)), ValueError),
    (lambda: conv_mults(4, 4, 3, 5, 2.5), TypeError),
    (lambda: make_divisible(-1.0), ValueError),
    (lambda: compound_scaling(1, alpha=0.9), ValueError),
    (lambda: compound_scaling("1"), TypeError)])
def test_bad_arguments(bad, error):
    with pytest.raises(error):
        bad()


@settings(max_examples=200, deadline=None)
@given(v=st.floats(1.0, 5000.0), d=st.sampled_from([4, 8, 16]))
def test_make_divisible_invariants(v, d):
    r = make_divisible(v, d)
    assert r % d == 0 and r >= 0.9 * v and r >= d
    assert abs(r - v) <= d  # rounds to a neighbouring multiple


def test_compound_scaling_rule():
    s1 = compound_scaling(1)
    assert abs(1.2 * 1.1 ** 2 * 1.15 ** 2 - 2) < 0.1  # the paper's alpha*beta^2*gamma^2 ~ 2
    s3 = compound_scaling(3)
    assert math.isclose(s3["flops"], s3["depth"] * s3["width"] ** 2 * s3["resolution"] ** 2)
    assert math.isclose(s3["flops"], s1["flops"] ** 3)
