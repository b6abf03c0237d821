"""The Playground training helper: the stacked networks equal plain nn.Sequential ones, one SGD
step equals torch.optim.SGD on the Playground's loss plus penalty (float64), runs do not
influence each other, an MLP separates XOR and circles where a linear model cannot, and bad
arguments raise clear errors."""

import numpy as np
import pytest
import torch

from dlbook.data.synthetic import playground_features
from dlbook.nn.examples.playground_torch import (
    evaluate_runs,
    playground_data,
    sgd_epoch,
    train,
)
from dlbook.nn.examples.stacked_mlp_torch import StackedMLP

F64 = dict(dtype=torch.float64, device="cpu")
ALL = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")


def penalty(net, l1, l2):
    ws = [m.weight for m in net if isinstance(m, torch.nn.Linear)]
    return l1 * sum(w.abs().sum() for w in ws) + 0.5 * l2 * sum((w**2).sum() for w in ws)


# -- the training step ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "dataset, l1, l2",
    [("circles", 0.0, 0.0), ("spiral", 0.01, 0.0), ("xor", 0.0, 0.03), ("plane", 0.002, 0.004)],
)
def test_full_batch_step_equals_torch_sgd(dataset, l1, l2):
    """One epoch with batch_size = N_train is one step of torch.optim.SGD on the Playground loss."""
    kw = dict(hidden=(5, 3), activation="sigmoid", features=ALL, lr=0.2, l1=l1, l2=l2, seeds=[11],
              n_samples=60, **F64)
    res = train(dataset, epochs=1, batch_size=30, **kw)
    start = StackedMLP(1, 7, (5, 3), "sigmoid", dataset == "plane", seeds=[11], **F64).member(0)
    x = torch.as_tensor(playground_features(res.X_train, ALL))
    t = torch.as_tensor(
        res.y_train if dataset == "plane" else 2.0 * res.y_train - 1.0, dtype=torch.float64
    )
    opt = torch.optim.SGD(start.parameters(), lr=0.2)
    loss0 = (0.5 * (start(x).squeeze(-1) - t) ** 2).mean()
    np.testing.assert_allclose(
        res.train_loss[0, 0], loss0.item(), rtol=1e-12, err_msg="loss before training"
    )
    (loss0 + penalty(start, l1, l2)).backward()
    opt.step()
    trained = res.model.member(0)
    for (name, p), q in zip(start.named_parameters(), trained.parameters()):
        torch.testing.assert_close(
            q, p, rtol=1e-10, atol=1e-13, msg=f"parameter {name} after one step"
        )
    with torch.no_grad():
        loss1 = (0.5 * (start(x).squeeze(-1) - t) ** 2).mean().item()
    np.testing.assert_allclose(res.train_loss[0, 1], loss1, rtol=1e-10)


def test_minibatches_follow_the_documented_shuffle():
    """Two epochs of batch 7 on 30 points (a last batch of 2) against a hand-written loop."""
    res = train("xor", hidden=(4,), lr=0.5, batch_size=7, epochs=2, seeds=[2], n_samples=60, **F64)
    net = StackedMLP(1, 2, (4,), "tanh", False, seeds=[2], **F64).member(0)
    x = torch.as_tensor(res.X_train)
    t = torch.as_tensor(2.0 * res.y_train - 1.0)
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    gen = torch.Generator().manual_seed(2 + 1)  # train() shuffles run r with seed seeds[r] + 1
    for _ in range(2):
        perm = torch.randperm(30, generator=gen)
        for start in range(0, 30, 7):
            idx = perm[start:start + 7]
            opt.zero_grad()
            (0.5 * (net(x[idx]).squeeze(-1) - t[idx]) ** 2).mean().backward()
            opt.step()
    for p, q in zip(net.parameters(), res.model.member(0).parameters()):
        torch.testing.assert_close(q, p, rtol=1e-10, atol=1e-13)


