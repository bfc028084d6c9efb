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

from .functions import sigmoid, softmax
from .im2col import im2col, col2im, require_4d
from .shapes import conv_output_shape, pool_output_shape, require_int, effective_filter_size

__all__ = ["Relu", "Sigmoid", "Tanh", "Affine", "SoftmaxWithLoss", "Dropout", "LRN", "Convolution", "Pooling"]


def _floating(x) -> np.ndarray:
    """``x`` as an array; integers and booleans (the book's figures use small integers) become float64,
    so averages, biases and gradients are computed exactly rather than failing to cast."""
    x = np.asarray(x)
    return x if x.dtype.kind in "fc" else x.astype(np.float64)


class Relu:
    """max(0, x); backward lets the gradient through where x > 0 (the book's code, 5.5.1절)."""

    def __init__(self):
        self.mask = None

    def forward(self, x):
        x = np.asarray(x)
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0  # as in the book, dout is changed in place
        dx = dout
        return dx


class Sigmoid:
    """1/(1+exp(-x)); backward multiplies by y(1-y)."""

    def __init__(self):
        self.out = None

    def forward(self, x):
        x = _floating(x)
        self.out = sigmoid(x).astype(x.dtype, copy=False)
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


class Tanh:
    """tanh(x) (LeNet-5 used a scaled tanh); backward multiplies by 1 - y^2."""

    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = np.tanh(_floating(x))
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out * self.out)


class Affine:
    """Fully connected layer: x @ W + b. A 4-D input (N, C, H, W) is flattened to (N, C*H*W)
    and ``backward`` returns dx in the original shape."""

    def __init__(self, W, b):
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(f"Affine needs W of shape (D, M) and b of shape (M,); got W {W.shape}, b {b.shape}.")
        self.W, self.b = _floating(W), _floating(b)
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        x = np.asarray(x)
        if x.ndim < 2:
            raise ValueError(f"Affine expects a batch (N, D) or (N, C, H, W); got shape {x.shape}. "
                             f"For one sample use x.reshape(1, -1).")
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], int(np.prod(x.shape[1:])))  # not -1: that fails for an empty batch
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


def _check_labels(t, classes):
    """Class numbers 0 ... classes-1, or a clear error (numpy would take -1 as the last class)."""
    if t.dtype.kind not in "iu":
        raise ValueError(f"Labels t must be whole class numbers (int); got {t.dtype}. Use t.astype(int) "
                         f"if they hold whole numbers, or one-hot rows of shape (N, {classes}).")
    wrong = t[(t < 0) | (t >= classes)]
    if wrong.size:
        raise ValueError(f"Labels must be class numbers 0 to {classes - 1} for {classes} scores per sample; "
                         f"got {wrong[0]}.")


class SoftmaxWithLoss:
    """Softmax followed by the cross-entropy loss; labels ``t`` one-hot (N, K) or integers (N,)."""

    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        x, t = np.asarray(x), np.asarray(t)
        if x.ndim != 2 or x.shape[0] == 0:
            raise ValueError(f"SoftmaxWithLoss expects scores of shape (N, classes) with N >= 1; got {x.shape}. "
                             "A loss is a mean over samples, so an empty batch has none.")
        if t.shape not in ((x.shape[0],), x.shape):
            raise ValueError(f"Labels t must be integers of shape ({x.shape[0]},) or one-hot of shape {x.shape} "
                             f"for scores of shape {x.shape}; got t of shape {t.shape}.")
        if t.ndim == 1:
            _check_labels(t, x.shape[1])
        self.t = t
        self.y = softmax(x)
        # The book computes cross_entropy_error(y, t) = -log(y_t + 1e-7). The 1e-7 guards log(0)
        # but is not in the gradient y - t, so the two disagree when y_t is small. log y_t
        # = x_t - log(sum exp x) is exact and never takes log(0).
        labels = t.argmax(axis=1) if t.ndim == 2 else t
        shifted = x - x.max(axis=1, keepdims=True)
        log_y = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.loss = -np.mean(log_y[np.arange(x.shape[0]), labels])
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


