r"""TensorFlow Playground in a few lines of PyTorch: train small MLPs on the toy sets of
:mod:`dlbook.data.synthetic` and keep their loss curves and decision boundaries
(chapter :ref:`ch-playground`).

:func:`train` follows the Playground's rules: a network of dense layers with one activation
for every hidden unit, a ``tanh`` output for classification (labels as -1/+1) and a linear
output for regression, the loss :math:`\frac12(\hat y - t)^2` averaged over a mini-batch,
plain SGD, weights drawn from :math:`U(-0.5, 0.5)`, biases starting at 0.1, and an optional
L1 or L2 penalty on the weights (not the biases).

To average over seeds and sweep learning rates cheaply, :func:`train` trains ``R``
independent networks at once: :class:`StackedMLP` keeps run ``r``'s weights in slice ``[r]``
of stacked tensors, and one batched matrix product evaluates all runs. The runs never mix:
the loss that is differentiated is the sum of the runs' losses, and run ``r``'s parameters
only enter run ``r``'s loss. :meth:`StackedMLP.member` returns run ``r`` as an ordinary
``nn.Sequential``; the tests check the two agree.

See Also
--------
dlbook.data.synthetic : the data sets and the seven input features.
"""

from __future__ import annotations

import numbers
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
from matplotlib.colors import LinearSegmentedColormap
from torch import nn

from dlbook.data.synthetic import CLASSIFICATION, DATASETS, make_dataset, playground_features
from dlbook.utils import get_device

__all__ = ["ACTIVATIONS", "CMAP", "StackedMLP", "PlaygroundResult", "train", "plot_run"]

ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "linear": nn.Identity}
LIMIT = 6.0  # the Playground shows and samples the square [-6, 6]^2
# The Playground's colours: orange for negative, blue for positive outputs and labels.
CMAP = LinearSegmentedColormap.from_list("playground", ["#f59322", "#e8eaeb", "#0877bd"])


