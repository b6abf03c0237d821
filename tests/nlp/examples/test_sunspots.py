"""The sunspot forecasting fixture: windows, the split by year, the linear autoregression
against statsmodels' OLS, and the LSTM forecaster's determinism."""

from __future__ import annotations

import numpy as np
import pytest

from dlbook.nlp.examples.sunspots import (
    fit_linear,
    fit_lstm_forecaster,
    load_sunspots,
    make_windows,
    splits,
)


def test_windows_and_splits():
    years, values = load_sunspots()
    X, y, ty = make_windows(years, values, 24)
    assert X.shape == (309 - 24, 24)
    k = int(np.flatnonzero(ty == 1950)[0])
    np.testing.assert_array_equal(X[k], values[(years >= 1926) & (years < 1950)])
    assert y[k] == values[years == 1950][0]
    s = splits(ty)
    assert not (s["train"] & s["val"]).any() and not (s["val"] & s["test"]).any()
    assert (s["train"] | s["val"] | s["test"]).all()
    assert ty[s["train"]].max() < ty[s["val"]].min() < ty[s["test"]].min() == 1950


def test_linear_equals_statsmodels_ols():
    import statsmodels.api as sm

    years, values = load_sunspots()
    X, y, ty = make_windows(years, values, 12)
    train = splits(ty)["train"]
    coef = fit_linear(X[train], y[train], 8)
    ols = sm.OLS(y[train], np.c_[X[train, -8:], np.ones(train.sum())]).fit()
    np.testing.assert_allclose(coef, ols.params, rtol=1e-8, atol=1e-8)


def test_lstm_forecaster_is_reproducible_and_learns():
    years, values = load_sunspots()
    X, y, ty = make_windows(years, values, 6)
    train = splits(ty)["train"]
    a = fit_lstm_forecaster(X, y, train, hidden_size=8, epochs=40, lr=0.03, seed=3)
    b = fit_lstm_forecaster(X, y, train, hidden_size=8, epochs=40, lr=0.03, seed=3)
    np.testing.assert_array_equal(a, b)
    mean_only = np.abs(y[train] - y[train].mean()).mean()
    assert np.abs(a[train] - y[train]).mean() < mean_only


def test_bad_window():
    with pytest.raises(ValueError, match="too few"):
        make_windows([1, 2], [1.0, 2.0], 2)
