"""The speed variants against the book's layers, as ratios measured in one run (docs/differences.md).

Shapes of SimpleConvNet's training step (batch 100, float32): Conv1 (30 filters 5x5 on
(100, 1, 28, 28), backward without the input's gradient, as the networks do for a first layer), ReLU on
its output (100, 30, 24, 24) and 2x2 max pooling with stride 2 on that. Each layer does forward + backward;
the two versions are timed alternately in blocks, so a busy machine slows both alike.

Run: python3 tasks.py bench bench/bench_fast_layers.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from cnnlib import Convolution, Pooling, Relu
from cnnlib.fast_layers import FastConvolution, FastPooling, FastRelu

BLOCKS, REPEAT = 7, 5


def step(layer, x, dout):
    out = layer.forward(x)
    if isinstance(layer, Convolution):
        layer.backward(dout.copy(), input_grad=False)
    else:
        layer.backward(dout.copy())
    return out


def seconds(layer, x, dout):
    start = time.perf_counter()
    for _ in range(REPEAT):
        step(layer, x, dout)
    return (time.perf_counter() - start) / REPEAT


def compare(name, book, fast, x, dout):
    np.testing.assert_allclose(step(book, x, dout), step(fast, x, dout), rtol=1e-5, atol=1e-5)  # the same numbers first
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
    images = rng.random((100, 1, 28, 28), dtype=np.float32)
    W, b = (0.1 * rng.standard_normal((30, 1, 5, 5))).astype(np.float32), np.zeros(30, dtype=np.float32)
    x = rng.standard_normal((100, 30, 24, 24)).astype(np.float32)
    compare("convolution 30@5x5 (100, 1, 28, 28)", Convolution(W, b), FastConvolution(W, b), images, x)
    compare("ReLU (100, 30, 24, 24)", Relu(), FastRelu(), x, rng.standard_normal(x.shape).astype(np.float32))
    pooled = (100, 30, 12, 12)
    compare("max pooling 2x2/2 (100, 30, 24, 24)", Pooling(2, 2, stride=2), FastPooling(2, 2, stride=2), x,
            rng.standard_normal(pooled).astype(np.float32))


if __name__ == "__main__":
    main()
