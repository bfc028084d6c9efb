"""Layers with the book's interface (``common/layers.py``): ``forward(x)`` and ``backward(dout)``
side by side; parameters ``W, b`` and their gradients ``dW, db``.

Shapes:  Convolution  x (N, C, H, W), W (FN, C, FH, FW), b (FN,)  ->  (N, FN, OH, OW)
         Pooling      x (N, C, H, W)                              ->  (N, C, OH, OW)
         Affine       x (N, D) or (N, C, H, W), W (D, M), b (M,)  ->  (N, M)

Every size comes from :mod:`cnnlib.shapes`; a bad argument raises a ``ValueError``
that says what was wrong and how to fix it.
"""

from __future__ import annotations

import numpy as np

from .functions import sigmoid, softmax, cross_entropy_error
from .im2col import im2col, col2im
from .shapes import conv_output_shape, pool_output_shape, require_int, effective_filter_size

__all__ = ["Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout", "Convolution", "Pooling"]


def _require_4d(layer: str, x) -> None:
    if np.ndim(x) != 4:
        hint = " For one grayscale image of shape (H, W) use x.reshape(1, 1, H, W)." if np.ndim(x) == 2 else ""
        raise ValueError(f"{layer} expects a 4-D input (N, C, H, W); got shape {np.shape(x)}.{hint}")


class Relu:
    """max(0, x); backward lets the gradient through where x > 0."""

    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx


class Sigmoid:
    """1/(1+exp(-x)); backward multiplies by y(1-y)."""

    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = sigmoid(x).astype(np.asarray(x).dtype, copy=False)
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


class Affine:
    """Fully connected layer: x @ W + b. A 4-D input (N, C, H, W) is flattened to (N, C*H*W)
    and ``backward`` returns dx in the original shape."""

    def __init__(self, W, b):
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(f"Affine needs W of shape (D, M) and b of shape (M,); got W {W.shape}, b {b.shape}.")
        self.W, self.b = W, b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        D, M = self.W.shape
        if x.shape[1] != D:
            raise ValueError(
                f"Affine expects {D} input features per sample (W has shape {self.W.shape}); got input of "
                f"shape {self.original_x_shape}, i.e. {x.shape[1]} features per sample."
            )
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        dx = dout @ self.W.T
        self.dW = self.x.T @ dout
        self.db = np.sum(dout, axis=0)
        return dx.reshape(self.original_x_shape)


class SoftmaxWithLoss:
    """Softmax followed by the cross-entropy loss; labels ``t`` one-hot (N, K) or integers (N,)."""

    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:  # one-hot labels
            dx = (self.y - self.t) / batch_size
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
            dx = dx / batch_size
        return (dx * dout).astype(self.y.dtype, copy=False)


class Dropout:
    """Randomly silences a fraction ``dropout_ratio`` of units during training (the book's
    version: at test time outputs are scaled by ``1 - dropout_ratio``).

    ``seed`` makes the masks reproducible.
    """

    def __init__(self, dropout_ratio=0.5, seed=None):
        if not 0 <= dropout_ratio < 1:
            raise ValueError(f"dropout_ratio must be in [0, 1); got {dropout_ratio}.")
        self.dropout_ratio = dropout_ratio
        self.rng = np.random.default_rng(seed)
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = self.rng.random(x.shape) > self.dropout_ratio
            return x * self.mask
        return x * np.asarray(1.0 - self.dropout_ratio, dtype=x.dtype)

    def backward(self, dout):
        return dout * self.mask


