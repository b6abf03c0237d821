r"""Forecasting yearly sunspot numbers one year ahead: chapter :ref:`ch-lstm`'s time series.

The series is the yearly mean sunspot number 1700–2008 that statsmodels bundles (so it works
offline; source NOAA's National Geophysical Data Center). Each example is a window of the
``p`` previous years and the target is the next year. The split is by time, never shuffled:
targets before 1910 train, 1910–1949 validate, 1950–2008 test.

Three forecasters are compared: the naive one (next year = this year), a linear
autoregression fitted by least squares, and an LSTM (with or without recurrent dropout, from
:mod:`dlbook.nlp.recurrent_dropout_torch`) that reads the window and predicts from its last
state.

See Also
--------
:ref:`ch-lstm` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook import _checks

__all__ = ["SPLIT_YEARS", "load_sunspots", "make_windows", "splits", "fit_linear",
           "fit_lstm_forecaster"]

#: Targets before the first year train, before the second validate, the rest test.
SPLIT_YEARS = (1910, 1950)


def load_sunspots() -> tuple[np.ndarray, np.ndarray]:
    """Years and yearly mean sunspot numbers, 1700–2008 (309 values, bundled with statsmodels).

    Examples
    --------
    >>> years, values = load_sunspots()
    >>> int(years[0]), int(years[-1]), len(values)
    (1700, 2008, 309)
    """
    import statsmodels.api as sm

    df = sm.datasets.sunspots.load_pandas().data
    return df["YEAR"].to_numpy().astype(int), df["SUNACTIVITY"].to_numpy(dtype=np.float64)


def make_windows(years, values, p: int):
    r"""Windows of ``p`` consecutive years and the year that follows each.

    Returns
    -------
    X : ndarray of shape (n, p)
        ``X[k] = values[k : k + p]``.
    y : ndarray of shape (n,)
        ``values[k + p]``.
    target_years : ndarray of shape (n,)

    Examples
    --------
    >>> X, y, ty = make_windows(np.arange(2000, 2005), np.arange(5.0), 2)
    >>> X.tolist(), y.tolist(), ty.tolist()
    ([[0.0, 1.0], [1.0, 2.0], [2.0, 3.0]], [2.0, 3.0, 4.0], [2002, 2003, 2004])
    """
    p = _checks.positive_int(p, "p")
    values = np.asarray(values, dtype=np.float64)
    if len(values) <= p:
        raise ValueError(f"{len(values)} values are too few for windows of {p}")
    X = np.lib.stride_tricks.sliding_window_view(values, p + 1)
    return X[:, :-1].copy(), X[:, -1].copy(), np.asarray(years)[p:]


def splits(target_years) -> dict:
    """Boolean masks ``train``, ``val``, ``test`` over the targets, split by year.

    Examples
    --------
    >>> {k: v.tolist() for k, v in splits(np.array([1900, 1920, 1960])).items()}
    {'train': [True, False, False], 'val': [False, True, False], 'test': [False, False, True]}
    """
    ty = np.asarray(target_years)
    first, second = SPLIT_YEARS
    return {"train": ty < first, "val": (ty >= first) & (ty < second), "test": ty >= second}


def fit_linear(X, y, order: int):
    r"""Least-squares autoregression on the last ``order`` values of each window.

    Returns
    -------
    coef : ndarray of shape (order + 1,)
        :math:`\hat y = \sum_{j=1}^{\text{order}} c_j x_{p-\text{order}+j} + c_0`, the constant
        last.

    Examples
    --------
    A series that doubles each step is fitted exactly by :math:`\hat y = 2 x_p`:

    >>> X = np.array([[1.0, 2.0], [2.0, 4.0], [4.0, 8.0]])
    >>> fit_linear(X, np.array([4.0, 8.0, 16.0]), 1).round(6) + 0.0
    array([2., 0.])
    """
    order = _checks.positive_int(order, "order")
    A = np.c_[X[:, -order:], np.ones(len(X))]
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    return coef


def fit_lstm_forecaster(X, y, train, *, hidden_size: int = 32, epochs: int = 400,
                        lr: float = 0.01, recurrent_dropout: float = 0.0,
                        mode: str = "sequence", seed: int = 0):
    r"""Train an LSTM on the windows of ``train`` (full batch, Adam) and forecast every window.

    The values are standardized with the training targets' mean and standard deviation; the
    LSTM (:class:`~dlbook.nlp.recurrent_dropout_torch.DropoutLSTM`) reads a window one year per
    step and a linear layer maps its last state to the forecast.

    Returns
    -------
    ndarray of shape (n,)
        Forecasts for all windows, in the original units.

    Examples
    --------
    >>> X = np.sin(np.arange(40.0))[np.arange(30)[:, None] + np.arange(3)]
    >>> y = np.sin(np.arange(40.0))[np.arange(30) + 3]
    >>> pred = fit_lstm_forecaster(X, y, np.arange(30) < 20, hidden_size=8, epochs=100,
    ...                            lr=0.03)
    >>> bool(np.abs(pred - y).mean() < 0.1)
    True
    """
    import torch

    from dlbook.nlp.recurrent_dropout_torch import DropoutLSTM

    train = np.asarray(train, dtype=bool)
    mu, sd = y[train].mean(), y[train].std()
    torch.manual_seed(seed)
    layer = DropoutLSTM(1, hidden_size, recurrent_dropout=recurrent_dropout, mode=mode)
    head = torch.nn.Linear(hidden_size, 1)
    opt = torch.optim.Adam([*layer.parameters(), *head.parameters()], lr=lr)
    x = torch.tensor(((X - mu) / sd).T[:, :, None], dtype=torch.float32)    # (p, n, 1)
    target = torch.tensor((y - mu) / sd, dtype=torch.float32)
    rows = torch.from_numpy(np.flatnonzero(train))
    for _ in range(epochs):
        layer.train()
        out, _ = layer(x[:, rows])
        loss = torch.nn.functional.mse_loss(head(out[-1]).squeeze(-1), target[rows])
        opt.zero_grad()
        loss.backward()
        opt.step()
    layer.eval()
    with torch.no_grad():
        return head(layer(x)[0][-1]).squeeze(-1).numpy().astype(np.float64) * sd + mu
