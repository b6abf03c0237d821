"""Drawing a Playground run (dlbook.nn.examples.playground_plot)."""

import matplotlib
import pytest

from dlbook.nn.examples.playground_plot import plot_run
from dlbook.nn.examples.playground_torch import train

matplotlib.use("Agg")


def test_plot_run_rejects_a_missing_run_or_epoch():
    import matplotlib.pyplot as plt

    res = train("gaussians", hidden=(), epochs=0, seeds=[0, 1], device="cpu")
    fig, ax = plt.subplots()
    with pytest.raises(IndexError, match="2 run"):
        plot_run(ax, res, run=2)
    with pytest.raises(KeyError, match="epoch 3"):
        plot_run(ax, res, epoch=3)
    plt.close(fig)


def test_plot_run_draws_the_grid_and_a_boundary():
    import matplotlib.pyplot as plt

    res = train("xor", hidden=(4,), epochs=5, seeds=[0], device="cpu", grid_size=20)
    fig, ax = plt.subplots()
    plot_run(ax, res, title="xor")
    assert ax.get_title() == "xor" and len(ax.collections) >= 2  # filled contours and points
    assert [float(v) for v in ax.get_ylim()] == [-6.0, 6.0]
    plt.close(fig)
