"""Callbacks: ReduceLROnPlateau against torch's scheduler, EarlyStopping and ModelCheckpoint by
hand."""

import numpy as np
import pytest
import torch

from dlbook.nn.callbacks import (
    Callback,
    EarlyStopping,
    History,
    LambdaCallback,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TrainingContext,
)

# (mode, threshold_mode, threshold, patience, cooldown, factor, min_lr)
PLATEAU_CASES = [
    ("min", "rel", 1e-4, 0, 0, 0.1, 0.0),
    ("min", "rel", 1e-4, 2, 0, 0.5, 0.0),
    ("min", "abs", 0.05, 1, 2, 0.5, 1e-3),
    ("min", "rel", 0.1, 3, 1, 0.2, [1e-2, 1e-4]),
    ("max", "rel", 1e-3, 1, 0, 0.5, 0.0),
    ("max", "abs", 0.02, 0, 3, 0.3, [0.0, 5e-3]),
    ("min", "abs", 0.0, 2, 2, 0.9, 0.0),
]


def _metric_sequences():
    rng = np.random.default_rng(1)
    walks = [np.round(rng.normal(size=60).cumsum() * 0.1 + 5, 2) for _ in range(3)]
    plateau = np.array([1.0] * 10 + [0.9] * 10 + [0.95, 0.8, 0.8, 0.8, 0.7] * 6)
    return [*walks, plateau, np.round(rng.uniform(0, 1, 60), 1)]


@pytest.mark.parametrize(
    "mode,threshold_mode,threshold,patience,cooldown,factor,min_lr", PLATEAU_CASES
)
@pytest.mark.parametrize("seq", range(5))
def test_reduce_lr_matches_torch(
    mode, threshold_mode, threshold, patience, cooldown, factor, min_lr, seq
):
    values = _metric_sequences()[seq]
    params = [torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))]
    opt = torch.optim.SGD([{"params": [params[0]], "lr": 0.1}, {"params": [params[1]], "lr": 0.03}])
    ref = torch.optim.lr_scheduler.ReduceLROnPlateau(
        opt, mode=mode, factor=factor, patience=patience, threshold=threshold,
        threshold_mode=threshold_mode, cooldown=cooldown, min_lr=min_lr)
    ours = ReduceLROnPlateau(mode=mode, factor=factor, patience=patience, threshold=threshold,
                             threshold_mode=threshold_mode, cooldown=cooldown, min_lr=min_lr)
    lrs = [0.1, 0.03]
    for step, v in enumerate(values):
        ref.step(float(v))
        lrs = ours.update(float(v), lrs)
        expected = [g["lr"] for g in opt.param_groups]
        assert lrs == expected, f"step {step} (metric {v}): ours {lrs}, torch {expected}"
    # the table must exercise reductions, or it would test nothing
    if seq == 3:
        assert lrs[0] < 0.1


@pytest.mark.parametrize("kwargs,match", [
    ({"factor": 1.0}, "factor"), ({"factor": 0.0}, "factor"), ({"mode": "up"}, "mode"),
    ({"threshold_mode": "x"}, "threshold_mode"), ({"patience": -1}, "patience"),
    ({"patience": 1.5}, "patience"), ({"min_lr": -1.0}, "min_lr"),
])
def test_reduce_lr_rejects_bad_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        ReduceLROnPlateau(**kwargs)


