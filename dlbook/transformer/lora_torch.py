r"""LoRA: fine-tune a large model by training a low-rank correction of some of its weight
matrices, leaving the pre-trained weights frozen.

A linear layer :math:`y = W x + b` with :math:`W \in \mathbb{R}^{d_\text{out}\times d_\text{in}}`
becomes

.. math::

    y = W x + b + \frac{\alpha}{r}\, B A x, \qquad A \in \mathbb{R}^{r\times d_\text{in}},\;
    B \in \mathbb{R}^{d_\text{out}\times r},

with :math:`r \ll \min(d_\text{in}, d_\text{out})`. Only :math:`A` and :math:`B` are trained:
:math:`r(d_\text{in} + d_\text{out})` numbers instead of :math:`d_\text{in} d_\text{out}`.
:math:`B` starts at zero, so training starts exactly from the pre-trained model; after training,
:math:`W + \frac{\alpha}{r} BA` can be merged into one matrix and inference costs nothing extra.

References
----------
E. J. Hu et al., "LoRA: Low-Rank Adaptation of Large Language Models", ICLR 2022.

See Also
--------
:ref:`ch-transfer-and-chat` : the chapter.
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn

from dlbook import _checks

__all__ = ["LoRALinear", "add_lora", "merge_lora", "count_parameters"]


class LoRALinear(nn.Module):
    r"""A frozen ``nn.Linear`` plus a trainable low-rank update :math:`\frac{\alpha}{r} BA`.

    Parameters
    ----------
    base : nn.Linear
        The pre-trained layer (its parameters are frozen, not copied).
    r : int
        The rank.
    alpha : float, optional
        The scale numerator; default ``r`` (a scale of 1).

    Examples
    --------
    >>> base = nn.Linear(6, 4)
    >>> lora = LoRALinear(base, r=2)
    >>> x = torch.randn(3, 6)
    >>> torch.equal(lora(x), base(x))              # B = 0: the pre-trained layer exactly
    True
    >>> [n for n, p in lora.named_parameters() if p.requires_grad]
    ['lora_A', 'lora_B']
    """

    def __init__(self, base: nn.Linear, r: int, alpha: float | None = None):
        super().__init__()
        if not isinstance(base, nn.Linear):
            raise TypeError(f"base must be an nn.Linear, got {type(base).__name__}")
        r = _checks.positive_int(r, "r")
        if r > min(base.in_features, base.out_features):
            raise ValueError(f"r={r} must not exceed min(in_features, out_features) = "
                             f"{min(base.in_features, base.out_features)}")
        self.base = base
        for p in base.parameters():
            p.requires_grad_(False)
        self.r = r
        self.scaling = (r if alpha is None else _checks.positive_real(alpha, "alpha")) / r
        w = base.weight
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features, dtype=w.dtype,
                                               device=w.device))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r, dtype=w.dtype,
                                               device=w.device))

    def forward(self, x):
        """``base(x) + scaling * x A^T B^T``."""
        return self.base(x) + (x @ self.lora_A.T @ self.lora_B.T) * self.scaling

    def merged(self) -> nn.Linear:
        r"""A plain ``nn.Linear`` with weight :math:`W + \frac{\alpha}{r} BA` (the same outputs).

        Examples
        --------
        >>> lora = LoRALinear(nn.Linear(5, 3), r=1)
        >>> with torch.no_grad():
        ...     _ = lora.lora_B.fill_(0.5)
        >>> x = torch.randn(2, 5)
        >>> torch.allclose(lora.merged()(x), lora(x), atol=1e-6)
        True
        """
        out = copy.deepcopy(self.base)
        with torch.no_grad():
            out.weight += self.scaling * self.lora_B @ self.lora_A
        out.weight.requires_grad_(True)
        if out.bias is not None:
            out.bias.requires_grad_(True)
        return out


def _replace(model, predicate, make):
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            full = f"{name}.{child_name}" if name else child_name
            if predicate(full, child):
                setattr(module, child_name, make(child))


def add_lora(model: nn.Module, r: int, alpha: float | None = None,
             targets=("attn.qkv", "attn.proj")) -> nn.Module:
    r"""A copy of ``model`` with every ``nn.Linear`` whose name ends with one of ``targets``
    wrapped in :class:`LoRALinear`, and every other parameter frozen.

    Parameters
    ----------
    model : nn.Module
        Left unchanged.
    r, alpha
        As in :class:`LoRALinear`.
    targets : tuple of str
        Suffixes of module names (the default: the attention projections of
        :class:`~dlbook.transformer.gpt_torch.GPT`).

    Returns
    -------
    nn.Module

    Raises
    ------
    ValueError
        If no module matches ``targets``.

    Examples
    --------
    >>> from dlbook.transformer.gpt_torch import GPT
    >>> gpt = GPT(vocab_size=20, block_size=8, n_layer=2, n_head=2, n_embd=16)
    >>> tuned = add_lora(gpt, r=2)
    >>> count_parameters(tuned)        # trainable: 2 layers x 2 x (16 + 48 + 16 + 16)
    (384, 7424)
    """
    targets = tuple(targets)
    found = [n for n, m in model.named_modules()
             if isinstance(m, nn.Linear) and n.endswith(targets)]
    if not found:
        raise ValueError(f"no nn.Linear module name ends with any of {targets}")
    out = copy.deepcopy(model)
    for p in out.parameters():
        p.requires_grad_(False)
    _replace(out, lambda n, m: isinstance(m, nn.Linear) and n.endswith(targets),
             lambda m: LoRALinear(m, r, alpha))
    return out


def merge_lora(model: nn.Module) -> nn.Module:
    """A copy of ``model`` with every :class:`LoRALinear` replaced by its merged ``nn.Linear``.

    Examples
    --------
    >>> from dlbook.transformer.gpt_torch import GPT
    >>> tuned = add_lora(GPT(20, 8, 1, 2, 16), r=2)
    >>> merged = merge_lora(tuned)
    >>> any(isinstance(m, LoRALinear) for m in merged.modules())
    False
    """
    out = copy.deepcopy(model)
    _replace(out, lambda n, m: isinstance(m, LoRALinear), lambda m: m.merged())
    return out


def count_parameters(model: nn.Module) -> tuple[int, int]:
    """``(trainable, total)`` numbers of parameters (shared tensors counted once).

    Examples
    --------
    >>> count_parameters(nn.Linear(3, 2))
    (8, 8)
    """
    seen, trainable, total = set(), 0, 0
    for p in model.parameters():
        if id(p) in seen:
            continue
        seen.add(id(p))
        total += p.numel()
        trainable += p.numel() if p.requires_grad else 0
    return trainable, total
