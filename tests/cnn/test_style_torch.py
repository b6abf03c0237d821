"""The torch twins of the style costs: the NumPy reference's values, and autograd's gradients
equal to the NumPy backward passes (float64)."""

import numpy as np
import pytest
import torch

from dlbook.cnn import style as S
from dlbook.cnn import style_torch as ST


@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 4, 5), (16, 6, 6)])
def test_twins_equal_the_numpy_costs_and_gradients(shape):
    rng = np.random.default_rng(sum(shape))
    a_X, a_G = rng.normal(size=shape), rng.normal(size=shape)
    np.testing.assert_allclose(ST.gram_matrix(torch.tensor(a_X)).numpy(), S.gram_matrix(a_X),
                               rtol=1e-12)
    for name in ("content_cost", "style_layer_cost"):
        t = torch.tensor(a_G, requires_grad=True)
        value = getattr(ST, name)(torch.tensor(a_X), t)
        value.backward()
        J, cache = getattr(S, name + "_forward")(a_X, a_G)
        np.testing.assert_allclose(value.item(), J, rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(t.grad.numpy(), getattr(S, name + "_backward")(1.0, cache),
                                   rtol=1e-9, atol=1e-14, err_msg=f"{name} gradient")


def test_weighted_style_cost():
    rng = np.random.default_rng(0)
    a_S = [rng.normal(size=(3, 4, 4)), rng.normal(size=(5, 2, 2))]
    a_G = [rng.normal(size=a.shape) for a in a_S]
    got = ST.style_cost([torch.tensor(a) for a in a_S], [torch.tensor(a) for a in a_G], [0.3, 0.7])
    np.testing.assert_allclose(got.item(), S.style_cost(a_S, a_G, [0.3, 0.7]), rtol=1e-12)


def test_bad_inputs_match_the_numpy_reference():
    with pytest.raises(ValueError, match="a_S has shape"):
        ST.style_layer_cost(torch.zeros(2, 2, 2), torch.zeros(3, 2, 2))
    with pytest.raises(ValueError, match=r"a must have 3 dimension\(s\)"):
        ST.gram_matrix(torch.zeros(1, 2, 2, 2))
    with pytest.raises(TypeError, match="a must hold real numbers"):
        ST.gram_matrix(torch.zeros(2, 2, 2, dtype=torch.complex64))
    with pytest.raises(ValueError, match="one weight"):
        ST.style_cost([torch.zeros(1, 2, 2)], [torch.zeros(1, 2, 2)], [1.0, 2.0])
