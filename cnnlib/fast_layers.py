"""Speed variants of three layers — the same numbers as :mod:`cnnlib.layers`, computed faster.

The networks are built from the book's layers; ``fast=True`` (:func:`use_fast_layers`, the one
switch) puts these in their place. The training recipes (:mod:`cnnlib.train`) and notebook 7.5's
training runs use it; a learner reads the book's versions in ``layers.py``.
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

__all__ = ["FastRelu", "FastConvolution", "FastPooling", "use_fast_layers"]


def _beats(a, b):
    """``a > b`` where a NaN counts as larger than every number (``np.argmax``'s rule, as in the book's
    Pooling): a NaN beats a number, and nothing beats a NaN."""
    return (a > b) | (np.isnan(a) & ~np.isnan(b))


def _right_beats_left(x):
    """(N, C, H, W/2) booleans, contiguous: ``x[..., 2j+1] > x[..., 2j]``, the right cell of each pair is
    larger than the left one."""
    if not x.flags.c_contiguous:
        return x[..., 1::2] > x[..., 0::2]
    # numpy compares contiguous arrays with SIMD instructions (several numbers at once) but strided views
    # one number at a time: comparing every number of the flat array with the next one (twice the
    # comparisons we need) and keeping every second result is faster.
    flat = x.reshape(-1)
    return np.ascontiguousarray((flat[1:] > flat[:-1])[0::2]).reshape(*x.shape[:-1], x.shape[-1] // 2)


class FastRelu(Relu):
    """:class:`~cnnlib.layers.Relu` without branching, keeping its output instead of a mask (see the
    module docstring). ``mask`` (x <= 0, the book's attribute) is computed when asked for."""

    def __init__(self):
        self.out = None

    @property
    def mask(self):
        return None if self.out is None else self.out <= 0  # max(x, 0) <= 0 exactly where x <= 0

    def forward(self, x):
        self.out = np.maximum(np.asarray(x), 0)
        return self.out

    def backward(self, dout):
        # Like the book, dout is changed in place; multiplying by "x > 0" (1 or 0) gives the numbers
        # of dout[mask] = 0 without branching.
        return np.multiply(dout, self.out > 0, out=dout)


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

        # col: the window cells as rows, the positions as columns, and one more row of ones: the bias
        # is the weight of an input that is always 1, so the product adds it (forward) and sums dout
        # into db (backward) with no pass over the output of its own.
        dtype = np.result_type(x, self.W, self.b)
        K = C * FH * FW
        col1 = np.empty((N, K + 1, out_h * out_w), dtype=dtype)
        cells = col1[:, :K].reshape(N, C, FH * FW, out_h, out_w)    # (n, c, cell, oy, ox), a view
        for k, rows, cols in self._cells(out_h, out_w):
            cells[:, :, k] = xp[:, :, rows, cols]
        col1[:, K] = 1
        Wb = np.concatenate([self.W.reshape(FN, K), self.b.reshape(FN, 1)], axis=1)   # (FN, K + 1)

        out = np.matmul(Wb, col1)                                      # (N, FN, OH*OW)
        self.x, self.col1 = x, col1
        self.col = col1[:, :K]                                         # rows (c, fh, fw), as the book's columns
        return out.reshape(N, FN, out_h, out_w)

    def backward(self, dout, input_grad=True):
        FN, C, FH, FW = self.W.shape
        N, _, out_h, out_w = dout.shape
        dout = dout.reshape(N, FN, out_h * out_w)
        dWb = np.matmul(dout, self.col1.transpose(0, 2, 1)).sum(axis=0)   # (FN, K + 1); the last column: db
        self.dW = np.ascontiguousarray(dWb[:, :-1]).reshape(FN, C, FH, FW)
        self.db = np.ascontiguousarray(dWb[:, -1])
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
        # The networks' pooling (2x2 windows side by side, max, no padding) has its own, shorter path.
        self.pairs = method == "max" and self.pool_h == self.pool_w == self.stride == 2 and self.pad == 0
        self.pairs_max = self.pairs_out = self._winners = None

    @property
    def arg_max(self):
        if self._arg_max is None and self.pairs_max is not None:  # the 2x2 path finds winners when asked
            right, below = self.winners()
            self._arg_max = (2 * below + np.where(below, right[:, :, 1::2], right[:, :, 0::2])).astype(np.uint16)
        return self._arg_max

    @arg_max.setter
    def arg_max(self, value):
        self._arg_max = value

    def _cells(self):
        """(k, i, j) for every cell of the window, in reading order."""
        return [(i * self.pool_w + j, i, j) for i in range(self.pool_h) for j in range(self.pool_w)]

    def forward(self, x):
        x = _floating(require_4d("Pooling", x))
        N, C, out_h, out_w = self.output_shape(x.shape)  # a clear error for an invalid geometry
        self.x, self.arg_max, self.pairs_max, self._winners = x, None, None, None
        if self.pairs:
            x = x[:, :, : 2 * out_h, : 2 * out_w]  # floor: a last odd row or column is not pooled
            # the larger of each window row's two cells (N, C, 2*OH, OW), then of the window's two rows
            self.pairs_max = np.maximum(x[..., 0::2], x[..., 1::2])
            self.pairs_out = np.maximum(self.pairs_max[:, :, 0::2], self.pairs_max[:, :, 1::2])
            return self.pairs_out

        windows = window_view(x, self.pool_h, self.pool_w, self.stride, self.pad, floor=self.floor)
        # windows: (N, C, OH, OW, pool_h, pool_w) view; windows[..., i, j] is cell (i, j) of every window
        out = windows[..., 0, 0].copy()
        if self.method == "max":
            # arg_max = the last cell k that beat the maximum so far; `>` keeps the first of equal values.
            # (max(arg, k*beats) instead of arg[beats] = k: no branching.)
            self.arg_max = np.zeros(out.shape, dtype=np.uint16)
            for k, i, j in self._cells()[1:]:
                cell = windows[..., i, j]
                beats = _beats(cell, out)
                np.maximum(self.arg_max, beats * np.uint16(k), out=self.arg_max)
                np.maximum(out, cell, out=out)
        else:
            for k, i, j in self._cells()[1:]:
                out += windows[..., i, j]
            out /= np.asarray(self.pool_h * self.pool_w, dtype=out.dtype)
        return out

    def winners(self):
        """2x2 path: (right, below) — ``right`` (N, C, 2*OH, OW): in that row of the window the right cell
        is larger; ``below`` (N, C, OH, OW): the bottom row holds a larger value than the top row.
        Strict comparisons keep the first of equal values: the winner is the first maximum in reading
        order (the smallest row holding the maximum, and in it the smallest column), as np.argmax;
        a NaN counts as the largest value (np.argmax's rule too)."""
        if self._winners is None:
            out_h, out_w = self.pairs_max.shape[2] // 2, self.pairs_max.shape[3]
            x = self.x[:, :, : 2 * out_h, : 2 * out_w]
            top, bottom = self.pairs_max[:, :, 0::2], self.pairs_max[:, :, 1::2]
            if np.isnan(np.max(self.pairs_out)):  # a window holds a NaN (max passes it on): compare by the rule
                self._winners = (_beats(x[..., 1::2], x[..., 0::2]), _beats(bottom, top))
            else:  # the usual case, and the fast one
                self._winners = (_right_beats_left(x), bottom > top)
        return self._winners

    def backward(self, dout):
        N, C, H, W = self.x.shape
        out_h, out_w = dout.shape[2:]
        if self.pairs:
            right, below = self.winners()
            # each window's gradient goes to its winning row (top or bottom) ...
            drow = np.empty((N, C, out_h, 2, out_w), dtype=dout.dtype)
            np.multiply(dout, ~below, out=drow[:, :, :, 0])
            np.multiply(dout, below, out=drow[:, :, :, 1])
            drow = drow.reshape(N, C, 2 * out_h, out_w)
            # ... and, in that row, to its winning cell (left or right)
            covered = (H, W) == (2 * out_h, 2 * out_w)
            dx = (np.empty if covered else np.zeros)((N, C, H, W), dtype=dout.dtype)
            np.multiply(drow, ~right, out=dx[:, :, : 2 * out_h, 0 : 2 * out_w : 2])
            np.multiply(drow, right, out=dx[:, :, : 2 * out_h, 1 : 2 * out_w : 2])
            return dx

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


def use_fast_layers(layers):
    """The switch from the book's layers to these: in the ordered dict ``layers`` (a network's), every
    ``Convolution``, ``Relu`` and ``Pooling`` is replaced, in place, by its fast variant with the same
    weights (the very arrays, so ``params`` and optimizers are unaffected) and the same settings.
    Subclasses (a learner's layer, AlexNet's grouped convolution) stay as they are. Returns ``layers``."""
    for name, layer in list(layers.items()):
        if type(layer) is Convolution:
            layers[name] = FastConvolution(layer.W, layer.b, layer.stride, layer.pad, layer.dilation,
                                           floor=layer.floor)
        elif type(layer) is Relu:
            layers[name] = FastRelu()
        elif type(layer) is Pooling and layer.pool_h * layer.pool_w <= 65535:  # FastPooling's largest window
            layers[name] = FastPooling(layer.pool_h, layer.pool_w, layer.stride, layer.pad, layer.method,
                                       floor=layer.floor)
    return layers
