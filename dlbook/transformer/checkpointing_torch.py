r"""Activation checkpointing for the GPT, and a measurement of the memory it saves.

Backpropagation needs, for every operation, tensors from the forward pass (a matrix product
needs its input, a softmax its output, ...). They are kept from the forward pass until the
backward pass uses them: for a deep model with long sequences these *activations* take more
memory than the weights. Checkpointing a block keeps only its input; in the backward pass the
block's forward is run again to recreate the rest, one block at a time. Memory for activations
drops from all blocks to one block plus the checkpoints, for about one extra forward pass of
compute.

:func:`saved_tensor_bytes` measures what autograd keeps, on any device, with
``torch.autograd.graph.saved_tensors_hooks``.

See Also
--------
dlbook.transformer.gpt_torch.GPT : the model.
:ref:`ch-distributed` : the chapter.
"""

from __future__ import annotations

import torch
from torch.utils.checkpoint import checkpoint

from dlbook.transformer.gpt_torch import GPT

__all__ = ["saved_tensor_bytes", "checkpointed_forward"]


def saved_tensor_bytes(fn, exclude=()):
    r"""Call ``fn()`` and count the bytes of the tensors autograd saves for the backward pass.

    Parameters
    ----------
    fn : callable
        Runs a forward pass (and returns, say, the loss).
    exclude : iterable of Tensor
        Tensors not to count (the parameters: they are in memory anyway).

    Returns
    -------
    result
        What ``fn`` returned.
    int
        Bytes of the distinct storages saved (a tensor saved twice counts once).

    Examples
    --------
    ``y = x * w`` saves both factors (each is needed for the other's gradient):

    >>> x = torch.ones(1000, requires_grad=True)
    >>> w = torch.ones(1000, requires_grad=True)
    >>> _, n = saved_tensor_bytes(lambda: (x * w).sum())
    >>> n                                                   # two float32 vectors
    8000
    >>> saved_tensor_bytes(lambda: (x * w).sum(), exclude=[w])[1]
    4000
    """
    skip = {t.untyped_storage().data_ptr() for t in exclude}
    seen: dict[int, int] = {}

    def pack(t):
        storage = t.untyped_storage()
        ptr = storage.data_ptr()
        if ptr not in skip:
            seen[ptr] = storage.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        result = fn()
    return result, sum(seen.values())


def checkpointed_forward(model: GPT, idx):
    r"""``model(idx)`` with every block checkpointed: the same logits, computed again block by
    block in the backward pass instead of being kept.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> model = GPT(vocab_size=10, block_size=8, n_layer=2, n_head=2, n_embd=8)
    >>> idx = torch.randint(0, 10, (2, 8))
    >>> torch.allclose(checkpointed_forward(model, idx), model(idx))
    True
    """
    x = model.embed(idx)                                                          # (B, T, C)
    for block in model.blocks:
        x = checkpoint(block, x, use_reentrant=False)
    return model.logits(x)                                                        # (B, T, V)
