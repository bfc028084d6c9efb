"""Activation and loss functions (the book's ``common/functions.py``).

Each keeps its input's floating dtype, so float32 stays float32.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sigmoid", "relu", "softmax", "cross_entropy_error", "one_hot"]


def sigmoid(x):
    """1 / (1 + exp(-x)), computed without overflow warnings for large |x|."""
    x = np.asarray(x)
    # exp of a large positive number overflows; use the equivalent form on each side of 0.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def relu(x):
    return np.maximum(x, 0)


def softmax(x):
    """Row-wise softmax of a (N, K) array (or of one (K,) vector)."""
    x = np.asarray(x)
    shifted = x - x.max(axis=-1, keepdims=True)  # exp of large scores overflows; the shift changes nothing
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def one_hot(labels, num_classes):
    """Integer labels (N,) -> one-hot (N, num_classes) float array."""
    labels = np.asarray(labels)
    out = np.zeros((labels.size, num_classes), dtype=np.float32)
    out[np.arange(labels.size), labels.reshape(-1)] = 1
    return out


def cross_entropy_error(y, t):
    """Mean cross-entropy of probabilities ``y`` (N, K) against labels ``t``.

    ``t`` is either one-hot (N, K) or integer labels (N,), as in the book.
    """
    y = np.asarray(y)
    t = np.asarray(t)
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = t.reshape(1, -1) if t.size == y.size else t.reshape(1)
    if t.shape == y.shape:  # one-hot -> labels
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    # 1e-7 keeps log away from log(0), as in the book.
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size
