"""Looking inside a network (cnnlib.evaluate)."""

import numpy as np
import pytest

from cnnlib import LeNet
from cnnlib.evaluate import input_dependence, layer_outputs


def test_input_dependence():
    same = np.ones((5, 3, 2, 2))
    assert input_dependence(same) == 0.0
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4000, 3))
    assert input_dependence(a) == pytest.approx(1 / np.sqrt(2 / np.pi), rel=0.05)  # std 1 / mean |N(0,1)|
    net = LeNet("relu", "max", seed=0)
    x = rng.random((3, 1, 28, 28)).astype(np.float32)
    outs = layer_outputs(net, x)
    assert list(outs) == list(net.layers) and np.array_equal(outs["Output"], net.predict(x))
