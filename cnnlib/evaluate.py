"""Looking at a trained network's answers: predictions, accuracy per class, confusion matrix."""

from __future__ import annotations

import numpy as np

from .functions import softmax

__all__ = ["predict_proba", "confusion_matrix"]


def predict_proba(network, x, batch_size=500):
    """Softmax probabilities (N, classes) for images x, computed batch by batch."""
    return np.concatenate([softmax(network.predict(x[i : i + batch_size])) for i in range(0, len(x), batch_size)])


def confusion_matrix(true_labels, predicted_labels, num_classes=10):
    """counts[i, j] = how many images of class i were predicted as class j (diagonal = correct)."""
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(true_labels), np.asarray(predicted_labels)), 1)
    return counts
