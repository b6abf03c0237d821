r"""Training a :class:`~dlbook.transformer.transformer_torch.Seq2SeqTransformer` on the
Spanish→English verse task, and decoding it greedily or with beam search.

The protocol is shared with the recurrent models of :ref:`ch-attention` so that the scores
compare: vocabularies from the training tokens with ``min_count=2`` per language, plus
``<unk>`` (id 0), ``<pad>`` (1), ``<bos>`` (2) and ``<eos>`` (3); decoding stops at ``<eos>`` or
after 40 tokens; BLEU is :func:`dlbook.nlp.bleu.corpus_bleu` against the test split's English
tokens.

See Also
--------
dlbook.data.verse_pairs.verse_task : the data.
:ref:`ch-transformer` : the chapter.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from dlbook import _checks
from dlbook.nlp.beam_search import beam_search
from dlbook.nlp.text import Vocabulary
from dlbook.transformer.transformer_torch import noam_rate

__all__ = ["UNK", "PAD", "BOS", "EOS", "MAX_OUTPUT_TOKENS", "build_vocabularies", "encode_pairs",
           "pad_batch", "TrainingHistory", "train_translation", "greedy_translate",
           "beam_translate", "ids_to_words"]

#: The ids of the special tokens in both vocabularies.
UNK = 0
PAD = 1
BOS = 2
EOS = 3
#: Decoding stops after this many output tokens (``<eos>`` included).
MAX_OUTPUT_TOKENS = 40


def build_vocabularies(pairs, min_count: int = 2):
    r"""Source and target :class:`~dlbook.nlp.text.Vocabulary` of the training pairs, with
    ``<unk>``, ``<pad>``, ``<bos>``, ``<eos>`` as ids 0–3.

    Examples
    --------
    >>> src, tgt = build_vocabularies([(["a", "b"], ["x"]), (["a"], ["x", "y"])])
    >>> src.index_to_token, tgt.index_to_token
    (['<unk>', '<pad>', '<bos>', '<eos>', 'a'], ['<unk>', '<pad>', '<bos>', '<eos>', 'x'])
    """
    specials = ("<pad>", "<bos>", "<eos>")
    src = Vocabulary([s for s, _ in pairs], min_count=min_count, specials=specials)
    tgt = Vocabulary([t for _, t in pairs], min_count=min_count, specials=specials)
    return src, tgt


def encode_pairs(pairs, src_vocab, tgt_vocab):
    """Id lists: sources as they are, targets wrapped in ``<bos>`` … ``<eos>``.

    Examples
    --------
    >>> src, tgt = build_vocabularies([(["a"], ["x"]), (["a"], ["x"])])
    >>> encode_pairs([(["a", "zz"], ["x"])], src, tgt)
    ([[4, 0]], [[2, 4, 3]])
    """
    return ([src_vocab.encode(s) for s, _ in pairs],
            [[BOS] + tgt_vocab.encode(t) + [EOS] for _, t in pairs])


def pad_batch(seqs, device=None):
    """A (len(seqs), longest) LongTensor of id lists padded with ``PAD``.

    Examples
    --------
    >>> pad_batch([[5, 6, 7], [8]])
    tensor([[5, 6, 7],
            [8, 1, 1]])
    """
    longest = max(len(s) for s in seqs)
    out = torch.full((len(seqs), longest), PAD, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, :len(s)] = torch.as_tensor(s, dtype=torch.long)
    return out.to(device) if device is not None else out


@dataclass(frozen=True)
class TrainingHistory:
    """Per epoch: mean training loss (label-smoothed) and validation loss (plain
    cross-entropy per token); the learning rate at every step; seconds of training."""

    train_loss: list
    valid_loss: list
    lr: list
    seconds: float


def _batches(src, tgt, batch_size, rng):
    """Batches of similar source length (less padding), in random order."""
    order = np.argsort([len(s) + rng.random() for s in src], kind="stable")
    groups = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(groups)
    return groups


@torch.no_grad()
def _valid_loss(model, src, tgt, device, batch_size=128):
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(src), batch_size):
        s = pad_batch(src[i:i + batch_size], device)
        t = pad_batch(tgt[i:i + batch_size], device)
        logits = model(s, t[:, :-1])
        total += F.cross_entropy(logits.flatten(0, 1), t[:, 1:].flatten(), ignore_index=PAD,
                                 reduction="sum").item()
        count += int((t[:, 1:] != PAD).sum())
    return total / count


def train_translation(model, train_src, train_tgt, epochs: int, batch_size: int = 64,
                      warmup: int = 400, lr_scale: float = 1.0, label_smoothing: float = 0.1,
                      valid=None, seed: int = 0, device=None, schedule: str = "noam",
                      constant_lr: float = 1e-3) -> TrainingHistory:
    r"""Train with Adam (:math:`\beta = (0.9, 0.98)`, :math:`\epsilon = 10^{-9}` as in the
    paper), teacher forcing and label-smoothed cross-entropy.

    Parameters
    ----------
    model : Seq2SeqTransformer
    train_src, train_tgt : list of list of int
        From :func:`encode_pairs`.
    epochs, batch_size : int
    warmup : int
        Warm-up steps of :func:`~dlbook.transformer.transformer_torch.noam_rate`.
    lr_scale : float
        Multiplies the Noam rate.
    label_smoothing : float
        :math:`\varepsilon` of ``torch.nn.functional.cross_entropy``.
    valid : (list, list), optional
        Validation sources and targets, scored after every epoch.
    schedule : {"noam", "constant"}
        ``"constant"`` uses ``constant_lr`` from the first step (no warm-up).

    Returns
    -------
    TrainingHistory

    Examples
    --------
    >>> from dlbook.transformer.transformer_torch import Seq2SeqTransformer
    >>> _ = torch.manual_seed(0)
    >>> model = Seq2SeqTransformer(8, 8, d_model=16, nhead=2, dim_feedforward=32, dropout=0.0)
    >>> src = [[4, 5, 6], [6, 5], [7, 4]] * 20
    >>> tgt = [[BOS] + s[::-1] + [EOS] for s in src]         # learn to reverse
    >>> h = train_translation(model, src, tgt, epochs=30, batch_size=20, warmup=20, lr_scale=0.3)
    >>> h.train_loss[-1] < 0.25 * h.train_loss[0]
    True
    >>> greedy_translate(model, [[4, 5, 6], [7, 4]])
    [[6, 5, 4], [4, 7]]
    """
    epochs = _checks.positive_int(epochs, "epochs")
    _checks.one_of(schedule, "schedule", ("noam", "constant"))
    device = device or next(model.parameters()).device
    rng = np.random.default_rng(_checks.int_value(seed, "seed", low=0))
    opt = torch.optim.Adam(model.parameters(), lr=1.0, betas=(0.9, 0.98), eps=1e-9)
    step, lrs, train_loss, valid_loss = 0, [], [], []
    start = time.process_time()
    for _ in range(epochs):
        model.train()
        total, count = 0.0, 0
        for group in _batches(train_src, train_tgt, batch_size, rng):
            step += 1
            lr = (lr_scale * noam_rate(step, model.d_model, warmup) if schedule == "noam"
                  else constant_lr)
            for g in opt.param_groups:
                g["lr"] = lr
            s = pad_batch([train_src[i] for i in group], device)
            t = pad_batch([train_tgt[i] for i in group], device)
            states = model.decoder_states(t[:, :-1], model.encode(s), s)      # (N, T, E)
            real = t[:, 1:] != PAD                     # score real tokens only: no padding
            loss = F.cross_entropy(model.out(states[real]), t[:, 1:][real],
                                   label_smoothing=label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            lrs.append(lr)
            n = int(real.sum())
            total += loss.item() * n
            count += n
        train_loss.append(total / count)
        if valid is not None:
            valid_loss.append(_valid_loss(model, *valid, device))
    model.eval()
    return TrainingHistory(train_loss, valid_loss, lrs, time.process_time() - start)


@torch.no_grad()
def greedy_translate(model, src, max_len: int = MAX_OUTPUT_TOKENS, batch_size: int = 128,
                     device=None):
    r"""Greedy decoding of many sources at once; each output stops at (and drops) ``<eos>``.

    Returns
    -------
    list of list of int
        Output ids, without ``<bos>`` and ``<eos>``.

    Examples
    --------
    >>> from dlbook.transformer.transformer_torch import Seq2SeqTransformer
    >>> model = Seq2SeqTransformer(8, 8, d_model=16, nhead=2, dim_feedforward=32)
    >>> out = greedy_translate(model, [[4, 5], [6]], max_len=5)
    >>> len(out), all(len(o) <= 5 for o in out)
    (2, True)
    """
    device = device or next(model.parameters()).device
    model.eval()
    results = []
    for i in range(0, len(src), batch_size):
        s = pad_batch(src[i:i + batch_size], device)
        memory = model.encode(s)
        ys = torch.full((s.shape[0], 1), BOS, dtype=torch.long, device=device)
        done = torch.zeros(s.shape[0], dtype=torch.bool, device=device)
        for _ in range(max_len):
            nxt = model.decode(ys, memory, s)[:, -1].argmax(-1)
            nxt = torch.where(done, torch.full_like(nxt, PAD), nxt)
            ys = torch.cat([ys, nxt[:, None]], dim=1)
            done |= nxt == EOS
            if bool(done.all()):
                break
        for row in ys[:, 1:].tolist():
            out = []
            for tok in row:
                if tok in (EOS, PAD):
                    break
                out.append(tok)
            results.append(out)
    return results


@torch.no_grad()
def beam_translate(model, src, beam_width: int = 5, max_len: int = MAX_OUTPUT_TOKENS,
                   alpha: float = 0.7, device=None):
    r"""Beam search (:func:`dlbook.nlp.beam_search.beam_search`) for each source in turn; the
    encoder runs once per source, the decoder once per step for all the beam's prefixes.

    Returns
    -------
    list of list of int
        The best output of each source, without ``<eos>``.

    Examples
    --------
    >>> from dlbook.transformer.transformer_torch import Seq2SeqTransformer
    >>> model = Seq2SeqTransformer(8, 8, d_model=16, nhead=2, dim_feedforward=32)
    >>> greedy = greedy_translate(model, [[4, 5]], max_len=6)
    >>> beam_translate(model, [[4, 5]], beam_width=1, max_len=6) == greedy
    True
    """
    device = device or next(model.parameters()).device
    model.eval()
    results = []
    for ids in src:
        s = pad_batch([ids], device)
        memory = model.encode(s)

        def step(prefixes, memory=memory, s=s):
            ys = torch.tensor(prefixes, dtype=torch.long, device=device)       # (B, t)
            n = ys.shape[0]
            logits = model.decode(ys, memory.expand(n, -1, -1), s.expand(n, -1))[:, -1]
            return torch.log_softmax(logits.double(), dim=-1).cpu().numpy()

        best = beam_search(step, BOS, EOS, beam_width, max_len, alpha)[0][0]
        results.append([t for t in best if t != EOS])
    return results


def ids_to_words(ids, vocab):
    """Tokens of output ids.

    Examples
    --------
    >>> _, tgt = build_vocabularies([(["a"], ["x"]), (["a"], ["x"])])
    >>> ids_to_words([4, 0], tgt)
    ['x', '<unk>']
    """
    return vocab.decode(ids)
