r"""Keras-style summary of a NumPy model: each layer's output shape and parameter count.

The twin of :func:`dlbook.nn.summary_torch.summary` for models built from the layers of
:mod:`dlbook.nn` (a :class:`dlbook.nn.module.Sequential`, or a single layer): it runs one forward
pass on zeros of the given size in evaluation mode and records what each layer returns.

See Also
--------
dlbook.nn.summary_torch.summary : the same for any ``torch.nn.Module``.
dlbook.nn.param_count : the formula :math:`(n_\text{in} + 1)\,n_\text{out}` and the table.
:ref:`ch-pytorch-models` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import positive_int
from dlbook.nn.param_count import Row, Summary

__all__ = ["summary"]


def _size(arrays) -> int:
    return int(sum(np.size(a) for a in arrays.values()))


def summary(module, input_size, dtype=None) -> Summary:
    r"""Summarise a NumPy model: each layer's output shape and parameter count, and totals.

    Parameters
    ----------
    module : Sequential or layer
        Anything with ``forward``; a :class:`~dlbook.nn.module.Sequential` gets one row per
        layer (named ``"0"``, ``"1"``, ... as torch names the children of ``nn.Sequential``),
        any other layer one row.  It runs once in evaluation mode; its mode is restored.
    input_size : tuple of int
        Shape of the input including the batch size, e.g. ``(1, 784)``.
    dtype : numpy dtype, optional
        Dtype of the zero input (float64 by default).

    Returns
    -------
    Summary
        ``total`` counts every parameter array (``params``) once; all of them are trainable;
        ``buffers`` counts running statistics (``buffers``, such as batch norm's).

    Raises
    ------
    TypeError
        If ``module`` has no ``forward`` or ``input_size`` is not a tuple of ints.
    ValueError
        If a size in ``input_size`` is below 1.

    See Also
    --------
    dlbook.nn.summary_torch.summary, dlbook.nn.param_count.dense_param_count,
    :ref:`ch-pytorch-models`

    Examples
    --------
    >>> from dlbook.nn.activation_layers import ReLU
    >>> from dlbook.nn.linear import Linear
    >>> from dlbook.nn.module import Sequential
    >>> s = summary(Sequential(Linear(784, 300, rng=0), ReLU(), Linear(300, 10, rng=1)), (1, 784))
    >>> [(r.name, r.kind, r.output_shape, r.params) for r in s.rows]
    [('0', 'Linear', (1, 300), 235500), ('1', 'ReLU', (1, 300), 0), ('2', 'Linear', (1, 10), 3010)]
    >>> s.total   # (784 + 1) * 300 + (300 + 1) * 10
    238510
    """
    if not callable(getattr(module, "forward", None)):
        raise TypeError(f"module must have a forward() method, got {type(module).__name__}")
    if not isinstance(input_size, (tuple, list)) or not input_size:
        raise TypeError(f"input_size must be a shape such as (1, 784) (batch size first), got "
                        f"{input_size!r}")
    shape = tuple(positive_int(d, "input_size") for d in input_size)
    layers = list(getattr(module, "layers", [module]))
    named = [(str(i), layer) for i, layer in enumerate(layers)] if layers != [module] \
        else [(type(module).__name__.lower(), module)]
    was_training = getattr(module, "training", True)
    if hasattr(module, "eval"):
        module.eval()
    try:
        x, rows = np.zeros(shape, dtype=dtype or np.float64), []
        for name, layer in named:
            x = layer.forward(x)
            rows.append(Row(name=name, kind=type(layer).__name__, output_shape=tuple(x.shape),
                            params=_size(getattr(layer, "params", {}))))
    finally:
        if hasattr(module, "train"):
            module.train(was_training)
    total = sum(r.params for r in rows)
    buffers = sum(_size(getattr(layer, "buffers", {})) for _, layer in named)
    return Summary(rows=rows, total=total, trainable=total, non_trainable=0, buffers=buffers)
