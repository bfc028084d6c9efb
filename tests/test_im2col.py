"""im2col/col2im: the book's order and shapes, loops as reference, and the adjoint identity."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cnnlib import im2col, col2im
from cnnlib.reference import im2col_loops, col2im_loops, window_starts


def test_book_shapes():
    rng = np.random.default_rng(0)
    assert im2col(rng.random((1, 3, 7, 7)), 5, 5, stride=1, pad=0).shape == (9, 75)
    assert im2col(rng.random((10, 3, 7, 7)), 5, 5, stride=1, pad=0).shape == (90, 75)


def test_book_row_and_column_order():
    # 2 samples, 2 channels, 3x3 input, 2x2 filter: rows (n, oh, ow), columns (c, fh, fw)
    x = np.arange(2 * 2 * 3 * 3).reshape(2, 2, 3, 3)
    col = im2col(x, 2, 2)
    assert col.shape == (2 * 2 * 2, 2 * 2 * 2)
    # row 0: sample 0, window (0, 0): channel 0 cells then channel 1 cells
    assert col[0].tolist() == [0, 1, 3, 4, 9, 10, 12, 13]
    # row 3: sample 0, window (1, 1)
    assert col[3].tolist() == [4, 5, 7, 8, 13, 14, 16, 17]
    # row 4: sample 1, window (0, 0)
    assert col[4].tolist() == [18, 19, 21, 22, 27, 28, 30, 31]


def test_dtype_is_preserved():
    x = np.ones((2, 3, 6, 6), dtype=np.float32)
    col = im2col(x, 3, 3, pad=1)
    assert col.dtype == np.float32
    assert col2im(col, x.shape, 3, 3, pad=1).dtype == np.float32


@pytest.mark.parametrize("dtype, value", [(bool, True), (np.uint8, 100), (np.int8, 100), (np.int64, 7)])
def test_col2im_of_integer_or_boolean_columns_adds_in_float(dtype, value):
    """Issue 25.6: in their own dtype the sums were ORed (bool) or wrapped around (uint8: 132 for 900)."""
    x = np.full((1, 1, 5, 5), value, dtype=dtype)
    back = col2im(im2col(x, 3, 3), x.shape, 3, 3)
    assert back.dtype == np.float64
    covered = col2im(im2col(np.ones((1, 1, 5, 5)), 3, 3), x.shape, 3, 3)  # windows over each cell, 1 to 9
    np.testing.assert_array_equal(back, covered * int(value))


def test_invalid_geometry_raises_the_shape_message():
    with pytest.raises(ValueError, match="remainder 1"):
        im2col(np.zeros((1, 1, 7, 7)), 3, 3, stride=3)
    with pytest.raises(ValueError, match="4-D"):
        im2col(np.zeros((7, 7)), 3, 3)
    with pytest.raises(ValueError, match="has shape"):
        col2im(np.zeros((5, 9)), (1, 1, 7, 7), 3, 3)


@st.composite
def geometries(draw, allow_floor=True):
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    fh, fw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride, pad, dil = draw(st.integers(1, 3)), draw(st.integers(0, 2)), draw(st.integers(1, 2))
    span_h, span_w = dil * (fh - 1) + 1, dil * (fw - 1) + 1
    oh = len(window_starts(h + 2 * pad, span_h, stride))
    ow = len(window_starts(w + 2 * pad, span_w, stride))
    exact = (h + 2 * pad - span_h) % stride == 0 and (w + 2 * pad - span_w) % stride == 0
    if oh == 0 or ow == 0 or not (exact or allow_floor):
        from hypothesis import reject
        reject()
    return (n, c, h, w), fh, fw, stride, pad, dil, not exact


@settings(max_examples=150, deadline=None)
@given(g=geometries(), seed=st.integers(0, 2**32 - 1))
def test_im2col_matches_loops(g, seed):
    shape, fh, fw, stride, pad, dil, floor = g
    x = np.random.default_rng(seed).standard_normal(shape)
    fast = im2col(x, fh, fw, stride, pad, dil, floor=floor)
    np.testing.assert_array_equal(fast, im2col_loops(x, fh, fw, stride, pad, dil))


@settings(max_examples=150, deadline=None)
@given(g=geometries(), seed=st.integers(0, 2**32 - 1))
def test_col2im_matches_loops_and_is_the_adjoint(g, seed):
    shape, fh, fw, stride, pad, dil, floor = g
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    col = im2col(x, fh, fw, stride, pad, dil, floor=floor)
    y = rng.standard_normal(col.shape)
    back = col2im(y, shape, fh, fw, stride, pad, dil, floor=floor)
    np.testing.assert_allclose(back, col2im_loops(y, shape, fh, fw, stride, pad, dil), rtol=1e-12, atol=1e-12)
    # <im2col(x), y> == <x, col2im(y)>: col2im is im2col's transpose, overlaps summed
    assert np.isclose(np.sum(col * y), np.sum(x * back), rtol=1e-10, atol=1e-10)


def test_col2im_adds_overlaps_it_is_not_the_inverse():
    x = np.ones((1, 1, 4, 4))
    counts = col2im(im2col(x, 3, 3), x.shape, 3, 3)
    # how many 3x3 windows cover each cell of a 4x4 input
    assert counts[0, 0].tolist() == [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]]
