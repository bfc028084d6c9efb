"""Helpers the notebooks call: network diagrams, image grids, deterministic shifts."""

from collections import OrderedDict

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from cnnlib import Affine, Convolution, Pooling, Relu, SimpleConvNet
from cnnlib.augment import shift
from cnnlib.diagrams import layer_flow_html, layer_kind, trace_shapes
from cnnlib.plots import image_grid

from explorer_html import visible_text


def test_trace_shapes_gives_each_layers_output_shape():
    net = SimpleConvNet(seed=0)
    assert trace_shapes(net.layers, (1, 1, 28, 28)) == [
        ("input", (1, 1, 28, 28)), ("Conv1", (1, 30, 24, 24)), ("Relu1", (1, 30, 24, 24)), ("Pool1", (1, 30, 12, 12)),
        ("Affine1", (1, 100)), ("Relu2", (1, 100)), ("Affine2", (1, 10))]
    layers = OrderedDict(Conv1=Convolution(np.zeros((4, 1, 3, 3)), np.zeros(4), pad=1), Relu1=Relu(),
                         Pool1=Pooling(2, 2, stride=2), Affine1=Affine(np.zeros((4 * 14 * 14, 10)), np.zeros(10)))
    assert trace_shapes(layers, (2, 1, 28, 28)) == [
        ("input", (2, 1, 28, 28)), ("Conv1", (2, 4, 28, 28)), ("Relu1", (2, 4, 28, 28)),
        ("Pool1", (2, 4, 14, 14)), ("Affine1", (2, 10))]


def test_layer_flow_html_shows_every_layer_and_shape():
    steps = [("input", (1, 1, 28, 28)), ("Conv1", (1, 30, 24, 24)), ("Pool1", (1, 30, 12, 12)), ("Softmax", None)]
    h = layer_flow_html(steps, title="t")
    text = visible_text(h).replace(" ", "")
    assert text == "t입력(1,1,28,28)→Conv1(1,30,24,24)→Pool1(1,30,12,12)→Softmax"
    assert "cnnlib-layer-conv" in h and "cnnlib-layer-pool" in h and "<style" not in h
    assert [layer_kind(n) for n in ("Conv2", "Pool1", "Affine3", "Relu1", "Softmax", "LRN")] == \
        ["conv", "pool", "affine", "activation", "softmax", "other"]


def test_image_grid_layouts():
    import matplotlib.pyplot as plt
    fig = image_grid(np.zeros((2, 3, 5, 5)), row_labels=["a", "b"])
    assert len(fig.axes) == 6
    fig2 = image_grid([np.zeros((4, 4))] * 5, titles=list("abcde"), ncols=3)
    assert len(fig2.axes) == 6 and fig2.axes[5].axison is False
    with pytest.raises(ValueError, match="2-D images"):
        image_grid([np.zeros((1, 4, 4))])
    plt.close("all")


def test_shift_moves_and_fills_with_zero():
    x = np.arange(2 * 16, dtype=float).reshape(2, 1, 4, 4)
    right = shift(x, 0, 1)
    np.testing.assert_array_equal(right[:, :, :, 1:], x[:, :, :, :-1])
    assert not right[:, :, :, 0].any()
    np.testing.assert_array_equal(shift(shift(x, 1, -1), -1, 1)[:, :, :3, 1:], x[:, :, :3, 1:])
    np.testing.assert_array_equal(shift(x, 0, 0), x)
    with pytest.raises(ValueError, match="out of view"):
        shift(x, 4, 0)
