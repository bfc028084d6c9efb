"""Max pooling the book's way (7.4.4, 그림 7-21/7-22): im2col, one row per window *and channel*,
the max of each row, and ``argmax`` routing on the way back.

:class:`cnnlib.Pooling` computes the same numbers faster by visiting the window's cells one at a
time (no matrix is built); this class keeps the book's route so notebook 7.4 and the im2col
explorer can show each matrix, and the tests can check that both routes agree.

Shapes (x: (N, C, H, W), pool window PH x PW, output OH x OW):

    col      = im2col(x, PH, PW, stride, pad)       (N*OH*OW, C*PH*PW)   rows (n, oh, ow), columns (c, i, j)
    col_pool = col.reshape(-1, PH*PW)               (N*OH*OW*C, PH*PW)   rows (n, oh, ow, c): one window of one channel
    arg_max  = col_pool.argmax(axis=1)              (N*OH*OW*C,)         the winning cell of each row (reading order)
    out      = col_pool.max(axis=1).reshape(N, OH, OW, C).transpose(0, 3, 1, 2)   (N, C, OH, OW)

backward:
    dmax     = zeros (N*OH*OW*C, PH*PW); dmax[row, arg_max[row]] = dout in the same (n, oh, ow, c) order
    dcol     = dmax.reshape(N*OH*OW, C*PH*PW)       back to im2col's layout
    dx       = col2im(dcol, x.shape, PH, PW, stride, pad)   (N, C, H, W): overlapping windows add
"""

from __future__ import annotations

import numpy as np

from .im2col import col2im, im2col
from .layers import Pooling

__all__ = ["Im2colPooling"]


class Im2colPooling(Pooling):
    """The book's ``Pooling`` (max only), built on :func:`cnnlib.im2col` and :func:`cnnlib.col2im`.

    Same arguments and results as :class:`cnnlib.Pooling` with ``method='max'``; its ``arg_max``
    is the book's flat (N*OH*OW*C,) array, and the intermediate matrices are kept for display:
    ``col_pool`` after forward, ``dmax`` and ``dcol`` after backward.
    """

    def __init__(self, pool_h, pool_w, stride=1, pad=0, *, floor=False):
        super().__init__(pool_h, pool_w, stride, pad, method="max", floor=floor)
        self.col_pool = None
        self.dmax = None
        self.dcol = None

    def forward(self, x):
        if np.ndim(x) != 4:
            raise ValueError(f"Im2colPooling expects a 4-D input (N, C, H, W); got shape {np.shape(x)}.")
        N, C, out_h, out_w = self.output_shape(x.shape)
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad, floor=self.floor)
        col_pool = col.reshape(-1, self.pool_h * self.pool_w)   # one row per window and channel
        self.arg_max = np.argmax(col_pool, axis=1)               # first largest cell, as Pooling
        out = col_pool.max(axis=1)
        self.x, self.col_pool = x, col_pool
        return out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)

    def backward(self, dout):
        N, C, out_h, out_w = dout.shape
        rows = N * out_h * out_w * C
        dmax = np.zeros((rows, self.pool_h * self.pool_w), dtype=dout.dtype)
        # dout in the rows' (n, oh, ow, c) order; each gradient goes to its row's winning cell only
        dmax[np.arange(rows), self.arg_max] = dout.transpose(0, 2, 3, 1).ravel()
        dcol = dmax.reshape(N * out_h * out_w, C * self.pool_h * self.pool_w)
        self.dmax, self.dcol = dmax, dcol
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad, floor=self.floor)
