"""Input checks shared by every module of dlbook: one place, one exception policy.

Public functions of dlbook check their arguments at the boundary with these helpers, so that the
same mistake gives the same error wherever it is made:

- a value of the wrong *type* (a string for a count, complex numbers for an array, a float for an
  integer) raises ``TypeError``;
- a value of the right type but the wrong *value* or *shape* (a negative count, a probability of
  1.5, a 3-tuple where a pair is expected, mismatched shapes) raises ``ValueError``;
- every message names the argument and shows the offending value or shape.

Each helper returns the checked value in a canonical form (``int``, ``float``, a floating array,
a pair of ints), so a caller writes ``stride = int_pair(stride, "stride")`` and then uses it.
The NumPy helpers never import torch; the ``tensor`` helpers import it only when called.

>>> positive_int(3, "epochs")
3
>>> positive_int(0, "epochs")
Traceback (most recent call last):
    ...
ValueError: epochs must be >= 1, got 0
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

__all__ = [
    "int_value", "positive_int", "real_value", "positive_real", "probability", "int_pair",
    "one_of", "boolean", "real_array", "check_ndim", "check_shape", "same_shape",
    "finite_array", "real_tensor", "token_list", "generator", "value_range", "distribution_rows",
    "finite_pair", "finite_tensor_pair", "real_array_list", "recurrent_shapes",
]


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# -- Scalars -------------------------------------------------------------------------------------
def int_value(value, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an ``int`` after checking that it is an integer in ``[low, high]``.

    ``bool`` is refused (``True`` is not a count); NumPy integers are accepted.

    Raises
    ------
    TypeError
        If ``value`` is not an integer.
    ValueError
        If it lies outside ``[low, high]``.

    Examples
    --------
    >>> int_value(np.int64(4), "n", low=0)
    4
    >>> int_value(2.0, "n")
    Traceback (most recent call last):
        ...
    TypeError: n must be an int, got 2.0 (float)
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {_show(value)} ({type(value).__name__})")
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value}")
    return int(value)


def positive_int(value, name: str) -> int:
    """Return ``value`` as an ``int`` after checking that it is an integer >= 1.

    Examples
    --------
    >>> positive_int(7, "batch_size")
    7
    """
    return int_value(value, name, low=1)


def real_value(value, name: str, *, low: float | None = None, high: float | None = None,
               low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a ``float`` after checking that it is a finite real number in range.

    Parameters
    ----------
    value : real number
    name : str
        The argument's name, used in error messages.
    low, high : float, optional
        Bounds; ``None`` leaves that side open-ended.
    low_open, high_open : bool, default False
        Exclude the bound itself (``low_open=True`` means ``value > low``).

    Raises
    ------
    TypeError
        If ``value`` is not a real number (``bool`` and strings included).
    ValueError
        If it is NaN or infinite, or lies outside the range.

    Examples
    --------
    >>> real_value(0.5, "lr", low=0.0, low_open=True)
    0.5
    >>> real_value(0.0, "lr", low=0.0, low_open=True)
    Traceback (most recent call last):
        ...
    ValueError: lr must be > 0.0, got 0.0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_show(value)} "
                        f"({type(value).__name__})")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value}")
    if high is not None and (value >= high if high_open else value > high):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {value}")
    return value


def positive_real(value, name: str) -> float:
    """Return ``value`` as a ``float`` after checking that it is finite and > 0.

    Examples
    --------
    >>> positive_real(1e-3, "eps")
    0.001
    """
    return real_value(value, name, low=0.0, low_open=True)


def probability(value, name: str, *, low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a ``float`` after checking that it lies in [0, 1].

    ``low_open`` / ``high_open`` exclude 0 / 1 (a dropout probability must be below 1, say).

    Examples
    --------
    >>> probability(0.25, "p")
    0.25
    >>> probability(1.0, "p", high_open=True)
    Traceback (most recent call last):
        ...
    ValueError: p must be < 1.0, got 1.0
    """
    return real_value(value, name, low=0.0, high=1.0, low_open=low_open, high_open=high_open)


