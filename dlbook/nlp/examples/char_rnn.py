r"""A character-level language model built from :mod:`dlbook.nlp.rnn`, trained with truncated
backpropagation through time: chapter :ref:`ch-rnn`'s worked example.

Each character is a one-hot vector of size V; an Elman layer of H units reads them, and a
linear layer turns each hidden state into logits over the next character:

.. math::

    h_t = \tanh(W_{ih} e_{x_t} + b_{ih} + W_{hh} h_{t-1} + b_{hh}), \qquad
    p(x_{t+1} \mid x_{\le t}) = \operatorname{softmax}(W_{hy} h_t + b_y).

Training cuts one long text into ``batch_size`` parallel streams and walks along them in chunks
of ``seq_len`` steps. The hidden state is carried from one chunk to the next, but the gradient
is not: that is *truncated* BPTT, which keeps each update's cost and memory fixed however long
the text.

Framework-free code: there is no ``_torch`` twin.

See Also
--------
dlbook.nlp.rnn : the recurrent layer and its backward pass.
:ref:`ch-rnn` : the chapter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dlbook import _checks
from dlbook.nlp.rnn import rnn_backward, rnn_forward
from dlbook.nn.clipping import clip_grad_norm
from dlbook.nn.optim_adam import adam_step

__all__ = ["PARAM_NAMES", "TrainingState", "kjv_split", "init_char_rnn", "char_rnn_log_probs",
           "char_rnn_loss_and_grads", "train_truncated_bptt", "stream_perplexity",
           "sample_chars"]

#: The parameters, in the order the gradients come back.
PARAM_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hy", "bias_y")


@dataclass
class TrainingState:
    """Where truncated BPTT stands: Adam's state per parameter, the hidden state carried
    between chunks (N, H), the position in the streams, and every loss so far."""

    optimizer: dict = field(default_factory=dict)
    h: np.ndarray | None = None
    position: int = 0
    losses: list = field(default_factory=list)


def kjv_split(n_train: int = 6000, n_test: int = 600) -> tuple[str, str]:
    r"""Training and held-out text from the King James Bible (Debian's ``bible-kjv``).

    The training text is the first ``n_train`` verses (Genesis onwards), the held-out text the
    last ``n_test`` verses (the end of the New Testament), so no verse is in both and the
    held-out books were never seen. Verses are joined by line breaks; held-out verses with a
    character the training text lacks are left out, so every model predicts only characters it
    knows.

    Returns
    -------
    train_text, test_text : str

    Raises
    ------
    FileNotFoundError
        If Debian's ``bible`` program (package bible-kjv) is missing.

    Examples
    --------
    >>> try:
    ...     train, test = kjv_split(50, 20)
    ... except FileNotFoundError:              # without bible-kjv: the first verse
    ...     train = "In the beginning God created the heaven and the earth.\n"
    >>> train[:31]
    'In the beginning God created th'
    """
    from dlbook.data.build_corpus import kjv_verses

    verses = kjv_verses()
    if not verses:
        raise FileNotFoundError("the KJV text needs Debian's bible-kjv package (make data)")
    train = "\n".join(verses[:n_train]) + "\n"
    known = set(train)
    test = "\n".join(v for v in verses[-n_test:] if set(v) <= known) + "\n"
    return train, test


def init_char_rnn(vocab_size: int, hidden_size: int, rng, dtype=np.float32) -> dict:
    r"""Parameters drawn as torch initializes ``nn.RNN`` and ``nn.Linear``:
    :math:`U(-1/\sqrt H, 1/\sqrt H)` for every weight and bias.

    Returns
    -------
    dict
        ``weight_ih`` (H, V), ``weight_hh`` (H, H), ``bias_ih``, ``bias_hh`` (H,),
        ``weight_hy`` (V, H), ``bias_y`` (V,).

    Examples
    --------
    >>> p = init_char_rnn(5, 3, np.random.default_rng(0))
    >>> p["weight_ih"].shape, p["weight_hy"].shape, p["bias_y"].dtype
    ((3, 5), (5, 3), dtype('float32'))
    """
    V = _checks.positive_int(vocab_size, "vocab_size")
    H = _checks.positive_int(hidden_size, "hidden_size")
    k = 1 / np.sqrt(H)
    shapes = {"weight_ih": (H, V), "weight_hh": (H, H), "bias_ih": (H,), "bias_hh": (H,),
              "weight_hy": (V, H), "bias_y": (V,)}
    return {name: rng.uniform(-k, k, shape).astype(dtype) for name, shape in shapes.items()}


def _log_softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def char_rnn_log_probs(params: dict, inputs, h0=None):
    r"""Log probabilities of the next character after each input character.

    Parameters
    ----------
    params : dict
        From :func:`init_char_rnn`.
    inputs : array_like of int, shape (T, N)
        Character ids, time-major.
    h0 : ndarray of shape (N, H), optional
        Default zeros.

    Returns
    -------
    log_probs : ndarray of shape (T, N, V)
    h_n : ndarray of shape (N, H)

    Examples
    --------
    >>> p = init_char_rnn(4, 3, np.random.default_rng(0))
    >>> lp, h = char_rnn_log_probs(p, [[0], [1]])
    >>> lp.shape, np.allclose(np.exp(lp).sum(-1), 1)
    ((2, 1, 4), True)
    """
    lp, h_n, _ = _forward(params, inputs, h0)
    return lp, h_n


def _forward(params, inputs, h0):
    ids = np.asarray(inputs)
    if ids.ndim != 2 or ids.dtype.kind not in "iu":
        raise ValueError(f"inputs must be integer ids of shape (T, N), got {ids.dtype} "
                         f"{ids.shape}")
    V, H = params["weight_hy"].shape
    dtype = params["weight_hh"].dtype
    x = np.eye(V, dtype=dtype)[ids]                              # (T, N, V) one-hot
    h0 = np.zeros((ids.shape[1], H), dtype) if h0 is None else h0
    out, h_n, cache = rnn_forward(x, h0, *(params[k] for k in PARAM_NAMES[:4]))
    log_probs = _log_softmax(out @ params["weight_hy"].T + params["bias_y"])   # (T, N, V)
    return log_probs, h_n, (out, cache)


def char_rnn_loss_and_grads(params: dict, inputs, targets, h0=None):
    r"""Mean cross-entropy of the next-character predictions and its gradients (BPTT).

    Parameters
    ----------
    params : dict
    inputs, targets : array_like of int, shape (T, N)
        ``targets[t]`` is the character that follows ``inputs[t]``.
    h0 : ndarray of shape (N, H), optional

    Returns
    -------
    loss : float
        :math:`-\frac{1}{TN}\sum_{t,n} \log p(\text{targets}_{t,n})`, in nats per character.
    grads : dict
        One array per parameter, as ``params``.
    h_n : ndarray of shape (N, H)
        The last hidden state, to start the next chunk from.

    Notes
    -----
    With :math:`p = \operatorname{softmax}(z)` the gradient on the logits is
    :math:`(p - e_y)/(TN)`; it flows into ``weight_hy`` and, through :math:`W_{hy}`, into every
    hidden state as ``dout`` for :func:`dlbook.nlp.rnn.rnn_backward`.

    Examples
    --------
    With all weights zero every prediction is uniform: the loss is :math:`\log V`.

    >>> p = {k: np.zeros_like(v) for k, v in init_char_rnn(4, 3, np.random.default_rng(0)).items()}
    >>> loss, grads, h = char_rnn_loss_and_grads(p, [[0, 1]], [[2, 3]])
    >>> round(loss, 6) == round(float(np.log(4)), 6), sorted(grads) == sorted(PARAM_NAMES)
    (True, True)
    """
    log_probs, h_n, (out, cache) = _forward(params, inputs, h0)
    y = np.asarray(targets)
    T, N, V = log_probs.shape
    if y.shape != (T, N):
        raise ValueError(f"targets has shape {y.shape} but inputs has {(T, N)}")
    loss = -float(np.take_along_axis(log_probs, y[..., None], axis=-1).mean())
    dlogits = np.exp(log_probs)                                  # p, then p - onehot(y)
    np.put_along_axis(dlogits, y[..., None],
                      np.take_along_axis(dlogits, y[..., None], axis=-1) - 1, axis=-1)
    dlogits /= T * N
    H = out.shape[2]
    grads = {"weight_hy": dlogits.reshape(T * N, V).T @ out.reshape(T * N, H),
             "bias_y": dlogits.sum(axis=(0, 1))}
    _, _, *rnn_grads = rnn_backward(dlogits @ params["weight_hy"], None, cache)
    grads.update(zip(PARAM_NAMES[:4], rnn_grads))
    return loss, grads, h_n


def train_truncated_bptt(params: dict, ids, *, steps: int, seq_len: int, batch_size: int,
                         lr: float = 5e-3, max_norm: float = 5.0,
                         state: TrainingState | None = None):
    r"""Train with truncated BPTT on one long sequence of character ids, with Adam.

    Parameters
    ----------
    params : dict
        From :func:`init_char_rnn` (not modified).
    ids : array_like of int, shape (L,)
        The training text as character ids.
    steps : int
        Updates to make.
    seq_len : int
        Steps per chunk: the gradient reaches back at most this far.
    batch_size : int
        Parallel streams: the text is cut into this many equal parts, read side by side.
    lr : float
        Adam's learning rate.
    max_norm : float
        Gradients are clipped to this global norm (:func:`dlbook.nn.clipping.clip_grad_norm`).
    state : TrainingState, optional
        To continue an earlier call where it stopped.

    Returns
    -------
    params : dict
    state : TrainingState

    Examples
    --------
    A text that repeats "abc" is learned in a few dozen updates:

    >>> ids = np.tile([0, 1, 2], 200)
    >>> p = init_char_rnn(3, 8, np.random.default_rng(0))
    >>> p, state = train_truncated_bptt(p, ids, steps=60, seq_len=10, batch_size=4, lr=0.05)
    >>> state.losses[0] > 1.0 > 0.1 > state.losses[-1]
    True
    """
    steps = _checks.positive_int(steps, "steps")
    seq_len = _checks.positive_int(seq_len, "seq_len")
    batch_size = _checks.positive_int(batch_size, "batch_size")
    ids = np.asarray(ids)
    length = len(ids) // batch_size
    if length < seq_len + 1:
        raise ValueError(f"{len(ids)} ids are too few for {batch_size} streams of "
                         f"{seq_len + 1} steps")
    streams = ids[:length * batch_size].reshape(batch_size, length).T   # (length, N)
    state = TrainingState() if state is None else state
    params = dict(params)
    H = params["weight_hh"].shape[0]
    for _ in range(steps):
        if state.h is None or state.position + seq_len + 1 > length:
            state.position, state.h = 0, np.zeros((batch_size, H), params["weight_hh"].dtype)
        chunk = streams[state.position:state.position + seq_len + 1]
        loss, grads, state.h = char_rnn_loss_and_grads(params, chunk[:-1], chunk[1:], state.h)
        state.position += seq_len
        clipped, _ = clip_grad_norm([grads[k] for k in PARAM_NAMES], max_norm)
        for name, g in zip(PARAM_NAMES, clipped):
            params[name], state.optimizer[name] = adam_step(
                params[name], g.astype(params[name].dtype), state.optimizer.get(name, {}),
                lr=lr)
        state.losses.append(loss)
    return params, state


def stream_perplexity(params: dict, ids, start_id: int) -> float:
    r"""Perplexity per character on one continuous text, read from a zero state.

    Parameters
    ----------
    params : dict
    ids : array_like of int, shape (M,)
    start_id : int
        The character taken as read just before ``ids[0]`` (a line break, say).

    Returns
    -------
    float
        :math:`\exp\bigl(-\frac1M \sum_{m=1}^{M} \log p(x_m \mid x_{<m})\bigr)`.

    Examples
    --------
    With all weights zero every prediction is uniform over V = 5 characters, so the
    perplexity is 5:

    >>> p = init_char_rnn(5, 4, np.random.default_rng(0))
    >>> p = {k: np.zeros_like(v) for k, v in p.items()}
    >>> round(stream_perplexity(p, [0, 1, 2, 3, 4] * 20, start_id=0), 4)
    5.0
    """
    ids = np.asarray(ids, dtype=np.int64)
    inputs = np.concatenate([[start_id], ids[:-1]])[:, None]     # (M, 1)
    log_probs, _ = char_rnn_log_probs(params, inputs)
    picked = np.take_along_axis(log_probs[:, 0], ids[:, None], axis=-1)
    return float(np.exp(-picked.astype(np.float64).mean()))


def sample_chars(params: dict, start_id: int, length: int, rng, temperature: float = 1.0):
    r"""Generate ``length`` character ids, each drawn from the model's prediction given the
    ones before it (the one-to-many use of a recurrent network).

    Examples
    --------
    >>> p = init_char_rnn(3, 4, np.random.default_rng(0))
    >>> out = sample_chars(p, 0, 10, np.random.default_rng(1))
    >>> len(out), all(0 <= i < 3 for i in out)
    (10, True)
    """
    from dlbook.nlp.sampling import sampling_distribution

    length = _checks.positive_int(length, "length")
    H = params["weight_hh"].shape[0]
    h = np.zeros((1, H), params["weight_hh"].dtype)
    token, out = start_id, []
    for _ in range(length):
        log_probs, h = char_rnn_log_probs(params, [[token]], h)
        probs = sampling_distribution(log_probs[0, 0].astype(np.float64), temperature)
        token = int(rng.choice(len(probs), p=probs))
        out.append(token)
    return out
