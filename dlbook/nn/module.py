r"""Layers that compose: the ``Layer`` protocol and ``Sequential``.

Chapter :ref:`ch-mlp` builds a multilayer perceptron out of these; chapter :ref:`ch-backprop`
checks every backward pass here against torch autograd and a numerical gradient.

The protocol every layer of :mod:`dlbook.nn` follows (so that layers written by different
chapters can be stacked):

* ``params`` and ``grads``: dicts of arrays with the same keys (torch's names: ``weight``,
  ``bias``); layers with running statistics keep them in ``buffers``.
* ``training`` (True by default), toggled by :meth:`Layer.train` / :meth:`Layer.eval`.
* ``forward(x) -> out`` keeps what the backward pass needs; ``backward(dout) -> dx`` writes
  the parameter gradients into ``grads`` *in place* (``self.grads["weight"][...] = dw``) so
  that references held by an optimizer stay valid.
* ``parameters()`` / ``gradients()``: the arrays themselves (not copies) in a fixed order, so an
  optimizer that updates in place updates the layer.

:class:`Sequential` also accepts layers that only have ``params``/``grads`` dicts (such as
:class:`dlbook.nn.linear.Linear`): it reads their arrays from the dicts each time it is asked.

The activation layers (``ReLU``, ``Sigmoid``, ...) are in :mod:`dlbook.nn.activation_layers`.
There is no ``module_torch`` twin: ``torch.nn.Sequential`` and ``torch.nn.Module`` are the
PyTorch counterparts, with the same names and the same ``state_dict`` keys.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from dlbook._checks import boolean

__all__ = ["Layer", "Sequential"]


def _layer_parameters(layer) -> list[np.ndarray]:
    if hasattr(layer, "parameters"):
        return list(layer.parameters())
    return list(getattr(layer, "params", {}).values())


def _layer_gradients(layer) -> list[np.ndarray]:
    if hasattr(layer, "gradients"):
        return list(layer.gradients())
    params = getattr(layer, "params", {})
    grads = getattr(layer, "grads", {})
    return [grads[name] for name in params]


class Layer:
    r"""Base class of the layer protocol: parameter and gradient dicts, train/eval, a cache.

    Subclasses implement :meth:`forward` and :meth:`backward` by calling pure
    ``xxx_forward`` / ``xxx_backward`` functions and keep the cache between the two calls.

    Attributes
    ----------
    params, grads : dict of ndarray
        Learnable arrays and their gradients (same keys, same shapes).
    buffers : dict of ndarray
        State that is saved with the layer but not learned (e.g. BatchNorm's running mean).
    training : bool
        True in training mode (the default), False after :meth:`eval`.

    See Also
    --------
    torch.nn.Module : the PyTorch counterpart.
    :ref:`ch-mlp` : the chapter.

    Examples
    --------
    >>> layer = Layer()
    >>> layer.training, layer.eval().training, layer.train().training
    (True, False, True)
    >>> layer.parameters()
    []
    """

    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}
        self.training = True
        self._cache = None

    def forward(self, x):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError(f"{type(self).__name__} does not implement forward()")

    def backward(self, dout):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError(f"{type(self).__name__} does not implement backward()")

    def __call__(self, x):
        return self.forward(x)

    def _check_cache(self):
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward() called before forward()")
        return self._cache

    def train(self, mode: bool = True):
        """Set training mode (``mode=False`` is :meth:`eval`); return the layer."""
        self.training = boolean(mode, "mode")
        return self

    def eval(self):
        """Set evaluation mode; return the layer."""
        return self.train(False)

    def parameters(self) -> list[np.ndarray]:
        """The parameter arrays themselves, in the order of ``params``."""
        return list(self.params.values())

    def gradients(self) -> list[np.ndarray]:
        """The gradient arrays, in the same order as :meth:`parameters`."""
        return [self.grads[name] for name in self.params]

    def zero_grad(self) -> None:
        """Set every gradient to zero, in place."""
        for g in self.grads.values():
            g[...] = 0.0

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sequential(Layer):
    r"""Layers applied one after another; backward runs them in reverse order.

    Parameters
    ----------
    *layers
        Objects with ``forward(x)`` and ``backward(dout)``; parameters are read from
        ``parameters()``/``gradients()`` or, failing those, from the ``params``/``grads`` dicts.

    Notes
    -----
    For :math:`f = f_L \circ \dots \circ f_1` the forward pass computes
    :math:`a_l = f_l(a_{l-1})` with :math:`a_0 = x`, and the backward pass applies the chain
    rule from the top, :math:`\bar a_{l-1} = \bar a_l\, \partial f_l/\partial a_{l-1}` with
    :math:`\bar a_L = \partial L/\partial a_L` given; each layer stores its own parameter
    gradients on the way.

    ``state_dict`` names entries ``"<index>.<name>"`` (``"0.weight"``, ``"2.bias"``,
    ``"1.running_mean"``) as ``torch.nn.Sequential`` does, so weights copy across directly.

    See Also
    --------
    torch.nn.Sequential : the PyTorch counterpart.
    :ref:`ch-mlp` : the chapter that trains one on the digits.

    Examples
    --------
    >>> from dlbook.nn.activation_layers import ReLU
    >>> from dlbook.nn.linear import Linear
    >>> net = Sequential(Linear(3, 4, rng=0), ReLU(), Linear(4, 2, rng=1))
    >>> net.forward(np.ones((5, 3))).shape
    (5, 2)
    >>> [p.shape for p in net.parameters()]   # (3 + 1) * 4 + (4 + 1) * 2 = 26 numbers
    [(4, 3), (4,), (2, 4), (2,)]
    >>> list(net.state_dict())
    ['0.weight', '0.bias', '2.weight', '2.bias']
    """

    def __init__(self, *layers):
        super().__init__()
        for i, layer in enumerate(layers):
            if not (
                callable(getattr(layer, "forward", None))
                and callable(getattr(layer, "backward", None))
            ):
                raise TypeError(f"layer {i} ({type(layer).__name__}) has no forward()/backward() "
                                "methods")
        self.layers = list(layers)

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i):
        return self.layers[i]

    def forward(self, x):
        """Run ``x`` through every layer; returns the last layer's output."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout):
        """Backpropagate ``dout`` (dL/d output) through the layers; returns dL/dx."""
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def train(self, mode: bool = True):
        super().train(mode)
        for layer in self.layers:
            if hasattr(layer, "train"):
                layer.train(mode)
            else:
                layer.training = bool(mode)
        return self

    def parameters(self) -> list[np.ndarray]:
        """Every layer's parameter arrays, layer by layer (the arrays, not copies)."""
        return [p for layer in self.layers for p in _layer_parameters(layer)]

    def gradients(self) -> list[np.ndarray]:
        """Every layer's current gradient arrays, in the order of :meth:`parameters`."""
        return [g for layer in self.layers for g in _layer_gradients(layer)]

    def zero_grad(self) -> None:
        for g in self.gradients():
            g[...] = 0.0

    def _named_arrays(self):
        for i, layer in enumerate(self.layers):
            for kind in ("params", "buffers"):
                for name, arr in getattr(layer, kind, {}).items():
                    yield f"{i}.{name}", arr

    def state_dict(self) -> OrderedDict:
        """Ordered ``"<index>.<name>" -> copy of the array`` for parameters and buffers."""
        return OrderedDict((key, np.array(arr, copy=True)) for key, arr in self._named_arrays())

    def load_state_dict(self, state) -> None:
        """Copy arrays from ``state`` into the layers (in place); keys and shapes must match.

        Raises
        ------
        KeyError
            If keys are missing or unexpected (both lists are named).
        ValueError
            If an array's shape differs from the layer's.
        """
        own = OrderedDict(self._named_arrays())
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
        if missing or unexpected:
            raise KeyError(f"state_dict mismatch: missing keys {missing}, unexpected keys "
                           f"{unexpected}")
        for key, arr in own.items():
            value = np.asarray(state[key])
            if value.shape != arr.shape:
                raise ValueError(f"{key}: state_dict has shape {value.shape} but the layer has "
                                 f"{arr.shape}")
        for key, arr in own.items():
            arr[...] = state[key]

    def __repr__(self) -> str:
        inner = "\n".join(f"  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)"
