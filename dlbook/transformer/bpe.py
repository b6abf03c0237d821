r"""Byte-level byte-pair encoding (BPE), trained and applied from scratch.

A byte-level BPE tokenizer (GPT-2's) starts from the 256 byte values, so every string has an
encoding and nothing is ever "unknown". Training repeatedly finds the most frequent pair of
adjacent tokens in the training text and adds it to the vocabulary as a new token (a *merge*),
until the vocabulary has the size asked for. Encoding replays the merges on new text in the order
they were learned.

Text is first cut into chunks by GPT-2's pattern (:data:`PRETOKENIZE_PATTERN`: a word with the
space before it, a run of digits, a run of punctuation, whitespace), and merges never cross a
chunk boundary, so " the" can become one token but "e t" cannot. The pattern covers every
character, so the chunks concatenate back to the text and :meth:`BPE.decode` inverts
:meth:`BPE.encode` for every Python string (lone surrogates included, via UTF-8's
``surrogatepass``).

References
----------
R. Sennrich, B. Haddow and A. Birch, "Neural Machine Translation of Rare Words with Subword
Units", ACL 2016. A. Radford et al., "Language Models are Unsupervised Multitask Learners"
(GPT-2), 2019.

See Also
--------
:ref:`ch-tokenization` : the chapter, which compares this with Hugging Face ``tokenizers``.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable

import regex

from dlbook import _checks

__all__ = ["PRETOKENIZE_PATTERN", "pretokenize", "byte_to_unicode", "BPE"]

#: GPT-2's pre-tokenization pattern (also Hugging Face's ``ByteLevel`` pre-tokenizer).
PRETOKENIZE_PATTERN = (r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+"""
                       r"""|\s+(?!\S)|\s+""")
_CHUNK = regex.compile(PRETOKENIZE_PATTERN)


