r"""Synthetic images of simple shapes with boxes and masks, for detection and segmentation.

Chapter :ref:`ch-detection`. Each grayscale image holds one to ``max_objects`` shapes of three
classes (``CLASSES``: rectangle, ellipse, triangle) on a dark, noisy background. Every object
comes with its class, its bounding box and its pixels in a segmentation mask, so one data set
serves anchor boxes, YOLO targets and a U-Net.

Placement follows a layout grid of ``grid x grid`` cells: the objects of an image sit in distinct
cells (their *centers* do; the shapes themselves may spill into neighbouring cells and overlap,
later objects being drawn on top). With ``grid`` equal to a YOLO grid, every cell holds at most
one object center, the situation YOLO's one-box-per-cell encoding assumes.

Everything is generated for all objects of all images at once (broadcasting over an
``(N, K, H, W)`` array), with no loop over pixels.

See Also
--------
dlbook.cnn.yolo : encodes these boxes as YOLO targets.
dlbook.cnn.anchors : anchor boxes by k-means on these boxes' shapes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlbook._checks import int_value, positive_int, positive_real, real_value

__all__ = ["CLASSES", "Shapes", "make_shapes"]

CLASSES = ("rectangle", "ellipse", "triangle")


@dataclass(frozen=True)
class Shapes:
    r"""A synthetic shapes data set.

    Attributes
    ----------
    images : ndarray of shape (N, 1, H, W), float32 in [0, 1]
    masks : ndarray of shape (N, H, W), int64
        0 for background, ``c + 1`` for a pixel of an object of class ``c``.
    boxes : ndarray of shape (N, K, 4), float64
        Corner-format boxes ``(x1, y1, x2, y2)`` in pixels (pixel :math:`(i, j)` covers
        :math:`[j, j+1] \times [i, i+1]`), clipped to the image; rows beyond an image's objects
        are 0.
    labels : ndarray of shape (N, K), int64
        Class indices into ``CLASSES``; -1 marks an empty slot.

    See Also
    --------
    make_shapes : draws such a data set.

    Examples
    --------
    Two 4x4 images with room for K = 2 objects each; image 0 holds one rectangle, image 1 a
    triangle and an ellipse:

    >>> boxes = np.array([[[0., 0., 2., 2.], [0., 0., 0., 0.]],
    ...                   [[1., 1., 3., 4.], [0., 0., 1., 1.]]])
    >>> data = Shapes(images=np.zeros((2, 1, 4, 4), np.float32),
    ...               masks=np.zeros((2, 4, 4), np.int64), boxes=boxes,
    ...               labels=np.array([[0, -1], [2, 1]]))
    >>> b, lab = data.objects(0)
    >>> len(data), b.tolist(), lab.tolist(), data.all_boxes().shape
    (2, [[0.0, 0.0, 2.0, 2.0]], [0], (3, 4))
    """

    images: np.ndarray
    masks: np.ndarray
    boxes: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.images)

    def objects(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(boxes (k, 4), labels (k,))`` of image ``i`` without the empty slots."""
        keep = self.labels[i] >= 0
        return self.boxes[i][keep], self.labels[i][keep]

    def all_boxes(self) -> np.ndarray:
        """Every object's box, all images together: shape (total objects, 4)."""
        return self.boxes[self.labels >= 0]


