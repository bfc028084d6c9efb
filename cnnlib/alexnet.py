"""AlexNet (Krizhevsky, Sutskever & Hinton, 2012) — 7.7.2절.

:data:`ALEXNET` describes the network as a list of layers; :func:`cnnlib.architecture.layer_table`
computes from it, for any input size, every layer's output shape, parameter count and
multiply-adds. For a 227x227x3 input it gives 60,965,224 parameters (the paper rounds to "60
million"), 659,272 neurons (the paper: "650,000") and 724,406,816 multiply-adds per image.

The paper says its input is 224x224x3, but the first layer (96 filters 11x11, stride 4,
no padding) gives no whole number of positions for 224: (224 - 11)/4 + 1 = 54.25, while
(227 - 11)/4 + 1 = 55, the 55x55 maps the paper draws. ``layer_table(ALEXNET, 224)`` raises
the shape module's explanation of exactly that.

``groups=2`` marks the layers the paper split across its two GPUs: each half of the filters
sees only half of the input channels, which halves those layers' weights
(:class:`GroupConvolution`).

:class:`AlexNet` builds the network from the list out of cnnlib layers, as every network here
(with random weights: training it on ImageNet is far beyond a notebook).
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .architecture import LayerSpec, layer_table
from .fast_layers import use_fast_layers
from .layers import LRN, Affine, Convolution, Dropout, Pooling, Relu, SoftmaxWithLoss
from .network import Network, new_weights

__all__ = ["ALEXNET", "AlexNet", "GroupConvolution"]


ALEXNET = [
    LayerSpec("conv1", "conv", filters=96, size=11, stride=4),
    LayerSpec("norm1", "lrn"),
    LayerSpec("pool1", "pool", size=3, stride=2),
    LayerSpec("conv2", "conv", filters=256, size=5, pad=2, groups=2),
    LayerSpec("norm2", "lrn"),
    LayerSpec("pool2", "pool", size=3, stride=2),
    LayerSpec("conv3", "conv", filters=384, size=3, pad=1),
    LayerSpec("conv4", "conv", filters=384, size=3, pad=1, groups=2),
    LayerSpec("conv5", "conv", filters=256, size=3, pad=1, groups=2),
    LayerSpec("pool5", "pool", size=3, stride=2),
    LayerSpec("fc6", "fc", units=4096),
    LayerSpec("drop6", "dropout"),
    LayerSpec("fc7", "fc", units=4096),
    LayerSpec("drop7", "dropout"),
    LayerSpec("fc8", "fc", units=1000),
]




class GroupConvolution:
    """A convolution whose filters are split into ``groups``: group g's FN/groups filters see only
    channels g*C/groups ... (g+1)*C/groups - 1 of the input (AlexNet's two-GPU layers).

    W: (FN, C/groups, FH, FW), b: (FN,) -> output (N, FN, OH, OW). Each group is an ordinary
    :class:`~cnnlib.layers.Convolution` on views of W and b, so ``W``/``b`` are the parameters.
    """

    def __init__(self, W, b, stride=1, pad=0, groups=1):
        self.W, self.b, self.groups = W, b, groups
        FN = W.shape[0]
        if FN % groups:
            raise ValueError(f"{FN} filters cannot be split into {groups} groups.")
        fg = FN // groups
        self.convs = [Convolution(W[g * fg : (g + 1) * fg], b[g * fg : (g + 1) * fg], stride, pad)
                      for g in range(groups)]
        self.dW = self.db = None

    def output_shape(self, input_shape):
        N, C, H, W = input_shape
        n, f, oh, ow = self.convs[0].output_shape((N, C // self.groups, H, W))
        return N, self.W.shape[0], oh, ow

    def forward(self, x):
        half = x.shape[1] // self.groups
        return np.concatenate([conv.forward(x[:, g * half : (g + 1) * half])
                               for g, conv in enumerate(self.convs)], axis=1)

    def backward(self, dout):
        fg = self.W.shape[0] // self.groups
        dx = np.concatenate([conv.backward(dout[:, g * fg : (g + 1) * fg]) for g, conv in enumerate(self.convs)],
                            axis=1)
        self.dW = np.concatenate([conv.dW for conv in self.convs])
        self.db = np.concatenate([conv.db for conv in self.convs])
        return dx


class AlexNet(Network):
    """AlexNet from :data:`ALEXNET` with He-scaled random weights (``seed`` fixes them and the dropout
    masks). A ReLU layer (``relu1`` … ``relu7``) follows every conv and fc layer but the last;
    LRN (``norm1``, ``norm2``), 3x3 max pooling with stride 2 and Dropout 0.5 as in the paper.
    ``input_size`` must pass every layer (see :func:`cnnlib.architecture.valid_input_sizes`);
    ``fast=True``: the fast ReLU and pooling layers (:func:`cnnlib.fast_layers.use_fast_layers`)."""

    def __init__(self, input_size=227, channels=3, *, fast=False, dtype=np.float32, seed=0):
        self.table = layer_table(ALEXNET, input_size, channels)  # a clear LayerSizeError for a bad size
        self.architecture = {"class": type(self).__name__, "input_size": int(input_size),
                             "channels": int(channels)}
        rng = np.random.default_rng(seed)
        self.layers = OrderedDict()
        C, fan_in, shape = channels, None, self.table[0]["shape"]
        for spec, row in zip(ALEXNET, self.table[1:]):
            if spec.kind == "conv":
                cg = C // spec.groups
                W = new_weights(rng, (spec.filters, cg, spec.size, spec.size), cg * spec.size ** 2, "he", dtype)
                b = np.zeros(spec.filters, dtype=dtype)
                self.layers[spec.name] = (GroupConvolution(W, b, spec.stride, spec.pad, spec.groups)
                                          if spec.groups > 1 else Convolution(W, b, spec.stride, spec.pad))
                C = spec.filters
            elif spec.kind == "pool":
                self.layers[spec.name] = Pooling(spec.size, spec.size, spec.stride)
            elif spec.kind == "lrn":
                self.layers[spec.name] = LRN()
            elif spec.kind == "dropout":
                self.layers[spec.name] = Dropout(0.5, seed=int(rng.integers(2**31)))
            elif spec.kind == "fc":
                fan_in = fan_in or int(np.prod(shape))  # the first fc layer flattens the maps
                self.layers[spec.name] = Affine(new_weights(rng, (fan_in, spec.units), fan_in, "he", dtype),
                                                np.zeros(spec.units, dtype=dtype))
                fan_in = spec.units
            if spec.kind in ("conv", "fc") and spec is not ALEXNET[-1]:
                self.layers["relu" + spec.name[-1]] = Relu()
            shape = row["shape"]
        self.last_layer = SoftmaxWithLoss()
        if fast:
            use_fast_layers(self.layers)  # the grouped convolutions stay as they are
        self._collect_params()
