r"""Callbacks for the training loops: hooks that watch or steer training (chapter
:ref:`ch-pytorch-models`).

The same callback objects work with the NumPy loop (:func:`dlbook.nn.training.fit`) and the
PyTorch loop (:func:`dlbook.nn.training_torch.fit`): a loop hands every callback a
:class:`TrainingContext`, which says how to read and write the learning rates and how to copy,
restore and save the model's weights for that framework.  The callbacks themselves never import
NumPy-model or torch code.

Hooks, in the order a loop calls them (epochs and batches are counted from 0 in the hooks, and
from 1 in printed messages, as Keras prints ``Epoch 1/20``)::

    on_train_begin(logs)
        on_epoch_begin(epoch, logs)
            on_batch_end(batch, logs)        # after every optimizer step
        on_epoch_end(epoch, logs)            # logs: loss, val_loss, metrics, lr
    on_train_end(logs)

A callback asks the loop to stop by setting ``self.stop_training = True``; the loop checks the
flag after each epoch.

See Also
--------
dlbook.nn.training.fit, dlbook.nn.training_torch.fit : the loops that call these hooks.
torch.optim.lr_scheduler.ReduceLROnPlateau : whose rule :class:`ReduceLROnPlateau` follows exactly.
"""

from __future__ import annotations

import math
from typing import Callable

from dlbook._checks import int_value, one_of, real_value
from dlbook.bilingual import Text, say
from dlbook.nn import schedulers

__all__ = ["TrainingContext", "Callback", "History", "LambdaCallback", "EarlyStopping",
           "ModelCheckpoint", "ReduceLROnPlateau"]


class TrainingContext:
    """What a training loop lets its callbacks touch.

    Parameters
    ----------
    model, optimizer : object
        The model and the optimizer being trained (for custom callbacks that want them).
    get_lrs : callable
        ``get_lrs() -> list of float``: the current learning rate of every parameter group
        (one group for the NumPy optimizers).
    set_lrs : callable
        ``set_lrs(list of float)``: set them.
    state_dict : callable
        ``state_dict() -> dict``: a *copy* of the model's weights.
    load_state_dict : callable
        ``load_state_dict(d)``: copy weights back into the model.
    save : callable
        ``save(path, metadata)``: write a checkpoint of the model's weights.

    Examples
    --------
    A context over a plain dict of hyper-parameters, as a callback sees it:

    >>> hyper = {"lr": 0.1}
    >>> ctx = TrainingContext(None, None, get_lrs=lambda: [hyper["lr"]],
    ...                       set_lrs=lambda lrs: hyper.update(lr=lrs[0]),
    ...                       state_dict=dict, load_state_dict=print, save=print)
    >>> ctx.set_lrs([lr * 0.5 for lr in ctx.get_lrs()])   # what ReduceLROnPlateau(factor=0.5) does
    >>> ctx.get_lrs(), hyper
    ([0.05], {'lr': 0.05})
    """

    def __init__(self, model, optimizer, *, get_lrs, set_lrs, state_dict, load_state_dict, save):
        self.model, self.optimizer = model, optimizer
        self.get_lrs, self.set_lrs = get_lrs, set_lrs
        self.state_dict, self.load_state_dict, self.save = state_dict, load_state_dict, save