class StackedMLP(nn.Module):
    r"""``R`` independent MLPs of one shape, evaluated together.

    Parameters
    ----------
    n_runs : int
        ``R``, the number of networks.
    n_in : int
        Number of input features.
    hidden : sequence of int
        Widths of the hidden layers; empty for no hidden layer (a linear model).
    activation : {"tanh", "relu", "sigmoid", "linear"}
        Activation of every hidden unit.
    regression : bool
        Linear output if True, ``tanh`` output otherwise.
    seeds : sequence of int of length R
        Run ``r``'s weights are drawn by a ``torch.Generator`` seeded with ``seeds[r]``, so a run
        does not depend on which other runs share the stack.
    dtype, device : torch.dtype, torch.device

    Attributes
    ----------
    weights : nn.ParameterList
        Layer ``k``'s weights, shape ``(R, n_out, n_in)`` (torch's ``Linear`` layout per run),
        drawn from :math:`U(-0.5, 0.5)`.
    biases : nn.ParameterList
        Layer ``k``'s biases, shape ``(R, 1, n_out)``, all 0.1 at the start.

    Notes
    -----
    Layer :math:`k` of run :math:`r` computes
    :math:`h^{(k)}_r = \phi\big(h^{(k-1)}_r W^{(k)\top}_r + b^{(k)}_r\big)` with
    :math:`\phi` the hidden activation (``tanh`` or the identity at the output).

    See Also
    --------
    train : trains a stack.
    :ref:`ch-playground` : the chapter.

    Examples
    --------
    >>> net = StackedMLP(3, n_in=2, hidden=[4], activation="relu", regression=False, seeds=[0, 1, 2])
    >>> [tuple(w.shape) for w in net.weights], [tuple(b.shape) for b in net.biases]
    ([(3, 4, 2), (3, 1, 4)], [(3, 1, 4), (3, 1, 1)])
    >>> net(torch.zeros(5, 2)).shape   # 5 points through 3 networks
    torch.Size([3, 5])
    >>> x = torch.randn(5, 2)
    >>> bool(torch.allclose(net(x)[1], net.member(1)(x).squeeze(-1)))   # run 1 as a plain nn.Sequential
    True
    """

    def __init__(self, n_runs, n_in, hidden, activation, regression, seeds, dtype=torch.float32, device=None):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
        if len(seeds) != n_runs:
            raise ValueError(f"need one seed per run: n_runs={n_runs} but {len(seeds)} seeds")
        self.sizes = [int(n_in), *[int(h) for h in hidden], 1]
        self.activation, self.regression = activation, bool(regression)
        self.act = ACTIVATIONS[activation]()
        gens = [torch.Generator().manual_seed(int(s)) for s in seeds]
        weights, biases = [], []
        for n_prev, n_next in zip(self.sizes[:-1], self.sizes[1:]):
            w = torch.stack([torch.rand(n_next, n_prev, generator=g, dtype=torch.float64) - 0.5 for g in gens])
            weights.append(nn.Parameter(w.to(dtype=dtype, device=device)))  # (R, n_next, n_prev)
            biases.append(nn.Parameter(torch.full((n_runs, 1, n_next), 0.1, dtype=dtype, device=device)))
        self.weights, self.biases = nn.ParameterList(weights), nn.ParameterList(biases)

    def forward(self, x):
        """``x`` of shape (N, F) (the same points for every run) or (R, N, F); returns (R, N)."""
        R = self.weights[0].shape[0]
        h = x.expand(R, *x.shape) if x.dim() == 2 else x  # (R, N, F)
        last = len(self.weights) - 1
        for k, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = torch.baddbmm(b, h, w.transpose(1, 2))  # (R, N, n_out)
            h = self.act(z) if k < last else (z if self.regression else torch.tanh(z))
        return h.squeeze(-1)  # (R, N)

    def member(self, r: int) -> nn.Sequential:
        """Run ``r`` as an ordinary ``nn.Sequential`` of ``Linear`` and activation layers (a copy)."""
        layers = []
        last = len(self.weights) - 1
        for k, (w, b) in enumerate(zip(self.weights, self.biases)):
            lin = nn.Linear(w.shape[2], w.shape[1], dtype=w.dtype, device=w.device)
            with torch.no_grad():
                lin.weight.copy_(w[r])
                lin.bias.copy_(b[r, 0])
            layers.append(lin)
            if k < last:
                layers.append(ACTIVATIONS[self.activation]())
            elif not self.regression:
                layers.append(nn.Tanh())
        return nn.Sequential(*layers)


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


# -- argument checks ------------------------------------------------------------------------------
def _int(value, name, low):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return int(value)


def _per_run(values, name, positive):
    arr = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a number or a non-empty 1-D sequence, got {values!r}")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0 if positive else arr < 0):
        raise ValueError(f"{name} must be finite and {'> 0' if positive else '>= 0'}, got {values!r}")
    return arr


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


