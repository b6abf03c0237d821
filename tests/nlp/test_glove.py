"""GloVe (NumPy): loss and gradient against autograd and central differences, the weighting,
the AdaGrad pass against a slow one-entry-at-a-time reference of Stanford's glove.c, training."""

import numpy as np
import pytest
import torch

from dlbook.nlp import glove
from dlbook.nlp.cooccurrence import corpus_cooccurrence
from dlbook.nlp.glove import (
    adagrad_entries,
    glove_epoch,
    glove_loss,
    glove_value_and_grad,
    glove_weight,
    init_glove_params,
)

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
    J, grads = glove_value_and_grad(params, rows, cols, x, x_max=50.0, alpha=0.75)
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    r, c, tx = torch.tensor(rows), torch.tensor(cols), torch.tensor(x)
    e = (tp["W"][r] * tp["W_context"][c]).sum(1) + tp["b"][r] + tp["b_context"][c] - tx.log()
    Jt = (torch.clamp((tx / 50.0) ** 0.75, max=1.0) * e * e).sum()
    Jt.backward()
    assert J == pytest.approx(Jt.item(), rel=1e-12)
    assert glove_loss(params, rows, cols, x, x_max=50.0) == J
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
    assert glove_loss(params, rows, cols, x) == pytest.approx(expected, rel=1e-12)


def test_gradient_numerically():
    params, rows, cols, x = random_problem(4, V=4, d=3, N=12)
    _, grads = glove_value_and_grad(params, rows, cols, x)
    h = 1e-6
    for k, v in params.items():
        num = np.zeros_like(v)
        for idx in np.ndindex(v.shape):
            plus, minus = {**params, k: v.copy()}, {**params, k: v.copy()}
            plus[k][idx] += h
            minus[k][idx] -= h
            num[idx] = (glove_loss(plus, rows, cols, x)
                        - glove_loss(minus, rows, cols, x)) / (2 * h)
        np.testing.assert_allclose(grads[k], num, rtol=1e-6, atol=1e-7, err_msg=k)


def test_weighting_function():
    f = glove_weight(np.array([0.0, 1.0, 50.0, 100.0, 150.0]), x_max=100, alpha=0.75)
    np.testing.assert_allclose(f, [0.0, 0.01 ** 0.75, 0.5 ** 0.75, 1.0, 1.0], rtol=1e-15)
    assert np.all(np.diff(glove_weight(np.linspace(0, 300, 50))) >= 0)  # never decreasing
    with pytest.raises(ValueError, match="x_max"):
        glove_weight([1.0], x_max=0)
    with pytest.raises(ValueError, match="non-negative"):
        glove_weight([-1.0])
    with pytest.raises(TypeError, match="x"):
        glove_weight(["a"])


def test_init_range():
    p = init_glove_params(50, 8, np.random.default_rng(0))
    for v in p.values():
        assert np.abs(v).max() < 0.5 / 8 and np.abs(v).max() > 0.4 / 8


def c_reference_epoch(params, gradsq, rows, cols, x, order, eta, x_max=100.0, alpha=0.75,
                      batch_size=1):
    """Stanford's glove.c update, written out one entry and one number at a time.

    With ``batch_size > 1`` the errors e_ij of a batch are computed first, from the parameters
    at the start of the batch (the only thing the vectorized code does differently); every
    update and accumulator step is still applied one entry after another.
    """
    W, Wc, b, bc = (params[k] for k in ("W", "W_context", "b", "b_context"))
    G, Gc, gb, gbc = (gradsq[k] for k in ("W", "W_context", "b", "b_context"))
    d = W.shape[1]
    cost = 0.0
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        frozen = []
        for n in batch:
            i, j = rows[n], cols[n]
            diff = sum(W[i, k] * Wc[j, k] for k in range(d)) + b[i] + bc[j] - np.log(x[n])
            fdiff = diff if x[n] > x_max else (x[n] / x_max) ** alpha * diff
            cost += 0.5 * fdiff * diff
            frozen.append((i, j, eta * fdiff, W[i].copy(), Wc[j].copy()))
        for i, j, fdiff, wi, wj in frozen:
            for k in range(d):
                temp1, temp2 = fdiff * wj[k], fdiff * wi[k]
                W[i, k] -= temp1 / np.sqrt(G[i, k])
                Wc[j, k] -= temp2 / np.sqrt(Gc[j, k])
                G[i, k] += temp1 * temp1
                Gc[j, k] += temp2 * temp2
            b[i] -= fdiff / np.sqrt(gb[i])
            bc[j] -= fdiff / np.sqrt(gbc[j])
            gb[i] += fdiff * fdiff
            gbc[j] += fdiff * fdiff
    return cost / len(order)


