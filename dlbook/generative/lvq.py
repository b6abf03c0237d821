r"""Learning vector quantization (LVQ1 and LVQ2.1): a nearest-prototype classifier that keeps a few
labelled prototypes instead of the whole training set.

k-nearest neighbours stores every training example; LVQ (Kohonen) stores a handful of
prototypes per class and moves them during training: the nearest prototype (the *best matching
unit*) is pulled toward an example of its own class and pushed away from an example of another.
Classification is the label of the nearest prototype.

See Also
--------
:ref:`ch-lvq` : the chapter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlbook._checks import finite_array, one_of, positive_int, positive_real, probability

__all__ = ["init_prototypes", "nearest_prototype", "lvq1_epoch", "lvq21_epoch", "LVQ"]


def _data(X, y):
    X = finite_array(X, "X", ndim=2, nonempty=True).astype(np.float64)
    y = np.asarray(y)
    if y.shape != (len(X),) or y.dtype.kind not in "iu":
        raise ValueError(f"y must hold one integer label per row of X {X.shape}, got shape "
                         f"{y.shape} and dtype {y.dtype}")
    return X, y


def init_prototypes(X, y, n_per_class: int, rng=None):
    r"""Start prototypes at ``n_per_class`` randomly chosen training examples of each class.

    Parameters
    ----------
    X : array_like of shape (N, D)
    y : array_like of int, shape (N,)
    n_per_class : int
        At most the size of the smallest class.
    rng : numpy.random.Generator or int, optional

    Returns
    -------
    prototypes : ndarray of shape (K * n_per_class, D)
    prototype_labels : ndarray of int, shape (K * n_per_class,)

    Examples
    --------
    >>> P, labels = init_prototypes([[0.0], [1.0], [5.0], [6.0]], [0, 0, 1, 1], 1, rng=0)
    >>> P.shape, labels
    ((2, 1), array([0, 1]))
    """
    X, y = _data(X, y)
    n = positive_int(n_per_class, "n_per_class")
    rng = np.random.default_rng(rng)
    protos, labels = [], []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        if n > len(idx):
            raise ValueError(f"n_per_class={n} but class {c} has only {len(idx)} examples")
        protos.append(X[rng.choice(idx, n, replace=False)])
        labels.append(np.full(n, c))
    return np.concatenate(protos), np.concatenate(labels)


def nearest_prototype(X, prototypes) -> np.ndarray:
    r"""The index of the nearest prototype (Euclidean distance) of each row of ``X``.

    Examples
    --------
    >>> nearest_prototype([[0.1], [4.0]], [[0.0], [5.0]])
    array([0, 1])
    """
    X = finite_array(X, "X", ndim=2)
    P = finite_array(prototypes, "prototypes", ndim=2)
    if X.shape[1] != P.shape[1]:
        raise ValueError(f"X has shape {X.shape} but prototypes have {P.shape}")
    d2 = (X**2).sum(1)[:, None] - 2 * X @ P.T + (P**2).sum(1)[None]   # (N, P)
    return d2.argmin(axis=1)


def lvq1_epoch(X, y, prototypes, prototype_labels, lr: float, rng=None) -> np.ndarray:
    r"""One pass of LVQ1 over the data in random order; returns the updated prototypes.

    Parameters
    ----------
    X : array_like of shape (N, D)
    y : array_like of int, shape (N,)
    prototypes : array_like of shape (P, D)
    prototype_labels : array_like of int, shape (P,)
    lr : float
        The step :math:`\alpha` in (0, 1].
    rng : numpy.random.Generator or int, optional

    Returns
    -------
    prototypes : ndarray of shape (P, D)
        A new array (the input is not modified).

    Notes
    -----
    For each example :math:`x` with label :math:`c`, the best matching unit :math:`w` moves

    .. math:: w \leftarrow w + \alpha\,(x - w) \text{ if its label is } c, \qquad
              w \leftarrow w - \alpha\,(x - w) \text{ otherwise.}

    Examples
    --------
    >>> lvq1_epoch([[1.0]], [0], [[0.0], [5.0]], [0, 1], lr=0.5)
    array([[0.5],
           [5. ]])
    """
    X, y = _data(X, y)
    P = finite_array(prototypes, "prototypes", ndim=2).astype(np.float64).copy()
    labels = np.asarray(prototype_labels)
    lr = probability(lr, "lr", low_open=True)
    order = np.random.default_rng(rng).permutation(len(X))
    for n in order:
        x = X[n]
        j = int(((P - x) ** 2).sum(1).argmin())
        sign = 1.0 if labels[j] == y[n] else -1.0
        P[j] += sign * lr * (x - P[j])
    return P


def lvq21_epoch(X, y, prototypes, prototype_labels, lr: float, window: float = 0.3,
                rng=None) -> np.ndarray:
    r"""One pass of LVQ2.1: move the two nearest prototypes when exactly one of them is right and
    the example lies near the border between them.

    Parameters
    ----------
    X, y, prototypes, prototype_labels, lr, rng
        As in :func:`lvq1_epoch`.
    window : float, default 0.3
        The relative width :math:`w` of the window around the border.

    Returns
    -------
    prototypes : ndarray of shape (P, D)

    Notes
    -----
    With :math:`w_i, w_j` the two nearest prototypes at distances :math:`d_i, d_j`, one of the
    example's class (:math:`w_i`) and one not (:math:`w_j`), and

    .. math:: \min\Big(\frac{d_i}{d_j}, \frac{d_j}{d_i}\Big) > s = \frac{1 - w}{1 + w},

    the update is :math:`w_i \leftarrow w_i + \alpha(x - w_i)`,
    :math:`w_j \leftarrow w_j - \alpha(x - w_j)`; otherwise nothing moves (Kohonen, 1990).

    Examples
    --------
    The example at 2.4 lies between a right prototype at 0 and a wrong one at 5:

    >>> lvq21_epoch([[2.4]], [0], [[0.0], [5.0]], [0, 1], lr=0.5, window=0.5)
    array([[1.2],
           [6.3]])
    """
    X, y = _data(X, y)
    P = finite_array(prototypes, "prototypes", ndim=2).astype(np.float64).copy()
    labels = np.asarray(prototype_labels)
    lr = probability(lr, "lr", low_open=True)
    window = probability(window, "window", low_open=True, high_open=True)
    s = (1 - window) / (1 + window)
    if len(P) < 2:
        raise ValueError(f"LVQ2.1 needs at least 2 prototypes, got shape {P.shape}")
    order = np.random.default_rng(rng).permutation(len(X))
    for n in order:
        x = X[n]
        d = np.sqrt(((P - x) ** 2).sum(1))
        a, b = np.argpartition(d, 1)[:2]
        right_a, right_b = labels[a] == y[n], labels[b] == y[n]
        if right_a == right_b:
            continue
        i, j = (a, b) if right_a else (b, a)
        if min(d[i] / max(d[j], 1e-300), d[j] / max(d[i], 1e-300)) > s:
            P[i] += lr * (x - P[i])
            P[j] -= lr * (x - P[j])
    return P


@dataclass
class LVQ:
    r"""An LVQ classifier: prototypes initialized from the data, LVQ1 or LVQ2.1 epochs with a
    linearly decaying step.

    Parameters
    ----------
    n_per_class : int, default 1
    variant : {"lvq1", "lvq2.1"}
        "lvq2.1" runs ``epochs`` of LVQ1 first (as Kohonen recommends), then ``epochs`` of LVQ2.1.
    lr : float, default 0.1
        The first epoch's step; it decays linearly to near 0 over the epochs.
    epochs : int, default 20
    window : float, default 0.3
    seed : int, optional

    Attributes
    ----------
    prototypes_ : ndarray of shape (K * n_per_class, D)
    prototype_labels_ : ndarray of shape (K * n_per_class,)

    See Also
    --------
    lvq1_epoch, lvq21_epoch, :ref:`ch-lvq`

    Examples
    --------
    >>> X = np.array([[0.0], [0.2], [1.0], [1.2]]); y = np.array([0, 0, 1, 1])
    >>> model = LVQ(n_per_class=1, epochs=5, seed=0).fit(X, y)
    >>> model.predict([[0.1], [1.1]])
    array([0, 1])
    """

    n_per_class: int = 1
    variant: str = "lvq1"
    lr: float = 0.1
    epochs: int = 20
    window: float = 0.3
    seed: int | None = None

    def fit(self, X, y) -> "LVQ":
        """Train on ``X`` (N, D) with integer labels ``y`` (N,); returns ``self``.

        Examples
        --------
        >>> LVQ(epochs=1, seed=0).fit([[0.0], [1.0]], [0, 1]).prototypes_.shape
        (2, 1)
        """
        one_of(self.variant, "variant", ("lvq1", "lvq2.1"))
        epochs = positive_int(self.epochs, "epochs")
        lr0 = positive_real(self.lr, "lr")
        rng = np.random.default_rng(self.seed)
        X, y = _data(X, y)
        P, labels = init_prototypes(X, y, self.n_per_class, rng)
        for e in range(epochs):
            P = lvq1_epoch(X, y, P, labels, lr0 * (1 - e / epochs), rng)
        if self.variant == "lvq2.1":
            for e in range(epochs):
                P = lvq21_epoch(X, y, P, labels, lr0 * (1 - e / epochs), self.window, rng)
        self.prototypes_, self.prototype_labels_ = P, labels
        return self

    def predict(self, X) -> np.ndarray:
        """The label of the nearest prototype of each row of ``X``.

        Examples
        --------
        >>> LVQ(epochs=1, seed=0).fit([[0.0], [1.0]], [0, 1]).predict([[0.9]])
        array([1])
        """
        return self.prototype_labels_[nearest_prototype(X, self.prototypes_)]

    def score(self, X, y) -> float:
        """Accuracy on ``(X, y)``.

        Examples
        --------
        >>> LVQ(epochs=1, seed=0).fit([[0.0], [1.0]], [0, 1]).score([[0.1], [0.8]], [0, 1])
        1.0
        """
        return float((self.predict(X) == np.asarray(y)).mean())