def int_pair(value, name: str, *, low: int = 1) -> tuple[int, int]:
    """Return ``value`` as a pair ``(a, b)`` of ints >= ``low``; an int ``n`` means ``(n, n)``.

    Kernel sizes, strides and paddings of 2-D layers take this form, as in PyTorch.

    Raises
    ------
    TypeError
        If ``value`` is neither an int nor a sequence of ints.
    ValueError
        If the sequence does not hold exactly two items, or an item is below ``low``.

    Examples
    --------
    >>> int_pair(3, "kernel_size")
    (3, 3)
    >>> int_pair((1, 2), "stride")
    (1, 2)
    >>> int_pair((1, 2, 3), "stride")
    Traceback (most recent call last):
        ...
    ValueError: stride must be an int or a pair of ints, got (1, 2, 3) (3 items)
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value, value)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise TypeError(f"{name} must be an int or a pair of ints, got {_show(value)} "
                        f"({type(value).__name__})")
    if len(value) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {_show(value)} "
                         f"({len(value)} items)")
    for item in value:
        if isinstance(item, bool) or not isinstance(item, numbers.Integral):
            raise TypeError(f"{name} must be an int or a pair of ints, got {_show(value)}")
        if item < low:
            raise ValueError(f"{name} must be >= {low}, got {_show(value)}")
    return int(value[0]), int(value[1])


def one_of(value, name: str, choices):
    """Return ``value`` after checking that it is one of ``choices`` (a string option, say).

    Raises
    ------
    ValueError
        Naming the value and every allowed choice; a misspelled option never falls through to a
        default branch.

    Examples
    --------
    >>> one_of("mean", "reduction", ("none", "mean", "sum"))
    'mean'
    >>> one_of("avg", "reduction", ("none", "mean", "sum"))
    Traceback (most recent call last):
        ...
    ValueError: reduction must be one of 'none', 'mean', 'sum'; got 'avg'
    """
    choices = tuple(choices)
    try:
        ok = value in choices
    except TypeError:  # an unhashable value against a set of choices
        ok = False
    if not ok:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {allowed}; got {_show(value)}")
    return value


def boolean(value, name: str) -> bool:
    """Return ``value`` after checking that it is a ``bool`` (NumPy's ``bool_`` included).

    Examples
    --------
    >>> boolean(True, "shuffle")
    True
    >>> boolean(1, "shuffle")
    Traceback (most recent call last):
        ...
    TypeError: shuffle must be True or False, got 1 (int)
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_show(value)} "
                        f"({type(value).__name__})")
    return bool(value)


def generator(rng, name: str = "rng") -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from ``rng``: a Generator, an int seed or None.

    A Generator is returned as it is (the caller's stream goes on); an int seeds a new one;
    None gives a fresh, unseeded one.

    Raises
    ------
    TypeError
        For anything else (a float, a legacy ``RandomState``, a bool).
    ValueError
        For a negative seed.

    Examples
    --------
    >>> generator(0).random() == np.random.default_rng(0).random()
    True
    >>> generator(0.5)
    Traceback (most recent call last):
        ...
    TypeError: rng must be a numpy.random.Generator, an int seed or None, got 0.5 (float)
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, bool) or not isinstance(rng, numbers.Integral):
        raise TypeError(f"{name} must be a numpy.random.Generator, an int seed or None, got "
                        f"{_show(rng)} ({type(rng).__name__})")
    return np.random.default_rng(int_value(rng, name, low=0))


