"""Helpers and cases shared by the loss tests (test_losses*, test_binary_cross_entropy*,
test_cross_entropy*): each NumPy module and its torch twin are checked on the same cases.

A case is ``(y_true, y_pred, kwargs, peer)``: ``peer(t, p, **kwargs)`` computes the same loss as
a torch scalar, written independently of dlbook (``torch.nn.functional`` where it has the loss),
so that its value and its autograd gradient are the reference. Not a test module: pytest
collects only ``test_*.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
import torch
import torch.nn.functional as F

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
    np.testing.assert_allclose(
        grad, ref_grad, rtol=RTOL, atol=ATOL, err_msg=f"{fn}_grad vs autograd"
    )


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
    """(fn name, y, p, kwargs, peer) for one case; a ``_soft`` or ``_smoothed`` suffix names a
    variant of the inputs."""
    rng = np.random.default_rng(seed)
    if shape is None:
        y, p, kw, peer = row_cases(rng, name)
    else:
        make, peer = cases[name]
        y, p, kw = make(rng, shape)
    return name.removesuffix("_soft").removesuffix("_smoothed"), y, p, kw, peer


def masks(rng, shape):
    """A 0/1 target mask and predicted probabilities."""
    return (rng.random(shape) < 0.4).astype(np.float64), rng.uniform(0.01, 0.99, shape)


def probs(rng, n, c):
    """n random probability rows over c classes."""
    z = rng.normal(size=(n, c)) * 2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


SHAPES = [(7,), (5, 3), (2, 3, 4)]


# -- dlbook.nn.losses: regression, margin and task losses ---------------------------------------
# Each case: make(rng, shape) -> (y_true, y_pred, kwargs); peer(t, p, **kw) -> torch scalar,
# written independently of dlbook (torch.nn.functional where it has the loss).
def _hinge_peer(t, s, p=1):
    two_class = torch.stack([torch.zeros_like(s), s], dim=1)  # scores of classes -1 and +1
    return 2 * F.multi_margin_loss(two_class, ((t + 1) / 2).long(), p=p)


LOSS_CASES = {
    "mse": (lambda r, sh: (r.normal(size=sh), r.normal(size=sh), {}),
            lambda t, p: F.mse_loss(p, t)),
    "mae": (lambda r, sh: (r.normal(size=sh), r.normal(size=sh), {}),
            lambda t, p: F.l1_loss(p, t)),
    "huber_loss": (lambda r, sh: (r.normal(size=sh), 3 * r.normal(size=sh), {"delta": 1.3}),
                   lambda t, p, delta: F.huber_loss(p, t, delta=delta)),
    "hinge": (lambda r, sh: (r.choice([-1.0, 1.0], sh), 2 * r.normal(size=sh), {}),
              lambda t, s: _hinge_peer(t.flatten(), s.flatten())),
    "squared_hinge": (lambda r, sh: (r.choice([-1.0, 1.0], sh), 2 * r.normal(size=sh), {}),
                      lambda t, s: _hinge_peer(t.flatten(), s.flatten(), p=2)),
    "cost_profit_loss": (
        lambda r, sh: (r.normal(10, 3, sh), r.normal(10, 3, sh), {"cost": 1.5, "profit": 7.0}),
        lambda t, p, cost, profit: (cost * F.relu(p - t) + profit * F.relu(t - p)).mean()),
}


def _loss_rows(rng, name):
    """(y_true, y_pred, kwargs, peer) for the losses of whole samples."""
    if name == "dice_loss":
        t, p = masks(rng, (3, 2, 5, 5))
        return t, p, {"smooth": 0.7}, lambda t, p, smooth: 1 - (
            (2 * (t * p).flatten(1).sum(1) + smooth)
            / (t.flatten(1).sum(1) + p.flatten(1).sum(1) + smooth)).mean()
    raise KeyError(name)


LOSS_ROWWISE = ["dice_loss"]
LOSS_PARAMS = list(loss_cases(list(LOSS_CASES), SHAPES, LOSS_ROWWISE))


def loss_setup(name, shape, seed=0):
    return make_case(name, shape, LOSS_CASES, _loss_rows, seed)


# -- dlbook.nn.binary_cross_entropy ---------------------------------------------------------------
BCE_CASES = {
    "binary_cross_entropy": (
        lambda r, sh: (r.random(sh), r.uniform(0.01, 0.99, sh), {}),
        lambda t, p: F.binary_cross_entropy(p, t)),
    "binary_cross_entropy_with_logits": (
        lambda r, sh: ((r.random(sh) < 0.5) * 1.0, 3 * r.normal(size=sh), {}),
        lambda t, z: F.binary_cross_entropy_with_logits(z, t)),
}
BCE_PARAMS = list(loss_cases(list(BCE_CASES), SHAPES, []))


def bce_setup(name, shape, seed=0):
    return make_case(name, shape, BCE_CASES, None, seed)


# -- dlbook.nn.cross_entropy: rows of N examples over C classes ---------------------------------
def _ce_rows(rng, name):
    """(y_true, y_pred, kwargs, peer) for the losses that need (N, C) rows."""
    n, c = 6, 4
    labels = rng.integers(0, c, n)
    soft = probs(rng, n, c)
    if name == "categorical_cross_entropy":
        # cross-entropy = KL + H(labels); F.kl_div takes log q and differentiates through it
        h = float(np.mean(scipy.stats.entropy(soft, axis=1)))
        return soft, probs(rng, n, c), {}, lambda t, p: (
            F.kl_div(torch.log(p), t, reduction="batchmean") + h)
    if name == "sparse_categorical_cross_entropy":
        return (labels, probs(rng, n, c), {},
                lambda t, p: F.nll_loss(torch.log(p), torch.as_tensor(labels)))
    if name == "cross_entropy_with_logits":
        return (labels, 3 * rng.normal(size=(n, c)), {},
                lambda t, z: F.cross_entropy(z, torch.as_tensor(labels)))
    if name == "cross_entropy_with_logits_soft":
        return soft, 3 * rng.normal(size=(n, c)), {}, lambda t, z: F.cross_entropy(z, t)
    if name == "cross_entropy_with_logits_smoothed":
        return (labels, 3 * rng.normal(size=(n, c)), {"label_smoothing": 0.2},
                lambda t, z, label_smoothing: F.cross_entropy(
                    z, torch.as_tensor(labels), label_smoothing=label_smoothing))
    raise KeyError(name)


CE_ROWWISE = ["categorical_cross_entropy", "sparse_categorical_cross_entropy",
              "cross_entropy_with_logits", "cross_entropy_with_logits_soft",
              "cross_entropy_with_logits_smoothed"]
CE_PARAMS = list(loss_cases([], SHAPES, CE_ROWWISE))


def ce_setup(name, shape=None, seed=0):
    return make_case(name, shape, {}, _ce_rows, seed)