def make_shapes(n_images: int, image_size: int = 32, grid: int = 4, max_objects: int = 3,
                min_size: float = 6.0, max_size: float = 14.0, noise: float = 0.05,
                rng=None) -> Shapes:
    r"""Draw ``n_images`` images of rectangles, ellipses and triangles.

    Parameters
    ----------
    n_images : int
    image_size : int, default 32
        Images are ``image_size x image_size``; must be a multiple of ``grid``.
    grid : int, default 4
        Layout grid: object centers lie in distinct cells of size ``image_size / grid``.
    max_objects : int, default 3
        Each image gets a uniform number of objects in ``1..max_objects`` (at most ``grid**2``).
    min_size, max_size : float
        Width and height of each object are drawn independently, uniform in this range (pixels).
    noise : float, default 0.05
        Standard deviation of Gaussian pixel noise; the result is clipped to [0, 1].
    rng : numpy.random.Generator or int, optional

    Returns
    -------
    Shapes

    Raises
    ------
    ValueError
        For sizes that do not fit (``image_size`` not a multiple of ``grid``, ``max_objects``
        above ``grid**2``, ``min_size > max_size`` or non-positive sizes, negative noise).

    Notes
    -----
    An object of class rectangle, ellipse or triangle with center :math:`(c_x, c_y)`, width
    :math:`w` and height :math:`h` covers the pixel centers :math:`(u, v) = (j + 1/2, i + 1/2)` with

    - rectangle: :math:`|u - c_x| \le w/2` and :math:`|v - c_y| \le h/2`;
    - ellipse:
      :math:`\left(\frac{u - c_x}{w/2}\right)^2 + \left(\frac{v - c_y}{h/2}\right)^2 \le 1`;
    - triangle (apex up): :math:`0 \le t \le 1` and :math:`|u - c_x| \le t\,w/2` where
      :math:`t = (v - c_y + h/2)/h`.

    Its box is :math:`(c_x - w/2, c_y - h/2, c_x + w/2, c_y + h/2)` clipped to the image.
    Clipping moves a box's center, but while ``max_size`` is at most twice the cell size the
    center stays in its cell (at the left edge the new center is
    :math:`(c_x + w/2)/2 < \text{cell}/2 + \text{cell}/2`), so the boxes of one image still have
    their centers in distinct cells, as :func:`dlbook.cnn.yolo.yolo_encode` requires. Each
    object gets a brightness uniform in [0.5, 1]; the background is 0 plus noise.

    See Also
    --------
    :ref:`ch-detection`

    Examples
    --------
    >>> data = make_shapes(5, rng=0)
    >>> data.images.shape, data.masks.shape, data.boxes.shape
    ((5, 1, 32, 32), (5, 32, 32), (5, 3, 4))
    >>> bool(((data.labels >= 0).sum(axis=1) >= 1).all())
    True
    """
    n = positive_int(n_images, "n_images")
    size = int_value(image_size, "image_size", low=4)
    g, k = positive_int(grid, "grid"), positive_int(max_objects, "max_objects")
    if size % g:
        raise ValueError(f"image_size {size} must be a multiple of grid {g}")
    if k > g * g:
        raise ValueError(f"max_objects {k} exceeds the {g * g} cells of a {g}x{g} grid")
    min_size, max_size = positive_real(min_size, "min_size"), positive_real(max_size, "max_size")
    if min_size > max_size:
        raise ValueError(f"need min_size <= max_size, got min_size={min_size}, "
                         f"max_size={max_size}")
    noise = real_value(noise, "noise", low=0.0)
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    cell = size / g

    count = rng.integers(1, k + 1, size=n)                          # (N,) objects per image
    present = np.arange(k)[None, :] < count[:, None]                 # (N, K)
    cells = np.argsort(rng.random((n, g * g)), axis=1)[:, :k]        # (N, K) distinct cells
    row, col = np.divmod(cells, g)
    cx = (col + rng.random((n, k))) * cell                           # (N, K) centers
    cy = (row + rng.random((n, k))) * cell
    w = rng.uniform(min_size, max_size, size=(n, k))
    h = rng.uniform(min_size, max_size, size=(n, k))
    labels = rng.integers(0, len(CLASSES), size=(n, k))
    bright = rng.uniform(0.5, 1.0, size=(n, k))

    v, u = np.meshgrid(np.arange(size) + 0.5, np.arange(size) + 0.5, indexing="ij")  # (H, W)
    du = (u[None, None] - cx[..., None, None]) / (w[..., None, None] / 2)           # (N, K, H, W)
    dv = (v[None, None] - cy[..., None, None]) / (h[..., None, None] / 2)
    t = (dv + 1) / 2                                                 # 0 at the apex, 1 at the base
    inside = np.stack([
        (np.abs(du) <= 1) & (np.abs(dv) <= 1),                       # rectangle
        du ** 2 + dv ** 2 <= 1,                                      # ellipse
        (t >= 0) & (t <= 1) & (np.abs(du) <= t),                     # triangle
    ])                                                               # (3, N, K, H, W)
    inside = np.take_along_axis(inside, labels[None, ..., None, None], axis=0)[0]
    inside &= present[..., None, None]                               # (N, K, H, W)

    masks = np.zeros((n, size, size), dtype=np.int64)
    images = np.zeros((n, size, size))
    for j in range(k):                   # object slots, later ones on top (k is small)
        masks = np.where(inside[:, j], labels[:, j, None, None] + 1, masks)
        images = np.where(inside[:, j], bright[:, j, None, None], images)
    images = np.clip(images + noise * rng.standard_normal(images.shape), 0.0, 1.0)

    boxes = np.clip(np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=-1), 0, size)
    boxes = np.where(present[..., None], boxes, 0.0)
    labels = np.where(present, labels, -1)
    return Shapes(images[:, None].astype(np.float32), masks, boxes, labels.astype(np.int64))
