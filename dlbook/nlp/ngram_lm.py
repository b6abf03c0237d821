r"""An n-gram language model with interpolated Kneser–Ney smoothing: the baseline that neural
language models are measured against.

The model predicts token :math:`w` from the :math:`n-1` tokens before it (its *history* :math:`h`).
Counts alone give zero probability to every n-gram the training text lacks, so the probability
mixes orders (Chen & Goodman's interpolated Kneser–Ney with one discount :math:`D`):

.. math::

   P(w \mid h) = \frac{\max(c(h w) - D, 0)}{c(h)}
                 + \frac{D\, N_{1+}(h\,\bullet)}{c(h)}\, P(w \mid h'),

where :math:`h'` drops the oldest token of :math:`h` and :math:`N_{1+}(h\,\bullet)` counts the
distinct tokens seen after :math:`h`. At the highest order :math:`c` is the ordinary count; at
the lower orders it is the *continuation count* :math:`N_{1+}(\bullet\, h w)`, the number of
distinct tokens seen before :math:`hw` (a word that follows many different contexts is a likely
continuation of a new one). The lowest order mixes in the uniform distribution over the
vocabulary :math:`V` (training tokens, the end marker and ``<unk>``), so every token of :math:`V`
gets a probability above zero. A history never seen in training backs off to :math:`P(w\mid h')`.

Sequences are padded with ``n - 1`` start markers and one end marker ``</s>``, which is
predicted like any token; tokens outside the vocabulary are read as ``<unk>``.
:meth:`NGramLM.perplexity` is :math:`\exp(-\frac{1}{M}\sum \log P)` over the :math:`M` predicted
tokens (end markers included).

References
----------
S. F. Chen and J. Goodman, "An empirical study of smoothing techniques for language modeling",
Computer Speech & Language 13 (1999).

See Also
--------
:ref:`ch-rnn` : the recurrent language model compared with it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from dlbook import _checks

__all__ = ["BOS", "EOS", "UNK", "NGramLM"]

BOS, EOS, UNK = "<s>", "</s>", "<unk>"


class NGramLM:
    r"""Interpolated Kneser–Ney n-gram model over tokens (characters, words, ids).

    Parameters
    ----------
    order : int, >= 1
        :math:`n`; a history of ``order - 1`` tokens.
    discount : float in (0, 1)
        :math:`D`, the same at every order (0.75 is the usual choice).

    Attributes
    ----------
    vocab : set
        The training tokens plus ``</s>`` and ``<unk>``.

    Examples
    --------
    A character bigram model of "abab" (padded ``<s> a b a b </s>``). "b" was followed once by
    "a" and once by ``</s>``, so :math:`c(b)=2`, :math:`N_{1+}(b\,\bullet)=2`; "a" has the
    continuation count 2 of the 4 distinct bigrams (3 token types), so
    :math:`P(a) = 1.25/4 + 0.75\cdot 3/4 \cdot 1/4 = 0.453125` and
    :math:`P(a \mid b) = 0.25/2 + 0.75 \cdot 2/2 \cdot 0.453125 = 0.46484375`:

    >>> lm = NGramLM(order=2).fit(["abab"])
    >>> lm.prob("a", ("b",))
    0.46484375
    >>> round(sum(lm.prob(w, ("b",)) for w in lm.vocab), 12)
    1.0
    """

    def __init__(self, order: int = 3, discount: float = 0.75):
        self.order = _checks.positive_int(order, "order")
        self.discount = _checks.real_value(discount, "discount", low=0.0, high=1.0,
                                           low_open=True, high_open=True)
        self.vocab: set = set()
        self._fitted = False

    # -- training ------------------------------------------------------------------------------
    def fit(self, sequences) -> NGramLM:
        r"""Count the n-grams of ``sequences`` (an iterable of token sequences; a string is a
        sequence of characters). Returns the model.

        Raises
        ------
        ValueError
            If there is no token at all.

        Examples
        --------
        >>> sorted(NGramLM(order=1).fit([["a", "b"], ["b"]]).vocab)
        ['</s>', '<unk>', 'a', 'b']
        """
        n = self.order
        top = Counter()
        tokens = set()
        for seq in sequences:
            seq = list(seq)
            tokens.update(seq)
            padded = [BOS] * (n - 1) + seq + [EOS]
            for i in range(n - 1, len(padded)):
                top[tuple(padded[i - n + 1:i + 1])] += 1
        if not tokens:
            raise ValueError("fit needs at least one token")
        self.vocab = tokens | {EOS, UNK}
        # counts[k] maps a k-gram (history of k - 1 tokens, then w) to the count used at order k:
        # ordinary counts at the top order, continuation counts below it.
        counts = {n: top}
        for k in range(n - 1, 0, -1):
            cont = Counter()
            for gram in counts[k + 1]:
                cont[gram[1:]] += 1                  # one more distinct token before gram[1:]
            counts[k] = cont
        self._counts = counts
        self._history_total = {}
        self._history_types = {}
        for k, table in counts.items():
            total, types = defaultdict(int), defaultdict(int)
            for gram, c in table.items():
                total[gram[:-1]] += c
                types[gram[:-1]] += 1
            self._history_total[k], self._history_types[k] = dict(total), dict(types)
        self._fitted = True
        return self

    # -- probabilities -------------------------------------------------------------------------
    def prob(self, token, history=()) -> float:
        r""":math:`P(\text{token} \mid \text{history})`; the history's last ``order - 1`` tokens
        are used (start markers fill a short one).

        Raises
        ------
        RuntimeError
            Before :meth:`fit`.

        Examples
        --------
        Unigrams of "aab" and its end marker: :math:`P(a) = (2 - 0.75)/4 + 0.75 \cdot 3/4 \cdot
        1/4`; an unknown token is ``<unk>``, which only gets the uniform share:

        >>> lm = NGramLM(order=1).fit(["aab"])
        >>> lm.prob("a"), lm.prob("zzz")
        (0.453125, 0.140625)
        """
        if not self._fitted:
            raise RuntimeError("call fit() before prob()")
        n = self.order
        token = token if token in self.vocab else UNK
        history = tuple(BOS for _ in range(n - 1)) + tuple(
            t if t in self.vocab or t == BOS else UNK for t in history)
        history = history[len(history) - (n - 1):] if n > 1 else ()
        p = 1.0 / len(self.vocab)                    # order 0: uniform over the vocabulary
        for k in range(1, n + 1):                    # from unigrams up to the full history
            h = history[len(history) - (k - 1):] if k > 1 else ()
            total = self._history_total[k].get(h, 0)
            if total == 0:                           # an unseen history: keep the lower order
                continue
            c = self._counts[k].get(h + (token,), 0)
            types = self._history_types[k][h]
            p = max(c - self.discount, 0.0) / total + self.discount * types / total * p
        return p

    def log_prob(self, sequence) -> float:
        r"""Natural log of the probability of a whole sequence, its end marker included.

        Examples
        --------
        Each of the three predictions of "ab" (a after <s>, b after a, </s> after b) has
        probability :math:`0.25 + 0.75 \cdot (0.25/3 + 0.75 \cdot 1/4) = 0.453125`:

        >>> lm = NGramLM(order=2).fit(["ab"])
        >>> round(lm.log_prob("ab") - 3 * math.log(0.453125), 12)
        0.0
        """
        n = self.order
        padded = [BOS] * (n - 1) + list(sequence) + [EOS]
        return sum(math.log(self.prob(padded[i], padded[max(0, i - n + 1):i]))
                   for i in range(n - 1, len(padded)))

    def perplexity(self, sequences) -> float:
        r""":math:`\exp(-\frac{1}{M}\sum\log P)` over the :math:`M` tokens predicted (each
        sequence's tokens and its end marker).

        Raises
        ------
        ValueError
            If ``sequences`` is empty.

        Examples
        --------
        Every prediction above had probability 0.453125, so the perplexity is its inverse:

        >>> round(NGramLM(order=2).fit(["ab"]).perplexity(["ab"]), 6)
        2.206897
        """
        total, count = 0.0, 0
        for seq in sequences:
            seq = list(seq)
            total += self.log_prob(seq)
            count += len(seq) + 1
        if count == 0:
            raise ValueError("perplexity needs at least one sequence")
        return math.exp(-total / count)
