"""Seeded sweeps of convolution and pooling shapes, shared by the NumPy and the torch tests."""

from __future__ import annotations

import numpy as np


def conv_configs(n_configs=40, seed=0):
    """Random sizes, non-square kernels, strides 1-3 (also (1, 2)), paddings 0-2, dilations 1-2.

    Each case is ``(N, C, H, W, K, kh, kw, stride, padding, dilation, bias)``.
    """
    rng = np.random.default_rng(seed)
    strides = [1, 2, 3, (1, 2), (2, 1), (3, 2)]
    paddings = [0, 1, 2, (0, 1), (2, 1)]
    dilations = [1, 1, 1, 2, (1, 2), (2, 1)]
    configs = []
    while len(configs) < n_configs:
        N, C, K = rng.integers(1, 4), rng.integers(1, 5), rng.integers(1, 5)
        kh, kw = rng.integers(1, 6), rng.integers(1, 6)
        H, W = rng.integers(1, 10), rng.integers(1, 10)
        stride = strides[rng.integers(len(strides))]
        padding = paddings[rng.integers(len(paddings))]
        dilation = dilations[rng.integers(len(dilations))]
        ph, pw = (padding, padding) if isinstance(padding, int) else padding
        dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
        if dh * (kh - 1) + 1 > H + 2 * ph or dw * (kw - 1) + 1 > W + 2 * pw:
            continue  # the kernel must fit in the padded input
        configs.append((int(N), int(C), int(H), int(W), int(K), int(kh), int(kw), stride, padding,
                        dilation, len(configs) % 5 != 0))
    return configs


def conv_ids(configs):
    return [f"N{c[0]}C{c[1]}H{c[2]}W{c[3]}K{c[4]}k{c[5]}x{c[6]}s{c[7]}p{c[8]}d{c[9]}"
            f"{'b' if c[10] else 'nob'}" for c in configs]


def transpose_fits(H, W, kh, kw, stride, padding):
    """Whether a transposed convolution with these sizes keeps at least one output pixel."""
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    return (H - 1) * sh + kh - 2 * ph >= 1 and (W - 1) * sw + kw - 2 * pw >= 1


def pool_configs(n_configs=36, seed=1):
    """Kernels up to 4 (non-square too), strides 1-3 or default, padding up to half the kernel.

    Each case is ``(N, C, H, W, kernel, stride, padding)``.
    """
    rng = np.random.default_rng(seed)
    configs = []
    while len(configs) < n_configs:
        kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        kernel = kh if (kh == kw or rng.random() < 0.3) else (kh, kw)
        kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
        stride = [None, 1, 2, 3, (1, 2), (2, 1)][rng.integers(6)]
        padding = (int(rng.integers(0, kh // 2 + 1)), int(rng.integers(0, kw // 2 + 1)))
        H, W = int(rng.integers(1, 10)), int(rng.integers(1, 10))
        if kh > H + 2 * padding[0] or kw > W + 2 * padding[1]:
            continue
        configs.append((int(rng.integers(1, 3)), int(rng.integers(1, 4)), H, W, kernel, stride,
                        padding))
    return configs
