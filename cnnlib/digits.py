"""A handwritten digit as MNIST made its digits: strokes or pixels of a drawing pad → the 28×28 image.

MNIST's digits were made this way (LeCun et al.): the writer's ink, scaled so that its longer side fits
a 20×20 box with its aspect ratio kept (the grey levels come from the anti-aliasing of that scaling), then
put into a 28×28 field so that its centre of mass sits at the field's centre. Measured on MNIST's 60,000
training images: the ink's bounding box is 20 pixels on its longer side in 59,987 of them, and the centre
of mass is at row 14.00 ± 0.29, column 14.01 ± 0.29 (pixel indices) — whole-pixel shifts to (14, 14).
:func:`to_mnist` does exactly that to any ink image; :func:`strokes_to_mnist` first draws a pad's
strokes with a round pen (:func:`render_strokes`).

    >>> image = strokes_to_mnist([[(140, 40), (140, 240)]])    # one vertical stroke on the 280×280 pad
    >>> image.shape, float(image.max())
    ((28, 28), 1.0)

After the centring, :func:`move` turns the image a few degrees and shifts it by whole pixels (the
centring would undo a shift made before it).

Bad input is a :class:`DigitError` with a ``kind``: 'strokes' (not strokes: what was wrong and what a
stroke is), 'empty' (no ink) or 'full' (ink on more than 80 % of the pad: no digit to find).
"""

from __future__ import annotations

import numbers

import numpy as np

from .augment import shift
from .images import resize_area

__all__ = ["PAD", "PEN", "BOX", "SIZE", "CENTRE", "FULL", "MAX_POINTS", "DigitError", "check_strokes",
           "render_strokes", "to_mnist", "strokes_to_mnist", "rotate", "move"]

PAD = 280          # side of the drawing pad, in its pixels
PEN = 22           # pen width on the pad: a digit drawn 150-250 pixels tall gets MNIST's 2-3 pixel strokes
BOX = 20           # the ink's longer side, after scaling (MNIST)
SIZE = 28          # the field (MNIST)
CENTRE = 14        # where the centre of mass goes: row and column index (MNIST, measured as above)
FULL = 0.8         # more ink than this fraction of the pad is not a digit (MNIST's boldest digit, drawn
                   # to fill the pad, inks 78 % of it; the median one 25 %)
MAX_POINTS = 5000  # points in all strokes together (a drawing has a few hundred)


