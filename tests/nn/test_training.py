"""The NumPy training loop: against a hand-written loop, a least-squares oracle, and its errors."""

import numpy as np
import pytest

from dlbook.nn.activation_layers import ReLU
from dlbook.nn.callbacks import EarlyStopping, ModelCheckpoint, ReduceLROnPlateau
from dlbook.nn.checkpoint import load_checkpoint
from dlbook.nn.linear import Linear
from dlbook.nn.module import Sequential
from dlbook.nn.optim import SGD
from dlbook.nn.training import (
    accuracy_from_logits,
    batch_indices,
    cross_entropy_value_and_grad,
    evaluate,
    fit,
    mse_value_and_grad,
    predict,
    split_validation,
)


def _data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3 + 0.01 * rng.normal(size=(n, 1))
    return x, y


def test_fit_equals_a_hand_written_loop():
    x, y = _data()
    model = Sequential(Linear(3, 4, rng=1), ReLU(), Linear(4, 1, rng=2))
    w = [p.copy() for p in model.parameters()]
    fit(model, mse_value_and_grad, SGD(model.parameters(), lr=0.05, momentum=0.9), x, y, epochs=3,
        batch_size=10, seed=7)
    # the same computation written out: permutation per epoch, forward, backward, momentum SGD
    ref = Sequential(Linear(3, 4, rng=1), ReLU(), Linear(4, 1, rng=2))
    assert all(np.array_equal(a, b) for a, b in zip(ref.parameters(), w))
    rng, bufs = np.random.default_rng(7), [None] * 4
    for _ in range(3):
        order = rng.permutation(len(x))
        for s in range(0, len(x), 10):
            idx = order[s:s + 10]
            out = ref.forward(x[idx])
            ref.backward(2 * (out - y[idx]) / out.size)
            for i, (p, g) in enumerate(zip(ref.parameters(), ref.gradients())):
                bufs[i] = g.copy() if bufs[i] is None else 0.9 * bufs[i] + g
                p[...] = p - 0.05 * bufs[i]
    for a, b in zip(model.parameters(), ref.parameters()):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_fit_reaches_least_squares_solution():
    x, y = _data(200)
    model = Sequential(Linear(3, 1, rng=0))
    fit(
        model,
        mse_value_and_grad,
        SGD(model.parameters(), lr=0.2),
        x,
        y,
        epochs=300,
        batch_size=200,
        shuffle=False,
    )
    X = np.hstack([x, np.ones((len(x), 1))])
    coef = np.linalg.lstsq(X, y, rcond=None)[0].ravel()   # independent oracle
    got = np.r_[model.state_dict()["0.weight"].ravel(), model.state_dict()["0.bias"]]
    np.testing.assert_allclose(got, coef, rtol=1e-9, atol=1e-10)


def test_history_contents_and_metrics():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 2))
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    model = Sequential(Linear(2, 2, rng=0))
    h = fit(model, cross_entropy_value_and_grad, SGD(model.parameters(), lr=0.5), x[:90], y[:90],
            epochs=4, batch_size=30, validation_data=(x[90:], y[90:]),
            metrics={"accuracy": accuracy_from_logits})
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    assert all(len(v) == 4 for v in h.history.values()) and h.history["lr"] == [0.5] * 4
    val = evaluate(model, cross_entropy_value_and_grad, x[90:], y[90:],
                   metrics={"accuracy": accuracy_from_logits})
    assert val["loss"] == pytest.approx(h.history["val_loss"][-1], rel=1e-12)
    assert h.history["val_accuracy"][-1] > 0.9


def test_nan_loss_names_epoch_and_batch():
    x, y = _data(40)
    calls = {"n": 0}

    def loss(out, yb):
        calls["n"] += 1
        value, d = mse_value_and_grad(out, yb)
        return (float("nan") if calls["n"] == 4 + 3 else value), d   # 4 batches per epoch

    model = Sequential(Linear(3, 1, rng=0))
    with pytest.raises(FloatingPointError, match="epoch 2, batch 3: loss is nan"):
        fit(model, loss, SGD(model.parameters(), lr=0.01), x, y, epochs=3, batch_size=10)


def test_diverging_training_raises_inf_or_nan():
    x, y = _data(40)
    model = Sequential(Linear(3, 1, rng=0))
    with pytest.raises(FloatingPointError, match=r"epoch \d+, batch \d+: loss is (nan|inf)"):
        with np.errstate(all="ignore"):
            fit(
                model,
                mse_value_and_grad,
                SGD(model.parameters(), lr=1e3),
                x,
                y,
                epochs=50,
                batch_size=10,
            )


