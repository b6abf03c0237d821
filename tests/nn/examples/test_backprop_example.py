"""The course's 2-2-2 example: its printed numbers, torch autograd, and the erratum."""

import numpy as np
import pytest
import torch

from dlbook.nn.examples.backprop_example import (
    COURSE_W_HIDDEN,
    COURSE_W_OUTPUT,
    COURSE_X,
    COURSE_Y,
    course_hidden_gradient,
    format_table,
    sigmoid_net_backward,
    sigmoid_net_deltas,
    sigmoid_net_forward,
    squared_error,
    squared_error_grad,
    worked_example,
)


def torch_grads(x, y, wh, wo):
    wh_t = torch.tensor(wh, requires_grad=True)
    wo_t = torch.tensor(wo, requires_grad=True)
    o = torch.sigmoid(torch.sigmoid(torch.tensor(x) @ wh_t.T) @ wo_t.T)
    loss = 0.5 * ((o - torch.tensor(y)) ** 2).sum()
    loss.backward()
    return loss.item(), wh_t.grad.numpy(), wo_t.grad.numpy()


def test_forward_reproduces_the_notes():
    """Numbers printed in course notes 001 (rounded to 2 places there)."""
    o, cache = sigmoid_net_forward(COURSE_X, COURSE_W_HIDDEN, COURSE_W_OUTPUT)
    np.testing.assert_array_equal(cache["h"].round(2), [[0.56, 0.50]])
    np.testing.assert_array_equal(o.round(2), [[0.48, 0.53]])
    assert round(squared_error(COURSE_Y, o), 2) == 0.21
    dE_do = squared_error_grad(COURSE_Y, o)
    np.testing.assert_array_equal(dE_do.round(2), [[0.25, 0.60]])
    _, _, dw_output = sigmoid_net_backward(dE_do, cache)
    # output-layer gradients: w5 0.03, w7 0.03, w6 0.08, w8 0.07 in the notes
    np.testing.assert_array_equal(dw_output.round(2), [[0.03, 0.03], [0.08, 0.07]])


def test_weight_layout_matches_the_notes_formulas():
    """H1 = sigmoid(0.2*0.5 + 0.5*0.3), O2 = sigmoid(-0.5*H1 + 0.8*H2), written out by hand."""
    def s(z):
        return 1 / (1 + np.exp(-z))
    h1, h2 = s(0.2 * 0.5 + 0.5 * 0.3), s(-0.4 * 0.5 + 0.6 * 0.3)
    o1, o2 = s(0.1 * h1 - 0.3 * h2), s(-0.5 * h1 + 0.8 * h2)
    o, cache = sigmoid_net_forward(COURSE_X, COURSE_W_HIDDEN, COURSE_W_OUTPUT)
    np.testing.assert_allclose(cache["h"][0], [h1, h2], rtol=1e-14)
    np.testing.assert_allclose(o[0], [o1, o2], rtol=1e-14)


@pytest.mark.parametrize(
    "seed, N, n_in, n_hid, n_out", [(0, 1, 2, 2, 2), (1, 5, 3, 4, 2), (2, 7, 6, 3, 5)]
)
def test_backward_matches_autograd(seed, N, n_in, n_hid, n_out):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(N, n_in)), rng.normal(size=(N, n_out))
    wh, wo = rng.normal(size=(n_hid, n_in)), rng.normal(size=(n_out, n_hid))
    o, cache = sigmoid_net_forward(x, wh, wo)
    dx, dwh, dwo = sigmoid_net_backward(squared_error_grad(y, o), cache)
    loss_t, gwh, gwo = torch_grads(x, y, wh, wo)
    assert squared_error(y, o) == pytest.approx(loss_t, rel=1e-12)
    np.testing.assert_allclose(dwh, gwh, rtol=1e-10, err_msg="hidden weights")
    np.testing.assert_allclose(dwo, gwo, rtol=1e-10, err_msg="output weights")
    xt = torch.tensor(x, requires_grad=True)
    out = torch.sigmoid(torch.sigmoid(xt @ torch.tensor(wh).T) @ torch.tensor(wo).T)
    (0.5 * ((out - torch.tensor(y)) ** 2).sum()).backward()
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-10, err_msg="inputs")
    delta_hidden, delta_output = sigmoid_net_deltas(squared_error_grad(y, o), cache)
    np.testing.assert_allclose(delta_output.T @ cache["h"], dwo, rtol=1e-12)
    np.testing.assert_allclose(delta_hidden.T @ x, dwh, rtol=1e-12)