# -- Arrays --------------------------------------------------------------------------------------
def real_array(x, name: str, *, ndim: int | None = None, min_ndim: int | None = None,
               nonempty: bool = False, finite: bool = False) -> np.ndarray:
    """Return ``x`` as a floating NumPy array after checking that it holds real numbers.

    Integers and booleans become float64; float16/32/64 arrays keep their dtype (no copy).

    Parameters
    ----------
    x : array_like
    name : str
    ndim : int, optional
        The exact number of dimensions required.
    min_ndim : int, optional
        The least number of dimensions required.
    nonempty : bool, default False
        Refuse arrays with no elements.
    finite : bool, default False
        Refuse NaN and infinities.

    Raises
    ------
    TypeError
        If ``x`` holds strings, objects or complex numbers.
    ValueError
        If its dimensions, size or values are refused.

    Examples
    --------
    >>> real_array([1, 2], "x").dtype
    dtype('float64')
    >>> real_array(np.ones((2, 3)), "x", ndim=1)
    Traceback (most recent call last):
        ...
    ValueError: x must have 1 dimension(s), got shape (2, 3)
    """
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {a.dtype}")
    if a.dtype.kind != "f":
        a = a.astype(np.float64)
    check_ndim(a, name, ndim=ndim, min_ndim=min_ndim)
    if nonempty and a.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {a.shape}")
    if finite and not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def real_array_list(xs, name: str) -> list[np.ndarray]:
    """One array, or a sequence of arrays, as a list of float64 arrays (``name[i]`` in errors).

    Gradient clipping and weight penalties take "the model's arrays" in either form.

    Examples
    --------
    >>> [a.dtype for a in real_array_list([np.arange(2), np.ones(3, np.float32)], "grads")]
    [dtype('float64'), dtype('float64')]
    >>> real_array_list([np.zeros(2), ["a"]], "grads")
    Traceback (most recent call last):
        ...
    TypeError: grads[1] must hold real numbers, got dtype <U1
    """
    if isinstance(xs, np.ndarray):
        xs = [xs]
    return [real_array(x, f"{name}[{i}]").astype(np.float64, copy=False)
            for i, x in enumerate(xs)]


def common_real_arrays(*named) -> list[np.ndarray]:
    """``(name, value)`` pairs as real arrays of one floating dtype (float32 stays float32).

    A layer's inputs and weights are brought to the dtype NumPy would compute in, so a float32
    model stays float32 and a float64 gradient check stays float64.

    Examples
    --------
    >>> x, w = common_real_arrays(("x", np.ones(2, np.float32)), ("w", [1, 2]))
    >>> x.dtype, w.dtype
    (dtype('float64'), dtype('float64'))
    >>> [a.dtype for a in common_real_arrays(("x", np.ones(2, np.float32)),
    ...                                      ("w", np.ones(2, np.float32)))]
    [dtype('float32'), dtype('float32')]
    """
    arrays = [real_array(value, name) for name, value in named]
    dtype = np.result_type(*arrays)
    return [a.astype(dtype, copy=False) for a in arrays]


def finite_array(x, name: str, **kwargs) -> np.ndarray:
    """:func:`real_array` with ``finite=True``: a real floating array with no NaN or inf.

    Examples
    --------
    >>> finite_array([1.0, np.nan], "y")
    Traceback (most recent call last):
        ...
    ValueError: y contains NaN or infinite values
    """
    return real_array(x, name, finite=True, **kwargs)


def check_ndim(x, name: str, *, ndim: int | None = None, min_ndim: int | None = None) -> None:
    """Check the number of dimensions of an array or tensor (anything with ``.shape``).

    Examples
    --------
    >>> check_ndim(np.zeros((2, 3)), "x", min_ndim=3)
    Traceback (most recent call last):
        ...
    ValueError: x must have at least 3 dimension(s), got shape (2, 3)
    """
    shape = tuple(x.shape)
    if ndim is not None and len(shape) != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {shape}")
    if min_ndim is not None and len(shape) < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got shape {shape}")


