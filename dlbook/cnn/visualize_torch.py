r"""Seeing inside a CNN: feature maps through forward hooks, filter visualization by gradient
ascent, class activation maps (CAM and Grad-CAM), and a minimal DeepDream step.

Everything here works on any ``nn.Module`` and any device; images are (N, C, H, W) tensors.

See Also
--------
:ref:`ch-inside-cnn` : the chapter.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["GapCNN", "feature_maps", "visualize_filter", "class_activation_map", "grad_cam",
           "deep_dream"]


class GapCNN(nn.Module):
    r"""A CNN ending in global average pooling (GAP) and one linear layer, so CAM applies.

    ``features``: three 3x3 convolutions with padding 1 (``in_channels``->16->32->``width``),
    each followed by ReLU, so the last feature maps keep the input's height and width.
    ``fc``: linear ``width`` -> ``n_classes`` on the channel means.

    See Also
    --------
    :ref:`ch-inside-cnn`

    Examples
    --------
    >>> GapCNN()(torch.zeros(4, 1, 8, 8)).shape
    torch.Size([4, 10])
    """

    def __init__(self, in_channels=1, n_classes=10, width=32):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
            nn.Conv2d(32, width, 3, padding=1), nn.ReLU())
        self.fc = nn.Linear(width, n_classes)

    def forward(self, x):
        return self.fc(self.features(x).mean(dim=(2, 3)))


def feature_maps(model, x, modules):
    r"""Outputs of chosen sub-modules for input ``x``, captured with forward hooks.

    Parameters
    ----------
    model : nn.Module
    x : Tensor
        Input to ``model``.
    modules : dict of str -> nn.Module
        Sub-modules of ``model`` to record, by a name of your choice.

    Returns
    -------
    dict of str -> Tensor
        Each module's (detached) output from one forward pass. The hooks are removed afterwards,
        even if the forward pass raises.

    See Also
    --------
    :ref:`ch-inside-cnn`

    Examples
    --------
    >>> net = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    >>> with torch.no_grad():
    ...     _ = net[0].weight.copy_(-torch.eye(2)); _ = net[0].bias.zero_()
    >>> feature_maps(net, torch.tensor([[1., -2.]]), {"relu": net[1]})["relu"].tolist()
    [[0.0, 2.0]]
    """
    if not isinstance(modules, dict) or not modules:
        raise TypeError("modules must be a non-empty dict of name -> nn.Module")
    owned = set(map(id, model.modules()))
    for name, m in modules.items():
        if id(m) not in owned:
            raise ValueError(f"module {name!r} is not part of the model")
    store, handles = {}, []
    try:
        for name, m in modules.items():
            handles.append(m.register_forward_hook(
                lambda _m, _inp, out, name=name: store.__setitem__(name, out.detach())))
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return {name: store[name] for name in modules}


def _gaussian_blur(img, sigma):
    """Separable Gaussian blur of (1, C, H, W) with a 5-tap kernel, reflect padding."""
    t = torch.arange(-2, 3, dtype=img.dtype, device=img.device)
    k = torch.exp(-t ** 2 / (2 * sigma ** 2))
    k = k / k.sum()
    C = img.shape[1]
    img = nn.functional.pad(img, (2, 2, 2, 2), mode="reflect")
    img = nn.functional.conv2d(img, k.view(1, 1, 1, 5).repeat(C, 1, 1, 1), groups=C)
    return nn.functional.conv2d(img, k.view(1, 1, 5, 1).repeat(C, 1, 1, 1), groups=C)


def visualize_filter(model, module, channel, input_shape, steps=100, lr=0.1, l2=1e-3,
                     blur_every=0, blur_sigma=0.5, seed=0):
    r"""Find an input that makes one channel of ``module`` fire strongly (gradient ascent).

    Parameters
    ----------
    model : nn.Module
        Run on the image; its weights are not changed.
    module : nn.Module
        A sub-module of ``model`` with output (1, K, h, w).
    channel : int
        Which of the K channels to maximise.
    input_shape : tuple (C, H, W)
    steps, lr : int, float
        Adam on the pixels.
    l2 : float
        Weight :math:`\lambda` of the L2 penalty on the image.
    blur_every : int
        Blur the image every that many steps (0: never); a classic regulariser against
        high-frequency noise.
    blur_sigma : float
    seed : int
        The start is small Gaussian noise from this seed.

    Returns
    -------
    image : Tensor of shape (C, H, W)
    history : list of float
        The mean activation :math:`\bar a_k` of the channel before each step.

    Notes
    -----
    Each step increases :math:`\bar a_k(x) - \lambda\lVert x\rVert_2^2` with respect to
    :math:`x` (gradient *ascent*: Adam minimises the negative).

    See Also
    --------
    :ref:`ch-inside-cnn`

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> net = GapCNN()
    >>> img, hist = visualize_filter(net, net.features[4], 3, (1, 8, 8), steps=20)
    >>> img.shape, hist[-1] > hist[0]
    (torch.Size([1, 8, 8]), True)
    """
    requires = [p.requires_grad for p in model.parameters()]
    model.requires_grad_(False)
    was_training = model.training
    model.eval()
    store = {}
    handle = module.register_forward_hook(lambda _m, _i, out: store.__setitem__("a", out))
    try:
        device = next(model.parameters()).device
        gen = torch.Generator().manual_seed(seed)
        x = (0.01 * torch.randn(1, *input_shape, generator=gen)).to(device).requires_grad_(True)
        opt = torch.optim.Adam([x], lr=lr)
        history = []
        for step in range(steps):
            model(x)
            a = store["a"]
            if not 0 <= channel < a.shape[1]:
                raise ValueError(f"channel must be in [0, {a.shape[1]}), got {channel}")
            act = a[0, channel].mean()
            loss = -act + l2 * x.pow(2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            history.append(act.item())
            if blur_every and (step + 1) % blur_every == 0:
                with torch.no_grad():
                    x.copy_(_gaussian_blur(x, blur_sigma))
    finally:
        handle.remove()
        for p, r in zip(model.parameters(), requires):
            p.requires_grad_(r)
        model.train(was_training)
    return x.detach()[0], history


def class_activation_map(feature_maps, fc_weight, class_idx):
    r"""Class activation map (Zhou et al. 2016) of a GAP + linear network.

    Parameters
    ----------
    feature_maps : Tensor of shape (N, K, H, W)
        Last convolutional feature maps :math:`A_k`.
    fc_weight : Tensor of shape (n_classes, K)
        Weights :math:`w_{ck}` of the linear layer after global average pooling.
    class_idx : int or LongTensor of shape (N,)

    Returns
    -------
    Tensor of shape (N, H, W)
        :math:`M_c(i,j)=\sum_k w_{ck}A_k(i,j)`. Its spatial mean plus the bias is the class
        score :math:`y_c`, so the map splits the score over positions.

    See Also
    --------
    :ref:`ch-inside-cnn`

    Examples
    --------
    >>> A = torch.tensor([[[[1., 0.]], [[0., 2.]]]])        # (1, 2, 1, 2)
    >>> class_activation_map(A, torch.tensor([[1., -1.]]), 0).tolist()
    [[[1.0, -2.0]]]
    """
    if (feature_maps.dim() != 4 or fc_weight.dim() != 2
            or fc_weight.shape[1] != feature_maps.shape[1]):
        raise ValueError(f"feature_maps must be (N, K, H, W) and fc_weight (n_classes, K), got "
                         f"{tuple(feature_maps.shape)} and {tuple(fc_weight.shape)}")
    idx = torch.as_tensor(class_idx, device=fc_weight.device).expand(feature_maps.shape[0])
    w = fc_weight[idx]                                           # (N, K)
    return torch.einsum("nk,nkhw->nhw", w, feature_maps)


def grad_cam(model, module, x, class_idx):
    r"""Grad-CAM (Selvaraju et al. 2017): feature maps weighted by the pooled class gradient.

    Parameters
    ----------
    model : nn.Module
        Returns class scores (N, n_classes) (logits, before softmax).
    module : nn.Module
        The layer whose output (N, K, H, W) is explained.
    x : Tensor of shape (N, C, H_in, W_in)
    class_idx : int or LongTensor of shape (N,)

    Returns
    -------
    Tensor of shape (N, H, W)
        :math:`\mathrm{ReLU}\bigl(\sum_k \alpha_k A_k\bigr)` with
        :math:`\alpha_k=\frac{1}{HW}\sum_{i,j}\partial y_c/\partial A_k(i,j)`. For a GAP + linear
        network :math:`\alpha_k=w_{ck}/(HW)`, so Grad-CAM is the positive part of CAM / (HW).

    See Also
    --------
    :ref:`ch-inside-cnn`

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> net = GapCNN()
    >>> grad_cam(net, net.features[5], torch.randn(2, 1, 8, 8), 3).shape
    torch.Size([2, 8, 8])
    """
    store = {}

    def hook(_m, _i, out):
        out.retain_grad()
        store["a"] = out

    handle = module.register_forward_hook(hook)
    try:
        scores = model(x)
    finally:
        handle.remove()
    if "a" not in store or store["a"].dim() != 4:
        raise ValueError("module must be used by model and output (N, K, H, W)")
    idx = torch.as_tensor(class_idx, device=scores.device).expand(scores.shape[0])
    grads = torch.autograd.grad(scores.gather(1, idx[:, None]).sum(), store["a"])[0]
    alpha = grads.mean(dim=(2, 3))                                   # (N, K)
    return torch.relu(torch.einsum("nk,nkhw->nhw", alpha, store["a"].detach()))


def deep_dream(model, module, image, steps=20, lr=0.05):
    r"""DeepDream in its simplest form: gradient ascent on :math:`\tfrac12\lVert a^{[l]}\rVert^2`,
    starting from a real image instead of noise.

    Parameters
    ----------
    model, module : nn.Module
        ``module`` is the layer whose activations are amplified.
    image : Tensor of shape (C, H, W)
    steps, lr : int, float
        Normalised gradient steps: :math:`x \leftarrow x + \eta\, g/\overline{|g|}`.

    Returns
    -------
    dreamed : Tensor of shape (C, H, W)
    history : list of float
        :math:`\tfrac12\lVert a\rVert^2` before each step.

    See Also
    --------
    :ref:`ch-inside-cnn`

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> net = GapCNN()
    >>> out, hist = deep_dream(net, net.features[3], torch.rand(1, 8, 8), steps=5)
    >>> hist[-1] > hist[0]
    True
    """
    store = {}
    handle = module.register_forward_hook(lambda _m, _i, out: store.__setitem__("a", out))
    x = image.detach().clone()[None].requires_grad_(True)
    history = []
    try:
        for _ in range(steps):
            model(x)
            obj = 0.5 * store["a"].pow(2).sum()
            (g,) = torch.autograd.grad(obj, x)
            with torch.no_grad():
                x += lr * g / (g.abs().mean() + 1e-12)
            history.append(obj.item())
    finally:
        handle.remove()
    return x.detach()[0], history
