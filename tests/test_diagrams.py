"""Network diagrams (cnnlib.diagrams) and the shapes they show (cnnlib.network.trace_shapes)."""

from collections import OrderedDict

import numpy as np

from cnnlib import Affine, Convolution, LeNet, Pooling, Relu, SimpleConvNet
from cnnlib.diagrams import layer_flow_html, layer_kind
from cnnlib.network import trace_shapes

from explorer_html import visible_text


def test_lenet_diagram_colours_the_paper_names():
    assert [layer_kind(n) for n in ("C1", "S2", "C5", "F6", "Act1", "Output", "Softmax", "Conv1")] == \
        ["conv", "pool", "conv", "affine", "activation", "affine", "softmax", "conv"]
    html = layer_flow_html(trace_shapes(LeNet(seed=0).layers, (1, 1, 28, 28)))
    assert html.count("cnnlib-layer-conv") == 3 and html.count("cnnlib-layer-pool") == 2
    assert html.count("cnnlib-layer-affine") == 2 and html.count("cnnlib-layer-activation") == 4


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
