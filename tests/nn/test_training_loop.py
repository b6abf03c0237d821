"""The steps both training loops share (dlbook.nn.training_loop): argument checks, callback
plumbing, the NaN guard and the optional progress bar."""

import math

import pytest

from dlbook.nn.callbacks import Callback, History
from dlbook.nn.training_loop import (
    check_finite_loss,
    check_fit_args,
    progress_bar,
    run_callbacks,
    start_callbacks,
)


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def set_context(self, context):
        self.calls.append(("context", context))

    def on_train_begin(self, logs=None):
        self.calls.append(("begin",))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch", epoch, dict(logs)))


def test_start_puts_a_fresh_history_first_and_runs_on_train_begin():
    rec = Recorder()
    rec.stop_training = True  # left over from an earlier run
    history, callbacks = start_callbacks([rec], context="ctx")
    assert isinstance(history, History) and callbacks == [history, rec]
    assert rec.calls == [("context", "ctx"), ("begin",)] and rec.stop_training is False
    run_callbacks(callbacks, "on_epoch_end", 0, {"loss": 1.5})
    assert history.history == {"loss": [1.5]} and rec.calls[-1] == ("epoch", 0, {"loss": 1.5})


def test_fit_arguments_are_checked():
    assert check_fit_args(2, (Recorder(),), {"m": len})[1] == {"m": len}
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        check_fit_args(0, [], None)
    with pytest.raises(TypeError, match="not a Callback"):
        check_fit_args(1, [object()], None)
    with pytest.raises(TypeError, match="not callable"):
        check_fit_args(1, [], {"acc": 3})


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_non_finite_loss_stops_with_the_epoch_and_batch(value):
    with pytest.raises(FloatingPointError, match=f"epoch 2, batch 5: loss is {value}"):
        check_finite_loss(value, 1, 4)
    check_finite_loss(0.5, 1, 4)  # finite: nothing happens


def test_progress_bar_only_when_asked():
    assert progress_bar(3, False, "x") is None
    pytest.importorskip("tqdm")
    bar = progress_bar(3, True, "epoch 1/1")
    bar.update(3)
    assert bar.n == 3
    bar.close()
