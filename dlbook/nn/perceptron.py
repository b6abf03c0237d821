r"""The perceptron: a sign of a weighted sum, and the batch perceptron learning rule.

A perceptron with the bias folded into the weights (a column of ones in ``X``) computes

.. math::

    \hat y_i = \operatorname{sign}(x_i^\top w), \qquad
    \operatorname{sign}(z) = \begin{cases} +1 & z \ge 0 \\ -1 & z < 0 \end{cases}

and learns with the batch rule :math:`w \leftarrow w + \frac{\eta}{N} X^\top (y - \hat y)`.
Labels are :math:`\pm 1`.

See Also
--------
:ref:`ch-perceptron` : the chapter that runs these functions on the course's example.
dlbook.nn.linear : a perceptron is one output of a dense layer, followed by ``sign``.
"""

from __future__ import annotations

import warnings

import numpy as np

from dlbook._checks import finite_array, generator, int_value, positive_real, real_array

__all__ = ["perceptron_predict", "perceptron_step", "perceptron_fit"]


# -- checks of this module's own shapes ---------------------------------------------------------
def _weights_for(w, D: int) -> np.ndarray:
    """``w`` as a float64 vector of shape (D,), with a hint for a column vector."""
    w = finite_array(w, "w")
    if w.shape != (D,):
        raise ValueError(
            f"w has shape {w.shape} but X has {D} columns: w must have shape ({D},)"
            + (" (pass w.ravel() for a column vector)" if w.size == D else "")
        )
    return w.astype(np.float64, copy=False)


def _labels_for(y, N: int) -> np.ndarray:
    """``y`` as a float64 vector of N labels, each -1 or +1."""
    y = real_array(y, "y")
    if y.shape != (N,):
        raise ValueError(
            f"y has shape {y.shape} but X has {N} rows: y must have shape ({N},)"
            + (" (pass y.ravel() for a column vector)" if y.size == N else "")
        )
    bad = np.unique(y[(y != 1) & (y != -1)])
    if bad.size:
        raise ValueError(f"labels must be -1 or +1, got {bad[:5].tolist()}")
    return y.astype(np.float64, copy=False)


def _batch_update(X, y, w, y_hat, lr):
    N = X.shape[0]
    return w + lr * (X.T @ (y - y_hat)) / N  # (D,), a new array


# -- the perceptron ------------------------------------------------------------------------------
def perceptron_predict(X, w) -> np.ndarray:
    r"""Classify each row of ``X`` as -1 or +1 by the sign of :math:`x^\top w`.

    Parameters
    ----------
    X : array_like of shape (N, D)
        One sample per row.  To have a bias, make the first column all ones; then ``w[0]`` is
        the bias :math:`b`.
    w : array_like of shape (D,)
        Weights (the bias first when ``X`` has a column of ones).

    Returns
    -------
    ndarray of int64, shape (N,)
        :math:`\operatorname{sign}(Xw)` with values in {-1, +1}.

    Raises
    ------
    ValueError
        If ``X`` is not two-dimensional, ``w`` does not have shape (D,), or either holds NaN/inf.
    TypeError
        If either is not real-valued.

    Notes
    -----
    .. math::

        \hat y_i = \begin{cases} +1 & x_i^\top w \ge 0 \\ -1 & x_i^\top w < 0 \end{cases}

    A point exactly on the decision boundary (:math:`x^\top w = 0`) is given the label +1.
    ``np.sign`` would return 0 there, a third "label" that the learning rule would treat as
    half an error; fixing :math:`\operatorname{sign}(0) = +1` keeps every prediction a class.

    See Also
    --------
    perceptron_fit : learns ``w``.
    :ref:`ch-perceptron` : the chapter.

    Examples
    --------
    The course's first sample with weights (b, w1, w2) = (0.61, -0.96, 0.02):
    z = 0.61 - 0.96*3 + 0.02*3 = -2.21 < 0.

    >>> perceptron_predict([[1, 3, 3], [1, 0, 2]], [0.61, -0.96, 0.02])
    array([-1,  1])
    >>> perceptron_predict([[1, 2]], [-2, 1])        # z = 0 counts as +1
    array([1])
    """
    X = finite_array(X, "X", ndim=2, nonempty=True).astype(np.float64, copy=False)
    w = _weights_for(w, X.shape[1])
    z = X @ w  # (N,)
    return np.where(z >= 0, 1, -1).astype(np.int64)


