"""Data augmentation (cnnlib.augment): shifts move the digit and fill with zeros."""

import numpy as np
import pytest

from cnnlib.augment import shift


def test_shift_moves_and_fills_with_zero():
    x = np.arange(2 * 16, dtype=float).reshape(2, 1, 4, 4)
    right = shift(x, 0, 1)
    np.testing.assert_array_equal(right[:, :, :, 1:], x[:, :, :, :-1])
    assert not right[:, :, :, 0].any()
    np.testing.assert_array_equal(shift(shift(x, 1, -1), -1, 1)[:, :, :3, 1:], x[:, :, :3, 1:])
    np.testing.assert_array_equal(shift(x, 0, 0), x)
    with pytest.raises(ValueError, match="out of view"):
        shift(x, 4, 0)
