"""cnnlib.receptive against independent references: receptive fields by perturbing pixels, top
activations by exhaustive search, class purity by exact probability."""

import numpy as np
import pytest

from cnnlib import DeepConvNet
from cnnlib import receptive as R
from cnnlib.evaluate import forward_until


# ---- receptive fields -------------------------------------------------------------------------

def positive_deep_net():
    """DeepConvNet with positive weights and zero biases: on a positive image every ReLU passes,
    so a huge value at one pixel reaches every unit whose receptive field holds that pixel."""
    net = DeepConvNet(seed=0, dtype=np.float64)
    for key, value in net.params.items():
        value[...] = np.abs(value) if key.startswith("W") else 0.0
    return net


def test_receptive_fields_of_deep_convnet():
    got = [(rf.name, rf.size, rf.jump, rf.start) for rf in R.receptive_fields(DeepConvNet(seed=0))]
    assert got == [("Conv1", 3, 1, -1), ("Conv2", 5, 1, -2), ("Pool1", 6, 2, -2), ("Conv3", 10, 2, -4),
                   ("Conv4", 14, 2, -8), ("Pool2", 16, 4, -8), ("Conv5", 24, 4, -12), ("Conv6", 32, 4, -16),
                   ("Pool3", 36, 8, -16)]


@pytest.mark.parametrize("layer,cell", [("Conv1", (5, 9)), ("Conv2", (3, 20)), ("Conv3", (4, 7)),
                                        ("Conv4", (6, 6)), ("Pool2", (3, 3)), ("Conv5", (4, 2)),
                                        ("Conv6", (2, 5))])
def test_receptive_field_is_exactly_the_pixels_that_matter(layer, cell):
    net = positive_deep_net()
    rf = {r.name: r for r in R.receptive_fields(net)}[layer]
    i, j = cell
    rng = np.random.default_rng(1)
    x = rng.uniform(0.5, 1.0, (1, 1, 28, 28))
    base = forward_until(net, x, layer)[0, :, i, j]

    top, bottom = rf.rows(i)
    left, right = rf.rows(j)
    inside = np.zeros((28, 28), bool)
    inside[max(top, 0) : bottom, max(left, 0) : right] = True

    # everything outside changes: the unit does not
    y = x.copy()
    y[0, 0][~inside] = rng.uniform(0.5, 1.0, (~inside).sum())
    np.testing.assert_array_equal(forward_until(net, y, layer)[0, :, i, j], base)

    # a huge value at each edge row/column of the field (inside the image) changes it
    rows = [r for r in (top, bottom - 1) if 0 <= r < 28]
    cols = [c for c in (left, right - 1) if 0 <= c < 28]
    mid_r, mid_c = (max(top, 0) + min(bottom, 28)) // 2, (max(left, 0) + min(right, 28)) // 2
    for r, c in [(r, mid_c) for r in rows] + [(mid_r, c) for c in cols]:
        y = x.copy()
        y[0, 0, r, c] = 1e6
        assert np.all(forward_until(net, y, layer)[0, :, i, j] > base), (r, c)


def test_receptive_patches_hold_all_a_unit_sees():
    net = DeepConvNet(seed=3)
    images = np.random.default_rng(2).uniform(0, 1, (6, 1, 28, 28)).astype(np.float32)
    rf = {r.name: r for r in R.receptive_fields(net)}["Conv4"]
    top = R.top_activations(net, images, "Relu4", k=2)
    patches = R.receptive_patches(images, rf, top.image[5], top.y[5], top.x[5])
    assert patches.shape == (2, 1, 14, 14)
    for patch, n, i, j in zip(patches, top.image[5], top.y[5], top.x[5]):
        # put only the patch back into an empty image: the unit's value is unchanged
        canvas = np.zeros((1, 1, 28 + 2 * 14, 28 + 2 * 14), np.float32)
        r0, c0 = rf.rows(i)[0] + 14, rf.rows(j)[0] + 14
        canvas[0, :, r0 : r0 + 14, c0 : c0 + 14] = patch
        only_patch = canvas[:, :, 14:-14, 14:-14]
        a = forward_until(net, images[[n]], "Relu4")[0, 5, i, j]
        b = forward_until(net, only_patch, "Relu4")[0, 5, i, j]
        assert a == pytest.approx(b, rel=1e-5, abs=1e-6)


# float32 results depend in their last bits on the batch size and the BLAS kernel (OpenBLAS picks
# kernels by CPU and thread count), so two computations of one activation agree to a few ulps, not
# exactly; and images whose maxima tie within that noise may come in either order.
RTOL, ATOL = 1e-5, 1e-6


