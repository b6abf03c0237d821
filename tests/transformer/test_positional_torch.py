"""The torch twin of positional encodings equals the NumPy reference."""

import numpy as np
import pytest
import torch

from dlbook.transformer import positional, positional_torch


@pytest.mark.parametrize("max_len, d_model", [(1, 1), (7, 4), (33, 9), (128, 64)])
def test_sinusoidal_encoding_matches_numpy(max_len, d_model):
    torch.set_default_dtype(torch.float64)
    try:
        t = positional_torch.sinusoidal_encoding(max_len, d_model)
    finally:
        torch.set_default_dtype(torch.float32)
    np.testing.assert_allclose(t.numpy(), positional.sinusoidal_encoding(max_len, d_model),
                               rtol=0, atol=1e-13)
    assert positional_torch.sinusoidal_encoding(3, 4).dtype == torch.float32


@pytest.mark.parametrize("shape, positions", [((5, 4), None), ((2, 3, 6, 8), None),
                                              ((3, 2), [7, 8, 9])])
def test_rotary_embedding_matches_numpy_and_has_gradients(shape, positions):
    x = np.random.default_rng(0).normal(size=shape)
    xt = torch.tensor(x, requires_grad=True)
    out = positional_torch.rotary_embedding(xt, positions)
    np.testing.assert_allclose(out.detach().numpy(), positional.rotary_embedding(x, positions),
                               rtol=1e-12, atol=1e-14)
    out.pow(2).sum().backward()                     # a rotation keeps the squared norm: 2x
    np.testing.assert_allclose(xt.grad.numpy(), 2 * x, rtol=1e-12)


def test_bad_input():
    with pytest.raises(ValueError, match="even feature size"):
        positional_torch.rotary_embedding(torch.ones(3, 5))
    with pytest.raises(ValueError, match="positions must have shape"):
        positional_torch.rotary_embedding(torch.ones(3, 4), [0, 1])
