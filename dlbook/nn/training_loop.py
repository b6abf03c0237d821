r"""What the NumPy and the PyTorch training loops share (chapter :ref:`ch-pytorch-models`).

:func:`dlbook.nn.training.fit` and :func:`dlbook.nn.training_torch.fit` are the same loop over
different arrays. The framework-free steps they both take live here, each once: checking the
arguments of ``fit``, starting the callbacks (a fresh :class:`~dlbook.nn.callbacks.History`
first), calling a hook on every callback, stopping with a clear error when a batch's loss is
not finite, and the optional progress bar.

See Also
--------
dlbook.nn.training, dlbook.nn.training_torch : the two loops.
dlbook.nn.callbacks : the callbacks.
"""

from __future__ import annotations

import math

from dlbook._checks import positive_int
from dlbook.nn.callbacks import History

__all__ = ["check_fit_args", "start_callbacks", "run_callbacks", "check_finite_loss",
           "progress_bar"]


def check_fit_args(epochs, callbacks, metrics) -> tuple[list, dict]:
    """Check ``fit``'s ``epochs``, ``callbacks`` and ``metrics``; return them as a list and a dict.

    Examples
    --------
    >>> check_fit_args(3, (), None)
    ([], {})
    >>> check_fit_args(3, [], {"acc": 0.5})
    Traceback (most recent call last):
        ...
    TypeError: metric 'acc' is not callable
    """
    positive_int(epochs, "epochs")
    callbacks = list(callbacks)
    for cb in callbacks:
        if not hasattr(cb, "on_epoch_end"):
            raise TypeError(f"{cb!r} is not a Callback (it has no on_epoch_end)")
    metrics = dict(metrics or {})
    for name, fn in metrics.items():
        if not callable(fn):
            raise TypeError(f"metric {name!r} is not callable")
    return callbacks, metrics


def run_callbacks(callbacks, hook: str, *args) -> None:
    """Call ``hook`` (``"on_epoch_end"``, ...) on every callback, in order.

    Examples
    --------
    >>> history = History()
    >>> run_callbacks([history], "on_train_begin", {})
    >>> run_callbacks([history], "on_epoch_end", 0, {"loss": 0.5})
    >>> history.history
    {'loss': [0.5]}
    """
    for cb in callbacks:
        getattr(cb, hook)(*args)


def start_callbacks(callbacks, context) -> tuple[History, list]:
    """Put a fresh History first, hand every callback the context, run ``on_train_begin``.

    Returns the History and the full list of callbacks the loop then calls.

    Examples
    --------
    >>> history, cbs = start_callbacks([], context=None)
    >>> cbs == [history]
    True
    """
    history = History()
    callbacks = [history] + list(callbacks)
    for cb in callbacks:
        if hasattr(cb, "set_context"):
            cb.set_context(context)
        cb.stop_training = False
    run_callbacks(callbacks, "on_train_begin", {})
    return history, callbacks


def check_finite_loss(value: float, epoch: int, batch: int) -> None:
    """Stop training with an error naming the epoch and batch (1-based) of a nan/inf loss.

    Examples
    --------
    >>> check_finite_loss(float("nan"), 2, 16)
    Traceback (most recent call last):
        ...
    FloatingPointError: epoch 3, batch 17: loss is nan (lower the learning rate, ...)
    """
    if not math.isfinite(value):
        raise FloatingPointError(f"epoch {epoch + 1}, batch {batch + 1}: loss is {value} "
                                 "(lower the learning rate, check the inputs for nan/inf, "
                                 "or use a loss computed from logits)")


def progress_bar(total: int, verbose: bool, desc: str):
    """A tqdm bar of ``total`` steps when ``verbose`` and tqdm is installed, else None.

    Examples
    --------
    >>> progress_bar(10, False, "epoch 1/3") is None
    True
    """
    if not verbose:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional: fit prints one line per epoch instead
        return None
    return tqdm(total=total, desc=desc, leave=False)
