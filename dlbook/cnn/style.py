r"""Neural style transfer costs in NumPy: content cost, Gram matrix and style cost, with backward.

Activations of one layer for one image are an array ``a`` of shape :math:`(n_C, n_H, n_W)`
(channels first, as in torch). Notation of the chapter:

.. math::
    J_{content}(C,G) &= \frac{1}{4\,n_H n_W n_C}
        \sum_{k,i,j}\bigl(a^{(C)}_{kij}-a^{(G)}_{kij}\bigr)^2,\\
    G_{kk'} &= \sum_{i,j} a_{kij}\,a_{k'ij}\qquad(\text{Gram matrix},\ n_C\times n_C),\\
    J^{[l]}_{style}(S,G) &= \frac{1}{(2\,n_H n_W n_C)^2}
        \sum_{k,k'}\bigl(G^{(S)}_{kk'}-G^{(G)}_{kk'}\bigr)^2,\\
    J_{style}(S,G) &= \sum_l \lambda^{[l]} J^{[l]}_{style}(S,G).

The style normalization :math:`1/(2 n_H n_W n_C)^2` equals Gatys et al.'s :math:`1/(4N_l^2M_l^2)`
(:math:`N_l=n_C`, :math:`M_l=n_Hn_W`). The content normalization :math:`1/(4n_Hn_Wn_C)` is the
one of the deeplearning.ai exercise; Gatys et al. use :math:`1/2`. It only rescales
:math:`\alpha` in :math:`J = \alpha J_{content} + \beta J_{style}`.

Each cost is a plain function (its value) and a ``_forward``/``_backward`` pair for the chain
rule. Backward functions give the gradient with respect to the generated image's activations
only: the content and style images are constants during style transfer.

See Also
--------
dlbook.cnn.style_torch : the PyTorch twins (autograd replaces the backward passes).
dlbook.cnn.style_transfer_torch : a feature extractor and the style-transfer loop.
:ref:`ch-faces-style` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import real_array, same_shape

__all__ = ["gram_matrix", "gram_matrix_forward", "gram_matrix_backward",
           "content_cost", "content_cost_forward", "content_cost_backward",
           "style_layer_cost", "style_layer_cost_forward", "style_layer_cost_backward",
           "style_cost", "style_cost_forward", "style_cost_backward"]


def _two(a_X, a_G, name_x):
    """Two activations of one layer, checked: (n_C, n_H, n_W) each, one shape."""
    a_X, a_G = real_array(a_X, name_x, ndim=3), real_array(a_G, "a_G", ndim=3)
    same_shape(a_X, a_G, name_x, "a_G")
    dtype = np.result_type(a_X, a_G)
    return a_X.astype(dtype, copy=False), a_G.astype(dtype, copy=False)


# --------------------------------------------------------------------------- Gram matrix
def gram_matrix(a):
    r"""Gram matrix :math:`G_{kk'}=\sum_{i,j}a_{kij}a_{k'ij}` of activations (n_C, n_H, n_W).

    The value of :func:`gram_matrix_forward` without the cache.

    See Also
    --------
    gram_matrix_forward, dlbook.cnn.style_torch.gram_matrix, :ref:`ch-faces-style`

    Examples
    --------
    >>> gram_matrix(np.array([[[1., 2.]], [[3., 0.]]]))
    array([[5., 3.],
           [3., 9.]])
    """
    return gram_matrix_forward(a)[0]


def gram_matrix_forward(a):
    r"""Gram matrix :math:`G = AA^\top` of one layer's activations, :math:`A` = ``a`` flattened.

    Parameters
    ----------
    a : ndarray of shape (n_C, n_H, n_W)

    Returns
    -------
    G : ndarray of shape (n_C, n_C)
        :math:`G_{kk'}=\sum_{i,j}a_{kij}a_{k'ij}`: how strongly channels :math:`k` and
        :math:`k'` fire together, summed over all positions (so the layout is forgotten).
    cache : ndarray of shape (n_C, n_H*n_W)

    See Also
    --------
    dlbook.cnn.style_torch.gram_matrix, :ref:`ch-faces-style`

    Examples
    --------
    >>> gram_matrix_forward(np.array([[[1., 2.]], [[3., 0.]]]))[0]
    array([[5., 3.],
           [3., 9.]])
    """
    a = real_array(a, "a", ndim=3)
    A = a.reshape(a.shape[0], -1)        # (n_C, n_H*n_W)
    return A @ A.T, A


def gram_matrix_backward(dG, cache):
    r"""Gradient of :func:`gram_matrix_forward`: :math:`\partial L/\partial A = (D + D^\top)A`.

    Parameters
    ----------
    dG : ndarray of shape (n_C, n_C)
        :math:`D = \partial L/\partial G`.
    cache : from :func:`gram_matrix_forward`

    Returns
    -------
    dA : ndarray of shape (n_C, n_H*n_W)
        Flattened like the cache; :func:`style_layer_cost_backward` reshapes it to
        (n_C, n_H, n_W).

    See Also
    --------
    dlbook.cnn.style_torch, :ref:`ch-faces-style`

    Examples
    --------
    >>> G, cache = gram_matrix_forward(np.array([[[1., 2.]]]))
    >>> gram_matrix_backward(np.ones((1, 1)), cache)    # d(1 + 4)/da = 2a
    array([[2., 4.]])
    """
    A = cache
    dG = np.asarray(dG, dtype=A.dtype)
    if dG.shape != (A.shape[0], A.shape[0]):
        raise ValueError(f"dG must have shape {(A.shape[0], A.shape[0])}, got {dG.shape}")
    return (dG + dG.T) @ A


# --------------------------------------------------------------------------- content cost
def content_cost(a_C, a_G):
    r"""Content cost :math:`\frac{1}{4n_Hn_Wn_C}\sum(a^{(C)}-a^{(G)})^2` at one layer (a float).

    See Also
    --------
    content_cost_forward, dlbook.cnn.style_torch.content_cost, :ref:`ch-faces-style`

    Examples
    --------
    >>> content_cost(np.zeros((1, 1, 2)), np.ones((1, 1, 2)))
    0.25
    """
    return content_cost_forward(a_C, a_G)[0]


def content_cost_forward(a_C, a_G):
    r"""Content cost :math:`\frac{1}{4n_Hn_Wn_C}\sum(a^{(C)}-a^{(G)})^2` at one layer.

    Parameters
    ----------
    a_C, a_G : ndarray of shape (n_C, n_H, n_W)
        Activations of the content image and of the generated image.

    Returns
    -------
    J : float
    cache : tuple

    References
    ----------
    Gatys, Ecker and Bethge, "Image style transfer using convolutional neural networks",
    CVPR 2016, eq. (1) (with 1/2 in place of 1/(4 n_H n_W n_C)).

    See Also
    --------
    dlbook.cnn.style_torch.content_cost, :ref:`ch-faces-style`

    Examples
    --------
    One channel, 1x2 positions, differences 1 and 1: (1 + 1) / (4 * 2) = 0.25.

    >>> content_cost_forward(np.zeros((1, 1, 2)), np.ones((1, 1, 2)))[0]
    0.25
    """
    a_C, a_G = _two(a_C, a_G, "a_C")
    scale = 1.0 / (4.0 * a_C.size)
    return float(scale * ((a_C - a_G) ** 2).sum()), (a_C, a_G, scale)


def content_cost_backward(dout, cache):
    r"""Gradient of the content cost in ``a_G``, :math:`\frac{2}{4n_Hn_Wn_C}(a^{(G)}-a^{(C)})`.

    See Also
    --------
    dlbook.cnn.style_torch, :ref:`ch-faces-style`

    Examples
    --------
    >>> _, cache = content_cost_forward(np.zeros((1, 1, 2)), np.ones((1, 1, 2)))
    >>> content_cost_backward(1.0, cache)
    array([[[0.25, 0.25]]])
    """
    a_C, a_G, scale = cache
    return float(dout) * 2.0 * scale * (a_G - a_C)


# --------------------------------------------------------------------------- style cost
def style_layer_cost(a_S, a_G):
    r"""Style cost of one layer, :math:`\frac{1}{(2n_Hn_Wn_C)^2}\lVert G^{(S)}-G^{(G)}\rVert_F^2`.

    See Also
    --------
    style_layer_cost_forward, dlbook.cnn.style_torch.style_layer_cost, :ref:`ch-faces-style`

    Examples
    --------
    >>> style_layer_cost(np.array([[[2., 0.]]]), np.zeros((1, 1, 2)))
    1.0
    """
    return style_layer_cost_forward(a_S, a_G)[0]


def style_layer_cost_forward(a_S, a_G):
    r"""Style cost of one layer, :math:`\frac{1}{(2n_Hn_Wn_C)^2}\lVert G^{(S)}-G^{(G)}\rVert_F^2`.

    Parameters
    ----------
    a_S, a_G : ndarray of shape (n_C, n_H, n_W)
        Activations of the style image and of the generated image (same layer, same size).

    Returns
    -------
    J : float
    cache : tuple

    Notes
    -----
    The square on the normalization matters: without it the cost grows with the layer size
    (see the chapter's erratum).

    References
    ----------
    Gatys, Ecker and Bethge (2016), eq. (4): :math:`E_l=\frac{1}{4N_l^2M_l^2}\sum(G-A)^2`.

    See Also
    --------
    dlbook.cnn.style_torch.style_layer_cost, :ref:`ch-faces-style`

    Examples
    --------
    Gram matrices [[4]] and [[0]] (n_C = n_H = 1, n_W = 2): 16 / (2*2)^2 = 1.

    >>> style_layer_cost_forward(np.array([[[2., 0.]]]), np.zeros((1, 1, 2)))[0]
    1.0
    """
    a_S, a_G = _two(a_S, a_G, "a_S")
    G_S = gram_matrix(a_S)
    G_G, cache_g = gram_matrix_forward(a_G)
    scale = 1.0 / (2.0 * a_G.size) ** 2
    return float(scale * ((G_S - G_G) ** 2).sum()), (G_S, G_G, cache_g, scale, a_G.shape)


def style_layer_cost_backward(dout, cache):
    r"""Gradient of :func:`style_layer_cost_forward` with respect to ``a_G``.

    Notes
    -----
    :math:`\partial J/\partial G^{(G)} = 2c\,(G^{(G)}-G^{(S)})` with :math:`c=1/(2n_Hn_Wn_C)^2`;
    both Gram matrices are symmetric, so
    :math:`\partial J/\partial A^{(G)} = 4c\,(G^{(G)}-G^{(S)})A^{(G)}`.

    See Also
    --------
    dlbook.cnn.style_torch, :ref:`ch-faces-style`

    Examples
    --------
    >>> _, cache = style_layer_cost_forward(np.array([[[2., 0.]]]), np.zeros((1, 1, 2)))
    >>> style_layer_cost_backward(1.0, cache)    # zero: a_G = 0 is a critical point
    array([[[0., 0.]]])
    """
    G_S, G_G, cache_g, scale, shape = cache
    dG = float(dout) * 2.0 * scale * (G_G - G_S)
    return gram_matrix_backward(dG, cache_g).reshape(shape)


def style_cost(a_S_layers, a_G_layers, weights):
    r"""Weighted style cost over layers, :math:`\sum_l\lambda^{[l]}J^{[l]}_{style}` (a float).

    See Also
    --------
    style_cost_forward, dlbook.cnn.style_torch.style_cost, :ref:`ch-faces-style`

    Examples
    --------
    >>> style_cost([np.array([[[2., 0.]]])] * 2, [np.zeros((1, 1, 2))] * 2, [0.5, 0.25])
    0.75
    """
    return style_cost_forward(a_S_layers, a_G_layers, weights)[0]


def style_cost_forward(a_S_layers, a_G_layers, weights):
    r"""Weighted style cost over layers, :math:`\sum_l\lambda^{[l]}J^{[l]}_{style}`.

    Parameters
    ----------
    a_S_layers, a_G_layers : sequence of ndarray, each (n_C, n_H, n_W) for its layer
    weights : sequence of float
        :math:`\lambda^{[l]}`, one per layer.

    Returns
    -------
    J : float
    cache : list

    See Also
    --------
    dlbook.cnn.style_torch, :ref:`ch-faces-style`

    Examples
    --------
    >>> a_S, a_G = [np.array([[[2., 0.]]])] * 2, [np.zeros((1, 1, 2))] * 2
    >>> style_cost_forward(a_S, a_G, [0.5, 0.25])[0]
    0.75
    """
    a_S_layers, a_G_layers, weights = list(a_S_layers), list(a_G_layers), list(weights)
    if not len(a_S_layers) == len(a_G_layers) == len(weights) or not weights:
        raise ValueError(f"need one style activation, one generated activation and one weight "
                         f"per layer, got {len(a_S_layers)}, {len(a_G_layers)} and {len(weights)}")
    parts = [style_layer_cost_forward(s, g) for s, g in zip(a_S_layers, a_G_layers)]
    J = sum(w * j for w, (j, _) in zip(weights, parts))
    return float(J), [(w, c) for w, (_, c) in zip(weights, parts)]


def style_cost_backward(dout, cache):
    r"""Gradients of :func:`style_cost_forward`, one array per layer.

    Layer :math:`l` gets :math:`\lambda^{[l]}\,\partial J^{[l]}/\partial a^{[l](G)}`.

    See Also
    --------
    dlbook.cnn.style_torch, :ref:`ch-faces-style`

    Examples
    --------
    >>> _, cache = style_cost_forward([np.ones((1, 1, 1))], [np.zeros((1, 1, 1))], [1.0])
    >>> style_cost_backward(1.0, cache)[0].shape
    (1, 1, 1)
    """
    return [style_layer_cost_backward(float(dout) * w, c) for w, c in cache]
