r"""L1 and L2 penalties on weights, their gradients, and L2 as weight decay.

With :math:`m` training examples and strength :math:`\lambda`, the regularized cost is

.. math::

    J = \text{loss} + \frac{\lambda}{2m}\sum_l \lVert W^{[l]}\rVert_F^2 \quad\text{(L2)}, \qquad
    J = \text{loss} + \frac{\lambda}{m}\sum_l \sum_{jk} \lvert W^{[l]}_{jk}\rvert \quad\text{(L1)}.

The squared "L2 norm" of a weight matrix is its squared Frobenius norm, the sum of the squares
of all its entries.  Biases are usually left out.  A gradient step on the L2 cost multiplies
the weights by :math:`1-\eta\lambda/m` before the usual step, hence the name *weight decay*:
``torch.optim.SGD(weight_decay=λ/m)`` computes exactly this.

There is no ``regularization_torch`` twin: in torch one adds the penalty to the loss (autograd
differentiates it) or passes ``weight_decay`` to the optimizer; the tests check both.

See Also
--------
dlbook.nn.optim.sgd_step : coupled weight decay inside an optimizer.
:ref:`ch-regularization` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import positive_real, real_array, real_array_list, real_value, same_shape

__all__ = ["l2_penalty", "l2_penalty_grad", "l1_penalty", "l1_penalty_grad",
           "weight_decay_factor", "l2_sgd_step"]


def _strength(lam, m) -> tuple[float, float]:
    """The penalty's strength lambda >= 0 and the number of examples m > 0."""
    return real_value(lam, "lam", low=0.0), positive_real(m, "m")


def l2_penalty(weights, lam, m=1):
    r"""The L2 (squared Frobenius) penalty :math:`\frac{\lambda}{2m}\sum_l\lVert W^{[l]}\rVert_F^2`.

    Parameters
    ----------
    weights : ndarray or list of ndarray
        The weight arrays to penalize (any shapes).
    lam : float >= 0
        Strength :math:`\lambda`.
    m : float > 0, default 1
        Number of training examples the loss averages over (the course's convention); use
        m = 1 when :math:`\lambda` already includes it.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For a negative ``lam`` or a non-positive ``m``.

    Examples
    --------
    (0.5 / 2) * (1 + 4 + 9) = 3.5:

    >>> l2_penalty([np.array([1.0, 2.0]), np.array([[3.0]])], lam=0.5)
    3.5
    """
    _strength(lam, m)
    return float(lam / (2 * m) * sum(np.sum(w * w) for w in real_array_list(weights, "weights")))


def l2_penalty_grad(weights, lam, m=1):
    r"""Gradient of :func:`l2_penalty`: :math:`\frac{\lambda}{m}W^{[l]}` for each array.

    Examples
    --------
    >>> l2_penalty_grad([np.array([1.0, -2.0])], lam=0.5, m=2)
    [array([ 0.25, -0.5 ])]
    """
    _strength(lam, m)
    return [lam / m * w for w in real_array_list(weights, "weights")]


def l1_penalty(weights, lam, m=1):
    r"""The L1 penalty :math:`\frac{\lambda}{m}\sum_l\sum_{jk}\lvert W^{[l]}_{jk}\rvert`.

    Keras's ``l1(l)`` regularizer adds :math:`l\sum\lvert w\rvert` (no :math:`m`).

    Examples
    --------
    >>> l1_penalty([np.array([1.0, -2.0, 0.0])], lam=0.1)
    0.30000000000000004
    """
    _strength(lam, m)
    return float(lam / m * sum(np.sum(np.abs(w)) for w in real_array_list(weights, "weights")))


def l1_penalty_grad(weights, lam, m=1):
    r"""(Sub)gradient of :func:`l1_penalty`: :math:`\frac{\lambda}{m}\operatorname{sign}(W)`.

    Notes
    -----
    :math:`\lvert w\rvert` has no derivative at 0; like torch's autograd (``sign(0) = 0``) we
    use the subgradient 0 there.  Every nonzero weight is pushed towards 0 by the same amount
    :math:`\eta\lambda/m` per step, whatever its size, which is why L1 produces exact zeros
    (sparse weights) and L2, whose push shrinks with the weight, does not.

    Examples
    --------
    >>> l1_penalty_grad([np.array([3.0, -0.5, 0.0])], lam=0.2)
    [array([ 0.2, -0.2,  0. ])]
    """
    _strength(lam, m)
    return [lam / m * np.sign(w) for w in real_array_list(weights, "weights")]


def weight_decay_factor(lr, lam, m=1):
    r"""The factor :math:`1 - \eta\lambda/m` by which an L2 gradient step shrinks the weights.

    Raises
    ------
    ValueError
        For a negative learning rate or ``lam``, or a non-positive ``m``.

    Examples
    --------
    The course's example numbers: learning rate 0.1, lambda 0.7, 1,000 examples.

    >>> weight_decay_factor(0.1, 0.7, 1000)
    0.99993
    """
    _strength(lam, m)
    real_value(lr, "lr", low=0.0)
    return 1.0 - lr * lam / m


def l2_sgd_step(w, grad_loss, lr, lam, m=1):
    r"""One gradient-descent step on loss + L2 penalty, written as weight decay.

    Parameters
    ----------
    w : ndarray
        Weights.
    grad_loss : ndarray, shape of ``w``
        Gradient of the *unregularized* loss.
    lr, lam, m : float
        Learning rate :math:`\eta`, strength :math:`\lambda`, number of examples :math:`m`.

    Returns
    -------
    ndarray
        :math:`(1-\eta\lambda/m)\,W - \eta\,\nabla_W\text{loss}`, which equals
        :math:`W - \eta(\nabla_W\text{loss} + \tfrac{\lambda}{m}W)`.

    Raises
    ------
    ValueError
        If the shapes differ, or for bad ``lr``, ``lam``, ``m``.

    Examples
    --------
    >>> l2_sgd_step(np.array([1.0]), np.array([0.0]), lr=0.1, lam=1.0, m=10)   # shrink only
    array([0.99])
    """
    (w,) = real_array_list([w], "w")
    g = real_array(grad_loss, "grad_loss").astype(float, copy=False)
    same_shape(g, w, "grad_loss", "w")
    return weight_decay_factor(lr, lam, m) * w - lr * g
