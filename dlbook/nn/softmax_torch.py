r"""Softmax written with torch tensors (chapter :ref:`ch-activations`).

The PyTorch twin of :mod:`dlbook.nn.softmax`: the same stable formula, built from elementary
tensor operations so that autograd derives the backward pass that
:func:`dlbook.nn.softmax.softmax_backward` writes out (and the Jacobian
:func:`dlbook.nn.softmax.softmax_jacobian` forms). The tests hold it to
``torch.nn.functional.softmax`` (values and gradients) in float64. It runs on whatever device
its input lives on.
"""

from __future__ import annotations

import torch

from dlbook._checks import real_tensor

__all__ = ["softmax"]

# NumPy names this twin leaves out, and why (tests/test_house.py checks the list).
__twin_omits__ = {
    "softmax_forward": "autograd keeps what backward needs: softmax is the forward pass",
    "softmax_backward": "autograd differentiates softmax",
    "softmax_jacobian": "torch.autograd.functional.jacobian(softmax, x) computes it",
}


def softmax(x, dim=-1):
    r""":math:`e^{x_i - m}/\sum_j e^{x_j - m}` along ``dim``, :math:`m` the maximum.

    The maximum is detached: softmax does not depend on the shift, so it needs no gradient.

    See Also
    --------
    dlbook.nn.softmax.softmax, :ref:`ch-activations`

    Examples
    --------
    >>> softmax(torch.tensor([1000.0, 1000.0])).tolist()
    [0.5, 0.5]
    """
    x = real_tensor(x, "x")
    e = torch.exp(x - x.amax(dim=dim, keepdim=True).detach())
    return e / e.sum(dim=dim, keepdim=True)

