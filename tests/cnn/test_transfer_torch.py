"""Transfer helpers: frozen parameters really stay put; fine-tuning groups carry their rates."""

import copy

import pytest
import torch
from torch import nn

from dlbook.cnn.transfer_torch import (
    DigitsCNN,
    count_parameters,
    finetune_param_groups,
    replace_head,
    set_trainable,
)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def test_parameter_count_by_layer():
    net = DigitsCNN(10)
    assert count_parameters(net) == ((9 + 1) * 16 + (16 * 9 + 1) * 32 + (32 * 9 + 1) * 32
                                     + (512 + 1) * 10)


def test_frozen_base_does_not_move_but_head_does():
    torch.manual_seed(0)
    net = DigitsCNN(5)
    assert set_trainable(net.base, False) == 6
    base0, head0 = copy.deepcopy(net.base.state_dict()), copy.deepcopy(net.head.state_dict())
    opt = torch.optim.SGD([p for p in net.parameters() if p.requires_grad], lr=0.5, momentum=0.9)
    x, y = torch.randn(16, 1, 8, 8), torch.randint(0, 5, (16,))
    for _ in range(3):
        opt.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
        opt.step()
    for k, v in net.base.state_dict().items():
        assert torch.equal(v, base0[k]), f"frozen {k} changed"
        assert all(p.grad is None for p in net.base.parameters())
    assert not torch.equal(net.head.weight, head0["weight"])
    assert count_parameters(net, trainable_only=True) == 512 * 5 + 5
    assert set_trainable(net.base, True) == 6 and set_trainable(net.base, True) == 0


def test_replace_head_keeps_base_and_resets_head():
    net = DigitsCNN(5)
    base0 = copy.deepcopy(net.base.state_dict())
    replace_head(net, 3)
    assert net.head.out_features == 3
    for k, v in net.base.state_dict().items():
        assert torch.equal(v, base0[k])
    with pytest.raises(TypeError):
        replace_head(nn.Linear(2, 2), 3)
    with pytest.raises(ValueError):
        replace_head(net, 0)


def test_finetune_groups_apply_their_learning_rates():
    torch.manual_seed(0)
    net = DigitsCNN(5)
    opt = torch.optim.SGD(finetune_param_groups(net, 1e-3, 1e-1), lr=123.0)
    before = [p.detach().clone() for p in net.parameters()]
    opt.zero_grad()
    nn.functional.cross_entropy(net(torch.randn(4, 1, 8, 8)), torch.tensor([0, 1, 2, 3])).backward()
    grads = [p.grad.clone() for p in net.parameters()]
    opt.step()
    n_base = len(list(net.base.parameters()))
    for i, (p, p0, g) in enumerate(zip(net.parameters(), before, grads)):
        lr = 1e-3 if i < n_base else 1e-1
        torch.testing.assert_close(p.detach(), p0 - lr * g, rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError):
        finetune_param_groups(net, 0.0, 1e-3)


def test_bad_input_shape():
    with pytest.raises(ValueError, match=r"\(N, 1, 8, 8\)"):
        DigitsCNN(5)(torch.zeros(2, 1, 28, 28))
    with pytest.raises(TypeError):
        set_trainable("net", False)
