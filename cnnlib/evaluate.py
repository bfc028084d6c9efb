"""Looking at a network's answers and insides: predictions, accuracy per class, confusion matrix,
each layer's output and how much it still depends on the input."""

from __future__ import annotations

import time

import numpy as np

from .functions import softmax
from .layers import Convolution
from .network import forward_layer

__all__ = ["predict_proba", "confusion_matrix", "layer_outputs", "forward_until", "profile_forward",
           "input_spread", "input_dependence"]


def predict_proba(network, x, batch_size=500):
    """Softmax probabilities (N, classes) for images x, computed batch by batch."""
    return np.concatenate([softmax(network.predict(x[i : i + batch_size])) for i in range(0, len(x), batch_size)])


def confusion_matrix(true_labels, predicted_labels, num_classes=10):
    """counts[i, j] = how many images of class i were predicted as class j (diagonal = correct)."""
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(true_labels), np.asarray(predicted_labels)), 1)
    return counts


def layer_outputs(network, x):
    """{layer name: output} of one forward pass (test mode) through ``network.layers``."""
    outputs = {}
    for name, layer in network.layers.items():
        x = forward_layer(layer, x)
        outputs[name] = x
    return outputs


def forward_until(network, x, layer_name):
    """Output of ``network.layers`` up to and including ``layer_name`` (test mode)."""
    if layer_name not in network.layers:
        raise ValueError(f"No layer {layer_name!r}; layers: {', '.join(network.layers)}.")
    for name, layer in network.layers.items():
        x = forward_layer(layer, x)
        if name == layer_name:
            return x


def profile_forward(network, x):
    """One forward pass (test mode) timed layer by layer: ``(scores, report)`` with report rows
    ``(layer name, output shape, seconds, im2col bytes)``; im2col bytes is the size of the im2col
    matrices a convolution layer built for this batch (0 for other layers)."""
    report = []
    for name, layer in network.layers.items():
        start = time.perf_counter()
        x = forward_layer(layer, x)
        seconds = time.perf_counter() - start
        convs = getattr(layer, "convs", [layer])  # a GroupConvolution holds one Convolution per group
        col_bytes = sum(c.col.nbytes for c in convs if isinstance(c, Convolution))
        report.append((name, tuple(x.shape), seconds, col_bytes))
    return x, report


def input_dependence(outputs):
    """How much a layer's output still changes from one image to the next: for outputs
    (N, ...), the standard deviation across the N images of each unit, averaged over units
    and divided by the mean absolute output. Near 0: every image gives about the same output,
    so the layers after it cannot tell the images apart.

    Dividing by the mean |output| makes an offset shared by every image count: sigmoid's outputs sit
    around 0.5, so a sigmoid layer scores far lower than 2σ − 1 of the same values, which carries the
    same information. Compare activations with :func:`input_spread` instead."""
    a = np.asarray(outputs, dtype=np.float64).reshape(len(outputs), -1)
    return float(a.std(axis=0).mean() / np.abs(a).mean())


def input_spread(outputs):
    """How much a layer's output changes from one image to the next, in the output's own units: for
    outputs (N, ...), the standard deviation across the N images of each unit, averaged over units.

    Unlike :func:`input_dependence` it is not divided by the mean absolute output, so an offset
    shared by every image does not count: sigmoid's outputs sit around 0.5 (σ(z) = (1 + tanh(z/2)) / 2),
    and adding a constant to every output leaves the spread as it is. Scaling the outputs by c scales
    it by |c|. Near 0: every image gives about the same output, so the layers after it cannot tell the
    images apart."""
    a = np.asarray(outputs, dtype=np.float64)
    if a.ndim < 2 or len(a) < 2:
        raise ValueError(f"input_spread needs the outputs of at least 2 images, shaped (N, ...); "
                         f"got shape {a.shape}.")
    return float(a.reshape(len(a), -1).std(axis=0).mean())

