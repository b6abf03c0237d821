r"""TensorFlow Playground in a few lines of PyTorch: train small MLPs on the toy sets of
:mod:`dlbook.data.synthetic` and keep their loss curves and decision boundaries
(chapter :ref:`ch-playground`).

:func:`train` follows the Playground's rules: a network of dense layers with one activation
for every hidden unit, a ``tanh`` output for classification (labels as -1/+1) and a linear
output for regression, the loss :math:`\frac12(\hat y - t)^2` averaged over a mini-batch,
plain SGD, weights drawn from :math:`U(-0.5, 0.5)`, biases starting at 0.1, and an optional
L1 or L2 penalty on the weights (not the biases).

To average over seeds and sweep learning rates cheaply, :func:`train` trains ``R``
independent networks at once (:class:`dlbook.nn.examples.stacked_mlp_torch.StackedMLP`). The
runs never mix: the loss that is differentiated is the sum of the runs' losses, and run
``r``'s parameters only enter run ``r``'s loss.

:func:`train` is three steps a reader can run alone: :func:`playground_data` draws the data
set and splits it, :func:`sgd_epoch` makes one pass of mini-batch SGD over it for every run,
and :func:`evaluate_runs` measures each run's loss and accuracy; :func:`train` checks its
arguments, records the curves after every epoch and returns a :class:`PlaygroundResult`.

See Also
--------
dlbook.data.synthetic : the data sets and the seven input features.
dlbook.nn.examples.playground_plot : draws a run's decision boundary in the Playground's colours.
"""

from __future__ import annotations

import numbers
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch

from dlbook._checks import int_value, one_of, positive_int, probability, real_array
from dlbook.data.synthetic import CLASSIFICATION, DATASETS, make_dataset, playground_features
from dlbook.nn.examples.stacked_mlp_torch import ACTIVATIONS, StackedMLP
from dlbook.utils import get_device

__all__ = ["PlaygroundData", "PlaygroundResult", "playground_data", "sgd_epoch",
           "evaluate_runs", "train"]

LIMIT = 6.0  # the Playground shows and samples the square [-6, 6]^2


@dataclass
class PlaygroundResult:
    r"""What :func:`train` returns. ``R`` runs, ``E`` epochs, a ``G x G`` grid.

    Losses are the Playground's: the mean of :math:`\frac12(\hat y - t)^2` over a set, without
    the penalty. Accuracies are NaN for regression. Index 0 of a curve is before training.
    """

    dataset: str
    features: tuple
    hidden: tuple
    activation: str
    batch_size: int
    seeds: np.ndarray  # (R,)
    lr: np.ndarray  # (R,)
    l1: np.ndarray  # (R,)
    l2: np.ndarray  # (R,)
    train_loss: np.ndarray  # (R, E + 1)
    test_loss: np.ndarray  # (R, E + 1)
    train_acc: np.ndarray  # (R, E + 1)
    test_acc: np.ndarray  # (R, E + 1)
    grid: np.ndarray  # (G,) coordinates along each axis
    grid_out: np.ndarray  # (R, G, G) network output, [i, j] at (x1 = grid[j], x2 = grid[i])
    snapshots: dict  # epoch -> (R, G, G) grid output after that epoch
    X_train: np.ndarray  # (N_train, 2) the points (before feature expansion)
    y_train: np.ndarray  # (N_train,)
    X_test: np.ndarray  # (N_test, 2)
    y_test: np.ndarray  # (N_test,)
    model: StackedMLP = field(repr=False)


