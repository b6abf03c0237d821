r"""The ring all-reduce, simulated in NumPy: how :math:`p` workers each end up with the sum of
their vectors while every worker sends only about twice its vector's size, however large
:math:`p` is.

The workers sit in a ring; worker :math:`i` only ever sends to worker :math:`i+1 \bmod p`. Each
vector is cut into :math:`p` chunks.

1. **Reduce-scatter** (:math:`p-1` steps): at step :math:`s` worker :math:`i` sends its running
   sum of chunk :math:`(i - s) \bmod p`; the receiver adds it to its own. Afterwards worker
   :math:`i` holds the complete sum of chunk :math:`(i + 1) \bmod p`.
2. **All-gather** (:math:`p-1` steps): the complete chunks travel once more around the ring,
   each receiver overwriting its copy.

Each worker sends :math:`2(p-1)` chunks of :math:`n/p` elements: :math:`2\frac{p-1}{p}n`, less
than :math:`2n` for any :math:`p`, and all links are busy at every step. A central server that
receives every vector and sends the sum back moves :math:`(p-1)n` elements in and out of one
machine instead.

References
----------
P. Patarasuk and X. Yuan, "Bandwidth optimal all-reduce algorithms for clusters of
workstations", J. Parallel Distrib. Comput. 69 (2009).

See Also
--------
dlbook.transformer.data_parallel_torch : the real thing (``torch.distributed.all_reduce``).
:ref:`ch-distributed` : the chapter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlbook import _checks

__all__ = ["RingAllReduce", "ring_allreduce"]


@dataclass(frozen=True)
class RingAllReduce:
    """The outcome of :func:`ring_allreduce`.

    Attributes
    ----------
    outputs : list of ndarray
        What each worker holds at the end (each equal to the sum of the inputs).
    messages : list of list of (int, int, int)
        Per step, the messages sent: ``(sender, receiver, chunk)``.
    elements_sent : ndarray of int, shape (p,)
        Elements each worker sent in total.
    """

    outputs: list
    messages: list
    elements_sent: np.ndarray


def ring_allreduce(arrays) -> RingAllReduce:
    r"""Sum equal-shaped arrays held by :math:`p` workers with the ring algorithm.

    Parameters
    ----------
    arrays : sequence of array_like
        One array per worker, all of the same shape.

    Returns
    -------
    RingAllReduce

    Raises
    ------
    ValueError
        If there are no arrays or their shapes differ.

    Examples
    --------
    Three workers, three numbers each:

    >>> r = ring_allreduce([[1, 2, 3], [10, 20, 30], [100, 200, 300]])
    >>> r.outputs[0], r.outputs[2]
    (array([111., 222., 333.]), array([111., 222., 333.]))
    >>> len(r.messages), r.elements_sent                 # 2(p-1) steps; 2(p-1)/p * n each
    (4, array([4, 4, 4]))
    """
    if len(arrays) == 0:
        raise ValueError("ring_allreduce needs at least one array")
    data = [_checks.real_array(a, f"arrays[{i}]") for i, a in enumerate(arrays)]
    for i, a in enumerate(data[1:], start=1):
        _checks.same_shape(data[0], a, "arrays[0]", f"arrays[{i}]")
    p, shape = len(data), data[0].shape
    chunks = [[c.copy() for c in np.array_split(a.ravel(), p)] for a in data]  # [worker][chunk]
    messages, sent = [], np.zeros(p, dtype=int)
    for s in range(p - 1):                                                     # reduce-scatter
        outgoing = [(i, (i + 1) % p, (i - s) % p) for i in range(p)]
        payloads = [chunks[i][c].copy() for i, _, c in outgoing]               # sent at once
        for (i, j, c), x in zip(outgoing, payloads):
            chunks[j][c] += x
            sent[i] += x.size
        messages.append(outgoing)
    for s in range(p - 1):                                                     # all-gather
        outgoing = [(i, (i + 1) % p, (i + 1 - s) % p) for i in range(p)]
        payloads = [chunks[i][c].copy() for i, _, c in outgoing]
        for (i, j, c), x in zip(outgoing, payloads):
            chunks[j][c] = x
            sent[i] += x.size
        messages.append(outgoing)
    outputs = [np.concatenate(w).reshape(shape) for w in chunks]
    return RingAllReduce(outputs, messages, sent)
