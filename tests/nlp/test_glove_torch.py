"""GloVe (torch): the twin against the NumPy reference in float64, on the CPU and on a GPU."""

import numpy as np
import pytest
import torch

from dlbook.nlp import glove, glove_torch

CORPUS = [["a", "b", "c", "d", "a", "c"], ["b", "d", "e", "a"], ["e", "c", "b"]] * 10


def test_loss_equals_numpy_and_autograd_gives_its_gradient():
    rng = np.random.default_rng(0)
    V, d, N = 6, 3, 25
    params = {"W": rng.normal(size=(V, d)), "W_context": rng.normal(size=(V, d)),
              "b": rng.normal(size=V), "b_context": rng.normal(size=V)}
    rows, cols, x = rng.integers(0, V, N), rng.integers(0, V, N), rng.uniform(0.5, 200.0, N)
    J, grads = glove.glove_value_and_grad(params, rows, cols, x, x_max=30.0)
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    Jt = glove_torch.glove_loss(tp, torch.tensor(rows), torch.tensor(cols), torch.tensor(x),
                                x_max=30.0)
    Jt.backward()
    assert Jt.item() == pytest.approx(J, rel=1e-12)
    for k in params:
        np.testing.assert_allclose(tp[k].grad.numpy(), grads[k], rtol=1e-9, atol=1e-12,
                                   err_msg=k)


def test_weight_and_init_equal_numpy():
    x = np.array([0.0, 0.5, 10.0, 99.0, 100.0, 1e4])
    np.testing.assert_allclose(glove_torch.glove_weight(torch.tensor(x), 50.0, 0.6).numpy(),
                               glove.glove_weight(x, 50.0, 0.6), rtol=1e-15)
    a = glove.init_glove_params(5, 3, np.random.default_rng(2))
    b = glove_torch.init_glove_params(5, 3, np.random.default_rng(2), device="cpu",
                                      dtype=torch.float64)
    for k in a:
        np.testing.assert_array_equal(b[k].numpy(), a[k])
    with pytest.raises(ValueError, match="non-negative"):
        glove_torch.glove_weight(torch.tensor([-1.0]))


def test_adagrad_entries_equals_numpy():
    rng = np.random.default_rng(3)
    idx = rng.integers(0, 5, 40)
    steps = rng.normal(size=(40, 3))
    w, G = rng.normal(size=(5, 3)), 1 + rng.random((5, 3))
    tw, tG = torch.tensor(w), torch.tensor(G)
    glove.adagrad_entries(w, G, idx, steps)
    glove_torch.adagrad_entries(tw, tG, torch.tensor(idx), torch.tensor(steps))
    np.testing.assert_allclose(tw.numpy(), w, rtol=1e-12)
    np.testing.assert_allclose(tG.numpy(), G, rtol=1e-12)


@pytest.mark.parametrize("batch_size", [1, 5, 1000])
def test_torch_twin_equals_numpy_in_float64(batch_size):
    kw = dict(vector_size=5, window=3, min_count=1, epochs=4, batch_size=batch_size, seed=3)
    a = glove.GloVe(CORPUS, **kw)
    b = glove_torch.GloVe(CORPUS, device="cpu", dtype=torch.float64, **kw)
    np.testing.assert_allclose(b.wv.vectors, a.wv.vectors, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.loss_history, a.loss_history, rtol=1e-10)


def test_float32_trains_close_to_float64():
    kw = dict(vector_size=5, window=3, min_count=1, epochs=10, batch_size=16, seed=1)
    a = glove_torch.GloVe(CORPUS, device="cpu", dtype=torch.float64, **kw)
    b = glove_torch.GloVe(CORPUS, device="cpu", **kw)
    np.testing.assert_allclose(b.loss_history, a.loss_history, rtol=1e-4)


def test_bad_input():
    with pytest.raises(ValueError, match="vector_size"):
        glove_torch.GloVe(CORPUS, vector_size=0, device="cpu")
    with pytest.raises(TypeError, match="batch_size"):
        glove_torch.GloVe(CORPUS, batch_size="big", device="cpu")
    p = {k: torch.zeros(3, 2) if k.startswith("W") else torch.zeros(3)
         for k in ("W", "W_context", "b", "b_context")}
    one = torch.tensor([0])
    with pytest.raises(ValueError, match="must be > 0"):
        glove_torch.glove_loss(p, one, one, torch.tensor([0.0]))


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_torch_twin_on_gpu():
    kw = dict(vector_size=5, window=3, min_count=1, epochs=4, batch_size=5, seed=3)
    a = glove.GloVe(CORPUS, **kw)
    b = glove_torch.GloVe(CORPUS, device="cuda", dtype=torch.float64, **kw)
    np.testing.assert_allclose(b.wv.vectors, a.wv.vectors, rtol=1e-9, atol=1e-12)
