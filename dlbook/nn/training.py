r"""The training loop for NumPy models: Keras' ``fit`` written out (chapter :ref:`ch-pytorch-models`).

A model here is anything that follows the layer protocol of :mod:`dlbook.nn.module`
(``forward``, ``backward``, ``parameters``, ``gradients``, ``train``/``eval``, ``state_dict``,
``load_state_dict``), typically a :class:`dlbook.nn.module.Sequential`.

A loss is a function ``loss(y, out) -> (value, dout)``: the mean loss over the batch and its
gradient with respect to the model's output.  :func:`make_loss` builds one from a pair of
functions of :mod:`dlbook.nn.losses` / :mod:`dlbook.nn.cross_entropy`;
:func:`softmax_cross_entropy` and :func:`mse_loss` are ready-made.

One epoch of :func:`fit`::

    for each mini-batch (x_b, y_b):              # shuffled once per epoch
        value, dout = loss(y_b, model.forward(x_b))
        model.backward(dout)                      # fills the layers' grads
        optimizer.step(model.gradients())         # updates the parameters in place
    validation: loss and metrics on validation_data, model in eval mode

See Also
--------
dlbook.nn.training_torch.fit : the same loop for torch modules.
dlbook.nn.callbacks : EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, ...
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from dlbook.nn.callbacks import History, TrainingContext
from dlbook.nn.checkpoint import check_state_dict, save_checkpoint
from dlbook.nn.cross_entropy import cross_entropy_with_logits, cross_entropy_with_logits_grad
from dlbook.nn.losses import mse, mse_grad

__all__ = ["make_loss", "softmax_cross_entropy", "mse_loss", "accuracy_from_logits",
           "split_validation", "batch_indices", "fit", "evaluate", "predict"]


# -- losses and metrics --------------------------------------------------------------------------
def make_loss(value_fn, grad_fn):
    """Pair a loss and its gradient into one ``loss(y, out) -> (value, dout)`` function.

    Examples
    --------
    >>> loss = make_loss(mse, mse_grad)
    >>> loss(np.array([[1.0], [0.0]]), np.array([[3.0], [0.0]]))   # ((3-1)^2 + 0) / 2; 2*2/2
    (2.0, array([[2.],
           [0.]]))
    """
    if not (callable(value_fn) and callable(grad_fn)):
        raise TypeError("make_loss needs two callables: value_fn(y, out) and grad_fn(y, out)")

    def loss(y, out):
        return float(value_fn(y, out)), np.asarray(grad_fn(y, out))

    loss.__name__ = getattr(value_fn, "__name__", "loss")
    return loss


def softmax_cross_entropy(y, logits):
    r"""Softmax cross-entropy from logits and its gradient :math:`(\mathrm{softmax}(z) - y)/N`.

    ``y`` holds class indices (N,) or one-hot rows (N, C); see
    :func:`dlbook.nn.cross_entropy.cross_entropy_with_logits`.

    Examples
    --------
    >>> value, d = softmax_cross_entropy(np.array([0]), np.zeros((1, 2)))
    >>> round(value, 6), d   # ln 2; [1/2 - 1, 1/2]
    (0.693147, array([[-0.5,  0.5]]))
    """
    return cross_entropy_with_logits(y, logits), cross_entropy_with_logits_grad(y, logits)


def mse_loss(y, out):
    """Mean squared error and its gradient, :math:`2(\\hat y - y)/n` (see :func:`dlbook.nn.losses.mse`).

    Examples
    --------
    >>> mse_loss(np.array([1.0, 2.0]), np.array([1.0, 4.0]))   # (0 + 4) / 2; [0, 2*2/2]
    (2.0, array([0., 2.]))
    """
    return float(mse(y, out)), mse_grad(y, out)


def accuracy_from_logits(y, logits) -> float:
    """Fraction of rows whose largest logit is the true class (``y``: indices or one-hot).

    Examples
    --------
    >>> accuracy_from_logits(np.array([0, 1, 1]), np.array([[2.0, 1.0], [0.0, 3.0], [5.0, 1.0]]))
    0.6666666666666666
    """
    y, logits = np.asarray(y), np.asarray(logits)
    labels = y.argmax(axis=1) if y.ndim == 2 else y
    if logits.ndim != 2 or labels.shape != (logits.shape[0],):
        raise ValueError(f"accuracy needs logits (N, C) and labels (N,) or one-hot (N, C); got "
                         f"{logits.shape} and {y.shape}")
    return float(np.mean(logits.argmax(axis=1) == labels))


# -- data handling --------------------------------------------------------------------------------
def _n_rows(x, y):
    n = len(x)
    if len(y) != n:
        raise ValueError(f"x has {n} rows but y has {len(y)}")
    if n == 0:
        raise ValueError("x is empty")
    return n


def split_validation(x, y, validation_split):
    """Keras' ``validation_split``: the *last* fraction of the rows, taken before any shuffling.

    Parameters
    ----------
    x, y : ndarray
        Inputs and targets with the same number of rows N.
    validation_split : float in (0, 1)
        Fraction of the rows held out.

    Returns
    -------
    (x_train, y_train), (x_val, y_val)
        The first ``N - k`` rows and the last ``k = int(N * validation_split)`` rows (Keras
        rounds down the same way).

    Examples
    --------
    >>> (xt, yt), (xv, yv) = split_validation(np.arange(10), np.arange(10), 0.2)
    >>> xt, xv   # the last 20 %, not the first 80 %
    (array([0, 1, 2, 3, 4, 5, 6, 7]), array([8, 9]))
    """
    if isinstance(validation_split, bool) or not isinstance(validation_split, numbers.Real) \
            or not 0.0 < validation_split < 1.0:
        raise ValueError(f"validation_split must lie in (0, 1), got {validation_split!r}")
    n = _n_rows(x, y)
    k = int(n * validation_split)
    if k == 0 or k == n:
        raise ValueError(f"validation_split={validation_split} leaves {n - k} training and {k} "
                         f"validation rows out of {n}")
    return (x[:n - k], y[:n - k]), (x[n - k:], y[n - k:])


def batch_indices(n, batch_size, shuffle=True, rng=None) -> list[np.ndarray]:
    """Split ``range(n)`` into mini-batches of ``batch_size`` (the last one may be smaller).

    With ``shuffle`` the order is a fresh permutation from ``rng`` (``numpy.random.Generator``).

    Examples
    --------
    >>> [b.tolist() for b in batch_indices(5, 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    order = rng.permutation(n) if shuffle else np.arange(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def _check_finite(value, epoch, batch):
    if not math.isfinite(value):
        raise FloatingPointError(f"epoch {epoch + 1}, batch {batch + 1}: loss is {value} "
                                 "(lower the learning rate, check the inputs for nan/inf, "
                                 "or use a loss computed from logits)")


def _progress(total, verbose, desc):
    if not verbose:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional: print one line per epoch instead
        return None
    return tqdm(total=total, desc=desc, leave=False)


def _run_callbacks(callbacks, hook, *args):
    for cb in callbacks:
        getattr(cb, hook)(*args)


def _start_callbacks(callbacks, context) -> tuple[History, list]:
    """Put a fresh History first, hand every callback the context, run on_train_begin."""
    history = History()
    callbacks = [history] + list(callbacks)
    for cb in callbacks:
        if hasattr(cb, "set_context"):
            cb.set_context(context)
        cb.stop_training = False
    _run_callbacks(callbacks, "on_train_begin", {})
    return history, callbacks


# -- the loop -------------------------------------------------------------------------------------
def evaluate(model, loss, x, y, batch_size=256, metrics=None) -> dict:
    """Mean loss and metrics of ``model`` on ``(x, y)`` in eval mode (batch-size weighted).

    Metrics are computed on the whole set's outputs.  The model's train/eval mode is restored.

    Examples
    --------
    >>> from dlbook.nn.linear import Linear
    >>> evaluate(Linear(1, 1, rng=0), mse_loss, np.zeros((4, 1)), np.zeros((4, 1)))["loss"] >= 0
    True
    """
    was_training = getattr(model, "training", True)
    if hasattr(model, "eval"):
        model.eval()
    try:
        n = _n_rows(x, y)
        outs, total = [], 0.0
        for idx in batch_indices(n, batch_size, shuffle=False):
            out = model.forward(x[idx])
            total += loss(y[idx], out)[0] * len(idx)
            outs.append(out)
        logs = {"loss": total / n}
        out = np.concatenate(outs)
        for name, fn in (metrics or {}).items():
            logs[name] = float(fn(y, out))
        return logs
    finally:
        if hasattr(model, "train"):
            model.train(was_training)


def predict(model, x, batch_size=256) -> np.ndarray:
    """The model's outputs for ``x`` in eval mode, computed batch by batch.

    Parameters
    ----------
    model : layer-protocol object
        Anything with ``forward``; its train/eval mode is restored afterwards.
    x : ndarray of shape (N, ...)
    batch_size : int, default 256
        Rows per forward pass (the result does not depend on it in eval mode).

    Returns
    -------
    ndarray of shape (N, ...)
        The outputs of the batches, concatenated in order.

    See Also
    --------
    dlbook.nn.training_torch.predict, :ref:`ch-pytorch-models`

    Examples
    --------
    >>> from dlbook.nn.linear import Linear
    >>> layer = Linear(2, 1, rng=0)
    >>> layer.params["weight"][...] = [[1.0, 2.0]]; layer.params["bias"][...] = 0.5
    >>> predict(layer, np.array([[1.0, 1.0], [2.0, 0.0], [0.0, -1.0]]), batch_size=2)
    array([[ 3.5],
           [ 2.5],
           [-1.5]])
    """
    x = np.asarray(x)
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    if len(x) == 0:
        raise ValueError("x is empty")
    was_training = getattr(model, "training", True)
    if hasattr(model, "eval"):
        model.eval()
    try:
        return np.concatenate([model.forward(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])
    finally:
        if hasattr(model, "train"):
            model.train(was_training)


def _numpy_context(model, optimizer):
    def set_lrs(lrs):
        if len(lrs) != 1:
            raise ValueError(f"a NumPy optimizer has one learning rate, got {lrs}")
        optimizer.hyper["lr"] = float(lrs[0])

    def load(state):
        check_state_dict(state, model.state_dict(), "state_dict")
        model.load_state_dict(state)

    return TrainingContext(
        model, optimizer, get_lrs=lambda: [float(optimizer.hyper["lr"])], set_lrs=set_lrs,
        state_dict=model.state_dict, load_state_dict=load,
        save=lambda path, meta: save_checkpoint(path, model.state_dict(), meta))


def _check_fit_args(epochs, callbacks, metrics):
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    callbacks = list(callbacks)
    for cb in callbacks:
        if not hasattr(cb, "on_epoch_end"):
            raise TypeError(f"{cb!r} is not a Callback (it has no on_epoch_end)")
    metrics = dict(metrics or {})
    for name, fn in metrics.items():
        if not callable(fn):
            raise TypeError(f"metric {name!r} is not callable")
    return callbacks, metrics


def fit(model, loss, optimizer, x, y, epochs, batch_size=32, validation_data=None,
        callbacks=(), shuffle=True, seed=0, metrics=None, validation_split=None,
        verbose=False) -> History:
    r"""Train a NumPy model with mini-batches; Keras' ``model.fit`` in about forty lines.

    Parameters
    ----------
    model : Sequential or any layer-protocol object
    loss : callable
        ``loss(y_batch, out) -> (value, dout)``, e.g. :func:`softmax_cross_entropy`.
    optimizer : dlbook.nn.optim.Optimizer
        Built on ``model.parameters()``; ``optimizer.step(model.gradients())`` updates them.
    x : ndarray of shape (N, ...)
    y : ndarray of shape (N, ...)
    epochs : int
        Passes over the training data.
    batch_size : int, default 32
    validation_data : (x_val, y_val), optional
        Scored after every epoch (``val_loss``, ``val_<metric>``), model in eval mode.
    callbacks : sequence of Callback
    shuffle : bool, default True
        A new order of the rows every epoch.
    seed : int or numpy.random.Generator, default 0
        Source of the shuffling.
    metrics : dict of str to callable, optional
        ``name -> fn(y, out) -> float``, e.g. ``{"accuracy": accuracy_from_logits}``; computed
        on each epoch's training batches (batch-size weighted mean) and on the validation set.
    validation_split : float, optional
        Instead of ``validation_data``: hold out the last fraction of the rows
        (:func:`split_validation`, Keras' rule).
    verbose : bool, default False
        Show a tqdm progress bar per epoch (if tqdm is installed).

    Returns
    -------
    History
        ``history.history`` maps ``"loss"``, ``"val_loss"``, each metric (and ``"val_"`` +
        metric) and ``"lr"`` (the rate used during the epoch) to per-epoch lists.

    Raises
    ------
    FloatingPointError
        When a batch's loss is nan or infinite, naming the epoch and batch (1-based), e.g.
        ``"epoch 3, batch 17: loss is nan"``.
    ValueError, TypeError
        For inconsistent data or arguments.

    Notes
    -----
    The epoch's ``loss`` is :math:`\frac{1}{N}\sum_b |B_b|\,L_b`, the batch losses weighted by
    batch size, computed while the weights change (as Keras reports it).  Parameters are
    updated through the optimizer; if it returns new arrays instead of updating in place, they
    are copied into the model's arrays, so both optimizer APIs work.

    See Also
    --------
    dlbook.nn.training_torch.fit, :ref:`ch-pytorch-models`

    Examples
    --------
    >>> from dlbook.nn.linear import Linear
    >>> from dlbook.nn.module import Sequential
    >>> from dlbook.nn.optim import SGD
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(64, 1)); y = 3 * x + 1
    >>> model = Sequential(Linear(1, 1, rng=0))
    >>> h = fit(model, mse_loss, SGD(model.parameters(), lr=0.1), x, y, epochs=30, batch_size=16)
    >>> np.round(model.state_dict()["0.weight"], 3), h.history["loss"][-1] < 1e-6
    (array([[3.]]), True)
    """
    callbacks, metrics = _check_fit_args(epochs, callbacks, metrics)
    x, y = np.asarray(x), np.asarray(y)
    if validation_split is not None:
        if validation_data is not None:
            raise ValueError("give validation_data or validation_split, not both")
        (x, y), validation_data = split_validation(x, y, validation_split)
    n = _n_rows(x, y)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    history, callbacks = _start_callbacks(callbacks, _numpy_context(model, optimizer))
    for epoch in range(epochs):
        _run_callbacks(callbacks, "on_epoch_begin", epoch, {})
        model.train()
        lr = float(optimizer.hyper["lr"])
        batches = batch_indices(n, batch_size, shuffle, rng)
        bar = _progress(len(batches), verbose, f"epoch {epoch + 1}/{epochs}")
        sums = dict.fromkeys(["loss", *metrics], 0.0)
        for b, idx in enumerate(batches):
            out = model.forward(x[idx])
            value, dout = loss(y[idx], out)
            _check_finite(value, epoch, b)
            model.backward(dout)
            optimizer.step(model.gradients())  # updates model.parameters() in place
            sums["loss"] += value * len(idx)
            for name, fn in metrics.items():
                sums[name] += float(fn(y[idx], out)) * len(idx)
            _run_callbacks(callbacks, "on_batch_end", b, {"loss": value})
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{value:.4f}")
        if bar is not None:
            bar.close()
        logs = {name: total / n for name, total in sums.items()}
        if validation_data is not None:
            val = evaluate(model, loss, *validation_data, metrics=metrics)
            logs.update({f"val_{k}": v for k, v in val.items()})
        logs["lr"] = lr
        if verbose:
            print(f"epoch {epoch + 1}/{epochs}: " + ", ".join(f"{k}={v:.4g}" for k, v in logs.items()))
        _run_callbacks(callbacks, "on_epoch_end", epoch, logs)
        if any(getattr(cb, "stop_training", False) for cb in callbacks):
            break
    _run_callbacks(callbacks, "on_train_end", {})
    return history
