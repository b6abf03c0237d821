r"""Inverted dropout: forward and backward as pure functions, and a thin ``Dropout`` layer.

In training each entry is kept with probability :math:`1-p` and the kept entries are divided by
:math:`1-p`, so that the expected output equals the input; in evaluation the layer is the
identity.  This is what ``torch.nn.Dropout`` and Keras's ``Dropout`` compute.

There is no ``dropout_torch`` twin: ``torch.nn.functional.dropout`` is the PyTorch side (the
tests feed its mask to :func:`dropout_forward` and compare outputs and gradients).

See Also
--------
:ref:`ch-regularization` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import boolean, generator, probability, real_array, same_shape
from dlbook.nn.module import Layer

__all__ = ["dropout_forward", "dropout_backward", "Dropout"]


def dropout_forward(x, p=0.5, training=True, rng=None, mask=None):
    r"""Inverted dropout of a batch.

    Parameters
    ----------
    x : array_like of any shape
        Input activations.
    p : float in [0, 1], default 0.5
        Probability of dropping (zeroing) an entry; :math:`1-p` is the "keep_prob" of some notes.
    training : bool, default True
        In evaluation (False) the input passes through unchanged.
    rng : numpy.random.Generator or int, optional
        Source of the random mask.
    mask : array_like of bool, shape of ``x``, optional
        Which entries to keep, instead of drawing them (used to reproduce a given draw).

    Returns
    -------
    out : ndarray, shape of ``x``
        :math:`x \odot m / (1-p)` in training, :math:`x` in evaluation.
    cache : ndarray or None
        The scaled mask :math:`m/(1-p)` that :func:`dropout_backward` multiplies by; None in
        evaluation.

    Raises
    ------
    ValueError
        For p outside [0, 1] or a mask whose shape differs from x's.

    Notes
    -----
    With :math:`m_i \sim \text{Bernoulli}(1-p)` independent,

    .. math::

        y_i = \frac{m_i x_i}{1-p}, \qquad
        \mathbb E[y_i] = \frac{(1-p)\,x_i}{1-p} = x_i .

    For :math:`p = 1` every entry is dropped and the output is 0 (as in torch), not 0/0.

    See Also
    --------
    dropout_backward
    torch.nn.functional.dropout : the PyTorch twin.
    :ref:`ch-regularization`

    Examples
    --------
    With p = 0.5 the kept entries double:

    >>> out, cache = dropout_forward([1.0, 2.0, 3.0, 4.0], p=0.5, mask=[True, False, True, False])
    >>> out
    array([2., 0., 6., 0.])
    >>> dropout_forward([1.0, 2.0], p=0.5, training=False)[0]
    array([1., 2.])
    """
    x = real_array(x, "x").astype(float, copy=False)
    p = probability(p, "p")
    if not boolean(training, "training"):
        return x.copy(), None
    if mask is None:
        mask = generator(rng).random(x.shape) >= p  # keep with probability 1 - p
    else:
        mask = np.asarray(mask, dtype=bool)
        same_shape(mask, x, "mask", "x")
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    scaled_mask = mask * scale  # (shape of x): 0 or 1/(1-p)
    return x * scaled_mask, scaled_mask


def dropout_backward(dout, cache):
    r"""Gradient of inverted dropout: the same scaled mask as the forward pass.

    Parameters
    ----------
    dout : array_like
        :math:`\partial L/\partial y`, shape of the forward input.
    cache : ndarray or None
        From :func:`dropout_forward` (None in evaluation mode: the gradient passes unchanged).

    Returns
    -------
    dx : ndarray
        :math:`\partial L/\partial x_i = \text{dout}_i\, m_i/(1-p)`.

    Raises
    ------
    ValueError
        If ``dout``'s shape differs from the mask's.

    Examples
    --------
    >>> _, cache = dropout_forward([1.0, 2.0, 3.0], p=0.75, mask=[True, False, True])
    >>> dropout_backward([1.0, 1.0, 1.0], cache)
    array([4., 0., 4.])
    """
    dout = real_array(dout, "dout").astype(float, copy=False)
    if cache is None:
        return dout.copy()
    same_shape(dout, cache, "dout", "the forward input")
    return dout * cache


class Dropout(Layer):
    r"""Inverted dropout layer (``torch.nn.Dropout``): random in training, identity in evaluation.

    Parameters
    ----------
    p : float in [0, 1], default 0.5
        Drop probability.
    rng : numpy.random.Generator or int, optional
        Source of the masks (a new mask at every forward call).

    Attributes
    ----------
    params, grads : dict
        Empty: the layer has nothing to learn.
    training : bool
        Set by :meth:`train` and :meth:`eval` (inherited from :class:`dlbook.nn.module.Layer`,
        as are ``parameters()`` and ``gradients()``, both empty lists here).

    See Also
    --------
    dropout_forward, dropout_backward
    torch.nn.Dropout
    :ref:`ch-regularization`

    Examples
    --------
    >>> layer = Dropout(0.5, rng=0)
    >>> y = layer.forward(np.ones((1, 8)))
    >>> sorted(set(y.ravel().tolist()))          # dropped or doubled
    [0.0, 2.0]
    >>> layer.eval().forward(np.ones((1, 3)))
    array([[1., 1., 1.]])
    """

    def __init__(self, p=0.5, rng=None):
        super().__init__()
        self.p = probability(p, "p")
        self.rng = generator(rng)

    def forward(self, x):
        """Apply dropout to x (any shape) and keep the mask for :meth:`backward`."""
        out, mask = dropout_forward(x, self.p, self.training, self.rng)
        self._cache = (mask,)  # a tuple: the mask itself is None in evaluation mode
        return out

    def backward(self, dout):
        """Return dL/dx through the mask of the last forward call."""
        (mask,) = self._check_cache()
        return dropout_backward(dout, mask)

    def __repr__(self):
        return f"Dropout(p={self.p})"
