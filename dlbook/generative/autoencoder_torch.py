r"""Autoencoders in PyTorch: multilayer encoders and decoders, the masking noise of a denoising
autoencoder, and greedy layer-wise pre-training of a stacked autoencoder.

An autoencoder learns a code :math:`h = f(x)` and a reconstruction :math:`\hat x = g(h)` by
minimizing a reconstruction loss. A bottleneck narrower than the input (*undercomplete*) or
corrupted inputs with clean targets (*denoising*) keep it from learning the identity.

Training uses the general loop :func:`dlbook.nn.training_torch.fit` with the input as its own
target; the noise of a denoising autoencoder is a layer (:class:`MaskingNoise`) that, like
dropout, acts only in training mode.

See Also
--------
:ref:`ch-autoencoders` : the chapter.
dlbook.generative.linear_autoencoder : the linear autoencoder in NumPy and its link to PCA.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from dlbook._checks import int_value, one_of, positive_int, positive_real, probability
from dlbook.nn.training_torch import fit

__all__ = ["ACTIVATIONS", "mlp", "Autoencoder", "MaskingNoise", "greedy_layerwise_pretrain"]

#: Activations :func:`mlp` accepts, by name.
ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "identity": nn.Identity}


def mlp(sizes: Sequence[int], activation: str = "relu", final: str = "identity") -> nn.Sequential:
    r"""A stack of ``nn.Linear`` layers ``sizes[0] -> sizes[1] -> ...``, with ``activation``
    after each hidden layer and ``final`` after the last.

    Examples
    --------
    >>> mlp([64, 32, 2])
    Sequential(
      (0): Linear(in_features=64, out_features=32, bias=True)
      (1): ReLU()
      (2): Linear(in_features=32, out_features=2, bias=True)
      (3): Identity()
    )
    """
    sizes = [positive_int(s, "sizes") for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least an input and an output size, got {sizes}")
    act = ACTIVATIONS[one_of(activation, "activation", ACTIVATIONS)]
    last = ACTIVATIONS[one_of(final, "final", ACTIVATIONS)]
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers += [nn.Linear(a, b), act() if i < len(sizes) - 2 else last()]
    return nn.Sequential(*layers)


class Autoencoder(nn.Module):
    r"""An encoder and a decoder: ``forward(x)`` returns the reconstruction, ``encode(x)`` the code.

    Parameters
    ----------
    sizes : sequence of int
        Encoder sizes, input first and code last (``[64, 32, 8]``); the decoder mirrors them.
    activation : str, default "relu"
        Between hidden layers (see :data:`ACTIVATIONS`).
    code_activation : str, default "identity"
        On the code.
    output_activation : str, default "sigmoid"
        On the reconstruction ("sigmoid" for data in [0, 1]).

    Examples
    --------
    >>> ae = Autoencoder([64, 32, 8])
    >>> ae.encode(torch.zeros(5, 64)).shape, ae(torch.zeros(5, 64)).shape
    (torch.Size([5, 8]), torch.Size([5, 64]))
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu",
                 code_activation: str = "identity", output_activation: str = "sigmoid"):
        super().__init__()
        sizes = list(sizes)
        self.encoder = mlp(sizes, activation, code_activation)
        self.decoder = mlp(sizes[::-1], activation, output_activation)

    def encode(self, x):
        """The code :math:`h = f(x)`.

        Examples
        --------
        >>> Autoencoder([4, 2]).encode(torch.zeros(1, 4)).shape
        torch.Size([1, 2])
        """
        return self.encoder(x)

    def forward(self, x):
        return self.decoder(self.encoder(x))


class MaskingNoise(nn.Module):
    r"""Sets each input to 0 with probability ``p`` in training mode; the identity in eval mode.

    The corruption of a denoising autoencoder (Vincent et al., 2008). Unlike dropout it does
    not rescale the kept inputs: the network must *restore* the missing values, not just
    tolerate them.

    Parameters
    ----------
    p : float in [0, 1)
    generator : torch.Generator, optional

    Examples
    --------
    >>> noise = MaskingNoise(0.5, generator=torch.Generator().manual_seed(0))
    >>> out = noise(torch.ones(1000))
    >>> 0.4 < out.mean().item() < 0.6, set(out.unique().tolist())
    (True, {0.0, 1.0})
    >>> noise.eval()(torch.ones(3))
    tensor([1., 1., 1.])
    """

    def __init__(self, p: float, generator: torch.Generator | None = None):
        super().__init__()
        self.p = probability(p, "p", high_open=True)
        self.generator = generator

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        keep = torch.rand(x.shape, generator=self.generator, device=x.device) >= self.p
        return x * keep

    def extra_repr(self) -> str:
        return f"p={self.p}"


def greedy_layerwise_pretrain(x, sizes: Sequence[int], epochs: int = 20, batch_size: int = 32,
                              lr: float = 1e-3, activation: str = "sigmoid", noise: float = 0.0,
                              seed: int = 0) -> tuple[nn.Sequential, list]:
    r"""Greedy layer-wise pre-training of a stacked (denoising) autoencoder.

    Parameters
    ----------
    x : Tensor of shape (N, sizes[0])
        Training inputs.
    sizes : sequence of int
        Layer widths, input first: ``[64, 48, 32]`` trains a 64-48 autoencoder, then a 48-32
        autoencoder on the first one's codes.
    epochs, batch_size, lr : int, int, float
        How each layer is trained (with ``torch.optim.Adam``).
    activation : str, default "sigmoid"
        Of each code layer, as in the stacked autoencoders of the 2000s.
    noise : float, default 0
        Masking noise of each layer's input (a stacked *denoising* autoencoder if > 0).
    seed : int, default 0

    Returns
    -------
    encoder : nn.Sequential
        The trained encoding layers (Linear + activation for each), ready to be fine-tuned
        under a classifier head.
    histories : list of dict
        The training history of each layer's autoencoder.

    Notes
    -----
    Layer :math:`\ell` is trained on the codes :math:`h^{(\ell-1)}` of the layers below, which
    stay fixed; its decoder is thrown away afterwards. This is how deep networks were first
    trained (Hinton & Salakhutdinov, 2006; Bengio et al., 2007) before better initializations,
    ReLUs and normalization made end-to-end training work from random weights.

    See Also
    --------
    Autoencoder, :ref:`ch-autoencoders`

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> enc, hist = greedy_layerwise_pretrain(torch.rand(64, 8), [8, 6, 4], epochs=2)
    >>> enc(torch.rand(3, 8)).shape, len(hist)
    (torch.Size([3, 4]), 2)
    """
    sizes = [positive_int(s, "sizes") for s in sizes]
    epochs, batch_size = positive_int(epochs, "epochs"), positive_int(batch_size, "batch_size")
    lr, seed = positive_real(lr, "lr"), int_value(seed, "seed", low=0)
    layers, histories, h = [], [], x.detach()
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        torch.manual_seed(seed + i)
        ae = Autoencoder([a, b], activation=activation, code_activation=activation,
                         output_activation="sigmoid" if i == 0 else activation)
        net = nn.Sequential(MaskingNoise(noise), ae)
        hist = fit(net, nn.functional.mse_loss, torch.optim.Adam(ae.parameters(), lr=lr), h, h,
                   epochs=epochs, batch_size=batch_size, seed=seed + i)
        histories.append(hist.history)
        layers += list(ae.encoder)
        with torch.no_grad():
            h = ae.encode(h)
    return nn.Sequential(*layers), histories