def perceptron_step(X, y, w, lr) -> np.ndarray:
    r"""One step of the batch perceptron rule; returns a new weight vector.

    Parameters
    ----------
    X : array_like of shape (N, D)
        Samples, one per row (a first column of ones gives a bias).
    y : array_like of shape (N,)
        Labels, each -1 or +1.
    w : array_like of shape (D,)
        Current weights; not modified.
    lr : float
        Learning rate :math:`\eta > 0`.

    Returns
    -------
    ndarray of shape (D,)
        :math:`w + \frac{\eta}{N} X^\top (y - \hat y)` with :math:`\hat y =`
        ``perceptron_predict(X, w)``.

    Raises
    ------
    ValueError
        If shapes disagree, a label is not -1/+1, or ``lr`` is not positive.
    TypeError
        If inputs are not real numbers.

    Notes
    -----
    .. math::

        w' = w + \frac{\eta}{N} X^\top (y - \hat y)
           = w + \frac{2\eta}{N} \sum_{i:\ \hat y_i \ne y_i} y_i x_i

    because :math:`y_i - \hat y_i` is 0 for a correct sample and :math:`2 y_i` for a wrong one.
    So the batch step adds up Rosenblatt's single-sample corrections :math:`y_i x_i` of all
    misclassified samples, scaled by :math:`2\eta/N`; with every sample right it does nothing.
    It is also a gradient-descent step of size :math:`2\eta` on the perceptron criterion
    :math:`J(w) = \frac{1}{N}\sum_i \max(0, -y_i x_i^\top w)` wherever :math:`J` is
    differentiable.

    See Also
    --------
    perceptron_fit : repeats this step until every sample is right.
    :ref:`ch-perceptron` : the chapter.

    Examples
    --------
    The course's example: predictions (-1, -1, -1, +1), so y - y_hat = (2, 2, 0, -2) and
    X^T (y - y_hat) / 4 = (2+2-2, 6+8-0, 6+6-4) / 4 = (0.5, 3.5, 2.0).

    >>> X = [[1, 3, 3], [1, 4, 3], [1, 1, 1], [1, 0, 2]]
    >>> y = [1, 1, -1, -1]
    >>> w = [0.61, -0.96, 0.02]
    >>> perceptron_step(X, y, w, lr=1.0) - w  # doctest: +FLOAT_CMP
    array([0.5, 3.5, 2. ])
    """
    X = finite_array(X, "X", ndim=2, nonempty=True).astype(np.float64, copy=False)
    N, D = X.shape
    y = _labels_for(y, N)
    w = _weights_for(w, D)
    lr = positive_real(lr, "lr")
    return _batch_update(X, y, w, perceptron_predict(X, w), lr)