@pytest.mark.parametrize("batch_size", [1, 7, 1000])
def test_epoch_equals_the_c_update_one_entry_at_a_time(batch_size):
    """batch_size=1 is glove.c exactly; larger batches differ only by computing e_ij early."""
    words, X = corpus_cooccurrence(CORPUS, min_count=1, window=3)
    coo = X.tocoo()
    rng = np.random.default_rng(5)
    p_fast = init_glove_params(len(words), 4, rng)
    p_fast = {k: v * 40 for k, v in p_fast.items()}             # large steps, real AdaGrad work
    p_slow = {k: v.copy() for k, v in p_fast.items()}
    g_fast = {k: np.ones_like(v) for k, v in p_fast.items()}
    g_slow = {k: np.ones_like(v) for k, v in p_fast.items()}
    for epoch in range(3):
        order = rng.permutation(coo.nnz)
        c_fast = glove_epoch(p_fast, g_fast, coo.row, coo.col, np.log(coo.data),
                             glove_weight(coo.data), order, batch_size, 0.05)
        c_slow = c_reference_epoch(p_slow, g_slow, coo.row, coo.col, coo.data, order, 0.05,
                                   batch_size=batch_size)
        assert c_fast == pytest.approx(c_slow, rel=1e-10), f"cost of epoch {epoch}"
    for k in p_fast:
        np.testing.assert_allclose(p_fast[k], p_slow[k], rtol=1e-10, atol=1e-12, err_msg=k)
        np.testing.assert_allclose(g_fast[k], g_slow[k], rtol=1e-10, err_msg=f"gradsq {k}")


def test_adagrad_entries_accumulates_each_entry_not_the_batch_sum():
    """Two entries of one row: (eta g1)^2 + (eta g2)^2 is added, not (eta g1 + eta g2)^2."""
    w, G = np.zeros((3, 2)), np.ones((3, 2))
    steps = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]])
    adagrad_entries(w, G, np.array([2, 0, 2]), steps)
    np.testing.assert_allclose(G[2], 1 + steps[0] ** 2 + steps[2] ** 2)
    np.testing.assert_allclose(w[2], -steps[0] - steps[2] / np.sqrt(1 + steps[0] ** 2))
    np.testing.assert_allclose(w[0], -steps[1])
    assert np.all(w[1] == 0) and np.all(G[1] == 1)


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


def test_training_lowers_the_full_objective():
    m = glove.GloVe(CORPUS, vector_size=6, window=3, min_count=1, epochs=40, batch_size=8)
    X = m.cooccurrence.tocoo()
    init = init_glove_params(len(m.index_to_key), 6, np.random.default_rng(0))
    J0 = glove_loss(init, X.row, X.col, X.data)
    J1 = glove_loss(m.params, X.row, X.col, X.data)
    assert J1 < 0.2 * J0, f"objective only went from {J0:.3f} to {J1:.3f}"
    assert m.loss_history[-1] < m.loss_history[0]
    np.testing.assert_allclose(m.wv.vectors, m.params["W"] + m.params["W_context"])
    assert m.wv.vectors.shape == (5, 6)


def test_bad_input():
    with pytest.raises(ValueError, match="vector_size"):
        glove.GloVe(CORPUS, vector_size=0)
    with pytest.raises(TypeError, match="epochs"):
        glove.GloVe(CORPUS, epochs=2.5)
    with pytest.raises(ValueError, match="learning_rate"):
        glove.GloVe(CORPUS, learning_rate=-1.0)
    with pytest.raises(ValueError, match="empty vocabulary"):
        glove.GloVe([["a", "b"]], min_count=5)
    with pytest.raises(ValueError, match="empty"):
        glove.GloVe([["a"], ["b"]], min_count=1)
    p, r, c, x = random_problem()
    with pytest.raises(ValueError, match="must be > 0"):
        glove_loss(p, r, c, np.zeros_like(x))
    with pytest.raises(ValueError, match="equal length"):
        glove_loss(p, r[:-1], c, x)
    with pytest.raises(ValueError, match="b_context"):
        glove_loss({**p, "b_context": p["b_context"][:-1]}, r, c, x)
    m = glove.GloVe(CORPUS, vector_size=3, window=2, min_count=1, epochs=1)
    with pytest.raises(KeyError, match="zebra"):
        m.wv["zebra"]


@pytest.mark.slow
def test_quality_on_the_debian_corpus_beats_random_vectors():
    """Random vectors score 0 on WS353 on average (s.d. about 0.08, the glove chapter draws
    them): a small x_max=10 model must be clearly above that."""
    from dlbook.data.corpora import gensim_test_file, load_corpus

    try:
        corpus = load_corpus("debian")
    except FileNotFoundError:
        pytest.skip("the Debian corpus is not built (make data)")
    m = glove.GloVe(corpus.sentences, min_count=50, x_max=10, epochs=4)
    _, spearman, oov = m.wv.evaluate_word_pairs(gensim_test_file("wordsim353.tsv"))
    assert spearman[0] > 0.25, f"WS353 Spearman {spearman[0]:.3f} (OOV {oov:.0f} %)"
