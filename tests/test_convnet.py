"""SimpleConvNet and DeepConvNet: gradients, shapes, saving, settings that are refused (Trainer: test_trainer.py)."""

import numpy as np
import pytest

from cnnlib import LeNet, relative_error
from cnnlib.alexnet import AlexNet
from cnnlib.convnet import DeepConvNet, SimpleConvNet
from cnnlib.fast_layers import FastConvolution, FastPooling, FastRelu
from cnnlib.layers import Convolution, Pooling, Relu
from cnnlib.train import RECIPES, build_network

from gradcheck import spot_check_gradients


def small_net(**kw):
    kw = {"input_dim": (2, 8, 8), "conv_param": {"filter_num": 3, "filter_size": 3, "pad": 1, "stride": 1},
          "hidden_size": 6, "output_size": 4, "weight_init_std": 0.3, "dtype": np.float64, "seed": 0, **kw}
    return SimpleConvNet(**kw)


def test_book_parameter_count_and_shapes():
    net = SimpleConvNet()
    assert sum(p.size for p in net.params.values()) == 433_890
    assert {k: v.shape for k, v in net.params.items()} == {
        "W1": (30, 1, 5, 5), "b1": (30,), "W2": (4320, 100), "b2": (100,), "W3": (100, 10), "b3": (10,)}
    assert all(p.dtype == np.float32 for p in net.params.values())
    y = net.predict(np.zeros((3, 1, 28, 28), dtype=np.float32))
    assert y.shape == (3, 10) and y.dtype == np.float32


def test_gradient_matches_numerical_gradient():
    net = small_net()
    rng = np.random.default_rng(1)
    x, t = rng.standard_normal((3, 2, 8, 8)), rng.integers(0, 4, 3)
    grads = net.gradient(x, t)
    num = net.numerical_gradient(x, t)
    for key in net.params:
        assert grads[key].shape == net.params[key].shape
        assert relative_error(grads[key], num[key]) < 1e-6, key


@pytest.mark.parametrize("filter_size, pad, stride, pooled", [(4, 0, 1, 12), (5, 2, 1, 14), (4, 0, 2, 6), (6, 1, 3, 4)])
def test_any_valid_geometry_works(filter_size, pad, stride, pooled):
    # the book's network breaks with a 4x4 filter (conv output 25 is odd); 2x2 pooling drops the last row here
    net = SimpleConvNet(conv_param={"filter_num": 5, "filter_size": filter_size, "pad": pad, "stride": stride}, seed=0)
    assert net.params["W2"].shape == (5 * pooled * pooled, 100)
    x = np.random.default_rng(0).random((2, 1, 28, 28), dtype=np.float32)
    assert net.predict(x).shape == (2, 10)
    grads = net.gradient(x, np.array([1, 2]))
    assert grads["W1"].shape == (5, 1, filter_size, filter_size)


def test_invalid_geometry_raises_the_shape_message():
    with pytest.raises(ValueError, match="not a whole number"):
        SimpleConvNet(conv_param={"filter_num": 5, "filter_size": 5, "pad": 0, "stride": 2})


def test_init_options_and_seed():
    a, b = SimpleConvNet(seed=3), SimpleConvNet(seed=3)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    he = SimpleConvNet(weight_init_std="he", seed=0)
    assert abs(he.params["W1"].std() - np.sqrt(2 / 25)) < 0.02
    assert abs(he.params["W2"].std() - np.sqrt(2 / 4320)) < 0.001
    assert abs(SimpleConvNet(seed=0).params["W2"].std() - 0.01) < 0.001
    with pytest.raises(ValueError, match="'he' or 'xavier'"):
        SimpleConvNet(weight_init_std="glorot")


def test_save_and_load_roundtrip(tmp_path):
    net = small_net(seed=5)
    path = tmp_path / "p.npz"
    net.save_params(path)
    other = small_net(seed=6)
    layer_w = other.layers["Conv1"].W
    other.load_params(path)
    assert all(np.array_equal(net.params[k], other.params[k]) for k in net.params)
    assert other.layers["Conv1"].W is layer_w  # loaded in place: the layers see the new values
    x = np.random.default_rng(0).standard_normal((2, 2, 8, 8))
    np.testing.assert_array_equal(net.predict(x), other.predict(x))
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
    with np.load(path, allow_pickle=False) as data:  # readable without pickle
        assert "__architecture__" in data


def test_loading_into_another_shape_names_both(tmp_path):
    small_net().save_params(tmp_path / "p.npz")
    other = small_net(hidden_size=7)
    with pytest.raises(ValueError) as e:
        other.load_params(tmp_path / "p.npz")
    msg = str(e.value)
    assert "saved from a different network (hidden_size differ)" in msg
    assert "hidden_size=6" in msg and "hidden_size=7" in msg
    with pytest.raises(FileNotFoundError):
        other.load_params(tmp_path / "missing.npz")




