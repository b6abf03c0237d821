r"""Histogram of oriented gradients (HOG), vectorized in NumPy and matched to scikit-image.

The pipeline of Dalal and Triggs, in the conventions of :func:`skimage.feature.hog`:

1. centred differences :math:`g_r = I[r+1, c] - I[r-1, c]`, :math:`g_c = I[r, c+1] - I[r, c-1]`
   (zero on the border rows/columns); for a colour image each pixel keeps the channel with the
   largest gradient magnitude;
2. magnitude :math:`m = \sqrt{g_r^2 + g_c^2}` and *unsigned* orientation
   :math:`\theta = \operatorname{atan2}(g_r, g_c) \bmod 180^\circ`;
3. per cell, a histogram of ``orientations`` bins of width :math:`180^\circ / B`, each pixel
   voting its magnitude; the sum is divided by the number of pixels in a cell;
4. blocks of ``cells_per_block`` neighbouring cells (stride one cell) normalized together
   (L1, L1-sqrt, L2 or L2-Hys);
5. all normalized blocks flattened into one vector.

scikit-image gives each pixel's whole magnitude to the one bin that contains :math:`\theta`
(``vote="nearest"`` here, the default); Dalal and Triggs split the vote linearly between the two
nearest bin centres (``vote="linear"``), which scikit-image does not do.

There is no ``hog_torch`` twin: HOG has no parameters to learn.

See Also
--------
:ref:`ch-traditional-cv` : the chapter.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from dlbook._checks import int_pair, one_of, positive_int, real_array

__all__ = ["image_gradients", "orientation_votes", "cell_histograms", "normalize_blocks", "hog",
           "hog_glyphs",
           "BLOCK_NORMS"]

BLOCK_NORMS = ("L1", "L1-sqrt", "L2", "L2-Hys")


def _float_image(image, channel_axis) -> np.ndarray:
    """Float64 image of shape (H, W) or (H, W, C) (channels moved last)."""
    image = np.asarray(image)
    if image.dtype == bool:
        raise TypeError(f"image must hold real numbers, got dtype {image.dtype}")
    image = real_array(image, "image").astype(np.float64)
    if channel_axis is None:
        if image.ndim != 2:
            raise ValueError(f"a grayscale image must be 2-D, got shape {image.shape}; "
                             "pass channel_axis for a colour image")
        return image
    if image.ndim != 3:
        raise ValueError(f"a colour image must be 3-D, got shape {image.shape}")
    return np.moveaxis(image, channel_axis, -1)


def image_gradients(image, channel_axis=None):
    r"""Centred-difference gradients along rows and columns, as scikit-image's HOG computes them.

    Parameters
    ----------
    image : array_like of shape (H, W), or (H, W, C) with ``channel_axis``
        The image (any real dtype; computed in float64).
    channel_axis : int, optional
        Axis of the colour channels; None for a grayscale image.

    Returns
    -------
    g_row, g_col : ndarray of shape (H, W)
        :math:`g_r[r, c] = I[r+1, c] - I[r-1, c]` and :math:`g_c[r, c] = I[r, c+1] - I[r, c-1]`,
        zero on the first and last row (for :math:`g_r`) and column (for :math:`g_c`). For a
        colour image each pixel takes both from the channel with the largest
        :math:`\sqrt{g_r^2 + g_c^2}` (the first one on a tie).

    Raises
    ------
    ValueError
        If the image has the wrong number of dimensions.
    TypeError
        If it does not hold real numbers.

    See Also
    --------
    hog, :ref:`ch-traditional-cv`

    Examples
    --------
    A horizontal ramp 0, 1, 4, 9: the column gradient is 4 - 0 = 4 and 9 - 1 = 8 inside.

    >>> g_row, g_col = image_gradients(np.array([[0, 1, 4, 9]] * 3))
    >>> g_col[1], g_row[1]
    (array([0., 4., 8., 0.]), array([0., 0., 0., 0.]))
    """
    img = _float_image(image, channel_axis)
    g_row = np.zeros_like(img)
    g_col = np.zeros_like(img)
    g_row[1:-1] = img[2:] - img[:-2]
    g_col[:, 1:-1] = img[:, 2:] - img[:, :-2]
    if img.ndim == 3:
        best = np.hypot(g_row, g_col).argmax(axis=2)[..., None]   # (H, W, 1)
        g_row = np.take_along_axis(g_row, best, axis=2)[..., 0]
        g_col = np.take_along_axis(g_col, best, axis=2)[..., 0]
    return g_row, g_col


def orientation_votes(theta, orientations=9, vote="nearest"):
    r"""How each pixel's gradient magnitude is shared among the orientation bins.

    Parameters
    ----------
    theta : array_like of shape (...)
        Unsigned orientations in degrees, in :math:`[0, 180)`.
    orientations : int, default 9
        Number of bins B, each :math:`180^\circ / B` wide.
    vote : {"nearest", "linear"}
        "nearest" (scikit-image): weight 1 for the bin :math:`i` with
        :math:`i\,180/B \le \theta < (i+1)\,180/B`. "linear" (Dalal and Triggs): with bin centres
        :math:`c_i = (i + \tfrac12)\,180/B`, weights :math:`1 - f` and :math:`f` for the two
        centres around :math:`\theta` (wrapping from the last bin to the first), where
        :math:`f` is the fraction of the way from the lower centre to the upper one.

    Returns
    -------
    weights : ndarray of shape (..., B)
        Non-negative, each row summing to 1.

    Raises
    ------
    ValueError
        On an unknown ``vote`` or a non-positive ``orientations``.

    See Also
    --------
    cell_histograms, :ref:`ch-traditional-cv`

    Examples
    --------
    Four bins of 45 degrees (centres 22.5, 67.5, 112.5, 157.5). 45 degrees is a bin edge:

    >>> orientation_votes([45.0], 4, "nearest")
    array([[0., 1., 0., 0.]])
    >>> orientation_votes([45.0], 4, "linear")
    array([[0.5, 0.5, 0. , 0. ]])
    """
    orientations = positive_int(orientations, "orientations")
    one_of(vote, "vote", ("nearest", "linear"))
    theta = np.asarray(theta, dtype=np.float64)
    bins = np.arange(orientations)
    width = 180.0 / orientations
    if vote == "nearest":
        # bin i holds i*width <= theta < (i+1)*width, with the same bounds scikit-image compares
        b = np.clip(np.floor(theta / width).astype(np.int64), 0, orientations - 1)
        b = np.where(theta < width * b, b - 1, np.where(theta >= width * (b + 1), b + 1, b))
        return (b[..., None] == bins).astype(np.float64)
    # linear: bin centres at (i + 1/2) * width, wrapping around at 180 degrees
    pos = theta / width - 0.5
    lo = np.floor(pos)
    frac = pos - lo                                                    # in [0, 1)
    lo = lo.astype(np.int64) % orientations
    hi = (lo + 1) % orientations
    return ((lo[..., None] == bins) * (1.0 - frac)[..., None]
            + (hi[..., None] == bins) * frac[..., None])


def cell_histograms(image, orientations=9, pixels_per_cell=(8, 8), *, vote="nearest",
                    transform_sqrt=False, channel_axis=None, skimage_float32_sums=False):
    r"""Orientation histogram of every cell: the magnitude-weighted votes, averaged per cell.

    Parameters
    ----------
    image : array_like of shape (H, W), or (H, W, C) with ``channel_axis``
        The image.
    orientations : int, default 9
        Number of bins B over :math:`[0^\circ, 180^\circ)`.
    pixels_per_cell : int or (int, int), default (8, 8)
        Cell size (rows, columns). Pixels beyond the last whole cell are ignored.
    vote : {"nearest", "linear"}
        "nearest" (scikit-image): the whole magnitude to the bin containing :math:`\theta`.
        "linear" (Dalal and Triggs): split between the two nearest bin centres.
    transform_sqrt : bool, default False
        Take the square root of the image first (gamma compression; needs non-negative pixels).
    channel_axis : int, optional
        Axis of the colour channels; None for a grayscale image.
    skimage_float32_sums : bool, default False
        Add up and average each cell in single precision in scikit-image's pixel order, as
        its Cython loop does (its running total is a C ``float``); only for bit-level comparisons.

    Returns
    -------
    hist : ndarray of shape (H // ch, W // cw, B)
        :math:`h_{ijb} = \frac{1}{c_h c_w}
        \sum_{(r, c) \in \text{cell}_{ij}} m_{rc}\, w_b(\theta_{rc})`
        with :math:`w_b` the bin weights of ``vote``.

    Raises
    ------
    ValueError
        On a bad argument or an image smaller than one cell.

    See Also
    --------
    hog, image_gradients, :ref:`ch-traditional-cv`

    Examples
    --------
    A vertical step edge 0 | 1 has a purely horizontal gradient (0 degrees, bin 0). In a 4x4
    cell the two middle columns see a difference of 1, so bin 0 gets 8 / 16 = 0.5.

    >>> step = np.repeat([[0.0, 0.0, 1.0, 1.0]], 4, axis=0)
    >>> cell_histograms(step, orientations=4, pixels_per_cell=4)[0, 0]
    array([0.5, 0. , 0. , 0. ])
    """
    orientation_votes(0.0, orientations, vote)                         # validates both
    ch, cw = int_pair(pixels_per_cell, "pixels_per_cell")
    img = _float_image(image, channel_axis)
    if transform_sqrt:
        if np.any(img < 0):
            raise ValueError("transform_sqrt needs a non-negative image")
        img = np.sqrt(img)
    H, W = img.shape[:2]
    n_rows, n_cols = H // ch, W // cw
    if n_rows == 0 or n_cols == 0:
        raise ValueError(f"image of size {(H, W)} is smaller than one cell {(ch, cw)}")
    g_row, g_col = image_gradients(img, channel_axis=None if img.ndim == 2 else -1)
    magnitude = np.hypot(g_col, g_row)
    theta = np.rad2deg(np.arctan2(g_row, g_col)) % 180
    weights = orientation_votes(theta, orientations, vote)                 # (H, W, B)
    votes = magnitude[..., None] * weights
    votes = votes[:n_rows * ch, :n_cols * cw]                         # whole cells only
    votes = votes.reshape(n_rows, ch, n_cols, cw, orientations)
    if not skimage_float32_sums:
        return votes.sum(axis=(1, 3)) / (ch * cw)
    # scikit-image: total (a C float) += magnitude (a double), pixel by pixel in row-major order
    # inside the cell; the loop runs over the ch*cw positions of a cell, all cells at once.
    per_pixel = votes.transpose(0, 2, 1, 3, 4).reshape(n_rows, n_cols, ch * cw, orientations)
    total = np.zeros((n_rows, n_cols, orientations), dtype=np.float32)
    for k in range(ch * cw):
        total = (total.astype(np.float64) + per_pixel[:, :, k]).astype(np.float32)
    return (total / np.float32(ch * cw)).astype(np.float64)           # divided in float32 too


def normalize_blocks(hist, cells_per_block=(3, 3), block_norm="L2-Hys", eps=1e-5):
    r"""Normalize every block of neighbouring cells (blocks overlap, stride one cell).

    Parameters
    ----------
    hist : array_like of shape (R, C, B)
        Cell histograms from :func:`cell_histograms`.
    cells_per_block : int or (int, int), default (3, 3)
        Block size (bh, bw) in cells.
    block_norm : {"L1", "L1-sqrt", "L2", "L2-Hys"}
        How to normalize a block v (all its bh*bw*B numbers together).
    eps : float, default 1e-5
        The small constant below (scikit-image's value).

    Returns
    -------
    blocks : ndarray of shape (R - bh + 1, C - bw + 1, bh, bw, B)

    Raises
    ------
    ValueError
        On an unknown ``block_norm`` or fewer cells than one block.

    Notes
    -----
    .. math::

        \text{L1: } \frac{v}{\lVert v\rVert_1 + \epsilon}, \quad
        \text{L1-sqrt: } \sqrt{\frac{v}{\lVert v\rVert_1 + \epsilon}}, \quad
        \text{L2: } \frac{v}{\sqrt{\lVert v\rVert_2^2 + \epsilon^2}}, \quad
        \text{L2-Hys: L2, then } \min(\cdot, 0.2), \text{ then L2 again.}

    See Also
    --------
    hog, :ref:`ch-traditional-cv`

    Examples
    --------
    One cell, one block, histogram (3, 4): L2 gives (0.6, 0.8) up to eps; L1 gives (3/7, 4/7).

    >>> h = np.array([[[3.0, 4.0]]])
    >>> normalize_blocks(h, 1, "L2").ravel().round(6)
    array([0.6, 0.8])
    >>> normalize_blocks(h, 1, "L1").ravel().round(4)
    array([0.4286, 0.5714])
    """
    one_of(block_norm, "block_norm", BLOCK_NORMS)
    hist = np.asarray(hist, dtype=np.float64)
    if hist.ndim != 3:
        raise ValueError(f"hist must have shape (rows, cols, bins), got {hist.shape}")
    bh, bw = int_pair(cells_per_block, "cells_per_block")
    R, C, B = hist.shape
    if R < bh or C < bw:
        raise ValueError(f"{(R, C)} cells are too few for blocks of {(bh, bw)} cells")
    # (R-bh+1, C-bw+1, B, bh, bw) -> (R-bh+1, C-bw+1, bh, bw, B)
    v = sliding_window_view(hist, (bh, bw), axis=(0, 1)).transpose(0, 1, 3, 4, 2)
    axes = (2, 3, 4)
    if block_norm in ("L1", "L1-sqrt"):
        out = v / (np.abs(v).sum(axis=axes, keepdims=True) + eps)
        return np.sqrt(out) if block_norm == "L1-sqrt" else out
    out = v / np.sqrt((v ** 2).sum(axis=axes, keepdims=True) + eps ** 2)
    if block_norm == "L2-Hys":
        out = np.minimum(out, 0.2)
        out = out / np.sqrt((out ** 2).sum(axis=axes, keepdims=True) + eps ** 2)
    return out


def hog(image, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(3, 3),
        block_norm="L2-Hys", transform_sqrt=False, feature_vector=True, *, channel_axis=None,
        vote="nearest", skimage_float32_sums=False):
    r"""HOG descriptor of an image, with the arguments and output layout of ``skimage.feature.hog``.

    Parameters
    ----------
    image : array_like of shape (H, W), or (H, W, C) with ``channel_axis``
        The image.
    orientations, pixels_per_cell, vote, transform_sqrt, channel_axis, skimage_float32_sums
        As in :func:`cell_histograms`.
    cells_per_block, block_norm
        As in :func:`normalize_blocks`.
    feature_vector : bool, default True
        Return the flattened vector instead of the 5-D array.

    Returns
    -------
    features : ndarray of shape (n_br * n_bc * bh * bw * B,) or (n_br, n_bc, bh, bw, B)
        With :math:`n_{br} = \lfloor H / c_h \rfloor - b_h + 1`, likewise for columns.

    Raises
    ------
    ValueError
        If the image is too small for one block, or on a bad argument.

    Notes
    -----
    With ``vote="nearest"`` this computes what ``skimage.feature.hog`` does, except that
    scikit-image adds up each cell in single precision (a C ``float``), so the two agree to about
    1e-7 relative; with ``skimage_float32_sums=True`` they agree to the last bit.

    References
    ----------
    N. Dalal and B. Triggs, "Histograms of Oriented Gradients for Human Detection", CVPR 2005.

    See Also
    --------
    cell_histograms, normalize_blocks, :ref:`ch-traditional-cv`

    Examples
    --------
    A 16x16 image with 8x8 cells has 2x2 cells; 2x2-cell blocks: one block of 4 * 9 = 36 numbers.

    >>> x = np.arange(256.0).reshape(16, 16)
    >>> hog(x, pixels_per_cell=8, cells_per_block=2).shape
    (36,)
    """
    hist = cell_histograms(image, orientations, pixels_per_cell, vote=vote,
                           transform_sqrt=transform_sqrt, channel_axis=channel_axis,
                           skimage_float32_sums=skimage_float32_sums)
    blocks = normalize_blocks(hist, cells_per_block, block_norm)
    return blocks.ravel() if feature_vector else blocks


def hog_glyphs(hist, pixels_per_cell=(8, 8)):
    r"""Line segments that draw a HOG: one per cell and bin, across the bin's mean orientation.

    The gradient is perpendicular to an edge, so each segment is drawn perpendicular to its bin's
    centre angle: it lies along the edge that the bin responds to.

    Parameters
    ----------
    hist : array_like of shape (R, C, B)
        Cell histograms.
    pixels_per_cell : int or (int, int)
        Cell size, to place the segments in image coordinates.

    Returns
    -------
    segments : ndarray of shape (R * C * B, 2, 2)
        End points ``(x, y)`` (x = column, y = row), for ``matplotlib.collections.LineCollection``.
    strength : ndarray of shape (R * C * B,)
        The histogram values, to set each segment's brightness.

    See Also
    --------
    cell_histograms, :ref:`ch-traditional-cv`

    Examples
    --------
    One 8x8 cell, two bins (centres 45 and 135 degrees); the 45-degree gradient bin draws a
    segment at 135 degrees through the centre (4, 4), half-length 3.

    >>> seg, s = hog_glyphs(np.array([[[1.0, 0.0]]]), 8)
    >>> seg[0].round(3)
    array([[6.121, 1.879],
           [1.879, 6.121]])
    """
    hist = np.asarray(hist, dtype=np.float64)
    if hist.ndim != 3:
        raise ValueError(f"hist must have shape (rows, cols, bins), got {hist.shape}")
    ch, cw = int_pair(pixels_per_cell, "pixels_per_cell")
    R, C, B = hist.shape
    radius = min(ch, cw) / 2 - 1
    centre_angle = np.pi * (np.arange(B) + 0.5) / B                   # gradient direction
    # the edge direction is perpendicular; rows grow downwards, so y = row, x = column
    dx = radius * np.cos(centre_angle + np.pi / 2)
    dy = radius * np.sin(centre_angle + np.pi / 2)
    cy = (np.arange(R) * ch + ch / 2)[:, None, None]                  # (R, 1, 1)
    cx = (np.arange(C) * cw + cw / 2)[None, :, None]                  # (1, C, 1)
    cx, cy = np.broadcast_to(cx, (R, C, B)), np.broadcast_to(cy, (R, C, B))
    start = np.stack([cx - dx, cy - dy], axis=-1)                     # (R, C, B, 2)
    end = np.stack([cx + dx, cy + dy], axis=-1)
    segments = np.stack([start, end], axis=-2).reshape(-1, 2, 2)
    return segments, hist.reshape(-1)
