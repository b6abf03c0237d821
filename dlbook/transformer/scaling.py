r"""Power laws for how loss falls with model size and compute, fitted to small models.

Kaplan et al. (2020) and Hoffmann et al. (2022) found the test loss of language models close to
a power law of the parameter count :math:`N` (with enough data) or of the training compute
:math:`C`, over many orders of magnitude:

.. math:: L(N) = a\,N^{-\alpha} + c ,

where :math:`c` is the loss no model can beat (the entropy of the text). Training compute is
about :math:`C \approx 6ND` floating-point operations for :math:`D` training tokens (2 for the
forward pass and 4 for the backward pass, per parameter and token).

References
----------
J. Kaplan et al., "Scaling Laws for Neural Language Models", arXiv:2001.08361, 2020.
J. Hoffmann et al., "Training Compute-Optimal Large Language Models", NeurIPS 2022.

See Also
--------
:ref:`ch-language-models` : the chapter, which fits a ladder of tiny models.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlbook import _checks

__all__ = ["PowerLaw", "fit_power_law", "training_flops"]


@dataclass(frozen=True)
class PowerLaw:
    r""":math:`y = a x^{-\alpha} + c`, with the root-mean-square error of the fit in log space.

    Examples
    --------
    >>> law = PowerLaw(a=2.0, alpha=0.5, c=1.0, rmse_log=0.0)
    >>> law(4.0)
    2.0
    """

    a: float
    alpha: float
    c: float
    rmse_log: float

    def __call__(self, x):
        """The fitted curve at ``x``."""
        out = self.a * np.asarray(x, dtype=float) ** (-self.alpha) + self.c
        return float(out) if out.ndim == 0 else out


def _fit_log_linear(x, y):
    """Least squares for log y = log a - alpha log x; returns (a, alpha, rmse)."""
    A = np.column_stack([np.ones_like(x), -np.log(x)])
    coef, *_ = np.linalg.lstsq(A, np.log(y), rcond=None)
    resid = np.log(y) - A @ coef
    return float(np.exp(coef[0])), float(coef[1]), float(np.sqrt(np.mean(resid ** 2)))


def fit_power_law(x, y, irreducible: bool = False) -> PowerLaw:
    r"""Fit :math:`y = a x^{-\alpha}` (+ :math:`c` if ``irreducible``) to positive data.

    Without :math:`c` the fit is a straight line through :math:`(\log x, \log y)` by least
    squares. With :math:`c`, every :math:`c` on a grid of 400 values in
    :math:`[0, 0.999\min y)` is tried and the one whose line through
    :math:`(\log x, \log(y - c))` has the smallest squared error is kept.

    Parameters
    ----------
    x, y : array_like of shape (n,)
        Positive; at least 2 points (3 with ``irreducible``).
    irreducible : bool, default False

    Returns
    -------
    PowerLaw

    Raises
    ------
    ValueError
        If the arrays differ in shape, hold too few points or a non-positive value.

    Examples
    --------
    Points exactly on :math:`y = 3x^{-0.5}` give back :math:`a = 3`, :math:`\alpha = 0.5`:

    >>> law = fit_power_law([1, 4, 16, 64], [3, 1.5, 0.75, 0.375])
    >>> round(law.a, 6), round(law.alpha, 6), law.c
    (3.0, 0.5, 0.0)
    """
    x = _checks.finite_array(x, "x", ndim=1)
    y = _checks.finite_array(y, "y", ndim=1)
    _checks.same_shape(x, y, "x", "y")
    irreducible = _checks.boolean(irreducible, "irreducible")
    need = 3 if irreducible else 2
    if x.size < need:
        raise ValueError(f"fit_power_law needs at least {need} points, got {x.size}")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("x and y must be positive for a power law")
    if not irreducible:
        a, alpha, rmse = _fit_log_linear(x, y)
        return PowerLaw(a, alpha, 0.0, rmse)
    best = None
    for c in np.linspace(0.0, 0.999 * y.min(), 400):
        a, alpha, rmse = _fit_log_linear(x, y - c)
        if best is None or rmse < best.rmse_log:
            best = PowerLaw(a, alpha, float(c), rmse)
    return best


def training_flops(n_params, n_tokens) -> float:
    r"""About :math:`6ND` floating-point operations to train :math:`N` parameters on
    :math:`D` tokens.

    Examples
    --------
    >>> f"{training_flops(1e6, 1e7):.1e}"
    '6.0e+13'
    """
    return 6.0 * _checks.positive_real(n_params, "n_params") * _checks.positive_real(
        n_tokens, "n_tokens")
