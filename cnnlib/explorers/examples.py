"""The explorers' example numbers: small seeded integers at the largest sizes the controls allow, with
the book's examples in the top-left corner (:mod:`cnnlib.book_examples`). An explorer slices them, so the
numbers stay in place when a slider grows or shrinks an array.
"""

from __future__ import annotations

import numpy as np

from ..book_examples import BOOK_B, BOOK_POOL_X, BOOK_W, BOOK_X

__all__ = ["conv_data", "pool_data", "im2col_data"]


def conv_data(N: int, C: int, H: int, W: int, FN: int, FH: int, FW: int, seed: int = 0):
    """x (N, C, H, W) in 0..3, W (FN, C, FH, FW) in -1..2 and b (FN,) in -2..3 (floats), with the book's
    그림 7-3 (4x4 input, 3x3 filter, bias 3) in the corner."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, size=(N, C, H, W)).astype(float)
    Wt = rng.integers(-1, 3, size=(FN, C, FH, FW)).astype(float)
    b = rng.integers(-2, 4, size=FN).astype(float)
    x[0, 0, :4, :4] = BOOK_X
    Wt[0, 0, :3, :3] = BOOK_W
    b[0] = BOOK_B
    return x, Wt, b


def pool_data(N: int, C: int, H: int, W: int, seed=0) -> np.ndarray:
    """Integers 0..9 of shape (N, C, H, W) with the book's 그림 7-14 (4x4, max pooled to [[2, 3], [4, 2]])
    in the corner of channel 0."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 10, size=(N, C, H, W)).astype(float)
    x[0, 0, :4, :4] = BOOK_POOL_X
    return x


def im2col_data(N: int, C: int, H: int, W: int, FN: int, big: int, seed=0):
    """The im2col explorer's extra numbers, from one generator seeded ``[seed, 74]``: the gradient dout
    (N, FN, big, big) in -1..2 of the convolution, the pooling input (N, C, H, W) in 0..9 (그림 7-14 in
    the corner) and the pooling gradient (N, C, big, big) in 1..5. ``big``: the most output rows."""
    rng = np.random.default_rng([seed, 74])
    dout = rng.integers(-1, 3, size=(N, FN, big, big)).astype(float)
    xp = rng.integers(0, 10, size=(N, C, H, W)).astype(float)
    xp[0, 0, :4, :4] = BOOK_POOL_X
    doutp = rng.integers(1, 6, size=(N, C, big, big)).astype(float)
    return dout, xp, doutp
