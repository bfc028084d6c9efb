"""The speed variants give the book's layers' numbers: outputs, winning cells (ties included) and
gradients (cnnlib.fast_layers against cnnlib.layers and the loops)."""

import numpy as np
import pytest

from cnnlib import Pooling, Relu
from cnnlib.fast_layers import FastPooling, FastRelu
from cnnlib.reference import pool_backward_loops, pool_forward_loops


@pytest.mark.parametrize("method", ["max", "average"])
@pytest.mark.parametrize("seed", range(8))
def test_fast_pooling_equals_the_books_pooling_and_the_loops(seed, method):
    rng = np.random.default_rng(seed)
    ph, pw = (int(v) for v in rng.integers(1, 4, size=2))
    stride, pad = int(rng.integers(1, 4)), int(rng.integers(0, 2))
    H, W = int(rng.integers(ph, 9)), int(rng.integers(pw, 9))
    x = rng.integers(0, 5, size=(2, 3, H, W)).astype(float)      # small integers: many ties
    book = Pooling(ph, pw, stride, pad, method=method, floor=True)
    fast = FastPooling(ph, pw, stride, pad, method=method, floor=True)
    out = book.forward(x)
    np.testing.assert_allclose(out, fast.forward(x), rtol=1e-12)
    np.testing.assert_allclose(out, pool_forward_loops(x, ph, pw, stride, pad, method), rtol=1e-12)
    if method == "max":  # the same winner, the first of equal values, as np.argmax
        np.testing.assert_array_equal(book.arg_max, fast.arg_max.transpose(0, 2, 3, 1).ravel())
    dout = rng.standard_normal(out.shape)
    dx = book.backward(dout.copy())
    np.testing.assert_allclose(dx, fast.backward(dout.copy()), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dx, pool_backward_loops(x, dout, ph, pw, stride, pad, method), rtol=1e-12, atol=1e-15)
    assert book.dcol.shape == (out.shape[0] * out.shape[2] * out.shape[3], 3 * ph * pw)


def test_fast_relu_equals_the_books_relu():
    x = np.random.default_rng(0).standard_normal((4, 3, 5, 5)).astype(np.float32)
    x[0, 0, 0, :3] = 0.0  # exactly 0: masked in both (x <= 0)
    dout = np.random.default_rng(1).standard_normal(x.shape).astype(np.float32)
    book, fast = Relu(), FastRelu()
    np.testing.assert_array_equal(book.forward(x), fast.forward(x))
    np.testing.assert_array_equal(book.backward(dout.copy()), fast.backward(dout.copy()))


def test_pooling_refuses_bad_input_clearly():
    for Layer in (Pooling, FastPooling):
        with pytest.raises(ValueError, match="not a whole number"):
            Layer(2, 2, stride=2).forward(np.zeros((1, 1, 5, 5)))
        with pytest.raises(ValueError, match="4-D input"):
            Layer(2, 2).forward(np.zeros((5, 5)))
