"""GloVe: loss and gradient against torch autograd (float64), weighting, training, torch twin."""

import numpy as np
import pytest
import torch

from dlbook.nlp import glove, glove_torch
from dlbook.nlp.glove import glove_loss, glove_weight, init_glove_params

CORPUS = [["a", "b", "c", "d", "a", "c"], ["b", "d", "e", "a"], ["e", "c", "b"]] * 10


def random_problem(seed=0, V=7, d=4, N=30):
    rng = np.random.default_rng(seed)
    params = {"W": rng.normal(size=(V, d)), "W_context": rng.normal(size=(V, d)),
              "b": rng.normal(size=V), "b_context": rng.normal(size=V)}
    rows, cols = rng.integers(0, V, N), rng.integers(0, V, N)  # repeats on purpose
    x = rng.uniform(0.2, 300.0, N)  # on both sides of x_max
    return params, rows, cols, x


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_loss_and_gradient_match_autograd(seed):
    params, rows, cols, x = random_problem(seed)
    J, grads = glove_loss(params, rows, cols, x, x_max=50.0, alpha=0.75)
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    Jt = glove_torch.glove_loss(tp, torch.tensor(rows), torch.tensor(cols),
                                torch.tensor(x), x_max=50.0, alpha=0.75)
    Jt.backward()
    assert J == pytest.approx(Jt.item(), rel=1e-12)
    for k in params:
        np.testing.assert_allclose(grads[k], tp[k].grad.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=f"gradient of {k} differs from autograd")


def test_loss_matches_formula_by_loops():
    params, rows, cols, x = random_problem(3, N=10)
    W, Wc, b, bc = params["W"], params["W_context"], params["b"], params["b_context"]
    expected = 0.0
    for i, j, xij in zip(rows, cols, x):
        f = min(1.0, (xij / 100.0) ** 0.75)
        expected += f * (W[i] @ Wc[j] + b[i] + bc[j] - np.log(xij)) ** 2
    assert glove_loss(params, rows, cols, x)[0] == pytest.approx(expected, rel=1e-12)


def test_gradient_numerically():
    params, rows, cols, x = random_problem(4, V=4, d=3, N=12)
    _, grads = glove_loss(params, rows, cols, x)
    h = 1e-6
    for k, v in params.items():
        num = np.zeros_like(v)
        for idx in np.ndindex(v.shape):
            plus = {**params, k: v.copy()}
            minus = {**params, k: v.copy()}
            plus[k][idx] += h
            minus[k][idx] -= h
            num[idx] = (glove_loss(plus, rows, cols, x)[0] - glove_loss(minus, rows, cols, x)[0]) / (2 * h)
        np.testing.assert_allclose(grads[k], num, rtol=1e-6, atol=1e-7, err_msg=k)


def test_weighting_function():
    f = glove_weight(np.array([0.0, 1.0, 50.0, 100.0, 150.0]), x_max=100, alpha=0.75)
    np.testing.assert_allclose(f, [0.0, 0.01 ** 0.75, 0.5 ** 0.75, 1.0, 1.0], rtol=1e-15)
    assert np.all(np.diff(glove_weight(np.linspace(0, 300, 50))) >= 0)  # never decreasing
    with pytest.raises(ValueError, match="x_max"):
        glove_weight([1.0], x_max=0)
    with pytest.raises(ValueError, match="non-negative"):
        glove_weight([-1.0])


def test_init_range():
    p = init_glove_params(50, 8, np.random.default_rng(0))
    for v in p.values():
        assert np.abs(v).max() < 0.5 / 8 and np.abs(v).max() > 0.4 / 8


def test_training_lowers_the_full_objective():
    m = glove.GloVe(CORPUS, vector_size=6, window=3, min_count=1, epochs=40, batch_size=8)
    X = m.cooccurrence.tocoo()
    init = init_glove_params(len(m.index_to_key), 6, np.random.default_rng(0))
    J0 = glove_loss(init, X.row, X.col, X.data)[0]
    J1 = glove_loss(m.params, X.row, X.col, X.data)[0]
    assert J1 < 0.2 * J0, f"objective only went from {J0:.3f} to {J1:.3f}"
    assert m.loss_history[-1] < m.loss_history[0]
    np.testing.assert_allclose(m.wv.vectors, m.params["W"] + m.params["W_context"])
    assert m.wv.vectors.shape == (5, 6)


