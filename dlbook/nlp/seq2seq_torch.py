r"""A small GRU encoder-decoder: a conditional language model :math:`P(y \mid x)` to decode.

Chapter 3.9 trains it on a synthetic translation task that needs no data files: the digits of
a number (``"1 3 0 5"``) to its English words (``"one thousand three hundred five"``).  The
decoder reads the encoder's last hidden state as its initial state and predicts one word at a
time; :meth:`Seq2Seq.next_log_probs` is what beam search calls.

See Also
--------
dlbook.nlp.batched_beam_search_torch : batched beam search that decodes this model.
:ref:`ch-beam-search` : the chapter.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from dlbook._checks import int_value, positive_int, positive_real, token_list

__all__ = ["number_to_words", "number_pairs", "SRC_VOCAB", "TGT_VOCAB", "PAD", "BOS", "EOS",
           "pad_batch", "Seq2Seq", "train_seq2seq", "sequence_log_prob", "make_step_fn"]

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
        "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
#: Token ids shared by both vocabularies: padding, start and end of a sequence.
PAD = 0
BOS = 1
EOS = 2
SRC_VOCAB = ["<pad>", "<bos>", "<eos>"] + [str(d) for d in range(10)]
TGT_VOCAB = ["<pad>", "<bos>", "<eos>"] + ONES + TENS[2:] + ["hundred", "thousand"]


def _below_thousand(n):
    words = []
    if n >= 100:
        words += [ONES[n // 100], "hundred"]
    r = n % 100
    if r >= 20:
        words.append(TENS[r // 10])
        if r % 10:
            words.append(ONES[r % 10])
    elif r > 0:
        words.append(ONES[r])
    return words


def number_to_words(n: int) -> list[str]:
    """English words of an integer 0 <= n <= 999999 (no "and", no hyphens).

    Examples
    --------
    >>> " ".join(number_to_words(1305))
    'one thousand three hundred five'
    >>> " ".join(number_to_words(420017))
    'four hundred twenty thousand seventeen'
    >>> " ".join(number_to_words(42)), " ".join(number_to_words(0))
    ('forty two', 'zero')
    """
    n = int_value(n, "n", low=0, high=999_999)
    if n == 0:
        return ["zero"]
    words = []
    if n >= 1000:
        words += _below_thousand(n // 1000) + ["thousand"]
    return words + _below_thousand(n % 1000)


def number_pairs(numbers):
    """Source and target id lists for numbers: digits -> words followed by ``<eos>``.

    Returns
    -------
    src : list of list of int
        Digit ids (no bos/eos).
    tgt : list of list of int
        Word ids ending with ``EOS`` (no ``BOS``).

    Examples
    --------
    >>> src, tgt = number_pairs([21])
    >>> [SRC_VOCAB[i] for i in src[0]], [TGT_VOCAB[i] for i in tgt[0]]
    (['2', '1'], ['twenty', 'one', '<eos>'])
    """
    s_id = {w: i for i, w in enumerate(SRC_VOCAB)}
    t_id = {w: i for i, w in enumerate(TGT_VOCAB)}
    src = [[s_id[c] for c in str(int(n))] for n in numbers]
    tgt = [[t_id[w] for w in number_to_words(n)] + [EOS] for n in numbers]
    return src, tgt


def pad_batch(seqs, pad=PAD, device=None):
    """Right-pad id lists into a LongTensor (N, T_max) and their lengths (N,).

    Examples
    --------
    >>> x, n = pad_batch([[5, 6, 7], [8]])
    >>> x.tolist(), n.tolist()
    ([[5, 6, 7], [8, 0, 0]], [3, 1])
    """
    seqs = [token_list(s, f"seqs[{i}]") for i, s in enumerate(seqs)]
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.long)
    if (lengths == 0).any():
        raise ValueError("pad_batch got an empty sequence")
    out = torch.full((len(seqs), int(lengths.max())), pad, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, :len(s)] = torch.as_tensor(s, dtype=torch.long)
    return out.to(device), lengths.to(device)


class Seq2Seq(nn.Module):
    r"""GRU encoder-decoder :math:`P(y \mid x) = \prod_t P(y_t \mid h(x), y_{<t})`.

    Parameters
    ----------
    n_src, n_tgt : int
        Source and target vocabulary sizes.
    emb : int, default 32
        Embedding size of both sides.
    hidden : int, default 128
        GRU hidden size.

    Examples
    --------
    >>> m = Seq2Seq(len(SRC_VOCAB), len(TGT_VOCAB))
    >>> src, n = pad_batch([[4, 5], [6]])
    >>> m.next_log_probs(m.encode(src, n), torch.tensor([[BOS], [BOS]])).shape
    torch.Size([2, 33])
    """

    def __init__(self, n_src, n_tgt, emb=32, hidden=128):
        super().__init__()
        self.src_emb = nn.Embedding(n_src, emb, padding_idx=PAD)
        self.encoder = nn.GRU(emb, hidden, batch_first=True)
        self.tgt_emb = nn.Embedding(n_tgt, emb, padding_idx=PAD)
        self.decoder = nn.GRU(emb, hidden, batch_first=True)
        self.out = nn.Linear(hidden, n_tgt)

    def encode(self, src, src_len):
        """Encoder's last hidden state, shape (1, N, hidden), from padded ids (N, T)."""
        packed = pack_padded_sequence(self.src_emb(src), src_len.cpu(), batch_first=True,
                                      enforce_sorted=False)
        _, h = self.encoder(packed)
        return h

    def forward(self, src, src_len, tgt_in):
        """Teacher-forced logits (N, T, n_tgt) for decoder inputs ``tgt_in`` (N, T)."""
        out, _ = self.decoder(self.tgt_emb(tgt_in), self.encode(src, src_len))
        return self.out(out)

    def next_log_probs(self, h, prefixes):
        """Log-probabilities (M, n_tgt) of the next word after each prefix (M, t) from ``h``."""
        out, _ = self.decoder(self.tgt_emb(prefixes), h)
        return torch.log_softmax(self.out(out[:, -1]), dim=-1)


