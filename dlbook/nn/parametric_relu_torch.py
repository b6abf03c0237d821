r"""PReLU and RReLU written with torch tensors (chapter :ref:`ch-activations`).

The PyTorch twin of :mod:`dlbook.nn.parametric_relu`: the same two functions, differentiated by
autograd (gradients reach PReLU's ``weight`` too), so the NumPy forward/backward pairs have no
counterpart here. Both run on whatever device their input lives on.
"""

from __future__ import annotations

import torch

from dlbook._checks import boolean, real_tensor, real_value

__all__ = ["prelu", "rrelu"]

# NumPy names this twin leaves out, and why (tests/test_house.py checks the list).
__twin_omits__ = {
    "prelu_forward": "autograd keeps what backward needs: prelu is the forward pass",
    "prelu_backward": "autograd differentiates prelu, with respect to weight too",
    "rrelu_forward": "autograd keeps the drawn slopes: rrelu is the forward pass",
    "rrelu_backward": "autograd differentiates rrelu through the drawn slopes",
}


def prelu(x, weight):
    r""":math:`x` for :math:`x > 0`, :math:`a_c x` otherwise; ``weight`` of shape (1,) or (C,),
    channels on axis 1 (torch's convention). Gradients flow to ``weight`` too.

    See Also
    --------
    dlbook.nn.parametric_relu.prelu, :ref:`ch-activations`

    Examples
    --------
    >>> prelu(torch.tensor([[-4.0, -4.0]]), torch.tensor([0.25, 0.5])).tolist()
    [[-1.0, -2.0]]
    """
    x, weight = real_tensor(x, "x"), real_tensor(weight, "weight")
    channels = x.shape[1] if x.dim() >= 2 else 1
    if weight.dim() != 1 or weight.shape[0] not in (1, channels):
        raise ValueError(f"weight must have shape (1,) or ({channels},) for x of shape "
                         f"{tuple(x.shape)} (channels on axis 1), got {tuple(weight.shape)}")
    shape = [1] * x.dim()
    if x.dim() >= 2:
        shape[1] = weight.shape[0]
    return torch.where(x > 0, x, weight.reshape(shape) * x)


def rrelu(x, lower=1 / 8, upper=1 / 3, training=False, rng=None):
    r""":math:`x` for :math:`x > 0`, :math:`a x` otherwise; :math:`a \sim U(l, u)` per element
    in training, :math:`a = (l + u)/2` in evaluation.

    ``rng`` is a ``torch.Generator`` (the NumPy twin takes a NumPy one). Same distribution as
    ``torch.nn.functional.rrelu``, not the same draws (torch draws one number per
    non-positive element only).

    See Also
    --------
    dlbook.nn.parametric_relu.rrelu, :ref:`ch-activations`

    Examples
    --------
    >>> rrelu(torch.tensor([-48.0, 5.0])).tolist()   # evaluation slope 11/48
    [-11.0, 5.0]
    """
    lo, hi = real_value(lower, "lower", low=0.0), real_value(upper, "upper", low=0.0)
    if lo > hi:
        raise ValueError(f"lower must be <= upper, got lower={lower!r}, upper={upper!r}")
    x = real_tensor(x, "x")
    if boolean(training, "training"):
        slope = torch.empty_like(x).uniform_(lo, hi, generator=rng)
    else:
        slope = torch.full_like(x, 0.5 * (lo + hi))
    return torch.where(x > 0, x, slope * x)
