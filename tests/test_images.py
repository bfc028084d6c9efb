"""Photo helpers (cnnlib.images): area resizing against loops, the centre square, the sample photo."""

import numpy as np
import pytest

from cnnlib.images import area_weights, center_square, resize_area, sample_photo


def resize_loops(img, height, width):
    """Reference: each output pixel averages the input area it covers, cell by cell."""
    H, W = img.shape
    sh, sw = H / height, W / width
    out = np.zeros((height, width))
    for i in range(height):
        for j in range(width):
            total = 0.0
            for y in range(H):
                wy = max(0.0, min(y + 1, (i + 1) * sh) - max(y, i * sh))
                for x in range(W):
                    wx = max(0.0, min(x + 1, (j + 1) * sw) - max(x, j * sw))
                    total += wy * wx * img[y, x]
            out[i, j] = total / (sh * sw)
    return out


@pytest.mark.parametrize("shape, out", [((6, 8), (3, 4)), ((7, 5), (3, 2)), ((5, 9), (4, 7)), ((3, 3), (5, 4))])
def test_resize_area_matches_loops(shape, out):
    img = np.random.default_rng(0).random(shape)
    np.testing.assert_allclose(resize_area(img, *out), resize_loops(img, *out), rtol=1e-12, atol=1e-12)
    rgb = np.stack([img, 2 * img, img + 1], axis=-1)
    np.testing.assert_allclose(resize_area(rgb, *out)[..., 1], 2 * resize_loops(img, *out), atol=1e-12)


def test_area_weights_and_errors():
    w = area_weights(512, 227)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    np.testing.assert_allclose(resize_area(np.full((10, 6), 7.0), 4, 3), 7.0)
    with pytest.raises(ValueError, match=r"shape \(H, W\) or \(H, W, C\)"):
        resize_area(np.zeros(5), 2, 2)
    assert center_square(np.zeros((600, 512, 3))).shape == (512, 512, 3)


def test_sample_photo():
    x = sample_photo(227)
    assert x.shape == (3, 227, 227) and x.dtype == np.float32
    assert 0 <= x.min() and x.max() <= 255 and x.std() > 20  # a real photo, not a flat image
