r"""The course's functional-API models as ``torch.nn.Module``\ s (chapter :ref:`ch-pytorch-models`).

* :class:`TicketModel`: three inputs (title, text body, tags) and two outputs (a priority score
  in [0, 1] and a department), the course's multi-input/multi-output Keras model.
* :class:`SharedEncoderPair`: one encoder applied to two inputs (shared layers), the course's
  "are these two tweets by the same author?" model in dense form.
* :func:`make_ticket_data`: synthetic tickets with a hidden rule a model can learn (the course
  gives no data set), and :func:`ticket_loss`, the weighted sum of the two losses.

A torch-only chapter fixture: the point of these models is the PyTorch way of writing them.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from dlbook._checks import positive_int

__all__ = ["TicketModel", "SharedEncoderPair", "make_ticket_data", "ticket_loss"]


class TicketModel(nn.Module):
    r"""Route a support ticket: predict its priority and the department that should handle it.

    Parameters
    ----------
    vocabulary_size : int, default 10000
        Length of the multi-hot title and body vectors.
    num_tags : int, default 100
        Length of the multi-hot tag vector.
    num_departments : int, default 4
    hidden : int, default 64
        Width of the shared ReLU layer.

    Notes
    -----
    With :math:`f = [\text{title}; \text{body}; \text{tags}]` of size
    :math:`d = 2V + T`:

    .. math::
        h = \mathrm{ReLU}(W_h f + b_h), \qquad
        \text{priority} = \sigma(w_p^\top h + b_p), \qquad
        \text{department logits} = W_d h + b_d,

    so the model has :math:`(d + 1)H + (H + 1) + (H + 1)D` parameters: 1,286,789 with the
    course's sizes (V = 10000, T = 100, H = 64, D = 4).  Keras' version ends the department
    head with a softmax; here it returns logits and the loss applies log-softmax (the stable
    form), so ``softmax(logits)`` gives the probabilities.

    Examples
    --------
    >>> model = TicketModel()
    >>> sum(p.numel() for p in model.parameters())   # (20100+1)*64 + 65 + 65*4
    1286789
    >>> priority, logits = model(torch.zeros(2, 10000), torch.zeros(2, 10000), torch.zeros(2, 100))
    >>> tuple(priority.shape), tuple(logits.shape)
    ((2, 1), (2, 4))
    """

    def __init__(self, vocabulary_size=10000, num_tags=100, num_departments=4, hidden=64):
        super().__init__()
        self.vocabulary_size = positive_int(vocabulary_size, "vocabulary_size")
        self.num_tags = positive_int(num_tags, "num_tags")
        n_dep, hidden = (
            positive_int(num_departments, "num_departments"),
            positive_int(hidden, "hidden"),
        )
        self.hidden = nn.Linear(2 * self.vocabulary_size + self.num_tags, hidden)
        self.priority = nn.Linear(hidden, 1)
        self.department = nn.Linear(hidden, n_dep)

    def forward(self, title, text_body, tags):
        """title, text_body: (N, V); tags: (N, T) (any numeric dtype) -> (priority (N, 1), logits
        (N, D))."""
        expected = (
            (title, self.vocabulary_size, "title"),
            (text_body, self.vocabulary_size, "text_body"),
            (tags, self.num_tags, "tags"),
        )
        for t, width, name in expected:
            if t.ndim != 2 or t.shape[1] != width or t.shape[0] != title.shape[0]:
                raise ValueError(f"{name} must have shape (N, {width}) with N = {title.shape[0]}, "
                                 f"got {tuple(t.shape)}")
        features = torch.cat([title, text_body, tags], dim=1).to(
            self.hidden.weight.dtype
        )  # (N, 2V+T)
        h = F.relu(self.hidden(features))  # (N, H)
        return torch.sigmoid(self.priority(h)), self.department(h)


class SharedEncoderPair(nn.Module):
    r"""Score a pair of inputs with one encoder used twice (shared weights), then a logistic head.

    Parameters
    ----------
    in_features : int
        Size of each input vector (e.g. a bag-of-words of a tweet).
    hidden : int
        Size of the encoding.

    Notes
    -----
    .. math::
        e(x) = \mathrm{ReLU}(W x + b), \qquad
        \text{logit}(a, b) = w^\top [e(a); e(b)] + c .

    The encoder's :math:`(n_\text{in} + 1)H` parameters are counted once although they are
    applied twice; the model has :math:`(n_\text{in} + 1)H + 2H + 1` parameters, where two
    separate encoders would need :math:`2(n_\text{in} + 1)H + 2H + 1`.

    Examples
    --------
    >>> model = SharedEncoderPair(100, 8)
    >>> sum(p.numel() for p in model.parameters())   # (100+1)*8 + 2*8 + 1
    825
    >>> a = torch.randn(3, 100)
    >>> torch.equal(model.encoder(a), model.encoder(a))   # one set of weights for both sides
    True
    """

    def __init__(self, in_features, hidden):
        super().__init__()
        in_features, hidden = (
            positive_int(in_features, "in_features"),
            positive_int(hidden, "hidden"),
        )
        self.encoder = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU())
        self.head = nn.Linear(2 * hidden, 1)

    def forward(self, a, b):
        """a, b: (N, in_features) -> logits (N, 1) of "the pair belongs together"."""
        if a.shape != b.shape:
            raise ValueError(
                f"the two inputs must have the same shape, got {tuple(a.shape)} and "
                f"{tuple(b.shape)}"
            )
        return self.head(torch.cat([self.encoder(a), self.encoder(b)], dim=1))


def make_ticket_data(n, vocabulary_size=10000, num_tags=100, num_departments=4, seed=0):
    r"""Synthetic support tickets with a rule behind them (the course gives no data set).

    Every ticket gets a department :math:`d`; its title holds 2 and its body 6 of 20 keywords
    that belong to :math:`d`, plus 4 and 12 random words; it carries 3 random tags.  Ten "urgent"
    words and ten "critical" tags set the priority:

    .. math::
        \text{priority} = \sigma\bigl(0.8\,(2u_\text{title} + u_\text{body}) + c - 2.5\bigr),

    with :math:`u` the number of urgent words drawn into title and body (0–2 and 0–3) and
    :math:`c` the number of critical tags.

    Returns
    -------
    dict of torch.Tensor
        ``title``, ``text_body`` (N, V) and ``tags`` (N, T) as uint8 multi-hot (cast inside the
        model: four times less memory than float32), ``priority`` (N, 1) float32 and
        ``department`` (N,) int64.

    Examples
    --------
    >>> d = make_ticket_data(5, vocabulary_size=200, num_tags=20)
    >>> d["title"].shape, d["priority"].shape, d["department"].dtype
    (torch.Size([5, 200]), torch.Size([5, 1]), torch.int64)
    >>> bool(((d["priority"] > 0) & (d["priority"] < 1)).all())
    True
    """
    n = positive_int(n, "n")
    V, T, D = (
        positive_int(v, k)
        for k, v in (
            ("vocabulary_size", vocabulary_size),
            ("num_tags", num_tags),
            ("num_departments", num_departments),
        )
    )
    if V < 20 * D + 10 or T < 10:
        raise ValueError(
            f"need vocabulary_size >= {20 * D + 10} and num_tags >= 10, got {V} and {T}"
        )
    rng = np.random.default_rng(seed)
    words = rng.permutation(V)
    keywords = words[:20 * D].reshape(D, 20)           # (D, 20) keywords of each department
    urgent = words[20 * D:20 * D + 10]                  # (10,)
    critical = rng.permutation(T)[:10]                  # (10,)
    dept = rng.integers(0, D, size=n)                   # (n,)
    rows = np.arange(n)[:, None]                        # (n, 1)

    def multi_hot(width, *index_sets):
        out = np.zeros((n, width), dtype=np.uint8)
        for idx in index_sets:
            out[np.broadcast_to(rows, idx.shape), idx] = 1
        return out

    pick = lambda k: keywords[dept[:, None], rng.integers(0, 20, size=(n, k))]  # noqa: E731
    u_title, u_body = rng.integers(0, 3, size=n), rng.integers(0, 4, size=n)
    urgent_title = urgent[rng.integers(0, 10, size=(n, 2))]
    urgent_body = urgent[rng.integers(0, 10, size=(n, 3))]
    keep_t = np.arange(2)[None, :] < u_title[:, None]   # (n, 2): how many urgent words to add
    keep_b = np.arange(3)[None, :] < u_body[:, None]    # (n, 3)
    title = multi_hot(V, pick(2), rng.integers(0, V, size=(n, 4)))
    body = multi_hot(V, pick(6), rng.integers(0, V, size=(n, 12)))
    title[np.broadcast_to(rows, keep_t.shape)[keep_t], urgent_title[keep_t]] = 1
    body[np.broadcast_to(rows, keep_b.shape)[keep_b], urgent_body[keep_b]] = 1
    tags = multi_hot(T, rng.integers(0, T, size=(n, 3)))
    # the rule reads the inputs themselves (random words may add urgent words too)
    u_t, u_b, c = title[:, urgent].sum(1), body[:, urgent].sum(1), tags[:, critical].sum(1)
    score = 0.8 * (2.0 * u_t + u_b) + c - 2.5
    priority = 1.0 / (1.0 + np.exp(-score))
    return {"title": torch.from_numpy(title), "text_body": torch.from_numpy(body),
            "tags": torch.from_numpy(tags),
            "priority": torch.from_numpy(priority[:, None].astype(np.float32)),
            "department": torch.from_numpy(dept.astype(np.int64))}


def ticket_loss(outputs, targets, loss_weights=(1.0, 1.0)):
    r"""The global loss of the two heads: :math:`w_1\,\mathrm{MSE}(\text{priority}) +
    w_2\,\mathrm{CE}(\text{department})`.

    Parameters
    ----------
    outputs : (priority (N, 1), logits (N, D))
    targets : (priority (N, 1) float, department (N,) int64)
    loss_weights : pair of float, default (1, 1)
        Keras' ``loss_weights``: keep one task from drowning the other.

    Examples
    --------
    >>> out = (torch.tensor([[0.5]]), torch.zeros(1, 4))
    >>> target = (torch.tensor([[1.0]]), torch.tensor([2]))
    >>> round(ticket_loss(out, target).item(), 4)   # 0.25 + ln 4
    1.6363
    """
    (p_hat, logits), (p, dept) = outputs, targets
    if p_hat.shape != p.shape:
        raise ValueError(
            f"priority prediction has shape {tuple(p_hat.shape)} but target {tuple(p.shape)}"
        )
    w1, w2 = loss_weights
    return w1 * F.mse_loss(p_hat, p) + w2 * F.cross_entropy(logits, dept)
