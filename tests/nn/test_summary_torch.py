"""The torch model summary (dlbook.nn.summary_torch): output shapes and parameter counts of real
modules against numel, batch norm buffers, frozen and shared parameters, and the model's state
left as it was."""

import pytest
import torch
from torch import nn

from dlbook.nn.activation_layers import ReLU
from dlbook.nn.linear import Linear
from dlbook.nn.module import Sequential
from dlbook.nn.param_count import dense_param_count, dense_summary
from dlbook.nn.summary import summary as numpy_summary
from dlbook.nn.summary_torch import summary

COURSE_MLP = [784, 300, 200, 100, 10]


def numel(module):
    return sum(p.numel() for p in module.parameters())


def mlp(sizes):
    layers = [nn.Flatten()]
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def test_torch_summary_of_the_course_mlp():
    model = mlp(COURSE_MLP)
    s = summary(model, (2, 28, 28))
    assert s.total == numel(model) == dense_summary(COURSE_MLP).total
    assert s.trainable == s.total and s.non_trainable == 0 and s.buffers == 0
    assert sum(r.params for r in s.rows) == s.total
    linear_rows = [r for r in s.rows if r.kind == "Linear"]
    assert [r.params for r in linear_rows] == [
        (a + 1) * b for a, b in zip(COURSE_MLP[:-1], COURSE_MLP[1:])
    ]
    assert [r.output_shape for r in linear_rows] == [(2, n) for n in COURSE_MLP[1:]]
    assert s.rows[0].kind == "Flatten" and s.rows[0].output_shape == (2, 784)
    assert "Total params: 316,810" in str(s)


class SmallConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        )
        self.head = nn.Linear(16 * 12 * 12, 10)

    def forward(self, x):
        return self.head(self.features(x).flatten(1))


def test_torch_summary_of_a_conv_net_with_batch_norm():
    model = SmallConvNet()
    s = summary(model, (3, 1, 28, 28))
    assert s.total == numel(model)
    assert sum(r.params for r in s.rows) == s.total
    by_kind = {}
    for r in s.rows:
        by_kind.setdefault(r.kind, []).append(r)
    # conv: (C_in * k * k + 1) * C_out, the second without bias; batch norm: 2C
    assert [r.params for r in by_kind["Conv2d"]] == [(1 * 9 + 1) * 8, 8 * 9 * 16]
    assert [r.params for r in by_kind["BatchNorm2d"]] == [2 * 8, 2 * 16]
    assert by_kind["Linear"][0].params == (16 * 12 * 12 + 1) * 10
    # output sizes: 28 -> 28 (padding 1) -> 14 (pool) -> 12 (3x3, no padding)
    assert [r.output_shape for r in by_kind["Conv2d"]] == [(3, 8, 28, 28), (3, 16, 12, 12)]
    assert by_kind["Linear"][0].output_shape == (3, 10)
    # running mean, running var (C each) and num_batches_tracked (1) per batch norm
    assert s.buffers == (2 * 8 + 1) + (2 * 16 + 1) == sum(b.numel() for b in model.buffers())
    assert [r.name for r in s.rows][:2] == ["features.0", "features.1"]


def test_torch_summary_leaves_the_model_as_it_was():
    model = SmallConvNet()
    model.train()
    model.features[1].eval()  # a mixed state must come back exactly
    before = {k: v.clone() for k, v in model.state_dict().items()}
    summary(model, (1, 1, 28, 28))  # batch of one: would fail in train mode
    assert model.training and model.head.training and not model.features[1].training
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k]), f"{k} changed"


def test_trainable_and_non_trainable():
    model = mlp([6, 5, 4])
    for p in model[1].parameters():  # freeze the first Linear: (6 + 1) * 5 parameters
        p.requires_grad_(False)
    s = summary(model, (1, 6))
    assert (s.total, s.trainable, s.non_trainable) == (7 * 5 + 6 * 4, 6 * 4, 7 * 5)
    assert "Non-trainable params: 35" in str(s)


def test_shared_parameters_count_once_and_unused_layers_are_listed():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(4, 4)
            self.b = nn.Linear(4, 4)
            self.b.weight = self.a.weight  # tied weights
            self.unused = nn.Linear(2, 3)
            self.scale = nn.Parameter(torch.ones(4))  # owned directly by a non-leaf module

        def forward(self, x):
            return self.b(self.a(x)) * self.scale

    model = Tied()
    s = summary(model, (2, 4))
    assert s.total == numel(model) == 16 + 4 + 4 + (2 * 3 + 3) + 4
    assert sum(r.params for r in s.rows) == s.total
    rows = {r.name: r for r in s.rows}
    assert rows["a"].params == 20 and rows["b"].params == 4  # b's weight is a's
    assert rows["unused"].output_shape is None and s.rows[-1].name == "unused"
    assert rows["tied"].params == 4 and rows["tied"].output_shape == (2, 4)


def test_tuple_outputs_multiple_inputs_and_integer_inputs():
    class TwoInputs(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(50, 8)
            self.rnn = nn.LSTM(8, 6, batch_first=True)
            self.extra = nn.Linear(3, 6)

        def forward(self, tokens, side):
            out, _ = self.rnn(self.emb(tokens))
            return out[:, -1] + self.extra(side.float())

    model = TwoInputs()
    s = summary(model, [(2, 7), (2, 3)], dtype=torch.long)
    rows = {r.name: r for r in s.rows}
    assert rows["emb"].output_shape == (2, 7, 8)
    assert rows["rnn"].output_shape == [(2, 7, 6), [(1, 2, 6), (1, 2, 6)]]
    assert rows["rnn"].params == 4 * 6 * (8 + 6 + 2)  # four gates, two biases each
    assert s.total == numel(model)


@pytest.mark.parametrize(
    "module, input_size, error, match",
    [
        ("not a module", (1, 3), TypeError, "module must be a torch.nn.Module"),
        (nn.Linear(3, 2), 3, TypeError, "input_size must be a shape"),
        (nn.Linear(3, 2), (1, 0), ValueError, r"must be >= 1, got \(1, 0\)"),
        (nn.Linear(3, 2), (1, 3.0), TypeError, "input_size must be a shape"),
    ],
)
def test_torch_summary_rejects_bad_arguments(module, input_size, error, match):
    with pytest.raises(error, match=match):
        summary(module, input_size)


def test_a_leaf_module_on_its_own():
    s = summary(nn.Linear(3, 2), (5, 3))
    assert [(r.name, r.kind, r.output_shape, r.params) for r in s.rows] == [
        ("linear", "Linear", (5, 2), 8)
    ]


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_torch_summary_on_the_gpu():
    from dlbook.utils import get_device

    model = SmallConvNet().to(get_device("cuda"))
    s = summary(model, (2, 1, 28, 28))
    assert s.total == numel(model)
    assert s.rows[-1].output_shape == (2, 10)


def test_equals_the_numpy_summary_of_the_same_network():
    sizes = [784, 300, 200, 100, 10]
    layers, torch_layers = [], []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers += [Linear(a, b, rng=i), ReLU()]
        torch_layers += [nn.Linear(a, b), nn.ReLU()]
    net, tnet = Sequential(*layers[:-1]), nn.Sequential(*torch_layers[:-1])
    ours = numpy_summary(net, (2, 784))
    theirs = summary(tnet, (2, 784))
    assert [(r.name, r.kind, r.output_shape, r.params) for r in ours.rows] == \
        [(r.name, r.kind, r.output_shape, r.params) for r in theirs.rows]
    assert ours.total == theirs.total == dense_summary(sizes).total == 316_810
    assert ours.rows[0].params == dense_param_count(784, 300)
