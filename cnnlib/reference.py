"""Plain nested-loop versions of convolution, pooling, im2col and col2im.

Slow on purpose: each is the definition written out as loops, with no shared
code with the fast versions (not even the size formula — window positions are
found by sliding until the window no longer fits).  The tests check the fast
layers against these, and notebook 7.4 times them to show why im2col matters.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "window_starts",
    "im2col_loops",
    "col2im_loops",
    "conv_forward_loops",
    "conv_backward_loops",
    "pool_forward_loops",
    "pool_backward_loops",
    "lrn_forward_loops",
]


def window_starts(padded_size, span, stride):
    """Start positions of every window that fits: 0, stride, 2*stride, ..."""
    return list(range(0, padded_size - span + 1, stride))


def _pad(x, pad):
    N, C, H, W = x.shape
    out = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=x.dtype)
    out[:, :, pad : pad + H, pad : pad + W] = x
    return out


def im2col_loops(x, filter_h, filter_w, stride=1, pad=0, dilation=1):
    """(N, C, H, W) -> (N*OH*OW, C*FH*FW), one window per row, filled cell by cell."""
    N, C, H, W = x.shape
    xp = _pad(x, pad)
    ys = window_starts(H + 2 * pad, dilation * (filter_h - 1) + 1, stride)
    xs = window_starts(W + 2 * pad, dilation * (filter_w - 1) + 1, stride)
    col = np.zeros((N * len(ys) * len(xs), C * filter_h * filter_w), dtype=x.dtype)
    row = 0
    for n in range(N):
        for y0 in ys:
            for x0 in xs:
                column = 0
                for c in range(C):
                    for i in range(filter_h):
                        for j in range(filter_w):
                            col[row, column] = xp[n, c, y0 + i * dilation, x0 + j * dilation]
                            column += 1
                row += 1
    return col


def col2im_loops(col, input_shape, filter_h, filter_w, stride=1, pad=0, dilation=1):
    """Adjoint of :func:`im2col_loops`: every entry is added back to the cell it came from."""
    N, C, H, W = input_shape
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=col.dtype)
    ys = window_starts(H + 2 * pad, dilation * (filter_h - 1) + 1, stride)
    xs = window_starts(W + 2 * pad, dilation * (filter_w - 1) + 1, stride)
    row = 0
    for n in range(N):
        for y0 in ys:
            for x0 in xs:
                column = 0
                for c in range(C):
                    for i in range(filter_h):
                        for j in range(filter_w):
                            xp[n, c, y0 + i * dilation, x0 + j * dilation] += col[row, column]
                            column += 1
                row += 1
    return xp[:, :, pad : pad + H, pad : pad + W]


def conv_forward_loops(x, W, b, stride=1, pad=0, dilation=1):
    """out[n, f, oy, ox] = sum over c, i, j of x_padded[n, c, window cell] * W[f, c, i, j] + b[f]."""
    N, C, H, Wd = x.shape
    FN, _, FH, FW = W.shape
    xp = _pad(x, pad)
    ys = window_starts(H + 2 * pad, dilation * (FH - 1) + 1, stride)
    xs = window_starts(Wd + 2 * pad, dilation * (FW - 1) + 1, stride)
    out = np.zeros((N, FN, len(ys), len(xs)), dtype=np.result_type(x, W, b))
    for n in range(N):
        for f in range(FN):
            for oy, y0 in enumerate(ys):
                for ox, x0 in enumerate(xs):
                    total = b[f]
                    for c in range(C):
                        for i in range(FH):
                            for j in range(FW):
                                total += xp[n, c, y0 + i * dilation, x0 + j * dilation] * W[f, c, i, j]
                    out[n, f, oy, ox] = total
    return out


def conv_backward_loops(x, W, dout, stride=1, pad=0, dilation=1):
    """Gradients (dx, dW, db) of :func:`conv_forward_loops`, by the chain rule cell by cell."""
    N, C, H, Wd = x.shape
    FN, _, FH, FW = W.shape
    xp = _pad(x, pad)
    dxp = np.zeros_like(xp, dtype=dout.dtype)
    dW = np.zeros(W.shape, dtype=dout.dtype)
    db = np.zeros(FN, dtype=dout.dtype)
    ys = window_starts(H + 2 * pad, dilation * (FH - 1) + 1, stride)
    xs = window_starts(Wd + 2 * pad, dilation * (FW - 1) + 1, stride)
    for n in range(N):
        for f in range(FN):
            for oy, y0 in enumerate(ys):
                for ox, x0 in enumerate(xs):
                    g = dout[n, f, oy, ox]
                    db[f] += g
                    for c in range(C):
                        for i in range(FH):
                            for j in range(FW):
                                yy, xx = y0 + i * dilation, x0 + j * dilation
                                dW[f, c, i, j] += xp[n, c, yy, xx] * g
                                dxp[n, c, yy, xx] += W[f, c, i, j] * g
    return dxp[:, :, pad : pad + H, pad : pad + Wd], dW, db


def pool_forward_loops(x, pool_h, pool_w, stride=1, pad=0, method="max"):
    """Max or average of each window, channel by channel (padding cells hold 0, as in the book)."""
    N, C, H, W = x.shape
    xp = _pad(x, pad)
    ys = window_starts(H + 2 * pad, pool_h, stride)
    xs = window_starts(W + 2 * pad, pool_w, stride)
    out = np.zeros((N, C, len(ys), len(xs)), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for oy, y0 in enumerate(ys):
                for ox, x0 in enumerate(xs):
                    cells = [xp[n, c, y0 + i, x0 + j] for i in range(pool_h) for j in range(pool_w)]
                    out[n, c, oy, ox] = max(cells) if method == "max" else sum(cells) / len(cells)
    return out


def pool_backward_loops(x, dout, pool_h, pool_w, stride=1, pad=0, method="max"):
    """dx of :func:`pool_forward_loops`: max sends each gradient to the first largest cell of
    its window (reading order); average shares it equally among the window's cells."""
    N, C, H, W = x.shape
    xp = _pad(x, pad)
    dxp = np.zeros(xp.shape, dtype=dout.dtype)
    ys = window_starts(H + 2 * pad, pool_h, stride)
    xs = window_starts(W + 2 * pad, pool_w, stride)
    for n in range(N):
        for c in range(C):
            for oy, y0 in enumerate(ys):
                for ox, x0 in enumerate(xs):
                    g = dout[n, c, oy, ox]
                    if method == "max":
                        best = None
                        for i in range(pool_h):
                            for j in range(pool_w):
                                if best is None or xp[n, c, y0 + i, x0 + j] > xp[n, c, best[0], best[1]]:
                                    best = (y0 + i, x0 + j)
                        dxp[n, c, best[0], best[1]] += g
                    else:
                        for i in range(pool_h):
                            for j in range(pool_w):
                                dxp[n, c, y0 + i, x0 + j] += g / (pool_h * pool_w)
    return dxp[:, :, pad : pad + H, pad : pad + W]


def lrn_forward_loops(x, k=2.0, n=5, alpha=1e-4, beta=0.75):
    """AlexNet's local response normalisation, channel by channel, cell by cell: channel c is divided
    by its n neighbours c - n//2 ... c + (n-1)//2 (PyTorch's window; centred when n is odd)."""
    N, C, H, W = x.shape
    out = np.zeros_like(x)
    for b in range(N):
        for c in range(C):
            for y in range(H):
                for xx in range(W):
                    total = 0.0
                    for j in range(max(0, c - n // 2), min(C - 1, c + (n - 1) // 2) + 1):
                        total += x[b, j, y, xx] ** 2
                    out[b, c, y, xx] = x[b, c, y, xx] / (k + alpha * total) ** beta
    return out