def perceptron_fit(X, y, lr=0.1, max_epochs=1000, w0=None, rng=None):
    r"""Train a perceptron with the batch rule until every sample is classified right.

    Parameters
    ----------
    X : array_like of shape (N, D)
        Samples, one per row (a first column of ones gives a bias).
    y : array_like of shape (N,)
        Labels, each -1 or +1.
    lr : float, default 0.1
        Learning rate :math:`\eta > 0`.
    max_epochs : int, default 1000
        Most updates to make.  One epoch is one batch step over all N samples.
    w0 : array_like of shape (D,), optional
        Initial weights.  By default drawn uniformly from [-1, 1) with ``rng``, as the course
        does with ``(np.random.random([3, 1]) - 0.5) * 2``.
    rng : numpy.random.Generator or int, optional
        Generator (or seed for one) used only when ``w0`` is None.  None means an unseeded one.

    Returns
    -------
    w : ndarray of shape (D,)
        The final weights.
    history : dict
        ``"w"``: ndarray (E + 1, D), the weights before each epoch and at the end (row 0 is
        ``w0``); ``"n_errors"``: ndarray (E + 1,), misclassified samples with each row of
        ``"w"``; ``"epochs"``: E, the number of updates made; ``"converged"``: whether the last
        weights classify every sample right.

    Raises
    ------
    ValueError
        On bad shapes, labels other than -1/+1, ``lr <= 0`` or ``max_epochs < 0``.
    TypeError
        On non-numeric inputs, a non-integer ``max_epochs`` or an ``rng`` of the wrong kind.

    Warns
    -----
    RuntimeWarning
        If samples are still misclassified after ``max_epochs`` (for example when the classes
        cannot be split by a hyperplane, like XOR).

    Notes
    -----
    Each epoch computes :math:`\hat y = \operatorname{sign}(Xw)`; it stops when
    :math:`\hat y = y`, otherwise sets :math:`w \leftarrow w + \frac{\eta}{N}X^\top(y-\hat y)`
    (:func:`perceptron_step`).  If some unit vector :math:`u` separates the data with margin
    :math:`\gamma = \min_i y_i x_i^\top u > 0` and :math:`R = \max_i \lVert x_i \rVert`, the
    rule started from :math:`w_0 = 0` stops after at most :math:`N R^2 / \gamma^2` epochs, for
    any :math:`\eta` (the chapter derives this bound from Novikoff's argument).

    References
    ----------
    F. Rosenblatt, "The perceptron: a probabilistic model for information storage and
    organization in the brain", Psychological Review 65(6), 1958.
    A. B. J. Novikoff, "On convergence proofs on perceptrons", Symposium on the Mathematical
    Theory of Automata, 1962.

    See Also
    --------
    perceptron_step, perceptron_predict
    :ref:`ch-perceptron` : the chapter, with the decision boundary plotted per epoch.

    Examples
    --------
    >>> X = [[1, 3, 3], [1, 4, 3], [1, 1, 1], [1, 0, 2]]
    >>> y = [1, 1, -1, -1]
    >>> w, history = perceptron_fit(X, y, lr=0.1, w0=[0.61, -0.96, 0.02])
    >>> history["converged"], perceptron_predict(X, w).tolist()
    (True, [1, 1, -1, -1])
    >>> int(history["n_errors"][0]), int(history["n_errors"][-1])   # 3 wrong at the start
    (3, 0)
    """
    X = finite_array(X, "X", ndim=2, nonempty=True).astype(np.float64, copy=False)
    N, D = X.shape
    y = _labels_for(y, N)
    lr = positive_real(lr, "lr")
    max_epochs = int_value(max_epochs, "max_epochs", low=0)
    if w0 is None:
        w = generator(rng).uniform(-1.0, 1.0, size=D)
    else:
        w = _weights_for(w0, D).copy()

    weights, n_errors = [w], []
    for epoch in range(max_epochs + 1):
        y_hat = perceptron_predict(X, w)  # (N,)
        n_errors.append(int(np.count_nonzero(y_hat != y)))
        if n_errors[-1] == 0 or epoch == max_epochs:
            break
        w = _batch_update(X, y, w, y_hat, lr)
        weights.append(w)

    converged = n_errors[-1] == 0
    if not converged:
        warnings.warn(
            f"perceptron_fit did not converge in {max_epochs} epochs: "
            f"{n_errors[-1]} of {N} samples are still misclassified",
            RuntimeWarning,
            stacklevel=2,
        )
    history = {
        "w": np.array(weights),  # (E + 1, D)
        "n_errors": np.array(n_errors),  # (E + 1,)
        "epochs": len(weights) - 1,
        "converged": converged,
    }
    return w, history
