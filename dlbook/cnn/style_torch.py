r"""The style-transfer costs of :mod:`dlbook.cnn.style` on tensors: autograd differentiates them.

The costs take activations of shape :math:`(n_C, n_H, n_W)` (one image), as the NumPy twins do,
and return 0-dim tensors; the chain-rule steps of the NumPy module (``*_forward``,
``*_backward``) are what autograd replaces.

See Also
--------
dlbook.cnn.style : the NumPy reference with explicit backward passes.
dlbook.cnn.style_transfer_torch : a feature extractor and the style-transfer loop.
:ref:`ch-faces-style` : the chapter.
"""

from __future__ import annotations

import torch  # noqa: F401 - the doctests run in this module's namespace

from dlbook._checks import real_tensor, same_shape

__all__ = ["gram_matrix", "content_cost", "style_layer_cost", "style_cost"]

# NumPy names this twin leaves out, and why (tests/test_house.py checks the list).
__twin_omits__ = {
    "gram_matrix_forward": "autograd keeps what gram_matrix_backward needs",
    "gram_matrix_backward": "autograd differentiates gram_matrix",
    "content_cost_forward": "autograd keeps what content_cost_backward needs",
    "content_cost_backward": "autograd differentiates content_cost",
    "style_layer_cost_forward": "autograd keeps what style_layer_cost_backward needs",
    "style_layer_cost_backward": "autograd differentiates style_layer_cost",
    "style_cost_forward": "autograd keeps what style_cost_backward needs",
    "style_cost_backward": "autograd differentiates style_cost",
}


def _two(a_X, a_G, name_x):
    """Two activations of one layer, checked: (n_C, n_H, n_W) each, one shape."""
    a_X, a_G = real_tensor(a_X, name_x, ndim=3), real_tensor(a_G, "a_G", ndim=3)
    same_shape(a_X, a_G, name_x, "a_G")
    return a_X, a_G


def gram_matrix(a):
    r"""Gram matrix :math:`G_{kk'}=\sum_{i,j}a_{kij}a_{k'ij}` of (n_C, n_H, n_W) -> (n_C, n_C).

    See Also
    --------
    dlbook.cnn.style.gram_matrix, :ref:`ch-faces-style`

    Examples
    --------
    >>> gram_matrix(torch.tensor([[[1., 2.]], [[3., 0.]]])).tolist()
    [[5.0, 3.0], [3.0, 9.0]]
    """
    a = real_tensor(a, "a", ndim=3)
    A = a.reshape(a.shape[0], -1)          # (n_C, n_H*n_W)
    return A @ A.T


def content_cost(a_C, a_G):
    r"""Content cost :math:`\frac{1}{4n_Hn_Wn_C}\sum(a^{(C)}-a^{(G)})^2` (0-dim tensor).

    See Also
    --------
    dlbook.cnn.style.content_cost, :ref:`ch-faces-style`

    Examples
    --------
    >>> content_cost(torch.zeros(1, 1, 2), torch.ones(1, 1, 2)).item()
    0.25
    """
    a_C, a_G = _two(a_C, a_G, "a_C")
    return (a_C - a_G).pow(2).sum() / (4.0 * a_C.numel())


def style_layer_cost(a_S, a_G):
    r"""One layer's style cost :math:`\frac{1}{(2n_Hn_Wn_C)^2}\sum_{k,k'}(G^{(S)}-G^{(G)})^2_{kk'}`.

    See Also
    --------
    dlbook.cnn.style.style_layer_cost, :ref:`ch-faces-style`

    Examples
    --------
    >>> style_layer_cost(torch.tensor([[[2., 0.]]]), torch.zeros(1, 1, 2)).item()
    1.0
    """
    a_S, a_G = _two(a_S, a_G, "a_S")
    return (gram_matrix(a_S) - gram_matrix(a_G)).pow(2).sum() / (2.0 * a_G.numel()) ** 2


def style_cost(a_S_layers, a_G_layers, weights):
    r"""Weighted style cost :math:`\sum_l\lambda^{[l]}J^{[l]}_{style}`.

    See Also
    --------
    dlbook.cnn.style.style_cost, :ref:`ch-faces-style`

    Examples
    --------
    >>> a_S, a_G = [torch.tensor([[[2., 0.]]])] * 2, [torch.zeros(1, 1, 2)] * 2
    >>> style_cost(a_S, a_G, [0.5, 0.25]).item()
    0.75
    """
    a_S_layers, a_G_layers, weights = list(a_S_layers), list(a_G_layers), list(weights)
    if not len(a_S_layers) == len(a_G_layers) == len(weights) or not weights:
        raise ValueError(f"need one style activation, one generated activation and one weight "
                         f"per layer, got {len(a_S_layers)}, {len(a_G_layers)} and {len(weights)}")
    return sum(w * style_layer_cost(s, g) for s, g, w in zip(a_S_layers, a_G_layers, weights))
