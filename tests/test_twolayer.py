"""TwoLayerNet, the book's chapter-5 net shown beside the CNN in 7.6's drawing pad: the book's shapes, its
gradients against central differences, and the shipped run against its recipe."""

from __future__ import annotations

import numpy as np
import pytest

from cnnlib.train import RECIPES, load_record, load_trained
from cnnlib.twolayer import TwoLayerNet

from gradcheck import spot_check_gradients


def test_the_books_shapes_and_images_or_rows_alike():
    net = TwoLayerNet(seed=0)
    assert {k: v.shape for k, v in net.params.items()} == {"W1": (784, 50), "b1": (50,), "W2": (50, 10), "b2": (10,)}
    assert list(net.layers) == ["Affine1", "Relu1", "Affine2"]
    x = np.random.default_rng(1).random((3, 1, 28, 28), dtype=np.float32)
    np.testing.assert_array_equal(net.predict(x), net.predict(x.reshape(3, 784)))   # the first Affine flattens


def test_gradients_against_central_differences():
    net = TwoLayerNet(input_size=12, hidden_size=7, output_size=4, weight_init_std=0.5, dtype=np.float64, seed=3)
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((5, 1, 3, 4)), rng.integers(0, 4, size=5)
    spot_check_gradients(net, x, t)


def test_bad_sizes_say_so():
    with pytest.raises(ValueError, match="hidden_size must be at least 1"):
        TwoLayerNet(hidden_size=0)
    with pytest.raises(TypeError, match="input_size must be a whole number"):
        TwoLayerNet(input_size=784.0)


def test_the_shipped_run_is_its_recipe():
    record = load_record("two_layer_net")
    recipe = RECIPES["two_layer_net"]
    assert record["settings"]["epochs"] == recipe.epochs == 17 and record["settings"]["shift"] == 2
    assert (recipe.optimizer, recipe.lr, recipe.batch_size) == ("SGD", 0.1, 100)     # the book's ch05 settings
    assert load_trained("two_layer_net").architecture == TwoLayerNet().architecture
    assert 0.96 < record["test_accuracy"] < 0.98
