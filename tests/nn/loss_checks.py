"""Helpers shared by the loss tests (test_losses, test_cross_entropy).

A case is ``(y_true, y_pred, kwargs, peer)``: ``peer(t, p, **kwargs)`` computes the same loss as
a torch scalar, written independently of dlbook (``torch.nn.functional`` where it has the loss),
so that its value and its autograd gradient are the reference. Not a test module: pytest
collects only ``test_*.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

RTOL = 1e-7
ATOL = 1e-12


def t64(x, grad=False):
    """``x`` as a float64 tensor."""
    return torch.tensor(np.asarray(x), dtype=torch.float64, requires_grad=grad)


def targets(y):
    """Integer class labels stay integer tensors; everything else becomes float64."""
    return torch.as_tensor(y) if np.asarray(y).dtype.kind in "iu" else t64(y)


def peer_value_and_grad(peer, y, p, kw):
    """The peer's value and its autograd gradient with respect to the prediction ``p``."""
    pt = t64(p, grad=True)
    value = peer(targets(y), pt, **kw)
    value.backward()
    return value.item(), pt.grad.numpy()


def check_numpy_loss(module, fn, y, p, kw, peer):
    """``module.fn`` returns a float equal to the peer's; ``module.fn_grad`` its autograd."""
    ref_value, ref_grad = peer_value_and_grad(peer, y, p, kw)
    value = getattr(module, fn)(y, p, **kw)
    grad = getattr(module, fn + "_grad")(y, p, **kw)
    assert isinstance(value, float)
    assert value == pytest.approx(ref_value, rel=RTOL), f"{fn} value: {value} vs peer {ref_value}"
    assert grad.shape == np.shape(p)
    np.testing.assert_allclose(grad, ref_grad, rtol=RTOL, atol=ATOL, err_msg=f"{fn}_grad vs autograd")


def check_torch_loss(module, fn, y, p, kw, peer):
    """The torch twin: a float64 0-dim value, its autograd and its closed-form ``_grad``."""
    ref_value, ref_grad = peer_value_and_grad(peer, y, p, kw)
    yt = targets(y)
    pt = t64(p, grad=True)
    value = getattr(module, fn)(yt, pt, **kw)
    value.backward()
    assert value.dim() == 0 and value.dtype == torch.float64
    assert value.item() == pytest.approx(ref_value, rel=RTOL), f"torch {fn} vs peer"
    np.testing.assert_allclose(pt.grad.numpy(), ref_grad, rtol=RTOL, atol=ATOL,
                               err_msg=f"autograd of torch {fn} vs autograd of peer")
    closed = getattr(module, fn + "_grad")(yt, pt.detach(), **kw)
    np.testing.assert_allclose(closed.numpy(), ref_grad, rtol=RTOL, atol=ATOL,
                               err_msg=f"torch {fn}_grad vs autograd of peer")


def check_cuda_matches_cpu(module, fn, y, p, kw, device):
    """Value and closed-form gradient of the torch twin agree between CPU and ``device``."""
    yt, pt = targets(y), t64(p)
    cpu = getattr(module, fn)(yt, pt, **kw).item()
    gpu = getattr(module, fn)(yt.to(device), pt.to(device), **kw).item()
    assert gpu == pytest.approx(cpu, rel=1e-10), fn
    g_cpu = getattr(module, fn + "_grad")(yt, pt, **kw)
    g_gpu = getattr(module, fn + "_grad")(yt.to(device), pt.to(device), **kw).cpu()
    torch.testing.assert_close(g_gpu, g_cpu, rtol=1e-10, atol=1e-14)


def loss_cases(elementwise, shapes, rowwise):
    """pytest params (name, shape): every elementwise loss at every shape, row-wise ones once."""
    for name in elementwise:
        for shape in shapes:
            yield pytest.param(name, shape, id=f"{name}-{shape}")
    for name in rowwise:
        yield pytest.param(name, None, id=name)


def make_case(name, shape, cases, row_cases, seed=0):
    """(fn name, y, p, kwargs, peer) for one case; a ``_soft`` suffix names a variant input."""
    rng = np.random.default_rng(seed)
    if shape is None:
        y, p, kw, peer = row_cases(rng, name)
    else:
        make, peer = cases[name]
        y, p, kw = make(rng, shape)
    return name.removesuffix("_soft"), y, p, kw, peer

