r"""Data augmentation for image batches in NumPy, vectorized over the batch.

Every function takes a batch ``x`` of shape (N, C, H, W) and returns a new array (the input is
never modified).  The deterministic transforms (:func:`flip_horizontal`, :func:`shift`,
:func:`rotate`, :func:`crop`) take one parameter per image; :func:`random_augment` draws those
parameters from a NumPy ``Generator`` and chains them.  Pixels that come from outside the image
are filled with 0.

See Also
--------
:ref:`ch-training-cnns` : the chapter that measures what augmentation buys on digits.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import int_value, real_array, real_value

__all__ = ["flip_horizontal", "shift", "rotate", "crop", "add_gaussian_noise", "random_augment"]


def _per_image(name, v, n, dtype=float):
    v = np.asarray(v, dtype=dtype)
    if v.ndim == 0:
        v = np.full(n, v, dtype=dtype)
    if v.shape != (n,):
        raise ValueError(f"{name} must be a scalar or have shape ({n},), got {v.shape}")
    return v


def flip_horizontal(x, mask=True):
    r"""Mirror the images whose ``mask`` entry is True left to right.

    Parameters
    ----------
    x : ndarray of shape (N, C, H, W)
    mask : bool or array of bool of shape (N,), default True

    Returns
    -------
    ndarray of shape (N, C, H, W)

    Examples
    --------
    >>> flip_horizontal(np.arange(3.0).reshape(1, 1, 1, 3))
    array([[[[2., 1., 0.]]]])
    """
    x = real_array(x, "x", ndim=4)
    mask = _per_image("mask", mask, len(x), dtype=bool)
    return np.where(mask[:, None, None, None], x[..., ::-1], x)


def shift(x, dy, dx):
    r"""Translate each image by whole pixels, filling the uncovered border with 0.

    Parameters
    ----------
    x : ndarray of shape (N, C, H, W)
    dy, dx : int or array of int of shape (N,)
        Down and right shifts (negative values move up and left).

    Returns
    -------
    ndarray of shape (N, C, H, W)
        :math:`y_{n,c,i,j} = x_{n,c,i-dy_n,j-dx_n}` where that index lies inside the image, else 0.

    Examples
    --------
    >>> shift(np.arange(1.0, 5.0).reshape(1, 1, 1, 4), 0, 1)
    array([[[[0., 1., 2., 3.]]]])
    """
    x = real_array(x, "x", ndim=4)
    N, C, H, W = x.shape
    dy = _per_image("dy", dy, N, dtype=np.int64)
    dx = _per_image("dx", dx, N, dtype=np.int64)
    rows = np.arange(H)[None, :] - dy[:, None]  # (N, H) source row of each output row
    cols = np.arange(W)[None, :] - dx[:, None]  # (N, W)
    ok = (((rows >= 0) & (rows < H))[:, :, None]
          & ((cols >= 0) & (cols < W))[:, None, :])  # (N, H, W)
    n = np.arange(N)[:, None, None]
    rows_in, cols_in = np.clip(rows, 0, H - 1), np.clip(cols, 0, W - 1)
    out = x[n, :, rows_in[:, :, None], cols_in[:, None, :]]  # (N, H, W, C)
    return np.moveaxis(out * ok[..., None], -1, 1)


def rotate(x, angles):
    r"""Rotate each image about its centre by ``angles`` degrees (counter-clockwise), bilinear.

    Parameters
    ----------
    x : ndarray of shape (N, C, H, W)
    angles : float or array of shape (N,)
        Degrees; positive turns the picture counter-clockwise as displayed (row 0 at the top).

    Returns
    -------
    ndarray of shape (N, C, H, W)

    Notes
    -----
    With centre :math:`(c_i, c_j) = ((H-1)/2, (W-1)/2)` each output pixel :math:`(i, j)` reads the
    input at

    .. math:: i' = c_i + \cos\theta\,(i - c_i) + \sin\theta\,(j - c_j),\qquad
              j' = c_j - \sin\theta\,(i - c_i) + \cos\theta\,(j - c_j)

    by bilinear interpolation, with 0 outside the image.  A multiple of 90 degrees is an exact
    permutation of the pixels (``np.rot90``); other angles agree with
    ``scipy.ndimage.rotate(..., reshape=False, order=1, mode='grid-constant')``.

    Examples
    --------
    >>> rotate(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), 90)
    array([[[[2., 4.],
             [1., 3.]]]])
    """
    x = real_array(x, "x", ndim=4)
    N, C, H, W = x.shape
    theta = np.deg2rad(_per_image("angles", angles, N))
    cos, sin = np.cos(theta)[:, None, None], np.sin(theta)[:, None, None]  # (N, 1, 1)
    ci, cj = (H - 1) / 2.0, (W - 1) / 2.0
    ii, jj = np.meshgrid(np.arange(H) - ci, np.arange(W) - cj, indexing="ij")  # (H, W)
    src_i = ci + cos * ii + sin * jj  # (N, H, W)
    src_j = cj - sin * ii + cos * jj
    src_i = np.where(np.abs(src_i - np.round(src_i)) < 1e-9, np.round(src_i), src_i)  # exact at 90°
    src_j = np.where(np.abs(src_j - np.round(src_j)) < 1e-9, np.round(src_j), src_j)
    i0, j0 = np.floor(src_i).astype(np.int64), np.floor(src_j).astype(np.int64)
    fi, fj = src_i - i0, src_j - j0
    n = np.arange(N)[:, None, None]
    out = np.zeros((N, H, W, C), dtype=x.dtype)
    for di, wi in ((0, 1.0 - fi), (1, fi)):  # the 4 bilinear neighbours, not a loop over pixels
        for dj, wj in ((0, 1.0 - fj), (1, fj)):
            r, c = i0 + di, j0 + dj
            ok = (r >= 0) & (r < H) & (c >= 0) & (c < W)  # (N, H, W)
            vals = x[n, :, np.clip(r, 0, H - 1), np.clip(c, 0, W - 1)]  # (N, H, W, C)
            out += (wi * wj * ok)[..., None] * vals
    return np.moveaxis(out, -1, 1)


def crop(x, top, left, size, padding=0):
    r"""Cut a ``size x size`` window from each image after zero-padding it by ``padding``.

    Parameters
    ----------
    x : ndarray of shape (N, C, H, W)
    top, left : int or array of int of shape (N,)
        Corner of each window in the padded image.
    size : int
    padding : int, default 0

    Returns
    -------
    ndarray of shape (N, C, size, size)

    Examples
    --------
    >>> crop(np.arange(9.0).reshape(1, 1, 3, 3), 1, 0, 2)
    array([[[[3., 4.],
             [6., 7.]]]])
    """
    x = real_array(x, "x", ndim=4)
    N, C, H, W = x.shape
    if padding < 0 or size < 1 or size > min(H, W) + 2 * padding:
        raise ValueError(f"size={size} must lie in [1, {min(H, W) + 2 * padding}] and "
                         f"padding={padding} >= 0 "
                         f"for images of {H}x{W}")
    top = _per_image("top", top, N, dtype=np.int64)
    left = _per_image("left", left, N, dtype=np.int64)
    if (top < 0).any() or (left < 0).any() or (top > H + 2 * padding - size).any() or (
            left > W + 2 * padding - size).any():
        raise ValueError(f"window corners must keep a {size}x{size} window inside the padded "
                         f"{H + 2 * padding}x{W + 2 * padding} image; got top={top}, left={left}")
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    rows = top[:, None] + np.arange(size)[None, :]  # (N, size)
    cols = left[:, None] + np.arange(size)[None, :]
    # (N, size, size, C)
    out = xp[np.arange(N)[:, None, None], :, rows[:, :, None], cols[:, None, :]]
    return np.moveaxis(out, -1, 1)


def add_gaussian_noise(x, std, rng):
    r"""Add independent :math:`\mathcal{N}(0, \text{std}^2)` noise to every pixel.

    Examples
    --------
    >>> add_gaussian_noise(np.zeros((1, 1, 2, 2)), 0.0, np.random.default_rng(0))
    array([[[[0., 0.],
             [0., 0.]]]])
    """
    x = real_array(x, "x", ndim=4)
    std = real_value(std, "std", low=0.0)
    return x + std * rng.standard_normal(x.shape)


def random_augment(x, rng, max_shift=0, max_angle=0.0, noise_std=0.0, flip=False):
    r"""Random flips, integer shifts, rotations and noise, drawn independently for each image.

    Parameters
    ----------
    x : ndarray of shape (N, C, H, W)
    rng : numpy.random.Generator
    max_shift : int, default 0
        Shifts are uniform integers in ``[-max_shift, max_shift]`` along each axis.
    max_angle : float, default 0
        Angles are uniform in ``[-max_angle, max_angle]`` degrees.
    noise_std : float, default 0
    flip : bool, default False
        Mirror each image with probability 1/2 (wrong for digits: a mirrored 3 is not a 3).

    Returns
    -------
    ndarray of shape (N, C, H, W)

    Examples
    --------
    >>> x = np.random.default_rng(0).random((4, 1, 8, 8))
    >>> np.array_equal(random_augment(x, np.random.default_rng(1)), x)  # nothing asked: a copy
    True
    """
    x = real_array(x, "x", ndim=4)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    max_shift = int_value(max_shift, "max_shift", low=0)
    max_angle = real_value(max_angle, "max_angle", low=0.0)
    N = len(x)
    out = x.copy()
    if flip:
        out = flip_horizontal(out, rng.random(N) < 0.5)
    if max_angle > 0:
        out = rotate(out, rng.uniform(-max_angle, max_angle, N))
    if max_shift > 0:
        out = shift(out, rng.integers(-max_shift, max_shift + 1, N),
                    rng.integers(-max_shift, max_shift + 1, N))
    if noise_std > 0:
        out = add_gaussian_noise(out, noise_std, rng)
    return out
