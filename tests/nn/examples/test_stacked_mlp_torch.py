"""The stack of R small MLPs (dlbook.nn.examples.stacked_mlp_torch): each run equals the plain
network it describes, outputs and gradients alike, and is initialised from its own seed."""

import pytest
import torch

from dlbook.nn.examples.stacked_mlp_torch import ACTIVATIONS, StackedMLP

F64 = dict(dtype=torch.float64, device="cpu")


@pytest.mark.parametrize("hidden", [(), (3,), (4, 2), (5, 1, 3)])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("regression", [False, True])
def test_stack_equals_members(hidden, activation, regression):
    R, F = 3, 4
    stack = StackedMLP(R, F, hidden, activation, regression, seeds=[0, 5, 9], **F64)
    x = torch.randn(7, F, dtype=torch.float64)
    t = torch.randn(7, dtype=torch.float64)
    out = stack(x)  # (R, 7)
    loss = (0.5 * (out - t) ** 2).mean(dim=1).sum()
    grads = torch.autograd.grad(loss, list(stack.parameters()))
    for r in range(R):
        net = stack.member(r)
        out_r = net(x).squeeze(-1)
        torch.testing.assert_close(
            out[r], out_r, rtol=1e-12, atol=0, msg=f"run {r}: outputs differ"
        )
        g_r = torch.autograd.grad((0.5 * (out_r - t) ** 2).mean(), list(net.parameters()))
        for k, (gw, gb) in enumerate(zip(g_r[0::2], g_r[1::2])):
            torch.testing.assert_close(
                grads[k][r], gw, rtol=1e-10, atol=1e-14, msg=f"run {r}, layer {k}: weight gradient"
            )
            n_layers = len(stack.weights)
            torch.testing.assert_close(
                grads[n_layers + k][r, 0],
                gb,
                rtol=1e-10,
                atol=1e-14,
                msg=f"run {r}, layer {k}: bias gradient",
            )


def test_initialisation_follows_the_playground_and_the_seed():
    stack = StackedMLP(2, 7, (8, 8), "tanh", False, seeds=[3, 4], **F64)
    alone = StackedMLP(1, 7, (8, 8), "tanh", False, seeds=[4], **F64)
    for w, w_alone, b in zip(stack.weights, alone.weights, stack.biases):
        assert w.min() >= -0.5 and w.max() < 0.5
        assert w.std() > 0.2, "weights do not look like U(-0.5, 0.5) (sd 0.289)"
        assert torch.all(b == 0.1)
        torch.testing.assert_close(w[1], w_alone[0], rtol=0, atol=0)
    assert not torch.equal(stack.weights[0][0], stack.weights[0][1])


def test_stack_errors():
    with pytest.raises(ValueError, match="one seed per run"):
        StackedMLP(2, 2, (3,), "tanh", False, seeds=[0])
    with pytest.raises(ValueError, match="swish"):
        StackedMLP(1, 2, (3,), "swish", False, seeds=[0])
