"""Test cases of the exercises: the book's worked example first, then seeded random cases
that grow from tiny to realistic.

Every geometry is valid under the book's rule (``(H + 2P - FH) / S + 1`` is a whole number).
Values are small integers (as in the book's figures), so sums are exact, grids are easy to
read, and max pooling windows often hold ties (which tells "first of the tied maxima"
from "last"). Filters are usually not symmetric, biases not zero, and windows overlap in
some cases and not in others — so that every mistake in the catalogue shows somewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import book_examples
from ..shapes import shape_text

__all__ = ["Case", "conv_single_cases", "conv_cases", "pool_cases", "im2col_cases",
           "col2im_cases", "conv_backward_cases", "pool_backward_cases", "convnet_cases",
           "BOOK_X", "BOOK_W", "BOOK_POOL_X"]

# 그림 7-3 (the convolution example) and 그림 7-14 (the max pooling example), as floats.
BOOK_X = book_examples.BOOK_X.astype(float)
BOOK_W = book_examples.BOOK_W.astype(float)
BOOK_POOL_X = book_examples.BOOK_POOL_X.astype(float)


@dataclass(frozen=True)
class Case:
    """One call of the learner's code: input arrays and scalar parameters (in call order)."""

    arrays: dict
    params: dict = field(default_factory=dict)
    label: str = ""  # e.g. "책의 예 (그림 7-3)"

    @property
    def size(self) -> int:
        return int(sum(a.size for a in self.arrays.values()))

    def fresh(self) -> dict:
        """Copies of the input arrays: the learner's code may change its inputs in place."""
        return {k: a.copy() for k, a in self.arrays.items()}

    def describe(self) -> str:
        """'x (4, 4), w (3, 3), stride=1, pad=0'."""
        parts = [f"{k} {shape_text(a.shape)}" for k, a in self.arrays.items()]
        params = {}
        for k, v in self.params.items():  # nested settings (conv_param) flat; "_seed" and the like hidden
            params.update(v if isinstance(v, dict) else {k: v} if not k.startswith("_") else {})
        parts += [f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in params.items()]
        return ", ".join(parts)


def _ints(rng, low, high, shape):
    return rng.integers(low, high + 1, size=shape).astype(float)


def _geometry(rng, level, filters=(1, 4)):
    """(H, W, FH, FW, stride, pad) valid under the book's rule; sizes grow with ``level`` in [0, 1].
    Inputs are at least 2x2; small cases have no 1x1 filter and more than one output cell
    (too bare to learn from)."""
    f_low, f_high = filters
    f_top = min(f_high, f_low + 1 + round(2 * level))
    o_top = 2 + round(3 * level)
    while True:
        FH, FW = (int(v) for v in rng.integers(f_low, f_top + 1, size=2))
        OH, OW = (int(v) for v in rng.integers(1, o_top + 1, size=2))
        stride = int(rng.integers(1, 4))
        pad = int(rng.integers(0, min(FH, FW, 3)))  # pad < filter: every window holds a real cell
        H, W = (OH - 1) * stride + FH - 2 * pad, (OW - 1) * stride + FW - 2 * pad
        if min(H, W) >= 2 and (level > 0.5 or (FH * FW > 1 and OH * OW > 1)):
            return H, W, FH, FW, stride, pad


def _levels(n):
    return [k / (n - 1) for k in range(n)]


def _counts(rng, level):
    """(N, C, FN): 1 for tiny cases, up to (2, 3, 3) for realistic ones."""
    N = 1 if level < 0.4 else int(rng.integers(1, 3))
    C = 1 if level < 0.15 else int(rng.integers(1, 4))
    FN = 1 if level < 0.25 else int(rng.integers(1, 4))
    return N, C, FN


def _ordered(book, random_cases):
    """The book's cases first, then the random ones from small to large."""
    return list(book) + sorted(random_cases, key=lambda c: c.size)


