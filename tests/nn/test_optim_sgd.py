"""The update rules of dlbook.nn.optim_sgd (SGD, Adagrad, Adadelta, RMSprop) as pure functions:
nothing passed in is modified, bad inputs raise, and Adadelta needs its epsilon to move at all.
Their agreement with torch.optim is tested through the classes in test_optim.py."""

import numpy as np
import pytest

from dlbook.nn import optim_sgd
from tests.nn.optim_checks import CASES_SGD_FAMILY, assert_inputs_not_modified, case_id


@pytest.mark.parametrize("name, hyper", CASES_SGD_FAMILY[::4],
                         ids=[case_id(n, h) for n, h in CASES_SGD_FAMILY[::4]])
def test_step_functions_are_pure(name, hyper):
    assert_inputs_not_modified(name, hyper)


def test_adadelta_without_eps_never_moves():
    p, state = np.array([1.0, -2.0]), {}
    for _ in range(20):
        p, state = optim_sgd.adadelta_step(p, np.array([3.0, 0.5]), state, eps=0.0)
    np.testing.assert_array_equal(p, [1.0, -2.0])


def test_one_step_of_each_by_hand():
    g = np.array([2.0])
    assert optim_sgd.sgd_step(np.array([1.0]), g, {}, lr=0.1)[0].tolist() == [0.8]
    # Adagrad's and RMSprop's first steps: g / sqrt(g^2) and g / sqrt((1 - alpha) g^2)
    np.testing.assert_allclose(optim_sgd.adagrad_step(np.array([1.0]), g, {}, lr=0.1)[0], [0.9])
    np.testing.assert_allclose(optim_sgd.rmsprop_step(np.array([1.0]), g, {}, lr=0.01)[0], [0.9])


@pytest.mark.parametrize("call, error, match", [
    (lambda: optim_sgd.sgd_step(np.ones(3, dtype=int), np.ones(3), {}), TypeError,
     "floating-point"),
    (lambda: optim_sgd.sgd_step(np.ones(3), np.ones(2), {}), ValueError,
     r"param has shape \(3,\) but grad has \(2,\)"),
    (lambda: optim_sgd.rmsprop_step(np.ones(3), np.ones(3), None), TypeError,
     "state must be a dict"),
    (lambda: optim_sgd.sgd_step(np.ones(1), np.ones(1), {}, lr=-1.0), ValueError, "lr must lie"),
])
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()
