"""cnnlib.visualize against independent references: brute-force gratings, loop convolutions,
perturbing pixels inside and outside a receptive field, and exhaustive top-k searches."""

import numpy as np
import pytest

from cnnlib import Convolution, DeepConvNet
from cnnlib import visualize as V
from cnnlib.reference import conv_forward_loops

SOBEL_X = V.HAND_MADE["Sobel x (vertical edge)"]
SOBEL_Y = V.HAND_MADE["Sobel y (horizontal edge)"]


def test_neighbour_correlation_separates_smooth_from_random():
    rng = np.random.default_rng(0)
    random_bank = rng.standard_normal((400, 1, 5, 5))
    # a correlation of 40 overlapping pairs is biased slightly below 0 (about −0.05 here)
    assert abs(V.neighbour_correlation(random_bank).mean()) < 0.08
    ramp = np.tile(np.arange(5.0), (5, 1))[None, None]          # brightness rising left to right
    blob = V.HAND_MADE["Gaussian (blur)"][None, None]
    assert V.neighbour_correlation(ramp)[0] > 0.5
    assert V.neighbour_correlation(blob)[0] > 0.5


def brute_force_grating_amplitude(f, angle_deg, period, phases=64):
    """Slide real grating images under the filter (by convolution) and take the largest output."""
    FH, FW = f.shape
    size = 3 * max(FH, FW)
    y, x = np.mgrid[0:size, 0:size]
    t = np.deg2rad(angle_deg)
    best = 0.0
    for phi in np.linspace(0, 2 * np.pi, phases, endpoint=False):
        img = np.cos(2 * np.pi * (x * np.cos(t) + y * np.sin(t)) / period + phi)
        out = conv_forward_loops(img[None, None], f[None, None], np.zeros(1))
        best = max(best, float(np.abs(out).max()))
    return best


@pytest.mark.parametrize("angle,period", [(0, 5), (90, 4), (45, 6), (30, 8)])
def test_grating_response_equals_the_best_response_to_real_gratings(angle, period):
    rng = np.random.default_rng(angle + period)
    bank = rng.standard_normal((3, 1, 5, 5))
    amp = V.grating_response(bank, [angle], period)[:, 0]
    for f, a in zip(bank[:, 0], amp):
        # 64 phases sample the peak of a cosine to within 1 − cos(π/64) ≈ 0.12 %
        assert brute_force_grating_amplitude(f, angle, period) == pytest.approx(a, rel=2e-3)


def test_edge_orientation_tells_sobel_x_from_sobel_y():
    diagonal = V.HAND_MADE["Sobel diagonal"]
    bank = np.stack([SOBEL_Y, V.HAND_MADE["Gaussian (blur)"], SOBEL_X, 0.5 * SOBEL_X + 0.1 * diagonal])[:, None]
    eo = V.edge_orientation(bank)
    assert list(eo.preferred[[0, 2]]) == [90, 0]
    assert eo.selectivity[2] > 0.9 and eo.selectivity[0] > 0.9
    assert eo.selectivity[1] < 0.01   # a round blob: almost no preference (a square 5x5 grid is not quite round)
    assert (eo.most_vertical, eo.most_horizontal) == (2, 0)   # the full Sobel x beats the weaker mix
    np.testing.assert_allclose(eo.contrast, eo.responses.max(axis=1) - eo.responses.min(axis=1))
    weak = V.edge_orientation(np.stack([SOBEL_X, 0.01 * SOBEL_X + 0.001 * SOBEL_Y])[:, None])
    assert weak.most_vertical == 0        # a faint filter does not win by being selective
    # orientations repeat every 180 degrees: 175 is 5 degrees from vertical
    assert eo.strongest_near(180.0) == 2
    with pytest.raises(ValueError, match="No filter prefers an angle within 5"):
        V.edge_orientation(bank[:1]).strongest_near(0.0, tolerance_deg=5)


