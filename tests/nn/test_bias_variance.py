"""Bias, variance and data mismatch (dlbook.nn.bias_variance): the course's worked examples and
the telescoping of the gaps."""

import pytest

from dlbook.nn.bias_variance import error_decomposition


@pytest.mark.parametrize("human, train, dev, bias, variance, largest", [
    (1.0, 8.0, 10.0, 7.0, 2.0, "avoidable_bias"),   # classifier A of the course
    (7.5, 8.0, 10.0, 0.5, 2.0, "variance"),         # classifier B: same errors, noisier task
    (0.5, 5.0, 6.0, 4.5, 1.0, "avoidable_bias"),    # medical-imaging example 1
    (0.5, 1.0, 5.0, 0.5, 4.0, "variance"),          # medical-imaging example 2
])
def test_error_decomposition_course_examples(human, train, dev, bias, variance, largest):
    gaps = error_decomposition(human, train, dev)
    assert gaps["avoidable_bias"] == pytest.approx(bias)
    assert gaps["variance"] == pytest.approx(variance)
    assert gaps["largest"] == largest


def test_error_decomposition_with_train_dev_and_test_telescopes():
    gaps = error_decomposition(0.5, 2.0, 12.0, train_dev=3.0, test=12.5)
    assert gaps["avoidable_bias"] == pytest.approx(1.5)
    assert gaps["variance"] == pytest.approx(1.0)
    assert gaps["data_mismatch"] == pytest.approx(9.0)
    assert gaps["dev_overfitting"] == pytest.approx(0.5)
    assert gaps["largest"] == "data_mismatch"
    total = gaps["avoidable_bias"] + gaps["variance"] + gaps["data_mismatch"]
    assert total == pytest.approx(12.0 - 0.5)


def test_error_decomposition_errors():
    with pytest.raises(ValueError, match="train must be >= 0.0"):
        error_decomposition(1.0, -2.0, 3.0)
    with pytest.raises(TypeError, match="dev must be a real number"):
        error_decomposition(1.0, 2.0, "3")
