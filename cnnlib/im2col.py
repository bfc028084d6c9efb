"""im2col and col2im — the book's trick that turns a convolution into one matrix product (7.4.2–7.4.3).

``im2col`` copies every filter window of the input into one row of a 2-D matrix:

* rows are ordered ``(n, oh, ow)``: sample by sample, then window by window in
  reading order — ``N*OH*OW`` rows;
* columns are ordered ``(c, fh, fw)``: channel by channel, then the window's
  cells in reading order — ``C*FH*FW`` columns.

That is exactly the book's order, so its figures (그림 7-18, 7-19) map 1:1 and a
filter ``W`` of shape ``(FN, C, FH, FW)`` becomes ``W.reshape(FN, -1).T``.

``col2im`` is the *adjoint* of ``im2col`` (not its inverse): every entry of a
row goes back to the input cell it was copied from, and where windows overlap
the contributions are **added** — what backpropagation needs.

Sizes come from :mod:`cnnlib.shapes`, so an invalid geometry raises the same
learner-readable ``ValueError`` everywhere.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .shapes import conv_output_shape, effective_filter_size

__all__ = ["im2col", "col2im", "window_view", "cell_slices", "require_4d"]


def _reshape_hint(shape) -> str:
    """How to turn an array of ``shape`` into (N, C, H, W), for the error message."""
    if len(shape) == 2:
        rows, cols = shape
        side = math.isqrt(cols)
        hints = []
        if side > 1 and side * side == cols:
            hints.append(f"If each row is one flattened {side}x{side} image (load_mnist() gives (N, 784) by "
                         f"default, flatten=True), load the images with load_mnist(flatten=False) or use "
                         f"x.reshape(-1, 1, {side}, {side}).")
        hints.append(f"If x is one grayscale image of {rows}x{cols} pixels, use x.reshape(1, 1, {rows}, {cols}).")
        return " " + " ".join(hints)
    if len(shape) == 3:
        return (" If x is one image with channels (C, H, W), use x[np.newaxis]; if it is a batch of grayscale "
                "images (N, H, W), use x[:, np.newaxis].")
    if len(shape) == 1:
        return " If x holds flattened images, reshape them: x.reshape(-1, C, H, W)."
    return ""


def require_4d(name: str, x) -> np.ndarray:
    """``x`` as an array of shape (N, C, H, W) (lists are accepted), or a ValueError that says how to
    reshape it."""
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"{name} expects a 4-D input (N, C, H, W); got shape {x.shape}.{_reshape_hint(x.shape)}")
    return x


def window_view(input_data, filter_h, filter_w, stride=1, pad=0, dilation=1, *, floor=False):
    """Every filter window of the (padded) input, as a read-only view — nothing is copied.

    input_data: (N, C, H, W).  Returns: (N, C, OH, OW, FH, FW), where
    ``view[n, c, oy, ox]`` is the FH x FW window of output cell (oy, ox) and
    ``view[..., i, j]`` is cell (i, j) of every window at once.
    """
    x = require_4d("input_data", input_data)
    N, C, H, W = x.shape
    out_h, out_w = conv_output_shape((H, W), (filter_h, filter_w), stride, pad, dilation, floor=floor)
    span_h = effective_filter_size(filter_h, dilation)
    span_w = effective_filter_size(filter_w, dilation)

    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)]) if pad else x
    # All (span_h, span_w) windows at stride 1: shape (N, C, H', W', span_h, span_w), a view.
    # Stepping by `stride` picks the windows we use, stepping by `dilation` the cells of each.
    windows = sliding_window_view(img, (span_h, span_w), axis=(2, 3))
    return windows[:, :, : (out_h - 1) * stride + 1 : stride, : (out_w - 1) * stride + 1 : stride,
                   ::dilation, ::dilation]


def cell_slices(i, j, out_h, out_w, stride=1, dilation=1):
    """Index of filter cell (i, j) of every window in a padded (N, C, H', W') array:
    ``padded[cell_slices(...)]`` has shape (N, C, OH, OW). Writable, unlike :func:`window_view`."""
    y0, x0 = i * dilation, j * dilation
    return (slice(None), slice(None),
            slice(y0, y0 + stride * (out_h - 1) + 1, stride),
            slice(x0, x0 + stride * (out_w - 1) + 1, stride))


def im2col(input_data, filter_h, filter_w, stride=1, pad=0, dilation=1, *, floor=False):
    """Unfold filter windows into rows.

    input_data: (N, C, H, W) array.
    Returns: (N*OH*OW, C*FH*FW) array of the input's dtype, in the book's order.

    >>> x = np.random.rand(1, 3, 7, 7)
    >>> im2col(x, 5, 5).shape
    (9, 75)
    """
    windows = window_view(input_data, filter_h, filter_w, stride, pad, dilation, floor=floor)
    N, C, out_h, out_w = windows.shape[:4]
    # (N, C, OH, OW, FH, FW) -> (N, OH, OW, C, FH, FW): rows (n, oh, ow), columns (c, fh, fw).
    # This reshape is the one and only copy.
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(N * out_h * out_w, C * filter_h * filter_w)


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0, dilation=1, *, floor=False):
    """Fold rows back into an image, **adding** where windows overlap (adjoint of :func:`im2col`).

    col: (N*OH*OW, C*FH*FW) array; input_shape: (N, C, H, W).
    Returns: (N, C, H, W) array of ``col``'s dtype; integers and booleans are added as float64
    (in their own dtype the sums would wrap around or saturate at True).
    """
    if len(input_shape) != 4:
        raise ValueError(f"input_shape must be (N, C, H, W); got {tuple(input_shape)}.")
    N, C, H, W = (int(v) for v in input_shape)
    out_h, out_w = conv_output_shape((H, W), (filter_h, filter_w), stride, pad, dilation, floor=floor)
    col = np.asarray(col)
    if col.dtype.kind not in "fc":
        col = col.astype(np.float64)
    expected = (N * out_h * out_w, C * filter_h * filter_w)
    if col.shape != expected:
        raise ValueError(
            f"col has shape {col.shape}, but im2col of an input {(N, C, H, W)} with a "
            f"{filter_h}x{filter_w} filter (stride={stride}, pad={pad}) has shape {expected}."
        )
    # (N*OH*OW, C*FH*FW) -> (N, C, FH, FW, OH, OW): for each filter cell, an OH x OW map.
    col = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)

    img = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=col.dtype)
    # Filter cell (y, x) of every window: add its OH x OW map where that cell sits in the input.
    # Looping over the FH*FW filter cells (not over the OH*OW windows) keeps the loop short.
    for y in range(filter_h):
        for x in range(filter_w):
            img[cell_slices(y, x, out_h, out_w, stride, dilation)] += col[:, :, y, x, :, :]
    return img[:, :, pad : H + pad, pad : W + pad]
