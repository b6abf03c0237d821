r"""Drawing a Playground run: its output over the plane in the Playground's colours, with the
data on top (chapter :ref:`ch-playground`).

See Also
--------
dlbook.nn.examples.playground_torch : trains the runs this draws.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LinearSegmentedColormap

from dlbook.data.synthetic import CLASSIFICATION
from dlbook.nn.examples.playground_torch import LIMIT, PlaygroundResult

__all__ = ["CMAP", "plot_run"]

#: The Playground's colours: orange for negative, blue for positive outputs and labels.
CMAP = LinearSegmentedColormap.from_list("playground", ["#f59322", "#e8eaeb", "#0877bd"])


def plot_run(ax, result: PlaygroundResult, run: int = 0, title=None, test_points=True,
             epoch=None):
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
    >>> from dlbook.nn.examples.playground_torch import train
    >>> res = train("gaussians", hidden=(), epochs=1, device="cpu")
    >>> ax = plot_run(plt.figure().gca(), res)
    >>> [float(v) for v in ax.get_xlim()]
    [-6.0, 6.0]
    """
    R = result.grid_out.shape[0]
    if not -R <= run < R:
        raise IndexError(f"run {run} does not exist: the result has {R} run(s)")
    if epoch is not None and epoch not in result.snapshots:
        raise KeyError(f"epoch {epoch} was not kept; snapshots exist for "
                       f"{sorted(result.snapshots)}")
    g = result.grid
    out = (result.grid_out if epoch is None else result.snapshots[epoch])[run]
    lim = max(1.0, float(np.nanmax(np.abs(out)))) if np.isfinite(out).any() else 1.0
    ax.contourf(g, g, out, levels=np.linspace(-lim, lim, 21), cmap=CMAP, extend="both")
    regression = result.dataset not in CLASSIFICATION
    if not regression and np.isfinite(out).all() and out.min() < 0 < out.max():
        ax.contour(g, g, out, levels=[0.0], colors="k", linewidths=0.8)
    colour = (lambda v: v) if regression else (lambda v: 2 * v - 1)
    kw = dict(cmap=CMAP, vmin=-1, vmax=1)
    ax.scatter(result.X_train[:, 0], result.X_train[:, 1], c=colour(result.y_train), s=6,
               linewidths=0, **kw)
    if test_points:
        ax.scatter(result.X_test[:, 0], result.X_test[:, 1], c=colour(result.y_test), s=8,
                   edgecolors="0.2", linewidths=0.4, **kw)
    ax.set(xlim=(-LIMIT, LIMIT), ylim=(-LIMIT, LIMIT), xticks=[], yticks=[], aspect="equal")
    if title is not None:
        ax.set_title(title, fontsize=8)
    return ax
