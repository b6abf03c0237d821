"""The course's Keras models in PyTorch: parameter counts from the (n_in + 1) * n_out formula."""

import numpy as np
import pytest
import torch
from torch import nn

from dlbook.nn.examples.ticket_model_torch import (
    SharedEncoderPair,
    TicketModel,
    make_ticket_data,
    ticket_loss,
)
from dlbook.nn.summary_torch import summary


def dense(n_in, n_out):
    return (n_in + 1) * n_out


def test_course_mlp_has_316810_parameters():
    model = nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 300),
        nn.ReLU(),
        nn.Linear(300, 200),
        nn.ReLU(),
        nn.Linear(200, 100),
        nn.ReLU(),
        nn.Linear(100, 10),
    )
    expected = dense(784, 300) + dense(300, 200) + dense(200, 100) + dense(100, 10)
    s = summary(model, (1, 28, 28))
    assert s.total == expected == 316_810
    assert [r.params for r in s.rows if r.kind == "Linear"] == [235_500, 60_200, 20_100, 1_010]


def test_ticket_model_parameter_count_and_shapes():
    V, T, H, D = 10_000, 100, 64, 4
    expected = dense(2 * V + T, H) + dense(H, 1) + dense(H, D)
    model = TicketModel()
    assert sum(p.numel() for p in model.parameters()) == expected
    s = summary(model, [(2, V), (2, V), (2, T)])
    assert s.total == expected
    p, logits = model(torch.zeros(2, V), torch.zeros(2, V), torch.zeros(2, T))
    assert p.shape == (2, 1) and logits.shape == (2, D)
    assert torch.all((p > 0) & (p < 1))


def test_ticket_model_forward_matches_formula():
    torch.manual_seed(0)
    model = TicketModel(vocabulary_size=7, num_tags=3, num_departments=2, hidden=5).double()
    a, b, c = (
        torch.rand(4, 7, dtype=torch.float64),
        torch.rand(4, 7, dtype=torch.float64),
        torch.rand(4, 3, dtype=torch.float64),
    )
    f = torch.cat([a, b, c], 1).numpy()
    W, bh = model.hidden.weight.detach().numpy(), model.hidden.bias.detach().numpy()
    h = np.maximum(f @ W.T + bh, 0)
    pr = 1 / (
        1
        + np.exp(
            -(h @ model.priority.weight.detach().numpy().T + model.priority.bias.detach().numpy())
        )
    )
    dl = h @ model.department.weight.detach().numpy().T + model.department.bias.detach().numpy()
    p, logits = model(a, b, c)
    np.testing.assert_allclose(p.detach().numpy(), pr, rtol=1e-12)
    np.testing.assert_allclose(logits.detach().numpy(), dl, rtol=1e-12)


def test_ticket_model_shape_errors():
    model = TicketModel(vocabulary_size=10, num_tags=4)
    with pytest.raises(ValueError, match=r"text_body must have shape \(N, 10\)"):
        model(torch.zeros(2, 10), torch.zeros(2, 9), torch.zeros(2, 4))
    with pytest.raises(ValueError, match="tags"):
        model(torch.zeros(2, 10), torch.zeros(2, 10), torch.zeros(3, 4))
    with pytest.raises(TypeError):
        TicketModel(vocabulary_size=2.5)


def test_shared_encoder_counts_once():
    n_in, H = 50, 6
    model = SharedEncoderPair(n_in, H)
    assert sum(p.numel() for p in model.parameters()) == dense(n_in, H) + dense(2 * H, 1)
    two_encoders = 2 * dense(n_in, H) + dense(2 * H, 1)
    assert two_encoders - sum(p.numel() for p in model.parameters()) == dense(n_in, H)
    # both branches see the same weights: swapping inputs swaps the halves of the encoding
    a, b = torch.randn(3, n_in), torch.randn(3, n_in)
    ea, eb = model.encoder(a), model.encoder(b)
    w = model.head.weight.detach()
    expected = torch.cat([eb, ea], 1) @ w.T + model.head.bias
    torch.testing.assert_close(model(b, a), expected)
    with pytest.raises(ValueError, match="same shape"):
        model(a, b[:2])


def test_ticket_data_follows_its_rule():
    d = make_ticket_data(300, vocabulary_size=500, num_tags=30, seed=4)
    rng = np.random.default_rng(4)          # re-derive the hidden word lists as documented
    words = rng.permutation(500)
    keywords, urgent = words[:80].reshape(4, 20), words[80:90]
    critical = rng.permutation(30)[:10]
    title, body, tags = (d[k].numpy().astype(float) for k in ("title", "text_body", "tags"))
    score = (
        0.8 * (2 * title[:, urgent].sum(1) + body[:, urgent].sum(1))
        + tags[:, critical].sum(1)
        - 2.5
    )
    np.testing.assert_allclose(d["priority"].numpy()[:, 0], 1 / (1 + np.exp(-score)), rtol=1e-6)
    dept = d["department"].numpy()
    own = np.array([body[i, keywords[dept[i]]].sum() for i in range(len(dept))])
    assert np.all(own >= 1), "every body holds keywords of its department"
    assert d["title"].dtype == torch.uint8 and set(np.unique(title)) <= {0.0, 1.0}


def test_ticket_loss_is_weighted_sum():
    p_hat, logits = (
        torch.tensor([[0.2], [0.9]]),
        torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0]]),
    )
    p, dept = torch.tensor([[0.0], [1.0]]), torch.tensor([0, 2])
    mse = (0.2**2 + 0.1**2) / 2
    ce = np.mean([-np.log(np.e / (np.e + 3)), -np.log(np.e**2 / (np.e**2 + 3))])
    got = ticket_loss((p_hat, logits), (p, dept), loss_weights=(3.0, 0.5)).item()
    assert got == pytest.approx(3.0 * mse + 0.5 * ce, rel=1e-6)
    with pytest.raises(ValueError, match="priority prediction has shape"):
        ticket_loss((p_hat[:, 0], logits), (p, dept))
