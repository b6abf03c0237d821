r"""The training loop for torch modules: the explicit PyTorch loop behind a Keras-like ``fit``.

Chapter :ref:`ch-pytorch-models` writes the loop out by hand first; :func:`fit` is that loop
with validation, metrics, callbacks and a progress bar added, and computes the same weights as
the hand-written loop given the same seed (a test holds it to that).

Conventions are torch's: a loss is called ``loss_fn(output, target)`` (any ``nn.Module`` loss
such as ``nn.CrossEntropyLoss()``, or a function), and so is a metric.  Several inputs are given
as a tuple ``x = (x1, x2, ...)`` and passed as ``model(x1, x2, ...)``; several targets as a
tuple ``y = (y1, y2)``, handed to the loss as that tuple (see
:func:`dlbook.nn.examples.ticket_model_torch.ticket_loss`).

See Also
--------
dlbook.nn.training.fit : the NumPy twin (same arguments, same History).
dlbook.nn.callbacks : callbacks shared by both loops.
dlbook.nn.training_loop : the argument checks and callback plumbing both loops share.
"""

from __future__ import annotations

import torch

from dlbook._checks import boolean, int_value, positive_int, probability
from dlbook.nn.callbacks import History, TrainingContext
from dlbook.nn.checkpoint_torch import save_checkpoint
from dlbook.nn.training_loop import (
    check_finite_loss,
    check_fit_args,
    progress_bar,
    run_callbacks,
    start_callbacks,
)

__all__ = ["accuracy_from_logits", "split_validation", "batch_indices", "fit", "evaluate",
           "predict"]

# NumPy names this twin leaves out, and why (tests/test_house.py checks the list).
__twin_omits__ = {
    "cross_entropy_value_and_grad": "autograd differentiates torch.nn.CrossEntropyLoss()",
    "mse_value_and_grad": "autograd differentiates torch.nn.MSELoss()",
}


def accuracy_from_logits(logits, target) -> float:
    """Fraction of rows whose largest logit is the target class (torch argument order).

    Examples
    --------
    >>> accuracy_from_logits(torch.tensor([[2.0, 1.0], [0.0, 3.0]]), torch.tensor([0, 0]))
    0.5
    """
    if logits.ndim != 2 or target.shape != logits.shape[:1]:
        raise ValueError(f"accuracy needs logits (N, C) and targets (N,); got "
                         f"{tuple(logits.shape)} and {tuple(target.shape)}")
    return (logits.argmax(dim=1) == target).float().mean().item()


def _as_tuple(t):
    return tuple(t) if isinstance(t, (tuple, list)) else (t,)


def _rows(xs, ys):
    n = len(xs[0])
    for name, group in (("x", xs), ("y", ys)):
        for i, t in enumerate(group):
            if not isinstance(t, torch.Tensor):
                raise TypeError(f"{name}[{i}] must be a torch.Tensor, got {type(t).__name__}")
            if len(t) != n:
                raise ValueError(f"{name}[{i}] has {len(t)} rows but x[0] has {n}")
    if n == 0:
        raise ValueError("x is empty")
    return n


def _pack(group, like):
    """A single tensor when the caller gave one, else the tuple."""
    return group if isinstance(like, (tuple, list)) else group[0]


def split_validation(x, y, validation_split):
    """Keras' ``validation_split`` for tensors (or tuples of tensors): the last fraction of rows.

    Examples
    --------
    >>> (xt, yt), (xv, yv) = split_validation(torch.arange(10), torch.arange(10), 0.2)
    >>> xv
    tensor([8, 9])
    """
    probability(validation_split, "validation_split", low_open=True, high_open=True)
    xs, ys = _as_tuple(x), _as_tuple(y)
    n = _rows(xs, ys)
    k = int(n * validation_split)
    if k == 0 or k == n:
        raise ValueError(f"validation_split={validation_split} leaves {n - k} training and {k} "
                         f"validation rows out of {n}")
    head = lambda g: tuple(t[:n - k] for t in g)  # noqa: E731
    tail = lambda g: tuple(t[n - k:] for t in g)  # noqa: E731
    return ((_pack(head(xs), x), _pack(head(ys), y)), (_pack(tail(xs), x), _pack(tail(ys), y)))


