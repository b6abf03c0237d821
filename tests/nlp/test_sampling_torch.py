"""The torch sampling functions equal the NumPy reference."""

import numpy as np
import pytest
import torch

from dlbook.nlp import sampling as S
from dlbook.nlp import sampling_torch as T


@pytest.mark.parametrize("seed", range(20))
def test_filters_and_distribution_equal_numpy(seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=3, size=(4, 11))
    z[0, :3] = z[0, 3]                       # ties
    k, p, t = int(rng.integers(1, 12)), float(rng.uniform(0.05, 1)), float(rng.uniform(0.2, 3))
    zt = torch.tensor(z)
    np.testing.assert_array_equal(T.top_k_filter(zt, k).numpy(), S.top_k_filter(z, k))
    np.testing.assert_array_equal(T.top_p_filter(zt, p).numpy(), S.top_p_filter(z, p))
    np.testing.assert_allclose(T.sampling_distribution(zt, t, k, p).numpy(),
                               S.sampling_distribution(z, t, k, p), rtol=1e-12, atol=1e-15)


def test_sampling_follows_the_distribution():
    z = torch.log(torch.tensor([0.5, 0.3, 0.15, 0.05], dtype=torch.float64))
    draws = T.sample_next(z.repeat(40_000, 1), top_k=3, rng=0)
    freq = torch.bincount(draws, minlength=4).double() / draws.numel()
    np.testing.assert_allclose(freq.numpy(), T.sampling_distribution(z, top_k=3).numpy(),
                               atol=0.01)
    assert T.sample_next(z, top_k=1, rng=3) == 0


@pytest.mark.gpu
def test_on_cuda():
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    z = torch.randn(3, 50, device="cuda")
    tokens = T.sample_next(z, top_p=0.9, rng=torch.Generator(device="cuda").manual_seed(0))
    assert tokens.device.type == "cuda" and tokens.shape == (3,)
