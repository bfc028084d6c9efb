"""The speed variants give the book's layers' numbers: outputs, winning cells (ties included) and
gradients (cnnlib.fast_layers against cnnlib.layers and the loops)."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

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


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 3), c=st.integers(1, 3), h=st.integers(2, 9), w=st.integers(2, 9),
       levels=st.sampled_from([1, 2, 3, 50]), dtype=st.sampled_from([np.float32, np.float64]),
       layout=st.sampled_from(["contiguous", "transposed", "sliced"]), seed=st.integers(0, 2**32 - 1))
def test_fast_pooling_2x2_path_equals_the_books_pooling(n, c, h, w, levels, dtype, layout, seed):
    """The networks' 2x2 max pooling (its own path): the book's outputs, winners and gradients, with
    many ties (few distinct values), odd sizes (floor drops the last row/column) and inputs that are
    not contiguous."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, levels, size=(n, c, h, w)).astype(dtype) * dtype(0.5)
    if layout == "transposed":
        x = np.ascontiguousarray(x.transpose(0, 1, 3, 2)).transpose(0, 1, 3, 2)
    elif layout == "sliced":
        x = np.repeat(x, 2, axis=3)[..., ::2]  # a strided view of the same numbers
    book, fast = Pooling(2, 2, stride=2, floor=True), FastPooling(2, 2, stride=2, floor=True)
    assert fast.pairs
    out = book.forward(x)
    np.testing.assert_array_equal(fast.forward(x), out)
    np.testing.assert_array_equal(fast.arg_max.transpose(0, 2, 3, 1).ravel(), book.arg_max)  # first of ties
    np.testing.assert_array_equal(out, pool_forward_loops(x, 2, 2, 2, 0, "max")[:, :, : h // 2, : w // 2])
    dout = rng.standard_normal(out.shape).astype(dtype)
    dx = fast.backward(dout.copy())
    assert dx.dtype == dtype and dx.shape == x.shape
    np.testing.assert_array_equal(dx, book.backward(dout.copy()))


def test_fast_pooling_2x2_path_random_floats_and_later_arg_max():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3, 8, 6)).astype(np.float32)
    book, fast = Pooling(2, 2, stride=2), FastPooling(2, 2, stride=2)
    np.testing.assert_array_equal(fast.forward(x), book.forward(x))
    dout = rng.standard_normal((4, 3, 4, 3)).astype(np.float32)
    np.testing.assert_array_equal(fast.backward(dout.copy()), book.backward(dout.copy()))
    np.testing.assert_array_equal(fast.arg_max.transpose(0, 2, 3, 1).ravel(), book.arg_max)  # after backward too
    fast.forward(x[:, :, ::-1])  # a new forward finds new winners
    book.forward(x[:, :, ::-1])
    np.testing.assert_array_equal(fast.arg_max.transpose(0, 2, 3, 1).ravel(), book.arg_max)
    assert not FastPooling(2, 2, stride=2, pad=1).pairs and not FastPooling(2, 2, stride=2, method="average").pairs


def test_fast_relu_equals_the_books_relu():
    x = np.random.default_rng(0).standard_normal((4, 3, 5, 5)).astype(np.float32)
    x[0, 0, 0, :3] = 0.0  # exactly 0: masked in both (x <= 0)
    dout = np.random.default_rng(1).standard_normal(x.shape).astype(np.float32)
    book, fast = Relu(), FastRelu()
    np.testing.assert_array_equal(book.forward(x), fast.forward(x))
    np.testing.assert_array_equal(book.mask, fast.mask)
    np.testing.assert_array_equal(book.backward(dout.copy()), fast.backward(dout.copy()))
    assert FastRelu().mask is None


def test_pooling_refuses_bad_input_clearly():
    for Layer in (Pooling, FastPooling):
        with pytest.raises(ValueError, match="not a whole number"):
            Layer(2, 2, stride=2).forward(np.zeros((1, 1, 5, 5)))
        with pytest.raises(ValueError, match="4-D input"):
            Layer(2, 2).forward(np.zeros((5, 5)))


@pytest.mark.parametrize("seed", range(6))
def test_fast_convolution_equals_the_books_convolution_and_the_loops(seed):
    from cnnlib import Convolution
    from cnnlib.fast_layers import FastConvolution
    from cnnlib.reference import conv_backward_loops, conv_forward_loops

    rng = np.random.default_rng(seed)
    N, C, FN = (int(v) for v in rng.integers(1, 4, size=3))
    F, stride, pad, dil = int(rng.integers(1, 4)), int(rng.integers(1, 3)), int(rng.integers(0, 3)), int(rng.integers(1, 3))
    H, W = int(rng.integers(dil * (F - 1) + 1, 10)), int(rng.integers(dil * (F - 1) + 1, 10))
    x, Wt, b = rng.standard_normal((N, C, H, W)), rng.standard_normal((FN, C, F, F)), rng.standard_normal(FN)
    book = Convolution(Wt, b, stride, pad, dil, floor=True)
    fast = FastConvolution(Wt, b, stride, pad, dil, floor=True)
    out = fast.forward(x)
    np.testing.assert_allclose(out, book.forward(x), rtol=1e-12, atol=1e-12)
    if (H + 2 * pad - dil * (F - 1) - 1) % stride == 0 and (W + 2 * pad - dil * (F - 1) - 1) % stride == 0:
        np.testing.assert_allclose(out, conv_forward_loops(x, Wt, b, stride, pad, dil), rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal(out.shape)
    dx = fast.backward(dout.copy())
    np.testing.assert_allclose(dx, book.backward(dout.copy()), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fast.dW, book.dW, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fast.db, book.db, rtol=1e-12, atol=1e-12)
    assert fast.backward(dout.copy(), input_grad=False) is None and np.allclose(fast.dW, book.dW)
    assert fast.col.nbytes == book.col.nbytes  # the same im2col numbers, laid out per sample


def test_fast_convolution_float32_and_integer_input():
    from cnnlib import Convolution
    from cnnlib.book_examples import BOOK_CONV_OUT, BOOK_W, BOOK_X
    from cnnlib.fast_layers import FastConvolution

    out = FastConvolution(BOOK_W.reshape(1, 1, 3, 3), np.zeros(1)).forward(BOOK_X.reshape(1, 1, 4, 4))
    np.testing.assert_array_equal(out[0, 0], BOOK_CONV_OUT)
    rng = np.random.default_rng(0)
    x = rng.random((4, 2, 9, 9), dtype=np.float32)
    W, b = rng.standard_normal((3, 2, 3, 3)).astype(np.float32), np.zeros(3, np.float32)
    fast, book = FastConvolution(W, b, 1, 1), Convolution(W, b, 1, 1)
    assert fast.forward(x).dtype == np.float32
    np.testing.assert_allclose(fast.forward(x), book.forward(x), rtol=1e-5, atol=1e-6)