def batch_indices(n, batch_size, shuffle=True, rng=None) -> list[torch.Tensor]:
    """Split ``range(n)`` into mini-batches of ``batch_size`` (the last one may be smaller).

    With ``shuffle`` the order is ``torch.randperm(n, generator=rng)``; ``rng`` is a
    ``torch.Generator`` or a seed (the NumPy twin takes NumPy's).

    See Also
    --------
    dlbook.nn.training.batch_indices

    Examples
    --------
    >>> [b.tolist() for b in batch_indices(5, 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    n, batch_size = int_value(n, "n", low=0), positive_int(batch_size, "batch_size")
    if isinstance(rng, int) and not isinstance(rng, bool):
        rng = torch.Generator().manual_seed(int_value(rng, "rng", low=0))
    order = torch.randperm(n, generator=rng) if boolean(shuffle, "shuffle") else torch.arange(n)
    return list(order.split(batch_size))


def _model_device(model, device):
    if device is not None:
        return torch.device(device)
    p = next(iter(model.parameters()), None)
    return p.device if p is not None else torch.device("cpu")


@torch.no_grad()
def predict(model, x, batch_size=256, device=None):
    """Outputs of ``model`` for ``x`` (tensor or tuple of tensors) in eval mode, on the CPU.

    Parameters
    ----------
    model : torch.nn.Module
        Its train/eval mode is restored afterwards.
    x : Tensor of N rows, or tuple of such Tensors
        Several inputs go to ``model(*x)``.
    batch_size : int, default 256
    device : torch.device or str, optional
        Where the batches are computed; defaults to the device of the model's first parameter.

    Returns
    -------
    Tensor or tuple of Tensors
        The outputs, concatenated over batches and moved to the CPU (a tuple when the model
        returns several outputs).

    See Also
    --------
    dlbook.nn.training.predict, :ref:`ch-pytorch-models`

    Examples
    --------
    >>> model = torch.nn.Linear(2, 1)
    >>> with torch.no_grad():
    ...     _ = model.weight.copy_(torch.tensor([[1.0, 2.0]])), model.bias.fill_(0.5)
    >>> predict(model, torch.tensor([[1.0, 1.0], [2.0, 0.0], [0.0, -1.0]]), batch_size=2)
    tensor([[ 3.5000],
            [ 2.5000],
            [-1.5000]])
    """
    batch_size = positive_int(batch_size, "batch_size")
    xs = _as_tuple(x)
    _rows(xs, ())
    device = _model_device(model, device)
    was_training = model.training
    model.eval()
    try:
        outs = []
        for i in range(0, len(xs[0]), batch_size):
            out = model(*(t[i:i + batch_size].to(device) for t in xs))
            outs.append(tuple(o.cpu() for o in _as_tuple(out)))
        cat = tuple(torch.cat(parts) for parts in zip(*outs))
        return cat if len(cat) > 1 else cat[0]
    finally:
        model.train(was_training)


@torch.no_grad()
def evaluate(model, loss_fn, x, y, batch_size=256, metrics=None, device=None) -> dict:
    """Mean loss (batch-size weighted) and metrics of ``model`` on ``(x, y)`` in eval mode.

    Examples
    --------
    >>> model = torch.nn.Linear(1, 1)
    >>> _ = torch.nn.init.zeros_(model.weight), torch.nn.init.zeros_(model.bias)
    >>> evaluate(model, torch.nn.MSELoss(), torch.ones(4, 1), torch.full((4, 1), 2.0))
    {'loss': 4.0}
    """
    device, batch_size = _model_device(model, device), positive_int(batch_size, "batch_size")
    xs, ys = _as_tuple(x), _as_tuple(y)
    n = _rows(xs, ys)
    was_training = model.training
    model.eval()
    try:
        total, outs = 0.0, []
        for i in range(0, n, batch_size):
            xb = [t[i:i + batch_size].to(device) for t in xs]
            yb = _pack(tuple(t[i:i + batch_size].to(device) for t in ys), y)
            out = model(*xb)
            total += float(loss_fn(out, yb)) * len(xb[0])
            outs.append(tuple(o.cpu() for o in _as_tuple(out)))
        logs = {"loss": total / n}
        if metrics:
            out = tuple(torch.cat(parts) for parts in zip(*outs))
            out = out if len(out) > 1 else out[0]
            for name, fn in metrics.items():
                logs[name] = float(fn(out, y))
        return logs
    finally:
        model.train(was_training)


def _torch_context(model, optimizer):
    def set_lrs(lrs):
        if len(lrs) != len(optimizer.param_groups):
            raise ValueError(f"got {len(lrs)} learning rates for "
                             f"{len(optimizer.param_groups)} groups")
        for group, lr in zip(optimizer.param_groups, lrs):
            group["lr"] = float(lr)

    return TrainingContext(
        model, optimizer,
        get_lrs=lambda: [float(g["lr"]) for g in optimizer.param_groups], set_lrs=set_lrs,
        state_dict=lambda: {k: v.detach().clone() for k, v in model.state_dict().items()},
        load_state_dict=model.load_state_dict,
        save=lambda path, meta: save_checkpoint(path, model.state_dict(), meta))


def fit(model, loss_fn, optimizer, x, y, epochs, batch_size=32, validation_data=None,
        callbacks=(), shuffle=True, seed=0, metrics=None, validation_split=None,
        verbose=False, device=None) -> History:
    r"""Train a torch module with mini-batches: the explicit loop, plus validation and callbacks.

    Parameters
    ----------
    model : torch.nn.Module
        Already on its device; batches are moved there.
    loss_fn : callable
        ``loss_fn(output, target) -> scalar tensor`` (mean over the batch).
    optimizer : torch.optim.Optimizer
    x, y : Tensor or tuple of Tensors, each of N rows
        Several inputs go to ``model(*x)``; a tuple of targets goes to the loss as a tuple.
    epochs, batch_size, validation_data, callbacks, shuffle, metrics, validation_split, verbose
        As in :func:`dlbook.nn.training.fit`; metrics are ``fn(output, target) -> float``.
    seed : int, default 0
        Seeds a ``torch.Generator`` whose ``randperm`` orders each epoch.
    device : torch.device or str, optional
        Defaults to the device of the model's first parameter.

    Returns
    -------
    History

    Raises
    ------
    FloatingPointError
        ``"epoch 3, batch 17: loss is nan"`` when a batch loss is not finite.

    Notes
    -----
    Per batch: ``optimizer.zero_grad()``, ``loss = loss_fn(model(*xb), yb)``,
    ``loss.backward()``, ``optimizer.step()``; with ``shuffle`` the rows of epoch :math:`e` are
    visited in the order ``torch.randperm(N, generator=g)`` drawn from one generator seeded once.
    Learning-rate callbacks write ``optimizer.param_groups[i]["lr"]``.

    See Also
    --------
    dlbook.nn.training.fit, :ref:`ch-pytorch-models`

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> x = torch.randn(64, 1); y = 3 * x + 1
    >>> model = torch.nn.Linear(1, 1)
    >>> h = fit(model, torch.nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1), x, y,
    ...         epochs=30, batch_size=16)
    >>> round(model.weight.item(), 3), round(model.bias.item(), 3), h.history["loss"][-1] < 1e-6
    (3.0, 1.0, True)
    """
    callbacks, metrics = check_fit_args(epochs, callbacks, metrics)
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if validation_split is not None:
        if validation_data is not None:
            raise ValueError("give validation_data or validation_split, not both")
        (x, y), validation_data = split_validation(x, y, validation_split)
    xs, ys = _as_tuple(x), _as_tuple(y)
    n = _rows(xs, ys)
    batch_size = positive_int(batch_size, "batch_size")
    device = _model_device(model, device)
    gen = torch.Generator().manual_seed(int(seed))
    history, callbacks = start_callbacks(callbacks, _torch_context(model, optimizer))
    for epoch in range(epochs):
        run_callbacks(callbacks, "on_epoch_begin", epoch, {})
        model.train()
        lr = float(optimizer.param_groups[0]["lr"])
        batches = batch_indices(n, batch_size, shuffle, gen)
        bar = progress_bar(len(batches), verbose, f"epoch {epoch + 1}/{epochs}")
        sums = dict.fromkeys(["loss", *metrics], 0.0)
        for b, idx in enumerate(batches):
            xb = [t[idx].to(device) for t in xs]
            yb = _pack(tuple(t[idx].to(device) for t in ys), y)
            optimizer.zero_grad()
            out = model(*xb)
            loss = loss_fn(out, yb)
            value = loss.item()
            check_finite_loss(value, epoch, b)
            loss.backward()
            optimizer.step()
            sums["loss"] += value * len(idx)
            with torch.no_grad():
                for name, fn in metrics.items():
                    sums[name] += float(fn(out, yb)) * len(idx)
            run_callbacks(callbacks, "on_batch_end", b, {"loss": value})
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{value:.4f}")
        if bar is not None:
            bar.close()
        logs = {name: total / n for name, total in sums.items()}
        if validation_data is not None:
            val = evaluate(model, loss_fn, *validation_data, metrics=metrics, device=device)
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