def test_callbacks_inside_fit(tmp_path):
    x, y = _data(100)
    model = Sequential(Linear(3, 1, rng=0))
    opt = SGD(model.parameters(), lr=0.3)
    es = EarlyStopping(patience=2, restore_best_weights=True)
    rl = ReduceLROnPlateau(factor=0.5, patience=0, threshold=0.0)
    mc = ModelCheckpoint(str(tmp_path / "best.npz"), save_best_only=True)
    # a noisy validation set the model cannot improve on for long
    rng = np.random.default_rng(3)
    xv, yv = rng.normal(size=(30, 3)), rng.normal(size=(30, 1))
    h = fit(
        model,
        mse_value_and_grad,
        opt,
        x,
        y,
        epochs=40,
        batch_size=20,
        validation_data=(xv, yv),
        callbacks=[es, rl, mc],
    )
    n = len(h.history["loss"])
    assert n < 40 and es.stopped_epoch == n - 1
    best = int(np.argmin(h.history["val_loss"]))
    assert es.best_epoch == best
    # lr: halves after every epoch that did not improve on the best val_loss (patience 0)
    lrs, expected = h.history["lr"], [0.3]
    vals = h.history["val_loss"]
    for e in range(1, n):
        expected.append(
            expected[-1] * (0.5 if vals[e - 1] >= min(vals[: e - 1] or [np.inf]) else 1.0)
        )
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)
    state, meta = load_checkpoint(tmp_path / "best.npz", expected=model.state_dict())
    assert meta["epoch"] == best + 1
    for k, v in model.state_dict().items():   # restored best weights == best checkpoint
        assert np.array_equal(v, state[k]), k


def test_validation_split_takes_the_last_rows():
    x, y = np.arange(20.0)[:, None], np.arange(20.0)[:, None]
    (xt, _), (xv, _) = split_validation(x, y, 0.25)
    assert xt[:, 0].tolist() == list(range(15)) and xv[:, 0].tolist() == [15, 16, 17, 18, 19]
    model = Sequential(Linear(1, 1, rng=0))
    h = fit(
        model,
        mse_value_and_grad,
        SGD(model.parameters(), lr=1e-3),
        x,
        y,
        epochs=1,
        validation_split=0.25,
    )
    assert "val_loss" in h.history
    with pytest.raises(ValueError, match="validation_split"):
        split_validation(x, y, 1.5)


@pytest.mark.parametrize("kwargs,match", [
    ({"epochs": 0}, "epochs"), ({"batch_size": 0}, "batch_size"),
    ({"callbacks": [object()]}, "not a Callback"), ({"metrics": {"m": 3}}, "not callable"),
])
def test_fit_argument_errors(kwargs, match):
    x, y = _data(20)
    model = Sequential(Linear(3, 1, rng=0))
    args = {"epochs": 1, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        fit(model, mse_value_and_grad, SGD(model.parameters()), x, y, **args)


def test_row_mismatch_and_batches():
    model = Sequential(Linear(3, 1, rng=0))
    with pytest.raises(ValueError, match="x has 5 rows but y has 4"):
        fit(
            model,
            mse_value_and_grad,
            SGD(model.parameters()),
            np.zeros((5, 3)),
            np.zeros((4, 1)),
            epochs=1,
        )
    sizes = [len(b) for b in batch_indices(10, 4, rng=np.random.default_rng(0))]
    assert sizes == [4, 4, 2]
    covered = np.sort(np.concatenate(batch_indices(10, 4, rng=np.random.default_rng(0))))
    assert covered.tolist() == list(range(10))


def test_verbose_progress_bar(capsys):
    x, y = _data(20)
    model = Sequential(Linear(3, 1, rng=0))
    fit(
        model,
        mse_value_and_grad,
        SGD(model.parameters()),
        x,
        y,
        epochs=2,
        batch_size=10,
        verbose=True,
    )
    assert "epoch 2/2" in capsys.readouterr().out


def test_predict_is_the_eval_mode_forward_pass_in_any_batch_size():
    from dlbook.nn.dropout import Dropout

    x = _data(n=25)[0]
    model = Sequential(Linear(3, 4, rng=1), Dropout(0.5, rng=0), Linear(4, 2, rng=2))
    expected = model.eval().forward(x)  # dropout is the identity in eval mode
    model.train()
    for batch_size in (1, 7, 25, 100):
        np.testing.assert_allclose(predict(model, x, batch_size=batch_size), expected,  # BLAS: ulps
                                   rtol=1e-12, atol=1e-14, err_msg=f"batch_size={batch_size}")
    assert model.training and model[1].training, "predict must restore training mode"


@pytest.mark.parametrize("batch_size, error", [(0, ValueError), (-1, ValueError),
                                               (2.5, TypeError), (True, TypeError)])
def test_predict_refuses_a_bad_batch_size(batch_size, error):
    with pytest.raises(error, match="batch_size"):
        predict(Linear(3, 1, rng=0), np.ones((4, 3)), batch_size=batch_size)


def test_predict_refuses_empty_input():
    with pytest.raises(ValueError, match="empty"):
        predict(Linear(3, 1, rng=0), np.ones((0, 3)))


def test_losses_of_fit_in_torchs_argument_order():
    logits, target = np.array([[2.0, 0.0], [0.0, 1.0]]), np.array([0, 0])
    value, d = cross_entropy_value_and_grad(logits, target)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert value == pytest.approx(-np.mean(np.log(p[[0, 1], [0, 0]])), rel=1e-12)
    np.testing.assert_allclose(d, (p - np.eye(2)[target]) / 2, rtol=1e-12)
    value, d = mse_value_and_grad(np.array([[3.0], [1.0]]), np.array([[1.0], [1.0]]))
    assert value == 2.0 and d.tolist() == [[2.0], [0.0]]
    assert accuracy_from_logits(logits, target) == 0.5
    assert accuracy_from_logits(logits, np.eye(2)[[0, 1]]) == 1.0
    with pytest.raises(ValueError, match="logits"):
        accuracy_from_logits(target, logits)  # the NumPy order of old: refused, not misread
