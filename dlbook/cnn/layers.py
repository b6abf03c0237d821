r"""NumPy layers for convolutional networks: ``Conv2d``, ``MaxPool2d``, ``AvgPool2d``, ``Flatten``.

Thin classes over the pure functions of :mod:`dlbook.cnn.conv`,
following the layer protocol of :class:`dlbook.nn.module.Layer` (``params``/``grads`` dicts with
torch's names ``weight`` and ``bias``, ``forward``/``backward``, gradients written in place), so
they stack with :class:`dlbook.nn.module.Sequential`, :class:`dlbook.nn.linear.Linear` and
:class:`dlbook.nn.module.ReLU`, train with :func:`dlbook.nn.training.fit`, and their
``state_dict`` keys are those of the same ``torch.nn.Sequential``.

There is no ``layers_torch`` twin: ``torch.nn.Conv2d``, ``torch.nn.MaxPool2d``,
``torch.nn.AvgPool2d`` and ``torch.nn.Flatten`` are the PyTorch counterparts (same arguments,
same weight layout).

See Also
--------
:ref:`ch-pooling` : the chapter that trains a CNN built from these layers.
"""

from __future__ import annotations

import math

import numpy as np

from dlbook._checks import boolean, check_shape, int_pair, positive_int, real_array
from dlbook.cnn.conv import (
    avg_pool2d_backward,
    avg_pool2d_forward,
    conv2d_backward,
    conv2d_forward,
    max_pool2d_backward,
    max_pool2d_forward,
)
from dlbook.nn import init
from dlbook.nn.module import Layer

__all__ = ["Conv2d", "MaxPool2d", "AvgPool2d", "Flatten"]


