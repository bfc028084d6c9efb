"""cnnlib.digits: a drawing becomes a 28×28 image the way MNIST's digits were made, checked against MNIST
itself (its own digits come back unchanged; 1,000 of them redrawn at random sizes and places are read as
well as the originals), against plain loops (the pen), and on its bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlib import load_mnist
from cnnlib.augment import shift
from cnnlib.digits import (BOX, CENTRE, PAD, PEN, DigitError, check_strokes, move, render_strokes, rotate,
                           strokes_to_mnist, to_mnist)
from cnnlib.train import load_trained


@pytest.fixture(scope="module")
def test_set():
    _, (x_test, t_test) = load_mnist(normalize=True, flatten=False)
    return x_test[:, 0], t_test


def ink_box(image) -> tuple[int, int]:
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def centre_of_mass(image) -> tuple[float, float]:
    y, x = np.mgrid[0 : image.shape[0], 0 : image.shape[1]]
    return float((image * y).sum() / image.sum()), float((image * x).sum() / image.sum())


# ---- MNIST's own digits --------------------------------------------------------------------------------

def test_mnist_digits_are_already_what_to_mnist_makes(test_set):
    """Every one of the first 1,000 test digits comes back unchanged: 20-pixel box, centre of mass rounded
    to (14, 14) — the normalisation is MNIST's."""
    images, _ = test_set
    for image in images[:1000]:
        np.testing.assert_array_equal(to_mnist(image), image)


def bilinear(image, height: int, width: int) -> np.ndarray:
    """``image`` (h, w) resized to (height, width) by bilinear interpolation (pixel centres aligned): a
    digit drawn larger, smoothly, as a pen would (independent of cnnlib's area resizing)."""
    def weights(n_in, n_out):
        pos = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, n_in - 1)
        m = np.zeros((n_out, n_in))
        m[np.arange(n_out), lo] += 1 - (pos - lo)
        m[np.arange(n_out), hi] += pos - lo
        return m
    return weights(image.shape[0], height) @ image @ weights(image.shape[1], width).T


def redraw(image, rng, size=PAD) -> np.ndarray:
    """An MNIST digit drawn onto an empty ``size``×``size`` pad: its ink box scaled so the digit is 30–100 %
    of the pad tall (narrower if it would not fit across), at a random place."""
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    ink = image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = ink.shape
    scale = min(rng.uniform(0.3, 1.0) * size / h, size / w)
    big = np.clip(bilinear(ink, max(1, round(h * scale)), max(1, round(w * scale))), 0, 1)
    top, left = rng.integers(0, size - big.shape[0] + 1), rng.integers(0, size - big.shape[1] + 1)
    canvas = np.zeros((size, size))
    canvas[top : top + big.shape[0], left : left + big.shape[1]] = big
    return canvas


def test_redrawn_digits_are_read_as_well_as_the_originals(test_set):
    """The issue's measure: 1,000 MNIST test digits, each drawn on the empty 280×280 pad at a random height
    (30–100 % of the pad) and place, then run through to_mnist: the shipped SimpleConvNet's accuracy on
    them is within 1 point of its accuracy on the originals."""
    images, labels = test_set
    rng = np.random.default_rng(0)
    pick = rng.choice(len(images), 1000, replace=False)
    redrawn = np.stack([to_mnist(redraw(images[i], rng)) for i in pick])
    net = load_trained("simple_convnet")
    original = net.accuracy(images[pick][:, None], labels[pick])
    again = net.accuracy(redrawn[:, None], labels[pick])
    print(f"\nSimpleConvNet on 1,000 test digits: originals {original:.1%}, redrawn {again:.1%}")
    assert abs(original - again) <= 0.01, (original, again)
    assert original > 0.98


# ---- the normalisation's properties ----------------------------------------------------------------------

blobs = st.lists(st.tuples(st.integers(0, 279), st.integers(0, 279), st.integers(3, 40), st.integers(3, 40)),
                 min_size=1, max_size=4)


def draw_blobs(rects) -> np.ndarray:
    canvas = np.zeros((PAD, PAD))
    for y, x, h, w in rects:
        canvas[y : y + h, x : x + w] = 1.0
    return canvas


@settings(max_examples=40, deadline=None)
@given(blobs)
def test_the_longer_side_is_20_and_the_centre_of_mass_near_14(rects):
    canvas = draw_blobs(rects)
    image = to_mnist(canvas)
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert 0 <= image.min() and image.max() <= 1
    h, w = ink_box(image)
    H, W = ink_box(canvas > 0)
    # area averaging keeps the ink's mass, times the ratio of the areas (the shorter side rounded)
    short = max(1, round(min(H, W) * BOX / max(H, W)))
    mass = canvas.sum() * BOX * short / (H * W)
    assert image.sum() <= mass * (1 + 1e-5)
    if image.sum() < mass * (1 - 1e-5):   # ink far from its centre of mass (blobs at two ends): a side is cut
        assert max(h, w) <= BOX
        return
    assert max(h, w) == BOX and min(h, w) == short     # the aspect ratio kept, up to the rounding of a side
    cy, cx = centre_of_mass(image)
    assert abs(cy - CENTRE) <= 0.5 + 1e-6 and abs(cx - CENTRE) <= 0.5 + 1e-6


