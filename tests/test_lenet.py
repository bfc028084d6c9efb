"""LeNet for notebook 7.7: its layer list agrees with the network, the helpers the notebook uses,
and the shipped parameters reach the accuracies the notebook states."""

from __future__ import annotations

import numpy as np
import pytest

from cnnlib import LeNet
from cnnlib.alexnet import layer_table
from cnnlib.diagrams import layer_flow_html, layer_kind, trace_shapes
from cnnlib.evaluate import input_dependence, layer_outputs
from cnnlib.lenet import LENET5
from cnnlib.plots import before_after, compare_curves, image_grid


def test_layer_list_agrees_with_the_network():
    net = LeNet("relu", "max", seed=0)
    shapes = dict(net.layer_shapes((1, 1, 28, 28)))
    rows = layer_table(28, channels=1, layers=LENET5)
    for r in rows[1:]:
        assert (1, *r["shape"]) == shapes[r["name"]]
    by_layer = {r["name"]: r["params"] for r in rows if r["params"]}
    counted = [net.params[f"W{i}"].size + net.params[f"b{i}"].size for i in range(1, 6)]
    assert list(by_layer.values()) == counted and sum(counted) == net.parameter_count() == 61_706
    # multiply-adds: filters x (C*FH*FW) x output positions, counted by hand from the paper's layout
    assert [r["macs"] for r in rows if r["macs"]] == [6 * 25 * 28 * 28, 16 * 150 * 10 * 10, 120 * 400, 120 * 84,
                                                      84 * 10]


def test_lenet_diagram_colours_the_paper_names():
    assert [layer_kind(n) for n in ("C1", "S2", "C5", "F6", "Act1", "Output", "Softmax", "Conv1")] == \
        ["conv", "pool", "conv", "affine", "activation", "affine", "softmax", "conv"]
    html = layer_flow_html(trace_shapes(LeNet(seed=0).layers, (1, 1, 28, 28)))
    assert html.count("cnnlib-layer-conv") == 3 and html.count("cnnlib-layer-pool") == 2
    assert html.count("cnnlib-layer-affine") == 2 and html.count("cnnlib-layer-activation") == 4


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


def test_compare_curves_and_rgb_images():
    import matplotlib.pyplot as plt

    h1 = {"epoch": [1, 2], "test_acc": [0.5, 0.9]}
    ax = compare_curves({"a": h1, "b": {"epoch": [1, 2], "test_acc": [0.1, 0.2]}}, "test_acc")
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    assert list(ax.get_lines()[0].get_ydata()) == [0.5, 0.9]
    with pytest.raises(ValueError, match="has no 'train_loss'"):
        compare_curves({"a": h1}, "train_loss")
    fig = image_grid([np.zeros((4, 4, 3)), np.zeros((4, 4))])
    assert len(fig.axes) == 2
    with pytest.raises(ValueError, match="RGB images"):
        image_grid([np.zeros((3, 4, 4))])
    plt.close("all")


def test_before_after_scatter():
    import matplotlib.pyplot as plt

    x = np.arange(50.0).reshape(2, 25)
    ax = before_after(x, x / 2, lines={"half": 0.5}, max_points=30)
    (points,) = ax.collections
    offsets = points.get_offsets()
    assert len(offsets) == 30 and np.allclose(offsets[:, 1], offsets[:, 0] / 2)
    assert list(ax.get_lines()[0].get_ydata()) == [0, 24.5]
    with pytest.raises(ValueError, match="same number of values"):
        before_after(x, x[0])
    plt.close("all")


# What notebook 7.7 states about the shipped runs (its summary): final test accuracy on the full
# 10,000-image test set, and the first epoch at which the recorded test accuracy reached 97/98/99 %.
# tests/test_shipped_params.py loads every shipped file and checks that it scores its record on the
# test set; here the record must be what the notebook says.
STATED = {"lenet_1998": (0.9812, [5, 9, None]), "lenet_modern": (0.9902, [1, 2, 9])}


@pytest.mark.parametrize("name", sorted(STATED))
def test_shipped_lenet_records_say_what_the_notebook_states(name):
    from cnnlib.paths import params_dir
    from cnnlib.train import RECIPES, load_record

    accuracy, reach = STATED[name]
    assert (params_dir() / f"{name}.npz").exists()
    record = load_record(name)
    assert record["settings"]["network_args"] == RECIPES[name].network_args
    assert record["test_size"] == 10_000 and record["test_accuracy"] == accuracy
    history = record["history"]
    assert len(history["epoch"]) == 12 and history["test_acc"][-1] == accuracy
    first = [next((e for e, a in zip(history["epoch"], history["test_acc"]) if a >= v), None) for v in (0.97, 0.98, 0.99)]
    assert first == reach