def conv_single_cases(n=40, seed=702):
    book = [Case({"x": BOOK_X, "w": BOOK_W}, {"stride": 1, "pad": 0}, "책의 예 (그림 7-3)"),
            Case({"x": BOOK_X, "w": BOOK_W}, {"stride": 1, "pad": 1}, "책의 예 (그림 7-6, 패딩 1)")]
    rng = np.random.default_rng(seed)
    cases = []
    for level in _levels(n):
        H, W, FH, FW, stride, pad = _geometry(rng, level)
        cases.append(Case({"x": _ints(rng, -2, 5, (H, W)), "w": _ints(rng, -2, 3, (FH, FW))},
                          {"stride": stride, "pad": pad}))
    return _ordered(book, cases)


def conv_cases(n=40, seed=7021, weight_name="w"):
    """x (N, C, H, W), w (FN, C, FH, FW), b (FN,); ``weight_name`` "W" for a layer's filters."""
    book = [Case({"x": BOOK_X.reshape(1, 1, 4, 4), weight_name: BOOK_W.reshape(1, 1, 3, 3), "b": np.array([3.0])},
                 {"stride": 1, "pad": 0}, "책의 예 (그림 7-5, 편향 3)")]
    rng = np.random.default_rng(seed)
    cases = []
    for level in _levels(n):
        H, W, FH, FW, stride, pad = _geometry(rng, level)
        N, C, FN = _counts(rng, level)
        cases.append(Case({"x": _ints(rng, -2, 5, (N, C, H, W)), weight_name: _ints(rng, -2, 3, (FN, C, FH, FW)),
                           "b": _ints(rng, -3, 3, (FN,))}, {"stride": stride, "pad": pad}))
    return _ordered(book, cases)


def pool_cases(n=40, seed=703, methods=("max", "average")):
    """x (N, C, H, W); pool_h, pool_w, stride, pad, method. Values -3..3: ties and negatives
    (so a padding 0 can win a window)."""
    book = [Case({"x": BOOK_POOL_X.reshape(1, 1, 4, 4)},
                 {"pool_h": 2, "pool_w": 2, "stride": 2, "pad": 0, "method": "max"}, "책의 예 (그림 7-14)")]
    if "average" in methods:
        book.append(Case({"x": BOOK_POOL_X.reshape(1, 1, 4, 4)},
                         {"pool_h": 2, "pool_w": 2, "stride": 2, "pad": 0, "method": "average"},
                         "책의 예 (그림 7-14, 평균 풀링)"))
    rng = np.random.default_rng(seed)
    cases = []
    for k, level in enumerate(_levels(n)):
        H, W, ph, pw, stride, pad = _geometry(rng, level, filters=(1, 3))
        N, C, _ = _counts(rng, level)
        cases.append(Case({"x": _ints(rng, -3, 3, (N, C, H, W))},
                          {"pool_h": ph, "pool_w": pw, "stride": stride, "pad": pad,
                           "method": methods[k % len(methods)]}))
    return _ordered(book, cases)


def im2col_cases(n=40, seed=704):
    """input_data (N, C, H, W); filter_h, filter_w, stride, pad."""
    book = [Case({"input_data": BOOK_X.reshape(1, 1, 4, 4)},
                 {"filter_h": 3, "filter_w": 3, "stride": 1, "pad": 0}, "책의 예 (그림 7-3의 입력, 3×3 필터)")]
    rng = np.random.default_rng(seed)
    cases = []
    for level in _levels(n):
        H, W, FH, FW, stride, pad = _geometry(rng, level)
        N, C, _ = _counts(rng, level)
        cases.append(Case({"input_data": _ints(rng, 1, 9, (N, C, H, W))},
                          {"filter_h": FH, "filter_w": FW, "stride": stride, "pad": pad}))
    return _ordered(book, cases)


def col2im_cases(n=40, seed=705):
    """col (N*OH*OW, C*FH*FW); input_shape, filter_h, filter_w, stride, pad. The book's case:
    all ones, so the result counts how many windows hold each input cell."""
    book = [Case({"col": np.ones((4, 9))}, {"input_shape": (1, 1, 4, 4), "filter_h": 3, "filter_w": 3,
                                            "stride": 1, "pad": 0}, "col이 모두 1 (그림 7-3의 크기)")]
    rng = np.random.default_rng(seed)
    cases = []
    for level in _levels(n):
        H, W, FH, FW, stride, pad = _geometry(rng, level)
        N, C, _ = _counts(rng, level)
        OH, OW = (H + 2 * pad - FH) // stride + 1, (W + 2 * pad - FW) // stride + 1
        cases.append(Case({"col": _ints(rng, -2, 5, (N * OH * OW, C * FH * FW))},
                          {"input_shape": (N, C, H, W), "filter_h": FH, "filter_w": FW,
                           "stride": stride, "pad": pad}))
    return _ordered(book, cases)