def _teacher_forcing(tgt, device):
    tgt_in, _ = pad_batch([[BOS] + t[:-1] for t in tgt], device=device)
    tgt_out, _ = pad_batch(tgt, device=device)
    return tgt_in, tgt_out


def train_seq2seq(model, src, tgt, epochs=20, batch_size=128, lr=3e-3, seed=0, device=None):
    """Train with teacher forcing, Adam and cross-entropy over the non-pad target words.

    Parameters
    ----------
    model : Seq2Seq
    src, tgt : list of list of int
        As :func:`number_pairs` returns them.
    epochs, batch_size, lr, seed
        Training settings; the batch order is shuffled with ``seed``.
    device : torch.device, optional
        Where to train (the model is moved there).

    Returns
    -------
    list of float
        The mean training loss of each epoch.

    Examples
    --------
    A tiny model on eight numbers for a few epochs (the model is left in eval mode):

    >>> _ = torch.manual_seed(0)
    >>> m = Seq2Seq(len(SRC_VOCAB), len(TGT_VOCAB), emb=8, hidden=16)
    >>> src, tgt = number_pairs([3, 14, 15, 92, 65, 358, 979, 3238])
    >>> losses = train_seq2seq(m, src, tgt, epochs=5, batch_size=4, lr=1e-2)
    >>> len(losses), losses[-1] < losses[0], m.training
    (5, True, False)
    """
    if len(src) != len(tgt) or len(src) == 0:
        raise ValueError(f"src and tgt must be non-empty and aligned, got {len(src)} and "
                         f"{len(tgt)}")
    epochs, batch_size = positive_int(epochs, "epochs"), positive_int(batch_size, "batch_size")
    lr, seed = positive_real(lr, "lr"), int_value(seed, "seed", low=0)
    device = torch.device("cpu") if device is None else torch.device(device)
    model.to(device).train()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(epochs):
        order = torch.randperm(len(src), generator=gen).tolist()
        total, count = 0.0, 0
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            x, n = pad_batch([src[j] for j in idx], device=device)
            y_in, y_out = _teacher_forcing([tgt[j] for j in idx], device)
            logits = model(x, n, y_in)                                   # (B, T, V)
            loss = nn.functional.cross_entropy(logits.transpose(1, 2), y_out,
                                               ignore_index=PAD)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total, count = total + loss.item() * len(idx), count + len(idx)
        losses.append(total / count)
    model.eval()
    return losses