class Callback:
    """Base class: every hook does nothing; subclasses override the ones they need.

    Attributes
    ----------
    context : TrainingContext or None
        Set by the loop before ``on_train_begin``.
    stop_training : bool
        Set it to True to end training after the current epoch.

    Examples
    --------
    >>> class CountBatches(Callback):
    ...     def on_train_begin(self, logs=None):
    ...         self.n = 0
    ...     def on_batch_end(self, batch, logs=None):
    ...         self.n += 1
    >>> cb = CountBatches()
    >>> cb.on_train_begin(); cb.on_batch_end(0); cb.on_batch_end(1); cb.n
    2
    """

    def __init__(self):
        self.context: TrainingContext | None = None
        self.stop_training = False

    def set_context(self, context: TrainingContext) -> None:
        self.context = context

    def on_train_begin(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_batch_end(self, batch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_train_end(self, logs=None): pass


class History(Callback):
    """Record every epoch's logs: ``history["loss"]``, ``history["val_loss"]``, ``history["lr"]``,
    ...

    The loops add one as the first callback and return it.

    Examples
    --------
    >>> h = History()
    >>> h.on_train_begin()
    >>> h.on_epoch_end(0, {"loss": 0.5, "lr": 0.1}); h.on_epoch_end(1, {"loss": 0.25, "lr": 0.1})
    >>> h.history["loss"], h.epoch
    ([0.5, 0.25], [0, 1])
    """

    def on_train_begin(self, logs=None):
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def __getitem__(self, key):
        return self.history[key]

    def __repr__(self):
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


class LambdaCallback(Callback):
    """A callback built from plain functions, one per hook (Keras' ``LambdaCallback``).

    Examples
    --------
    >>> seen = []
    >>> cb = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(logs["loss"]))
    >>> cb.on_epoch_end(0, {"loss": 1.5}); seen
    [1.5]
    """

    _HOOKS = ("on_train_begin", "on_epoch_begin", "on_batch_end", "on_epoch_end", "on_train_end")

    def __init__(self, **hooks: Callable):
        super().__init__()
        unknown = sorted(set(hooks) - set(self._HOOKS))
        if unknown:
            raise TypeError(f"unknown hooks {unknown}; known: {list(self._HOOKS)}")
        for name, fn in hooks.items():
            if not callable(fn):
                raise TypeError(f"{name} must be callable, got {type(fn).__name__}")
            setattr(self, name, fn)


# -- helpers for the monitoring callbacks --------------------------------------------------------
def _mode_for(mode, monitor):
    """'min' or 'max'; Keras' 'auto' maximises a monitored accuracy and minimises the rest."""
    if one_of(mode, "mode", ("min", "max", "auto")) == "auto":
        return "max" if "acc" in monitor else "min"
    return mode


def _monitored(logs, monitor, who):
    if not logs or monitor not in logs:
        raise KeyError(f"{who} monitors {monitor!r}, but the epoch logs only have "
                       f"{sorted(logs or {})}; pass validation data for val_* quantities")
    return float(logs[monitor])


def _say(verbose, en, zh):
    """Print a callback's message (in both languages when the book is built)."""
    if verbose:
        say(Text(en, zh))


class EarlyStopping(Callback):
    r"""Stop training when a monitored quantity has stopped improving.

    Parameters
    ----------
    monitor : str, default "val_loss"
        Key of the epoch logs to watch.
    min_delta : float, default 0
        An epoch counts as an improvement only if it beats the best value so far by more than
        ``min_delta``.
    patience : int, default 0
        Number of epochs without improvement after which training stops.
    mode : {"min", "max", "auto"}, default "auto"
        Whether smaller or larger is better; "auto" picks "max" for names containing "acc".
    restore_best_weights : bool, default False
        At the end of training, put back the weights of the best epoch.
    verbose : bool, default False
        Print a line when training stops and when weights are restored.

    Attributes
    ----------
    best, best_epoch, wait, stopped_epoch
        The best value and its (0-based) epoch, the epochs waited since, the epoch of stopping.

    Notes
    -----
    For ``mode="min"`` epoch :math:`t` improves when :math:`v_t < v^\ast - \delta`, where
    :math:`v^\ast` is the best value so far (:math:`+\infty` before the first epoch); for "max"
    when :math:`v_t > v^\ast + \delta`.  Training stops at the end of the first epoch at which
    ``wait`` (epochs since the last improvement) reaches ``patience``.

    Examples
    --------
    >>> es = EarlyStopping(patience=2)
    >>> es.on_train_begin()
    >>> for epoch, v in enumerate([1.0, 0.8, 0.9, 0.85, 0.7]):
    ...     es.on_epoch_end(epoch, {"val_loss": v})
    ...     if es.stop_training:
    ...         break
    >>> es.stopped_epoch, es.best, es.best_epoch   # two epochs without beating 0.8
    (3, 0.8, 1)
    """

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, mode="auto",
                 restore_best_weights=False, verbose=False):
        super().__init__()
        self.monitor = monitor
        self.min_delta = real_value(min_delta, "min_delta", low=0.0)
        self.patience = int_value(patience, "patience", low=0)
        self.mode = _mode_for(mode, monitor)
        self.restore_best_weights, self.verbose = bool(restore_best_weights), bool(verbose)

    def _improves(self, current):
        if self.mode == "min":
            return current < self.best - self.min_delta
        return current > self.best + self.min_delta

    def on_train_begin(self, logs=None):
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = self.stopped_epoch = None
        self.best_weights, self.wait, self.last_epoch = None, 0, None
        self.stop_training = False

    def on_epoch_end(self, epoch, logs=None):
        current = _monitored(logs, self.monitor, "EarlyStopping")
        self.last_epoch = epoch
        if self._improves(current):
            self.best, self.best_epoch, self.wait = current, epoch, 0
            if self.restore_best_weights and self.context is not None:
                self.best_weights = self.context.state_dict()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stop_training, self.stopped_epoch = True, epoch
            at = self.best_epoch + 1 if self.best_epoch is not None else "-"
            _say(
                self.verbose,
                f"EarlyStopping: epoch {epoch + 1}: {self.monitor} has not improved "
                f"for {self.wait} epochs (best {self.best:.4f} at epoch {at}); stopping",
                f"EarlyStopping：第 {epoch + 1} 個訓練週期：{self.monitor} 已連續 {self.wait} "
                f"個週期沒有進步（最佳 {self.best:.4f}，在第 {at} 個週期）；停止訓練",
            )

    def on_train_end(self, logs=None):
        if (self.restore_best_weights and self.best_weights is not None
                and self.best_epoch != self.last_epoch):
            self.context.load_state_dict(self.best_weights)
            _say(self.verbose,
                 f"EarlyStopping: restored the weights of epoch {self.best_epoch + 1}",
                 f"EarlyStopping：還原第 {self.best_epoch + 1} 個訓練週期的權重")


class ModelCheckpoint(Callback):
    """Save the model's weights at the end of an epoch: every epoch, or only when it is the best.

    Parameters
    ----------
    path : str or os.PathLike
        File to write; may contain format fields filled from the epoch (1-based) and the logs,
        e.g. ``"ckpt-{epoch:02d}-{val_loss:.3f}.npz"``.
    monitor : str, default "val_loss"
        The quantity that decides what "best" means.
    save_best_only : bool, default False
        Save only when ``monitor`` beats every earlier epoch (strictly).
    mode : {"min", "max", "auto"}, default "auto"
    verbose : bool, default False
        Print a line at every save.

    Attributes
    ----------
    saved : list of (int, str)
        The 0-based epoch and the file of every save.

    Notes
    -----
    The write goes through the loop's ``save`` (:func:`dlbook.nn.checkpoint.save_checkpoint` or
    :func:`dlbook.nn.checkpoint_torch.save_checkpoint`), which is atomic: a crash in the middle
    of a save leaves the previous checkpoint intact.  The metadata stored with the weights holds
    the epoch (1-based) and the monitored value.

    Examples
    --------
    >>> saves = []
    >>> cb = ModelCheckpoint("best.npz", save_best_only=True)
    >>> cb.on_train_begin()
    >>> cb.save = lambda path, meta: saves.append(meta["epoch"])   # stand-in for a real save
    >>> for epoch, v in enumerate([1.0, 0.8, 0.9, 0.7]):
    ...     cb.on_epoch_end(epoch, {"val_loss": v})
    >>> saves   # epochs 1, 2 and 4 improved
    [1, 2, 4]
    """

    def __init__(self, path, monitor="val_loss", save_best_only=False, mode="auto", verbose=False):
        super().__init__()
        self.path, self.monitor = str(path), monitor
        self.save_best_only, self.verbose = bool(save_best_only), bool(verbose)
        self.mode = _mode_for(mode, monitor)
        self.save = None  # replaced by the context's save, or by a test

    def on_train_begin(self, logs=None):
        self.best = math.inf if self.mode == "min" else -math.inf
        self.saved: list[tuple[int, str]] = []
        if self.context is not None:
            self.save = self.context.save

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        if self.save_best_only:
            current = _monitored(logs, self.monitor, "ModelCheckpoint")
            better = current < self.best if self.mode == "min" else current > self.best
            if not better:
                return
            previous, self.best = self.best, current
        path = self.path.format(epoch=epoch + 1, **logs)
        metadata = {"epoch": epoch + 1}
        if self.monitor in logs:
            metadata[self.monitor] = float(logs[self.monitor])
        self.save(path, metadata)
        self.saved.append((epoch, path))
        if self.save_best_only:
            _say(self.verbose,
                 f"ModelCheckpoint: epoch {epoch + 1}: {self.monitor} improved "
                 f"from {previous:.4f} to {self.best:.4f}; saved {path}",
                 f"ModelCheckpoint：第 {epoch + 1} 個訓練週期：{self.monitor} 從 {previous:.4f} "
                 f"進步到 {self.best:.4f}；已存到 {path}")
        else:
            _say(self.verbose, f"ModelCheckpoint: epoch {epoch + 1}: saved {path}",
                 f"ModelCheckpoint：第 {epoch + 1} 個訓練週期：已存到 {path}")


class ReduceLROnPlateau(Callback):
    r"""Multiply the learning rate by ``factor`` when a monitored quantity stops improving.

    The rule, the argument names and the defaults are those of
    ``torch.optim.lr_scheduler.ReduceLROnPlateau``; the tests replay random metric sequences
    through both and require the same learning rate after every step.

    Parameters
    ----------
    monitor : str, default "val_loss"
    factor : float, default 0.1
        New lr = lr * factor; must lie in (0, 1).
    patience : int, default 10
        Number of bad epochs allowed; the lr drops on the ``patience + 1``-th in a row.
    threshold : float, default 1e-4
    threshold_mode : {"rel", "abs"}, default "rel"
    cooldown : int, default 0
        Epochs after a reduction during which bad epochs are not counted.
    min_lr : float or list of float, default 0
        Lower bound on each parameter group's lr.
    mode : {"min", "max"}, default "min"
    eps : float, default 1e-8
        A reduction smaller than ``eps`` is skipped.
    verbose : bool, default False
        Print a line at every reduction.

    Notes
    -----
    With best value :math:`v^\ast` (:math:`\pm\infty` at first), threshold :math:`\tau`, an
    epoch with value :math:`v` is *better* when, for ``mode="min"``,
    :math:`v < v^\ast(1 - \tau)` ("rel") or :math:`v < v^\ast - \tau` ("abs"), and for
    ``mode="max"`` when :math:`v > v^\ast(1 + \tau)` or :math:`v > v^\ast + \tau`.  A better
    epoch resets the bad-epoch counter, any other adds one; during cooldown the counter is held
    at 0.  When the counter exceeds ``patience`` every group's lr becomes
    :math:`\max(\eta\cdot\text{factor}, \eta_\text{min})` (unless that changes it by less than
    ``eps``), the counter resets and the cooldown starts.

    Examples
    --------
    >>> r, lrs = ReduceLROnPlateau(factor=0.5, patience=1), [0.1]
    >>> for v in [1.0, 1.0, 1.0, 0.5, 0.6, 0.6]:   # the 2nd bad epoch in a row halves the lr
    ...     lrs = r.update(v, lrs)
    ...     print(lrs[0], end=" ")
    0.1 0.1 0.05 0.05 0.05 0.025
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0.0, mode="min", eps=1e-8, verbose=False):
        super().__init__()
        real_value(factor, "factor", low=0.0, high=1.0, low_open=True, high_open=True)
        int_value(patience, "patience", low=0)
        int_value(cooldown, "cooldown", low=0)
        # The rule itself lives once, in dlbook.nn.schedulers.ReduceLROnPlateau.
        self.rule = schedulers.ReduceLROnPlateau(
            None, mode=mode, factor=factor, patience=patience, threshold=threshold,
            threshold_mode=threshold_mode, cooldown=cooldown, min_lr=min_lr, eps=eps)
        self.monitor, self.verbose = monitor, bool(verbose)

    @property
    def best(self) -> float:
        """The best monitored value so far."""
        return self.rule.best

    def reset(self) -> None:
        """Forget the history: best value, bad-epoch counter and cooldown."""
        self.rule.reset()

    def update(self, current, lrs):
        """Take one metric value and the current lrs (one per group); return the new lrs."""
        return self.rule.update(current, lrs)

    def on_train_begin(self, logs=None):
        self.reset()

    def on_epoch_end(self, epoch, logs=None):
        current = _monitored(logs, self.monitor, "ReduceLROnPlateau")
        old = self.context.get_lrs()
        new = self.update(current, old)
        if new != old:
            self.context.set_lrs(new)
            _say(self.verbose,
                 f"ReduceLROnPlateau: epoch {epoch + 1}: {self.monitor} has not "
                 f"improved on {self.best:.4f}; lr {old[0]:.3g} -> {new[0]:.3g}",
                 f"ReduceLROnPlateau：第 {epoch + 1} 個訓練週期：{self.monitor} 沒有比 "
                 f"{self.best:.4f} 更好；lr {old[0]:.3g} -> {new[0]:.3g}")
