"""AlexNet: the layer table against the paper's figures, the 224 puzzle, other input sizes, the
structured size error, and the network built from the table (cnnlib.architecture, cnnlib.alexnet)."""

import numpy as np
import pytest

from cnnlib.alexnet import ALEXNET, AlexNet
from cnnlib.architecture import LayerSizeError, LayerSpec, format_table, layer_table, valid_input_sizes
from cnnlib.evaluate import layer_outputs, profile_forward
from cnnlib.explorers.alexnet import CONTROLS

SIZE = CONTROLS[0]


def test_alexnet_table_matches_published_figures():
    rows = {r["name"]: r for r in layer_table(ALEXNET, 227)}
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
        layer_table(ALEXNET, 224)
    msg = str(e.value)
    assert msg.startswith("conv1 (input 3x224x224)")
    assert "213/4 + 1" in msg and "remainder 1" in msg and "No padding can fix it" in msg


def test_alexnet_other_sizes_and_errors():
    rows = {r["name"]: r for r in layer_table(ALEXNET, 259)}  # the next size after 227 that works all the way
    assert rows["conv1"]["shape"] == (96, 63, 63) and rows["pool5"]["shape"] == (256, 7, 7)
    assert rows["fc6"]["params"] == 256 * 7 * 7 * 4096 + 4096
    with pytest.raises(ValueError, match=r"^pool1 \(input 96x56x56\)"):
        layer_table(ALEXNET, 231)  # conv1 gives 56, then the 3x3/2 pooling leaves a remainder
    with pytest.raises(ValueError, match="must divide into 2 groups"):
        layer_table([LayerSpec("c", "conv", filters=3, size=3, groups=2)], 227)


def test_alexnet_is_a_network_built_from_its_table():
    net = AlexNet(input_size=227, seed=0)
    assert net.parameter_count() == sum(r["params"] for r in layer_table(ALEXNET, 227)) == 60_965_224
    x = np.random.default_rng(0).random((1, 3, 227, 227), dtype=np.float32)
    y = net.predict(x)
    assert y.shape == (1, 1000) and np.all(np.isfinite(y))
    names = list(net.layers)
    assert names[:4] == ["conv1", "relu1", "norm1", "pool1"] and names[-1] == "fc8"
    assert [n for n in names if not n.startswith("relu")] == [s.name for s in ALEXNET]
    with pytest.raises(LayerSizeError, match="conv1"):
        AlexNet(input_size=224)


def test_group_convolution_is_two_convolutions_on_half_the_channels():
    from cnnlib import Convolution, numerical_gradient, relative_error
    from cnnlib.alexnet import GroupConvolution

    rng = np.random.default_rng(1)
    W, b = rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    x = rng.standard_normal((2, 6, 5, 5))
    layer = GroupConvolution(W, b, stride=1, pad=1, groups=2)
    out = layer.forward(x)
    np.testing.assert_allclose(out[:, :2], Convolution(W[:2], b[:2], 1, 1).forward(x[:, :3]))
    np.testing.assert_allclose(out[:, 2:], Convolution(W[2:], b[2:], 1, 1).forward(x[:, 3:]))
    proj = rng.standard_normal(out.shape)
    dx = layer.backward(proj)

    def loss(_):
        return np.sum(layer.forward(x) * proj)

    for name, arr, grad in (("x", x, dx), ("W", W, layer.dW), ("b", b, layer.db)):
        assert relative_error(grad, numerical_gradient(loss, arr)) < 1e-7, name


def test_valid_sizes_repeat_every_32_pixels():
    # conv1 (stride 4) and the three 3x3/2 poolings: the strides multiply to 4·2·2·2 = 32
    assert valid_input_sizes(ALEXNET, 11, 400) == list(range(67, 400, 32))
    brute_force = []
    for size in range(SIZE.lo, SIZE.hi + 1):  # every size of the explorer's control whose table does not raise
        try:
            layer_table(ALEXNET, size)
            brute_force.append(size)
        except LayerSizeError:
            pass
    assert valid_input_sizes(ALEXNET, SIZE.lo, SIZE.hi) == brute_force


def test_layer_size_error_carries_layer_input_checks_and_rows():
    with pytest.raises(LayerSizeError) as e:
        layer_table(ALEXNET, 231)
    err = e.value
    assert isinstance(err, ValueError)
    assert err.layer.name == "pool1" and err.input_shape == (96, 56, 56)
    assert [c.dim for c in err.checks] == ["H", "W"] and all(c.remainder == 1 for c in err.checks)
    assert [r["name"] for r in err.rows] == ["input", "conv1", "norm1"]
    assert err.rows[1]["shape"] == (96, 56, 56) and err.rows[1]["params"] == 96 * 3 * 11 * 11 + 96
    with pytest.raises(LayerSizeError) as e:
        layer_table(ALEXNET, 8)  # not even one 11x11 window fits
    assert e.value.layer.name == "conv1" and e.value.checks[0].numerator < 0
    assert [r["shape"] for r in e.value.rows] == [(3, 8, 8)]


def test_profile_forward_im2col_bytes_equal_the_table():
    net = AlexNet(input_size=67, seed=0)  # the smallest size that passes every layer: fast
    x = np.random.default_rng(0).random((2, 3, 67, 67), dtype=np.float32)
    y, report = profile_forward(net, x)
    table = {r["name"]: r for r in layer_table(ALEXNET, 67)}
    outputs = layer_outputs(net, x)
    for name, shape, seconds, col_bytes in report:
        assert outputs[name].shape == shape and seconds >= 0
        if name in table:
            assert shape[1:] == table[name]["shape"]
            assert col_bytes == 2 * table[name]["im2col_bytes"]  # the matrices really built, for 2 images
    assert np.all(outputs["relu1"] >= 0) and (outputs["conv1"] < 0).any()
    np.testing.assert_allclose(y, outputs["fc8"], rtol=1e-6)
    assert (y < 0).any()  # no ReLU after the last layer
