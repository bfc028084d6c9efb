"""Speed variants of three layers — the same numbers as :mod:`cnnlib.layers`, computed faster.

The networks (:class:`~cnnlib.convnet.SimpleConvNet`, :class:`~cnnlib.convnet.DeepConvNet`,
:class:`~cnnlib.lenet.LeNet`) use these; a learner reads the book's versions in ``layers.py``.
The tests check that each variant gives the same outputs, the same winning cells and the same
gradients as the book's version, and ``bench/`` measures how much faster they are.

* :class:`FastRelu` — the book masks with ``out[mask] = 0``: a scatter whose branch pattern a
  CPU cannot predict on real data (a random mix of positive and negative values).
  ``np.maximum(x, 0)`` and a multiplication by the mask give the same numbers without
  branching: several times faster on a training batch.
* :class:`FastConvolution` — the book's im2col matrix has one row per window, (N*OH*OW, C*FH*FW), so the
  product ``col @ col_W`` comes out as (N*OH*OW, FN) and must be transposed (copied) back to
  (N, FN, OH, OW); backward transposes dout the other way. Here the same numbers are laid out per
  sample with the window cells as rows and the positions as columns, (N, C*FH*FW, OH*OW), filled by
  one strided slice per filter cell (FH*FW copies of whole maps, the loop of the book's im2col). Then
  one batched product ``W (FN, C*FH*FW) @ col`` gives (N, FN, OH*OW) — already the output's order —
  and backward needs no transposes either.
* :class:`FastPooling` — the book copies every window into a row of a matrix (im2col) and takes
  an argmax over rows of 4 numbers. Instead we visit the window's cells one at a time: for
  2x2 pooling that is 4 comparisons of whole (N, C, OH, OW) maps, done on a view of the input
  (nothing is copied). Backward writes (instead of adds) the gradient of each cell when windows
  do not overlap.
"""

from __future__ import annotations

import numpy as np

from .im2col import cell_slices, require_4d, window_view
from .layers import Convolution, Pooling, Relu, _floating

__all__ = ["FastRelu", "FastConvolution", "FastPooling"]


class FastRelu(Relu):
    """:class:`~cnnlib.layers.Relu` without branching (see the module docstring)."""

    def forward(self, x):
        x = np.asarray(x)
        self.mask = x <= 0
        return np.maximum(x, 0)

    def backward(self, dout):
        # Like the book, dout is changed in place; multiplying by "not masked" (1 or 0) gives the
        # numbers of dout[mask] = 0 without branching.
        return np.multiply(dout, ~self.mask, out=dout)


class FastConvolution(Convolution):
    """:class:`~cnnlib.layers.Convolution` with the window cells as rows (see the module docstring).

    ``col`` has shape (N, C*FH*FW, OH*OW): the book's im2col matrix of sample n is ``col[n].T``.
    """

    def _cells(self, out_h, out_w):
        """(index, rows slice, cols slice) of every filter cell: where that cell of every window lies in
        the padded input."""
        FN, C, FH, FW = self.W.shape
        s, d = self.stride, self.dilation
        return [(i * FW + j, slice(i * d, i * d + s * (out_h - 1) + 1, s), slice(j * d, j * d + s * (out_w - 1) + 1, s))
                for i in range(FH) for j in range(FW)]

    def forward(self, x):
        x = _floating(require_4d("Convolution", x))
        FN, C, FH, FW = self.W.shape
        N, FN, out_h, out_w = self.output_shape(x.shape)
        xp = np.pad(x, [(0, 0), (0, 0), (self.pad, self.pad), (self.pad, self.pad)]) if self.pad else x

        dtype = np.result_type(x, self.W)
        col = np.empty((N, C, FH * FW, out_h, out_w), dtype=dtype)   # (n, c, cell, oy, ox)
        for k, rows, cols in self._cells(out_h, out_w):
            col[:, :, k] = xp[:, :, rows, cols]
        col = col.reshape(N, C * FH * FW, out_h * out_w)              # rows (c, fh, fw), as the book's columns

        out = np.matmul(self.W.reshape(FN, -1), col)                   # (N, FN, OH*OW)
        out += self.b.reshape(FN, 1)
        self.x, self.col = x, col
        return out.reshape(N, FN, out_h, out_w)

    def backward(self, dout, input_grad=True):
        FN, C, FH, FW = self.W.shape
        N, _, out_h, out_w = dout.shape
        dout = dout.reshape(N, FN, out_h * out_w)
        self.db = dout.sum(axis=(0, 2))
        self.dW = np.matmul(dout, self.col.transpose(0, 2, 1)).sum(axis=0).reshape(FN, C, FH, FW)
        if not input_grad:
            return None

        dcol = np.matmul(self.W.reshape(FN, -1).T, dout)              # (N, C*FH*FW, OH*OW)
        dcol = dcol.reshape(N, C, FH * FW, out_h, out_w)
        H, W = self.x.shape[2:]
        dx = np.zeros((N, C, H + 2 * self.pad, W + 2 * self.pad), dtype=dcol.dtype)
        for k, rows, cols in self._cells(out_h, out_w):
            dx[:, :, rows, cols] += dcol[:, :, k]                      # overlapping windows add (col2im)
        return dx[:, :, self.pad : self.pad + H, self.pad : self.pad + W]