def test_runs_are_independent_and_reproducible():
    kw = dict(hidden=(6,), features=("x1", "x2", "x1*x2"), epochs=5, n_samples=100, **F64)
    both = train("spiral", seeds=[0, 1], lr=[0.3, 0.05], l2=[0.0, 0.01], **kw)
    alone = train("spiral", seeds=1, lr=0.05, l2=0.01, **kw)
    np.testing.assert_allclose(both.train_loss[1], alone.train_loss[0], rtol=1e-12)
    np.testing.assert_allclose(both.grid_out[1], alone.grid_out[0], rtol=1e-12)
    again = train("spiral", seeds=[0, 1], lr=[0.3, 0.05], l2=[0.0, 0.01], **kw)
    np.testing.assert_array_equal(both.test_loss, again.test_loss)
    assert both.lr.tolist() == [0.3, 0.05] and both.seeds.tolist() == [0, 1]


def test_snapshots_are_the_boundaries_of_shorter_runs():
    kw = dict(hidden=(4,), epochs=6, seeds=[0, 3], n_samples=60, grid_size=9, **F64)
    res = train("xor", snapshots=[0, 2, 6], **kw)
    assert sorted(res.snapshots) == [0, 2, 6]
    for e in (0, 2):
        short = train("xor", **{**kw, "epochs": e})
        np.testing.assert_allclose(
            res.snapshots[e], short.grid_out, rtol=1e-12, err_msg=f"epoch {e}"
        )
        np.testing.assert_allclose(res.train_loss[:, : e + 1], short.train_loss, rtol=1e-12)
    np.testing.assert_array_equal(res.snapshots[6], res.grid_out)


def test_grid_orientation():
    res = train("plane", hidden=(3,), epochs=3, grid_size=5, n_samples=40, **F64)
    net = res.model.member(0)
    g = res.grid
    np.testing.assert_allclose(g, [-6, -3, 0, 3, 6])
    with torch.no_grad():
        at = net(
            torch.tensor([[6.0, -6.0]], dtype=torch.float64)
        ).item()  # x1 = grid[4], x2 = grid[0]
    np.testing.assert_allclose(res.grid_out[0, 0, 4], at, rtol=1e-12)


def test_curves_shapes_and_regression_has_no_accuracy():
    res = train(
        "plane", hidden=(), epochs=4, seeds=[0, 1, 2], n_samples=40, grid_size=7, device="cpu"
    )
    assert res.train_loss.shape == res.test_loss.shape == (3, 5)
    assert res.grid_out.shape == (3, 7, 7)
    assert np.isnan(res.test_acc).all()
    assert res.X_train.shape == (20, 2) and res.X_test.shape == (20, 2)


# -- what the chapter relies on ------------------------------------------------------------------
@pytest.mark.parametrize("dataset", ["xor", "circles"])
def test_mlp_separates_what_a_linear_model_cannot(dataset):
    seeds = [0, 1, 2]
    linear = train(dataset, hidden=(), epochs=30, seeds=seeds, device="cpu")
    mlp = train(dataset, hidden=(8,), lr=0.1, epochs=60, seeds=seeds, device="cpu")
    assert linear.test_acc[:, -1].max() < 0.8, (
        f"a linear model reached {linear.test_acc[:, -1]} on {dataset}"
    )
    assert mlp.test_acc[:, -1].min() > 0.95, (
        f"an 8-unit MLP reached only {mlp.test_acc[:, -1]} on {dataset}"
    )
    assert np.all(mlp.train_loss[:, -1] < mlp.train_loss[:, 0] / 5)


# -- the three steps, one by one ------------------------------------------------------------------
def test_playground_data_splits_one_shuffled_set():
    data = playground_data("circles", n_samples=40, train_fraction=0.25, data_seed=3)
    assert data.X_train.shape == (10, 2) and data.X_test.shape == (30, 2)
    assert not data.regression and set(np.unique(data.t_train)) <= {-1.0, 1.0}
    np.testing.assert_array_equal(data.t_test, 2.0 * data.y_test - 1.0)
    again = playground_data("circles", n_samples=40, train_fraction=0.25, data_seed=3)
    np.testing.assert_array_equal(again.X_train, data.X_train)
    plane = playground_data("plane", n_samples=20)
    assert plane.regression and np.array_equal(plane.t_train, plane.y_train)