@dataclass(frozen=True)
class PlaygroundData:
    """A Playground data set split into training and test points (:func:`playground_data`).

    ``X_*`` are the points (N, 2); ``y_*`` the labels (0/1) or regression targets; ``t_*`` the
    targets the network fits (labels mapped to -1/+1); ``regression`` says which kind.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    t_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    t_test: np.ndarray
    regression: bool


def playground_data(dataset="circles", noise=0.0, n_samples=500, train_fraction=0.5,
                    data_seed=0) -> PlaygroundData:
    """Step 1: draw a data set of :mod:`dlbook.data.synthetic`, shuffle it and split it.

    Parameters
    ----------
    dataset : {"gaussians", "circles", "xor", "spiral", "plane"}
    noise, n_samples, data_seed : float, int, int
        ``n_samples`` points drawn with ``noise`` by a generator seeded with ``data_seed``.
    train_fraction : float in (0, 1)
        Share of points used for training (the Playground's default is half).

    Returns
    -------
    PlaygroundData

    Examples
    --------
    >>> data = playground_data("xor", n_samples=10)
    >>> data.X_train.shape, data.X_test.shape, sorted(set(data.t_train.tolist()))
    ((5, 2), (5, 2), [-1.0, 1.0])
    """
    one_of(dataset, "dataset", DATASETS)
    probability(train_fraction, "train_fraction", low_open=True, high_open=True)
    rng = np.random.default_rng(data_seed)
    X, y = make_dataset(dataset, n_samples, noise, rng)
    order = rng.permutation(len(X))
    X, y = X[order], y[order]
    n_train = int(round(train_fraction * len(X)))
    if not 1 <= n_train < len(X):
        raise ValueError(f"train_fraction={train_fraction} leaves an empty set with "
                         f"n_samples={n_samples}")
    regression = dataset not in CLASSIFICATION
    target = y.astype(np.float64) if regression else 2.0 * y - 1.0  # labels 0/1 -> -1/+1
    return PlaygroundData(X[:n_train], y[:n_train], target[:n_train], X[n_train:], y[n_train:],
                          target[n_train:], regression)


def sgd_epoch(model, x, t, lr, batch_size, generators, l1=None, l2=None) -> None:
    r"""Step 2: one epoch of mini-batch SGD for every run of ``model``, updating it in place.

    Each run visits the points in its own new order (drawn from its generator) and takes
    :math:`\lceil N/B\rceil` steps on :math:`\frac{1}{|B|}\sum_{i\in B}\tfrac12(\hat y_i -
    t_i)^2` plus the optional penalties :math:`\lambda_1\sum|W|` and
    :math:`\tfrac{\lambda_2}{2}\sum W^2` on the weights (not the biases).

    Parameters
    ----------
    model : StackedMLP
        ``R`` runs.
    x : Tensor of shape (N, F)
        Training inputs (the features).
    t : Tensor of shape (N,)
        Targets.
    lr : Tensor of shape (R,)
        Each run's learning rate.
    batch_size : int
    generators : list of R torch.Generator
        The runs' shuffles.
    l1, l2 : Tensor of shape (R,), optional
        Each run's penalty strengths (None: no penalty).

    Examples
    --------
    >>> net = StackedMLP(2, 2, (), "tanh", False, seeds=[0, 1])
    >>> x, t = torch.randn(8, 2), torch.ones(8)
    >>> before = 0.5 * ((net(x) - t) ** 2).mean().item()
    >>> gens = [torch.Generator().manual_seed(s) for s in (0, 1)]
    >>> sgd_epoch(net, x, t, torch.full((2,), 0.1), batch_size=4, generators=gens)
    >>> 0.5 * ((net(x) - t) ** 2).mean().item() < before
    True
    """
    params, n = list(model.parameters()), len(x)
    perm = torch.stack([torch.randperm(n, generator=g) for g in generators]).to(x.device)
    xs, ts = x[perm], t[perm]  # (R, N, F), (R, N): each run in its own order
    lr = lr.view(-1, 1, 1)
    for start in range(0, n, batch_size):
        out = model(xs[:, start:start + batch_size])  # (R, B)
        loss = 0.5 * ((out - ts[:, start:start + batch_size]) ** 2).mean(dim=1)  # (R,)
        if l1 is not None:
            loss = loss + l1 * sum(w.abs().sum(dim=(1, 2)) for w in model.weights)
        if l2 is not None:
            loss = loss + 0.5 * l2 * sum((w**2).sum(dim=(1, 2)) for w in model.weights)
        grads = torch.autograd.grad(loss.sum(), params)  # runs are independent: sum is fine
        with torch.no_grad():
            for p, g in zip(params, grads):
                p.addcmul_(lr, g, value=-1.0)  # p -= lr * g: plain SGD, each run its own lr


@torch.no_grad()
def evaluate_runs(model, x, t, regression) -> tuple[np.ndarray, np.ndarray]:
    r"""Step 3: each run's loss :math:`\text{mean}\,\tfrac12(\hat y - t)^2` and accuracy.

    Returns two arrays of shape (R,); the accuracy (sign of the output against the sign of
    the target) is NaN for regression.

    Examples
    --------
    >>> net = StackedMLP(1, 2, (), "tanh", False, seeds=[0], dtype=torch.float64)
    >>> with torch.no_grad():
    ...     _ = [p.zero_() for p in net.parameters()]
    >>> x, t = torch.zeros(4, 2, dtype=torch.float64), torch.ones(4, dtype=torch.float64)
    >>> evaluate_runs(net, x, t, regression=False)   # output 0: loss (0 - 1)^2 / 2
    (array([0.5]), array([1.]))
    """
    out = model(x)  # (R, N)
    loss = (0.5 * (out - t) ** 2).mean(dim=1).cpu().numpy()
    if regression:
        return loss, np.full(len(loss), np.nan)
    return loss, ((out >= 0) == (t > 0)).to(out.dtype).mean(dim=1).cpu().numpy()


@contextmanager
def _one_cpu_thread(device):
    """Networks this small train fastest on one CPU thread (more threads only add waiting,
    badly so on a busy machine); the previous setting comes back afterwards."""
    threads = torch.get_num_threads()
    if device.type == "cpu":
        torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _per_run(values, name, positive):
    """A number or a 1-D sequence of them, one per run, as a float64 array."""
    arr = np.atleast_1d(real_array(values, name, nonempty=True, finite=True)).astype(float)
    if arr.ndim != 1 or np.any(arr <= 0 if positive else arr < 0):
        raise ValueError(f"{name} must be a number or a 1-D sequence of numbers "
                         f"{'> 0' if positive else '>= 0'}, got {values!r}")
    return arr


def _runs(seeds, lr, l1, l2):
    """Broadcast the per-run settings to one length R."""
    seed_list = [seeds] if isinstance(seeds, numbers.Integral) else list(seeds)
    seed_arr = np.array([int_value(s, "every seed", low=0) for s in seed_list], dtype=np.int64)
    if seed_arr.size == 0:
        raise ValueError("seeds must not be empty")
    lrs, l1s, l2s = _per_run(lr, "lr", True), _per_run(l1, "l1", False), _per_run(l2, "l2", False)
    try:
        return np.broadcast_arrays(seed_arr, lrs, l1s, l2s)
    except ValueError:
        raise ValueError(f"seeds, lr, l1 and l2 must have length 1 or one common length, got "
                         f"lengths {len(seed_list)}, {np.size(lr)}, {np.size(l1)}, "
                         f"{np.size(l2)}") from None


def train(dataset="circles", *, hidden=(4, 2), activation="tanh", features=("x1", "x2"),
          lr=0.03, batch_size=10, l1=0.0, l2=0.0, epochs=100, seeds=0, noise=0.0,
          n_samples=500, train_fraction=0.5, data_seed=0, grid_size=50, snapshots=(),
          dtype=torch.float32, device=None):
    r"""Train Playground-style MLPs with mini-batch SGD and return curves and boundaries.

    Parameters
    ----------
    dataset : {"gaussians", "circles", "xor", "spiral", "plane"}
        See :mod:`dlbook.data.synthetic`; ``"plane"`` is regression.
    hidden : sequence of int
        Hidden-layer widths, e.g. ``(4, 2)`` (the Playground's default); ``()`` for none.
    activation : {"tanh", "relu", "sigmoid", "linear"}
        Activation of the hidden units.
    features : sequence of str
        Input features, see :func:`dlbook.data.synthetic.playground_features`.
    lr, l1, l2 : float or sequence of float
        Learning rate (> 0) and penalty strengths (>= 0). A sequence gives each run its own value.
    batch_size : int
        Examples per update, 1 to the size of the training set. A last, smaller batch is used
        as it is.
    epochs : int
        Passes over the training set (>= 0); each pass visits the points in a new order.
    seeds : int or sequence of int
        Seeds of the runs' initial weights and shuffles. ``seeds``, ``lr``, ``l1`` and ``l2``
        broadcast to one length ``R``, the number of networks trained side by side. Runs with
        the same seed start from the same weights.
    noise, n_samples, data_seed : float, int, int
        The data set (the same for every run): ``n_samples`` points drawn with
        ``noise`` by a generator seeded with ``data_seed``, then shuffled.
    train_fraction : float
        Share of points used for training (the Playground's default is half); the rest is the
        test set.
    grid_size : int
        ``G``: the decision grid has ``G x G`` points on :math:`[-6, 6]^2`.
    snapshots : sequence of int
        Epochs (0 to ``epochs``) after which the grid output is also kept, to watch the boundary
        form.
    dtype : torch.dtype
        ``torch.float32`` (fast) or ``torch.float64``.
    device : str or torch.device, optional
        Defaults to :func:`dlbook.utils.get_device`.

    Returns
    -------
    PlaygroundResult
        Loss and accuracy curves of shape ``(R, epochs + 1)``, the grid output ``(R, G, G)``
        after training and at each snapshot epoch, the data, and the trained :class:`StackedMLP`.

    Raises
    ------
    ValueError
        For an unknown data set, activation or feature; a non-positive learning rate, a
        negative penalty, a batch size outside ``[1, N_train]``, a hidden width below 1, per-run
        sequences whose lengths do not broadcast, or a ``train_fraction`` that leaves a set
        empty.
    TypeError
        For a non-integer ``batch_size``, ``epochs``, width, seed or ``grid_size``.

    Notes
    -----
    For a mini-batch :math:`B` of run :math:`r` with targets :math:`t_i \in \{-1, 1\}`
    (classification; label 0 maps to -1) or :math:`t_i = y_i` (regression), the update is

    .. math::
        \theta_r \leftarrow \theta_r - \eta_r \nabla_{\theta_r}\Big[\frac{1}{|B|}\sum_{i\in B}
        \tfrac12\big(\hat y_r(x_i) - t_i\big)^2 + \lambda_{1,r}\sum_{W}\lvert W\rvert
        + \tfrac{\lambda_{2,r}}{2}\sum_{W} W^2\Big],

    the sums over all weights :math:`W` (not the biases). This is the Playground's update with
    one exception: its L1 step also sets a weight that crosses zero to exactly 0 and freezes
    it, which plain (sub)gradient descent does not do. Keras's ``l2(lam)`` penalty is
    :math:`\lambda\sum W^2`, so the Playground's L2 rate :math:`\lambda_2` equals Keras's
    :math:`2\lambda`.

    See Also
    --------
    playground_data, sgd_epoch, evaluate_runs : the three steps.
    dlbook.nn.examples.playground_plot.plot_run : draws one run's boundary.
    :ref:`ch-playground` : the chapter.

    Examples
    --------
    A network without hidden layers cannot separate XOR from :math:`(x_1, x_2)`; from the
    single feature :math:`x_1x_2` it can (three runs with different initial weights):

    >>> flat = train("xor", hidden=(), epochs=20, seeds=[0, 1, 2], device="cpu")
    >>> crossed = train("xor", hidden=(), features=["x1*x2"], epochs=20, seeds=[0, 1, 2],
    ...                 device="cpu")
    >>> flat.test_acc.shape
    (3, 21)
    >>> bool(flat.test_acc[:, -1].max() < 0.8), bool(crossed.test_acc[:, -1].min() > 0.95)
    (True, True)
    """
    one_of(activation, "activation", ACTIVATIONS)
    if isinstance(hidden, numbers.Integral):
        raise TypeError(f"hidden must be a sequence of widths such as (4, 2), got {hidden!r}")
    hidden = tuple(positive_int(h, "every hidden width") for h in hidden)
    epochs = int_value(epochs, "epochs", low=0)
    grid_size = int_value(grid_size, "grid_size", low=2)
    seed_arr, lrs, l1s, l2s = _runs(seeds, lr, l1, l2)
    snapshots = sorted({int_value(e, "every snapshot epoch", low=0) for e in snapshots})
    if snapshots and snapshots[-1] > epochs:
        raise ValueError(f"snapshot epochs must be <= epochs={epochs}, got {snapshots[-1]}")

    data = playground_data(dataset, noise, n_samples, train_fraction, data_seed)  # step 1
    n_train = len(data.X_train)
    batch_size = positive_int(batch_size, "batch_size")
    if batch_size > n_train:
        raise ValueError(f"batch_size={batch_size} exceeds the {n_train} training points")
    device = get_device(device) if not isinstance(device, torch.device) else device

    def tensor(a):
        return torch.as_tensor(a, dtype=dtype, device=device)

    x_train = tensor(playground_features(data.X_train, features))
    x_test = tensor(playground_features(data.X_test, features))
    t_train, t_test = tensor(data.t_train), tensor(data.t_test)
    grid = np.linspace(-LIMIT, LIMIT, grid_size)
    g1, g2 = np.meshgrid(grid, grid)  # (G, G), g1 varies along columns
    x_grid = tensor(playground_features(np.stack([g1.ravel(), g2.ravel()], axis=1), features))

    R = len(seed_arr)
    model = StackedMLP(R, x_train.shape[1], hidden, activation, data.regression,
                       seed_arr.tolist(), dtype, device)
    gens = [torch.Generator().manual_seed(int(s) + 1) for s in seed_arr]  # shuffles, one per run
    penalties = dict(l1=tensor(l1s) if l1s.any() else None, l2=tensor(l2s) if l2s.any() else None)
    curves = np.full((4, R, epochs + 1), np.nan)  # train loss, test loss, train acc, test acc
    kept = {}  # snapshot epoch -> (R, G, G) grid output

    def record(epoch):  # step 3 on both sets, and the grid output when asked for
        curves[0::2, :, epoch] = evaluate_runs(model, x_train, t_train, data.regression)
        curves[1::2, :, epoch] = evaluate_runs(model, x_test, t_test, data.regression)
        if epoch in snapshots or epoch == epochs:
            with torch.no_grad():
                kept[epoch] = model(x_grid).reshape(R, grid_size, grid_size).cpu().numpy()

    with _one_cpu_thread(device):
        record(0)
        for epoch in range(1, epochs + 1):
            sgd_epoch(model, x_train, t_train, tensor(lrs), batch_size, gens, **penalties)  # 2
            record(epoch)

    grid_out = kept[epochs] if epochs in snapshots else kept.pop(epochs)
    return PlaygroundResult(
        dataset=dataset, features=tuple(features), hidden=hidden, activation=activation,
        batch_size=batch_size, seeds=seed_arr, lr=lrs, l1=l1s, l2=l2s,
        train_loss=curves[0], test_loss=curves[1], train_acc=curves[2], test_acc=curves[3],
        grid=grid, grid_out=grid_out, snapshots=kept, X_train=data.X_train,
        y_train=data.y_train, X_test=data.X_test, y_test=data.y_test, model=model,
    )
