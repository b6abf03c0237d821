"""im2col and col2im in NumPy: against torch's unfold and fold, a brute-force patch copy, and
the adjoint identity <im2col(x), y> = <x, col2im(y)>."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook.cnn.im2col import col2im, im2col

CASES = [  # x shape, kernel, stride, padding, dilation
    ((2, 3, 7, 5), (3, 2), (2, 1), (1, 2), 1),
    ((1, 2, 9, 8), 3, 1, 0, 2),
    ((2, 1, 6, 6), 2, 2, 1, (1, 2)),
    ((1, 4, 5, 5), 1, 3, 0, 1),
]


@pytest.mark.parametrize("shape, kernel, stride, padding, dilation", CASES)
def test_im2col_and_col2im_match_unfold_and_fold(shape, kernel, stride, padding, dilation):
    rng = np.random.default_rng(2)
    x = rng.normal(size=shape)
    opts = dict(stride=stride, padding=padding, dilation=dilation)
    cols = im2col(x, kernel, **opts)
    np.testing.assert_array_equal(cols, F.unfold(torch.from_numpy(x), kernel, **opts).numpy())
    y = rng.normal(size=cols.shape)
    back = col2im(y, x.shape, kernel, **opts)
    back_t = F.fold(torch.from_numpy(y), shape[2:], kernel, **opts)
    np.testing.assert_allclose(back, back_t.numpy(), rtol=1e-12, atol=1e-12)
    # col2im is the adjoint of im2col
    np.testing.assert_allclose((cols * y).sum(), (x * back).sum(), rtol=1e-12)


def test_im2col_equals_a_brute_force_copy_of_each_patch():
    x = np.random.default_rng(3).normal(size=(2, 2, 6, 7))
    k, s, p, d = 2, 2, 1, 2
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    out_h, out_w = (6 + 2 * p - d * (k - 1) - 1) // s + 1, (7 + 2 * p - d * (k - 1) - 1) // s + 1
    want = np.zeros((2, 2 * k * k, out_h * out_w))
    for n, i, j in itertools.product(range(2), range(out_h), range(out_w)):
        patch = xp[n, :, i * s:i * s + d * (k - 1) + 1:d, j * s:j * s + d * (k - 1) + 1:d]
        want[n, :, i * out_w + j] = patch.reshape(-1)  # rows ordered (c, p, q)
    np.testing.assert_array_equal(im2col(x, k, s, p, d), want)


def test_col2im_counts_how_often_each_pixel_is_covered():
    cover = col2im(im2col(np.ones((1, 1, 4, 4)), 3), (1, 1, 4, 4), 3)[0, 0]
    np.testing.assert_array_equal(cover, [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]])


def test_dtype_kept_and_input_untouched():
    x = np.arange(32, dtype=np.float32).reshape(1, 2, 4, 4)
    before = x.copy()
    cols = im2col(x, 2, padding=1)
    assert cols.dtype == np.float32 and col2im(cols, x.shape, 2, padding=1).dtype == np.float32
    np.testing.assert_array_equal(x, before)


def test_bad_input():
    with pytest.raises(ValueError, match=r"x must have 4 dimension\(s\), got shape \(4, 4\)"):
        im2col(np.zeros((4, 4)), 2)
    with pytest.raises(ValueError, match=r"kernel \(5, 5\) is larger than the padded input"):
        im2col(np.zeros((1, 1, 4, 4)), 5)
    with pytest.raises(ValueError, match="stride must be an int or a pair"):
        im2col(np.zeros((1, 1, 4, 4)), 2, stride=(1, 1, 1))
    with pytest.raises(TypeError, match="padding"):
        im2col(np.zeros((1, 1, 4, 4)), 2, padding="same")
    with pytest.raises(TypeError, match="x must hold real numbers"):
        im2col(np.zeros((1, 1, 4, 4), dtype=complex), 2)
    with pytest.raises(ValueError, match=r"cols must have shape .*\(1, 4, 9\), got \(1, 4, 8\)"):
        col2im(np.zeros((1, 4, 8)), (1, 1, 4, 4), 2)
    with pytest.raises(ValueError, match="x_shape must be"):
        col2im(np.zeros((1, 4, 9)), (4, 4), 2)