def test_sgd_epoch_with_one_batch_is_one_torch_sgd_step():
    stack = StackedMLP(2, 2, (3,), "tanh", False, seeds=[0, 1], **F64)
    x = torch.randn(6, 2, dtype=torch.float64)
    t = torch.sign(torch.randn(6, dtype=torch.float64))
    lr = torch.tensor([0.1, 0.5], dtype=torch.float64)
    nets = [stack.member(r) for r in range(2)]
    gens = [torch.Generator().manual_seed(s) for s in (0, 1)]
    sgd_epoch(stack, x, t, lr, batch_size=6, generators=gens)
    for r, net in enumerate(nets):
        opt = torch.optim.SGD(net.parameters(), lr=float(lr[r]))
        (0.5 * (net(x).squeeze(-1) - t) ** 2).mean().backward()
        opt.step()
        torch.testing.assert_close(stack.member(r)(x), net(x), rtol=1e-12, atol=1e-14)


def test_evaluate_runs_is_the_mean_half_squared_error_and_the_sign_accuracy():
    stack = StackedMLP(2, 2, (), "tanh", False, seeds=[0, 1], **F64)
    x = torch.randn(9, 2, dtype=torch.float64)
    t = torch.sign(torch.randn(9, dtype=torch.float64))
    loss, acc = evaluate_runs(stack, x, t, regression=False)
    with torch.no_grad():
        out = stack(x)
    np.testing.assert_allclose(loss, (0.5 * (out - t) ** 2).mean(dim=1).numpy(), rtol=1e-14)
    np.testing.assert_allclose(acc, ((out >= 0) == (t > 0)).double().mean(dim=1).numpy())
    assert np.isnan(evaluate_runs(stack, x, t, regression=True)[1]).all()


# -- errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, error, match", [
    ({"dataset": "moons"}, ValueError, "moons"),
    ({"activation": "gelu"}, ValueError, "gelu"),
    ({"features": ("x1", "x3")}, ValueError, "x3"),
    ({"hidden": 4}, TypeError, "hidden"),
    ({"hidden": (4, 0)}, ValueError, "hidden width"),
    ({"hidden": (4.0,)}, TypeError, "hidden width"),
    ({"lr": 0.0}, ValueError, "lr"),
    ({"lr": [0.1, -0.1]}, ValueError, "lr"),
    ({"lr": float("inf")}, ValueError, "lr"),
    ({"l1": -1e-3}, ValueError, "l1"),
    ({"l2": [[0.1]]}, ValueError, "l2"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"batch_size": 251}, ValueError, "batch_size=251"),
    ({"batch_size": 10.0}, TypeError, "batch_size"),
    ({"epochs": -1}, ValueError, "epochs"),
    ({"seeds": []}, ValueError, "seeds"),
    ({"seeds": [0, -2]}, ValueError, "seed"),
    ({"seeds": [0, 1], "lr": [0.1, 0.2, 0.3]}, ValueError, "lengths"),
    ({"train_fraction": 1.0}, ValueError, "train_fraction"),
    ({"train_fraction": 0.001, "n_samples": 100}, ValueError, "empty"),
    ({"grid_size": 1}, ValueError, "grid_size"),
    ({"epochs": 5, "snapshots": [2, 6]}, ValueError, "snapshot"),
    ({"snapshots": [-1]}, ValueError, "snapshot"),
    ({"n_samples": 11}, ValueError, "even"),
    ({"noise": -1}, ValueError, "noise"),
])
def test_bad_arguments(kwargs, error, match):
    args = {"dataset": "circles", "epochs": 0, "device": "cpu", **kwargs}
    with pytest.raises(error, match=match):
        train(**args)


# -- the GPU gives the same numbers ---------------------------------------------------------------
@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu():
    kw = dict(
        hidden=(8,),
        features=ALL,
        epochs=3,
        seeds=[0, 1],
        lr=[0.1, 0.3],
        l1=0.001,
        dtype=torch.float64,
    )
    cpu = train("spiral", device="cpu", **kw)
    gpu = train("spiral", device="cuda", **kw)
    np.testing.assert_allclose(gpu.train_loss, cpu.train_loss, rtol=1e-9)
    np.testing.assert_allclose(gpu.grid_out, cpu.grid_out, rtol=1e-8, atol=1e-12)