class Convolution:
    """Convolution by im2col (7.4.3): every window becomes a row, the filters become columns,
    and one matrix product computes all outputs.

    W: (FN, C, FH, FW) filters; b: (FN,) biases; ``stride``, ``pad`` and ``dilation`` as in
    :func:`cnnlib.shapes.conv_output_size`; ``floor=True`` drops a last partial window.
    """

    def __init__(self, W, b, stride=1, pad=0, dilation=1, *, floor=False):
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 4:
            raise ValueError(f"Convolution needs W of shape (FN, C, FH, FW); got shape {W.shape}.")
        if b.shape != (W.shape[0],):
            raise ValueError(f"Convolution needs one bias per filter: b of shape ({W.shape[0]},); got {b.shape}.")
        self.W, self.b = W, b
        self.stride = require_int("stride", stride, 1)
        self.pad = require_int("pad", pad, 0)
        self.dilation = require_int("dilation", dilation, 1)
        self.floor = floor
        # kept for backward
        self.x = None
        self.col = None
        self.col_W = None
        self.dW = None
        self.db = None

    def output_shape(self, input_shape):
        """(N, FN, OH, OW) for an input of shape (N, C, H, W), or a ValueError explaining why not."""
        FN, C, FH, FW = self.W.shape
        N, xC, H, W = input_shape
        if xC != C:
            raise ValueError(
                f"Channel mismatch: the input has C={xC} channels but the filters W {self.W.shape} "
                f"expect C={C}. The second axis of x (N, C, H, W) must equal the second axis of W (FN, C, FH, FW)."
            )
        span_h = effective_filter_size(FH, self.dilation)
        span_w = effective_filter_size(FW, self.dilation)
        if span_h > H + 2 * self.pad or span_w > W + 2 * self.pad:
            raise ValueError(
                f"The filter ({FH}x{FW}, spanning {span_h}x{span_w}) is larger than the padded input "
                f"({H}+2·{self.pad}) x ({W}+2·{self.pad}) = {H + 2 * self.pad}x{W + 2 * self.pad}. "
                f"Use a smaller filter, a larger input or more padding."
            )
        out_h, out_w = conv_output_shape((H, W), (FH, FW), self.stride, self.pad, self.dilation, floor=self.floor)
        return N, FN, out_h, out_w

    def forward(self, x):
        _require_4d("Convolution", x)
        FN, C, FH, FW = self.W.shape
        N, FN, out_h, out_w = self.output_shape(x.shape)

        col = im2col(x, FH, FW, self.stride, self.pad, self.dilation, floor=self.floor)  # (N*OH*OW, C*FH*FW)
        col_W = self.W.reshape(FN, -1).T                                                 # (C*FH*FW, FN)
        out = col @ col_W + self.b                                                       # (N*OH*OW, FN)
        out = out.reshape(N, out_h, out_w, FN).transpose(0, 3, 1, 2)                     # (N, FN, OH, OW)

        self.x, self.col, self.col_W = x, col, col_W
        return out

    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)  # (N*OH*OW, FN), rows in im2col's order

        self.db = np.sum(dout, axis=0)
        self.dW = (self.col.T @ dout).T.reshape(FN, C, FH, FW)

        dcol = dout @ self.col_W.T  # (N*OH*OW, C*FH*FW)
        return col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad, self.dilation, floor=self.floor)


class Pooling:
    """Max pooling (the book's) or average pooling (``method='average'``, LeNet's subsampling).

    As in the book, ``stride`` defaults to 1 (the usual 2x2 pooling is
    ``Pooling(2, 2, stride=2)``) and padding cells hold 0 and take part in the
    max/average.
    """

    def __init__(self, pool_h, pool_w, stride=1, pad=0, method="max", *, floor=False):
        if method not in ("max", "average"):
            raise ValueError(f"method must be 'max' or 'average'; got {method!r}.")
        self.pool_h = require_int("pool_h", pool_h, 1)
        self.pool_w = require_int("pool_w", pool_w, 1)
        self.stride = require_int("stride", stride, 1)
        self.pad = require_int("pad", pad, 0)
        self.method = method
        self.floor = floor
        self.x = None
        self.arg_max = None

    def output_shape(self, input_shape):
        """(N, C, OH, OW) for an input of shape (N, C, H, W), or a ValueError explaining why not."""
        N, C, H, W = input_shape
        out_h, out_w = pool_output_shape((H, W), (self.pool_h, self.pool_w), self.stride, self.pad, floor=self.floor)
        return N, C, out_h, out_w

    def forward(self, x):
        _require_4d("Pooling", x)
        N, C, out_h, out_w = self.output_shape(x.shape)

        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad, floor=self.floor)  # (N*OH*OW, C*ph*pw)
        col = col.reshape(-1, self.pool_h * self.pool_w)  # (N*OH*OW*C, ph*pw): one window of one channel per row
        if self.method == "max":
            self.arg_max = np.argmax(col, axis=1)          # which cell of each window won
            out = col[np.arange(col.shape[0]), self.arg_max]
        else:
            out = col.mean(axis=1, dtype=col.dtype)
        out = out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)  # (N, C, OH, OW)

        self.x = x
        return out

    def backward(self, dout):
        window = self.pool_h * self.pool_w
        dout = dout.transpose(0, 2, 3, 1).reshape(-1)  # same row order as the forward's col
        if self.method == "max":
            # The gradient goes only to the cell that won the max.
            dwin = np.zeros((dout.size, window), dtype=dout.dtype)
            dwin[np.arange(dout.size), self.arg_max] = dout
        else:
            # Every cell contributed 1/window of the average.
            dwin = np.repeat(dout[:, None] / np.asarray(window, dtype=dout.dtype), window, axis=1)
        N, C, H, W = self.x.shape
        dcol = dwin.reshape(-1, C * window)  # back to im2col's (N*OH*OW, C*ph*pw)
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad, floor=self.floor)
