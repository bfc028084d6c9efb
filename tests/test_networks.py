"""LeNet, DeepConvNet and the AlexNet description: shapes, parameter counts, gradients."""

import numpy as np
import pytest

from cnnlib import relative_error
from cnnlib.alexnet import ALEXNET, AlexNetForward, LayerSpec, format_table, layer_table
from cnnlib.convnet import DeepConvNet
from cnnlib.lenet import LeNet


def spot_check_gradients(net, x, t, entries=6, seed=0, h=1e-5):
    """Central differences on a few random entries of every parameter (float64 networks)."""
    grads = net.gradient(x, t)
    rng = np.random.default_rng(seed)
    for key, p in net.params.items():
        for flat in rng.choice(p.size, size=min(entries, p.size), replace=False):
            idx = np.unravel_index(flat, p.shape)
            old = p[idx]
            p[idx] = old + h
            plus = net.loss(x, t)
            p[idx] = old - h
            minus = net.loss(x, t)
            p[idx] = old
            num = (plus - minus) / (2 * h)
            assert abs(num - grads[key][idx]) <= 1e-5 * max(1.0, abs(num)), (key, idx, num, grads[key][idx])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("pooling", ["average", "max"])
def test_lenet_shapes_and_counts(activation, pooling):
    net = LeNet(activation, pooling, seed=0)
    shapes = dict(net.layer_shapes((1, 1, 28, 28)))
    assert shapes["C1"] == (1, 6, 28, 28)    # 28x28 padded by 2 = the paper's 32x32 input
    assert shapes["S2"] == (1, 6, 14, 14)
    assert shapes["C3"] == (1, 16, 10, 10)
    assert shapes["S4"] == (1, 16, 5, 5)
    assert shapes["C5"] == (1, 120, 1, 1)
    assert shapes["F6"] == (1, 84) and shapes["Output"] == (1, 10)
    counts = {k: v.size for k, v in net.params.items()}
    # C1 156, C3 2,416 (the paper's partial table: 1,516), C5 48,120, F6 10,164, output 850
    assert counts["W1"] + counts["b1"] == 156 and counts["W2"] + counts["b2"] == 2416
    assert counts["W3"] + counts["b3"] == 48120 and counts["W4"] + counts["b4"] == 10164
    assert net.parameter_count() == 61706


@pytest.mark.parametrize("activation, pooling", [("sigmoid", "average"), ("relu", "max"), ("tanh", "average")])
def test_lenet_gradients(activation, pooling):
    net = LeNet(activation, pooling, dtype=np.float64, seed=1)
    rng = np.random.default_rng(2)
    x, t = rng.random((2, 1, 28, 28)), np.array([3, 7])
    spot_check_gradients(net, x, t)


def test_lenet_rejects_unknown_switches():
    with pytest.raises(ValueError, match="activation must be one of"):
        LeNet("gelu")
    with pytest.raises(ValueError, match="pooling must be 'average' or 'max'"):
        LeNet("relu", "min")


def test_deep_convnet_layout_and_gradients():
    net = DeepConvNet(seed=0)
    shapes = dict(net.layer_shapes((1, 1, 28, 28)))
    assert shapes["Pool1"] == (1, 16, 14, 14)
    assert shapes["Conv4"] == (1, 32, 16, 16)   # the book's pad 2 grows 14 -> 16
    assert shapes["Pool3"] == (1, 64, 4, 4)
    assert net.params["W7"].shape == (1024, 50)
    small = DeepConvNet(dropout_ratio=0.0, dtype=np.float64, seed=0)
    rng = np.random.default_rng(0)
    spot_check_gradients(small, rng.random((2, 1, 28, 28)), np.array([1, 4]), entries=3)


def test_alexnet_table_matches_published_figures():
    rows = {r["name"]: r for r in layer_table(227)}
    assert rows["conv1"]["shape"] == (96, 55, 55)      # the paper's 55x55 maps
    assert rows["pool2"]["shape"] == (256, 13, 13)
    assert rows["pool5"]["shape"] == (256, 6, 6)
    total = sum(r["params"] for r in rows.values())
    assert total == 60_965_224                          # "60 million parameters"
    neurons = sum(int(np.prod(r["shape"])) for r in rows.values() if r["kind"] in ("conv", "fc"))
    assert 650_000 <= neurons <= 660_000                # "650,000 neurons"
    macs = sum(r["macs"] for r in rows.values())
    assert macs == 724_406_816                          # the usual 0.72 G multiply-adds
    assert rows["conv2"]["params"] == 256 * 48 * 25 + 256  # groups=2: each filter sees 48 channels
    assert "total" in format_table(list(rows.values()))


def test_alexnet_224_puzzle_is_explained():
    with pytest.raises(ValueError) as e:
        layer_table(224)
    msg = str(e.value)
    assert msg.startswith("conv1 (input 3x224x224)")
    assert "213/4 + 1" in msg and "remainder 1" in msg and "No padding can fix it" in msg


def test_alexnet_other_sizes_and_errors():
    rows = {r["name"]: r for r in layer_table(259)}  # the next size after 227 that works all the way
    assert rows["conv1"]["shape"] == (96, 63, 63) and rows["pool5"]["shape"] == (256, 7, 7)
    assert rows["fc6"]["params"] == 256 * 7 * 7 * 4096 + 4096
    with pytest.raises(ValueError, match=r"^pool1 \(input 96x56x56\)"):
        layer_table(231)  # conv1 gives 56, then the 3x3/2 pooling leaves a remainder
    with pytest.raises(ValueError, match="must divide into 2 groups"):
        layer_table(227, layers=[LayerSpec("c", "conv", filters=3, size=3, groups=2)])


def test_alexnet_forward_pass_runs_small():
    net = AlexNetForward(input_size=227, seed=0)
    x = np.random.default_rng(0).random((1, 3, 227, 227), dtype=np.float32)
    y, report = net.forward(x)
    assert y.shape == (1, 1000) and np.all(np.isfinite(y))
    assert [r[0] for r in report] == [s.name for s in ALEXNET]
    assert report[0][1] == (1, 96, 55, 55) and report[0][3] == 55 * 55 * 363 * 4
