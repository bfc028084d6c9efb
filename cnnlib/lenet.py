"""LeNet-5 (LeCun et al., 1998) on MNIST — 7.7.1절.

    input 32x32 -> C1 6@5x5 -> S2 2x2 -> C3 16@5x5 -> S4 2x2 -> C5 120@5x5 -> F6 84 -> output 10
       (1,32,32)   (6,28,28)   (6,14,14)  (16,10,10)   (16,5,5)    (120,1,1)    (84,)     (10,)

The paper feeds 32x32 images: MNIST's 28x28 digits centred in a 32x32 field. Padding the
28x28 image with 2 zero pixels on each side is exactly that (MNIST's background is 0), so
C1 is a convolution with ``pad=2`` on the 28x28 image.

Switches: ``activation`` 'sigmoid' (the book's description of LeNet), 'tanh' (the paper used
a scaled tanh, 1.7159·tanh(2a/3)) or 'relu' (today's choice); ``pooling`` 'average'
(subsampling) or 'max'.

Simplifications, as in most re-implementations:

* S2/S4: the paper's subsampling multiplies the 2x2 sum by a trainable coefficient, adds a
  trainable bias and applies the activation; here it is a plain average pooling (or max).
* C3: the paper connects each of the 16 maps to only some of S2's 6 maps (its Table I:
  1,516 parameters instead of 2,416) to break symmetry and save computation; here every map
  sees all 6.
* Output: the paper's 10 Euclidean RBF units are replaced by an Affine layer with softmax
  and cross-entropy.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .architecture import LayerSpec
from .fast_layers import use_fast_layers
from .layers import Affine, Convolution, Pooling, Relu, Sigmoid, SoftmaxWithLoss, Tanh
from .network import Network, new_weights

__all__ = ["LeNet", "LENET5"]

# The same layout as a layer list for cnnlib.architecture.layer_table (shapes, parameters and
# multiply-adds without building the network), for a 28x28 MNIST input: C1's pad=2 makes the
# paper's 32x32 field, and C5 is a 5x5 convolution over S4's 5x5 maps.
LENET5 = [
    LayerSpec("C1", "conv", filters=6, size=5, pad=2),
    LayerSpec("S2", "pool", size=2, stride=2),
    LayerSpec("C3", "conv", filters=16, size=5),
    LayerSpec("S4", "pool", size=2, stride=2),
    LayerSpec("C5", "conv", filters=120, size=5),
    LayerSpec("F6", "fc", units=84),
    LayerSpec("Output", "fc", units=10),
]

ACTIVATIONS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": Relu}


class LeNet(Network):
    """LeNet-5 with a choice of activation and pooling; parameters W1..W5 (C1, C3, C5, F6, output).
    ``fast=True``: the fast convolution, ReLU and pooling layers (:func:`cnnlib.fast_layers.use_fast_layers`)."""

    def __init__(self, activation="sigmoid", pooling="average", input_dim=(1, 28, 28), output_size=10,
                 *, fast=False, dtype=np.float32, seed=None):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}; got {activation!r}.")
        if pooling not in ("average", "max"):
            raise ValueError(f"pooling must be 'average' or 'max'; got {pooling!r}.")
        self.architecture = {"class": type(self).__name__, "activation": activation, "pooling": pooling,
                             "input_dim": [int(v) for v in input_dim], "output_size": int(output_size)}
        rng = np.random.default_rng(seed)
        # He initial weights suit ReLU, Xavier suits sigmoid and tanh (6.2절).
        init = "he" if activation == "relu" else "xavier"
        Act = ACTIVATIONS[activation]

        def conv(fn, c, f, pad=0):
            return Convolution(new_weights(rng, (fn, c, f, f), c * f * f, init, dtype), np.zeros(fn, dtype=dtype),
                               stride=1, pad=pad)

        def affine(d, m, std=init):
            return Affine(new_weights(rng, (d, m), d, std, dtype), np.zeros(m, dtype=dtype))

        C, H, W = input_dim
        pad = (32 - H) // 2 if H < 32 else 0  # 28x28 MNIST -> the paper's 32x32 field
        self.layers = OrderedDict()
        self.layers["C1"] = conv(6, C, 5, pad)
        self.layers["Act1"] = Act()
        self.layers["S2"] = Pooling(2, 2, stride=2, method=pooling)
        self.layers["C3"] = conv(16, 6, 5)
        self.layers["Act3"] = Act()
        self.layers["S4"] = Pooling(2, 2, stride=2, method=pooling)
        shape = (1, C, H, W)
        for name in ("C1", "S2", "C3", "S4"):
            shape = self.layers[name].output_shape(shape)
        # C5 is a 5x5 convolution over S4's 5x5 maps: one output per map, i.e. fully connected.
        self.layers["C5"] = conv(120, 16, shape[2])
        self.layers["Act5"] = Act()
        self.layers["F6"] = affine(120, 84)
        self.layers["Act6"] = Act()
        self.layers["Output"] = affine(84, output_size, "xavier")
        self.last_layer = SoftmaxWithLoss()
        if fast:
            use_fast_layers(self.layers)
        self._collect_params()