def pretokenize(text: str) -> list[str]:
    r"""Cut ``text`` into the chunks that merges may not cross (their concatenation is ``text``).

    Raises
    ------
    TypeError
        If ``text`` is not a string.

    Examples
    --------
    >>> pretokenize("Hello world, it's 2024!")
    ['Hello', ' world', ',', ' it', "'s", ' 2024', '!']
    >>> pretokenize("床前明月光，疑是地上霜")          # Chinese has no spaces: long chunks
    ['床前明月光', '，', '疑是地上霜']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return _CHUNK.findall(text)


def byte_to_unicode() -> dict[int, str]:
    r"""GPT-2's printable stand-in for each byte: bytes that are visible Latin-1 characters stand
    for themselves, the others (space, control bytes) are moved to U+0100 and above.

    Byte-level tokenizers (GPT-2, Hugging Face's ``ByteLevel``) store their merges as strings
    of these characters; this map reads them back as bytes.

    Examples
    --------
    >>> m = byte_to_unicode()
    >>> m[ord("a")], m[ord(" ")], m[ord("\n")], len(set(m.values()))
    ('a', 'Ġ', 'Ċ', 256)
    """
    visible = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
               + list(range(ord("®"), ord("ÿ") + 1)))
    out, extra = {}, 0
    for b in range(256):
        if b in visible:
            out[b] = chr(b)
        else:
            out[b] = chr(256 + extra)
            extra += 1
    return out


def _tie_order() -> list[int]:
    """Rank of each byte when bytes are sorted by their GPT-2 printable character."""
    shown = byte_to_unicode()
    ranked = sorted(range(256), key=lambda b: ord(shown[b]))
    order = [0] * 256
    for r, b in enumerate(ranked):
        order[b] = r
    return order


def _merge_word(word: tuple, pair: tuple, new_id: int) -> tuple:
    """Replace every non-overlapping occurrence of ``pair`` in ``word``, left to right."""
    return _merge_with_positions(word, pair, new_id)[0]


def _merge_with_positions(word: tuple, pair: tuple, new_id: int):
    """:func:`_merge_word`, also returning where in ``word`` each merged occurrence started."""
    a, b = pair
    out: list = []
    starts = []
    i, n = 0, len(word)
    while True:
        try:
            j = word.index(a, i)
        except ValueError:
            out.extend(word[i:])
            break
        if j + 1 < n and word[j + 1] == b:
            out.extend(word[i:j])
            out.append(new_id)
            starts.append(j)
            i = j + 2
        else:
            out.extend(word[i:j + 1])
            i = j + 1
    return tuple(out), starts


class BPE:
    r"""A byte-level BPE tokenizer: 256 byte tokens followed by one token per merge.

    Parameters
    ----------
    merges : list of (int, int)
        The learned merges in order; merge :math:`r` creates token id :math:`256 + r` from the
        pair of existing ids. Usually made by :meth:`train`.

    Attributes
    ----------
    merges : list of (int, int)
    vocab : list of bytes
        The bytes of every token id.

    Raises
    ------
    ValueError
        If a merge refers to an id that does not exist yet.

    Examples
    --------
    >>> tok = BPE.train(["low low low lower lowest"], vocab_size=259)
    >>> [tok.vocab[i] for i in range(256, 259)]          # the three merges it learned
    [b'lo', b'low', b' low']
    >>> ids = tok.encode("lowest low")
    >>> [tok.vocab[i] for i in ids]
    [b'low', b'e', b's', b't', b' low']
    >>> tok.decode(ids)
    'lowest low'
    """

    def __init__(self, merges):
        self.merges = [(int(a), int(b)) for a, b in merges]
        self.vocab = [bytes([i]) for i in range(256)]
        for r, (a, b) in enumerate(self.merges):
            if not (0 <= a < len(self.vocab) and 0 <= b < len(self.vocab)):
                raise ValueError(f"merge {r} = {(a, b)} refers to an id not defined before it "
                                 f"(ids 0..{len(self.vocab) - 1})")
            self.vocab.append(self.vocab[a] + self.vocab[b])
        self._rank = {pair: r for r, pair in enumerate(self.merges)}
        self._cache: dict[str, list[int]] = {}

    def __len__(self) -> int:
        return len(self.vocab)

    @classmethod
    def train(cls, texts: Iterable[str], vocab_size: int) -> BPE:
        r"""Learn merges from ``texts`` until the vocabulary has ``vocab_size`` tokens.

        Parameters
        ----------
        texts : iterable of str
            Training documents (merges never cross documents or chunks).
        vocab_size : int, >= 256
            256 byte tokens plus ``vocab_size - 256`` merges (fewer if the text runs out of
            pairs).

        Returns
        -------
        BPE

        Raises
        ------
        TypeError
            If ``texts`` is a single string (pass a list of documents) or holds a non-string.
        ValueError
            If ``vocab_size < 256``.

        Notes
        -----
        Each step adds the pair with the highest count, summed over the chunks of the corpus
        (each distinct chunk is stored once with its frequency). Only the chunks that contain
        the chosen pair are updated, and a heap with stale entries skipped on the way out finds
        the next best pair, so a step costs time in proportion to the chunks it changes, not to
        the corpus.

        Ties (pairs with the same count) go to the pair that sorts first when bytes are ordered
        by their printable stand-ins (:func:`byte_to_unicode`) and merged tokens by their ids:
        the order Hugging Face's trainer uses, so the two learn the same merges in the same
        order.

        Examples
        --------
        In "aaab aaab aaa" the pair "aa" occurs 6 times (twice in each chunk); once it is a
        token, "aa" + "a" occurs 3 times and beats "ab" (2):

        >>> tok = BPE.train(["aaab aaab aaa"], vocab_size=258)
        >>> [tok.vocab[i] for i in range(256, len(tok))]
        [b'aa', b'aaa']
        """
        if isinstance(texts, (str, bytes)):
            raise TypeError("texts must be an iterable of strings (documents), got a single "
                            f"{type(texts).__name__}; wrap it in a list")
        vocab_size = _checks.int_value(vocab_size, "vocab_size", low=256)
        chunk_counts: Counter = Counter()
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"texts[{i}] must be a str, got {type(text).__name__}")
            chunk_counts.update(_CHUNK.findall(text))
        words = [tuple(c.encode("utf-8", errors="surrogatepass")) for c in chunk_counts]
        freqs = list(chunk_counts.values())
        order = _tie_order()
        key = lambda pair: (order[pair[0]] if pair[0] < 256 else pair[0],  # noqa: E731
                            order[pair[1]] if pair[1] < 256 else pair[1])
        pair_counts: defaultdict = defaultdict(int)
        where: defaultdict = defaultdict(set)            # pair -> indices of words holding it
        for w, (word, f) in enumerate(zip(words, freqs)):
            for pair in zip(word, word[1:]):
                pair_counts[pair] += f
                where[pair].add(w)
        heap = [(-c, key(pair), pair) for pair, c in pair_counts.items()]
        heapq.heapify(heap)
        merges = []
        while len(merges) < vocab_size - 256 and heap:
            neg, _, pair = heapq.heappop(heap)
            if pair_counts.get(pair, 0) != -neg or -neg <= 0:
                continue                                   # a stale entry
            new_id = 256 + len(merges)
            merges.append(pair)
            delta: defaultdict = defaultdict(int)          # net change of each pair's count
            for w in where.pop(pair):
                word, f = words[w], freqs[w]
                merged, starts = _merge_with_positions(word, pair, new_id)
                if not starts:
                    continue                               # a stale entry: pair no longer here
                words[w] = merged
                # only the pairs next to a merge change: pair k is (word[k], word[k + 1])
                gone = {k for j in starts for k in (j - 1, j, j + 1) if 0 <= k < len(word) - 1}
                for k in gone:
                    delta[word[k], word[k + 1]] -= f
                made = {k for r, j in enumerate(starts) for k in (j - r - 1, j - r)
                        if 0 <= k < len(merged) - 1}
                for k in made:
                    p = (merged[k], merged[k + 1])
                    delta[p] += f
                    where[p].add(w)
            pair_counts.pop(pair, None)
            delta.pop(pair, None)
            for p, d in delta.items():
                if d == 0:
                    continue
                c = pair_counts[p] + d
                if c > 0:
                    pair_counts[p] = c
                    heapq.heappush(heap, (-c, key(p), p))
                else:
                    pair_counts.pop(p, None)
        return cls(merges)

    def _encode_chunk(self, chunk: str) -> list[int]:
        word = list(chunk.encode("utf-8", errors="surrogatepass"))
        rank = self._rank
        while len(word) > 1:
            best = min(zip(word, word[1:]), key=lambda p: rank.get(p, len(rank)))
            if best not in rank:
                break
            word = list(_merge_word(tuple(word), best, 256 + rank[best]))
        return word

    def encode(self, text: str) -> list[int]:
        r"""Token ids of ``text``: its chunks' bytes, merged by replaying the merges in order.

        Within each chunk the adjacent pair whose merge was learned first is merged (all its
        occurrences, left to right), again and again until no learned pair is left.

        Raises
        ------
        TypeError
            If ``text`` is not a string.

        Examples
        --------
        >>> tok = BPE.train(["ab ab ab"], vocab_size=258)
        >>> tok.encode("ab abc")
        [256, 257, 99]
        """
        ids: list[int] = []
        for chunk in pretokenize(text):
            cached = self._cache.get(chunk)
            if cached is None:
                cached = self._encode_chunk(chunk)
                if len(self._cache) < 100_000:
                    self._cache[chunk] = cached
            ids.extend(cached)
        return ids

    def decode(self, ids) -> str:
        r"""The text of token ids: their bytes joined and read as UTF-8.

        A sequence a model generated may cut a character's bytes apart; such invalid bytes
        become U+FFFD (the replacement character). For ids from :meth:`encode` the text comes
        back exactly.

        Raises
        ------
        ValueError
            If an id is outside the vocabulary.

        Examples
        --------
        >>> tok = BPE([])                      # bytes only
        >>> tok.encode("é"), tok.decode(tok.encode("é")), tok.decode([195])
        ([195, 169], 'é', '\ufffd')
        """
        n = len(self.vocab)
        parts = []
        for i in ids:
            i = _checks.int_value(i, "token id")
            if not 0 <= i < n:
                raise ValueError(f"token id {i} is outside the vocabulary of {n} tokens")
            parts.append(self.vocab[i])
        data = b"".join(parts)
        try:
            return data.decode("utf-8", errors="surrogatepass")
        except UnicodeDecodeError:
            return data.decode("utf-8", errors="replace")
