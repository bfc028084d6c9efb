"""SimpleConvNet — the book's CNN of 7.5 (``ch07/simple_convnet.py``), built from the book's layers.

    conv - relu - pool - affine - relu - affine - softmax

    x (N, C, H, W) -> Conv1 (N, FN, OH, OW) -> Relu1 -> Pool1 2x2 (N, FN, OH/2, OW/2)
      -> Affine1 (N, hidden) -> Relu2 -> Affine2 (N, classes) -> SoftmaxWithLoss

``__init__`` is the book's: the weights first, then the layers in order (``Convolution``, ``Relu``,
``Pooling``, ``Affine``, ``SoftmaxWithLoss`` of :mod:`cnnlib.layers`). The rest of the book's class —
``predict``, ``loss``, ``accuracy``, ``numerical_gradient``, ``gradient``, ``save_params``,
``load_params`` — is the same for every network of the chapter, so it is written once, in
:class:`cnnlib.network.Network`, which every network here extends.

The one switch, ``fast=True``: the convolution, ReLU and pooling layers become
``FastConvolution``, ``FastRelu`` and ``FastPooling`` (:func:`cnnlib.fast_layers.use_fast_layers`),
which compute the same numbers (up to rounding) several times faster. The training recipes
(:mod:`cnnlib.train`) and the training runs of notebook 7.5 use it; everything else reads the book.

Differences from the book, all optional or invisible to its code:

* sizes come from :mod:`cnnlib.shapes`, so any valid filter size/pad/stride works (the
  book's network breaks at the Affine layer with a 4x4 filter); like the book's Pooling
  code, the 2x2 pooling drops a last odd row/column (``floor=True``);
* float32 by default (``dtype=np.float64`` for gradient checks), a ``seed`` for
  reproducible initial weights, and ``weight_init_std='he'`` as an option;
* parameters are saved as ``.npz`` with the architecture recorded, never as pickle.

``DeepConvNet`` below is the book's network of chapter 8, used in 7.6 to look at depth.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .fast_layers import use_fast_layers
from .layers import Affine, Convolution, Dropout, Pooling, Relu, SoftmaxWithLoss
from .network import Network, new_weights
from .shapes import conv_output_shape, pool_output_shape, require_int

__all__ = ["SimpleConvNet", "DeepConvNet"]

DEFAULT_CONV_PARAM = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}


class SimpleConvNet(Network):
    """The book's simple CNN.

    input_dim: (C, H, W) of one image; conv_param: {'filter_num', 'filter_size', 'pad', 'stride'};
    hidden_size: units of the hidden Affine layer; output_size: classes.
    Methods (from :class:`~cnnlib.network.Network`): predict, loss, accuracy, gradient,
    numerical_gradient, save_params, load_params; ``params`` holds W1, b1, W2, b2, W3, b3.
    Not in the book: ``fast`` (the switch above), ``dtype``, ``seed``.
    """

    def __init__(self, input_dim=(1, 28, 28), conv_param=None, hidden_size=100, output_size=10,
                 weight_init_std=0.01, *, fast=False, dtype=np.float32, seed=None):
        conv_param = checked_conv_param(conv_param)
        C, H, W = checked_dims("input_dim", input_dim, 3)
        hidden_size, output_size = require_int("hidden_size", hidden_size, 1), require_int("output_size", output_size, 1)
        filter_num = conv_param["filter_num"]
        filter_size = conv_param["filter_size"]
        filter_pad = conv_param["pad"]
        filter_stride = conv_param["stride"]
        # The sizes after Conv1 and after the 2x2 pooling come from the one shape rule (cnnlib.shapes);
        # like the book's code, the pooling drops a last odd row/column (floor).
        conv_h, conv_w = conv_output_shape((H, W), (filter_size, filter_size), filter_stride, filter_pad)
        pooled_h, pooled_w = pool_output_shape((conv_h, conv_w), (2, 2), stride=2, floor=True)
        pool_output_size = filter_num * pooled_h * pooled_w

        # Initial weights: Gaussians with std weight_init_std (the book's 0.01, or 'he'), biases 0.
        rng = np.random.default_rng(seed)
        self.params = {}
        self.params["W1"] = new_weights(rng, (filter_num, C, filter_size, filter_size), C * filter_size ** 2,
                                        weight_init_std, dtype)
        self.params["b1"] = np.zeros(filter_num, dtype=dtype)
        self.params["W2"] = new_weights(rng, (pool_output_size, hidden_size), pool_output_size, weight_init_std, dtype)
        self.params["b2"] = np.zeros(hidden_size, dtype=dtype)
        self.params["W3"] = new_weights(rng, (hidden_size, output_size), hidden_size, weight_init_std, dtype)
        self.params["b3"] = np.zeros(output_size, dtype=dtype)

        # The layers, in order. They hold the arrays of self.params themselves (no copies), so an
        # optimizer that updates params updates the layers.
        self.layers = OrderedDict()
        self.layers["Conv1"] = Convolution(self.params["W1"], self.params["b1"], filter_stride, filter_pad)
        self.layers["Relu1"] = Relu()
        self.layers["Pool1"] = Pooling(pool_h=2, pool_w=2, stride=2, floor=True)
        self.layers["Affine1"] = Affine(self.params["W2"], self.params["b2"])
        self.layers["Relu2"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W3"], self.params["b3"])
        self.last_layer = SoftmaxWithLoss()
        if fast:
            use_fast_layers(self.layers)  # the same numbers, faster: see cnnlib.fast_layers

        self._collect_params()  # the same arrays, and the layers that hold them, for gradient()
        self.architecture = {"class": type(self).__name__, "input_dim": [C, H, W], "conv_param": conv_param,
                             "hidden_size": hidden_size, "output_size": output_size}


class DeepConvNet(Network):
    """The book's deeper CNN (8.1절, ``ch08/deep_convnet.py``), used in 7.6 to look at depth:

        conv-relu-conv-relu-pool  (16, 16 filters 3x3)
        conv-relu-conv-relu-pool  (32, 32; the second with pad 2, as in the book)
        conv-relu-conv-relu-pool  (64, 64)
        affine-relu-dropout-affine-dropout-softmax

    He initial weights as in the book. ``dropout_ratio`` 0.5 as in the book; ``seed`` fixes
    both the initial weights and the dropout masks; ``fast`` as for :class:`SimpleConvNet`.
    """

    CONV_PARAMS = [
        {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
        {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
        {"filter_num": 32, "filter_size": 3, "pad": 1, "stride": 1},
        {"filter_num": 32, "filter_size": 3, "pad": 2, "stride": 1},
        {"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
        {"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
    ]

    def __init__(self, input_dim=(1, 28, 28), hidden_size=50, output_size=10, dropout_ratio=0.5,
                 *, fast=False, dtype=np.float32, seed=None):
        self.architecture = {"class": type(self).__name__, "input_dim": [int(v) for v in input_dim],
                             "hidden_size": int(hidden_size), "output_size": int(output_size),
                             "dropout_ratio": dropout_ratio}
        rng = np.random.default_rng(seed)
        shape = (1, *input_dim)
        self.layers = OrderedDict()
        for i, p in enumerate(self.CONV_PARAMS, start=1):
            C, F = shape[1], p["filter_size"]
            conv = Convolution(new_weights(rng, (p["filter_num"], C, F, F), C * F * F, "he", dtype),
                               np.zeros(p["filter_num"], dtype=dtype), p["stride"], p["pad"])
            self.layers[f"Conv{i}"] = conv
            self.layers[f"Relu{i}"] = Relu()
            shape = conv.output_shape(shape)
            if i % 2 == 0:
                pool = Pooling(pool_h=2, pool_w=2, stride=2)
                self.layers[f"Pool{i // 2}"] = pool
                shape = pool.output_shape(shape)
        flat = int(np.prod(shape[1:]))
        self.layers["Affine1"] = Affine(new_weights(rng, (flat, hidden_size), flat, "he", dtype),
                                        np.zeros(hidden_size, dtype=dtype))
        self.layers["Relu7"] = Relu()
        self.layers["Dropout1"] = Dropout(dropout_ratio, seed=int(rng.integers(2**31)))
        self.layers["Affine2"] = Affine(new_weights(rng, (hidden_size, output_size), hidden_size, "he", dtype),
                                        np.zeros(output_size, dtype=dtype))
        self.layers["Dropout2"] = Dropout(dropout_ratio, seed=int(rng.integers(2**31)))
        self.last_layer = SoftmaxWithLoss()
        if fast:
            use_fast_layers(self.layers)
        self._collect_params()


# ---- checking the constructor's arguments (not in the book: its code fails later, less clearly) ------

def checked_dims(name, dims, length):
    """A tuple of ``length`` whole numbers >= 1, or a clear error."""
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else dims
    if not isinstance(dims, tuple) or len(dims) != length:
        raise ValueError(f"{name} must be {length} whole numbers (C, H, W) of one image, e.g. (1, 28, 28); "
                         f"got {dims!r}.")
    return tuple(require_int(f"{name}[{i}]", v, 1) for i, v in enumerate(dims))


def checked_conv_param(conv_param):
    """The book's conv_param dict with defaults filled in and every value checked."""
    conv_param = dict(conv_param or {})
    unknown = sorted(set(conv_param) - set(DEFAULT_CONV_PARAM))
    if unknown:
        raise ValueError(f"conv_param has unknown keys {unknown}; it takes {sorted(DEFAULT_CONV_PARAM)}.")
    conv_param = {**DEFAULT_CONV_PARAM, **conv_param}
    minimum = {"filter_num": 1, "filter_size": 1, "pad": 0, "stride": 1}
    return {k: require_int(f"conv_param['{k}']", v, minimum[k]) for k, v in conv_param.items()}