def assert_a_valid_top_k(top, per_image, k):
    """``top``'s (C, k) picks for one channel row each are k different images whose maxima are the k
    largest of ``per_image`` (C, N) — up to float32 noise, where near-ties may swap."""
    C, N = per_image.shape
    for c in range(C):
        images, values = top.image[c], top.value[c]
        assert len(set(images.tolist())) == k
        np.testing.assert_allclose(values, per_image[c, images], rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(values, np.sort(per_image[c])[::-1][:k], rtol=RTOL, atol=ATOL)
        others = np.delete(per_image[c], images)
        assert others.max(initial=-np.inf) <= values.min() + ATOL + RTOL * abs(values.min())


def test_top_activations_against_exhaustive_search():
    net = DeepConvNet(seed=4)
    images = np.random.default_rng(5).uniform(0, 1, (23, 1, 28, 28)).astype(np.float32)
    top = R.top_activations(net, images, "Relu2", k=4, batch_size=7)       # batches of 7: 7+7+7+2
    full = forward_until(net, images, "Relu2")                           # (23, 16, 28, 28), one batch
    per_image = full.reshape(23, 16, -1).max(axis=2).T                     # (16, 23)
    assert_a_valid_top_k(top, per_image, 4)
    for c in range(full.shape[1]):  # the reported cell holds the image's maximum
        np.testing.assert_allclose(full[top.image[c], c, top.y[c], top.x[c]], top.value[c], rtol=RTOL, atol=ATOL)


def test_forward_until_unknown_layer():
    with pytest.raises(ValueError, match="No layer 'Conv9'"):
        forward_until(DeepConvNet(seed=0), np.zeros((1, 1, 28, 28)), "Conv9")


def test_class_purity_and_chance():
    np.testing.assert_allclose(R.class_purity([[1, 1, 1, 2], [0, 1, 2, 3]]), [0.75, 0.25])
    labels = np.random.default_rng(0).integers(0, 10, 500)
    # k = 2: purity is 1 when both labels agree, else 1/2; agreement has an exact probability
    counts = np.bincount(labels, minlength=10)
    p_same = (counts * (counts - 1)).sum() / (500 * 499)
    assert R.chance_purity(labels, 2, trials=20000) == pytest.approx(0.5 + 0.5 * p_same, abs=0.005)
    assert R.chance_purity(np.full(50, 7), 9, trials=10) == 1.0


def test_top_activations_of_several_layers_in_one_pass_equal_one_at_a_time():
    net = DeepConvNet(seed=6)
    images = np.random.default_rng(7).uniform(0, 1, (9, 1, 28, 28)).astype(np.float32)
    many = R.top_activations(net, images, ["Relu1", "Relu4", "Pool3"], k=3, batch_size=4)
    for name, top in many.items():
        one = R.top_activations(net, images, name, k=3)                    # one batch of 9
        full = forward_until(net, images, name)
        per_image = full.reshape(9, full.shape[1], -1).max(axis=2).T
        assert_a_valid_top_k(top, per_image, 3)
        np.testing.assert_allclose(top.value, one.value, rtol=RTOL, atol=ATOL)
        for picks in (top, one):  # each reported cell holds its image's maximum
            channel = np.arange(full.shape[1])[:, None]
            np.testing.assert_allclose(full[picks.image, channel, picks.y, picks.x], picks.value, rtol=RTOL, atol=ATOL)
    with pytest.raises(ValueError, match="No layer 'Relu9'"):
        R.top_activations(net, images, ["Relu1", "Relu9"])


def test_purity_by_layer_counts_the_labels_of_each_channels_top_images():
    from collections import Counter

    net = DeepConvNet(seed=8)
    images = np.random.default_rng(9).uniform(0, 1, (16, 1, 28, 28)).astype(np.float32)
    labels = np.random.default_rng(10).integers(0, 3, 16)
    purity = R.purity_by_layer(net, images, labels, ["Relu1", "Relu5"], k=4, batch_size=8)
    assert list(purity) == ["Relu1", "Relu5"]
    for name, p in purity.items():
        top = R.top_activations(net, images, name, k=4)
        full = forward_until(net, images, name)
        assert_a_valid_top_k(top, full.reshape(16, full.shape[1], -1).max(axis=2).T, 4)
        expected = [Counter(labels[picks].tolist()).most_common(1)[0][1] / 4 for picks in top.image]
        np.testing.assert_allclose(p, expected)
    single = R.purity_by_layer(net, images, labels, "Relu1", k=4)
    np.testing.assert_allclose(single["Relu1"], purity["Relu1"])
    with pytest.raises(ValueError, match=r"one class number per image, shape \(16,\); got shape \(16, 10\)"):
        R.purity_by_layer(net, images, np.eye(10)[labels], "Relu1")
    with pytest.raises(ValueError, match=r"k must be between 1 and the number of images \(16\); got 17"):
        R.purity_by_layer(net, images, labels, "Relu1", k=17)


def test_the_untrained_control_is_the_shipped_runs_starting_point():
    """build_network(RECIPES['deep_convnet']) — the untrained column of 7.6's table — has the weights the
    shipped run started from: the run's record names the recipe's seed and architecture, and the build
    is deterministic."""
    from cnnlib.train import RECIPES, build_network, load_record, load_trained

    recipe = RECIPES["deep_convnet"]
    settings = load_record("deep_convnet")["settings"]
    assert settings["seed"] == recipe.seed and settings["network_args"] == recipe.network_args
    untrained, again, trained = build_network(recipe), build_network(recipe), load_trained("deep_convnet")
    assert list(untrained.layers) == list(trained.layers)
    for key in untrained.params:
        np.testing.assert_array_equal(untrained.params[key], again.params[key])
        assert untrained.params[key].shape == trained.params[key].shape
    assert not np.allclose(untrained.params["W1"], trained.params["W1"])
