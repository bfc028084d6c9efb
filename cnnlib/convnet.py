"""SimpleConvNet — the book's CNN of 7.5 (``ch07/simple_convnet.py``).

    conv - relu - pool - affine - relu - affine - softmax

    x (N, C, H, W) -> Conv1 (N, FN, OH, OW) -> Relu1 -> Pool1 2x2 (N, FN, OH/2, OW/2)
      -> Affine1 (N, hidden) -> Relu2 -> Affine2 (N, classes) -> SoftmaxWithLoss

Differences from the book, all optional or invisible to its code:

* sizes come from :mod:`cnnlib.shapes`, so any valid filter size/pad/stride works (the
  book's network breaks at the Affine layer with a 4x4 filter); like the book's Pooling
  code, the 2x2 pooling drops a last odd row/column (``floor=True``);
* float32 by default (``dtype=np.float64`` for gradient checks), a ``seed`` for
  reproducible initial weights, and ``weight_init_std='he'`` as an option;
* parameters are saved as ``.npz`` with the architecture recorded, never as pickle.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path

import numpy as np

from .gradient import numerical_gradient
from .layers import Affine, Convolution, Pooling, Relu, SoftmaxWithLoss

__all__ = ["SimpleConvNet", "init_std"]

DEFAULT_CONV_PARAM = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}


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


class SimpleConvNet:
    """The book's simple CNN.

    input_dim: (C, H, W) of one image; conv_param: {'filter_num', 'filter_size', 'pad', 'stride'};
    hidden_size: units of the hidden Affine layer; output_size: classes.
    """

    def __init__(self, input_dim=(1, 28, 28), conv_param=None, hidden_size=100, output_size=10,
                 weight_init_std=0.01, *, dtype=np.float32, seed=None):
        conv_param = {**DEFAULT_CONV_PARAM, **(conv_param or {})}
        self.architecture = {
            "class": type(self).__name__, "input_dim": [int(v) for v in input_dim], "conv_param": conv_param,
            "hidden_size": int(hidden_size), "output_size": int(output_size),
        }
        filter_num, filter_size = conv_param["filter_num"], conv_param["filter_size"]
        C, H, W = input_dim
        rng = np.random.default_rng(seed)

        def weights(shape, fan_in):
            return (init_std(weight_init_std, fan_in) * rng.standard_normal(shape)).astype(dtype)

        self.params = {}
        self.params["W1"] = weights((filter_num, C, filter_size, filter_size), C * filter_size * filter_size)
        self.params["b1"] = np.zeros(filter_num, dtype=dtype)

        self.layers = OrderedDict()
        self.layers["Conv1"] = Convolution(self.params["W1"], self.params["b1"],
                                           conv_param["stride"], conv_param["pad"])
        self.layers["Relu1"] = Relu()
        self.layers["Pool1"] = Pooling(pool_h=2, pool_w=2, stride=2, floor=True)

        # The Affine layer's input size follows from the layers' own shape rules (one place).
        conv_shape = self.layers["Conv1"].output_shape((1, C, H, W))
        pool_shape = self.layers["Pool1"].output_shape(conv_shape)
        pool_output_size = int(np.prod(pool_shape[1:]))

        self.params["W2"] = weights((pool_output_size, hidden_size), pool_output_size)
        self.params["b2"] = np.zeros(hidden_size, dtype=dtype)
        self.params["W3"] = weights((hidden_size, output_size), hidden_size)
        self.params["b3"] = np.zeros(output_size, dtype=dtype)

        self.layers["Affine1"] = Affine(self.params["W2"], self.params["b2"])
        self.layers["Relu2"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W3"], self.params["b3"])
        self.last_layer = SoftmaxWithLoss()

    # ---- the book's methods ------------------------------------------------------------------

    def predict(self, x):
        """Scores before softmax: (N, C, H, W) -> (N, output_size)."""
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        """Mean cross-entropy loss for images x and labels t (integers or one-hot)."""
        return self.last_layer.forward(self.predict(x), t)

    def accuracy(self, x, t, batch_size=100):
        """Fraction of images whose highest score is the label, computed batch by batch."""
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
        self.loss(x, t)

        dout = self.last_layer.backward(1)
        layers = list(self.layers.values())
        for layer in reversed(layers[1:]):
            dout = layer.backward(dout)
        # The first layer's input is the image itself: no one needs its gradient, so skip col2im.
        layers[0].backward(dout, input_grad=False)

        grads = {}
        grads["W1"], grads["b1"] = self.layers["Conv1"].dW, self.layers["Conv1"].db
        grads["W2"], grads["b2"] = self.layers["Affine1"].dW, self.layers["Affine1"].db
        grads["W3"], grads["b3"] = self.layers["Affine2"].dW, self.layers["Affine2"].db
        return grads

    # ---- saving and loading (.npz, no pickle) -------------------------------------------------

    def save_params(self, file_name):
        """Write the parameters and the architecture to ``file_name`` (.npz), atomically."""
        save_npz_params(file_name, self.params, self.architecture)

    def load_params(self, file_name):
        """Load parameters saved by :meth:`save_params` into this network (in place)."""
        load_npz_params(file_name, self.params, self.architecture)


ARCH_KEY = "__architecture__"


def save_npz_params(file_name, params, architecture):
    """Save ``params`` and a JSON record of ``architecture``; write to a temporary file and rename,
    so an interrupted save never leaves a half-written file."""
    path = Path(file_name)
    if path.suffix != ".npz":
        path = path.with_suffix(path.suffix + ".npz")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.npz")
    try:
        np.savez(tmp, **{ARCH_KEY: np.array(json.dumps(architecture, sort_keys=True))}, **params)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def load_npz_params(file_name, params, architecture):
    """Copy arrays saved by :func:`save_npz_params` into ``params`` (same arrays, changed in place,
    so the layers holding them see the loaded values). A different architecture or shape is an
    error that names both."""
    path = Path(file_name)
    if not path.exists():
        raise FileNotFoundError(f"No parameter file at {path}.")
    with np.load(path, allow_pickle=False) as data:
        saved_arch = json.loads(str(data[ARCH_KEY])) if ARCH_KEY in data else None
        missing = [k for k in params if k not in data]
        if missing:
            raise ValueError(f"{path.name} has no {', '.join(missing)}; it holds {sorted(k for k in data if k != ARCH_KEY)}.")
        for key, value in params.items():
            saved = data[key]
            if saved.shape != value.shape:
                raise ValueError(
                    f"Cannot load {path.name} into this network: {key} has shape {saved.shape} in the file "
                    f"but {value.shape} in the network.\n  file's architecture:    {saved_arch}\n"
                    f"  network's architecture: {architecture}"
                )
        for key, value in params.items():
            value[...] = data[key]
    return saved_arch