class DigitError(ValueError):
    """What is wrong with a drawing; ``kind`` is 'strokes', 'empty' or 'full'."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def _is_number(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def check_strokes(strokes, size: int = PAD) -> list[np.ndarray]:
    """The strokes as a list of (K, 2) float arrays of (x, y) pad coordinates (x to the right, y down,
    0..``size``), or a :class:`DigitError` of kind 'strokes' that says what was wrong. A stroke is a
    list of points, a point a pair of finite numbers; points off the pad are moved to its edge plus a
    pen width (they draw nothing more there)."""
    def bad(what: str):
        return DigitError("strokes", f"{what}. Strokes are a list of strokes, each a list of [x, y] points "
                                     f"on the {size}×{size} pad, e.g. [[[140, 40], [140, 240]]].")

    if not isinstance(strokes, (list, tuple)):
        raise bad(f"strokes must be a list; got {type(strokes).__name__}")
    out, total = [], 0
    for i, stroke in enumerate(strokes):
        if not isinstance(stroke, (list, tuple)) or not stroke:
            raise bad(f"stroke {i} must be a non-empty list of points; got {type(stroke).__name__}"
                      f"{' (empty)' if isinstance(stroke, (list, tuple)) else ''}")
        total += len(stroke)
        if total > MAX_POINTS:
            raise bad(f"more than {MAX_POINTS} points in all")
        for j, p in enumerate(stroke):
            if not isinstance(p, (list, tuple)) or len(p) != 2 or not all(_is_number(v) for v in p):
                raise bad(f"point {j} of stroke {i} must be two numbers [x, y]; got {p!r:.40}")
        points = np.array(stroke, dtype=np.float64)
        if not np.isfinite(points).all():
            raise bad(f"stroke {i} has a point that is not a finite number")
        out.append(np.clip(points, -PEN, size + PEN))
    return out


def render_strokes(strokes, size: int = PAD, width: float = PEN) -> np.ndarray:
    """The strokes drawn with a round pen ``width`` pixels wide: (size, size) float64 ink in [0, 1],
    a pixel's share of ink falling off over one pixel at the pen's edge (anti-aliased). A stroke of
    one point is a dot."""
    canvas = np.zeros((size, size))
    r = width / 2
    for points in check_strokes(strokes, size):
        ends = zip(points, points[1:]) if len(points) > 1 else [(points[0], points[0])]
        for a, b in ends:
            # only the pixels near this segment: its box, widened by the pen
            x0, y0 = np.floor(np.minimum(a, b) - r - 1).astype(int).clip(0, size)
            x1, y1 = np.ceil(np.maximum(a, b) + r + 1).astype(int).clip(0, size)
            if x0 >= x1 or y0 >= y1:
                continue
            px = np.arange(x0, x1) + 0.5                          # pixel centres (W',)
            py = (np.arange(y0, y1) + 0.5)[:, None]               # (H', 1)
            d = b - a
            length2 = float(d @ d)
            t = 0.0 if length2 == 0 else np.clip(((px - a[0]) * d[0] + (py - a[1]) * d[1]) / length2, 0, 1)
            dist = np.hypot(px - (a[0] + t * d[0]), py - (a[1] + t * d[1]))   # to the nearest point of the segment
            ink = np.clip(r + 0.5 - dist, 0, 1)
            np.maximum(canvas[y0:y1, x0:x1], ink, out=canvas[y0:y1, x0:x1])
    return canvas


def to_mnist(canvas) -> np.ndarray:
    """MNIST's normalisation of an ink image ``canvas`` (H, W): floats in [0, 1] (0 = no ink) or uint8
    0..255. Returns (28, 28) float32 in [0, 1]: the ink's bounding box scaled (area averaging) so its
    longer side is 20 pixels, its centre of mass moved to pixel (14, 14) by whole pixels; ink that
    would fall off the field is cut."""
    a = np.asarray(canvas)
    if a.ndim != 2 or a.size == 0:
        raise DigitError("strokes", f"a canvas must be a 2-D image (H, W); got shape {a.shape}.")
    if a.dtype == np.uint8:
        a = a / 255.0
    elif a.dtype.kind not in "fiu":
        raise DigitError("strokes", f"a canvas holds numbers (ink 0..1, or uint8 0..255); got dtype {a.dtype}.")
    a = a.astype(np.float64)
    if not np.isfinite(a).all() or a.min() < 0 or a.max() > 1:
        raise DigitError("strokes", "a canvas holds ink in [0, 1] (or uint8 0..255); divide by 255 if its "
                                    "values are 0..255.")
    if a.mean() > FULL:
        raise DigitError("full", f"ink covers {a.mean():.0%} of the canvas (more than {FULL:.0%}): "
                                 "there is no digit to find. Clear it and write one digit.")
    rows, cols = np.flatnonzero(a.any(axis=1)), np.flatnonzero(a.any(axis=0))
    if rows.size == 0:
        raise DigitError("empty", "the canvas has no ink: write a digit first.")
    ink = a[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]            # the bounding box (h, w)
    h, w = ink.shape
    scale = BOX / max(h, w)
    small = np.clip(resize_area(ink, max(1, round(h * scale)), max(1, round(w * scale))), 0, 1)   # (<=20, <=20)
    mass = small.sum()
    cy = (small.sum(axis=1) @ np.arange(small.shape[0])) / mass
    cx = (small.sum(axis=0) @ np.arange(small.shape[1])) / mass
    top, left = int(np.floor(CENTRE - cy + 0.5)), int(np.floor(CENTRE - cx + 0.5))
    out = np.zeros((SIZE, SIZE))
    # paste small at (top, left), cutting what falls outside the field
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + small.shape[0], SIZE), min(left + small.shape[1], SIZE)
    out[r0:r1, c0:c1] = small[r0 - top : r1 - top, c0 - left : c1 - left]
    return out.astype(np.float32)


def strokes_to_mnist(strokes, size: int = PAD, width: float = PEN) -> np.ndarray:
    """:func:`render_strokes` then :func:`to_mnist`: (28, 28) float32 in [0, 1]."""
    return to_mnist(render_strokes(strokes, size, width))


def rotate(image, degrees: float) -> np.ndarray:
    """``image`` (H, W) turned ``degrees`` anticlockwise (as seen on screen) about pixel (14, 14) of MNIST's
    field (its centre of mass): each output pixel reads the input at the turned-back position, mixing
    the four nearest pixels (bilinear); positions outside the image read 0. Returns (H, W) float32."""
    x = np.asarray(image, dtype=np.float64)
    H, W = x.shape
    theta = np.deg2rad(degrees)
    cy, cx = (H * CENTRE / SIZE, W * CENTRE / SIZE)
    y, xx = np.mgrid[0:H, 0:W].astype(np.float64)
    y, xx = y - cy, xx - cx
    sy = np.sin(theta) * xx + np.cos(theta) * y + cy         # where each output pixel comes from
    sx = np.cos(theta) * xx - np.sin(theta) * y + cx
    y0, x0 = np.floor(sy).astype(int), np.floor(sx).astype(int)
    fy, fx = sy - y0, sx - x0
    padded = np.pad(x, 1)                                     # reads just outside the image give 0

    def at(r, c):
        inside = (r >= -1) & (r <= H) & (c >= -1) & (c <= W)
        return np.where(inside, padded[np.clip(r + 1, 0, H + 1), np.clip(c + 1, 0, W + 1)], 0.0)

    out = ((1 - fy) * (1 - fx) * at(y0, x0) + (1 - fy) * fx * at(y0, x0 + 1)
           + fy * (1 - fx) * at(y0 + 1, x0) + fy * fx * at(y0 + 1, x0 + 1))
    return out.astype(np.float32)


def move(image, dy: int = 0, dx: int = 0, degrees: float = 0.0) -> np.ndarray:
    """``image`` (H, W) turned ``degrees`` (:func:`rotate`), then shifted ``dy`` rows down and ``dx``
    columns right by whole pixels (negative: up/left; uncovered pixels are 0). Returns (H, W) float32."""
    x = np.asarray(image, dtype=np.float32)
    if degrees:
        x = rotate(x, degrees)
    if dy or dx:
        x = shift(x[None, None], int(dy), int(dx))[0, 0]
    return x
