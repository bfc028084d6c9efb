"""The one size formula: the book's cases, the explanations, floor mode, and properties."""


import signal
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, strategies as st

from cnnlib import Pooling
from cnnlib.shapes import (
    STRIDE_SEARCH, check_output_size, conv_output_size, conv_output_shape, pool_output_size, pool_output_shape,
)


# The book's three size cases (p234-235): (H, W), P, S, F -> (OH, OW)
@pytest.mark.parametrize("hw, pad, stride, f, expected", [
    ((4, 4), 1, 1, 3, (4, 4)),
    ((7, 7), 0, 2, 3, (3, 3)),
    ((28, 31), 2, 3, 5, (10, 11)),
])
def test_book_size_cases(hw, pad, stride, f, expected):
    assert conv_output_shape(hw, (f, f), stride=stride, pad=pad) == expected


def test_pool_sizes():
    assert pool_output_shape((4, 4), (2, 2), stride=2) == (2, 2)
    assert pool_output_size(24, 2, stride=2) == 12
    assert pool_output_size(5, 3) == 3  # the book's default stride is 1


def test_invalid_size_message_names_numbers_remainder_and_fixes():
    with pytest.raises(ValueError) as e:
        conv_output_size(7, 3, stride=3)
    msg = str(e.value)
    assert "(7 + 2·0 − 3)/3 + 1 = 4/3 + 1" in msg
    assert "remainder 1" in msg
    assert "whole number" in msg
    assert "pad=1" in msg            # (7 + 2 - 3) = 6 is divisible by 3
    assert "stride=1 or 2." in msg       # not 4: a stride longer than the filter skips input cells
    assert "floor=True" in msg and "OH = 2" in msg and "input row 6 is never visited" in msg


def test_message_says_when_no_padding_can_help():
    # numerator odd, stride even: 2P never fixes the parity
    msg = check_output_size(10, 3, stride=4).message
    assert "No padding can fix it" in msg
    assert "stride=1." in msg           # not 7: it would skip 4 of every 7 rows
    assert "input rows 7, 8, 9 are never visited" in msg


def test_filter_larger_than_padded_input():
    c = check_output_size(3, 5)
    assert not c.valid and c.floor_output_size is None
    assert "not even one window fits" in c.message and "pad ≥ 1" in c.message
    with pytest.raises(ValueError, match="not even one window fits"):
        conv_output_size(3, 5, floor=True)


def test_width_and_pooling_wording():
    assert "output width" in check_output_size(7, 3, 3, dim="W").message
    assert "column 6" in check_output_size(7, 3, 3, dim="W").message
    msg = check_output_size(9, 2, 2, kind="pool").message
    assert msg.startswith("Pooling output height") and "pool_h" in msg


def test_floor_mode_matches_frameworks_and_reports_dropped_rows():
    assert conv_output_size(7, 3, stride=3, floor=True) == 2
    c = check_output_size(7, 3, stride=3, pad=1)  # padded 9, numerator 6: valid
    assert c.valid and c.dropped_input_indices == ()
    c = check_output_size(8, 3, stride=3, pad=1)  # padded 10, numerator 7, remainder 1
    assert c.floor_output_size == 3
    # the one unvisited padded cell is padding, not input
    assert c.dropped_input_indices == () and c.dropped_padding == 1


@pytest.mark.parametrize("kwargs, err, text", [
    (dict(input_size=7, filter_size=3, stride=0), ValueError, "stride must be at least 1"),
    (dict(input_size=7, filter_size=3, pad=-1), ValueError, "pad must be 0 or more"),
    (dict(input_size=7, filter_size=0), ValueError, "filter_size must be at least 1"),
    (dict(input_size=7, filter_size=3, stride=1.5), TypeError, "stride must be a whole number"),
    (dict(input_size=7, filter_size=3, dilation=0), ValueError, "dilation must be at least 1"),
])
def test_nonsense_arguments(kwargs, err, text):
    with pytest.raises(err, match=text):
        check_output_size(**kwargs)


def test_formula_with_numbers():
    assert check_output_size(4, 3, 1, 1).formula() == "OH = (4 + 2·1 − 3)/1 + 1 = 3 + 1 = 4"
    assert check_output_size(7, 3, 2, 0, dilation=2).formula().startswith("OH = (7 + 2·0 − (2·(3−1)+1))/2")


sizes = st.integers(1, 40)


@given(h=sizes, f=st.integers(1, 9), s=st.integers(1, 6), p=st.integers(0, 5), d=st.integers(1, 3))
def test_properties_against_window_counting(h, f, s, p, d):
    """Independent check: count the windows by sliding one until it no longer fits."""
    span = d * (f - 1) + 1
    starts = list(range(0, h + 2 * p - span + 1, s))
    c = check_output_size(h, f, s, p, d)
    if not starts:
        assert c.floor_output_size is None and not c.valid
        return
    assert c.floor_output_size == len(starts)
    last_end = starts[-1] + span  # first padded cell after the last window
    assert c.valid == (last_end == h + 2 * p)
    unvisited = [i - p for i in range(last_end, h + 2 * p) if p <= i < p + h]
    assert list(c.dropped_input_indices) == unvisited
    for q in c.nearest_pads:  # every suggestion really works
        assert check_output_size(h, f, s, q, d).valid
    for t in c.nearest_strides:
        assert check_output_size(h, f, t, p, d).valid
    if not c.valid:
        assert c.message and (c.nearest_strides or c.numerator < 0)


