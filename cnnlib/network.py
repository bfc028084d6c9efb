"""Network — what every network of the chapter shares: predict, loss, accuracy, gradient,
numerical_gradient and saving, written once (the file format: :mod:`cnnlib.params_file`).

A network is an ordered dict of layers (``self.layers``) ending in ``SoftmaxWithLoss``
(``self.last_layer``). Layers with weights hold them as ``W`` and ``b``; ``self.params``
holds the *same* arrays under the book's names ``W1, b1, W2, b2, ...`` (numbered in layer
order), so an optimizer that changes ``params`` in place changes the layers too.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .gradient import numerical_gradient
from .layers import Convolution, Dropout
from .params_file import ARCH_KEY, load_npz_params, save_npz_params  # noqa: F401  (ARCH_KEY: importable here too)

__all__ = ["Network", "forward_layer", "trace_shapes", "init_std", "new_weights", "save_npz_params", "load_npz_params"]


def init_std(weight_init_std, fan_in):
    """Standard deviation of a layer's initial weights.

    A number is used as is (the book's 0.01); 'he' gives sqrt(2/fan_in) (suits ReLU, 6.2.3절);
    'xavier' gives sqrt(1/fan_in) (suits sigmoid/tanh).
    """
    if isinstance(weight_init_std, str):
        kind = weight_init_std.lower()
        if kind in ("he", "relu"):
            return np.sqrt(2.0 / fan_in)
        if kind in ("xavier", "sigmoid"):
            return np.sqrt(1.0 / fan_in)
        raise ValueError(f"weight_init_std must be a number, 'he' or 'xavier'; got {weight_init_std!r}.")
    return float(weight_init_std)


def new_weights(rng, shape, fan_in, weight_init_std, dtype=np.float32):
    """Gaussian initial weights of the given shape, std from :func:`init_std`."""
    return (init_std(weight_init_std, fan_in) * rng.standard_normal(shape)).astype(dtype)


def forward_layer(layer, x, train_flg=False):
    """``layer.forward(x)``; Dropout also gets ``train_flg`` (it drops units only while training)."""
    return layer.forward(x, train_flg) if isinstance(layer, Dropout) else layer.forward(x)


def trace_shapes(layers, input_shape, dtype=np.float64):
    """[('input', shape), (name, output shape), ...] by passing zeros through ``layers`` (a dict
    name → layer with ``forward``), so every shape comes from the layers themselves."""
    x = np.zeros(input_shape, dtype=dtype)
    steps = [("input", tuple(x.shape))]
    for name, layer in layers.items():
        x = forward_layer(layer, x)
        steps.append((name, tuple(x.shape)))
    return steps


class Network:
    """Base class. A subclass builds ``self.layers`` (OrderedDict), ``self.last_layer`` and
    ``self.architecture`` (a JSON-able dict of its constructor arguments), then calls
    :meth:`_collect_params`."""

    layers: OrderedDict
    architecture: dict

    def _collect_params(self):
        """Name the weights of the layers that have them W1, b1, W2, b2, ... in layer order."""
        self.params = {}
        for i, layer in enumerate(self._param_layers, start=1):
            self.params[f"W{i}"], self.params[f"b{i}"] = layer.W, layer.b

    @property
    def _param_layers(self):
        """The layers that have weights, in order. Read from ``self.layers`` each time, so a layer replaced
        there (``net.layers["Conv1"] = Convolution(net.params["W1"], net.params["b1"])``) is the one whose
        gradients ``gradient`` returns."""
        return [layer for layer in self.layers.values() if hasattr(layer, "W")]

    def predict(self, x, train_flg=False):
        """Scores before softmax, (N, output_size). ``train_flg`` switches Dropout on."""
        for layer in self.layers.values():
            x = forward_layer(layer, x, train_flg)
        return x

    def loss(self, x, t, train_flg=False):
        """Mean cross-entropy loss for images x and labels t (integers or one-hot)."""
        return self.last_layer.forward(self.predict(x, train_flg), t)

    def accuracy(self, x, t, batch_size=100):
        """Fraction of images whose highest score is the label, computed batch by batch."""
        x, t = np.asarray(x), np.asarray(t)
        if len(x) == 0 or len(x) != len(t):
            raise ValueError(f"accuracy needs as many labels as images, at least one: got {len(x)} images "
                             f"and {len(t)} labels.")
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        correct = 0
        for i in range(0, x.shape[0], batch_size):
            y = self.predict(x[i : i + batch_size])
            correct += int(np.sum(np.argmax(y, axis=1) == t[i : i + batch_size]))
        return correct / x.shape[0]

    def numerical_gradient(self, x, t):
        """Gradients by central differences (slow; use float64 and a small network)."""
        return {key: numerical_gradient(lambda _: self.loss(x, t), self.params[key]) for key in self.params}

    def gradient(self, x, t):
        """Gradients by backpropagation: a dict with the same keys as ``params``."""
        self.loss(x, t, train_flg=True)

        dout = self.last_layer.backward(1)
        layers = list(self.layers.values())
        for layer in reversed(layers[1:]):
            dout = layer.backward(dout)
        if isinstance(layers[0], Convolution):
            # The first layer's input is the image itself: no one needs its gradient, so skip col2im.
            layers[0].backward(dout, input_grad=False)
        else:
            layers[0].backward(dout)

        grads = {}
        for i, layer in enumerate(self._param_layers, start=1):
            grads[f"W{i}"], grads[f"b{i}"] = layer.dW, layer.db
        return grads

    def layer_shapes(self, input_shape):
        """[('input', shape), (layer name, output shape), ...] for an input of shape (N, C, H, W)."""
        return trace_shapes(self.layers, input_shape, dtype=self.params["W1"].dtype)

    def parameter_count(self):
        return int(sum(p.size for p in self.params.values()))

    # ---- saving and loading (.npz, no pickle) -------------------------------------------------

    def save_params(self, file_name):
        """Write the parameters and the architecture to ``file_name`` (.npz added if missing), atomically;
        returns the path written."""
        return save_npz_params(file_name, self.params, self.architecture)

    def load_params(self, file_name):
        """Load parameters saved by :meth:`save_params` into this network (in place)."""
        return load_npz_params(file_name, self.params, self.architecture)

