r"""``R`` independent small MLPs of one shape, stored and evaluated together (chapter
:ref:`ch-playground`).

The Playground chapter averages over seeds and sweeps learning rates; training the networks one
after another would repeat tiny matrix products thousands of times. :class:`StackedMLP` keeps
run ``r``'s weights in slice ``[r]`` of stacked tensors, so one batched matrix product
evaluates all runs; :meth:`StackedMLP.member` returns run ``r`` as an ordinary
``nn.Sequential`` (the tests check the two agree). A torch-only chapter fixture.

See Also
--------
dlbook.nn.examples.playground_torch : trains a stack the Playground's way.
"""

from __future__ import annotations

import torch
from torch import nn

from dlbook._checks import one_of

__all__ = ["ACTIVATIONS", "StackedMLP"]

#: The Playground's hidden activations and the torch layer of each.
ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "linear": nn.Identity}


class StackedMLP(nn.Module):
    r"""``R`` independent MLPs of one shape, evaluated together.

    Parameters
    ----------
    n_runs : int
        ``R``, the number of networks.
    n_in : int
        Number of input features.
    hidden : sequence of int
        Widths of the hidden layers; empty for no hidden layer (a linear model).
    activation : {"tanh", "relu", "sigmoid", "linear"}
        Activation of every hidden unit.
    regression : bool
        Linear output if True, ``tanh`` output otherwise.
    seeds : sequence of int of length R
        Run ``r``'s weights are drawn by a ``torch.Generator`` seeded with ``seeds[r]``, so a run
        does not depend on which other runs share the stack.
    dtype, device : torch.dtype, torch.device

    Attributes
    ----------
    weights : nn.ParameterList
        Layer ``k``'s weights, shape ``(R, n_out, n_in)`` (torch's ``Linear`` layout per run),
        drawn from :math:`U(-0.5, 0.5)`.
    biases : nn.ParameterList
        Layer ``k``'s biases, shape ``(R, 1, n_out)``, all 0.1 at the start.

    Notes
    -----
    Layer :math:`k` of run :math:`r` computes
    :math:`h^{(k)}_r = \phi\big(h^{(k-1)}_r W^{(k)\top}_r + b^{(k)}_r\big)` with
    :math:`\phi` the hidden activation (``tanh`` or the identity at the output).

    See Also
    --------
    dlbook.nn.examples.playground_torch.train : trains a stack.
    :ref:`ch-playground` : the chapter.

    Examples
    --------
    >>> net = StackedMLP(3, n_in=2, hidden=[4], activation="relu", regression=False,
    ...                  seeds=[0, 1, 2])
    >>> [tuple(w.shape) for w in net.weights], [tuple(b.shape) for b in net.biases]
    ([(3, 4, 2), (3, 1, 4)], [(3, 1, 4), (3, 1, 1)])
    >>> net(torch.zeros(5, 2)).shape   # 5 points through 3 networks
    torch.Size([3, 5])
    >>> x = torch.randn(5, 2)
    >>> bool(torch.allclose(net(x)[1], net.member(1)(x).squeeze(-1)))   # run 1 on its own
    True
    """

    def __init__(self, n_runs, n_in, hidden, activation, regression, seeds, dtype=torch.float32,
                 device=None):
        super().__init__()
        one_of(activation, "activation", ACTIVATIONS)
        if len(seeds) != n_runs:
            raise ValueError(f"need one seed per run: n_runs={n_runs} but {len(seeds)} seeds")
        self.sizes = [int(n_in), *[int(h) for h in hidden], 1]
        self.activation, self.regression = activation, bool(regression)
        self.act = ACTIVATIONS[activation]()
        gens = [torch.Generator().manual_seed(int(s)) for s in seeds]
        weights, biases = [], []
        for n_prev, n_next in zip(self.sizes[:-1], self.sizes[1:]):
            w = torch.stack([torch.rand(n_next, n_prev, generator=g, dtype=torch.float64) - 0.5
                             for g in gens])
            weights.append(nn.Parameter(w.to(dtype=dtype, device=device)))  # (R, n_next, n_prev)
            b = torch.full((n_runs, 1, n_next), 0.1, dtype=dtype, device=device)
            biases.append(nn.Parameter(b))
        self.weights, self.biases = nn.ParameterList(weights), nn.ParameterList(biases)

    def forward(self, x):
        """``x`` of shape (N, F) (the same points for every run) or (R, N, F); returns (R, N)."""
        R = self.weights[0].shape[0]
        h = x.expand(R, *x.shape) if x.dim() == 2 else x  # (R, N, F)
        last = len(self.weights) - 1
        for k, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = torch.baddbmm(b, h, w.transpose(1, 2))  # (R, N, n_out)
            h = self.act(z) if k < last else (z if self.regression else torch.tanh(z))
        return h.squeeze(-1)  # (R, N)

    def member(self, r: int) -> nn.Sequential:
        """Run ``r`` as an ordinary ``nn.Sequential`` of ``Linear`` and activation layers (a
        copy)."""
        layers = []
        last = len(self.weights) - 1
        for k, (w, b) in enumerate(zip(self.weights, self.biases)):
            lin = nn.Linear(w.shape[2], w.shape[1], dtype=w.dtype, device=w.device)
            with torch.no_grad():
                lin.weight.copy_(w[r])
                lin.bias.copy_(b[r, 0])
            layers.append(lin)
            if k < last:
                layers.append(ACTIVATIONS[self.activation]())
            elif not self.regression:
                layers.append(nn.Tanh())
        return nn.Sequential(*layers)