def test_adagrad_step_is_stanfords():
    """One entry, one epoch: the step is eta*g/sqrt(1) and the accumulator becomes 1+(eta*g)^2."""
    p = {"W": np.array([[1.0]]), "W_context": np.array([[2.0]]), "b": np.array([0.5]),
         "b_context": np.array([0.0])}
    gs = {k: np.ones_like(v) for k, v in p.items()}
    one = np.array([0])
    cost = glove.glove_epoch(p, gs, one, one, np.array([0.0]), np.array([1.0]), one, 1, 0.1)
    e = 2.5  # 1*2 + 0.5 + 0 - log 1
    assert cost == pytest.approx(0.5 * e * e)
    assert p["W"][0, 0] == pytest.approx(1.0 - 0.1 * e * 2.0)
    assert p["W_context"][0, 0] == pytest.approx(2.0 - 0.1 * e * 1.0)
    assert p["b"][0] == pytest.approx(0.5 - 0.1 * e)
    assert gs["W"][0, 0] == pytest.approx(1 + (0.1 * e * 2.0) ** 2)


@pytest.mark.parametrize("batch_size", [1, 5, 1000])
def test_torch_twin_equals_numpy_in_float64(batch_size):
    kw = dict(vector_size=5, window=3, min_count=1, epochs=4, batch_size=batch_size, seed=3)
    a = glove.GloVe(CORPUS, **kw)
    b = glove_torch.GloVe(CORPUS, device="cpu", dtype=torch.float64, **kw)
    np.testing.assert_allclose(b.wv.vectors, a.wv.vectors, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.loss_history, a.loss_history, rtol=1e-10)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_torch_twin_on_gpu():
    kw = dict(vector_size=5, window=3, min_count=1, epochs=4, batch_size=5, seed=3)
    a = glove.GloVe(CORPUS, **kw)
    b = glove_torch.GloVe(CORPUS, device="cuda", dtype=torch.float64, **kw)
    np.testing.assert_allclose(b.wv.vectors, a.wv.vectors, rtol=1e-9, atol=1e-12)


def test_bad_input():
    with pytest.raises(ValueError, match="vector_size"):
        glove.GloVe(CORPUS, vector_size=0)
    with pytest.raises(ValueError, match="learning_rate"):
        glove.GloVe(CORPUS, learning_rate=-1.0)
    with pytest.raises(ValueError, match="empty vocabulary"):
        glove.GloVe([["a", "b"]], min_count=5)
    with pytest.raises(ValueError, match="empty"):
        glove.GloVe([["a"], ["b"]], min_count=1)
    with pytest.raises(ValueError, match="must be > 0"):
        p, r, c, x = random_problem()
        glove_loss(p, r, c, np.zeros_like(x))
    m = glove.GloVe(CORPUS, vector_size=3, window=2, min_count=1, epochs=1)
    with pytest.raises(KeyError, match="zebra"):
        m.wv["zebra"]


@pytest.mark.slow
def test_quality_on_the_debian_corpus_beats_random_vectors():
    """Random vectors score about 0.1 on WS353 (FACTS.md); a small x_max=10 model must do better."""
    from dlbook.data.corpora import gensim_test_file, load_corpus

    try:
        corpus = load_corpus("debian")
    except FileNotFoundError:
        pytest.skip("the Debian corpus is not built (make data)")
    torch.set_num_threads(1)
    m = glove.GloVe(corpus.sentences, min_count=50, x_max=10, epochs=4)
    _, spearman, oov = m.wv.evaluate_word_pairs(gensim_test_file("wordsim353.tsv"))
    assert spearman[0] > 0.15, f"WS353 Spearman {spearman[0]:.3f} (OOV {oov:.0f} %)"