class Conv2d(Layer):
    r"""2-D convolution layer (cross-correlation), a NumPy ``torch.nn.Conv2d``.

    Parameters
    ----------
    in_channels, out_channels : int
        C and K.
    kernel_size : int or (int, int)
        Filter size (kh, kw).
    stride : int or (int, int), default 1
    padding : int or (int, int), default 0
    bias : bool, default True
    rng : numpy.random.Generator or int, optional
        Generator (or seed) for the initial weights.

    Attributes
    ----------
    params, grads : dict of ndarray
        ``"weight"`` of shape (K, C, kh, kw) and ``"bias"`` of shape (K,).

    Notes
    -----
    Initialised as ``torch.nn.Conv2d``: ``kaiming_uniform`` with :math:`a = \sqrt 5`, which gives
    weights and biases uniform in :math:`[-1/\sqrt{C k_h k_w},\ 1/\sqrt{C k_h k_w})`. The forward
    pass is :func:`dlbook.cnn.conv.conv2d_forward`; parameters :math:`K (C k_h k_w + 1)`
    (:func:`dlbook.cnn.conv_arithmetic.conv_params`).

    See Also
    --------
    torch.nn.Conv2d : the PyTorch layer.
    dlbook.cnn.conv.conv2d_forward, dlbook.cnn.conv_arithmetic.conv_params
    :ref:`ch-pooling` : the chapter.

    Examples
    --------
    >>> conv = Conv2d(1, 4, 3, padding=1, rng=0)
    >>> conv.params["weight"].shape, conv.num_parameters()      # 4 * (9 + 1)
    ((4, 1, 3, 3), 40)
    >>> conv(np.zeros((2, 1, 8, 8))).shape                      # "same" padding keeps 8x8
    (2, 4, 8, 8)
    >>> dx = conv.backward(np.ones((2, 4, 8, 8)))
    >>> conv.grads["bias"]                                      # 2 images * 64 positions
    array([128., 128., 128., 128.])
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True,
                 rng=None):
        super().__init__()
        self.in_channels = positive_int(in_channels, "in_channels")
        self.out_channels = positive_int(out_channels, "out_channels")
        self.kernel_size = int_pair(kernel_size, "kernel_size")
        self.stride = int_pair(stride, "stride")
        self.padding = int_pair(padding, "padding", low=0)
        bias = boolean(bias, "bias")
        if not isinstance(rng, np.random.Generator):
            rng = np.random.default_rng(rng)
        shape = (self.out_channels, self.in_channels, *self.kernel_size)
        self.params["weight"] = init.kaiming_uniform(shape, a=math.sqrt(5), rng=rng)
        if bias:
            fan_in, _ = init.calculate_fan_in_and_fan_out(shape)
            bound = 1.0 / math.sqrt(fan_in)
            self.params["bias"] = rng.uniform(-bound, bound, size=self.out_channels)
        self.grads.update({name: np.zeros_like(p) for name, p in self.params.items()})

    def forward(self, x):
        """Convolve x of shape (N, C, H, W); returns (N, K, out_h, out_w)."""
        x = real_array(x, "x", ndim=4)
        if x.shape[1] != self.in_channels:
            raise ValueError(f"{self!r} expects input of shape (N, {self.in_channels}, H, W), "
                             f"got {x.shape}")
        out, self._cache = conv2d_forward(x, self.params["weight"], self.params.get("bias"),
                                          self.stride, self.padding)
        return out

    def backward(self, dout):
        """Write dL/dweight and dL/dbias into ``grads`` in place; return dL/dx."""
        dx, dw, db = conv2d_backward(dout, self._check_cache())
        self.grads["weight"][...] = dw
        if db is not None:
            self.grads["bias"][...] = db
        return dx

    def num_parameters(self) -> int:
        """:math:`K (C k_h k_w + 1)` with a bias."""
        return sum(p.size for p in self.params.values())

    def __repr__(self) -> str:
        return (f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, bias={'bias' in self.params})")


class _Pool2d(Layer):
    _forward = staticmethod(max_pool2d_forward)
    _backward = staticmethod(max_pool2d_backward)

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = int_pair(kernel_size, "kernel_size")
        self.stride = self.kernel_size if stride is None else int_pair(stride, "stride")
        self.padding = int_pair(padding, "padding", low=0)

    def forward(self, x):
        out, self._cache = self._forward(x, self.kernel_size, self.stride, self.padding)
        return out

    def backward(self, dout):
        return self._backward(dout, self._check_cache())

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding})")


class MaxPool2d(_Pool2d):
    r"""Max pooling layer, a NumPy ``torch.nn.MaxPool2d``; no parameters.

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int), default 0

    See Also
    --------
    torch.nn.MaxPool2d, dlbook.cnn.conv.max_pool2d_forward, :ref:`ch-pooling`

    Examples
    --------
    >>> pool = MaxPool2d(2)
    >>> pool(np.arange(16.0).reshape(1, 1, 4, 4))[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    >>> pool.parameters()
    []
    """


class AvgPool2d(_Pool2d):
    r"""Average pooling layer, a NumPy ``torch.nn.AvgPool2d``; no parameters.

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int), default 0
        Zeros, counted in the average (torch's default ``count_include_pad=True``).

    See Also
    --------
    torch.nn.AvgPool2d, dlbook.cnn.conv.avg_pool2d_forward, :ref:`ch-pooling`

    Examples
    --------
    >>> AvgPool2d(2)(np.arange(16.0).reshape(1, 1, 4, 4))[0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """

    _forward = staticmethod(avg_pool2d_forward)
    _backward = staticmethod(avg_pool2d_backward)


class Flatten(Layer):
    r"""Flatten all dimensions but the first, as ``torch.nn.Flatten()``: (N, C, H, W) -> (N, C*H*W).

    See Also
    --------
    torch.nn.Flatten, :ref:`ch-pooling`

    Examples
    --------
    >>> f = Flatten()
    >>> f(np.zeros((2, 3, 4, 5))).shape, f.backward(np.ones((2, 60))).shape
    ((2, 60), (2, 3, 4, 5))
    """

    def forward(self, x):
        x = real_array(x, "x", min_ndim=2)
        self._cache = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        shape = self._check_cache()
        dout = real_array(dout, "dout")
        check_shape(dout, "dout", (shape[0], math.prod(shape[1:])), "(N, C*H*W)")
        return dout.reshape(shape)