class LRN:
    """Local response normalisation across channels (AlexNet, 2012, section 3.3):

        b[c] = a[c] / (k + alpha * sum of a[j]^2 over the n channels j around c) ** beta

    with AlexNet's constants k=2, n=5, alpha=1e-4, beta=0.75. As in the paper, alpha is
    not divided by n (PyTorch's LocalResponseNorm divides it: use alpha=n*1e-4 there
    for the same numbers). The n channels around c are c - n//2 ... c + (n-1)//2 (those that
    exist): centred for an odd n, one more before than after for an even n, as in PyTorch.
    x: (N, C, H, W) -> same shape. No parameters.
    """

    def __init__(self, k=2.0, n=5, alpha=1e-4, beta=0.75):
        self.n = require_int("n", n, 1)
        self.k, self.alpha, self.beta = k, alpha, beta
        self.x = None
        self.scale = None

    def _channel_window_sum(self, a, before, after):
        """For each channel c, the sum of a over channels c - before ... c + after (those that exist)."""
        padded = np.pad(a, [(0, 0), (before + 1, after), (0, 0), (0, 0)])  # one extra zero in front for cumsum
        csum = np.cumsum(padded, axis=1)
        return csum[:, self.n :] - csum[:, : -self.n]

    def forward(self, x):
        x = _floating(require_4d("LRN", x))
        self.x = x
        self.scale = self.k + self.alpha * self._channel_window_sum(x * x, self.n // 2, (self.n - 1) // 2)
        return x * self.scale ** -self.beta

    def backward(self, dout):
        x, scale = self.x, self.scale
        # Each output b[i] depends on x[j] for every j in its window; summing over "the i whose window
        # holds j" is a window sum with before and after swapped (the same window when n is odd).
        shared = self._channel_window_sum(dout * x * scale ** (-self.beta - 1), (self.n - 1) // 2, self.n // 2)
        return dout * scale ** -self.beta - 2 * self.alpha * self.beta * x * shared


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
        self.W, self.b = _floating(W), _floating(b)
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
        x = _floating(require_4d("Convolution", x))
        FN, C, FH, FW = self.W.shape
        N, FN, out_h, out_w = self.output_shape(x.shape)

        col = im2col(x, FH, FW, self.stride, self.pad, self.dilation, floor=self.floor)  # (N*OH*OW, C*FH*FW)
        col_W = self.W.reshape(FN, -1).T                                                 # (C*FH*FW, FN)
        out = col @ col_W                                                                # (N*OH*OW, FN)
        out += self.b
        out = out.reshape(N, out_h, out_w, FN).transpose(0, 3, 1, 2)                     # (N, FN, OH, OW)

        self.x, self.col, self.col_W = x, col, col_W
        return out

    def backward(self, dout, input_grad=True):
        """Sets dW, db and returns dx; ``input_grad=False`` skips dx (returns None) for a first
        layer, whose input is the data itself."""
        FN, C, FH, FW = self.W.shape
        self.db = np.sum(dout, axis=(0, 2, 3))  # each bias was added at every sample and position
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)  # (N*OH*OW, FN), rows in im2col's order

        self.dW = (self.col.T @ dout).T.reshape(FN, C, FH, FW)
        if not input_grad:
            return None

        dcol = dout @ self.col_W.T  # (N*OH*OW, C*FH*FW)
        return col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad, self.dilation, floor=self.floor)


class Pooling:
    """Pooling the book's way (7.4.4, 그림 7-21): im2col, one row per window *and channel*, the max
    of each row; backward sends each gradient to its row's winning cell and folds the rows back
    with col2im. ``method='average'`` (LeNet's subsampling) takes each row's mean instead.

    Shapes (x: (N, C, H, W), window PH x PW, output OH x OW):

        col      = im2col(x, PH, PW, stride, pad)     (N*OH*OW, C*PH*PW)  rows (n, oh, ow), columns (c, i, j)
        col_pool = col.reshape(-1, PH*PW)             (N*OH*OW*C, PH*PW)  one window of one channel per row
        arg_max  = argmax(col_pool, axis=1)           (N*OH*OW*C,)        the first largest cell of each row
        out      = max(col_pool, axis=1) -> (N, OH, OW, C) -> transpose -> (N, C, OH, OW)

    As in the book, ``stride`` defaults to 1 (the usual 2x2 pooling is ``Pooling(2, 2, stride=2)``)
    and padding cells hold 0 and take part in the max/average. A NaN counts as larger than every
    number (as ``np.max`` and ``np.argmax`` have it): a window holding one outputs NaN and sends its
    gradient to its first NaN; :class:`~cnnlib.fast_layers.FastPooling` follows the same rule. ``col_pool`` (after forward) and
    ``dmax``, ``dcol`` (after backward) are kept so notebook 7.4 and the im2col explorer can show
    them. The networks use :class:`cnnlib.fast_layers.FastPooling`: the same numbers, faster.
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
        self.col_pool = self.dmax = self.dcol = None

    def output_shape(self, input_shape):
        """(N, C, OH, OW) for an input of shape (N, C, H, W), or a ValueError explaining why not."""
        N, C, H, W = input_shape
        out_h, out_w = pool_output_shape((H, W), (self.pool_h, self.pool_w), self.stride, self.pad, floor=self.floor)
        return N, C, out_h, out_w

    def forward(self, x):
        x = _floating(require_4d("Pooling", x))
        N, C, out_h, out_w = self.output_shape(x.shape)

        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad, floor=self.floor)
        col = col.reshape(-1, self.pool_h * self.pool_w)
        if self.method == "max":
            self.arg_max = np.argmax(col, axis=1)
            out = np.max(col, axis=1)
        else:
            out = np.mean(col, axis=1)
        out = out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)

        self.x, self.col_pool = x, col
        return out

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)  # (N, OH, OW, C): the rows' order
        pool_size = self.pool_h * self.pool_w
        if self.method == "max":
            dmax = np.zeros((dout.size, pool_size), dtype=dout.dtype)
            dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        else:  # every cell of the window had weight 1/pool_size
            dmax = np.repeat(dout.reshape(-1, 1) / pool_size, pool_size, axis=1)
        N, OH, OW, C = dout.shape
        dcol = dmax.reshape(N * OH * OW, C * pool_size)  # not -1: that fails for an empty batch
        dx = col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad, floor=self.floor)
        self.dmax, self.dcol = dmax, dcol
        return dx