@torch.no_grad()
def sequence_log_prob(model, src, tgt, device=None):
    r""":math:`\log P(y \mid x) = \sum_t \log P(y_t \mid x, y_{<t})` of each pair (teacher forcing).

    Parameters
    ----------
    model : Seq2Seq
    src, tgt : list of list of int
        Targets without ``BOS``; include ``EOS`` if it should be scored.

    Returns
    -------
    ndarray of shape (N,)

    Examples
    --------
    With the output layer zeroed every next word has probability 1/33, so a target of
    :math:`T` words (``<eos>`` included; padding is not scored) gets :math:`-T \log 33`:

    >>> import math
    >>> m = Seq2Seq(len(SRC_VOCAB), len(TGT_VOCAB), emb=8, hidden=16)
    >>> _ = m.out.weight.data.zero_(), m.out.bias.data.zero_()
    >>> src, tgt = number_pairs([21, 7])          # "twenty one <eos>", "seven <eos>"
    >>> (sequence_log_prob(m, src, tgt) / -math.log(len(TGT_VOCAB))).round(5).tolist()
    [3.0, 2.0]
    """
    device = torch.device("cpu") if device is None else torch.device(device)
    x, n = pad_batch(src, device=device)
    y_in, y_out = _teacher_forcing(tgt, device)
    logp = torch.log_softmax(model(x, n, y_in), dim=-1)                  # (N, T, V)
    picked = logp.gather(2, y_out.unsqueeze(2)).squeeze(2)               # (N, T)
    return (picked * (y_out != PAD)).sum(1).double().cpu().numpy()


def make_step_fn(model, src, device=None):
    """The ``step_fn(prefixes, rows)`` of
    :func:`dlbook.nlp.batched_beam_search_torch.batched_beam_search`.

    The sources are encoded once; each call runs the decoder over the given prefixes, starting
    from the encoding of the input each prefix belongs to.

    Examples
    --------
    Three prefixes, two of them from the second input: each row is a distribution over the
    33 target words, and ``rows`` picks which input's encoding it continues.

    >>> _ = torch.manual_seed(0)
    >>> m = Seq2Seq(len(SRC_VOCAB), len(TGT_VOCAB), emb=8, hidden=16).eval()
    >>> src, _ = number_pairs([7, 42])
    >>> step = make_step_fn(m, src)
    >>> lp = step(torch.tensor([[BOS], [BOS], [BOS]]), torch.tensor([0, 1, 1]))
    >>> lp.shape, torch.allclose(lp.exp().sum(1), torch.ones(3))
    (torch.Size([3, 33]), True)
    >>> ref = m.next_log_probs(m.encode(*pad_batch(src)), torch.tensor([[BOS], [BOS]]))
    >>> torch.allclose(lp[:2], ref.detach()), torch.allclose(lp[1], lp[2])
    (True, True)
    """
    device = torch.device("cpu") if device is None else torch.device(device)
    x, n = pad_batch(src, device=device)
    with torch.no_grad():
        h = model.encode(x, n)                                           # (1, N, H)

    @torch.no_grad()
    def step(prefixes, rows):
        return model.next_log_probs(h[:, rows], prefixes)

    return step