def test_course_rule_is_the_notes_arithmetic_and_is_wrong():
    o, cache = sigmoid_net_forward(COURSE_X, COURSE_W_HIDDEN, COURSE_W_OUTPUT)
    _, _, dw_output = sigmoid_net_backward(squared_error_grad(COURSE_Y, o), cache)
    wrong = course_hidden_gradient(cache, dw_output)
    (h1, h2), (x1, x2) = cache["h"][0], COURSE_X[0]
    (dw5, dw7), (dw6, dw8) = dw_output
    # the notes: dw1 = (dw5 + dw6) * H1(1-H1) * x1, dw3 with x2, dw2 = (dw7 + dw8) * H2(1-H2) * x1
    by_hand = np.array([[(dw5 + dw6) * h1 * (1 - h1) * x1, (dw5 + dw6) * h1 * (1 - h1) * x2],
                        [(dw7 + dw8) * h2 * (1 - h2) * x1, (dw7 + dw8) * h2 * (1 - h2) * x2]])
    np.testing.assert_allclose(wrong, by_hand, rtol=1e-14)
    np.testing.assert_array_equal(wrong.round(2), [[0.01, 0.01], [0.01, 0.01]])  # the notes' values
    _, gwh, _ = torch_grads(COURSE_X, COURSE_Y, COURSE_W_HIDDEN, COURSE_W_OUTPUT)
    assert np.max(np.abs(wrong - gwh) / np.abs(gwh)) > 0.03, "the erratum must be real"
    assert np.sign(gwh[0, 0]) == -1 and np.sign(wrong[0, 0]) == 1, "w1: the sign flips"


def test_worked_example_table():
    lr = 0.5
    rows = worked_example(lr=lr)
    value = {r.name: r.value for r in rows}
    assert {r.stage for r in rows} == {"forward", "backward", "course", "update"}
    _, gwh, gwo = torch_grads(COURSE_X, COURSE_Y, COURSE_W_HIDDEN, COURSE_W_OUTPUT)
    names_h, names_o = [["w1", "w3"], ["w2", "w4"]], [["w5", "w7"], ["w6", "w8"]]
    for names, w, grad in ((names_h, COURSE_W_HIDDEN, gwh), (names_o, COURSE_W_OUTPUT, gwo)):
        for j in range(2):
            for i in range(2):
                n = names[j][i]
                assert value[f"dE/d{n}"] == pytest.approx(grad[j, i], rel=1e-10), n
                assert value[f"{n} new"] == pytest.approx(w[j, i] - lr * grad[j, i], rel=1e-12), n
    # one SGD step of torch lowers the error, and our updated weights are torch's
    wh_t = torch.tensor(COURSE_W_HIDDEN, requires_grad=True)
    wo_t = torch.tensor(COURSE_W_OUTPUT, requires_grad=True)
    opt = torch.optim.SGD([wh_t, wo_t], lr=lr)
    o = torch.sigmoid(torch.sigmoid(torch.tensor(COURSE_X) @ wh_t.T) @ wo_t.T)
    (0.5 * ((o - torch.tensor(COURSE_Y)) ** 2).sum()).backward()
    opt.step()
    assert value["w1 new"] == pytest.approx(wh_t[0, 0].item(), rel=1e-12)
    assert value["w8 new"] == pytest.approx(wo_t[1, 1].item(), rel=1e-12)
    text = format_table(rows)
    assert "delta H1" in text and len(text.splitlines()) == len(rows) + 1
    assert "反向" in text.zh and "公式" in text.zh.splitlines()[0]


def test_bad_input():
    with pytest.raises(ValueError, match="w_hidden must have shape"):
        sigmoid_net_forward(COURSE_X, np.ones((2, 3)), COURSE_W_OUTPUT)
    with pytest.raises(ValueError, match="w_output must have shape"):
        sigmoid_net_forward(COURSE_X, COURSE_W_HIDDEN, np.ones((2, 3)))
    with pytest.raises(ValueError, match="x must have shape"):
        sigmoid_net_forward([0.5, 0.3], COURSE_W_HIDDEN, COURSE_W_OUTPUT)
    _, cache = sigmoid_net_forward(COURSE_X, COURSE_W_HIDDEN, COURSE_W_OUTPUT)
    with pytest.raises(ValueError, match="dout has shape"):
        sigmoid_net_backward([0.23, -0.07], cache)
    with pytest.raises(ValueError, match="y has shape"):
        squared_error_grad([0.23, -0.07], cache["o"])
    with pytest.raises(ValueError, match="lr"):
        worked_example(lr=-1)
