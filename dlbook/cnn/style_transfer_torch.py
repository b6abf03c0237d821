r"""Neural style transfer in PyTorch: a feature extractor, a small CNN to take features from,
and the optimization loop of Gatys et al. (2016).

Style transfer fixes the network's weights and runs gradient descent on the *pixels* of the
generated image :math:`G` to minimise

.. math:: J(G) = \alpha\,J_{content}(C, G) + \beta\,J_{style}(S, G),

with the costs of :mod:`dlbook.cnn.style_torch`. This module has no NumPy twin: it is the
training code of the chapter.

See Also
--------
dlbook.cnn.style_torch : the costs.
:ref:`ch-faces-style` : the chapter.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from dlbook._checks import positive_int, positive_real
from dlbook.cnn.style_torch import content_cost, style_cost

__all__ = ["layer_activations", "PatchNet", "sample_patches", "style_transfer"]


def layer_activations(features, x, layers):
    r"""Run ``x`` through an ``nn.Sequential`` and keep the outputs of the listed indices.

    Parameters
    ----------
    features : nn.Sequential
    x : Tensor of shape (N, C, H, W)
    layers : sequence of int
        Indices into ``features`` whose outputs to return, in that order.

    Returns
    -------
    list of Tensor
        Stops after the last index it needs.

    See Also
    --------
    :ref:`ch-faces-style`

    Examples
    --------
    >>> net = nn.Sequential(nn.Identity(), nn.ReLU())
    >>> [t.tolist() for t in layer_activations(net, torch.tensor([-1., 2.]), [0, 1])]
    [[-1.0, 2.0], [0.0, 2.0]]
    """
    layers = list(layers)
    if not layers or min(layers) < 0 or max(layers) >= len(features):
        raise ValueError(f"layers must be indices in [0, {len(features)}), got {layers}")
    keep = {}
    for i, module in enumerate(features):
        x = module(x)
        if i in layers:
            keep[i] = x
        if i == max(layers):
            break
    return [keep[i] for i in layers]


class PatchNet(nn.Module):
    r"""A small VGG-like CNN for (N, 3, H, W) colour patches, trained in the chapter to tell
    source images apart; its conv layers then serve as the style-transfer features.

    ``features``: [conv 3x3 (3->16), ReLU, conv 3x3 (16->16), ReLU, avg-pool 2,
    conv 3x3 (16->32), ReLU, avg-pool 2, conv 3x3 (32->32), ReLU] (indices 0-9); head: global
    average pool and a linear layer to ``n_classes``. Average pooling (not max) as Gatys et al.
    advise for
    image synthesis.

    See Also
    --------
    :ref:`ch-faces-style`

    Examples
    --------
    >>> PatchNet(n_classes=5)(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 5])
    """

    def __init__(self, n_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU())
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        return self.fc(self.features(x).mean(dim=(2, 3)))


def sample_patches(images, size, n_per_image, rng):
    r"""Random square crops from each image, labelled by the image they came from.

    Parameters
    ----------
    images : sequence of ndarray, each (H_i, W_i, 3) with values in [0, 1]
    size : int
        Side of the square patch.
    n_per_image : int
    rng : numpy.random.Generator

    Returns
    -------
    x : ndarray of shape (len(images) * n_per_image, 3, size, size), float32
    y : ndarray of shape (len(images) * n_per_image,), int64

    See Also
    --------
    :ref:`ch-faces-style`

    Examples
    --------
    >>> x, y = sample_patches([np.zeros((10, 12, 3))], 4, 5, np.random.default_rng(0))
    >>> x.shape, y.tolist()
    ((5, 3, 4, 4), [0, 0, 0, 0, 0])
    """
    size, n_per_image = positive_int(size, "size"), positive_int(n_per_image, "n_per_image")
    xs, ys = [], []
    for label, img in enumerate(images):
        img = np.asarray(img, dtype=np.float32)
        if img.ndim != 3 or img.shape[2] != 3 or min(img.shape[:2]) < size:
            raise ValueError(f"image {label} must be (H, W, 3) with H, W >= {size}, "
                             f"got {img.shape}")
        top = rng.integers(0, img.shape[0] - size + 1, n_per_image)
        left = rng.integers(0, img.shape[1] - size + 1, n_per_image)
        rows = top[:, None] + np.arange(size)                       # (n, size)
        cols = left[:, None] + np.arange(size)                      # (n, size)
        patches = img[rows[:, :, None], cols[:, None, :]]           # (n, size, size, 3)
        xs.append(patches.transpose(0, 3, 1, 2))                    # (n, 3, size, size)
        ys.append(np.full(n_per_image, label, dtype=np.int64))
    return np.concatenate(xs), np.concatenate(ys)


def style_transfer(features, content, style, content_layer, style_layers, style_weights,
                   alpha=1.0, beta=1e3, steps=200, lr=0.02, init=None):
    r"""Gatys-style transfer: Adam on the pixels of :math:`G`, weights of ``features`` fixed.

    Parameters
    ----------
    features : nn.Sequential
        The CNN's convolutional part (e.g. ``PatchNet.features``); its weights are not changed.
    content, style : Tensor of shape (3, H, W)
        Images with values in [0, 1], of one size (the costs compare activations of equal
        shape, as in the course's formulas).
    content_layer : int
        Index in ``features`` for :math:`J_{content}`.
    style_layers : sequence of int
    style_weights : sequence of float
        :math:`\lambda^{[l]}` for each style layer.
    alpha, beta : float
        Weights of the content and style costs.
    steps : int
    lr : float
        Adam's learning rate on pixel values.
    init : Tensor of shape (3, H, W), optional
        Starting image; defaults to ``content`` (a common, faster choice than noise).

    Returns
    -------
    G : Tensor of shape (3, H, W)
        The generated image, clamped to [0, 1] after every step.
    history : dict of list of float
        ``"content"``, ``"style"`` and ``"total"`` cost per step (before the step).

    See Also
    --------
    :ref:`ch-faces-style`

    Examples
    --------
    Ten steps on 8x8 random images with an untrained :class:`PatchNet`'s features. ``G``
    starts at ``content``, so the first content cost is exactly 0; the style cost falls:

    >>> _ = torch.manual_seed(0)
    >>> features = PatchNet(n_classes=2).features
    >>> content, style = torch.rand(3, 8, 8), torch.rand(3, 8, 8)
    >>> G, hist = style_transfer(features, content, style, content_layer=2,
    ...                          style_layers=[0, 2], style_weights=[0.5, 0.5], steps=10, lr=0.05)
    >>> G.shape, len(hist["total"]), hist["content"][0]
    (torch.Size([3, 8, 8]), 10, 0.0)
    >>> hist["style"][-1] < hist["style"][0], bool(((G >= 0) & (G <= 1)).all())
    (True, True)
    >>> features[0].weight.requires_grad           # restored after the run
    True
    """
    steps, lr = positive_int(steps, "steps"), positive_real(lr, "lr")
    for name, img in (("content", content), ("style", style)):
        if not isinstance(img, torch.Tensor) or img.dim() != 3 or img.shape[0] != 3:
            raise ValueError(f"{name} must be a tensor of shape (3, H, W)")
    if content.shape != style.shape:
        raise ValueError(f"content has shape {tuple(content.shape)} but style has "
                         f"{tuple(style.shape)}; resize or crop them to one size")
    requires = [p.requires_grad for p in features.parameters()]
    features.requires_grad_(False)
    try:
        with torch.no_grad():
            a_C = layer_activations(features, content[None], [content_layer])[0][0]
            a_S = [a[0] for a in layer_activations(features, style[None], style_layers)]
        G = (content if init is None else init).clone().requires_grad_(True)
        opt = torch.optim.Adam([G], lr=lr)
        history = {"content": [], "style": [], "total": []}
        wanted = [content_layer] + list(style_layers)
        for _ in range(steps):
            acts = layer_activations(features, G[None], wanted)
            j_c = content_cost(a_C, acts[0][0])
            j_s = style_cost(a_S, [a[0] for a in acts[1:]], style_weights)
            total = alpha * j_c + beta * j_s
            opt.zero_grad()
            total.backward()
            opt.step()
            with torch.no_grad():
                G.clamp_(0.0, 1.0)
            for key, val in (("content", j_c), ("style", j_s), ("total", total)):
                history[key].append(val.item())
    finally:
        for p, r in zip(features.parameters(), requires):
            p.requires_grad_(r)
    return G.detach(), history
