"""Numerical gradients by central differences (the book's ``common/gradient.py``).

Used to check every backward pass: run these in float64, where the difference
quotient is accurate to about 1e-7.
"""

from __future__ import annotations

import numpy as np

__all__ = ["numerical_gradient", "relative_error"]


def numerical_gradient(f, x, h=1e-5):
    """Gradient of the scalar ``f()`` with respect to array ``x``, changed in place and restored.

    ``f`` takes no argument (or ignores it) and reads ``x`` itself, as in the
    book's ``numerical_gradient(f, x)``.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        idx = it.multi_index
        original = x[idx].copy()
        x[idx] = original + h
        f_plus = float(f(x))
        x[idx] = original - h
        f_minus = float(f(x))
        grad[idx] = (f_plus - f_minus) / (2 * h)
        x[idx] = original
        it.iternext()
    return grad


def relative_error(a, b):
    """max |a - b| / max(|a|, |b|, tiny): 0 for identical arrays, about 1e-7 for a good gradient check."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    scale = max(np.abs(a).max(initial=0), np.abs(b).max(initial=0), 1e-12)
    return float(np.abs(a - b).max(initial=0) / scale)
