"""The torch twin of im2col/col2im: same results as the NumPy reference, same errors, any
device."""

import numpy as np
import pytest
import torch

from dlbook.cnn import im2col, im2col_torch


@pytest.mark.parametrize("shape, kernel, stride, padding, dilation", [
    ((2, 3, 7, 5), (3, 2), (2, 1), (1, 2), 1), ((1, 2, 9, 8), 3, 1, 0, 2),
    ((2, 1, 6, 6), 2, 2, 1, (1, 2))])
def test_twin_equals_the_numpy_reference(shape, kernel, stride, padding, dilation):
    rng = np.random.default_rng(1)
    x = rng.normal(size=shape)
    opts = dict(stride=stride, padding=padding, dilation=dilation)
    cols = im2col.im2col(x, kernel, **opts)
    cols_t = im2col_torch.im2col(torch.from_numpy(x), kernel, **opts)
    np.testing.assert_array_equal(cols_t.numpy(), cols)
    y = rng.normal(size=cols.shape)
    np.testing.assert_allclose(im2col_torch.col2im(torch.from_numpy(y), shape, kernel, **opts),
                               im2col.col2im(y, shape, kernel, **opts), rtol=1e-12, atol=1e-12)


def test_twin_errors_match_the_numpy_reference():
    cases = [((torch.zeros(4, 4), 2), {}, ValueError, "x must have 4"),
             ((torch.zeros(1, 1, 4, 4), 5), {}, ValueError, "larger than the padded input"),
             ((torch.zeros(1, 1, 4, 4), 2), {"stride": (1, 1, 1)}, ValueError, "stride must be"),
             ((torch.zeros(1, 1, 4, 4), 2), {"dilation": 1.0}, TypeError, "dilation must be")]
    for (x, k), kwargs, error, match in cases:
        with pytest.raises(error, match=match):
            im2col_torch.im2col(x, k, **kwargs)
        with pytest.raises(error, match=match):
            im2col.im2col(x.numpy(), k, **kwargs)
    with pytest.raises(ValueError, match="cols must have shape"):
        im2col_torch.col2im(torch.zeros(1, 4, 8), (1, 1, 4, 4), 2)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_twin_on_cuda():
    x = torch.randn(2, 3, 8, 8, device="cuda")
    cols = im2col_torch.im2col(x, 3, padding=1, dilation=2)
    assert cols.device == x.device
    np.testing.assert_allclose(cols.cpu().numpy(), im2col.im2col(x.cpu().numpy(), 3, padding=1,
                                                                 dilation=2), rtol=1e-6)