def test_suggestions_come_from_arithmetic_and_are_never_absurd():
    # AlexNet's conv1 at 224: 213/4. 213 = 3·71, but a stride of 71 or 213 would skip most of the image.
    c = check_output_size(224, 11, stride=4)
    assert c.nearest_strides == (1, 3)
    # Sizes far beyond any image: every suggestion is arithmetic, so this returns at once.
    c = check_output_size(10**12 + 2, 3, stride=2)            # numerator 10**12 - 1 = 3^3·7·11·13·37·101·9901
    assert (c.remainder, c.floor_output_size) == (1, (10**12 - 1) // 2 + 1)
    assert c.nearest_strides == (1, 3) and c.nearest_pads == ()  # odd numerator, even stride: no pad helps
    assert conv_output_size(10**12, 3, stride=1) == 10**12 - 2


@pytest.mark.parametrize("value, fix", [(5.0, "Write 5 instead."), (np.float32(3), "Write 3 instead."), (2.5, "")])
def test_float_sizes_say_how_to_fix_them(value, fix):
    with pytest.raises(TypeError) as e:
        conv_output_size(28, value)
    assert "filter_size must be a whole number" in str(e.value) and fix in str(e.value)


@contextmanager
def hang_guard(seconds=60):
    """Turns a hang into a failure. Not a speed limit: the calls below take microseconds, while the
    search they replaced would loop over 10**30 values."""
    def hung(signum, frame):
        raise AssertionError(f"did not return within {seconds} s: a size check that loops over a size")
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_checks_of_huge_sizes_are_arithmetic():
    """Issue 25.3: a stride, filter, pad or input of any size is checked without looping over it."""
    big = 10**30
    with hang_guard():
        with pytest.raises(ValueError, match="3 divided by stride 100000000 leaves remainder 3"):
            Pooling(2, 2, stride=10**8).forward(np.zeros((1, 1, 5, 5)))
        with pytest.raises(ValueError, match=f"pad ≥ {(big - 5 + 1) // 2}"):
            Pooling(big, big).forward(np.zeros((1, 1, 5, 5)))
        c = check_output_size(big + 1, 2, stride=2)                   # odd numerator, even stride
        assert c.nearest_pads == () and c.nearest_strides == (1,) and c.dropped_input == range(big, big + 1)
        c = check_output_size(big, 2, stride=big // 3 + 1)            # a remainder of about 3·10**29
        rows = c.dropped_input
        assert (rows.start, rows.stop) == (big - c.remainder, big) and c.remainder > 10**29 and c.dropped_padding == 0
        assert f"input rows {big - c.remainder}–{big - 1} are never visited" in c.message
        assert c.nearest_pads == (2,) and c.nearest_strides == (1, 2)  # (big + 2·2 − 2) = 3·stride
        for q in c.nearest_pads:
            assert check_output_size(big, 2, stride=big // 3 + 1, pad=q).valid
        for t in c.nearest_strides:
            assert check_output_size(big, 2, stride=t).valid
        c = check_output_size(8, big, stride=big - 1, kind="pool")   # not even one window fits
        assert c.status == "no-fit" and c.nearest_pads == ((big - 8) // 2,) and c.nearest_strides == ()


def brute_force_suggestions(h, f, s, p, d):
    """The nearest valid pads (one each side) and strides (two each side, at most the window's span) by
    trying every candidate: the independent reference for the arithmetic."""
    span = d * (f - 1) + 1
    valid = lambda q, t: h + 2 * q - span >= 0 and (h + 2 * q - span) % t == 0  # noqa: E731
    pads = [q for q in range(0, p + 2 * s + span + 1) if valid(q, s)]
    strides = [t for t in range(1, span + 1) if valid(p, t)]
    below = lambda xs, x, n: sorted(v for v in xs if v < x)[-n:]  # noqa: E731
    above = lambda xs, x, n: sorted(v for v in xs if v > x)[:n]  # noqa: E731
    return (tuple(below(pads, p, 1) + above(pads, p, 1)), tuple(below(strides, s, 2) + above(strides, s, 2)))


@given(h=st.integers(1, 300), f=st.integers(1, STRIDE_SEARCH // 2), s=st.integers(1, 40), p=st.integers(0, 30),
       d=st.integers(1, 2))
def test_suggestions_equal_trying_every_candidate(h, f, s, p, d):
    c = check_output_size(h, f, s, p, d)
    if not c.valid:
        assert (c.nearest_pads, c.nearest_strides) == brute_force_suggestions(h, f, s, p, d)