def test_cosine_similarity():
    bank = np.stack([3 * SOBEL_X, -SOBEL_X, SOBEL_Y])[:, None]
    cs = V.cosine_similarity(bank, [SOBEL_X, SOBEL_Y])
    np.testing.assert_allclose(cs, [[1, 0], [-1, 0], [0, 1]], atol=1e-12)
    with pytest.raises(ValueError, match="same height and width"):
        V.cosine_similarity(bank, [np.ones((3, 3))])
    with pytest.raises(ValueError, match="one-channel filters"):
        V.cosine_similarity(np.ones((2, 3, 5, 5)), [SOBEL_X])


def test_gray_photo_and_filter_maps():
    photo = V.gray_photo(40)
    assert photo.shape == (1, 1, 40, 40) and photo.dtype == np.float32
    assert 0 <= photo.min() < 0.3 and 0.7 < photo.max() <= 1
    bank = np.stack([SOBEL_X, SOBEL_Y])[:, None]
    maps = V.filter_maps(bank, photo, b=[0.5, -1.0])
    expected = conv_forward_loops(photo.astype(np.float64), bank, np.array([0.5, -1.0]))
    np.testing.assert_allclose(maps, expected, rtol=1e-4, atol=1e-4)


# ---- receptive fields -------------------------------------------------------------------------

def positive_deep_net():
    """DeepConvNet with positive weights and zero biases: on a positive image every ReLU passes,
    so a huge value at one pixel reaches every unit whose receptive field holds that pixel."""
    net = DeepConvNet(seed=0, dtype=np.float64)
    for key, value in net.params.items():
        value[...] = np.abs(value) if key.startswith("W") else 0.0
    return net


def test_receptive_fields_of_deep_convnet():
    got = [(rf.name, rf.size, rf.jump, rf.start) for rf in V.receptive_fields(DeepConvNet(seed=0))]
    assert got == [("Conv1", 3, 1, -1), ("Conv2", 5, 1, -2), ("Pool1", 6, 2, -2), ("Conv3", 10, 2, -4),
                   ("Conv4", 14, 2, -8), ("Pool2", 16, 4, -8), ("Conv5", 24, 4, -12), ("Conv6", 32, 4, -16),
                   ("Pool3", 36, 8, -16)]


@pytest.mark.parametrize("layer,cell", [("Conv1", (5, 9)), ("Conv2", (3, 20)), ("Conv3", (4, 7)),
                                        ("Conv4", (6, 6)), ("Pool2", (3, 3)), ("Conv5", (4, 2)),
                                        ("Conv6", (2, 5))])
def test_receptive_field_is_exactly_the_pixels_that_matter(layer, cell):
    net = positive_deep_net()
    rf = {r.name: r for r in V.receptive_fields(net)}[layer]
    i, j = cell
    rng = np.random.default_rng(1)
    x = rng.uniform(0.5, 1.0, (1, 1, 28, 28))
    base = V.forward_until(net, x, layer)[0, :, i, j]

    top, bottom = rf.rows(i)
    left, right = rf.rows(j)
    inside = np.zeros((28, 28), bool)
    inside[max(top, 0) : bottom, max(left, 0) : right] = True

    # everything outside changes: the unit does not
    y = x.copy()
    y[0, 0][~inside] = rng.uniform(0.5, 1.0, (~inside).sum())
    np.testing.assert_array_equal(V.forward_until(net, y, layer)[0, :, i, j], base)

    # a huge value at each edge row/column of the field (inside the image) changes it
    rows = [r for r in (top, bottom - 1) if 0 <= r < 28]
    cols = [c for c in (left, right - 1) if 0 <= c < 28]
    mid_r, mid_c = (max(top, 0) + min(bottom, 28)) // 2, (max(left, 0) + min(right, 28)) // 2
    for r, c in [(r, mid_c) for r in rows] + [(mid_r, c) for c in cols]:
        y = x.copy()
        y[0, 0, r, c] = 1e6
        assert np.all(V.forward_until(net, y, layer)[0, :, i, j] > base), (r, c)