# ---- settings that cannot make a network are refused when it is built

@pytest.mark.parametrize("kwargs, err, text", [
    ({"conv_param": {"filter_num": 0}}, ValueError, "conv_param['filter_num'] must be at least 1; got 0"),
    ({"conv_param": {"filter_size": 5.0}}, TypeError, "conv_param['filter_size'] must be a whole number (int); got 5.0 of type float. Write 5 instead."),
    ({"conv_param": {"filter_sz": 5}}, ValueError, "conv_param has unknown keys ['filter_sz']"),
    ({"hidden_size": 0}, ValueError, "hidden_size must be at least 1"),
    ({"input_dim": (28, 28)}, ValueError, "input_dim must be 3 whole numbers (C, H, W)"),
])
def test_simple_convnet_refuses_impossible_settings_at_once(kwargs, err, text):
    with pytest.raises(err) as e:
        SimpleConvNet(**kwargs)
    assert text in str(e.value)


def test_accuracy_of_no_images_is_refused_clearly():
    net = small_net()
    with pytest.raises(ValueError, match="at least one: got 0 images and 0 labels"):
        net.accuracy(np.zeros((0, 2, 8, 8)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match="got 2 images and 3 labels"):
        net.accuracy(np.zeros((2, 2, 8, 8)), np.zeros(3, dtype=int))


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


def test_a_layer_replaced_in_layers_gives_the_gradients():
    """Swapping a layer for the book's version (as 7.5's speed cell does) keeps gradient() complete."""
    from cnnlib import SimpleConvNet
    from cnnlib.layers import Convolution

    x = np.random.default_rng(0).standard_normal((2, 1, 28, 28))
    t = np.array([3, 7])
    net = SimpleConvNet(seed=0, dtype=np.float64)
    fast = net.gradient(x, t)
    net.layers["Conv1"] = Convolution(net.params["W1"], net.params["b1"])
    book = net.gradient(x, t)
    assert set(book) == set(fast) and all(book[k] is not None for k in book)
    for key in fast:
        np.testing.assert_allclose(book[key], fast[key], rtol=1e-9, atol=1e-12)


def layer_types(net):
    return {name: type(layer) for name, layer in net.layers.items()}


@pytest.mark.parametrize("make", [
    lambda fast: small_net(fast=fast),
    lambda fast: DeepConvNet(dropout_ratio=0.0, dtype=np.float64, seed=0, fast=fast),
    lambda fast: LeNet("relu", "max", dtype=np.float64, seed=0, fast=fast),
], ids=["SimpleConvNet", "DeepConvNet", "LeNet"])
def test_the_fast_switch_changes_the_layers_not_the_numbers(make):
    """The networks read as the book's (Convolution, Relu, Pooling); fast=True puts the fast variants in
    their place, holding the very same weight arrays, with the same outputs and gradients."""
    book, fast = make(False), make(True)
    swapped = {Convolution: FastConvolution, Relu: FastRelu, Pooling: FastPooling}
    assert {swapped.get(t, t) for t in layer_types(book).values()} == set(layer_types(fast).values())
    assert Convolution in layer_types(book).values() and FastConvolution not in layer_types(book).values()
    for name, layer in fast.layers.items():
        if hasattr(layer, "W"):
            assert any(layer.W is p for p in fast.params.values()), name  # params and layers share arrays
    C, H, W = book.architecture["input_dim"]
    rng = np.random.default_rng(2)
    x, t = rng.standard_normal((3, C, H, W)), rng.integers(0, 4, 3)
    np.testing.assert_allclose(fast.predict(x), book.predict(x), rtol=1e-10, atol=1e-12)
    gb, gf = book.gradient(x, t), fast.gradient(x, t)
    for key in book.params:
        np.testing.assert_allclose(gf[key], gb[key], rtol=1e-9, atol=1e-12, err_msg=key)
    assert book.architecture == fast.architecture  # a parameter file loads into either


def test_recipes_train_with_the_fast_layers_and_alexnet_keeps_its_grouped_convolutions():
    net = build_network(RECIPES["simple_convnet_fast"])
    assert layer_types(net)["Conv1"] is FastConvolution and layer_types(net)["Pool1"] is FastPooling
    assert layer_types(build_network(RECIPES["simple_convnet_fast"], fast=False))["Conv1"] is Convolution
    alex = layer_types(AlexNet(fast=True))
    assert alex["pool1"] is FastPooling and alex["relu1"] is FastRelu and alex["conv2"].__name__ == "GroupConvolution"