class FastPooling(Pooling):
    """:class:`~cnnlib.layers.Pooling` computed cell by cell of the window (see the module docstring).

    ``arg_max`` has shape (N, C, OH, OW): the index, in reading order, of each window's winning cell
    (the first of equal values, as ``np.argmax``); the book's flat array is
    ``arg_max.transpose(0, 2, 3, 1).ravel()``.
    """

    def __init__(self, pool_h, pool_w, stride=1, pad=0, method="max", *, floor=False):
        super().__init__(pool_h, pool_w, stride, pad, method, floor=floor)
        if self.pool_h * self.pool_w > 65535:  # arg_max is stored as uint16
            raise ValueError(f"A {pool_h}x{pool_w} pooling window is too large for FastPooling (at most 65535 "
                             f"cells); use Pooling.")

    def _cells(self):
        """(k, i, j) for every cell of the window, in reading order."""
        return [(i * self.pool_w + j, i, j) for i in range(self.pool_h) for j in range(self.pool_w)]

    def forward(self, x):
        x = _floating(require_4d("Pooling", x))
        self.output_shape(x.shape)  # a clear error for an invalid geometry
        windows = window_view(x, self.pool_h, self.pool_w, self.stride, self.pad, floor=self.floor)
        # windows: (N, C, OH, OW, pool_h, pool_w) view; windows[..., i, j] is cell (i, j) of every window
        out = windows[..., 0, 0].copy()
        if self.method == "max":
            # arg_max = the last cell k that beat the maximum so far; `>` keeps the first of equal values.
            # (max(arg, k*beats) instead of arg[beats] = k: no branching.)
            self.arg_max = np.zeros(out.shape, dtype=np.uint16)
            for k, i, j in self._cells()[1:]:
                cell = windows[..., i, j]
                beats = cell > out
                np.maximum(self.arg_max, beats * np.uint16(k), out=self.arg_max)
                np.maximum(out, cell, out=out)
        else:
            for k, i, j in self._cells()[1:]:
                out += windows[..., i, j]
            out /= np.asarray(self.pool_h * self.pool_w, dtype=out.dtype)
        self.x = x
        return out

    def backward(self, dout):
        N, C, H, W = self.x.shape
        out_h, out_w = dout.shape[2:]
        dx = np.zeros((N, C, H + 2 * self.pad, W + 2 * self.pad), dtype=dout.dtype)
        if self.method == "average":
            dout = dout / np.asarray(self.pool_h * self.pool_w, dtype=dout.dtype)  # each cell had 1/window
        # Windows that do not overlap (stride >= window) never send two gradients to one cell,
        # so each cell's gradient can be written instead of added: one pass less per cell.
        overlap = self.stride < self.pool_h or self.stride < self.pool_w
        for k, i, j in self._cells():
            target = dx[cell_slices(i, j, out_h, out_w, self.stride)]  # cell (i, j) of every window
            if self.method == "max":
                grad = (self.arg_max == k)  # only the winner gets the gradient
                if overlap:
                    target += dout * grad
                else:
                    np.multiply(dout, grad, out=target)
            else:
                target += dout
        return dx[:, :, self.pad : self.pad + H, self.pad : self.pad + W]
