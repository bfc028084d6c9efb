"""TwoLayerNet — the book's fully connected network of chapter 5 (``ch05/two_layer_net.py``).

    affine - relu - affine - softmax

    x (N, 784) or (N, 1, 28, 28) -> Affine1 (N, hidden) -> Relu1 -> Affine2 (N, classes) -> SoftmaxWithLoss

Used in 7.6 beside the CNN: its first Affine layer flattens the image, so it ignores the image's
shape (p229, "형상 무시") and a digit moved by a few pixels is, to it, a different input.

Differences from the book, all invisible to its code: float32 by default, a ``seed`` for
reproducible initial weights, images (N, 1, 28, 28) accepted as well as (N, 784) (the Affine
layer flattens them), parameters saved as ``.npz`` (:class:`~cnnlib.network.Network`).
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .layers import Affine, Relu, SoftmaxWithLoss
from .network import Network, new_weights
from .shapes import require_int

__all__ = ["TwoLayerNet"]


class TwoLayerNet(Network):
    """The book's two-layer net: input_size features (784 for MNIST), hidden_size ReLU units,
    output_size classes; weights Gaussian with std ``weight_init_std`` (the book's 0.01, or 'he').
    Methods (from :class:`~cnnlib.network.Network`): predict, loss, accuracy, gradient,
    numerical_gradient, save_params, load_params; ``params`` holds W1 (input_size, hidden_size), b1,
    W2 (hidden_size, output_size), b2."""

    def __init__(self, input_size=784, hidden_size=50, output_size=10, weight_init_std=0.01, *,
                 dtype=np.float32, seed=None):
        input_size = require_int("input_size", input_size, 1)
        hidden_size = require_int("hidden_size", hidden_size, 1)
        output_size = require_int("output_size", output_size, 1)
        rng = np.random.default_rng(seed)
        self.params = {}
        self.params["W1"] = new_weights(rng, (input_size, hidden_size), input_size, weight_init_std, dtype)
        self.params["b1"] = np.zeros(hidden_size, dtype=dtype)
        self.params["W2"] = new_weights(rng, (hidden_size, output_size), hidden_size, weight_init_std, dtype)
        self.params["b2"] = np.zeros(output_size, dtype=dtype)

        self.layers = OrderedDict()
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.last_layer = SoftmaxWithLoss()

        self._collect_params()
        self.architecture = {"class": type(self).__name__, "input_size": input_size, "hidden_size": hidden_size,
                             "output_size": output_size}