def conv_backward_cases(n=30, seed=706):
    """x, W, b and dout (N, FN, OH, OW); stride, pad."""
    book = [Case({"x": BOOK_X.reshape(1, 1, 4, 4), "W": BOOK_W.reshape(1, 1, 3, 3), "b": np.array([3.0]),
                  "dout": np.array([[[[1.0, 2.0], [3.0, 4.0]]]])}, {"stride": 1, "pad": 0}, "책의 예 (그림 7-5)")]
    rng = np.random.default_rng(seed)
    cases = []
    for level in _levels(n):
        H, W, FH, FW, stride, pad = _geometry(rng, level)
        N, C, FN = _counts(rng, level)
        OH, OW = (H + 2 * pad - FH) // stride + 1, (W + 2 * pad - FW) // stride + 1
        cases.append(Case({"x": _ints(rng, -2, 5, (N, C, H, W)), "W": _ints(rng, -2, 3, (FN, C, FH, FW)),
                           "b": _ints(rng, -3, 3, (FN,)), "dout": _ints(rng, -2, 3, (N, FN, OH, OW))},
                          {"stride": stride, "pad": pad}))
    return _ordered(book, cases)


def pool_backward_cases(n=30, seed=707):
    """x and dout (N, C, OH, OW); pool_h, pool_w, stride, pad (max pooling). dout is never 0,
    so every misrouted gradient shows."""
    book = [Case({"x": BOOK_POOL_X.reshape(1, 1, 4, 4), "dout": np.array([[[[1.0, 2.0], [3.0, 4.0]]]])},
                 {"pool_h": 2, "pool_w": 2, "stride": 2, "pad": 0}, "책의 예 (그림 7-14)")]
    rng = np.random.default_rng(seed)
    cases = []
    for level in _levels(n):
        H, W, ph, pw, stride, pad = _geometry(rng, level, filters=(1, 3))
        N, C, _ = _counts(rng, level)
        OH, OW = (H + 2 * pad - ph) // stride + 1, (W + 2 * pad - pw) // stride + 1
        dout = _ints(rng, 1, 5, (N, C, OH, OW)) * rng.choice([-1.0, 1.0], size=(N, C, OH, OW))
        cases.append(Case({"x": _ints(rng, -3, 3, (N, C, H, W)), "dout": dout},
                          {"pool_h": ph, "pool_w": pw, "stride": stride, "pad": pad}))
    return _ordered(book, cases)


# (input_dim, conv_param, hidden_size, output_size, N): the convolution's output is even, so the
# 2x2 pooling (stride 2) fits exactly.
CONVNET_SETTINGS = [
    ((1, 6, 6), {"filter_num": 2, "filter_size": 3, "pad": 1, "stride": 1}, 4, 3, 2),
    ((2, 8, 6), {"filter_num": 3, "filter_size": 3, "pad": 0, "stride": 1}, 5, 4, 3),
    ((1, 11, 11), {"filter_num": 2, "filter_size": 3, "pad": 1, "stride": 2}, 6, 3, 2),
    ((3, 10, 10), {"filter_num": 4, "filter_size": 5, "pad": 2, "stride": 1}, 10, 10, 4),
]


def convnet_cases(seed=705):
    """x (N, C, H, W), t (N,) labels; the network's sizes and a seed for its weights."""
    rng = np.random.default_rng(seed)
    cases = []
    for k, (input_dim, conv_param, hidden, out, N) in enumerate(CONVNET_SETTINGS):
        x = rng.standard_normal((N, *input_dim))
        t = rng.integers(0, out, size=N)
        cases.append(Case({"x": x, "t": t}, {"input_dim": input_dim, "conv_param": conv_param,
                                             "hidden_size": hidden, "output_size": out, "_seed": seed + k}))
    return cases