def test_receptive_patches_hold_all_a_unit_sees():
    net = DeepConvNet(seed=3)
    images = np.random.default_rng(2).uniform(0, 1, (6, 1, 28, 28)).astype(np.float32)
    rf = {r.name: r for r in V.receptive_fields(net)}["Conv4"]
    top = V.top_activations(net, images, "Relu4", k=2)
    patches = V.receptive_patches(images, rf, top.image[5], top.y[5], top.x[5])
    assert patches.shape == (2, 1, 14, 14)
    for patch, n, i, j in zip(patches, top.image[5], top.y[5], top.x[5]):
        # put only the patch back into an empty image: the unit's value is unchanged
        canvas = np.zeros((1, 1, 28 + 2 * 14, 28 + 2 * 14), np.float32)
        r0, c0 = rf.rows(i)[0] + 14, rf.rows(j)[0] + 14
        canvas[0, :, r0 : r0 + 14, c0 : c0 + 14] = patch
        only_patch = canvas[:, :, 14:-14, 14:-14]
        a = V.forward_until(net, images[[n]], "Relu4")[0, 5, i, j]
        b = V.forward_until(net, only_patch, "Relu4")[0, 5, i, j]
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
    top = V.top_activations(net, images, "Relu2", k=4, batch_size=7)       # batches of 7: 7+7+7+2
    full = V.forward_until(net, images, "Relu2")                           # (23, 16, 28, 28), one batch
    per_image = full.reshape(23, 16, -1).max(axis=2).T                     # (16, 23)
    assert_a_valid_top_k(top, per_image, 4)
    for c in range(full.shape[1]):  # the reported cell holds the image's maximum
        np.testing.assert_allclose(full[top.image[c], c, top.y[c], top.x[c]], top.value[c], rtol=RTOL, atol=ATOL)


def test_forward_until_unknown_layer():
    with pytest.raises(ValueError, match="No layer 'Conv9'"):
        V.forward_until(DeepConvNet(seed=0), np.zeros((1, 1, 28, 28)), "Conv9")


def test_class_purity_and_chance():
    np.testing.assert_allclose(V.class_purity([[1, 1, 1, 2], [0, 1, 2, 3]]), [0.75, 0.25])
    labels = np.random.default_rng(0).integers(0, 10, 500)
    # k = 2: purity is 1 when both labels agree, else 1/2; agreement has an exact probability
    counts = np.bincount(labels, minlength=10)
    p_same = (counts * (counts - 1)).sum() / (500 * 499)
    assert V.chance_purity(labels, 2, trials=20000) == pytest.approx(0.5 + 0.5 * p_same, abs=0.005)
    assert V.chance_purity(np.full(50, 7), 9, trials=10) == 1.0


def test_top_activations_of_several_layers_in_one_pass_equal_one_at_a_time():
    net = DeepConvNet(seed=6)
    images = np.random.default_rng(7).uniform(0, 1, (9, 1, 28, 28)).astype(np.float32)
    many = V.top_activations(net, images, ["Relu1", "Relu4", "Pool3"], k=3, batch_size=4)
    for name, top in many.items():
        one = V.top_activations(net, images, name, k=3)                    # one batch of 9
        full = V.forward_until(net, images, name)
        per_image = full.reshape(9, full.shape[1], -1).max(axis=2).T
        assert_a_valid_top_k(top, per_image, 3)
        np.testing.assert_allclose(top.value, one.value, rtol=RTOL, atol=ATOL)
        for picks in (top, one):  # each reported cell holds its image's maximum
            channel = np.arange(full.shape[1])[:, None]
            np.testing.assert_allclose(full[picks.image, channel, picks.y, picks.x], picks.value, rtol=RTOL, atol=ATOL)
    with pytest.raises(ValueError, match="No layer 'Relu9'"):
        V.top_activations(net, images, ["Relu1", "Relu9"])