def test_size_and_place_on_the_pad_do_not_matter():
    """The same drawing, twice as large and elsewhere on the pad, gives nearly the same image."""
    small = [[(30, 20), (30, 110)], [(10, 40), (60, 40)]]
    large = [[(120 + 2 * (x - 10), 60 + 2 * (y - 20)) for x, y in s] for s in small]
    a = strokes_to_mnist(small, width=PEN / 2)
    b = strokes_to_mnist(large, width=PEN)
    assert np.abs(a - b).mean() < 0.03


# ---- the pen ----------------------------------------------------------------------------------------------

def segment_distance(px, py, a, b) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else min(1.0, max(0.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return ((px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2) ** 0.5


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.tuples(st.floats(-5, 35), st.floats(-5, 35)), min_size=1, max_size=4),
                min_size=1, max_size=3), st.floats(1, 9))
def test_the_pen_against_a_loop_over_every_pixel(strokes, width):
    """Each pixel's ink: 1 within the pen's radius of the path, falling to 0 over one pixel beyond it."""
    size = 30
    got = render_strokes(strokes, size=size, width=width)
    want = np.zeros((size, size))
    for r in range(size):
        for c in range(size):
            d = min(segment_distance(c + 0.5, r + 0.5, a, b)
                    for s in strokes for a, b in (zip(s, s[1:]) if len(s) > 1 else [(s[0], s[0])]))
            want[r, c] = min(1.0, max(0.0, width / 2 + 0.5 - d))
    np.testing.assert_allclose(got, want, atol=1e-9)


def test_a_vertical_stroke_is_a_one_pixel_wide_bar_or_so():
    image = strokes_to_mnist([[(140, 40), (140, 240)]])
    h, w = ink_box(image)
    assert h == BOX and w <= 4


# ---- turning and shifting after the centring ----------------------------------------------------------------

def test_rotate_by_whole_turns_and_back(test_set):
    image = test_set[0][0]
    np.testing.assert_allclose(rotate(image, 0), image, atol=1e-6)
    np.testing.assert_allclose(rotate(image, 360), image, atol=1e-5)
    # a quarter turn anticlockwise about pixel (14, 14): pixel (r, c) goes to (28 - c, r)
    quarter = rotate(image, 90)
    want = np.zeros_like(image)
    for r in range(28):
        for c in range(28):
            if 0 <= 28 - c < 28:
                want[28 - c, r] = image[r, c]
    np.testing.assert_allclose(quarter, want, atol=1e-5)


def test_move_shifts_by_whole_pixels_after_turning(test_set):
    image = test_set[0][0]
    np.testing.assert_array_equal(move(image, 3, -2), shift(image[None, None], 3, -2)[0, 0])
    np.testing.assert_allclose(move(image, 1, 1, 15), shift(rotate(image, 15)[None, None], 1, 1)[0, 0])
    np.testing.assert_array_equal(move(image), image)


# ---- bad input -----------------------------------------------------------------------------------------------

def test_an_empty_pad_and_a_pad_full_of_ink_say_so():
    with pytest.raises(DigitError, match="no ink") as e:
        to_mnist(np.zeros((PAD, PAD)))
    assert e.value.kind == "empty"
    with pytest.raises(DigitError, match="covers 100%") as e:
        to_mnist(np.ones((PAD, PAD)))
    assert e.value.kind == "full"
    with pytest.raises(DigitError) as e:
        strokes_to_mnist([])
    assert e.value.kind == "empty"


@pytest.mark.parametrize("canvas, message", [
    (np.zeros(5), "2-D image"),
    (np.full((4, 4), np.nan), r"ink in \[0, 1\]"),
    (np.full((4, 4), 2.0), "divide by 255"),
    (np.array([["a"]]), "holds numbers"),
])
def test_a_canvas_that_is_not_ink_is_refused(canvas, message):
    with pytest.raises(DigitError, match=message):
        to_mnist(canvas)


def test_uint8_pixels_are_read_as_0_to_255():
    canvas = np.zeros((PAD, PAD), dtype=np.uint8)
    canvas[100:180, 130:150] = 255
    np.testing.assert_array_equal(to_mnist(canvas), to_mnist(canvas / 255.0))


@pytest.mark.parametrize("strokes, message", [
    ("12", "must be a list"),
    ([[]], "stroke 0 must be a non-empty list"),
    ([[(1, 2, 3)]], r"point 0 of stroke 0 must be two numbers"),
    ([[(1, "a")]], "two numbers"),
    ([[(True, 1)]], "two numbers"),
    ([[(1, float("nan"))]], "not a finite number"),
    ([[(0, 0)] * 6000], "more than 5000 points"),
])
def test_malformed_strokes_say_what_a_stroke_is(strokes, message):
    with pytest.raises(DigitError, match=message) as e:
        check_strokes(strokes)
    assert e.value.kind == "strokes" and "[x, y] points" in str(e.value)