def test_reduce_lr_min_lr_list_length():
    r = ReduceLROnPlateau(min_lr=[0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="3 entries for 2"):
        r.update(1.0, [0.1, 0.1])


# EarlyStopping: expected stopping epochs worked out by hand from the rule in the docstring.
@pytest.mark.parametrize("values,kwargs,stopped,best_epoch", [
    ([1.0, 0.8, 0.9, 0.85, 0.7], {"patience": 2}, 3, 1),          # 0.9, 0.85 do not beat 0.8
    ([1.0, 0.8, 0.9, 0.85, 0.7], {"patience": 3}, None, 4),       # 0.7 arrives in time
    ([1.0, 0.95, 0.91, 0.9], {"patience": 1, "min_delta": 0.06}, 1, 0),  # 0.95 is not < 1.0 - 0.06
    ([1.0, 1.0], {"patience": 0}, 1, 0),                          # a tie is no improvement
    ([0.5, 0.6, 0.7, 0.65, 0.66], {"monitor": "val_acc", "patience": 2}, 4, 2),  # auto -> max
])
def test_early_stopping_by_hand(values, kwargs, stopped, best_epoch):
    monitor = kwargs.get("monitor", "val_loss")
    es = EarlyStopping(**kwargs)
    es.on_train_begin()
    for epoch, v in enumerate(values):
        es.on_epoch_end(epoch, {monitor: v})
        if es.stop_training:
            break
    assert es.stopped_epoch == stopped
    assert es.best_epoch == best_epoch
    assert es.best == values[best_epoch]


class _FakeContext(TrainingContext):
    def __init__(self):
        self.weights = {"w": np.array([0.0])}
        self.saves = []
        super().__init__(None, None, get_lrs=lambda: [0.1], set_lrs=lambda lrs: None,
                         state_dict=lambda: {k: v.copy() for k, v in self.weights.items()},
                         load_state_dict=self._load, save=lambda p, m: self.saves.append((p, m)))

    def _load(self, d):
        self.weights = {k: v.copy() for k, v in d.items()}


def test_early_stopping_restores_best_weights():
    ctx, es = _FakeContext(), EarlyStopping(patience=1, restore_best_weights=True)
    es.set_context(ctx)
    es.on_train_begin()
    for epoch, v in enumerate([1.0, 0.5, 0.7, 0.8]):
        ctx.weights["w"][0] = 10.0 + epoch   # "training" changes the weights each epoch
        es.on_epoch_end(epoch, {"val_loss": v})
        if es.stop_training:
            break
    es.on_train_end()
    assert es.stopped_epoch == 2
    assert ctx.weights["w"][0] == 11.0, "weights of epoch 1 (the best) should be back"


def test_model_checkpoint_every_epoch_and_path_format():
    ctx, cb = _FakeContext(), ModelCheckpoint("m-{epoch:02d}-{val_loss:.1f}.npz")
    cb.set_context(ctx)
    cb.on_train_begin()
    for epoch, v in enumerate([0.5, 0.7]):
        cb.on_epoch_end(epoch, {"val_loss": v})
    assert [p for p, _ in ctx.saves] == ["m-01-0.5.npz", "m-02-0.7.npz"]
    assert ctx.saves[1][1] == {"epoch": 2, "val_loss": 0.7}


def test_model_checkpoint_best_only_max_mode():
    ctx, cb = _FakeContext(), ModelCheckpoint("best.npz", monitor="val_acc", save_best_only=True)
    cb.set_context(ctx)
    cb.on_train_begin()
    for epoch, v in enumerate([0.5, 0.7, 0.6, 0.7, 0.9]):
        cb.on_epoch_end(epoch, {"val_acc": v})
    assert [m["epoch"] for _, m in ctx.saves] == [1, 2, 5]


def test_missing_monitor_names_available_keys():
    es = EarlyStopping()
    es.on_train_begin()
    with pytest.raises(KeyError, match="val_loss.*\\['loss', 'lr'\\]"):
        es.on_epoch_end(0, {"loss": 1.0, "lr": 0.1})


def test_history_and_lambda_callback():
    h = History()
    h.on_train_begin()
    h.on_epoch_end(0, {"loss": 2.0})
    h.on_epoch_end(1, {"loss": 1.0, "val_loss": 1.5})
    assert h["loss"] == [2.0, 1.0] and h["val_loss"] == [1.5] and h.epoch == [0, 1]
    calls = []
    cb = LambdaCallback(on_train_end=lambda logs: calls.append("end"))
    cb.on_train_end({})
    cb.on_epoch_end(0, {})  # not given: the base class does nothing
    assert calls == ["end"]
    with pytest.raises(TypeError, match="unknown hooks"):
        LambdaCallback(on_epoch_finish=print)
    assert isinstance(cb, Callback)
