"""The speed variants against the book's layers, as ratios measured in one run (docs/differences.md).

Shapes of SimpleConvNet's training step (batch 100, float32): ReLU on Conv1's output
(100, 30, 24, 24) and 2x2 max pooling with stride 2 on it. Each layer does forward + backward;
the two versions are timed alternately in blocks, so a busy machine slows both alike.

Run: python3 tasks.py bench bench/bench_fast_layers.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from cnnlib import Pooling, Relu
from cnnlib.fast_layers import FastPooling, FastRelu

BLOCKS, REPEAT = 7, 5


def step(layer, x, dout):
    out = layer.forward(x)
    layer.backward(dout.copy())
    return out


def seconds(layer, x, dout):
    start = time.perf_counter()
    for _ in range(REPEAT):
        step(layer, x, dout)
    return (time.perf_counter() - start) / REPEAT


def compare(name, book, fast, x, dout):
    np.testing.assert_allclose(step(book, x, dout), step(fast, x, dout))  # the same numbers first
    ratios, t_book, t_fast = [], [], []
    for _ in range(BLOCKS):
        b, f = seconds(book, x, dout), seconds(fast, x, dout)
        t_book.append(b)
        t_fast.append(f)
        ratios.append(b / f)
    print(f"{name:32s} book {statistics.median(t_book) * 1e3:6.2f} ms   fast {statistics.median(t_fast) * 1e3:6.2f} ms"
          f"   book/fast {statistics.median(ratios):4.1f}x (range {min(ratios):.1f}-{max(ratios):.1f})")


def main():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((100, 30, 24, 24)).astype(np.float32)
    compare("ReLU (100, 30, 24, 24)", Relu(), FastRelu(), x, rng.standard_normal(x.shape).astype(np.float32))
    pooled = (100, 30, 12, 12)
    compare("max pooling 2x2/2 (100, 30, 24, 24)", Pooling(2, 2, stride=2), FastPooling(2, 2, stride=2), x,
            rng.standard_normal(pooled).astype(np.float32))


if __name__ == "__main__":
    main()