def train(dataset="circles", *, hidden=(4, 2), activation="tanh", features=("x1", "x2"), lr=0.03,
          batch_size=10, l1=0.0, l2=0.0, epochs=100, seeds=0, noise=0.0, n_samples=500,
          train_fraction=0.5, data_seed=0, grid_size=50, snapshots=(), dtype=torch.float32, device=None):
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
    plot_run : draws one run's boundary.
    :ref:`ch-playground` : the chapter.

    Examples
    --------
    A network without hidden layers cannot separate XOR from :math:`(x_1, x_2)`; from the
    single feature :math:`x_1x_2` it can (three runs with different initial weights):

    >>> flat = train("xor", hidden=(), epochs=20, seeds=[0, 1, 2], device="cpu")
    >>> crossed = train("xor", hidden=(), features=["x1*x2"], epochs=20, seeds=[0, 1, 2], device="cpu")
    >>> flat.test_acc.shape
    (3, 21)
    >>> bool(flat.test_acc[:, -1].max() < 0.8), bool(crossed.test_acc[:, -1].min() > 0.95)
    (True, True)
    """
    if dataset not in DATASETS:
        raise ValueError(f"unknown data set {dataset!r}; choose one of {sorted(DATASETS)}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
    if isinstance(hidden, numbers.Integral):
        raise TypeError(f"hidden must be a sequence of widths such as (4, 2), got {hidden!r}")
    hidden = tuple(_int(h, "every hidden width", 1) for h in hidden)
    epochs, grid_size = _int(epochs, "epochs", 0), _int(grid_size, "grid_size", 2)
    seed_list = [seeds] if isinstance(seeds, numbers.Integral) else list(seeds)
    seed_arr = np.array([_int(s, "every seed", 0) for s in seed_list], dtype=np.int64)
    if seed_arr.size == 0:
        raise ValueError("seeds must not be empty")
    lrs, l1s, l2s = _per_run(lr, "lr", True), _per_run(l1, "l1", False), _per_run(l2, "l2", False)
    try:
        seed_arr, lrs, l1s, l2s = np.broadcast_arrays(seed_arr, lrs, l1s, l2s)
    except ValueError:
        raise ValueError(f"seeds, lr, l1 and l2 must have length 1 or one common length, got lengths "
                         f"{len(seed_list)}, {np.size(lr)}, {np.size(l1)}, {np.size(l2)}") from None
    snapshots = sorted({_int(e, "every snapshot epoch", 0) for e in snapshots})
    if snapshots and snapshots[-1] > epochs:
        raise ValueError(f"snapshot epochs must be <= epochs={epochs}, got {snapshots[-1]}")
    if not (isinstance(train_fraction, numbers.Real) and 0 < train_fraction < 1):
        raise ValueError(f"train_fraction must lie strictly between 0 and 1, got {train_fraction!r}")

    # The data: one fixed, shuffled set for all runs, split into train and test.
    rng = np.random.default_rng(data_seed)
    X, y = make_dataset(dataset, n_samples, noise, rng)
    order = rng.permutation(len(X))
    X, y = X[order], y[order]
    n_train = int(round(train_fraction * len(X)))
    if not 1 <= n_train < len(X):
        raise ValueError(f"train_fraction={train_fraction} leaves an empty set with n_samples={n_samples}")
    batch_size = _int(batch_size, "batch_size", 1)
    if batch_size > n_train:
        raise ValueError(f"batch_size={batch_size} exceeds the {n_train} training points")
    regression = dataset not in CLASSIFICATION
    target = y.astype(np.float64) if regression else 2.0 * y - 1.0  # labels 0/1 -> -1/+1
    device = get_device(device) if not isinstance(device, torch.device) else device

    def tensor(a):
        return torch.as_tensor(a, dtype=dtype, device=device)

    x_train, t_train = tensor(playground_features(X[:n_train], features)), tensor(target[:n_train])
    x_test, t_test = tensor(playground_features(X[n_train:], features)), tensor(target[n_train:])
    grid = np.linspace(-LIMIT, LIMIT, grid_size)
    g1, g2 = np.meshgrid(grid, grid)  # (G, G), g1 varies along columns
    x_grid = tensor(playground_features(np.stack([g1.ravel(), g2.ravel()], axis=1), features))

    R = len(seed_arr)
    model = StackedMLP(R, x_train.shape[1], hidden, activation, regression, seed_arr.tolist(), dtype, device)
    params = list(model.parameters())
    lr_t = tensor(lrs).view(R, 1, 1)
    l1_t, l2_t = tensor(l1s), tensor(l2s)
    gens = [torch.Generator().manual_seed(int(s) + 1) for s in seed_arr]  # shuffles, one per run

    curves = np.full((4, R, epochs + 1), np.nan)  # train loss, test loss, train acc, test acc
    kept = {}  # snapshot epoch -> grid output

    def record(epoch):
        with torch.no_grad():
            for k, (x, t) in enumerate([(x_train, t_train), (x_test, t_test)]):
                out = model(x)  # (R, N)
                curves[k, :, epoch] = (0.5 * (out - t) ** 2).mean(dim=1).cpu().numpy()
                if not regression:
                    curves[k + 2, :, epoch] = ((out >= 0) == (t > 0)).to(dtype).mean(dim=1).cpu().numpy()
            if epoch in snapshots or epoch == epochs:
                kept[epoch] = model(x_grid).reshape(R, grid_size, grid_size).cpu().numpy()

    with _one_cpu_thread(device):
        record(0)
        for epoch in range(1, epochs + 1):
            perm = torch.stack([torch.randperm(n_train, generator=g) for g in gens]).to(device)  # (R, N_train)
            xs, ts = x_train[perm], t_train[perm]  # (R, N_train, F), (R, N_train)
            for start in range(0, n_train, batch_size):
                out = model(xs[:, start:start + batch_size])  # (R, B)
                loss = 0.5 * ((out - ts[:, start:start + batch_size]) ** 2).mean(dim=1)  # (R,)
                if l1s.any():
                    loss = loss + l1_t * sum(w.abs().sum(dim=(1, 2)) for w in model.weights)
                if l2s.any():
                    loss = loss + 0.5 * l2_t * sum((w**2).sum(dim=(1, 2)) for w in model.weights)
                grads = torch.autograd.grad(loss.sum(), params)  # runs are independent: sum is fine
                with torch.no_grad():
                    for p, g in zip(params, grads):
                        p.addcmul_(lr_t, g, value=-1.0)  # p -= lr * g: plain SGD, each run its own lr
            record(epoch)

    grid_out = kept[epochs] if epochs in snapshots else kept.pop(epochs)
    return PlaygroundResult(
        dataset=dataset, features=tuple(features), hidden=hidden, activation=activation,
        batch_size=batch_size, seeds=seed_arr, lr=lrs, l1=l1s, l2=l2s,
        train_loss=curves[0], test_loss=curves[1], train_acc=curves[2], test_acc=curves[3],
        grid=grid, grid_out=grid_out, snapshots=kept, X_train=X[:n_train], y_train=y[:n_train],
        X_test=X[n_train:], y_test=y[n_train:], model=model,
    )


def plot_run(ax, result: PlaygroundResult, run: int = 0, title=None, test_points=True, epoch=None):
    """Draw run ``run``'s output on the grid in the Playground's colours, with the data on top.

    Orange is negative output (label 0, or a low target), blue positive; the colour's depth is
    the output's size, and for classification the black line is the decision boundary
    (output 0). Test points are drawn with a dark edge when ``test_points`` is True.

    Parameters
    ----------
    ax : matplotlib Axes
    result : PlaygroundResult
    run : int
        Which of the ``R`` runs.
    title : str, optional
    test_points : bool
    epoch : int, optional
        Draw the output kept after this epoch (one of ``result.snapshots``) instead of the final
        one.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    IndexError
        If ``run`` is not one of the result's runs.
    KeyError
        If ``epoch`` was not kept as a snapshot.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> res = train("gaussians", hidden=(), epochs=1, device="cpu")
    >>> ax = plot_run(plt.figure().gca(), res)
    >>> [float(v) for v in ax.get_xlim()]
    [-6.0, 6.0]
    """
    R = result.grid_out.shape[0]
    if not -R <= run < R:
        raise IndexError(f"run {run} does not exist: the result has {R} run(s)")
    if epoch is not None and epoch not in result.snapshots:
        raise KeyError(f"epoch {epoch} was not kept; snapshots exist for {sorted(result.snapshots)}")
    g = result.grid
    out = (result.grid_out if epoch is None else result.snapshots[epoch])[run]
    lim = max(1.0, float(np.nanmax(np.abs(out)))) if np.isfinite(out).any() else 1.0
    ax.contourf(g, g, out, levels=np.linspace(-lim, lim, 21), cmap=CMAP, extend="both")
    regression = result.dataset not in CLASSIFICATION
    if not regression and np.isfinite(out).all() and out.min() < 0 < out.max():
        ax.contour(g, g, out, levels=[0.0], colors="k", linewidths=0.8)
    colour = (lambda v: v) if regression else (lambda v: 2 * v - 1)
    kw = dict(cmap=CMAP, vmin=-1, vmax=1)
    ax.scatter(result.X_train[:, 0], result.X_train[:, 1], c=colour(result.y_train), s=6, linewidths=0, **kw)
    if test_points:
        ax.scatter(result.X_test[:, 0], result.X_test[:, 1], c=colour(result.y_test), s=8,
                   edgecolors="0.2", linewidths=0.4, **kw)
    ax.set(xlim=(-LIMIT, LIMIT), ylim=(-LIMIT, LIMIT), xticks=[], yticks=[], aspect="equal")
    if title is not None:
        ax.set_title(title, fontsize=8)
    return ax
