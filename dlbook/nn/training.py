r"""The training loop for NumPy models: Keras' ``fit`` written out (chapter
:ref:`ch-pytorch-models`).

A model here is anything that follows the layer protocol of :mod:`dlbook.nn.module`
(``forward``, ``backward``, ``parameters``, ``gradients``, ``train``/``eval``, ``state_dict``,
``load_state_dict``), typically a :class:`dlbook.nn.module.Sequential`.

A loss is a function ``loss_fn(output, target) -> (value, d_output)``: the mean loss over the
batch and its gradient with respect to the model's output, in torch's argument order;
:func:`cross_entropy_value_and_grad` and :func:`mse_value_and_grad` are ready-made. Metrics are
``fn(output, target) -> float``, as in the torch loop.

One epoch of :func:`fit`::

    for each mini-batch (x_b, y_b):              # shuffled once per epoch
        value, dout = loss_fn(model.forward(x_b), y_b)
        model.backward(dout)                      # fills the layers' grads
        optimizer.step(model.gradients())         # updates the parameters in place
    validation: loss and metrics on validation_data, model in eval mode

See Also
--------
dlbook.nn.training_torch.fit : the same loop for torch modules.
dlbook.nn.callbacks : EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, ...
dlbook.nn.training_loop : the argument checks and callback plumbing both loops share.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import boolean, generator, int_value, positive_int, probability
from dlbook.io import check_state_dict
from dlbook.nn.callbacks import History, TrainingContext
from dlbook.nn.checkpoint import save_checkpoint
from dlbook.nn.cross_entropy import cross_entropy_with_logits, cross_entropy_with_logits_grad
from dlbook.nn.losses import mse, mse_grad
from dlbook.nn.training_loop import (
    check_finite_loss,
    check_fit_args,
    progress_bar,
    run_callbacks,
    start_callbacks,
)

__all__ = ["cross_entropy_value_and_grad", "mse_value_and_grad", "accuracy_from_logits",
           "split_validation", "batch_indices", "fit", "evaluate", "predict"]


# -- losses and metrics --------------------------------------------------------------------------
def cross_entropy_value_and_grad(logits, target):
    r"""Softmax cross-entropy of ``logits`` and its gradient: :math:`(L, (\mathrm{softmax}(z) -
    y)/N)`.

    The loss of :func:`fit` for classification, in torch's argument order (``F.cross_entropy``
    takes ``(input, target)``); ``target`` holds class indices (N,) or one-hot rows (N, C), see
    :func:`dlbook.nn.cross_entropy.cross_entropy_with_logits`.

    Examples
    --------
    >>> value, d = cross_entropy_value_and_grad(np.zeros((1, 2)), np.array([0]))
    >>> round(value, 6), d   # ln 2; [1/2 - 1, 1/2]
    (0.693147, array([[-0.5,  0.5]]))
    """
    return cross_entropy_with_logits(target, logits), cross_entropy_with_logits_grad(target, logits)


def mse_value_and_grad(output, target):
    r"""Mean squared error and its gradient :math:`2(\hat y - y)/n`, torch's argument order.

    See :func:`dlbook.nn.losses.mse`; the loss of :func:`fit` for regression.

    Examples
    --------
    >>> mse_value_and_grad(np.array([1.0, 4.0]), np.array([1.0, 2.0]))   # (0 + 4) / 2; [0, 2*2/2]
    (2.0, array([0., 2.]))
    """
    return float(mse(target, output)), mse_grad(target, output)


def accuracy_from_logits(logits, target) -> float:
    """Fraction of rows whose largest logit is the target class (indices or one-hot rows).

    Examples
    --------
    >>> accuracy_from_logits(np.array([[2.0, 1.0], [0.0, 3.0], [5.0, 1.0]]), np.array([0, 1, 1]))
    0.6666666666666666
    """
    target, logits = np.asarray(target), np.asarray(logits)
    labels = target.argmax(axis=1) if target.ndim == 2 else target
    if logits.ndim != 2 or labels.shape != (logits.shape[0],):
        raise ValueError(f"accuracy needs logits (N, C) and targets (N,) or one-hot (N, C); got "
                         f"{logits.shape} and {target.shape}")
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
    probability(validation_split, "validation_split", low_open=True, high_open=True)
    n = _n_rows(x, y)
    k = int(n * validation_split)
    if k == 0 or k == n:
        raise ValueError(f"validation_split={validation_split} leaves {n - k} training and {k} "
                         f"validation rows out of {n}")
    return (x[:n - k], y[:n - k]), (x[n - k:], y[n - k:])


def batch_indices(n, batch_size, shuffle=True, rng=None) -> list[np.ndarray]:
    """Split ``range(n)`` into mini-batches of ``batch_size`` (the last one may be smaller).

    With ``shuffle`` the order is a fresh permutation drawn from ``rng`` (a
    ``numpy.random.Generator`` or a seed).

    See Also
    --------
    dlbook.nn.training_torch.batch_indices

    Examples
    --------
    >>> [b.tolist() for b in batch_indices(5, 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    n, batch_size = int_value(n, "n", low=0), positive_int(batch_size, "batch_size")
    order = generator(rng).permutation(n) if boolean(shuffle, "shuffle") else np.arange(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


# -- the loop -------------------------------------------------------------------------------------
def evaluate(model, loss_fn, x, y, batch_size=256, metrics=None) -> dict:
    """Mean loss and metrics of ``model`` on ``(x, y)`` in eval mode (batch-size weighted).

    Metrics are computed on the whole set's outputs.  The model's train/eval mode is restored.

    Examples
    --------
    >>> from dlbook.nn.linear import Linear
    >>> layer = Linear(1, 1, rng=0)
    >>> evaluate(layer, mse_value_and_grad, np.zeros((4, 1)), np.zeros((4, 1)))["loss"] >= 0
    True
    """
    was_training = getattr(model, "training", True)
    if hasattr(model, "eval"):
        model.eval()
    try:
        n = _n_rows(x, y)
        outs, total = [], 0.0
        for idx in batch_indices(n, positive_int(batch_size, "batch_size"), shuffle=False):
            out = model.forward(x[idx])
            total += loss_fn(out, y[idx])[0] * len(idx)
            outs.append(out)
        logs = {"loss": total / n}
        out = np.concatenate(outs)
        for name, fn in (metrics or {}).items():
            logs[name] = float(fn(out, y))
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
    x, batch_size = np.asarray(x), positive_int(batch_size, "batch_size")
    if len(x) == 0:
        raise ValueError("x is empty")
    was_training = getattr(model, "training", True)
    if hasattr(model, "eval"):
        model.eval()
    try:
        return np.concatenate([model.forward(x[i:i + batch_size])
                               for i in range(0, len(x), batch_size)])
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


def fit(model, loss_fn, optimizer, x, y, epochs, batch_size=32, validation_data=None,
        callbacks=(), shuffle=True, seed=0, metrics=None, validation_split=None,
        verbose=False) -> History:
    r"""Train a NumPy model with mini-batches; Keras' ``model.fit`` in about forty lines.

    Parameters
    ----------
    model : Sequential or any layer-protocol object
    loss_fn : callable
        ``loss_fn(output, target) -> (value, d_output)``, the mean loss of the batch and its
        gradient with respect to the output, e.g. :func:`cross_entropy_value_and_grad` (torch's
        argument order; the torch loop's loss returns a tensor instead and autograd finds the
        gradient).
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
        ``name -> fn(output, target) -> float``, e.g. ``{"accuracy": accuracy_from_logits}``;
        computed
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
    >>> opt = SGD(model.parameters(), lr=0.1)
    >>> h = fit(model, mse_value_and_grad, opt, x, y, epochs=30, batch_size=16)
    >>> np.round(model.state_dict()["0.weight"], 3), h.history["loss"][-1] < 1e-6
    (array([[3.]]), True)
    """
    callbacks, metrics = check_fit_args(epochs, callbacks, metrics)
    x, y = np.asarray(x), np.asarray(y)
    if validation_split is not None:
        if validation_data is not None:
            raise ValueError("give validation_data or validation_split, not both")
        (x, y), validation_data = split_validation(x, y, validation_split)
    n = _n_rows(x, y)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    history, callbacks = start_callbacks(callbacks, _numpy_context(model, optimizer))
    for epoch in range(epochs):
        run_callbacks(callbacks, "on_epoch_begin", epoch, {})
        model.train()
        lr = float(optimizer.hyper["lr"])
        batches = batch_indices(n, batch_size, shuffle, rng)
        bar = progress_bar(len(batches), verbose, f"epoch {epoch + 1}/{epochs}")
        sums = dict.fromkeys(["loss", *metrics], 0.0)
        for b, idx in enumerate(batches):
            out = model.forward(x[idx])
            value, dout = loss_fn(out, y[idx])
            check_finite_loss(value, epoch, b)
            model.backward(dout)
            optimizer.step(model.gradients())  # updates model.parameters() in place
            sums["loss"] += value * len(idx)
            for name, fn in metrics.items():
                sums[name] += float(fn(out, y[idx])) * len(idx)
            run_callbacks(callbacks, "on_batch_end", b, {"loss": value})
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{value:.4f}")
        if bar is not None:
            bar.close()
        logs = {name: total / n for name, total in sums.items()}
        if validation_data is not None:
            val = evaluate(model, loss_fn, *validation_data, metrics=metrics)
            logs.update({f"val_{k}": v for k, v in val.items()})
        logs["lr"] = lr
        if verbose:
            print(f"epoch {epoch + 1}/{epochs}: "
                  + ", ".join(f"{k}={v:.4g}" for k, v in logs.items()))
        run_callbacks(callbacks, "on_epoch_end", epoch, logs)
        if any(getattr(cb, "stop_training", False) for cb in callbacks):
            break
    run_callbacks(callbacks, "on_train_end", {})
    return history
