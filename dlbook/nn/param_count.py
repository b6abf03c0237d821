r"""Counting parameters: the formula for a dense layer, and the summary table a model summary
prints (chapters :ref:`ch-perceptron` and :ref:`ch-pytorch-models`).

A dense layer from :math:`n_\text{in}` to :math:`n_\text{out}` units has one weight per pair
and one bias per output unit:

.. math::
    P = n_\text{in}\, n_\text{out} + n_\text{out} = (n_\text{in} + 1)\, n_\text{out} .

:func:`dense_param_count` is that formula and :func:`dense_summary` applies it to a stack of
layer sizes; :class:`Summary` (rows of :class:`Row`) is the result type of these and of the model
summaries that run a real model, :func:`dlbook.nn.summary.summary` (NumPy) and
:func:`dlbook.nn.summary_torch.summary` (torch).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from dlbook._checks import boolean, positive_int
from dlbook.bilingual import Text, display_width

__all__ = ["Row", "Summary", "dense_param_count", "dense_summary"]

#: The table's words: three headers, then the three (or four) totals.
_WORDS = {
    "en": ("Layer (type)", "Output Shape", "Param #", "Total params: ", "Trainable params: ",
           "Non-trainable params: ", "Buffers (not parameters): "),
    "zh_TW": ("層（類型）", "輸出形狀", "參數量", "參數總數：", "可訓練參數：", "不可訓練參數：",
              "緩衝區（不是參數）："),
}


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

    >>> rows = [Row("dense", "Dense", (None, 3), 9), Row("dense_1", "Dense", (None, 1), 4)]
    >>> s = Summary(rows=rows, total=13, trainable=13, non_trainable=0)
    >>> print(s.table())
    Layer (type)     Output Shape  Param #
    ======================================
    dense (Dense)    (None, 3)           9
    dense_1 (Dense)  (None, 1)           4
    ======================================
    Total params: 13
    Trainable params: 13
    Non-trainable params: 0
    >>> print(s.table().zh.splitlines()[0])
    層（類型）       輸出形狀   參數量
    """

    rows: list
    total: int
    trainable: int
    non_trainable: int
    buffers: int = 0

    def table(self) -> Text:
        """The summary as a Keras-like text table, in English and in Chinese.

        ``print`` shows the current language; :func:`dlbook.bilingual.say` prints both.
        """
        return Text(self._render("en"), self._render("zh_TW"))

    def _render(self, lang: str) -> str:
        words = _WORDS[lang]
        header = (words[0], words[1], words[2])
        body = [(f"{r.name} ({r.kind})",
                 "--" if r.output_shape is None else str(r.output_shape), f"{r.params:,}")
                for r in self.rows]
        widths = [max([display_width(row[j]) for row in [header, *body]]) for j in range(3)]

        def fmt(cells):
            pads = [" " * (w - display_width(c)) for c, w in zip(cells, widths)]
            return f"{cells[0]}{pads[0]}  {cells[1]}{pads[1]}  {pads[2]}{cells[2]}"

        line = "=" * (sum(widths) + 4)
        out = [fmt(header), line, *(fmt(b) for b in body), line,
               f"{words[3]}{self.total:,}", f"{words[4]}{self.trainable:,}",
               f"{words[5]}{self.non_trainable:,}"]
        if self.buffers:
            out.append(f"{words[6]}{self.buffers:,}")
        return "\n".join(out)

    def __str__(self) -> str:
        return str(self.table())


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
    dense_summary : the counts of a whole stack of dense layers.
    :ref:`ch-perceptron` : the chapter.

    Examples
    --------
    The course's 28x28 = 784 pixels to 10 classes: (784 + 1) * 10.

    >>> dense_param_count(784, 10)
    7850
    >>> dense_param_count(784, 10, bias=False)
    7840
    """
    n_in, n_out = positive_int(n_in, "n_in"), positive_int(n_out, "n_out")
    return (n_in + 1) * n_out if boolean(bias, "bias") else n_in * n_out


def dense_summary(layer_sizes, bias=True) -> Summary:
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
    dlbook.nn.summary.summary, dlbook.nn.summary_torch.summary : the summary of a real model.
    :ref:`ch-perceptron` : the chapter.

    Examples
    --------
    >>> s = dense_summary([784, 300, 200, 100, 10])
    >>> [row.params for row in s.rows]     # (784+1)*300, (300+1)*200, (200+1)*100, (100+1)*10
    [235500, 60200, 20100, 1010]
    >>> s.total
    316810
    >>> print(dense_summary([784, 10]))
    Layer (type)   Output Shape  Param #
    ====================================
    dense (Dense)  (None, 10)      7,850
    ====================================
    Total params: 7,850
    Trainable params: 7,850
    Non-trainable params: 0
    """
    if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__"):
        raise TypeError("layer_sizes must be a sequence of ints, got "
                        f"{type(layer_sizes).__name__}")
    if len(layer_sizes) < 2:
        raise ValueError("layer_sizes needs an input size and at least one layer size, got "
                         f"{list(layer_sizes)}")
    sizes = [positive_int(n, f"layer_sizes[{i}]") for i, n in enumerate(layer_sizes)]
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
