"""Label smoothing against torch's cross_entropy(label_smoothing=...), padding included."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook.transformer.label_smoothing import label_smoothing_cross_entropy


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.3, 1.0])
@pytest.mark.parametrize("ignore", [None, 1])
def test_matches_torch(eps, ignore):
    rng = np.random.default_rng(int(eps * 10))
    z, y = rng.normal(scale=3, size=(20, 7)), rng.integers(0, 7, size=20)
    y[:3] = 1
    ref = F.cross_entropy(torch.tensor(z), torch.tensor(y), label_smoothing=eps,
                          ignore_index=-100 if ignore is None else ignore)
    assert label_smoothing_cross_entropy(z, y, eps, ignore) == pytest.approx(ref.item(),
                                                                             rel=1e-12)


def test_minimum_is_at_the_smoothed_target():
    """The loss is smallest when the model predicts q = (1 - eps) onehot + eps / K."""
    eps, K = 0.1, 5
    q = np.full(K, eps / K)
    q[2] += 1 - eps
    best = label_smoothing_cross_entropy(np.log(q)[None], [2], eps)
    for sharper in [0.95, 0.99, 0.999]:
        p = np.full(K, (1 - sharper) / (K - 1))
        p[2] = sharper
        assert label_smoothing_cross_entropy(np.log(p)[None], [2], eps) > best


def test_bad_input():
    with pytest.raises(ValueError, match=r"target must have shape \(N,\)"):
        label_smoothing_cross_entropy(np.zeros((3, 4)), [0, 1], 0.1)
    with pytest.raises(ValueError, match="smoothing must be <= 1"):
        label_smoothing_cross_entropy(np.zeros((1, 4)), [0], 1.5)
    with pytest.raises(ValueError, match="every target equals ignore_index"):
        label_smoothing_cross_entropy(np.zeros((1, 4)), [1], 0.1, ignore_index=1)
    with pytest.raises(ValueError, match=r"must lie in \[0, 4\)"):
        label_smoothing_cross_entropy(np.zeros((1, 4)), [4], 0.1)
