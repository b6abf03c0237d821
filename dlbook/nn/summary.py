r"""Parameter counts of dense networks, printed as a Keras-style model summary.

A dense layer from :math:`n_\text{in}` to :math:`n_\text{out}` units has one weight per pair
and one bias per output unit:

.. math::

    P = n_\text{in}\, n_\text{out} + n_\text{out} = (n_\text{in} + 1)\, n_\text{out} .

See Also
--------
dlbook.nn.summary_torch.summary : the same table for any ``torch.nn.Module``.
:ref:`ch-perceptron` : the chapter that checks the course's totals 7,850 and 316,810.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["Row", "Summary", "dense_param_count", "summary"]


class Row(NamedTuple):
    """One line of a model summary: ``(name, kind, output_shape, params)``.

    Examples
    --------
    >>> r = Row("dense", "Dense", (None, 10), dense_param_count(784, 10))   # (784 + 1) * 10
    >>> r.params, r.output_shape
    (7850, (None, 10))
    """

    name: str  #: layer name, e.g. ``"dense_1"``
    kind: str  #: layer type, e.g. ``"Dense"`` or ``"Conv2d"``
    output_shape: object  #: tuple of ints (None for the batch axis), or None if never called
    params: int  #: parameters owned by this layer (a shared parameter counts at its first layer)


@dataclass(frozen=True)
class Summary:
    """A model summary: rows, totals and a printable table (``print(s)`` shows the table).

    Attributes
    ----------
    rows : list of Row
    total : int
        All parameters, each counted once.
    trainable, non_trainable : int
        Parameters that the optimizer updates (``requires_grad``) and those it does not.
    buffers : int
        Non-parameter state such as batch norm's running mean and variance (PyTorch buffers;
        Keras would list these as non-trainable parameters).

    Examples
    --------
    A 2-3-1 network: (2 + 1) * 3 = 9 and (3 + 1) * 1 = 4 parameters.

    >>> s = Summary(rows=[Row("dense", "Dense", (None, 3), 9), Row("dense_1", "Dense", (None, 1), 4)],
    ...             total=13, trainable=13, non_trainable=0)
    >>> print(s.table())
    Layer (type)     Output Shape  Param #
    ======================================
    dense (Dense)    (None, 3)           9
    dense_1 (Dense)  (None, 1)           4
    ======================================
    Total params: 13
    Trainable params: 13
    Non-trainable params: 0
    >>> str(s) == s.table()
    True
    """

    rows: list
    total: int
    trainable: int
    non_trainable: int
    buffers: int = 0

    def table(self) -> str:
        """Render the summary as a Keras-like text table."""
        header = ("Layer (type)", "Output Shape", "Param #")
        body = [
            (f"{r.name} ({r.kind})", "--" if r.output_shape is None else str(r.output_shape), f"{r.params:,}")
            for r in self.rows
        ]
        w0 = max(len(header[0]), *(len(b[0]) for b in body)) if body else len(header[0])
        w1 = max(len(header[1]), *(len(b[1]) for b in body)) if body else len(header[1])
        w2 = max(len(header[2]), *(len(b[2]) for b in body)) if body else len(header[2])
        line = "=" * (w0 + w1 + w2 + 4)

        def fmt(c):
            return f"{c[0]:<{w0}}  {c[1]:<{w1}}  {c[2]:>{w2}}"

        out = [fmt(header), line, *(fmt(b) for b in body), line]
        out += [
            f"Total params: {self.total:,}",
            f"Trainable params: {self.trainable:,}",
            f"Non-trainable params: {self.non_trainable:,}",
        ]
        if self.buffers:
            out.append(f"Buffers (not parameters): {self.buffers:,}")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.table()


def _check_size(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r} of type {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def dense_param_count(n_in, n_out, bias=True) -> int:
    r"""Number of parameters of a dense layer from ``n_in`` to ``n_out`` units.

    Parameters
    ----------
    n_in, n_out : int
        Input and output sizes, each at least 1.
    bias : bool, default True
        Whether each output unit has a bias.

    Returns
    -------
    int
        :math:`(n_\text{in} + 1)\, n_\text{out}` with a bias, :math:`n_\text{in} n_\text{out}`
        without.

    Raises
    ------
    TypeError
        If a size is not an integer.
    ValueError
        If a size is below 1.

    See Also
    --------
    summary : the counts of a whole stack of dense layers.
    :ref:`ch-perceptron` : the chapter.

    Examples
    --------
    The course's 28x28 = 784 pixels to 10 classes: (784 + 1) * 10.

    >>> dense_param_count(784, 10)
    7850
    >>> dense_param_count(784, 10, bias=False)
    7840
    """
    n_in, n_out = _check_size(n_in, "n_in"), _check_size(n_out, "n_out")
    return (n_in + 1) * n_out if bias else n_in * n_out


def summary(layer_sizes, bias=True) -> Summary:
    r"""Keras-style summary of a stack of dense layers with the given sizes.

    Parameters
    ----------
    layer_sizes : sequence of int
        Input size followed by each layer's output size, e.g. ``[784, 300, 200, 100, 10]``;
        at least two entries.
    bias : bool, default True
        Whether the layers have biases.

    Returns
    -------
    Summary
        One row per dense layer, named as Keras names them (``dense``, ``dense_1``, ...), with
        output shape ``(None, n_out)`` (None: any batch size) and
        :func:`dense_param_count`; all parameters are trainable.  ``print()`` it for the table.

    Raises
    ------
    TypeError, ValueError
        If ``layer_sizes`` is not a sequence of at least two positive integers.

    Notes
    -----
    .. math::

        P_\text{total} = \sum_{l=1}^{L} (n_{l-1} + 1)\, n_l

    See Also
    --------
    dlbook.nn.summary_torch.summary : the same for a real ``torch.nn.Module``.
    :ref:`ch-perceptron` : the chapter.

    Examples
    --------
    >>> s = summary([784, 300, 200, 100, 10])
    >>> [row.params for row in s.rows]     # (784+1)*300, (300+1)*200, (200+1)*100, (100+1)*10
    [235500, 60200, 20100, 1010]
    >>> s.total
    316810
    >>> print(summary([784, 10]))
    Layer (type)   Output Shape  Param #
    ====================================
    dense (Dense)  (None, 10)      7,850
    ====================================
    Total params: 7,850
    Trainable params: 7,850
    Non-trainable params: 0
    """
    if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__"):
        raise TypeError(f"layer_sizes must be a sequence of ints, got {type(layer_sizes).__name__}")
    if len(layer_sizes) < 2:
        raise ValueError(f"layer_sizes needs an input size and at least one layer size, got {list(layer_sizes)}")
    sizes = [_check_size(n, f"layer_sizes[{i}]") for i, n in enumerate(layer_sizes)]
    rows = [
        Row(
            name="dense" if i == 0 else f"dense_{i}",
            kind="Dense",
            output_shape=(None, n_out),
            params=dense_param_count(n_in, n_out, bias=bias),
        )
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))
    ]
    total = sum(r.params for r in rows)
    return Summary(rows=rows, total=total, trainable=total, non_trainable=0)
