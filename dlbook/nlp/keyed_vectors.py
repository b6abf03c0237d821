r"""Word vectors with gensim's ``.wv`` interface: lookup, cosine neighbours, analogies, scores.

:class:`KeyedVectors` holds a vocabulary (``index_to_key``) and a matrix whose row ``i`` is the
vector of word ``i``.  Everything is cosine similarity,

.. math:: \cos(u, v) = \frac{u^\top v}{\lVert u\rVert_2\,\lVert v\rVert_2},

computed once for all words by normalising the rows.  The two benchmark evaluations follow
gensim 4's ``KeyedVectors.evaluate_word_analogies`` and ``evaluate_word_pairs`` (same
restriction to the ``restrict_vocab`` most frequent words, same case folding, same skipping of
out-of-vocabulary questions), so our scores and gensim's on the same vectors agree.

Framework-free code: there is no ``_torch`` twin (torch trainers hand their vectors over as
NumPy arrays).

See Also
--------
:ref:`ch-word-representations` : cosine similarity and analogies.
:ref:`ch-using-embeddings` : the benchmark evaluations.
"""

from __future__ import annotations

import os
from collections import Counter

import numpy as np

from dlbook._checks import boolean, finite_array, positive_int
from dlbook.io import atomic_write

__all__ = ["KeyedVectors"]


def _word_list(words, name):
    """``None`` -> [], one word -> [word], else the list of words (each must be a str)."""
    if words is None:
        return []
    if isinstance(words, str):
        return [words]
    words = list(words)
    for w in words:
        if not isinstance(w, str):
            raise TypeError(f"{name} must hold words (str), got {type(w).__name__}: {w!r}")
    return words


def _read_lines(path):
    with open(os.fspath(path), "rb") as f:
        for raw in f:
            yield raw.decode("utf8", errors="strict")