def check_shape(x, name: str, expected: Sequence[int | None], what: str = "") -> None:
    """Check that ``x.shape`` equals ``expected``, where ``None`` matches any size.

    ``what`` names the dimensions for the error message, e.g. ``"(N, C, H, W)"``.

    Examples
    --------
    >>> check_shape(np.zeros((4, 3)), "weight", (None, 3))
    >>> check_shape(np.zeros((4, 2)), "weight", (None, 3), "(H, D)")
    Traceback (most recent call last):
        ...
    ValueError: weight must have shape (H, D) = (*, 3), got (4, 2)
    """
    shape = tuple(x.shape)
    ok = len(shape) == len(expected) and all(e is None or s == e for s, e in zip(shape, expected))
    if not ok:
        want = "(" + ", ".join("*" if e is None else str(e) for e in expected)
        want += ",)" if len(expected) == 1 else ")"
        label = f"{what} = {want}" if what else want
        raise ValueError(f"{name} must have shape {label}, got {shape}")


def same_shape(a, b, name_a: str, name_b: str) -> None:
    """Check that two arrays (or tensors) have the same shape: no silent broadcasting.

    Examples
    --------
    >>> same_shape(np.zeros(32), np.zeros((32, 1)), "y_true", "y_pred")
    Traceback (most recent call last):
        ...
    ValueError: y_true has shape (32,) but y_pred has (32, 1)
    """
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"{name_a} has shape {tuple(a.shape)} but {name_b} has {tuple(b.shape)}")


def _host(x) -> np.ndarray:
    """The values of an array or tensor as a NumPy array (a tensor is detached, moved to CPU)."""
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def value_range(x, name: str, low: float, high: float) -> None:
    """Check that every value of an array or tensor lies in ``[low, high]``.

    Examples
    --------
    >>> value_range(np.array([0.2, 0.9]), "y_pred", 0.0, 1.0)
    >>> value_range(np.array([0.2, 1.5]), "y_pred", 0.0, 1.0)
    Traceback (most recent call last):
        ...
    ValueError: y_pred must lie in [0.0, 1.0], got values from 0.2 to 1.5
    """
    a = _host(x)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if a.size and (a.min() < low or a.max() > high):
        raise ValueError(f"{name} must lie in [{low}, {high}], got values from {a.min():.6g} "
                         f"to {a.max():.6g}")


def distribution_rows(x, name: str) -> None:
    """Check that ``x`` (array or tensor) has shape (N, C) and each row is a distribution.

    Values must lie in [0, 1] and each row sum to 1 within 1e-6 (float64) or 1e-4 (others).

    Examples
    --------
    >>> distribution_rows(np.array([[0.5, 0.5], [0.1, 0.8]]), "y_pred")
    Traceback (most recent call last):
        ...
    ValueError: each row of y_pred must sum to 1, but row 1 sums to 0.9
    """
    check_ndim(x, name, ndim=2)
    value_range(x, name, 0.0, 1.0)
    a = _host(x)
    tol = 1e-6 if a.dtype == np.float64 else 1e-4
    sums = a.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > tol)
    if bad.size:
        raise ValueError(f"each row of {name} must sum to 1, but row {bad[0]} sums to "
                         f"{sums[bad[0]]:.6g}")


