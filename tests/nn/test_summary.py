"""The NumPy model summary (dlbook.nn.summary): rows, output shapes and counts of a Sequential of
dlbook.nn layers against the formula, buffers, and the model's mode left as it was. The same
network's torch summary is compared in test_summary_torch.py."""

import pytest

from dlbook.nn.activation_layers import ReLU
from dlbook.nn.batch_norm import BatchNorm1d
from dlbook.nn.linear import Linear
from dlbook.nn.module import Sequential
from dlbook.nn.param_count import dense_param_count, dense_summary
from dlbook.nn.summary import summary


def test_course_mlp_rows_and_the_formula():
    sizes = [784, 300, 200, 100, 10]
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers += [Linear(a, b, rng=i), ReLU()]
    s = summary(Sequential(*layers[:-1]), (2, 784))
    assert [r.name for r in s.rows] == [str(i) for i in range(7)]
    assert [r.kind for r in s.rows[:2]] == ["Linear", "ReLU"]
    assert [r.output_shape for r in s.rows[::2]] == [(2, n) for n in sizes[1:]]
    assert s.total == dense_summary(sizes).total == 316_810
    assert s.rows[0].params == dense_param_count(784, 300) and s.rows[1].params == 0


def test_buffers_and_mode():
    net = Sequential(Linear(3, 4, rng=0), BatchNorm1d(4), ReLU())
    net.train()
    s = summary(net, (1, 3))  # a batch of one: batch norm must run in eval mode
    assert net.training and all(layer.training for layer in net.layers)
    assert s.buffers == 4 + 4 + 1 and s.total == (3 + 1) * 4 + 2 * 4
    assert s.rows[1].kind == "BatchNorm1d" and s.rows[1].output_shape == (1, 4)
    single = summary(Linear(5, 2, rng=0), (3, 5))
    assert [(r.name, r.output_shape, r.params) for r in single.rows] == [("linear", (3, 2), 12)]


@pytest.mark.parametrize("args, error, match", [
    ((object(), (1, 3)), TypeError, "forward"),
    ((Linear(3, 2), 3), TypeError, "input_size"),
    ((Linear(3, 2), (0, 3)), ValueError, "input_size must be >= 1"),
])
def test_bad_arguments(args, error, match):
    with pytest.raises(error, match=match):
        summary(*args)
