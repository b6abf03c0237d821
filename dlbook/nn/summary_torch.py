r"""Keras-style summary of any ``torch.nn.Module``: output shapes and parameter counts per layer.

PyTorch modules do not know their output shapes until data flows through them, so
:func:`summary` runs one forward pass on zeros of the given size and records each layer's
output with a forward hook.

See Also
--------
dlbook.nn.summary.summary : the NumPy twin, for models built from the layers of dlbook.nn.
dlbook.nn.param_count : the formula for a dense layer and the ``Summary`` table.
:ref:`ch-perceptron` : the chapter that uses it on the course's 784-300-200-100-10 network.
"""

from __future__ import annotations

import numbers

import torch
from torch import nn

from dlbook.nn.param_count import Row, Summary

__all__ = ["summary"]


def _shape_of(value):
    """Shape of a module output: a tuple for a tensor, a list for a tuple/list of outputs."""
    if isinstance(value, torch.Tensor):
        return tuple(value.shape)
    if isinstance(value, (tuple, list)):
        return [_shape_of(v) for v in value]
    if isinstance(value, dict):
        return {k: _shape_of(v) for k, v in value.items()}
    return None


def _input_shapes(input_size) -> list[tuple[int, ...]]:
    """Accept (N, ...) for one input, or a list/tuple of such shapes for several inputs."""
    def is_shape(s):
        return isinstance(s, (tuple, list)) and len(s) > 0 and all(
            isinstance(d, numbers.Integral) and not isinstance(d, bool) for d in s)

    if is_shape(input_size):
        shapes = [tuple(input_size)]
    elif (
        isinstance(input_size, (tuple, list))
        and input_size
        and all(is_shape(s) for s in input_size)
    ):
        shapes = [tuple(s) for s in input_size]
    else:
        raise TypeError(
            "input_size must be a shape such as (1, 784) (batch size first) or a list of shapes, "
            f"got {input_size!r}"
        )
    for s in shapes:
        if any(d < 1 for d in s):
            raise ValueError(f"every size in input_size must be >= 1, got {s}")
    return [tuple(int(d) for d in s) for s in shapes]


def summary(module, input_size, dtype=None, device=None) -> Summary:
    r"""Summarise a PyTorch module: each layer's output shape and parameter count, and totals.

    Parameters
    ----------
    module : torch.nn.Module
        Any module.  It is run once in eval mode without gradients; its parameters, buffers and
        train/eval flags are left as they were.
    input_size : tuple of int, or list of tuples
        Shape of the input including the batch size, e.g. ``(1, 1, 28, 28)``; a list of shapes
        for a module whose ``forward`` takes several tensors.
    dtype : torch.dtype, optional
        Dtype of the zero inputs: by default the dtype of the module's first floating-point
        parameter, else ``torch.get_default_dtype()``.  Use ``torch.long`` for an embedding.
    device : torch.device or str, optional
        Where to put the inputs; by default the device of the module's first parameter or
        buffer, else the CPU.

    Returns
    -------
    Summary
        Rows in the order the layers ran (layers that never ran come last, with output shape
        None).  A row is every leaf module (no children: ``Linear``, ``ReLU``, ``BatchNorm2d``)
        and every other module that owns parameters directly; ``params`` counts the module's
        own parameters, a shared parameter only at its first module, so the rows add up to
        ``total``.  ``total`` equals ``sum(p.numel() for p in module.parameters())``;
        ``trainable`` counts those with ``requires_grad``; ``buffers`` counts buffers such as
        batch norm's running statistics.  Output shapes keep the batch size you passed.

    Raises
    ------
    TypeError
        If ``module`` is not a ``torch.nn.Module`` or ``input_size`` is not a shape.
    ValueError
        If a size in ``input_size`` is below 1.

    Notes
    -----
    For a dense layer the count is :math:`(n_\text{in} + 1)\,n_\text{out}`; for a 2-D convolution
    with :math:`C_\text{in}` input and :math:`C_\text{out}` output channels and a
    :math:`k_h \times k_w` kernel it is :math:`(C_\text{in} k_h k_w + 1)\,C_\text{out}`; batch
    norm over C channels has :math:`2C` parameters (scale and shift) and :math:`2C + 1` buffers
    (running mean, running variance, and a counter of batches).

    See Also
    --------
    dlbook.nn.summary.summary : the NumPy twin.
    :ref:`ch-perceptron` : the chapter.

    Examples
    --------
    >>> model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    >>> s = summary(model, (1, 28, 28))
    >>> [(r.name, r.kind, r.output_shape, r.params) for r in s.rows]
    [('0', 'Flatten', (1, 784), 0), ('1', 'Linear', (1, 10), 7850)]
    >>> s.total, s.trainable
    (7850, 7850)
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}")
    shapes = _input_shapes(input_size)

    first_param = next(iter(module.parameters()), None)
    first_tensor = first_param if first_param is not None else next(iter(module.buffers()), None)
    if device is None:
        device = first_tensor.device if first_tensor is not None else torch.device("cpu")
    if dtype is None:
        dtype = next(
            (p.dtype for p in module.parameters() if p.is_floating_point()),
            torch.get_default_dtype(),
        )

    # Which modules get a row, and the parameters each owns (a shared one counts only once).
    seen: set[int] = set()
    entries = {}  # module -> [name, kind, output_shape, params, call order]
    for name, m in module.named_modules():
        own = [p for p in m.parameters(recurse=False) if id(p) not in seen]
        seen.update(id(p) for p in own)
        is_leaf = next(iter(m.children()), None) is None
        if is_leaf or own:
            label = name or type(m).__name__.lower()
            entries[m] = [label, type(m).__name__, None, sum(p.numel() for p in own), None]

    calls = [0]

    def hook(m, inputs, output):
        entry = entries[m]
        if entry[4] is None:  # first call only (a shared layer may run several times)
            entry[2] = _shape_of(output)
            entry[4] = calls[0]
            calls[0] += 1

    modes = {m: m.training for m in module.modules()}
    handles = [m.register_forward_hook(hook) for m in entries]
    try:
        module.eval()  # batch norm uses (and keeps) its running statistics; dropout is off
        inputs = [torch.zeros(s, dtype=dtype, device=device) for s in shapes]
        with torch.no_grad():
            module(*inputs)
    finally:
        for h in handles:
            h.remove()
        for m, was_training in modes.items():
            m.training = was_training

    ordered = sorted(
        entries.values(), key=lambda e: (e[4] is None, e[4] if e[4] is not None else 0)
    )
    rows = [Row(name=e[0], kind=e[1], output_shape=e[2], params=e[3]) for e in ordered]

    unique = {id(p): p for p in module.parameters()}.values()
    total = sum(p.numel() for p in unique)
    trainable = sum(p.numel() for p in unique if p.requires_grad)
    buffers = sum(b.numel() for b in {id(b): b for b in module.buffers()}.values())
    return Summary(
        rows=rows,
        total=total,
        trainable=trainable,
        non_trainable=total - trainable,
        buffers=buffers,
    )