class KeyedVectors:
    r"""A vocabulary and its vectors: ``wv["king"]``, ``wv.most_similar(...)``, evaluations.

    Parameters
    ----------
    index_to_key : list of str, length V
        The words, row order of ``vectors`` (by convention most frequent first).
    vectors : array_like of shape (V, d)
        Row ``i`` is the vector of ``index_to_key[i]``.  Stored as float32 (as gensim does).

    Raises
    ------
    ValueError
        For a length mismatch, a non-2-D or non-finite matrix, or repeated words.
    TypeError
        For a word that is not a ``str``, or vectors that are not real numbers.

    Examples
    --------
    >>> wv = KeyedVectors(["a", "b", "c"], [[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
    >>> wv["b"].tolist(), wv.key_to_index["c"]
    ([1.0, 1.0], 2)
    >>> round(wv.similarity("a", "b"), 4)          # cos 45 degrees
    0.7071
    """

    def __init__(self, index_to_key, vectors):
        keys = list(index_to_key)
        for k in keys:
            if not isinstance(k, str):
                raise TypeError(f"index_to_key must hold str, got {type(k).__name__}: {k!r}")
        keys = [str(k) for k in keys]  # plain str, also for numpy.str_
        vectors = finite_array(vectors, "vectors", ndim=2).astype(np.float32, copy=False)
        if vectors.shape[0] != len(keys):
            raise ValueError(f"index_to_key has {len(keys)} words but vectors has "
                             f"{vectors.shape[0]} rows")
        self.index_to_key = keys
        self.key_to_index = {k: i for i, k in enumerate(keys)}
        if len(self.key_to_index) != len(keys):
            dup = [k for k, c in Counter(keys).items() if c > 1]
            raise ValueError(f"index_to_key repeats words: {dup[:5]}")
        self.vectors = vectors
        self._normed = None

    @property
    def vector_size(self) -> int:
        """Dimension ``d`` of the vectors."""
        return self.vectors.shape[1]

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, word) -> bool:
        return word in self.key_to_index

    def get_index(self, word) -> int:
        """Row of ``word``; ``KeyError`` naming the word when it is not in the vocabulary."""
        try:
            return self.key_to_index[word]
        except (KeyError, TypeError):
            raise KeyError(f"word {word!r} not in vocabulary ({len(self)} words)") from None

    def __getitem__(self, word):
        """The vector of ``word`` (shape (d,)), or a (n, d) array for a list of words."""
        if isinstance(word, str):
            return self.vectors[self.get_index(word)]
        return self.vectors[[self.get_index(w) for w in word]]

    def get_normed_vectors(self) -> np.ndarray:
        """All vectors scaled to unit length, shape (V, d) (zero rows stay zero)."""
        if self._normed is None:
            norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
            self._normed = self.vectors / np.maximum(norms, np.finfo(np.float32).tiny)
        return self._normed

    def similarity(self, w1: str, w2: str) -> float:
        """Cosine similarity of two words (a float in [-1, 1])."""
        n = self.get_normed_vectors()
        return float(np.dot(n[self.get_index(w1)], n[self.get_index(w2)]))

    def _query(self, positive, negative, index_of):
        pos = _word_list(positive, "positive")
        neg = _word_list(negative, "negative")
        if not pos and not neg:
            raise ValueError("most_similar needs at least one word in positive or negative")
        idx = [index_of(w) for w in pos + neg]
        weights = np.array([1.0] * len(pos) + [-1.0] * len(neg), dtype=np.float32)
        n = self.get_normed_vectors()
        mean = weights @ n[idx] / np.abs(weights).sum()  # mean of signed unit vectors
        return mean / max(float(np.linalg.norm(mean)), 1e-30), idx

    def most_similar(self, positive=None, negative=None, topn: int = 10, restrict_vocab=None):
        r"""Words closest (by cosine) to the mean of ``positive`` minus ``negative`` unit vectors.

        This is 3CosAdd for an analogy a : b :: c : ? with ``positive=[b, c], negative=[a]``.

        Parameters
        ----------
        positive, negative : str or list of str, optional
        topn : int, default 10
        restrict_vocab : int, optional
            Only the first ``restrict_vocab`` words (the most frequent) are candidates.

        Returns
        -------
        list of (str, float)
            Best first; the query words themselves are excluded, as in gensim.

        Notes
        -----
        With unit vectors :math:`\hat e` the query is
        :math:`q = \mathrm{unit}\bigl(\tfrac{1}{|P|+|N|}(\sum_{w\in P}\hat e_w -
        \sum_{w\in N}\hat e_w)\bigr)` and the score of a candidate :math:`x` is
        :math:`\hat e_x^\top q`.

        Examples
        --------
        >>> wv = KeyedVectors(["man", "woman", "king", "queen"],
        ...                   [[1, 0, 1], [1, 1, 1], [3, 0, 1], [3, 1, 1]])
        >>> wv.most_similar(positive=["woman", "king"], negative=["man"], topn=1)[0][0]
        'queen'
        """
        topn = positive_int(topn, "topn")
        q, idx = self._query(positive, negative, self.get_index)
        n = self.get_normed_vectors()
        end = len(self) if restrict_vocab is None \
            else min(positive_int(restrict_vocab, "restrict_vocab"), len(self))
        sims = n[:end] @ q  # (end,)
        exclude = [i for i in idx if i < end]
        sims[exclude] = -np.inf
        k = min(topn, end - len(set(exclude)))
        if k <= 0:
            return []
        best = np.argpartition(-sims, k - 1)[:k]
        best = best[np.argsort(-sims[best], kind="stable")]
        return [(self.index_to_key[i], float(sims[i])) for i in best]

    def most_similar_cosmul(self, positive=None, negative=None, topn: int = 10):
        r"""3CosMul (Levy & Goldberg, 2014): multiply shifted similarities instead of adding.

        Notes
        -----
        With :math:`s(x, w) = (1 + \cos(x, w)) / 2 \in [0, 1]` the score is
        :math:`\prod_{w \in P} s(x, w) / (\prod_{w \in N} s(x, w) + \varepsilon)`,
        :math:`\varepsilon = 10^{-6}`, as in gensim.

        Examples
        --------
        >>> wv = KeyedVectors(["man", "woman", "king", "queen"],
        ...                   [[1, 0, 1], [1, 1, 1], [3, 0, 1], [3, 1, 1]])
        >>> wv.most_similar_cosmul(positive=["woman", "king"], negative=["man"], topn=1)[0][0]
        'queen'
        """
        topn = positive_int(topn, "topn")
        pos = _word_list(positive, "positive")
        neg = _word_list(negative, "negative")
        if not pos:
            raise ValueError("most_similar_cosmul needs at least one positive word")
        n = self.get_normed_vectors()
        ip, ineg = [self.get_index(w) for w in pos], [self.get_index(w) for w in neg]
        s_pos = (1 + n @ n[ip].T) / 2  # (V, |P|)
        s_neg = (1 + n @ n[ineg].T) / 2 if ineg else np.ones((len(self), 0), np.float32)
        score = s_pos.prod(axis=1) / (s_neg.prod(axis=1) + 1e-6)
        score[ip + ineg] = -np.inf
        best = np.argsort(-score, kind="stable")[: min(topn, len(self) - len(set(ip + ineg)))]
        return [(self.index_to_key[i], float(score[i])) for i in best]

    def _ok_vocab(self, restrict_vocab, case_insensitive):
        restrict_vocab = positive_int(restrict_vocab, "restrict_vocab")
        boolean(case_insensitive, "case_insensitive")
        keys = self.index_to_key[:restrict_vocab]
        # reversed: when case folding merges words, the more frequent one (smaller index) wins
        if case_insensitive:
            return {k.upper(): i for i, k in reversed(list(enumerate(keys)))}
        return {k: i for i, k in reversed(list(enumerate(keys)))}

    def evaluate_word_analogies(self, path, restrict_vocab: int = 300000,
                                case_insensitive: bool = True, dummy4unknown: bool = False):
        r"""Accuracy on an analogy file in ``questions-words.txt`` format, as gensim computes it.

        Parameters
        ----------
        path : str or os.PathLike
            Lines ``a b c d`` (a : b :: c : d) grouped under ``: section`` headers.
        restrict_vocab : int, default 300000
            Only the most frequent words count as known, and only they are candidates.
        case_insensitive : bool, default True
            Upper-case questions and vocabulary before matching.
        dummy4unknown : bool, default False
            Count questions with an unknown word as wrong instead of skipping them.

        Returns
        -------
        score : float
            Correct / (correct + incorrect) over all sections (0.0 when nothing was answered).
        sections : list of dict
            ``{"section", "correct", "incorrect"}`` per section, then ``"Total accuracy"``;
            the last dict also has ``"oov_ratio"`` (percent of questions skipped).

        Notes
        -----
        The prediction is the best 3CosAdd candidate (:meth:`most_similar` with
        ``positive=[b, c], negative=[a]``) that is not one of a, b, c (compared after case
        folding).  All questions are scored in one matrix product.

        Examples
        --------
        >>> import tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "q.txt")
        >>> _ = open(p, "w").write(": toy\nman woman king queen\nman woman king prince\n")
        >>> wv = KeyedVectors(["man", "woman", "king", "queen"],
        ...                   [[1, 0, 1], [1, 1, 1], [3, 0, 1], [3, 1, 1]])
        >>> score, sections = wv.evaluate_word_analogies(p)
        >>> score, sections[-1]["oov_ratio"]   # one answered (right), one skipped (prince)
        (1.0, 50.0)
        """
        ok = self._ok_vocab(restrict_vocab, case_insensitive)
        sections, section, questions, oov = [], None, [], 0
        for line_no, line in enumerate(_read_lines(path)):
            if line.startswith(": "):
                section = {"section": line.lstrip(": ").strip(), "correct": [], "incorrect": []}
                sections.append(section)
                continue
            if section is None:
                raise ValueError(f"{path}: line {line_no + 1} comes before the first "
                                 "': section' header")
            words = line.split()
            if len(words) != 4:
                continue  # gensim skips malformed lines too
            words = [w.upper() for w in words] if case_insensitive else words
            if any(w not in ok for w in words):
                oov += 1
                if dummy4unknown:
                    section["incorrect"].append(tuple(words))
                continue
            questions.append((section, tuple(words)))
        n_q = len(questions) + oov
        if questions:
            n = self.get_normed_vectors()[: int(restrict_vocab)]
            folded = [k.upper() if case_insensitive else k
                      for k in self.index_to_key[: n.shape[0]]]
            rows_of = {}  # folded word -> every row that folds to it
            for i, k in enumerate(folded):
                rows_of.setdefault(k, []).append(i)
            abc = np.array([[ok[w] for w in q[:3]] for _, q in questions])  # (Q, 3)
            query = (n[abc[:, 1]] + n[abc[:, 2]] - n[abc[:, 0]]) / 3.0  # (Q, d)
            predicted = np.empty(len(questions), dtype=np.int64)
            for s in range(0, len(questions), 1024):  # chunks bound the (chunk, V) matrix
                sims = query[s:s + 1024] @ n.T  # (chunk, V); scaling q cannot change argmax
                for j, (_, q) in enumerate(questions[s:s + 1024]):
                    ban = [i for w in q[:3] for i in rows_of[w]]
                    sims[j, ban] = -np.inf  # never answer a, b or c
                predicted[s:s + 1024] = sims.argmax(axis=1)
            for (sec, q), p in zip(questions, predicted):
                right = folded[p] == q[3]
                sec["correct" if right else "incorrect"].append(q)
        correct, incorrect = ([q for s in sections for q in s[k]] for k in ("correct", "incorrect"))
        total = {"section": "Total accuracy", "correct": correct, "incorrect": incorrect,
                 "oov_ratio": 100.0 * oov / n_q if n_q else 0.0}
        sections.append(total)
        answered = len(correct) + len(incorrect)
        return (len(correct) / answered if answered else 0.0), sections

    def evaluate_word_pairs(self, path, delimiter: str = "\t", restrict_vocab: int = 300000,
                            case_insensitive: bool = True, dummy4unknown: bool = False):
        r"""Pearson and Spearman correlation with human similarity scores, as gensim computes them.

        Parameters
        ----------
        path : str or os.PathLike
            Lines ``word1<TAB>word2<TAB>score``; lines starting with ``#`` are comments.
        delimiter, restrict_vocab, case_insensitive, dummy4unknown
            As in gensim: pairs with a word outside the ``restrict_vocab`` most frequent are
            skipped (or scored 0.0 with ``dummy4unknown``).

        Returns
        -------
        pearson : (float, float)
            Pearson r and its p-value.
        spearman : (float, float)
            Spearman :math:`\rho` and its p-value.
        oov_ratio : float
            Percent of pairs with an unknown word.

        Raises
        ------
        ValueError
            If fewer than two pairs can be scored (a correlation needs two).

        Examples
        --------
        >>> import tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "pairs.tsv")
        >>> _ = open(p, "w").write("# toy\na\tb\t9\na\tc\t1\nb\tc\t2\na\tzz\t5\n")
        >>> wv = KeyedVectors(["a", "b", "c"], [[1, 0], [1, 0.1], [0, 1]])
        >>> pearson, spearman, oov = wv.evaluate_word_pairs(p)
        >>> round(spearman[0], 3), oov            # same order as the humans; 1 pair of 4 unknown
        (1.0, 25.0)
        """
        from scipy import stats

        ok = self._ok_vocab(restrict_vocab, case_insensitive)
        n = self.get_normed_vectors()
        gold, model, oov = [], [], 0
        for line in _read_lines(path):
            if not line or line.startswith("#"):
                continue
            parts = line.split(delimiter)
            if len(parts) != 3:
                continue
            a, b, sim = parts
            a, b = (a.upper(), b.upper()) if case_insensitive else (a, b)
            try:
                sim = float(sim)
            except ValueError:
                continue
            if a not in ok or b not in ok:
                oov += 1
                if dummy4unknown:
                    gold.append(sim)
                    model.append(0.0)
                continue
            gold.append(sim)
            model.append(float(np.dot(n[ok[a]], n[ok[b]])))
        n_scored = len(gold) if not dummy4unknown else len(gold) - oov
        if len(gold) < 2:
            raise ValueError(f"{path}: only {len(gold)} pair(s) could be scored; need at least 2")
        oov_ratio = 100.0 * oov / (n_scored + oov)
        pr, sr = stats.pearsonr(gold, model), stats.spearmanr(gold, model)
        return ((float(pr[0]), float(pr[1])), (float(sr[0]), float(sr[1])), oov_ratio)

    def save(self, path) -> None:
        """Write words and vectors to ``path`` as ``.npz``, atomically and without pickle.

        Examples
        --------
        >>> import tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "wv.npz")
        >>> KeyedVectors(["a", "b"], [[1, 2], [3, 4]]).save(p)
        >>> KeyedVectors.load(p)["b"].tolist()
        [3.0, 4.0]
        """
        for k in self.index_to_key:
            if "\x00" in k:
                raise ValueError(f"cannot save word {k!r}: it contains a NUL character")
        keys = np.array(self.index_to_key, dtype=str)  # fixed-width unicode: no pickle needed
        atomic_write(path, lambda f: np.savez(f, index_to_key=keys, vectors=self.vectors))

    @classmethod
    def load(cls, path) -> "KeyedVectors":
        """Read a file written by :meth:`save` (``allow_pickle=False``)."""
        try:
            with np.load(os.fspath(path), allow_pickle=False) as data:
                keys, vectors = data["index_to_key"], data["vectors"]
        except KeyError as err:
            raise ValueError(f"{path}: not a KeyedVectors file (missing {err})") from None
        return cls(keys.tolist(), vectors)
