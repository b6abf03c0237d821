r"""Gradient clipping by global norm and by value, as ``torch.nn.utils.clip_grad_norm_`` and
``clip_grad_value_`` compute it, but returning new arrays instead of editing in place.

See Also
--------
:ref:`ch-training` : the chapter (exploding gradients).
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import positive_real, real_array_list

__all__ = ["grad_norm", "clip_grad_norm", "clip_grad_value"]


def _norm_type(norm_type) -> float:
    """A positive p, or ``inf`` for the largest entry (torch accepts ``float("inf")``)."""
    if isinstance(norm_type, float) and norm_type == np.inf:
        return np.inf
    return positive_real(norm_type, "norm_type")


def grad_norm(grads, norm_type=2.0) -> float:
    r"""The global norm of several gradient arrays, taken as if they were one long vector.

    Parameters
    ----------
    grads : ndarray or list of ndarray
    norm_type : float or inf, default 2

    Returns
    -------
    float
        :math:`\big(\sum_i \lVert g_i\rVert_p^p\big)^{1/p} = \big\lVert(\lVert g_1\rVert_p,
        \dots, \lVert g_k\rVert_p)\big\rVert_p`; for :math:`p=\infty`,
        :math:`\max_i\max\lvert g_i\rvert`.

    Examples
    --------
    >>> grad_norm([np.array([3.0]), np.array([4.0])])
    5.0
    >>> grad_norm([np.array([3.0]), np.array([-4.0])], norm_type=float("inf"))
    4.0
    """
    p = _norm_type(norm_type)
    gs = [g.ravel() for g in real_array_list(grads, "grads")]
    if not gs:
        return 0.0
    if p == np.inf:
        return float(max((np.abs(g).max() if g.size else 0.0) for g in gs))
    norms = np.array([np.linalg.norm(g, ord=p) if g.size else 0.0 for g in gs])
    return float(np.linalg.norm(norms, ord=p))


def clip_grad_norm(grads, max_norm, norm_type=2.0, error_if_nonfinite=False):
    r"""Scale all gradients together so that their global norm is at most ``max_norm``.

    Parameters
    ----------
    grads : ndarray or list of ndarray
        The gradients of all parameters (not modified).
    max_norm : float > 0
    norm_type : float or inf, default 2
    error_if_nonfinite : bool, default False
        Raise if the total norm is nan or inf (torch's flag of the same name).

    Returns
    -------
    clipped : list of ndarray
        :math:`c\,g_i` with
        :math:`c = \min\big(1, \frac{\text{max\_norm}}{\lVert g\rVert + 10^{-6}}\big)`.
    total_norm : float
        :math:`\lVert g\rVert` before clipping (see :func:`grad_norm`).

    Raises
    ------
    ValueError
        For a non-positive ``max_norm``, a bad ``norm_type``, or (with the flag) a non-finite norm.

    Notes
    -----
    One factor for every array keeps the direction of the whole update; only its length
    changes.  The :math:`10^{-6}` (torch's) keeps the division finite for a zero gradient and
    makes the clipped norm a hair below ``max_norm``.

    See Also
    --------
    clip_grad_value
    torch.nn.utils.clip_grad_norm_ : the PyTorch twin (in place).
    :ref:`ch-training`

    Examples
    --------
    A gradient (3, 4) of norm 5 clipped to norm 1 becomes (0.6, 0.8):

    >>> clipped, total = clip_grad_norm([np.array([3.0, 4.0])], max_norm=1.0)
    >>> total, clipped[0].round(6)
    (5.0, array([0.6, 0.8]))
    """
    max_norm = positive_real(max_norm, "max_norm")
    gs = real_array_list(grads, "grads")
    total = grad_norm(gs, norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise ValueError(f"the total norm of the gradients is {total}: cannot clip")
    coef = min(1.0, max_norm / (total + 1e-6))
    return [g * coef for g in gs], total


def clip_grad_value(grads, clip_value):
    r"""Clip every gradient entry to :math:`[-c, c]` independently.

    Parameters
    ----------
    grads : ndarray or list of ndarray
    clip_value : float > 0

    Returns
    -------
    list of ndarray
        :math:`\min(\max(g, -c), c)` entry by entry.  Unlike :func:`clip_grad_norm` this can
        change the direction of the update.

    Raises
    ------
    ValueError
        For a non-positive ``clip_value``.

    See Also
    --------
    clip_grad_norm
    torch.nn.utils.clip_grad_value_ : the PyTorch twin (in place).
    :ref:`ch-training`

    Examples
    --------
    >>> clip_grad_value([np.array([3.0, 0.5, -4.0])], 1.0)
    [array([ 1. ,  0.5, -1. ])]
    """
    clip_value = positive_real(clip_value, "clip_value")
    return [np.clip(g, -clip_value, clip_value) for g in real_array_list(grads, "grads")]
