"""im2col, col2im and Convolution forward+backward: fast versions vs the plain loops, as ratios.

Two cases: SimpleConvNet's first layer (N=100, C=1, 28x28, 30 filters 5x5) and a
multi-channel layer (N=8, C=16, 32x32, 32 filters 3x3, pad 1).

The loops are timed on the first `LOOP_SAMPLES` samples of the batch and scaled to the full
batch (their cost is exactly linear in N); the fast versions are timed on the whole batch.
Also compares two ways to build the im2col matrix: numpy's sliding_window_view (what
cnnlib uses: one copy) and the book's loop over filter cells into a 6-D array (two copies).

Run: python3 tasks.py bench bench/bench_im2col.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from cnnlib import Convolution, col2im, im2col
from cnnlib.reference import col2im_loops, conv_backward_loops, conv_forward_loops, im2col_loops
from cnnlib.shapes import conv_output_shape

LOOP_SAMPLES = 1


def best_of(fn, repeat=5):
    """Median of `repeat` timings (seconds)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def im2col_book_style(x, fh, fw, stride=1, pad=0):
    """The book's im2col (7.4.3): a 6-D zero array filled filter cell by filter cell, then a transpose."""
    N, C, H, W = x.shape
    out_h, out_w = conv_output_shape((H, W), (fh, fw), stride, pad)
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.zeros((N, C, fh, fw, out_h, out_w), dtype=x.dtype)
    for y in range(fh):
        y_max = y + stride * out_h
        for xx in range(fw):
            x_max = xx + stride * out_w
            col[:, :, y, xx, :, :] = img[:, :, y:y_max:stride, xx:x_max:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)


def run_case(name, N, C, H, W, FN, F, pad, dtype=np.float32):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, C, H, W)).astype(dtype)
    Wt = (0.1 * rng.standard_normal((FN, C, F, F))).astype(dtype)
    b = np.zeros(FN, dtype=dtype)
    scale = N / LOOP_SAMPLES
    xs = x[:LOOP_SAMPLES]
    print(f"\n== {name}: x {x.shape}, W {Wt.shape}, pad {pad}, {np.dtype(dtype).name} ==")

    # im2col
    t_fast = best_of(lambda: im2col(x, F, F, 1, pad))
    t_book = best_of(lambda: im2col_book_style(x, F, F, 1, pad))
    t_loop = best_of(lambda: im2col_loops(xs, F, F, 1, pad), repeat=1) * scale
    np.testing.assert_array_equal(im2col(x, F, F, 1, pad), im2col_book_style(x, F, F, 1, pad))
    col = im2col(x, F, F, 1, pad)
    print(f"im2col   fast {t_fast*1e3:8.2f} ms | book-style 6-D {t_book*1e3:8.2f} ms "
          f"(fast is {t_book/t_fast:4.1f}x faster) | loops {t_loop*1e3:10.0f} ms (fast is {t_loop/t_fast:6.0f}x faster)")

    # col2im
    cs = col[: col.shape[0] * LOOP_SAMPLES // N]
    t_fast = best_of(lambda: col2im(col, x.shape, F, F, 1, pad))
    t_loop = best_of(lambda: col2im_loops(cs, xs.shape, F, F, 1, pad), repeat=1) * scale
    print(f"col2im   fast {t_fast*1e3:8.2f} ms | loops {t_loop*1e3:10.0f} ms (fast is {t_loop/t_fast:6.0f}x faster)")

    # Convolution forward + backward
    layer = Convolution(Wt, b, 1, pad)
    dout = rng.standard_normal(layer.forward(x).shape).astype(dtype)

    def fast_step():
        layer.forward(x)
        layer.backward(dout)

    t_fast = best_of(fast_step)
    t0 = time.perf_counter()
    conv_forward_loops(xs, Wt, b, 1, pad)
    conv_backward_loops(xs, Wt, dout[:LOOP_SAMPLES], 1, pad)
    t_loop = (time.perf_counter() - t0) * scale
    print(f"conv f+b fast {t_fast*1e3:8.2f} ms | loops {t_loop*1e3:10.0f} ms (fast is {t_loop/t_fast:6.0f}x faster)")


def main():
    print(__doc__.split("\n\n")[0])
    print(f"(loops timed on {LOOP_SAMPLES} sample(s) and scaled to N; numpy {np.__version__})")
    run_case("SimpleConvNet conv1", N=100, C=1, H=28, W=28, FN=30, F=5, pad=0)
    run_case("multi-channel", N=8, C=16, H=32, W=32, FN=32, F=3, pad=1)


if __name__ == "__main__":
    main()