def finite_pair(a, b, name_a: str = "y_true", name_b: str = "y_pred", *,
                min_ndim: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Return two finite, non-empty floating arrays of identical shape (a target and a guess).

    Losses compare element by element, so a shape mismatch is an error, never a broadcast
    (pairing every target with every prediction).

    Examples
    --------
    >>> finite_pair([1, 2], [1.5, 2.5])
    (array([1., 2.]), array([1.5, 2.5]))
    >>> finite_pair(np.zeros(3), np.zeros((3, 1)))
    Traceback (most recent call last):
        ...
    ValueError: y_true has shape (3,) but y_pred has (3, 1)
    """
    a = finite_array(a, name_a, min_ndim=min_ndim, nonempty=True)
    b = finite_array(b, name_b, min_ndim=min_ndim, nonempty=True)
    same_shape(a, b, name_a, name_b)
    return a, b


def finite_tensor_pair(a, b, name_a: str = "y_true", name_b: str = "y_pred", *,
                       min_ndim: int = 1):
    """The torch twin of :func:`finite_pair`: two tensors of identical shape, one device, one
    floating dtype (integers take the other's dtype, or torch's default).

    Examples
    --------
    >>> import torch
    >>> p = torch.tensor([0.5, 0.5], dtype=torch.float64)
    >>> t, p = finite_tensor_pair(torch.tensor([1, 0]), p)
    >>> t.dtype, p.dtype
    (torch.float64, torch.float64)
    """
    import torch

    a, b = torch.as_tensor(a), torch.as_tensor(b)
    for name, t in ((name_a, a), (name_b, b)):
        if t.is_complex() or not (t.is_floating_point() or t.dtype in _torch_integers()):
            raise TypeError(f"{name} must hold real numbers, got dtype {t.dtype}")
        check_ndim(t, name, min_ndim=min_ndim)
        if t.numel() == 0:
            raise ValueError(f"{name} must not be empty, got shape {tuple(t.shape)}")
        if t.is_floating_point() and not bool(torch.isfinite(t).all()):
            raise ValueError(f"{name} contains NaN or infinite values")
    same_shape(a, b, name_a, name_b)
    if a.device != b.device:
        raise ValueError(f"{name_a} is on {a.device} but {name_b} is on {b.device}")
    if a.is_floating_point() and b.is_floating_point():
        dtype = torch.promote_types(a.dtype, b.dtype)
    else:
        floating = [t.dtype for t in (a, b) if t.is_floating_point()]
        dtype = floating[0] if floating else torch.get_default_dtype()
    return a.to(dtype), b.to(dtype)


def _torch_integers() -> tuple:
    import torch

    return (torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)


def real_tensor(x, name: str, *, ndim: int | None = None, min_ndim: int | None = None):
    """Return ``x`` as a floating ``torch.Tensor``; the torch twin of :func:`real_array`.

    Tensors keep their dtype and device; integers and booleans (tensors or array-likes) become
    torch's default floating dtype (float32 unless changed); floating arrays keep their dtype.

    Examples
    --------
    >>> import torch
    >>> real_tensor([1, 2], "x").dtype
    torch.float32
    >>> real_tensor(torch.zeros(2, 2, dtype=torch.complex64), "x")
    Traceback (most recent call last):
        ...
    TypeError: x must hold real numbers, got dtype torch.complex64
    """
    import torch

    if not isinstance(x, torch.Tensor):
        a = np.asarray(x)
        if a.dtype.kind not in "biuf":
            raise TypeError(f"{name} must hold real numbers, got dtype {a.dtype}")
        x = torch.as_tensor(a)
    if x.is_complex() or not (x.is_floating_point() or x.dtype in _torch_integers()):
        raise TypeError(f"{name} must hold real numbers, got dtype {x.dtype}")
    if not x.is_floating_point():
        x = x.to(torch.get_default_dtype())
    check_ndim(x, name, ndim=ndim, min_ndim=min_ndim)
    return x


# -- Sequences of tokens -------------------------------------------------------------------------
def token_list(tokens, name: str) -> list:
    """Return ``tokens`` as a list after checking that it is a sequence of tokens, not a string.

    A string passed where a list of tokens belongs is the commonest mistake with n-gram code: it
    would be read as a sequence of characters.

    Examples
    --------
    >>> token_list(("the", "cat"), "hypothesis")
    ['the', 'cat']
    >>> token_list("the cat", "hypothesis")
    Traceback (most recent call last):
        ...
    TypeError: hypothesis must be a sequence of tokens, got a str ('the cat'); split it first
    """
    if isinstance(tokens, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of tokens, got a {type(tokens).__name__} "
                        f"({_show(tokens)}); split it first")
    if not isinstance(tokens, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a sequence of tokens, got {type(tokens).__name__}")
    return list(tokens)


# -- Recurrent layers ----------------------------------------------------------------------------
def recurrent_shapes(x, h0, weight_ih, weight_hh, bias_ih, bias_hh, *, gates: int,
                     c0=None) -> tuple[int, int, int, int]:
    """Check the shapes of a recurrent layer's arguments (arrays or tensors); return T, N, D, H.

    The layout is torch's, time-major: ``x`` (T, N, D), ``h0`` and ``c0`` (N, H), ``weight_ih``
    (G*H, D), ``weight_hh`` (G*H, H), both biases (G*H,), with ``gates`` G = 1 (RNN), 3 (GRU)
    or 4 (LSTM). H is read from ``weight_hh``; every other size must agree with it.

    Raises
    ------
    ValueError
        Naming the argument, the shape it must have and the shape it has; also for T = 0.

    Examples
    --------
    >>> recurrent_shapes(np.zeros((5, 2, 3)), np.zeros((2, 4)), np.zeros((4, 3)),
    ...                  np.zeros((4, 4)), np.zeros(4), np.zeros(4), gates=1)
    (5, 2, 3, 4)
    >>> recurrent_shapes(np.zeros((5, 2, 3)), np.zeros((2, 4)), np.zeros((16, 7)),
    ...                  np.zeros((16, 4)), np.zeros(16), np.zeros(16), gates=4)
    Traceback (most recent call last):
        ...
    ValueError: weight_ih must have shape (4H, D) = (16, 3), got (16, 7)
    """
    g = "" if gates == 1 else str(gates)
    if len(tuple(x.shape)) != 3:
        raise ValueError(f"x must have shape (T, N, D) (time-major), got {tuple(x.shape)}")
    T, N, D = tuple(x.shape)
    if T == 0:
        raise ValueError(f"x must hold at least one time step, got shape {tuple(x.shape)}")
    shape_hh = tuple(weight_hh.shape)
    if len(shape_hh) != 2 or shape_hh[0] != gates * shape_hh[1]:
        raise ValueError(f"weight_hh must have shape ({g}H, H), got {shape_hh}")
    H = shape_hh[1]
    check_shape(weight_ih, "weight_ih", (gates * H, D), f"({g}H, D)")
    check_shape(bias_ih, "bias_ih", (gates * H,), f"({g}H,)")
    check_shape(bias_hh, "bias_hh", (gates * H,), f"({g}H,)")
    check_shape(h0, "h0", (N, H), "(N, H)")
    if c0 is not None:
        check_shape(c0, "c0", (N, H), "(N, H)")
    return T, N, D, H


# -- Attention -----------------------------------------------------------------------------------
def attention_query_keys(query, keys, name_q: str = "query", *, tensor: bool = False):
    """Check an attention query against its keys (arrays or tensors); return ``q, k, squeezed``.

    ``query`` is one step (N, Hq) or T steps (N, T, Hq); ``keys`` are (N, S, Hk) with the same
    N.  A one-step query comes back as (N, 1, Hq) with ``squeezed`` True, so the caller computes
    in the T-step form and drops the axis at the end.  The inputs become finite arrays
    (:func:`finite_array`), or with ``tensor=True`` floating tensors (:func:`real_tensor`).

    Examples
    --------
    >>> q, k, squeezed = attention_query_keys(np.zeros((2, 3)), np.zeros((2, 5, 4)))
    >>> q.shape, squeezed
    ((2, 1, 3), True)
    >>> attention_query_keys(np.zeros((3, 3)), np.zeros((2, 5, 4)))
    Traceback (most recent call last):
        ...
    ValueError: query has batch size 3 but keys have 2 (shapes (3, 3) and (2, 5, 4))
    """
    if tensor:
        q, k = real_tensor(query, name_q), real_tensor(keys, "keys", ndim=3)
    else:
        q, k = finite_array(query, name_q), finite_array(keys, "keys", ndim=3)
    q_shape, k_shape = tuple(q.shape), tuple(k.shape)
    if len(q_shape) not in (2, 3):
        raise ValueError(f"{name_q} must have shape (N, Hq) or (N, T, Hq), got {q_shape}")
    if q_shape[0] != k_shape[0]:
        raise ValueError(f"{name_q} has batch size {q_shape[0]} but keys have {k_shape[0]} "
                         f"(shapes {q_shape} and {k_shape})")
    return (q[:, None, :], k, True) if len(q_shape) == 2 else (q, k, False)
