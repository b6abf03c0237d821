r"""Colour histograms: the simplest hand-made image feature.

A colour image of shape (H, W, C) with values in ``value_range`` is summarized by how many pixels
fall in each of ``bins`` equal-width intervals, either per channel (C histograms side by side) or
jointly (one histogram over the :math:`\text{bins}^C` colour cubes). Both throw away *where* the
colours are: two images with the same pixels in a different order get the same histogram.

There is no ``color_histogram_torch`` twin: nothing here is learned.

See Also
--------
:ref:`ch-traditional-cv` : the chapter.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import positive_int, real_array

__all__ = ["bin_index", "color_histogram", "joint_color_histogram", "histogram_intersection"]


def _channels_last(image, channel_axis) -> np.ndarray:
    """(H, W, C) real array with the channels last."""
    image = np.asarray(image)
    if image.dtype == bool:
        raise TypeError(f"image must hold real numbers, got dtype {image.dtype}")
    image = real_array(image, "image")
    if image.ndim == 2:
        return image[..., None]
    if image.ndim != 3:
        raise ValueError(f"image must have shape (H, W) or (H, W, C), got {image.shape}")
    return np.moveaxis(image, channel_axis, -1)


def bin_index(values, bins=16, value_range=(0, 256)):
    r"""Index of the equal-width bin each value falls in, as :func:`numpy.histogram` assigns it.

    Parameters
    ----------
    values : array_like
        Values inside ``value_range``.
    bins : int, default 16
        Number of bins.
    value_range : (float, float), default (0, 256)
        Lower and upper edge; the last bin includes its upper edge.

    Returns
    -------
    index : ndarray of int, same shape as ``values``
        :math:`\min(\lfloor (v - lo)\, \text{bins} / (hi - lo) \rfloor, \text{bins} - 1)`.

    Raises
    ------
    ValueError
        If a value lies outside ``value_range`` or the range is empty.

    See Also
    --------
    color_histogram, :ref:`ch-traditional-cv`

    Examples
    --------
    16 bins over 0..256 are 16 wide: 0..15 -> 0, 16 -> 1, 255 -> 15.

    >>> bin_index([0, 15, 16, 255])
    array([ 0,  0,  1, 15])
    """
    bins = positive_int(bins, "bins")
    lo, hi = (float(v) for v in value_range)
    if not hi > lo:
        raise ValueError(f"value_range must have lo < hi, got {value_range!r}")
    values = np.asarray(values, dtype=np.float64)
    if values.size and (values.min() < lo or values.max() > hi):
        raise ValueError(f"values span [{values.min()}, {values.max()}], outside value_range "
                         f"{(lo, hi)}")
    idx = np.floor((values - lo) * (bins / (hi - lo))).astype(np.int64)
    return np.minimum(idx, bins - 1)


def color_histogram(image, bins=16, value_range=(0, 256), *, channel_axis=-1, density=False):
    r"""Per-channel histograms of an image.

    Parameters
    ----------
    image : array_like of shape (H, W, C) (or (H, W) for one channel)
        Pixel values inside ``value_range``.
    bins : int, default 16
        Bins per channel.
    value_range : (float, float), default (0, 256)
        Range of the pixel values (0..255 for 8-bit images).
    channel_axis : int, default -1
        Axis of the channels.
    density : bool, default False
        Divide each channel's counts by the number of pixels (each row then sums to 1).

    Returns
    -------
    hist : ndarray of shape (C, bins)
        ``hist[c, k]`` = number (or fraction) of pixels whose channel c falls in bin k.

    Raises
    ------
    ValueError, TypeError
        On a bad shape, dtype, or values outside ``value_range``.

    See Also
    --------
    joint_color_histogram, bin_index, :ref:`ch-traditional-cv`

    Examples
    --------
    Two pixels, red (255, 0, 0) and dark grey (40, 40, 40), 4 bins of width 64:

    >>> img = np.array([[[255, 0, 0], [40, 40, 40]]])
    >>> color_histogram(img, bins=4)
    array([[1, 0, 0, 1],
           [2, 0, 0, 0],
           [2, 0, 0, 0]])
    """
    img = _channels_last(image, channel_axis)
    bins = positive_int(bins, "bins")
    C = img.shape[-1]
    idx = bin_index(img.reshape(-1, C), bins, value_range)          # (H*W, C)
    offset = idx + bins * np.arange(C)                                # channel c -> c*bins + k
    hist = np.bincount(offset.ravel(), minlength=C * bins).reshape(C, bins)
    if density:
        return hist / idx.shape[0]
    return hist


def joint_color_histogram(image, bins=8, value_range=(0, 256), *, channel_axis=-1,
                          density=False):
    r"""Joint histogram over colour cubes: one count per combination of channel bins.

    Parameters
    ----------
    image : array_like of shape (H, W, C)
        Pixel values inside ``value_range``.
    bins : int, default 8
        Bins per channel; there are :math:`\text{bins}^C` cells in all.
    value_range, channel_axis, density
        As in :func:`color_histogram`.

    Returns
    -------
    hist : ndarray of shape (bins,) * C
        ``hist[i, j, k]`` = pixels with red in bin i, green in bin j and blue in bin k.

    See Also
    --------
    color_histogram, :ref:`ch-traditional-cv`

    Examples
    --------
    Red and dark grey again, 2 bins per channel (0..127, 128..255):

    >>> img = np.array([[[255, 0, 0], [40, 40, 40]]])
    >>> h = joint_color_histogram(img, bins=2)
    >>> h.shape, h[1, 0, 0], h[0, 0, 0], h.sum()
    ((2, 2, 2), np.int64(1), np.int64(1), np.int64(2))
    """
    img = _channels_last(image, channel_axis)
    bins = positive_int(bins, "bins")
    C = img.shape[-1]
    idx = bin_index(img.reshape(-1, C), bins, value_range)          # (H*W, C)
    flat = np.ravel_multi_index(tuple(idx.T), (bins,) * C)          # (H*W,)
    hist = np.bincount(flat, minlength=bins ** C).reshape((bins,) * C)
    if density:
        return hist / idx.shape[0]
    return hist


def histogram_intersection(h1, h2):
    r"""Similarity of two normalized histograms, :math:`\sum_k \min(h_{1k}, h_{2k})`.

    Parameters
    ----------
    h1, h2 : array_like of the same shape
        Histograms, each summing to 1 (``density=True``).

    Returns
    -------
    float
        1 for identical histograms, 0 when they share no bin.

    Raises
    ------
    ValueError
        If the shapes differ.

    References
    ----------
    M. J. Swain and D. H. Ballard, "Color Indexing", IJCV 7(1), 1991.

    See Also
    --------
    color_histogram, :ref:`ch-traditional-cv`

    Examples
    --------
    >>> histogram_intersection([0.5, 0.5, 0.0], [0.25, 0.25, 0.5])
    0.5
    """
    h1 = np.asarray(h1, dtype=np.float64)
    h2 = np.asarray(h2, dtype=np.float64)
    if h1.shape != h2.shape:
        raise ValueError(f"h1 has shape {h1.shape} but h2 has {h2.shape}")
    return float(np.minimum(h1, h2).sum())
